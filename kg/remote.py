"""A remote SPARQL 1.1 store over HTTP (tested with OpenLink Virtuoso): the client the service reads and writes it with.

Queries go to the SPARQL 1.1 Protocol endpoint, updates to the Update endpoint, whole graphs to the
Graph Store HTTP Protocol endpoint (or, without one, to the equivalent SPARQL operations). Results
come back as pyoxigraph objects, so the service serialises and negotiates them as for the embedded
store:

- SELECT and ASK: the remote's SPARQL JSON results, parsed by `pyoxigraph.parse_query_results`
  (`QuerySolutions` or `QueryBoolean`: `.variables`, iteration, `.serialize(format=...)`).
- CONSTRUCT and DESCRIBE: the remote's N-Triples, parsed by `pyoxigraph.parse` and handed back as a
  genuine `pyoxigraph.QueryTriples` (the triples are put in a small in-memory store and read back
  with `CONSTRUCT WHERE { ?s ?p ?o }`), so `isinstance(results, QueryTriples)` holds and
  `.serialize(format=RdfFormat...)` and iteration over `Triple`s work as with the embedded store.

The default graph. The project's model is Oxigraph's `use_default_graph_as_union`: a query that
names no dataset sees the union of the named graphs, and `GRAPH ?g` ranges over those graphs.
Stores differ here, hence `union`:

- `union="native"` (the default, and the one to use with Virtuoso): a query that names no dataset
  is sent as it is, and the store's default graph must be the union of its graphs. Virtuoso's is
  (verified with 7.2.5: with no FROM and no default-graph-uri every graph is seen), but "its
  graphs" include its own system graphs (`virtrdf#`, about 2,500 triples of RDF-view metadata, and
  a few more: `SYSTEM_GRAPHS`). scripts/virtuoso.sh therefore makes those graphs private to the
  anonymous SPARQL user, and the union is then exactly the data (6,996 quads here).
- `union="explicit"`: for a store whose default graph is a graph of its own (Fuseki without
  unionDefaultGraph, ...): a query that names no dataset is sent with the dataset spelt out, every
  graph of `graph_names()` as both `default-graph-uri` and `named-graph-uri`. Plain SPARQL 1.1
  Protocol, the embedded store's semantics exactly, at the cost of one small query for the graph
  names (cached `graph_cache_seconds`, dropped on every write through this object). Not for
  Virtuoso 7.2.5: restricting its dataset makes it answer wrongly (queries with `p*` paths such
  as actors-by-case and places answer nothing, a GROUP BY ?g over a UNION drops graphs), where the
  unrestricted query is right.

A query with its own FROM / FROM NAMED is sent as it is in both modes. A dataset given in the call
follows pyoxigraph's `Store.query`: a default graph only leaves all the named graphs to GRAPH, named
graphs only give an empty default graph.

Errors: a query or update the remote cannot compile (Virtuoso answers 400 with SQL state 37000:
syntax errors, undefined prefixes, and also built-ins it does not implement, e.g. BNODE()) raises
`SyntaxError` with the remote's message, which the service turns into a 400. Anything else raises
`RemoteStoreError` with the HTTP status and the remote's message; connection failures and time-outs
raise `RemoteStoreError` too.
"""
from __future__ import annotations

import html
import json
import re
import time
from contextlib import contextmanager
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import BNode, Graph, URIRef

from kg.overlay import DEFAULT
from kg.querytext import has_dataset_clause, query_form

# Graphs a fresh Virtuoso 7.2 database holds for itself, not data: left out of graph_names() and
# len() even where the server was not set up to hide them (scripts/virtuoso.sh does).
SYSTEM_GRAPHS = frozenset({
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
})

SPARQL_JSON = "application/sparql-results+json"
NO_GRAPH = "urn:x-gongzhi:no-graph"  # names an empty graph where a dataset must have none
N_TRIPLES = "application/n-triples"

class RemoteStoreError(RuntimeError):
    """The remote store failed or refused a request (other than a syntax error)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message if status is None else f"HTTP {status}: {message}")
        self.status = status


class RemoteTimeout(RemoteStoreError):
    """The store did not answer within the time allowed, or answered only in part (Virtuoso's anytime queries)."""


def remote_message(response: requests.Response) -> str:
    """The remote's error message as plain text (Virtuoso sends text, or HTML with the message in <xmp>)."""
    text = response.text or ""
    xmp = re.search(r"<xmp>([\s\S]*?)</xmp>", text)
    if xmp:
        text = html.unescape(xmp.group(1))
    elif "<html" in text[:500].lower():
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    # Virtuoso echoes the whole query after the message; the message is enough.
    text = text.split("\nSPARQL query:", 1)[0]
    return re.sub(r"\s+\n", "\n", text).strip() or response.reason or "no message"


def _graph_iri(graph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)


def _valid_bnode_labels(results: bytes) -> bytes:
    """SPARQL JSON results whose blank nodes pyoxigraph can read: Virtuoso labels them "nodeID://b10001",
    not a blank node label; each label becomes its hex spelling, so distinct labels stay distinct."""
    if b'"bnode"' not in results:
        return results
    data = json.loads(results)
    for cell in (c for row in data.get("results", {}).get("bindings", []) for c in row.values()):
        if cell.get("type") == "bnode":
            cell["value"] = "b" + cell["value"].encode().hex()
    return json.dumps(data).encode()


def _triples_result(triples: list) -> ox.QueryTriples:
    """A genuine pyoxigraph QueryTriples over the given triples."""
    mem = ox.Store()
    mem.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return mem.query("CONSTRUCT WHERE { ?s ?p ?o }")


LOAD_TRIPLES_PER_S = 1000  # the slowest rate load_dataset waits for before it calls a graph's PUT failed
# Triples per write: one Graph Store PUT of 340k triples left a fresh Virtuoso 7.2 waiting on its own locks
# (no CPU, no answer, "Locks are held for a long time"), while the same triples in 50k parts loaded.
LOAD_CHUNK_TRIPLES = 50_000


class RemoteStore:
    """A SPARQL 1.1 store over HTTP: query, update and graph-store operations."""

    def __init__(self, query_url: str, update_url: str | None = None, graph_store_url: str | None = None, *,
                 union: str = "native", hidden_graphs=SYSTEM_GRAPHS, timeout: float = 60.0,
                 graph_cache_seconds: float = 5.0, session: requests.Session | None = None):
        if union not in ("explicit", "native"):
            raise ValueError("union must be 'native' or 'explicit'")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.union = union
        self.hidden_graphs = frozenset(hidden_graphs or ())
        self.timeout = timeout
        self.graph_cache_seconds = graph_cache_seconds
        self._session = session or requests.Session()
        self._graphs: tuple[float, list[str]] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, union={self.union!r})"

    # --- HTTP --------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, *, syntax_errors: bool = False, ok=(200,), timeout: float | None = None,
                 **kwargs) -> requests.Response:
        timeout = timeout or self.timeout
        try:
            response = self._session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout as exc:
            raise RemoteTimeout(f"{method} {url}: no answer within {timeout:g} s") from exc
        except requests.RequestException as exc:
            raise RemoteStoreError(f"{method} {url} failed: {exc}") from exc
        if "X-SQL-State" in response.headers:  # Virtuoso cut the query at its timeout and sent what it had
            raise RemoteTimeout(f"{method} {url}: the store stopped the query at its time limit")
        if response.status_code in ok:
            return response
        message = remote_message(response)
        # A query or update the store refuses with 400 is one it cannot compile (Virtuoso: SQL state
        # 37000, syntax errors, unknown prefixes, unimplemented built-ins); the service answers 400 too.
        if syntax_errors and response.status_code == 400:
            raise SyntaxError(message)
        raise RemoteStoreError(f"{method} {url}: {message}", response.status_code)

    def _sparql(self, sparql: str, accept: str, default_graph=None, named_graphs=None) -> requests.Response:
        # Virtuoso's own limit (milliseconds), so that the store stops when the service stops waiting.
        data = [("query", sparql), ("timeout", str(int(self.timeout * 1000)))]
        data += [("default-graph-uri", _graph_iri(g)) for g in default_graph or ()]
        data += [("named-graph-uri", _graph_iri(g)) for g in named_graphs or ()]
        return self._request("POST", self.query_url, data=data, headers={"Accept": accept}, syntax_errors=True)

    # --- the Store interface ----------------------------------------------------------------------

    def query(self, sparql: str, default_graph=None, named_graphs=None):
        """Run a query; with no dataset in the call nor in the query, the default graph is the union of the
        named graphs. `default_graph` is a graph or a list of graphs (NamedNode or IRI string)."""
        form = query_form(sparql)
        default_graph, named_graphs = self._dataset(sparql, default_graph, named_graphs)
        if form in ("CONSTRUCT", "DESCRIBE"):
            response = self._sparql(sparql, N_TRIPLES, default_graph, named_graphs)
            return _triples_result(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))
        response = self._sparql(sparql, SPARQL_JSON, default_graph, named_graphs)
        try:
            return ox.parse_query_results(_valid_bnode_labels(response.content), format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise RemoteStoreError(f"the store answered no SPARQL JSON results ({exc}): {response.text[:300]}") from None

    def _dataset(self, sparql: str, default_graph, named_graphs):
        """The dataset to send, with the embedded store's semantics (pyoxigraph `Store.query`):
        nothing given: the union of the named graphs as default graph, and all of them as named graphs;
        only a default graph given: all the named graphs stay available to GRAPH;
        only named graphs given: the default graph is the store's own, empty one here."""
        if isinstance(default_graph, (str, ox.NamedNode)):
            default_graph = [default_graph]
        if isinstance(named_graphs, (str, ox.NamedNode)):
            named_graphs = [named_graphs]
        if default_graph is None and named_graphs is None:
            if self.union == "native" or has_dataset_clause(sparql):
                return None, None
            graphs = self.graph_names()
            default_graph, named_graphs = graphs, graphs
        elif named_graphs is None:
            named_graphs = self.graph_names()
        elif default_graph is None:
            default_graph = []
        # An empty list would send no parameter at all, and the store's own choice would apply: name a
        # graph that does not exist instead.
        return list(default_graph) or [NO_GRAPH], list(named_graphs) or [NO_GRAPH]

    def graph_names(self) -> list[str]:
        """The named graphs holding at least one triple, as sorted IRIs (the store's system graphs excluded)."""
        now = time.monotonic()
        if self._graphs is not None and now - self._graphs[0] < self.graph_cache_seconds:
            return list(self._graphs[1])
        # GROUP BY, not DISTINCT: the same answer, but Virtuoso 7.2 takes 2 s over DISTINCT ?g, ms over this.
        response = self._sparql("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", SPARQL_JSON)
        results = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        names = sorted({s["g"].value for s in results if isinstance(s["g"], ox.NamedNode)} - self.hidden_graphs)
        self._graphs = (now, names)
        return list(names)

    def __len__(self) -> int:
        """The number of quads in the named graphs (the store's system graphs excluded)."""
        hidden = ", ".join(f"<{g}>" for g in sorted(self.hidden_graphs))
        where = f"GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({hidden}))" if hidden else "GRAPH ?g { ?s ?p ?o }"
        response = self._sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", SPARQL_JSON)
        row = next(iter(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)))
        return int(row["n"].value)

    # --- update -----------------------------------------------------------------------------------

    def update(self, sparql: str, timeout: float | None = None) -> None:
        """Run a SPARQL 1.1 Update (waiting `timeout` seconds, else the store's usual time)."""
        self._graphs = None
        self._request("POST", self.update_url, data={"update": sparql}, syntax_errors=True,
                      headers={"Accept": f"{SPARQL_JSON}, */*;q=0.1"}, ok=(200, 201, 204), timeout=timeout)

    # --- Graph Store Protocol ---------------------------------------------------------------------

    def _gsp(self, method: str, iri: str, ok, **kwargs) -> requests.Response:
        return self._request(method, self.graph_store_url, params={"graph": iri}, ok=ok, **kwargs)

    def get_graph(self, iri: str | None) -> bytes:
        """The graph as N-Triples; None is the default graph, that is the union of the named graphs.
        A graph the store does not have raises RemoteStoreError with status 404."""
        if iri is None and self.graph_store_url is not None:
            # Graph by graph: one CONSTRUCT over the union would be cut at the store's result-row limit
            # (Virtuoso's ResultSetMaxRows) without saying so.
            triples = {t for name in self.graph_names()
                       for t in ox.parse(self.get_graph(name), format=ox.RdfFormat.N_TRIPLES)}
            return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
        if iri is None or self.graph_store_url is None:
            where = "{ ?s ?p ?o }" if iri is None else f"{{ GRAPH <{_graph_iri(iri)}> {{ ?s ?p ?o }} }}"
            if iri is not None and _graph_iri(iri) not in self.graph_names():
                raise RemoteStoreError(f"no graph <{_graph_iri(iri)}>", 404)
            result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}")
            return result.serialize(format=ox.RdfFormat.N_TRIPLES)
        response = self._gsp("GET", _graph_iri(iri), ok=(200,), headers={"Accept": N_TRIPLES})
        # Re-serialise: the caller gets canonical N-Triples whatever the store's spacing and escapes.
        return ox.serialize(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)

    def put_graph(self, iri: str, ntriples: bytes, timeout: float | None = None) -> None:
        """Replace the graph with the given N-Triples (creating it if needed)."""
        self._write_graph("PUT", iri, ntriples, timeout)

    def post_graph(self, iri: str, ntriples: bytes, timeout: float | None = None) -> None:
        """Add the given N-Triples to the graph (creating it if needed)."""
        self._write_graph("POST", iri, ntriples, timeout)

    def _write_graph(self, method: str, iri: str, ntriples: bytes, timeout: float | None) -> None:
        iri = _graph_iri(iri)
        self._graphs = None
        if self.graph_store_url is None:
            drop = f"DROP SILENT GRAPH <{iri}> ;\n" if method == "PUT" else ""
            body = ntriples.decode("utf-8") if isinstance(ntriples, bytes) else ntriples
            self.update(f"{drop}INSERT DATA {{ GRAPH <{iri}> {{\n{body}\n}} }}", timeout)
            return
        if isinstance(ntriples, str):
            ntriples = ntriples.encode("utf-8")
        self._gsp(method, iri, ok=(200, 201, 204), data=ntriples, headers={"Content-Type": N_TRIPLES},
                  timeout=timeout)

    def delete_graph(self, iri: str) -> bool:
        """Delete the graph; True if it existed, False if the store had no such graph."""
        iri = _graph_iri(iri)
        self._graphs = None
        if self.graph_store_url is None:
            existed = iri in self.graph_names()
            self.update(f"DROP SILENT GRAPH <{iri}>")
            self._graphs = None
            return existed
        response = self._gsp("DELETE", iri, ok=(200, 204, 404))
        return response.status_code != 404

    # --- loading ----------------------------------------------------------------------------------

    def load_dataset(self, nquads_path: Path | str) -> dict[str, int]:
        """Replace, graph by graph, every named graph of an N-Quads file; return the triples per graph.

        Each graph goes in one Graph Store PUT (or DROP + INSERT DATA without a graph store endpoint):
        portable to any SPARQL 1.1 store, atomic per graph, and fast enough here (7,000 quads in
        under a second on Virtuoso). A graph of more than LOAD_CHUNK_TRIPLES goes in parts (a PUT,
        then POSTs; linked blank nodes stay in one part), so a reader may see it half loaded.
        Virtuoso's own bulk loader (ld_dir / DB.DBA.TTLP through isql) would need SQL access and a
        file in the server's DirsAllowed.
        Graphs of the store not in the file are left as they are. Because each graph is sent on its
        own, a blank node shared by two graphs cannot be kept and is refused, and so are quads in the
        default graph (the default graph here is the union of the named graphs).
        """
        graphs: dict[str, list] = defaultdict(list)
        bnode_graph: dict[str, str] = {}
        for quad in ox.parse(path=str(nquads_path), format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise ValueError(f"{nquads_path}: a quad in the default graph ({quad}); only named graphs can be loaded")
            graph = quad.graph_name.value
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.BlankNode) and bnode_graph.setdefault(term.value, graph) != graph:
                    raise ValueError(f"{nquads_path}: blank node _:{term.value} is in graphs <{bnode_graph[term.value]}> "
                                     f"and <{graph}>; graph-by-graph loading cannot keep it one node")
            graphs[graph].append(ox.Triple(quad.subject, quad.predicate, quad.object))
        for graph, triples in sorted(graphs.items()):
            # A large graph goes in parts: the first replaces the graph, the others add to it.
            for n, part in enumerate(_parts(triples, LOAD_CHUNK_TRIPLES)):
                write = self.put_graph if n == 0 else self.post_graph
                write(graph, ox.serialize(part, format=ox.RdfFormat.N_TRIPLES),
                      timeout=max(self.timeout, len(part) / LOAD_TRIPLES_PER_S))
        return {graph: len(triples) for graph, triples in sorted(graphs.items())}


def _parts(triples: list, size: int) -> list[list]:
    """The triples in parts of about `size`, all the triples of linked blank nodes in one part: a blank
    node names one node only within the request that sends it."""
    leader: dict[str, str] = {}

    def find(label: str) -> str:
        while leader.setdefault(label, label) != label:
            label = leader[label]
        return label

    for t in triples:
        ends = [term.value for term in (t.subject, t.object) if isinstance(term, ox.BlankNode)]
        if len(ends) == 2:
            leader[find(ends[0])] = find(ends[1])
    groups: dict = defaultdict(list)
    for t in triples:
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        groups[find(node.value) if isinstance(node, ox.BlankNode) else None].append(t)
    parts: list[list] = [[]]
    for key, group in groups.items():
        units = [[t] for t in group] if key is None else [group]  # triples without blank nodes go one by one
        for unit in units:
            if parts[-1] and len(parts[-1]) + len(unit) > size:
                parts.append([])
            parts[-1].extend(unit)
    return parts


class RemoteReader:
    """Quads of a remote store, in rdflib terms, read with rdflib's SPARQLStore (the overlay's base)."""

    def __init__(self, remote: RemoteStore, default_graph: str):
        from rdflib.plugins.stores.sparqlstore import SPARQLStore  # noqa: PLC0415 - only writes need it

        self.remote, self.default_graph = remote, URIRef(default_graph)
        self.sparql = SPARQLStore(remote.query_url, returnFormat="json")

    def _remote_id(self, graph_id):
        return self.default_graph if graph_id == DEFAULT else graph_id

    def quads(self, s, p, o, graph_id):
        if any(isinstance(t, BNode) for t in (s, p, o)):
            return  # a blank node's label means nothing to the remote store: it matches nothing there
        if graph_id is None:
            for name in self.graph_ids() | {DEFAULT}:
                yield from self.quads(s, p, o, name)
            return
        context = Graph(identifier=self._remote_id(graph_id))
        for (qs, qp, qo), _ in self.sparql.triples((s, p, o), context=context):
            yield (qs, qp, qo, graph_id)

    def graph_ids(self) -> set:
        return {URIRef(g) for g in self.remote.graph_names()} - {self.default_graph}


class RemoteBackend:
    """A remote store: read through SPARQL, commit the change as one SPARQL Update request.

    The store has no default graph of its own that can be written (Virtuoso's is the union of all),
    so the service's default graph is one named graph there, `default_graph`.
    """

    def __init__(self, remote: RemoteStore, default_graph: str, lock: Path):
        self.remote, self.default_graph, self.lock = remote, default_graph, lock

    @contextmanager
    def session(self):
        from kg.store import writer_lock  # noqa: PLC0415 - only writes need it

        with writer_lock(self.lock):
            yield RemoteReader(self.remote, self.default_graph)

    def commit(self, reader: RemoteReader, change) -> None:
        from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore  # noqa: PLC0415

        from kg.updates import UpdateRefused  # noqa: PLC0415

        if change.graph_request and self.remote.graph_store_url:
            self._graph_store(reader, *change.graph_request)
            return
        if any(isinstance(t, BNode) for q in change.added | change.removed for t in q[:3]):
            raise UpdateRefused(400, "远程存储不能写入空白节点，请使用IRI", "blank nodes cannot be written to the remote store; use IRIs")
        store = SPARQLUpdateStore(query_endpoint=self.remote.query_url, update_endpoint=self.remote.update_url,
                                  autocommit=False)
        for s, p, o, g in change.removed:
            store.remove((s, p, o), Graph(identifier=reader._remote_id(g)))
        for s, p, o, g in change.added:
            store.add((s, p, o), Graph(identifier=reader._remote_id(g)))
        try:
            store.commit()  # one request: the removals and the additions together
        except Exception as exc:  # noqa: BLE001 - urllib's errors, and the store's refusals
            raise RemoteStoreError(f"the remote store refused the change: {exc}") from exc

    def _graph_store(self, reader: RemoteReader, method: str, graph_id, triples) -> None:
        """The graph-store request, passed on to the remote store's own graph store."""
        iri = str(reader._remote_id(graph_id))
        if method == "delete":
            self.remote.delete_graph(iri)
            return
        data = triples.serialize(format="nt", encoding="utf-8")
        (self.remote.put_graph if method == "put" else self.remote.post_graph)(iri, data)
