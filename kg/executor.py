"""Queries run in a child process that can be killed: a hard timeout for an engine that cannot cancel.

pyoxigraph cannot interrupt a running query (a cross product under COUNT runs to the end), so the
service sends each query to a child process that holds the store open read-only, and kills that
child when the query outlives its time. The child also caps the rows it returns. A lookup of one subject
(querytext.is_bounded_lookup) cannot outlive it, and runs in the service's own process.
"""
import multiprocessing
import os
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.querytext import has_dataset_clause, is_bounded_lookup, is_repeatable
from kg.slots import NoSlot, QuerySlots, default_count
from kg.store import current_version


@dataclass(frozen=True)
class QueryRequest:
    """What the child needs: the query, its dataset, and the formats chosen for each kind of answer."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = None  # media type for SELECT/ASK, None if the client accepts none
    graph_format: str | None = None  # media type for CONSTRUCT/DESCRIBE
    max_rows: int = 100_000  # rows of a SELECT answer
    max_triples: int = 1_000_000  # triples of a CONSTRUCT or DESCRIBE answer (an export, as a whole)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint)
    bindings: tuple[tuple[str, str], ...] = ()  # (variable, IRI) pairs bound before the query runs


@dataclass(frozen=True)
class GraphNamesRequest:
    """Ask for the store's named graphs (the engine lists them without scanning the data)."""


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes
    rows: int
    version: str | None = None  # the store version that gave it (embedded store only)
    shared: int = 1  # the requests this one run answered (identical queries waiting in line together)


class QueryFailed(Exception):
    """The query could not be answered; `kind` says why (syntax, timeout, busy, rows, triples, not-acceptable,
    binding, store)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class QueryBusy(QueryFailed):
    """No query slot (kg.slots) came free within the query's time limit."""

    def __init__(self, slots: int, timeout: float):
        super().__init__("busy", str(slots))
        self.slots, self.timeout = slots, timeout


def _by_media_type(formats) -> dict:
    return {f.media_type.split(";")[0]: f for f in formats}


# The formats the service answers in, by media type (without parameters).
RESULT_FORMATS = _by_media_type((ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                                 ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV))
GRAPH_FORMATS = _by_media_type((ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD,
                                ox.RdfFormat.RDF_XML, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS))


class QueryEngine(Protocol):
    """The narrow interface through which the service reads a store: `Executor` for the embedded
    Oxigraph (a killable child process), `RemoteExecutor` for any SPARQL 1.1 store over HTTP."""

    link: str

    def run(self, req: QueryRequest, timeout: float) -> Answer:
        """Answer the query in the format the request chose, or raise QueryFailed."""

    def graph_names(self, timeout: float = 10.0) -> list[str]:
        """The store's named graphs."""

    def kill(self) -> None:
        """Stop whatever runs a query for this engine."""


class _TooLarge(Exception):
    """The answer passed its cap: `kind` is "rows" or "triples", `limit` the cap."""

    def __init__(self, kind: str, limit: int):
        super().__init__(kind, limit)
        self.kind, self.limit = kind, limit


def _too_large(exc: BaseException) -> _TooLarge | None:
    """The cap that stopped the serializer, which may come back wrapped in the engine's OSError."""
    for found in (exc, exc.__context__):
        if isinstance(found, _TooLarge):
            return found
    return None


class _LineCounter:
    """A binary sink that stops the serializer (and so the lazy evaluation) past a number of lines."""

    def __init__(self, cap: int, kind: str, header_lines: int = 0):
        self.cap, self.kind, self.limit = cap, kind, cap + header_lines
        self.lines, self.chunks = 0, []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _TooLarge(self.kind, self.cap)
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.chunks)


DEFAULT_GRAPH = "default"  # not an IRI: names the store's own default graph in a request


def _graphs(iris: tuple[str, ...]):
    return [ox.DefaultGraph() if i == DEFAULT_GRAPH else ox.NamedNode(i) for i in iris] or None


def _substitutions(bindings: tuple[tuple[str, str], ...]) -> dict:
    try:
        return {ox.Variable(name): ox.NamedNode(iri) for name, iri in bindings}
    except ValueError as exc:
        raise QueryFailed("binding", str(exc)) from None


def _answer(store: ox.Store, req: QueryRequest) -> Answer:
    substitutions = _substitutions(req.bindings)
    if req.default_graphs or req.named_graphs:
        # A dataset in the request: exactly that one (an empty list of the other kind means none).
        results = store.query(req.query, base_iri=req.base_iri, default_graph=_graphs(req.default_graphs) or [],
                              named_graphs=_graphs(req.named_graphs) or [], substitutions=substitutions)
    else:
        # No dataset in the request: the query's own FROM, else the union of all graphs.
        results = store.query(req.query, base_iri=req.base_iri, substitutions=substitutions,
                              use_default_graph_as_union=not has_dataset_clause(req.query))
    return serialize(results, req)


def serialize(results, req: QueryRequest) -> Answer:
    """The answer in the format chosen for its kind, with the row cap applied while it is written."""
    if isinstance(results, ox.QueryBoolean):
        if req.results_format is None:
            raise QueryFailed("not-acceptable", "ASK")
        return Answer(req.results_format, results.serialize(format=RESULT_FORMATS[req.results_format]), 1)
    if isinstance(results, ox.QuerySolutions):
        if req.results_format is None:
            raise QueryFailed("not-acceptable", "SELECT")
        # TSV first: one line per row, so the cap is checked while the engine produces them.
        sink = _LineCounter(req.max_rows, "rows", header_lines=1)
        results.serialize(sink, format=ox.QueryResultsFormat.TSV)
        tsv, rows = sink.value(), sink.lines - 1
        target = RESULT_FORMATS[req.results_format]
        if target == ox.QueryResultsFormat.TSV:
            return Answer(req.results_format, tsv, rows)
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return Answer(req.results_format, parsed.serialize(format=target), rows)
    if req.graph_format is None:
        raise QueryFailed("not-acceptable", "CONSTRUCT")
    sink = _LineCounter(req.max_triples, "triples")
    results.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
    nt, rows = sink.value(), sink.lines
    target = GRAPH_FORMATS[req.graph_format]
    if target == ox.RdfFormat.N_TRIPLES:
        return Answer(req.graph_format, nt, rows)
    return Answer(req.graph_format, ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), format=target), rows)


def _attempt(store: ox.Store, req, version: str) -> tuple[str, object]:
    """("ok", the answer) or (the kind of failure, its message): what a child sends back."""
    try:
        if isinstance(req, GraphNamesRequest):
            return "ok", sorted(g.value for g in store.named_graphs())
        return "ok", replace(_answer(store, req), version=version)
    except SyntaxError as exc:
        return "syntax", str(exc)
    except (_TooLarge, OSError) as exc:
        if cap := _too_large(exc):
            return cap.kind, str(cap.limit)
        return "store", str(exc)
    except QueryFailed as exc:
        return exc.kind, str(exc)
    except Exception as exc:  # noqa: BLE001 - a query must be answered, whatever the engine raised
        return "store", f"{type(exc).__name__}: {exc}"


class _CurrentVersion:
    """A read-only handle on the store version the link points at, opened again after a rebuild."""

    def __init__(self, link: str):
        self.link = link
        self._opened, self._store = None, None
        self._lock = threading.Lock()

    def open(self) -> tuple[ox.Store, str]:
        target = current_version(self.link)
        with self._lock:  # the store and its version as a pair: another thread may open a newer one
            if target != self._opened:
                self._store, self._opened = ox.Store.read_only(target), target
            return self._store, self._opened


def _child(conn, link: str) -> None:
    """The child's loop: answer queries on the store version the link points at."""
    current = _CurrentVersion(link)
    while True:
        try:
            req = conn.recv()
        except EOFError:
            return
        try:
            store, version = current.open()
        except Exception as exc:  # noqa: BLE001 - the child must answer, whatever the engine raised
            conn.send(("store", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(_attempt(store, req, version))


class Executor:
    """One killable child process; safe to share between threads (they take turns)."""

    def __init__(self, store_link: Path):
        self.link = str(store_link)
        self._ctx = multiprocessing.get_context("spawn")
        self._proc = None
        self._conn = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_child, args=(child, self.link), daemon=True, name="gongzhi-query")
        try:
            proc.start()
        except (OSError, RuntimeError) as exc:  # out of processes or memory: this query fails, not the executor
            parent.close()
            raise QueryFailed("store", f"the query process could not start: {exc}") from None
        finally:
            child.close()
        self._proc, self._conn = proc, parent

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._conn.close()
        self._proc = self._conn = None

    def graph_names(self, timeout: float = 10.0) -> list[str]:
        return self.run(GraphNamesRequest(), timeout)

    def run(self, req: QueryRequest, timeout: float) -> Answer:
        """Answer the query within `timeout` seconds, or kill the child and raise QueryFailed('timeout')."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self.kill()
                self._start()
            self._conn.send(req)
            if not self._conn.poll(timeout):
                self.kill()  # frees the CPU now; the next query starts a fresh child
                raise QueryFailed("timeout", f"{timeout:g}")
            try:
                status, payload = self._conn.recv()
            except (EOFError, OSError):
                self.kill()
                raise QueryFailed("store", "the query process ended unexpectedly") from None
        if status != "ok":
            raise QueryFailed(status, payload)
        return payload


@dataclass(eq=False)
class _Run:
    """One run of a query in line for a slot, shared by the identical requests that came while it waited:
    it starts after every one of them came, so its answer is as fresh for each as a run of its own."""

    deadlines: list[float]  # time.monotonic() by which each of its requests stops waiting; guarded by the pool
    started: bool = False
    result: Future = field(default_factory=Future)

    @property
    def deadline(self) -> float:
        """When the last of its requests stops waiting: the run waits for a slot until then."""
        return max(self.deadlines)


class ExecutorPool:
    """The killable children of one process, shared by its threads: a query takes an idle child, the
    most recently used first (its caches are warm), or starts one; so children outlive the threads
    that a server starts and stops, and there are never more than the queries running at once.
    A query runs only in one of the store's slots (kg.slots), shared with the other processes that serve
    it; the wait for one counts against the query's time limit. Identical repeatable queries that wait in
    line at the same time run once (_Run). A bounded lookup (one triple pattern about one subject) needs
    no slot and runs in this process."""

    def __init__(self, store_link: Path, slots: int | None = None):
        self.link = str(store_link)
        self.slots = QuerySlots(self.link, slots or default_count())
        self._idle: list[Executor] = []
        self._lock = threading.Lock()  # guards _idle, _line and the deadlines of the runs in it
        self._line: dict[object, _Run] = {}  # runs not yet started, by request
        self._here = _CurrentVersion(self.link)

    def _take(self) -> Executor:
        with self._lock:
            return self._idle.pop() if self._idle else Executor(self.link)

    def _give(self, executor: Executor) -> None:
        with self._lock:
            self._idle.append(executor)

    def run(self, req: QueryRequest, timeout: float) -> Answer:
        if isinstance(req, QueryRequest) and is_bounded_lookup(req.query):
            return self._run_here(req)
        deadline = time.monotonic() + timeout
        with self._lock:  # the clock read under the lock that the run's wait reads its deadline under
            run = self._line.get(req)
            if run is not None and run.deadline > time.monotonic():  # still waited for: its wait has not ended
                run.deadlines.append(deadline)
            else:
                run = _Run([deadline])
                if not isinstance(req, QueryRequest) or is_repeatable(req.query):
                    self._line[req] = run
                threading.Thread(target=self._fly, args=(req, run), daemon=True, name="gongzhi-run").start()
        try:
            return run.result.result(max(0.0, deadline - time.monotonic()))
        except (TimeoutError, NoSlot):
            if run.started:
                raise QueryFailed("timeout", f"{timeout:g}") from None
            raise QueryBusy(self.slots.count, timeout) from None

    def _until(self, run: _Run) -> float:
        with self._lock:
            return run.deadline

    def _fly(self, req, run: _Run) -> None:
        """Wait for a slot until the last request of the run stops waiting, then run it in a child."""
        try:
            with self.slots.slot(until=lambda: self._until(run)):
                with self._lock:
                    self._leave_line(req, run)  # from now on an identical request starts a run of its own
                    run.started = True
                    now = time.monotonic()
                    limit, waiting = run.deadline - now, sum(d > now for d in run.deadlines)
                executor = self._take()
                try:
                    found = executor.run(req, limit)
                finally:
                    self._give(executor)
            run.result.set_result(replace(found, shared=waiting) if isinstance(found, Answer) else found)
        except BaseException as exc:  # noqa: BLE001 - every request of the run gets what stopped it
            with self._lock:
                self._leave_line(req, run)
            run.result.set_exception(exc)

    def _leave_line(self, req, run: _Run) -> None:
        if self._line.get(req) is run:
            del self._line[req]

    def _run_here(self, req: QueryRequest) -> Answer:
        """A query that cannot run long, in this process: no killable child, no two process switches."""
        try:
            store, version = self._here.open()
        except Exception as exc:  # noqa: BLE001 - reported as the store's failure, as a child would
            raise QueryFailed("store", f"{type(exc).__name__}: {exc}") from None
        status, payload = _attempt(store, req, version)
        if status != "ok":
            raise QueryFailed(status, payload)
        return payload

    def graph_names(self, timeout: float = 10.0) -> list[str]:
        return self.run(GraphNamesRequest(), timeout)

    def kill(self) -> None:
        with self._lock:
            for executor in self._idle:
                executor.kill()
            self._idle.clear()


# The SPARQL 1.1 grammar's PN_CHARS_U and VARNAME, and the characters its IRIREF forbids.
_PN_CHARS_U = ("A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
               "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
VARNAME = re.compile(f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*")
NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri_term(iri: str) -> str:
    bad = NOT_IN_IRIREF.search(iri)
    if bad:
        raise QueryFailed("binding", f"an IRI cannot hold {bad.group()!r}: {iri!r}")
    try:
        return str(ox.NamedNode(iri))  # "<iri>"; a relative IRI is refused (the BASE sent first would resolve it)
    except ValueError as exc:
        raise QueryFailed("binding", f"not an absolute IRI: {iri!r} ({exc})") from None


def values_clause(bindings: tuple[tuple[str, str], ...]) -> str:
    """The bindings as a trailing SPARQL 1.1 VALUES clause, as rdflib's SPARQLStore sends initBindings to a
    remote endpoint: joined with the WHERE pattern before projection. Names and IRIs are checked against
    the grammar, so no value can change the query; a bad one raises QueryFailed('binding') and nothing is sent.
    Virtuoso 7.2 takes a trailing VALUES after SELECT only, and drops the join when the bound variable
    is used in a BIND or FILTER: a query bound here uses it in triple patterns only (describe-resource.rq)."""
    for name, _ in bindings:
        if not VARNAME.fullmatch(name):
            raise QueryFailed("binding", f"not a SPARQL variable name: {name!r}")
    names = " ".join(f"?{name}" for name, _ in bindings)
    terms = " ".join(_iri_term(iri) for _, iri in bindings)
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


class RemoteExecutor:
    """Queries on a remote SPARQL 1.1 store (kg.remote.RemoteStore): the same requests and answers.

    The remote store runs the query and is asked to stop at the timeout too; the service stops waiting
    at the timeout whatever the store does.
    """

    def __init__(self, remote, default_graph: str):
        self.remote = remote
        self.link = remote.query_url
        self.default_graph = default_graph  # the named graph that stands for the service's default graph

    def run(self, req: QueryRequest, timeout: float) -> Answer:
        from kg.remote import RemoteStoreError, RemoteTimeout  # noqa: PLC0415 - only remote mode needs them

        # The protocol has no base IRI parameter: a BASE declared first gives relative IRIs the endpoint
        # as base, and any BASE of the query's own, coming after it, still wins. The IRI is the service's
        # own endpoint, checked by pyoxigraph, not a value taken into a query.
        text = f"BASE {ox.NamedNode(req.base_iri)}\n{req.query}" if req.base_iri else req.query
        if req.bindings:
            text += values_clause(req.bindings)
        self.remote.timeout = timeout
        given = bool(req.default_graphs or req.named_graphs)
        default = [self.default_graph if g == DEFAULT_GRAPH else g for g in req.default_graphs]
        try:
            results = self.remote.query(text, default_graph=default if given else None,
                                        named_graphs=list(req.named_graphs) if given else None)
        except SyntaxError as exc:
            raise QueryFailed("syntax", str(exc)) from None
        except RemoteTimeout:
            raise QueryFailed("timeout", f"{timeout:g}") from None
        except RemoteStoreError as exc:
            raise QueryFailed("store", str(exc)) from None
        try:
            return serialize(results, req)
        except (_TooLarge, OSError) as exc:
            if cap := _too_large(exc):
                raise QueryFailed(cap.kind, str(cap.limit)) from None
            raise

    def graph_names(self, timeout: float = 10.0) -> list[str]:
        self.remote.timeout = timeout
        return self.remote.graph_names()

    def kill(self) -> None:
        """Nothing to kill here: the remote store stops the query at its own timeout."""
