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
        return self.read_with_texts()[0]

    def read_with_texts(self) -> tuple[dict[Path, Graph], dict[Path, str]]:
        """The graphs and the texts they were parsed from (to notice a file changed meanwhile)."""
        texts = {path: path.read_text(encoding="utf-8") for path in self.all()}
        return {path: Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
                for path, text in texts.items()}, texts

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
            problems.append("HermiT: 本体与案例事实相互矛盾（例如某个条目同时属于两个互斥的类） / the ontology "
                            "contradicts the case facts (such as an entry in two disjoint classes)"
                            + (f": {report.detail[:400]}" if report.detail.strip() else ""))
        if report.unsatisfiable:
            problems.append("unsatisfiable classes / 不可满足的类 (HermiT): " + ", ".join(report.unsatisfiable))
    return problems, warnings


class FilesChanged(RuntimeError):
    """A file changed on disk between reading and writing (someone else saved it): nothing was written."""


def write(graphs: dict[Path, Graph], read: dict[Path, str] | None = None) -> list[Path]:
    """Write each graph whose canonical text differs from its file; return the files written.

    Every text is made first and each file is replaced in one rename, so a failure leaves no file
    half written. With `read` (the texts the graphs were made from), FilesChanged if a file is no
    longer what was read, rather than overwrite someone else's change.
    """
    on_disk = {path: path.read_text(encoding="utf-8") if path.exists() else None for path in graphs}
    moved = [path for path in graphs if read is not None and on_disk[path] != read.get(path)]
    if moved:
        names = ", ".join(p.name for p in moved)
        raise FilesChanged(f"{names} changed while importing: nothing was written, run the import again / "
                           f"导入期间 {names} 被修改，未写入任何内容，请重新导入")
    changed = {path: text for path, text in texts(graphs).items() if on_disk[path] != text}
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
