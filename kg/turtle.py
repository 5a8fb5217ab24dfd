"""Canonical Turtle for the ontology sources, so that a change to one term is a diff of a few lines."""
from pathlib import Path

from rdflib import BNode, Graph, plugin
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.serializer import Serializer

from kg import paths

SOURCES = (*paths.ONTOLOGY_SOURCES, paths.SHAPES)
FORMAT = "gongzhi-turtle"


class CanonicalTurtle(LongTurtleSerializer):
    """rdflib's longturtle with the named subjects in IRI order only.

    longturtle orders subjects by how often they are referenced first, so adding a subclass moved its
    parent elsewhere in the file; here a change to one term is a diff of that term's lines.
    """

    def orderSubjects(self):
        named = sorted(s for s in self._subjects if not isinstance(s, BNode))
        blank = sorted((self._references[s], s) for s in self._subjects if isinstance(s, BNode))
        return named + [s for _, s in blank]


plugin.register(FORMAT, Serializer, __name__, "CanonicalTurtle")


def canonical(path: Path) -> str:
    """The file in canonical form: subjects and predicates sorted, one per line."""
    return serialize(Graph().parse(path, format="turtle"))


def serialize(parsed: Graph) -> str:
    """A graph in the canonical form of the sources, with the prefixes bound in it."""
    # Blank nodes get content-derived labels first, so their order does not change between runs.
    g = Graph()
    for prefix, ns in parsed.namespaces():
        g.bind(prefix, ns, override=True)
    g += to_canonical_graph(parsed)
    return g.serialize(format=FORMAT)


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
