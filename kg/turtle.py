"""Canonical Turtle for the ontology sources, so that a change to one term is a diff of a few lines."""
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg import paths

SOURCES = (*paths.ONTOLOGY_SOURCES, paths.SHAPES)


def canonical(path: Path) -> str:
    """The file as rdflib's longturtle writes it: subjects and predicates sorted, one per line."""
    return serialize(Graph().parse(path, format="turtle"))


def serialize(parsed: Graph) -> str:
    """A graph in the canonical form of the sources, with the prefixes bound in it."""
    # Blank nodes get content-derived labels first, so their order does not change between runs.
    g = Graph()
    for prefix, ns in parsed.namespaces():
        g.bind(prefix, ns, override=True)
    g += to_canonical_graph(parsed)
    return g.serialize(format="longturtle")


def stale() -> list[Path]:
    return [p for p in SOURCES if p.read_text(encoding="utf-8") != canonical(p)]


def rewrite() -> list[Path]:
    changed = []
    for path in SOURCES:
        text = canonical(path)
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
