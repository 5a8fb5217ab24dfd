"""Gongzhi IRIs dereference on the service: HTML for a browser, RDF for a machine."""
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from kg import link
from kg.namespace import DIVISION, GZ, GZD, LINK

# The service over its embedded store, and over Virtuoso (remote-store mode): the same pages.
MODES = ["server", "virtuoso_server"]


@pytest.mark.parametrize("mode", MODES)
def test_an_entry_as_html_with_labels_properties_incoming_links_and_evidence(request, mode):
    server = request.getfixturevalue(mode)
    response = requests.get(f"{server}/id/wuxi-administrative-functions-taken-back",
                            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "无锡收回各级政府部门原来下放的行政职能94项" in page and "Wuxi takes back 94" in page
    assert "收回 94 项各级政府部门原来下放的行政职能" in page  # the evidence sentence
    assert "数量 · item count" in page and "<td>94" in page
    assert 'href="/id/case-southern-jiangsu"' in page  # links stay on this host
    place = requests.get(f"{server}/id/wuxi").text
    assert "被引用 · Incoming links" in place and 'href="/id/case-southern-jiangsu"' in place


@pytest.mark.parametrize("media, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt")])
def test_an_entry_as_rdf(server, media, fmt):
    response = requests.get(f"{server}/id/wuxi", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    g = Graph().parse(data=response.text, format=fmt)
    assert (GZD["wuxi"], GZ.gb2260Code, None) in g and (GZD["case-southern-jiangsu"], GZ.casePlace, GZD["wuxi"]) in g


def test_a_concept_dereferences_too(server):
    response = requests.get(f"{server}/concept/resident", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "居民" in response.text and "resident" in response.text


def test_an_imported_division_and_a_link_record_dereference(server):
    """The links are followable both ways on this host: the place page links to its division's page, and
    the division and the mapping record that says who accepted the link have pages of their own."""
    place = requests.get(f"{server}/id/suzhou", headers={"Accept": "text/html"}).text
    assert 'href="/division/3205"' in place
    division = requests.get(f"{server}/division/3205", headers={"Accept": "text/turtle"})
    assert division.status_code == 200
    g = Graph().parse(data=division.text, format="turtle")
    assert (DIVISION["3205"], GZ.partOfPlace, DIVISION["32"]) in g
    assert (GZD["suzhou"], SKOS.exactMatch, DIVISION["3205"]) in g  # incoming: the link
    record = LINK[link.record_id("gzd:suzhou", link.PREDICATE, "gzdiv:3205").split(":", 1)[1]]
    page = requests.get(f"{server}/link/{record.rsplit('/', 1)[1]}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'href="/user/founding-engineers"' in page.text
    assert "parent 江苏省 = 江苏省 (32) is an ancestor" in page.text


@pytest.mark.parametrize("path", ["/id/wuxi-administrative-functions-taken-back", "/id/wuxi",
                                  "/id/case-southern-jiangsu", "/concept/resident"])
def test_remote_mode_gives_the_same_triples(server, virtuoso_server, path):
    embedded, remote = (_turtle(requests.get(f"{base}{path}", headers={"Accept": "text/turtle"}))
                        for base in (server, virtuoso_server))
    assert len(embedded) > 10 and isomorphic(embedded, remote)


def _turtle(response) -> Graph:
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", ["/id/no-such-entry", "/concept/no-such-concept", "/id/a%3Eb", "/id/a%20b",
                                  "/id/a%7D%20%7B"])
def test_an_unknown_iri_is_404(request, mode, path):
    response = requests.get(f"{request.getfixturevalue(mode)}{path}")
    assert response.status_code == 404 and response.json()["message"]["en"] == "no such resource"
