"""The ontology's documentation: `make docs` writes an English and a Chinese pyLODE page, and the service
dereferences the ontology IRI (/ontology) to them or to the ontology's RDF by content negotiation."""
import html
import subprocess

import pytest
import requests
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH

from kg import docs, paths
from kg.namespace import GZ
from tests.conftest import running_server

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _files(*sources) -> Graph:
    g = Graph()
    for path in sources:
        g.parse(path, format="turtle")
    return g


ONTOLOGY = _files(*paths.ONTOLOGY_SOURCES)


@pytest.fixture(scope="module")
def pages():
    made = subprocess.run(["make", "--no-print-directory", "docs"], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    return {lang: docs.page_path(docs.DOCS_DIR, lang).read_text(encoding="utf-8") for lang in docs.LANGUAGES}


def _labels(term, lang: str) -> list[str]:
    return [html.escape(str(o), quote=False) for o in ONTOLOGY.objects(term, RDFS.label) if o.language == lang]


def test_make_docs_writes_an_english_and_a_chinese_page(pages):
    en, zh = pages["en"], pages["zh"]
    assert '<html lang="en">' in en and '<html lang="zh-Hans">' in zh
    assert "<title>Gongzhi: an ontology of urban community governance</title>" in en
    assert "<title>共治：城市社区治理本体</title>" in zh
    assert "residents' committee" in en and "居民委员会" not in en
    assert "居民委员会" in zh and "residents' committee" not in zh
    assert 'id="ResidentsCommittee"' in en and 'id="ResidentsCommittee"' in zh  # /ontology#ResidentsCommittee
    assert docs.is_current(docs.DOCS_DIR)


def test_every_class_and_property_is_in_each_page_in_its_language(pages):
    terms = sorted(t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                   for t in ONTOLOGY.subjects(RDF.type, kind) if str(t).startswith(str(GZ._NS)))
    assert len(terms) > 150
    for lang in docs.LANGUAGES:
        missing = [t for t in terms if not all(label in pages[lang] for label in _labels(t, lang))]
        assert not missing, (lang, missing)


def test_each_page_is_in_one_language_and_links_to_the_other(pages):
    for lang in docs.LANGUAGES:
        g = docs.documented_graph(lang)
        assert {o.language for o in g.objects() if isinstance(o, Literal) and o.language} == {lang}
    en, zh = pages["en"], pages["zh"]
    assert 'href="?lang=zh" hreflang="zh" lang="zh">中文</a>' in en
    assert 'href="?lang=en" hreflang="en" lang="en">English</a>' in zh
    # pyLODE's own headings are translated on the Chinese page.
    assert "<h2>Classes</h2>" in en and "<h2>类</h2>" in zh and "<h2>Classes</h2>" not in zh
    assert "<h3>目录</h3>" in zh and "<h3>Table of Contents</h3>" in en
    # The concept schemes, which pyLODE does not document, are linked to their own pages.
    assert '<a href="/concept/place-level">区域层级</a>' in zh and '<a href="/concept/place-level">place levels</a>' in en
    assert 'href="/ontology.ttl">Turtle</a>' in en and 'href="/ontology.ttl">Turtle</a>' in zh


@pytest.mark.parametrize("accept_language, query, lang", [
    (None, "", "en"), ("en-US,en;q=0.9", "", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "", "zh"), ("zh-TW", "", "zh"),
    ("fr, zh-Hans;q=0.5", "", "zh"), ("fr", "", "en"), (None, "?lang=zh", "zh"), ("zh-CN", "?lang=en", "en")])
def test_a_browser_gets_the_page_in_its_language(pages, server, accept_language, query, lang):
    headers = {"Accept": BROWSER} | ({"Accept-Language": accept_language} if accept_language else {})
    response = requests.get(f"{server}/ontology{query}", headers=headers)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Language"] == ("zh-Hans" if lang == "zh" else "en")
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    assert response.text == pages[lang]


@pytest.mark.parametrize("media, fmt", [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                                        ("application/ld+json", "json-ld"), ("application/n-triples", "nt")])
def test_a_machine_gets_the_ontology_concepts_and_alignment_as_rdf(server, media, fmt):
    response = requests.get(f"{server}/ontology", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    assert "Accept" in response.headers["Vary"]
    served = Graph().parse(data=response.content, format=fmt)
    assert len(served) == len(ONTOLOGY) and isomorphic(served, ONTOLOGY)
    assert not list(served.subjects(RDF.type, SH.NodeShape))  # the shapes have their own IRI


@pytest.mark.parametrize("ext, media, fmt", [("ttl", "text/turtle", "turtle"), ("rdf", "application/rdf+xml", "xml"),
                                             ("owl", "application/rdf+xml", "xml"),
                                             ("jsonld", "application/ld+json", "json-ld"),
                                             ("nt", "application/n-triples", "nt")])
def test_an_extension_names_the_format_whatever_accept_says(server, ext, media, fmt):
    response = requests.get(f"{server}/ontology.{ext}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    assert "Vary" not in response.headers
    assert isomorphic(Graph().parse(data=response.content, format=fmt), ONTOLOGY)


def test_turtle_keeps_the_ontology_prefixes(server):
    text = requests.get(f"{server}/ontology.ttl").text
    assert "@prefix gz: <https://w3id.org/gongzhi/ontology#> ." in text and "gz:ResidentsCommittee" in text


def test_the_shapes_have_their_own_iri(server):
    response = requests.get(f"{server}/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    assert response.headers["Vary"] == "Accept"
    assert isomorphic(Graph().parse(data=response.text, format="turtle"), _files(paths.SHAPES))


@pytest.mark.parametrize("path, headers, status", [
    ("/ontology", {"Accept": "image/png"}, 406), ("/ontology?format=csv", {}, 406),
    ("/shapes", {"Accept": "text/html"}, 406), ("/ontology?lang=fr", {"Accept": "text/html"}, 400),
    ("/ontology.docx", {}, 404), ("/shapes.html", {}, 404)])
def test_what_cannot_be_served_is_a_bilingual_error(server, path, headers, status):
    response = requests.get(f"{server}{path}", headers=headers)
    assert response.status_code == status and response.headers["Content-Type"] == "application/json"
    message = response.json()["message"]
    assert message["zh"] and message["en"] and message["zh"] != message["en"]


def test_the_service_makes_missing_or_stale_pages_on_first_request(built, tmp_path):
    """A fresh clone has no docs/ontology/: the first request to /ontology makes the pages."""
    out = tmp_path / "docs"
    with running_server(built, GONGZHI_DOCS=str(out)) as base:
        response = requests.get(f"{base}/ontology?lang=zh", headers={"Accept": BROWSER}, timeout=300)
        assert response.status_code == 200 and "居民委员会" in response.text
        assert docs.is_current(out) and docs.page_path(out, "en").exists()
        (out / docs.STAMP).write_text("stale\n", encoding="utf-8")
        docs.page_path(out, "en").write_text("old page", encoding="utf-8")
        response = requests.get(f"{base}/ontology", headers={"Accept": BROWSER}, timeout=300)
        assert response.status_code == 200 and "residents' committee" in response.text
        assert docs.is_current(out)
