"""The store for a request: queries go to a killable child process, one per serving thread."""
import hashlib
import os
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from kg import updates
from kg.answercache import AnswerCache
from kg.executor import Answer, Executor, QueryEngine, QueryRequest, RemoteExecutor
from kg.federation import Policy

QUERIES = Path(__file__).parent / "queries"
TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"

_local = threading.local()
_caches: dict[int, AnswerCache] = {}  # one per process, by its size


def get_executor() -> QueryEngine:
    """This thread's executor: the embedded store's killable child, or the remote store's client."""
    remote = current_app.config.get("REMOTE_QUERY_URL")
    link = remote or str(current_app.config["STORE"])
    executor = getattr(_local, "executor", None)
    if executor is None or executor.link != link:
        if executor is not None:
            executor.kill()
        if remote:
            executor = RemoteExecutor(_remote_store(), current_app.config["REMOTE_DEFAULT_GRAPH"])
        else:
            executor = Executor(link)
        _local.executor = executor
    return executor


def answer(req: QueryRequest, timeout: float, fresh: bool = False) -> tuple[Answer, str]:
    """The answer and where it came from: "hit" (kept for this store version), "miss", or "off" (remote
    store, cache disabled, or a query that is not repeatable). `fresh` skips the kept answer."""
    size = int(current_app.config["ANSWER_CACHE_MB"]) << 20
    if current_app.config.get("REMOTE_QUERY_URL") or not size or not AnswerCache.wanted(req):
        return get_executor().run(req, timeout), "off"
    cache = _caches.setdefault(size, AnswerCache(size))
    if not fresh:
        kept = cache.get(os.path.realpath(current_app.config["STORE"]), req)
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
