"""Assemble ontology and case files into one dataset, a named graph per source, in canonical N-Quads."""
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, URIRef

from kg import cases, paths, rdfcache
from kg.overlay import from_ox, to_ox
from kg.namespace import GRAPH, GZ, GZD

ONTOLOGY_GRAPHS = {paths.ONTOLOGY: GRAPH["ontology"], paths.CONCEPTS: GRAPH["concepts"],
                   paths.ALIGNMENT: GRAPH["alignment"]}
DERIVED_GRAPH = GRAPH["derived"]
LINKS_GRAPH = GRAPH["links"]
CASE_GRAPHS = str(GRAPH["case/"])
IMPORT_GRAPHS = str(GRAPH["import/"])


def is_curated(graph_iri) -> bool:
    """Graphs made from files: the sources (ontology, cases, derived, links) and imports (`kg import`).

    They change only through those files, never through updates.
    """
    iri = str(graph_iri)
    return iri.startswith((CASE_GRAPHS, IMPORT_GRAPHS)) or \
        iri in {str(g) for g in (*ONTOLOGY_GRAPHS.values(), DERIVED_GRAPH, LINKS_GRAPH)}


@dataclass
class Sources:
    """The parsed sources: each graph (its blank nodes named canonically) with the file it came from."""

    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    files: dict[URIRef, Path] = field(default_factory=dict)

    def add(self, name: URIRef, graph: Graph, path: Path) -> None:
        self.graphs[name] = graph
        self.files[name] = path

    def union(self) -> Graph:
        g = Graph()
        for part in self.graphs.values():
            g += part
        return g


def skolemize_evidence(g: Graph) -> Graph:
    """Give each evidence node a stable IRI under its fact: <fact>/evidence/<hash of the quote>."""
    renames = {}
    for fact, node in g.subject_objects(GZ.evidence):
        if isinstance(node, BNode):
            quote = g.value(node, GZ.quote) or ""
            section = g.value(node, GZ.inSection) or ""
            digest = hashlib.sha1(f"{section}\n{quote}".encode("utf-8")).hexdigest()[:10]
            renames[node] = URIRef(f"{fact}/evidence/{digest}")
    if not renames:
        return g
    out = Graph()
    for s, p, o in g:
        out.add((renames.get(s, s), p, renames.get(o, o)))
    return out


def _defined_entries(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)}


def load_sources(case_paths: list[Path] | None = None) -> Sources:
    """Parse the ontology files and the case files; raise CaseFileError on a bad case file."""
    sources = Sources()
    for path, name in ONTOLOGY_GRAPHS.items():
        sources.add(name, rdfcache.turtle(path), path)
    owner: dict[URIRef, Path] = {}
    for path in case_paths if case_paths is not None else cases.case_files():
        g = skolemize_evidence(cases.load(path))
        for entry in _defined_entries(g) - {e for e in g.objects(None, GZ.evidence)}:
            if entry in owner:
                raise cases.CaseFileError(cases.display_path(path), str(entry)[len(GZD):], 0,
                                          f"条目已在 {owner[entry].name} 中定义，每个条目只应在一个文件中定义",
                                          f"entry is already defined in {owner[entry].name}; define each entry in one file only")
            owner[entry] = path
        sources.add(cases.graph_name(path), rdfcache.canonical(g), path)
    return sources


def derive(union: Graph) -> Graph:
    """Apply the CONSTRUCT rules of kg/rules/ to the union of the sources.

    Oxigraph (the store's engine) runs them, several times quicker than rdflib; each term of the answer is
    the very rdflib term it matched in the sources.
    """
    store, to_ox = ox.Store(), {}
    store.bulk_extend(ox.Quad(*(_ox_term(term, to_ox) for term in triple)) for triple in union)
    from_ox = {value: key for key, value in to_ox.items()}
    derived = Graph()
    for rule in sorted(paths.RULES_DIR.glob("*.rq")):
        for triple in store.query(rule.read_text(encoding="utf-8")):
            derived.add(tuple(_rdflib_term(term, from_ox) for term in triple))
    return derived


def _ox_term(term, known: dict):
    """An rdflib term as Oxigraph has it, remembered so that the answer can give back the very term."""
    if term not in known:
        known[term] = to_ox(term)
    return known[term]


def _rdflib_term(term, known: dict):
    """The sources' own term, or one a rule made (a constant, a blank node of its template) as rdflib has it;
    a plain string stays a plain literal, as the sources write it."""
    if term not in known:
        if isinstance(term, ox.BlankNode):
            known[term] = BNode()
        elif isinstance(term, ox.Literal) and not term.language and term.datatype.value == str(XSD.string):
            known[term] = Literal(term.value)
        else:
            known[term] = from_ox(term)
    return known[term]


def generated(union: Graph) -> dict[URIRef, Graph]:
    """The graphs made from the sources (their union): what the rules derive, and the links."""
    from kg.linkset import links_graph  # noqa: PLC0415 - kg.link needs this module's graph names

    return {DERIVED_GRAPH: derive(union), LINKS_GRAPH: links_graph(union)}


def to_dataset(graphs: dict[URIRef, Graph]) -> Dataset:
    ds = Dataset()
    for name, g in graphs.items():
        target = ds.graph(name)
        target.addN((s, p, o, target) for s, p, o in g)
    return ds


def assemble(sources: Sources) -> Dataset:
    return to_dataset({**sources.graphs, **generated(sources.union())})


def union(ds: Dataset) -> Graph:
    """All the dataset's triples in one graph, as a query without a dataset sees them."""
    g = Graph()
    g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


def canonical_nquads(ds: Dataset) -> bytes:
    """Sorted N-Quads: the same sources always give the same bytes."""
    text = ds.serialize(format="nquads", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")
