"""SPARQL Update and the graph store: tokens, one checked transaction, curated graphs kept, over HTTP."""
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

from kg.namespace import GRAPH, GZ

from .conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "https://example.org/gongzhi-test/notes"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
GOOD = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA { GRAPH <https://example.org/gongzhi-test/notes> {
  <https://example.org/gongzhi-test/office> a gz:GovernmentBody ; rdfs:label "测试街道办"@zh, "Test office"@en ;
    gz:locatedIn <https://w3id.org/gongzhi/id/wuxi> ;
    gz:evidence <https://example.org/gongzhi-test/office/e> .
  <https://example.org/gongzhi-test/office/e> gz:quote "首先是政府。"@zh ;
    gz:inSection <https://w3id.org/gongzhi/id/paper/section/4.2> .
} }"""


@pytest.fixture(scope="module", params=["embedded", "virtuoso"])
def writable(request):
    """A service taking updates with TOKEN: on the embedded store, and over Virtuoso."""
    return request.getfixturevalue("writable_server" if request.param == "embedded" else "virtuoso_writable_server")


def _update(base, text, headers=AUTH):
    return requests.post(f"{base}/sparql", data=text.encode(), timeout=30,
                         headers={"Content-Type": "application/sparql-update", **headers})


def _count(base) -> int:
    response = requests.get(f"{base}/sparql", params={"query": COUNT})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_read_only_service_refuses_updates(server):
    response = _update(server, GOOD)
    assert response.status_code == 403 and "read-only" in response.json()["message"]["en"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
def test_a_valid_bearer_token_is_required(writable, headers):
    before = _count(writable)
    response = _update(writable, GOOD, headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _count(writable) == before


def test_a_valid_update_commits_and_is_seen_by_queries(writable):
    before = _count(writable)
    assert _update(writable, GOOD).status_code == 204
    assert _count(writable) == before + 7
    ask = requests.get(f"{writable}/sparql", params={
        "query": "ASK { <https://example.org/gongzhi-test/office> <%s> <https://w3id.org/gongzhi/id/wuxi> }"
                 % GZ.locatedIn})
    assert ask.json()["boolean"] is True


def test_an_update_breaking_the_shapes_is_refused_with_the_report_and_changes_nothing(writable):
    bad = GOOD.replace('"Test office"@en', '"Test office"@fr').replace("gongzhi-test/office", "gongzhi-test/bad")
    before = _count(writable)
    response = _update(writable, bad)
    assert response.status_code == 422
    body = response.json()
    assert [v["rule"] for v in body["violations"]] == ["label-en"]
    assert body["violations"][0]["message"]["zh"] and body["violations"][0]["message"]["en"]
    assert body["message"]["zh"] and _count(writable) == before


def test_the_nodes_pointing_at_a_changed_node_are_checked_too(writable):
    """Retyping a place that an office points at breaks the office's range rule: refused."""
    place = GOOD.replace("gongzhi-test/office", "gongzhi-test/office2").replace(
        "<https://w3id.org/gongzhi/id/wuxi>", "<https://example.org/gongzhi-test/town>")
    town = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
PREFIX gzc: <https://w3id.org/gongzhi/concept/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA { GRAPH <https://example.org/gongzhi-test/notes> {
  <https://example.org/gongzhi-test/town> a gz:Community ; rdfs:label "测试社区"@zh, "Test community"@en ;
    gz:placeLevel gzc:community ; gz:evidence <https://example.org/gongzhi-test/office/e> . } }"""
    assert _update(writable, town).status_code == 204
    assert _update(writable, place).status_code == 204
    retype = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
DELETE DATA { GRAPH <https://example.org/gongzhi-test/notes> { <https://example.org/gongzhi-test/town> a gz:Community } } ;
INSERT DATA { GRAPH <https://example.org/gongzhi-test/notes> { <https://example.org/gongzhi-test/town> a gz:Theory } }"""
    response = _update(writable, retype)
    assert response.status_code == 422
    assert {(v["entry"], v["rule"]) for v in response.json()["violations"]} >= {
        ("https://example.org/gongzhi-test/office2", "range-locatedIn")}


@pytest.mark.parametrize("text", [
    "INSERT DATA { GRAPH <%s> { <https://example.org/x> <https://example.org/p> 1 } }" % GRAPH["case/general"],
    "DELETE WHERE { GRAPH <%s> { <https://w3id.org/gongzhi/id/wuxi> ?p ?o } }" % GRAPH["case/southern-jiangsu"],
    "CLEAR GRAPH <%s>" % GRAPH["ontology"],
])
def test_curated_graphs_change_only_through_their_files(writable, text):
    before = _count(writable)
    response = _update(writable, text)
    assert response.status_code == 403 and "source files" in response.json()["message"]["en"]
    assert _count(writable) == before


def test_clear_all_leaves_the_curated_graphs(writable):
    curated = requests.get(f"{writable}/sparql", params={
        "query": COUNT, "named-graph-uri": str(GRAPH["case/general"])}).json()
    assert _update(writable, "CLEAR ALL").status_code == 204
    after = requests.get(f"{writable}/sparql", params={
        "query": COUNT, "named-graph-uri": str(GRAPH["case/general"])}).json()
    assert after == curated and int(after["results"]["bindings"][0]["n"]["value"]) > 1000


@pytest.mark.parametrize("text, status", [("LOAD <http://example.org/data.ttl>", 403), ("INSERT DATA { <a> }", 400)])
def test_load_and_bad_syntax_are_refused(writable, text, status):
    assert _update(writable, text).status_code == status


def test_update_by_get_is_refused(writable):
    response = requests.get(f"{writable}/sparql", params={"update": "CLEAR ALL"}, headers=AUTH)
    assert response.status_code == 400


def test_graph_store_round_trip(writable):
    url = f"{writable}/gsp"
    body = "<https://example.org/a> <https://example.org/b> \"c\" ."
    assert requests.put(url, params={"graph": NOTES + "/gsp"}, data=body,
                        headers={"Content-Type": "application/n-triples"}).status_code == 401
    put = requests.put(url, params={"graph": NOTES + "/gsp"}, data=body,
                       headers={"Content-Type": "application/n-triples", **AUTH})
    assert put.status_code == 201
    got = requests.get(url, params={"graph": NOTES + "/gsp"}, headers={"Accept": "text/turtle"})
    assert got.status_code == 200 and len(Graph().parse(data=got.text, format="turtle")) == 1
    assert requests.delete(url, params={"graph": NOTES + "/gsp"}, headers=AUTH).status_code == 204
    assert requests.get(url, params={"graph": NOTES + "/gsp"}).status_code == 404


def test_graph_store_refuses_curated_graphs_and_bad_rdf(writable):
    url = f"{writable}/gsp"
    curated = requests.put(url, params={"graph": str(GRAPH["case/general"])}, data="",
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert curated.status_code == 403
    bad = requests.put(url, params={"graph": NOTES + "/bad"}, data="not turtle at all <",
                       headers={"Content-Type": "text/turtle", **AUTH})
    assert bad.status_code == 400 and "cannot be parsed" in bad.json()["message"]["en"]


def test_graph_store_is_off_on_the_read_only_service(server):
    assert requests.get(f"{server}/gsp", params={"default": ""}).status_code == 404


def test_rdflib_sparqlupdatestore_client(writable):
    store = SPARQLUpdateStore(query_endpoint=f"{writable}/sparql", update_endpoint=f"{writable}/sparql",
                              headers=dict(AUTH))
    graph = Graph(store=store, identifier=URIRef(NOTES + "/client"))
    graph.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("o")))
    assert (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("o")) in graph


def test_service_in_an_update_is_held_to_the_same_policy(writable):
    text = ("INSERT { GRAPH <https://example.org/gongzhi-test/notes> { ?s ?p ?o } } "
            "WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    response = _update(writable, text)
    assert response.status_code == 403 and "allowlist" in response.json()["message"]["en"]


def test_graph_store_bad_graph_iri_is_400(writable):
    response = requests.get(f"{writable}/gsp", params={"graph": "not an iri"})
    assert response.status_code == 400 and "valid IRI" in response.json()["message"]["en"]


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "timeout": "-1"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "pdf"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": ";;;,,,garbage"}}),
    ("POST", "/sparql", {"data": {"nothing": "here"}}),
    ("POST", "/sparql", {"data": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-update", **AUTH}}),
    ("PUT", "/gsp", {"params": {"graph": NOTES + "/x"}, "data": b"x", "headers": {"Content-Type": "image/png", **AUTH}}),
    ("POST", "/gsp", {"data": b"<a> <b> <c> .", "headers": {"Content-Type": "application/n-triples", **AUTH}}),
    ("DELETE", "/gsp", {"params": {"graph": NOTES + "/never-made"}, "headers": AUTH}),
    ("PATCH", "/sparql", {}),
    ("GET", "/gsp", {"params": {"graph": [NOTES + "/a", NOTES + "/b"]}}),
])
def test_bad_requests_get_a_4xx_with_a_message(writable, method, path, kwargs):
    response = requests.request(method, f"{writable}{path}", timeout=30, **kwargs)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["message"]["en"] and response.json()["message"]["zh"]
