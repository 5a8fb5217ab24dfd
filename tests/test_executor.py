"""Killable query execution: hard timeout, row cap, and the child keeps serving after a kill."""
import threading
import time
from dataclasses import replace

import pyoxigraph as ox
import pytest

from bench.mix import MIX_DIR
from kg import store
from kg.executor import Executor, ExecutorPool, QueryBusy, QueryFailed, QueryRequest
from kg.slots import QuerySlots

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def executor(built):
    ex = Executor(built.nquads.parent / "store")
    yield ex
    ex.kill()


def test_answers_a_query(executor):
    answer = executor.run(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", results_format=JSON), 10)
    assert answer.media_type == JSON and b'"n"' in answer.body and answer.rows == 1


def test_runaway_query_is_killed_at_its_timeout_and_the_next_query_is_answered(executor):
    started = time.monotonic()
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest(RUNAWAY, results_format=JSON), 1.0)
    elapsed = time.monotonic() - started
    assert failed.value.kind == "timeout" and 1.0 <= elapsed < 2.0
    assert executor._proc is None  # the child that ran it is gone, and its CPU with it
    answer = executor.run(QueryRequest("ASK { ?s ?p ?o }", results_format=JSON), 10)
    assert b"true" in answer.body


def test_row_cap(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }", results_format="text/csv", max_rows=50), 10)
    assert failed.value.kind == "rows"
    answer = executor.run(QueryRequest("SELECT * WHERE { ?s ?p ?o } LIMIT 50", results_format="text/csv",
                                       max_rows=50), 10)
    assert answer.rows == 50


def test_graph_answers_have_their_own_cap_in_triples(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="text/turtle", max_triples=10), 10)
    assert failed.value.kind == "triples" and str(failed.value) == "10"
    answer = executor.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 20", graph_format="application/n-triples",
                                       max_rows=10, max_triples=20), 10)
    assert answer.rows == 20 == answer.body.count(b"\n")  # the row cap is not the graph's


def test_syntax_error_names_the_position(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("SELECT ?x WHERE { ?x }", results_format=JSON), 10)
    assert failed.value.kind == "syntax" and "1:" in str(failed.value)


def test_a_kind_of_answer_the_client_does_not_accept(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", results_format=JSON), 10)
    assert failed.value.kind == "not-acceptable"


LOOKUP = (MIX_DIR / "point-lookup.rq").read_text(encoding="utf-8")  # the lookup `make bench` measures


@pytest.fixture
def pool(built):
    pool = ExecutorPool(built.nquads.parent / "store")
    yield pool
    pool.kill()


def test_a_bounded_lookup_is_answered_in_the_process_as_a_child_would(pool, executor):
    req = QueryRequest(LOOKUP, results_format=JSON)
    found = pool.run(req, 10)
    assert pool._idle == []  # no child was started for it
    assert found.rows > 3 and found.body == executor.run(req, 10).body
    pool.run(QueryRequest("ASK { ?s ?p ?o }", results_format=JSON), 10)
    assert len(pool._idle) == 1  # anything else still goes to a killable child


def test_a_bounded_lookup_keeps_the_row_cap_and_reports_syntax_errors(pool):
    with pytest.raises(QueryFailed) as failed:
        pool.run(QueryRequest(LOOKUP, results_format=JSON, max_rows=2), 10)
    assert failed.value.kind == "rows"
    with pytest.raises(QueryFailed) as failed:
        pool.run(QueryRequest("SELECT ?o WHERE { undeclared:x ?p ?o }", results_format=JSON), 10)
    assert failed.value.kind == "syntax"


def test_a_bounded_lookup_reads_the_version_the_link_points_at(tmp_path):
    link = tmp_path / "store"
    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    first = store.new_version(link, lambda st: st.add(ox.Quad(s, p, ox.Literal("one"))))
    pool = ExecutorPool(link)
    req = QueryRequest("SELECT ?o WHERE { <http://e/s> ?p ?o }", results_format="text/tab-separated-values")
    assert pool.run(req, 10).body == b'?o\n"one"\n'
    second = store.new_version(link, lambda st: st.add(ox.Quad(s, p, ox.Literal("two"))), ox.Store.read_only(str(first)))
    found = pool.run(req, 10)
    assert found.version == str(second) and sorted(found.body.splitlines()[1:]) == [b'"one"', b'"two"']
    assert pool._idle == []


def test_a_child_that_cannot_start_fails_the_query_not_the_executor(built, monkeypatch):
    """Out of processes (EAGAIN from fork): that query gets a store error, and the next one is answered."""
    ex = Executor(built.nquads.parent / "store")

    def cannot_fork(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(ex._ctx.Process, "start", cannot_fork)
    with pytest.raises(QueryFailed) as failed:
        ex.run(QueryRequest("ASK { ?s ?p ?o }", results_format=JSON), 10)
    assert failed.value.kind == "store" and "could not start" in str(failed.value)
    assert ex._proc is None
    monkeypatch.undo()
    try:
        assert b"true" in ex.run(QueryRequest("ASK { ?s ?p ?o }", results_format=JSON), 10).body
    finally:
        ex.kill()


def _in_threads(pool, reqs: list[tuple[QueryRequest, float]], holding: QuerySlots) -> list:
    """Run each (request, timeout) in a thread while `holding` keeps the store's only slot; give it back
    once all of them stand in line. Each result is an Answer or the exception raised."""
    out: list = [None] * len(reqs)

    def one(i, req, timeout):
        try:
            out[i] = pool.run(req, timeout)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            out[i] = exc

    with holding.slot(1):
        threads = [threading.Thread(target=one, args=(i, *r)) for i, r in enumerate(reqs)]
        for t in threads:
            t.start()
            time.sleep(0.1)  # in line in this order
    for t in threads:
        t.join(30)
    return out


@pytest.fixture
def one_slot(built):
    """A pool whose store has one query slot, and a holder of that slot for _in_threads."""
    link = built.nquads.parent / "store"
    pool = ExecutorPool(link, 1)
    yield pool, QuerySlots(str(link), 1)
    pool.kill()


COUNT = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", results_format=JSON)


def test_identical_queries_waiting_in_line_together_run_once_each_with_its_own_time_limit(one_slot):
    pool, holding = one_slot
    other = replace(COUNT, results_format="text/csv")
    # The first gives up before the slot is free; the run goes on for the two that still wait.
    first, second, third, csv = _in_threads(pool, [(COUNT, 0.05), (COUNT, 10), (COUNT, 10), (other, 10)], holding)
    assert isinstance(first, QueryBusy) and first.timeout == 0.05
    assert second is third and b'"n"' in second.body  # one run answered both
    assert csv is not second and csv.media_type == "text/csv"  # another format is another query
    later = pool.run(COUNT, 10)
    assert later is not second and later.body == second.body  # a query that comes later runs again


def test_queries_that_may_answer_differently_each_time_are_not_shared(one_slot):
    pool, holding = one_slot
    uuid = QueryRequest("SELECT (STRUUID() AS ?id) WHERE {}", results_format=JSON)
    a, b = _in_threads(pool, [(uuid, 10), (uuid, 10)], holding)
    assert a is not b and a.body != b.body


def test_an_answer_says_how_many_requests_its_run_answered(one_slot):
    pool, holding = one_slot
    gave_up, *answers = _in_threads(pool, [(COUNT, 0.05)] + [(COUNT, 10)] * 3, holding)
    assert isinstance(gave_up, QueryBusy)
    assert [a.shared for a in answers] == [3, 3, 3]  # the one that gave up is not counted
    assert pool.run(COUNT, 10).shared == 1
