"""Federation across two live endpoints: the cases and their links here, the divisions over there.

One Gongzhi service holds only the imported divisions (as another publisher's endpoint would); a
second holds the cases and the links graph, and may call the first through its SERVICE allowlist.
A query on the second joins each linked case place with its official code and province, which only
the first knows.
"""
import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from kg import build, link, sssom, store
from kg.dataset import IMPORT_GRAPHS
from tests.conftest import FIXTURES, running_server

QUERY = FIXTURES / "federated-linked-places.rq"
PLACEHOLDER = "http://divisions.endpoint.invalid/sparql"  # the fixture names the remote endpoint by this


@pytest.fixture(scope="module")
def divisions_endpoint(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("divisions-endpoint")
    graph = ox.NamedNode(IMPORT_GRAPHS + link.DEFAULT_DATASET)
    quads = ox.Store.read_only(str(built.store)).quads_for_pattern(None, None, None, graph)
    (root / "divisions.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    store.install(root / "divisions.nq", root / "store")
    with running_server(build.BuildResult(nquads=root / "divisions.nq")) as base:
        yield base


@pytest.fixture(scope="module")
def cases_endpoint(built, divisions_endpoint, tmp_path_factory):
    root = tmp_path_factory.mktemp("cases-endpoint")
    store.install(built.nquads, root / "store")  # the build: ontology, cases, links; no import
    with running_server(build.BuildResult(nquads=root / "gongzhi.nq"), GONGZHI_SERVICE_ALLOW=f"{divisions_endpoint}/",
                        GONGZHI_SERVICE_ALLOW_PRIVATE="1") as base:
        yield base


def federated_query(divisions_endpoint: str) -> str:
    # Tests only: the remote endpoint's port is known at run time, so the fixture names a placeholder.
    return QUERY.read_text(encoding="utf-8").replace(PLACEHOLDER, f"{divisions_endpoint}/sparql")


def rows(endpoint: str, query: str) -> list[dict]:
    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    return client.query().convert()["results"]["bindings"]


def test_the_cases_endpoint_alone_knows_no_division(cases_endpoint):
    query = "ASK { ?d a <https://w3id.org/gongzhi/ontology#AdministrativeDivision> ; " \
            "<https://w3id.org/gongzhi/ontology#nbsCode> ?c FILTER(STRSTARTS(STR(?d), 'https://w3id.org/gongzhi/division/')) }"
    answer = requests.get(f"{cases_endpoint}/sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert answer["boolean"] is False


def test_a_join_through_service_gives_each_linked_place_its_code_and_province(cases_endpoint, divisions_endpoint):
    found = {(r["place"]["value"], r["code"]["value"], r["provinceZh"]["value"])
             for r in rows(cases_endpoint, federated_query(divisions_endpoint))}
    gold = {p: c for p, c in link.read_gold().items() if c}
    assert {(p, c) for p, c, _ in found} == set(gold.items())
    assert (sssom.expand("gzd:suzhou"), "3205", "江苏省") in found
    assert (sssom.expand("gzd:shangqingsi-subdistrict"), "500103005", "重庆市") in found


def test_the_remote_endpoint_must_be_allowed(built, divisions_endpoint, tmp_path_factory):
    root = tmp_path_factory.mktemp("closed-endpoint")
    store.install(built.nquads, root / "store")
    with running_server(build.BuildResult(nquads=root / "gongzhi.nq")) as closed:
        response = requests.post(f"{closed}/sparql", data={"query": federated_query(divisions_endpoint)}, timeout=30)
    assert response.status_code == 403, response.text
    assert "allowlist" in response.json()["message"]["en"]
