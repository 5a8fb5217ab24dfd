"""The analyst query catalogue: documented headers, live answers equal the reviewed expected results."""
import re

import pyoxigraph as ox
import pytest
from SPARQLWrapper import POST, TSV, TURTLE, SPARQLWrapper

from kg import catalogue, dataset

from .conftest import FIXTURES, answer_difference

QUERIES = catalogue.catalogue()
ANALYST = [q for q in QUERIES if not q.is_violation]
VIOLATIONS = [q for q in QUERIES if q.is_violation]


def _ask(server, query) -> tuple[list[str], list[tuple]]:
    """Run a catalogue query over HTTP with SPARQLWrapper; parse the TSV (or N-Triples) it returns."""
    client = SPARQLWrapper(f"{server}/sparql")
    client.setMethod(POST)
    client.setQuery(query.text)
    # SPARQLWrapper guesses the form from keywords and is misled by words in comments ("remove").
    client.queryType = query.form
    if query.is_graph:
        client.setReturnFormat(TURTLE)
        triples = ox.parse(client.query().convert(), format=ox.RdfFormat.TURTLE)
        body = catalogue.sorted_ntriples(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        return ["triple"], [(line,) for line in body.decode("utf-8").splitlines()]
    client.setReturnFormat(TSV)
    body = client.query().convert()
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    return [v.value for v in parsed.variables], catalogue.rows(parsed)


def test_the_catalogue_has_at_least_twenty_analyst_queries():
    assert len(ANALYST) >= 20 and len(VIOLATIONS) >= 5


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_header_is_bilingual_and_documents_every_column(query, built):
    assert set(query.title) == {"zh", "en"} and set(query.question) == {"zh", "en"}
    assert re.search(r"[\u4e00-\u9fff]", query.title["zh"]) and re.search(r"[\u4e00-\u9fff]", query.question["zh"])
    results = ox.Store.read_only(str(built.store)).query(query.text, use_default_graph_as_union=True)
    if isinstance(results, ox.QuerySolutions):
        assert [v.value for v in results.variables] == list(query.columns)
    else:
        assert not query.columns


@pytest.fixture(scope="module", params=["embedded", "virtuoso"])
def service(request):
    """The service on its embedded store, and in remote-store mode over Virtuoso."""
    return request.getfixturevalue("server" if request.param == "embedded" else "virtuoso_server")


@pytest.mark.parametrize("query", [q for q in ANALYST if q.expected_path.exists()], ids=lambda q: q.name)
def test_live_answer_equals_expected(query, service):
    variables, actual = _ask(service, query)
    expected_variables, expected = catalogue.read_expected(query)
    assert variables == expected_variables
    assert actual, "an analyst query should answer something on the real graph"
    assert catalogue.same_answer(query, expected, actual), answer_difference(expected, actual)


def test_every_select_query_has_an_expected_result():
    missing = [q.name for q in ANALYST if not q.expected_path.exists()]
    assert missing == []


@pytest.mark.parametrize("query", VIOLATIONS, ids=lambda q: q.name)
def test_violation_query_finds_nothing_on_the_real_graph(query, service):
    _, rows = _ask(service, query)
    assert rows == []


@pytest.mark.parametrize("query", VIOLATIONS, ids=lambda q: q.name)
def test_violation_query_finds_its_fixture(query):
    """Each violation query finds the broken data of tests/fixtures/violation/<name>.trig added to the cases.

    The fixtures are TriG because the case-file reader already refuses some of these faults (an unknown key).
    """
    data = dataset.canonical_nquads(dataset.assemble(dataset.load_sources()))
    store = ox.Store()
    store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(FIXTURES / "violation" / f"{query.name}.trig"), format=ox.RdfFormat.TRIG)
    rows = catalogue.rows(store.query(query.text, use_default_graph_as_union=True))
    assert rows and all("fixture-" in (row[0] or "") for row in rows)
