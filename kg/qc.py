"""`kg qc`: the ontology's quality report, from the checks kept as SPARQL files in queries/qc/.

Each check returns one row per problem (the term, and a detail) and has a severity in its header:
errors (missing labels or definitions, duplicate labels, deprecated terms in use) fail the command,
warnings (unused classes and properties, labels shared across sorts of term) are reported only.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg import catalogue, dataset, paths
from kg.namespace import GRAPH, GZ, GZC, GZD

QC_DIR = paths.QUERIES_DIR / "qc"
SEVERITIES = ("error", "warning")
EXTRA_HEADER = re.compile(r"^#\s*(severity|message@zh|message@en)\s*:\s*(.+?)\s*$")
# Where the QC store keeps the vocabulary; every other graph is data.
VOCABULARY_GRAPHS = dataset.ONTOLOGY_GRAPHS
DEFAULT_VOCABULARY_GRAPH = GRAPH["ontology"]
# Short names for the text report.
PREFIXES = {"gz": str(GZ._NS), "gzc": str(GZC._NS), "gzd": str(GZD), "graph": str(GRAPH), "rdf": str(RDF),
            "rdfs": str(RDFS), "owl": str(OWL), "skos": str(SKOS), "dcterms": str(DCTERMS), "xsd": str(XSD)}
QUADS = (".nq", ".trig")  # data files that name their graphs


@dataclass
class Check:
    """One file of queries/qc/: its catalogue header, its severity and the message shown with each row."""

    query: catalogue.Query
    severity: str
    message: dict

    @property
    def name(self) -> str:
        return self.query.name


@dataclass
class Finding:
    """One row of a check: the term at fault, and what about it."""

    check: Check
    term: str
    detail: str


def parse(path: Path) -> Check:
    extra = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := EXTRA_HEADER.match(line):
            extra[m.group(1)] = m.group(2)
    severity = extra.get("severity", "")
    if severity not in SEVERITIES:
        raise ValueError(f"{path.name}: '# severity:' must be one of {', '.join(SEVERITIES)}, not '{severity}'")
    message = {"zh": extra.get("message@zh", ""), "en": extra.get("message@en", "")}
    return Check(catalogue.parse(path), severity, message)


def checks() -> list[Check]:
    return [parse(p) for p in sorted(QC_DIR.glob("*.rq"))]


def load(ontology_files: list[Path] | None = None, data_files: list[Path] | None = None) -> ox.Store:
    """An in-memory store: the vocabulary in its graphs, the data in the others.

    By default the ontology files of the project and the dataset `kg build` makes from the case files
    (cases, derived and links graphs). Given ontology files go into graph/ontology; given data files keep
    their graphs (N-Quads, TriG: their vocabulary graphs are dropped) or go into graph/case/<file name>.
    """
    store = ox.Store()
    for path in map(Path, ontology_files or paths.ONTOLOGY_SOURCES):
        graph = DEFAULT_VOCABULARY_GRAPH if ontology_files else VOCABULARY_GRAPHS[path]
        store.load(path=str(path), format=_format(path), to_graph=ox.NamedNode(str(graph)))
    vocabulary = {str(g) for g in VOCABULARY_GRAPHS.values()}
    if data_files is None:
        data = dataset.canonical_nquads(dataset.assemble(dataset.load_sources()))
        quads = ox.parse(data, format=ox.RdfFormat.N_QUADS)
        store.extend(q for q in quads if q.graph_name.value not in vocabulary)
        return store
    for path in map(Path, data_files):
        if path.suffix in QUADS:
            quads = ox.parse(path=str(path), format=_format(path))
            store.extend(q for q in quads if getattr(q.graph_name, "value", "") not in vocabulary)
        else:
            store.load(path=str(path), format=_format(path), to_graph=ox.NamedNode(str(GRAPH["case/" + path.stem])))
    return store


def _format(path: Path) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(path.suffix[1:])
    if fmt is None:
        raise ValueError(f"{path}: 无法从扩展名判断 RDF 格式 / cannot tell the RDF syntax from the file extension "
                         "(.ttl, .nt, .nq, .trig, .rdf, .jsonld)")
    return fmt


def run(store: ox.Store, selected: list[Check] | None = None) -> list[Finding]:
    found = []
    for check in selected if selected is not None else checks():
        for row in store.query(check.query.text, use_default_graph_as_union=True):
            term, detail = (row[v] for v in ("term", "detail"))
            found.append(Finding(check, term.value, detail.value if detail is not None else ""))
    return found


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.check.severity == "error"]


def curie(iri: str) -> str:
    """The IRI as a prefixed name where a prefix fits, else <iri>."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[\w.\-/]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def compact(text: str) -> str:
    """The IRIs written <...> in a detail as prefixed names."""
    return re.sub(r"<([^<>\s]+)>", lambda m: curie(m.group(1)), text)


LABELS = {"error": ("错误", "ERROR"), "warning": ("警告", "WARNING")}


def _summary(findings: list[Finding]) -> tuple[int, int]:
    n_errors = len(errors(findings))
    return n_errors, len(findings) - n_errors


def text_report(findings: list[Finding], checked: list[Check]) -> str:
    n_errors, n_warnings = _summary(findings)
    lines = [f"本体质量报告 / Ontology quality report: {n_errors} 个错误 / error(s), {n_warnings} 个警告 / warning(s)"]
    for check in sorted(checked, key=lambda c: (SEVERITIES.index(c.severity), c.name)):
        rows = [f for f in findings if f.check == check]
        zh, en = LABELS[check.severity]
        lines += ["", f"[{zh} {en}] {check.name}: {check.query.title.get('zh', '')} / "
                      f"{check.query.title.get('en', '')} ({len(rows)})"]
        if not rows:
            lines.append("  无 / none")
            continue
        lines += [f"  {check.message['zh']}", f"  {check.message['en']}"]
        width = max(len(curie(f.term)) for f in rows)
        lines += [f"  {curie(f.term):<{width}}  {compact(f.detail)}".rstrip() for f in rows]
    return "\n".join(lines) + "\n"


TSV_COLUMNS = ("severity", "check", "term", "detail", "message_zh", "message_en")


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def tsv_report(findings: list[Finding]) -> str:
    rows = [TSV_COLUMNS] + [(f.check.severity, f.check.name, f.term, f.detail, f.check.message["zh"],
                             f.check.message["en"]) for f in findings]
    return "".join("\t".join(map(_cell, row)) + "\n" for row in rows)


def json_report(findings: list[Finding], checked: list[Check]) -> str:
    n_errors, n_warnings = _summary(findings)
    payload = {
        "errors": n_errors, "warnings": n_warnings,
        "checks": [{"check": c.name, "severity": c.severity, "title": c.query.title, "message": c.message,
                    "count": sum(f.check == c for f in findings)} for c in checked],
        "findings": [{"check": f.check.name, "severity": f.check.severity, "term": f.term, "detail": f.detail,
                      "message": f.check.message} for f in findings],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
