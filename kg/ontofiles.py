"""The three ontology source files as graphs: read them, check a changed version, write it back canonically.

`kg terms import` and `kg protege import` both end here: the new graphs are checked with the project's own
checks (SHACL and the violation queries with the cases, HermiT) before anything is written, and then
written in the canonical form of `kg fmt`, so that an unchanged term leaves its lines unchanged.
"""
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from kg import paths, turtle

# The prefixes a sheet may use besides those the files declare: RDF, RDFS, OWL and XSD are always known.
BUILT_IN_PREFIXES = {"rdf": str(RDF), "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": str(OWL),
                     "xsd": "http://www.w3.org/2001/XMLSchema#"}
PREFIX_LINE = re.compile(r"^(?:PREFIX|@prefix)\s+([A-Za-z][\w.-]*|):\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class OntologyFiles:
    """Where the ontology, the concept schemes and the alignment are (the repository's files by default)."""

    ontology: Path = paths.ONTOLOGY
    concepts: Path = paths.CONCEPTS
    alignment: Path = paths.ALIGNMENT

    @classmethod
    def in_dir(cls, folder: Path) -> "OntologyFiles":
        return cls(folder / paths.ONTOLOGY.name, folder / paths.CONCEPTS.name, folder / paths.ALIGNMENT.name)

    def all(self) -> tuple[Path, Path, Path]:
        return self.ontology, self.concepts, self.alignment

    def is_repository(self) -> bool:
        """Whether these are the repository's own files, from which kg/namespace.py is generated."""
        return all(p.resolve() == q.resolve() for p, q in zip(self.all(), paths.ONTOLOGY_SOURCES))

    def read(self) -> dict[Path, Graph]:
        return {path: Graph().parse(path, format="turtle") for path in self.all()}

    def prefixes(self) -> dict[str, str]:
        """The prefixes the files declare (and rdf, rdfs, owl, xsd): the CURIEs a person may write."""
        found = dict(BUILT_IN_PREFIXES)
        for path in self.all():
            for prefix, ns in PREFIX_LINE.findall(path.read_text(encoding="utf-8")):
                if prefix:
                    found.setdefault(prefix, ns)
        return found


def ontology_iri(g: Graph) -> URIRef | None:
    """The IRI of the owl:Ontology a source file declares."""
    return next((s for s in g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), None)


def texts(graphs: dict[Path, Graph]) -> dict[Path, str]:
    return {path: turtle.serialize(g) for path, g in graphs.items()}


def check(files: OntologyFiles, graphs: dict[Path, Graph]) -> tuple[list[str], list[str]]:
    """Problems and warnings of the ontology `graphs` (path -> new graph) together with the case files.

    The checks of `kg validate` (SHACL, quotes, violation queries) and of `kg reason` (HermiT), run on
    the graphs in memory so that nothing is written when they fail. A machine without Java gets a
    warning instead of the HermiT check.
    """
    from kg import build, dataset, evidence, reason, validate
    from kg.cases import CaseFileError

    try:
        sources = dataset.load_sources()
    except CaseFileError as exc:
        return [str(exc)], []
    for source, name in zip(files.all(), dataset.ONTOLOGY_GRAPHS.values()):
        sources.add(name, graphs[source], source)
    ds = dataset.assemble(sources)
    data = dataset.canonical_nquads(ds)
    problems = [str(v) for v in validate.check(sources, dataset.union(ds)) + evidence.check(sources)
                + build.run_violation_queries(data)]
    warnings = []
    try:
        report = reason.reason(sources.union())
    except reason.ReasonerFailed as exc:
        warnings.append(f"HermiT was not run / 未运行 HermiT: {exc}")
    else:
        if not report.consistent:
            problems.append(f"inconsistent / 不一致 (HermiT): {report.detail}")
        if report.unsatisfiable:
            problems.append("unsatisfiable classes / 不可满足的类 (HermiT): " + ", ".join(report.unsatisfiable))
    return problems, warnings


def write(graphs: dict[Path, Graph]) -> list[Path]:
    """Write each graph whose canonical text differs from its file; return the files written.

    Every text is made first and each file is replaced in one rename, so a failure leaves no file
    half written.
    """
    changed = {path: text for path, text in texts(graphs).items()
               if not path.exists() or path.read_text(encoding="utf-8") != text}
    staged = []
    try:
        for path, text in changed.items():
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            staged.append((Path(name), path))
            if path.exists():
                os.chmod(name, path.stat().st_mode & 0o777)
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return list(changed)
