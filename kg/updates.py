"""Changes to the store: worked out before they are made, checked, then committed as a new version.

An update (SPARQL 1.1 Update, or a graph-store request) is evaluated over an overlay of the current
store version, which yields exactly the quads it adds and removes. The change is refused if it
touches a curated graph or breaks the shapes on the nodes it touches; otherwise it is applied to a
copy of the version, which is then published by swapping the store link. Versions are never written
once published, so readers may keep any of them open read-only while the next one is made.
"""
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.update import evalUpdate

from kg import shapecheck, store
from kg.dataset import is_curated
from kg.overlay import DEFAULT, OverlayStore, OxigraphReader, graph_to_ox, to_ox

# USING <g> then takes graph g of the store as the default graph; nothing is fetched from the network.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class UpdateRefused(Exception):
    """An update that is not made: `status` is the HTTP status, messages in zh and en, and any violations."""

    def __init__(self, status: int, zh: str, en: str, violations=()):
        super().__init__(en)
        self.status, self.zh, self.en, self.violations = status, zh, en, list(violations)


@dataclass
class Change:
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)
    # For a graph-store request: "put", "post" or "delete", the graph and the triples sent, so that a
    # remote store can take the same request (blank nodes and all) instead of a SPARQL Update.
    graph_request: tuple | None = None

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed


def _parse(text: str, base_iri: str | None):
    try:
        return translateUpdate(parseUpdate(text), base=base_iri)
    except ParseException as exc:
        raise UpdateRefused(400, f"SPARQL Update 语法错误：{exc}", f"SPARQL Update syntax error: {exc}") from None


def _apply_protocol_dataset(update, using: list[str], using_named: list[str]) -> None:
    """using-graph-uri / using-named-graph-uri act as USING clauses; with USING or WITH in the text they clash."""
    if not using and not using_named:
        return
    for op in update.algebra:
        if op.name != "Modify":
            continue
        if op.using or op.withClause:
            raise UpdateRefused(400, "请求参数中的数据集与更新中的 USING/WITH 冲突",
                                "the request's using-graph-uri/using-named-graph-uri clash with USING/WITH in the update")
        op.using = [CompValue("UsingClause", default=URIRef(g)) for g in using] + \
                   [CompValue("UsingClause", named=URIRef(g)) for g in using_named]


NO_GRAPH = URIRef("urn:x-gongzhi:no-graph")  # names no graph: USING it makes an empty default graph


def _hidden_graphs(op):
    """Which graphs an operation must not see as named graphs.

    CLEAR/DROP ALL and NAMED mean the graphs that can be changed (naming a curated graph is refused
    later); USING NAMED limits the named graphs of the WHERE clause to those it lists.
    """
    if op.name in ("Clear", "Drop") and op.graphiri in ("ALL", "NAMED"):
        return is_curated
    if op.name == "Modify" and op.using:
        named = {u.named for u in op.using if u.named is not None}
        if not any(u.default is not None for u in op.using):
            op.using.append(CompValue("UsingClause", default=NO_GRAPH))  # USING NAMED alone: empty default graph
        return lambda graph_id: graph_id not in named
    return lambda graph_id: False


@dataclass
class _One:
    """One operation of an update, in the shape rdflib's evalUpdate takes."""

    op: CompValue

    @property
    def algebra(self) -> list:
        return [self.op]


def evaluate(base, text: str, base_iri: str | None = None, using=(), using_named=()) -> Change:
    """The quads the update would add and remove on `base`, without changing it."""
    update = _parse(text, base_iri)
    if any(op.name == "Load" for op in update.algebra):
        raise UpdateRefused(403, "不支持 LOAD：请用图存储协议上传数据", "LOAD is not supported: upload data with the graph store protocol")
    _apply_protocol_dataset(update, list(using), list(using_named))
    overlay = OverlayStore(base)
    dataset = Dataset(store=overlay, default_union=True)
    for op in update.algebra:
        overlay.hidden = _hidden_graphs(op)
        try:
            evalUpdate(dataset, _One(op))
        except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions for failed operations
            raise UpdateRefused(400, f"更新无法执行：{exc}", f"the update cannot be carried out: {exc}") from None
    added, removed = overlay.diff()
    return Change(added, removed)


def replace_graph(base, graph_id, triples: Graph | None) -> Change:
    """A graph-store PUT (or DELETE, with no triples): the graph holds exactly these triples afterwards."""
    overlay = OverlayStore(base)
    old = set(overlay.base_quads(None, None, None, graph_id))
    new = {(s, p, o, graph_id) for s, p, o in triples} if triples is not None else set()
    return Change(new - old, old - new, ("put" if triples is not None else "delete", graph_id, triples))


def add_to_graph(base, graph_id, triples: Graph) -> Change:
    """A graph-store POST: the triples are merged into the graph."""
    overlay = OverlayStore(base)
    old = set(overlay.base_quads(None, None, None, graph_id))
    return Change({(s, p, o, graph_id) for s, p, o in triples} - old, set(), ("post", graph_id, triples))


def _guard_curated(change: Change) -> None:
    touched = sorted({str(q[3]) for q in change.added | change.removed if q[3] != DEFAULT and is_curated(q[3])})
    if touched:
        raise UpdateRefused(403, "整理过的图只能通过其源文件修改：" + ", ".join(touched),
                            "curated graphs change only through their source files: " + ", ".join(touched))


def _neighbourhood(base, change: Change) -> tuple[Graph, set]:
    """The graph to validate: touched nodes, the nodes pointing at them, their descriptions after the change.

    A node is touched when its own description (its outgoing triples) changes; the shapes have no
    inverse paths, so a node that only gains or loses an incoming link is not. The nodes pointing at a
    touched node are checked too: their sh:class and range rules read the touched node's types.
    """
    touched = {q[0] for q in change.added | change.removed}
    overlay = OverlayStore(base)
    overlay.added, overlay.removed = set(change.added), set(change.removed)
    focus = set(touched)
    for node in touched:
        focus |= {q[0] for q in overlay.quads(None, None, node, None)}
    data = Graph()
    described = set()
    frontier = set(focus)
    for _ in range(2):  # the nodes, and one more step for their evidence and the types of what they point at
        nxt = set()
        for node in frontier - described:
            for s, p, o, _ in overlay.quads(node, None, None, None):
                data.add((s, p, o))
                if not isinstance(o, Literal):
                    nxt.add(o)
            described.add(node)
        frontier = nxt
    for node in frontier - described:
        for s, p, o, _ in overlay.quads(node, RDF.type, None, None):
            data.add((s, p, o))
    return data, {n for n in focus if isinstance(n, URIRef)}


def check_shapes(base, change: Change) -> list:
    """SHACL on the touched nodes and those pointing at them, in the state after the change."""
    data, focus = _neighbourhood(base, change)
    if not focus:
        return []
    return shapecheck.check_nodes(data, focus)


class Backend(Protocol):
    """Where changes are worked out and committed: `EmbeddedBackend`, or kg.remote.RemoteBackend."""

    def session(self):
        """A context that holds the writer lock and yields a reader of the current state."""

    def commit(self, reader, change: Change) -> None:
        """Make the change, all of it or nothing."""


class EmbeddedBackend:
    """The embedded store: read the current version, commit by publishing a changed copy of it."""

    def __init__(self, link: Path):
        self.link = Path(link)

    @contextmanager
    def session(self):
        with store.writer_lock(self.link):
            yield OxigraphReader(ox.Store.read_only(os.path.realpath(self.link)))

    def commit(self, reader: OxigraphReader, change: Change) -> None:
        def fill(target: ox.Store) -> None:
            for s, p, o, g in change.removed:
                target.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_to_ox(g)))
            target.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_to_ox(g)) for s, p, o, g in change.added)

        store.new_version(self.link, fill, reader.store)


def apply(backend: Backend, make_change) -> Change:
    """Under the writer lock: compute the change on the current state, check it, commit it."""
    with backend.session() as reader:
        change = make_change(reader)
        if change.empty:
            return change
        _guard_curated(change)
        violations = check_shapes(reader, change)
        if violations:
            raise UpdateRefused(422, "更新违反了数据形状约束，未作任何修改", "the update breaks the shapes; nothing was changed",
                                violations)
        backend.commit(reader, change)
        return change
