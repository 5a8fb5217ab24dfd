"""Killable query execution: hard timeout, row cap, and the child keeps serving after a kill."""
import time

import pytest

from kg.executor import Executor, QueryFailed, QueryRequest

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


def test_graph_answers_are_capped_too(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="text/turtle", max_rows=10), 10)
    assert failed.value.kind == "rows"


def test_syntax_error_names_the_position(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("SELECT ?x WHERE { ?x }", results_format=JSON), 10)
    assert failed.value.kind == "syntax" and "1:" in str(failed.value)


def test_a_kind_of_answer_the_client_does_not_accept(executor):
    with pytest.raises(QueryFailed) as failed:
        executor.run(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", results_format=JSON), 10)
    assert failed.value.kind == "not-acceptable"
