"""The read-only SPARQL endpoint, over HTTP against a live server process, with real clients."""
import json

import pytest
import requests
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.namespace import GRAPH, GZ

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CASES = "PREFIX gz: <https://w3id.org/gongzhi/ontology#> SELECT ?c WHERE { ?c a gz:Case } ORDER BY ?c"


def _count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_health(server):
    assert requests.get(f"{server}/health").json() == {"status": "ok"}


def test_get_post_form_and_post_direct_agree(server):
    get = requests.get(f"{server}/sparql", params={"query": COUNT})
    form = requests.post(f"{server}/sparql", data={"query": COUNT})
    direct = requests.post(f"{server}/sparql", data=COUNT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert get.headers["Content-Type"].startswith("application/sparql-results+json")
    assert _count(get) == _count(form) == _count(direct) > 5000


def test_query_without_dataset_sees_the_union_of_named_graphs(server):
    union = _count(requests.get(f"{server}/sparql", params={"query": COUNT}))
    one = _count(requests.get(f"{server}/sparql", params={"query": COUNT,
                                                         "default-graph-uri": str(GRAPH["case/general"])}))
    assert 0 < one < union


def test_named_graph_uri_limits_graph_patterns(server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(f"{server}/sparql", params={"query": query,
                                                       "named-graph-uri": str(GRAPH["case/southern-jiangsu"])})
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [str(GRAPH["case/southern-jiangsu"])]


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_result_formats_by_accept(server, accept, media):
    response = requests.get(f"{server}/sparql", params={"query": CASES}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    assert "case-chongqing-shangqingsi" in response.text


@pytest.mark.parametrize("fmt, media, parse_as", [
    ("turtle", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "json-ld"), ("rdfxml", "application/rdf+xml", "xml"),
])
def test_construct_formats_by_format_parameter(server, fmt, media, parse_as):
    query = "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t . FILTER(?t = <%s>) }" % GZ.Case
    response = requests.get(f"{server}/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    assert len(Graph().parse(data=response.text, format=parse_as)) == 2


def test_syntax_error_is_400_with_position(server):
    response = requests.get(f"{server}/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    body = response.json()
    assert "syntax error" in body["message"]["en"] and "1:" in body["message"]["en"] and body["message"]["zh"]


@pytest.mark.parametrize("kwargs, status", [
    ({"params": {}}, 400),
    ({"params": {"query": COUNT}, "headers": {"Accept": "image/png"}}, 406),
    ({"params": {"update": "CLEAR ALL"}}, 403),
])
def test_bad_get_requests(server, kwargs, status):
    response = requests.get(f"{server}/sparql", **kwargs)
    assert response.status_code == status
    assert response.json()["message"]["en"]


def test_unsupported_body_type_is_415(server):
    response = requests.post(f"{server}/sparql", data="x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "unsupported" in response.json()["message"]["en"]


def test_update_is_refused_on_the_read_only_endpoint(server):
    response = requests.post(f"{server}/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 403
    assert _count(requests.get(f"{server}/sparql", params={"query": COUNT})) > 5000


def test_sparqlwrapper_client(server):
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(CASES)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["c"]["value"].rsplit("/", 1)[1] for r in rows] == ["case-chongqing-shangqingsi", "case-southern-jiangsu"]


def test_rdflib_sparqlstore_client(server):
    graph = Graph(store=SPARQLStore(f"{server}/sparql"))
    rows = list(graph.query(CASES))
    assert len(rows) == 2


def test_errors_are_json_not_tracebacks(server):
    response = requests.get(f"{server}/no-such-page")
    assert response.status_code == 404
    assert "Traceback" not in response.text and json.loads(response.text)["status"] == 404


def test_access_log_has_a_line_per_request_with_the_query_time(server, built):
    response = requests.get(f"{server}/sparql", params={"query": CASES})
    assert response.headers["X-Query-Time"].endswith("2rows")
    port = server.rsplit(":", 1)[1]
    log = (built.nquads.parent / f"server-{port}.log").read_text(encoding="utf-8")
    assert any("GET /sparql?query=" in line and "query=" in line and "2rows" in line for line in log.splitlines())
