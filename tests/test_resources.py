"""Gongzhi IRIs dereference on the service: HTML for a browser, RDF for a machine."""
import pytest
import requests
from rdflib import Graph

from kg.namespace import GZ, GZD


def test_an_entry_as_html_with_labels_properties_incoming_links_and_evidence(server):
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


def test_an_unknown_iri_is_404(server):
    response = requests.get(f"{server}/id/no-such-entry")
    assert response.status_code == 404 and response.json()["message"]["en"] == "no such resource"
