"""An rdflib store that reads a pyoxigraph store and records writes instead of making them.

rdflib evaluates a SPARQL Update over it; what the update would add and remove is then known
exactly, before anything is committed, so it can be checked (SHACL, curated graphs) first.
"""
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, Graph
from rdflib.store import Store

DEFAULT = DATASET_DEFAULT_GRAPH_ID


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def graph_to_ox(graph_id):
    return ox.DefaultGraph() if graph_id is None or graph_id == DEFAULT else to_ox(graph_id)


def graph_from_ox(graph_name):
    return DEFAULT if isinstance(graph_name, ox.DefaultGraph) else from_ox(graph_name)


Quad = tuple  # (s, p, o, graph id) in rdflib terms


class OxigraphReader:
    """Quads of a pyoxigraph store version, in rdflib terms."""

    def __init__(self, store: ox.Store):
        self.store = store

    def quads(self, s, p, o, graph_id) -> Iterator[Quad]:
        pattern = [to_ox(t) if t is not None else None for t in (s, p, o)]
        graph = None if graph_id is None else graph_to_ox(graph_id)
        for q in self.store.quads_for_pattern(*pattern, graph):
            yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), graph_from_ox(q.graph_name))

    def graph_ids(self) -> set:
        return {graph_from_ox(g) for g in self.store.named_graphs()}


class OverlayStore(Store):
    """Reads `base` (a reader of a store, never written) with the recorded changes applied on top."""

    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.added: set[Quad] = set()
        self.removed: set[Quad] = set()
        self.graphs_added: set = set()
        self.graphs_removed: set = set()
        self.hidden = lambda graph_id: False  # graphs left out of "all graphs" (CLEAR ALL, DROP NAMED)

    def base_quads(self, s, p, o, graph_id) -> Iterator[Quad]:
        return self.base.quads(s, p, o, graph_id)

    def quads(self, s, p, o, graph_id) -> Iterator[Quad]:
        for quad in self.base_quads(s, p, o, graph_id):
            if quad not in self.removed:
                yield quad
        for quad in list(self.added):
            if all(want is None or want == have for want, have in zip((s, p, o, graph_id), quad)):
                yield quad

    @staticmethod
    def _graph_id(context):
        if context is None:
            return None
        return context.identifier if isinstance(context, Graph) else context

    def triples(self, triple_pattern, context=None):
        s, p, o = triple_pattern
        graph_id = self._graph_id(context)
        for quad in self.quads(s, p, o, graph_id):
            yield quad[:3], iter([Graph(store=self, identifier=quad[3])])

    def add(self, triple, context, quoted=False):
        quad = (*triple, self._graph_id(context) or DEFAULT)
        self.removed.discard(quad)
        self.added.add(quad)

    def remove(self, triple_pattern, context=None):
        for quad in list(self.quads(*triple_pattern, self._graph_id(context))):
            self.added.discard(quad)
            self.removed.add(quad)

    def contexts(self, triple=None):
        names = set(self.base.graph_ids()) | {q[3] for q in self.added}
        names |= self.graphs_added
        names -= self.graphs_removed - {q[3] for q in self.added}
        for name in sorted((n for n in names - {DEFAULT} if not self.hidden(n)), key=str):
            if triple is None or any(True for _ in self.quads(*triple, name)):
                yield Graph(store=self, identifier=name)

    def add_graph(self, graph):
        self.graphs_added.add(graph.identifier)
        self.graphs_removed.discard(graph.identifier)

    def remove_graph(self, graph):
        self.remove((None, None, None), graph)
        self.graphs_removed.add(graph.identifier)
        self.graphs_added.discard(graph.identifier)

    def __len__(self, context=None):
        return sum(1 for _ in self.quads(None, None, None, self._graph_id(context)))

    def diff(self) -> tuple[set[Quad], set[Quad]]:
        """What committing would add and remove, each checked against the base."""
        def in_base(quad) -> bool:
            return any(True for _ in self.base_quads(*quad))

        return {q for q in self.added if not in_base(q)}, {q for q in self.removed if in_base(q)}
