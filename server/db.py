"""The store for a request: queries go to killable child processes (a pool per process), or a remote store."""
import hashlib
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from kg import updates
from kg.answercache import AnswerCache
from kg.executor import Answer, ExecutorPool, QueryEngine, QueryRequest, RemoteExecutor
from kg.federation import Policy
from kg.store import current_version

QUERIES = Path(__file__).parent / "queries"
TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"

_local = threading.local()
_pools: dict[str, ExecutorPool] = {}
_pools_lock = threading.Lock()
_caches: dict[int, AnswerCache] = {}  # one per process, by its size


def get_executor() -> QueryEngine:
    """The engine for this request: the process's pool of killable children over the embedded store,
    or this thread's client of the remote store."""
    remote = current_app.config.get("REMOTE_QUERY_URL")
    if not remote:
        link = str(current_app.config["STORE"])
        pool = _pools.get(link)
        if pool is None:
            with _pools_lock:
                pool = _pools.setdefault(link, ExecutorPool(link, int(current_app.config["QUERY_SLOTS"])))
        return pool
    executor = getattr(_local, "executor", None)
    if executor is None or executor.link != remote:
        executor = _local.executor = RemoteExecutor(_remote_store(), current_app.config["REMOTE_DEFAULT_GRAPH"])
    return executor


def answer(req: QueryRequest, timeout: float, fresh: bool = False) -> tuple[Answer, str]:
    """The answer and where it came from: "hit" (kept for this store version), "miss", or "off" (remote
    store, cache disabled, or a query that is not repeatable). `fresh` skips the kept answer."""
    size = int(current_app.config["ANSWER_CACHE_MB"]) << 20
    if current_app.config.get("REMOTE_QUERY_URL") or not size or not AnswerCache.wanted(req):
        return get_executor().run(req, timeout), "off"
    cache = _caches.setdefault(size, AnswerCache(size))
    if not fresh:
        kept = cache.get(current_version(current_app.config["STORE"]), req)
        if kept is not None:
            return kept, "hit"
    found = get_executor().run(req, timeout)
    cache.put(found.version, req, found)
    return found, "miss"


def _remote_store():
    from kg.remote import RemoteStore  # noqa: PLC0415 - only remote mode needs it

    config = current_app.config
    return RemoteStore(config["REMOTE_QUERY_URL"], config.get("REMOTE_UPDATE_URL") or None,
                       config.get("REMOTE_GSP_URL") or None)


def get_backend():
    """Where changes are computed and committed: the embedded store's versions, or the remote store."""
    config = current_app.config
    if not config.get("REMOTE_QUERY_URL"):
        return updates.EmbeddedBackend(Path(config["STORE"]))
    from kg.remote import RemoteBackend  # noqa: PLC0415 - only remote mode needs it

    key = hashlib.sha1(config["REMOTE_QUERY_URL"].encode()).hexdigest()[:12]
    return RemoteBackend(_remote_store(), config["REMOTE_DEFAULT_GRAPH"], Path(tempfile.gettempdir()) / f"gongzhi-{key}.lock")


def init_app(app: Flask) -> None:
    """Nothing to open at start: each thread starts its executor on its first query."""


def select_rows(query_file: str, timeout: float = 10.0) -> list[tuple]:
    """Run one of the service's own queries (server/queries/) and return its rows."""
    from kg.catalogue import rows  # noqa: PLC0415 - only the service's own queries need it

    text = (QUERIES / query_file).read_text(encoding="utf-8")
    answer = get_executor().run(QueryRequest(text, results_format=TSV), timeout)
    return rows(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV))


def construct_triples(query_file: str, timeout: float = 10.0) -> list[ox.Triple]:
    """Run one of the service's own CONSTRUCT queries (server/queries/) and return its triples."""
    text = (QUERIES / query_file).read_text(encoding="utf-8")
    answer = get_executor().run(QueryRequest(text, graph_format=N_TRIPLES), timeout)
    return [quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]


def federation_policy() -> Policy:
    """SERVICE policy from the configuration: allowed endpoint prefixes, and whether private addresses are."""
    return Policy.from_config(current_app.config.get("SERVICE_ALLOW"), current_app.config.get("SERVICE_ALLOW_PRIVATE"))
