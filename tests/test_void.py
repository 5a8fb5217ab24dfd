"""The VoID description, read with rdflib from the live server."""

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS, SKOS, VOID

from kg import build, store
from kg.namespace import GRAPH, GZ, GZD, SPDX
from tests.conftest import copy_of_store, running_server, started_virtuoso

TINY = GRAPH["import/tiny-divisions"]
SPACE = "https://example.org/tiny-divisions/"
LINKS = GRAPH["links"]
# An imported graph as `kg import` makes one (its data and a description of itself, three links deep
# to the checksum), and a links graph: four links (one into the imported graph's void:uriSpace, two to
# Wikidata, one to GeoNames) and a mapping record, which is no link. The links graph replaces the built one.
EXTRA = f"""
@prefix void: <http://rdfs.org/ns/void#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix spdx: <http://spdx.org/rdf/terms#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix sssom: <https://w3id.org/sssom/> .
@prefix gz: <https://w3id.org/gongzhi/ontology#> . @prefix gzd: <https://w3id.org/gongzhi/id/> .
@prefix div: <{SPACE}> .
<{TINY}> {{
  div:32 a gz:AdministrativeDivision ; rdfs:label "江苏省"@zh .
  div:3202 a gz:AdministrativeDivision ; rdfs:label "无锡市"@zh ; gz:partOf div:32 .
  <{TINY}> a void:Dataset, dcat:Dataset ; dct:title "小型区划"@zh, "Tiny divisions"@en ;
    dct:license <http://www.wtfpl.net/> ; dct:source <https://example.org/divisions> ; void:triples 5 ;
    void:uriSpace "{SPACE}" ; void:exampleResource div:3202 ; prov:wasGeneratedBy <{TINY}#import> .
  <https://example.org/divisions> a dcat:Dataset ; dcat:distribution <https://example.org/divisions/a.csv> .
  <https://example.org/divisions/a.csv> a dcat:Distribution ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "ab" ] .
  <{TINY}#import> a prov:Activity ; prov:used <https://w3id.org/gongzhi/mapping/tiny-divisions> .
}}
<{LINKS}> {{
  gzd:wuxi skos:exactMatch div:3202, <http://www.wikidata.org/entity/Q42622>, <https://sws.geonames.org/1790923/> .
  gzd:chongqing skos:exactMatch <http://www.wikidata.org/entity/Q11725> .
  <https://w3id.org/gongzhi/link/1> a sssom:Mapping ; sssom:subject_id gzd:wuxi ; sssom:object_id div:3202 .
}}
"""


@pytest.fixture(scope="module")
def linked(built, tmp_path_factory):
    """A copy of the built store with the imported graph and the links graph, and their N-Quads."""
    root = tmp_path_factory.mktemp("linked")
    copy_of_store(built, root)
    nquads = root / "extra.nq"
    nquads.write_bytes(ox.serialize(ox.parse(EXTRA.encode(), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS))
    store.replace_graphs(root / "store", nquads.read_bytes())
    return build.BuildResult(nquads=nquads, store=(root / "store").resolve())


@pytest.fixture(scope="module")
def linked_server(linked):
    with running_server(linked) as base:
        yield base


@pytest.fixture(scope="module")
def linked_virtuoso_server(built, linked, tmp_path_factory):
    """The same graphs in Virtuoso, and the service over it in remote-store mode."""
    with started_virtuoso(built, tmp_path_factory.mktemp("virtuoso-linked")) as remote:
        remote.load_dataset(linked.nquads)
        with running_server(linked, GONGZHI_REMOTE_QUERY_URL=remote.query_url) as base:
            yield base


def _void(base: str) -> Graph:
    response = requests.get(f"{base}/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def test_void_lists_graphs_with_counts_classes_and_vocabularies(server, built):
    g = _void(server)
    dataset = GZD["dataset"]
    reference = ox.Store.read_only(str(built.store))
    subsets = set(g.objects(dataset, VOID.subset))
    assert GRAPH["case/general"] in subsets and GRAPH["ontology"] in subsets
    assert int(g.value(dataset, VOID.triples)) == len(reference) > 5000
    assert all(len(list(g.objects(s, VOID.triples))) == 1 for s in subsets)
    for graph in (GRAPH["case/general"], GRAPH["ontology"], GRAPH["concepts"]):  # graphs the service counts
        quads = reference.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        assert int(g.value(graph, VOID.triples)) == len(list(quads))
    cases = [p for p in g.objects(dataset, VOID.classPartition) if g.value(p, VOID["class"]) == GZ.Case]
    assert len(cases) == 1 and g.value(cases[0], VOID.entities) == Literal(2)
    vocabularies = set(g.objects(dataset, VOID.vocabulary))
    assert {URIRef(str(GZ._NS)), URIRef("http://www.w3.org/2000/01/rdf-schema#")} <= vocabularies
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{server}/sparql")


def test_void_in_json_ld_too(server):
    response = requests.get(f"{server}/void", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and len(Graph().parse(data=response.text, format="json-ld")) > 20


MODES = ["linked_server", "linked_virtuoso_server"]


@pytest.mark.parametrize("mode", MODES)
def test_an_imported_graph_is_a_subset_with_its_own_description(request, mode):
    g = _void(request.getfixturevalue(mode))
    assert TINY in set(g.objects(GZD["dataset"], VOID.subset))
    assert set(g.objects(TINY, DCTERMS.title)) == {Literal("小型区划", lang="zh"),
                                                   Literal("Tiny divisions", lang="en")}
    assert g.value(TINY, DCTERMS.license) == URIRef("http://www.wtfpl.net/")
    assert list(g.objects(TINY, VOID.triples)) == [Literal(5)]  # its own count, not the service's
    checksum = g.value(URIRef("https://example.org/divisions/a.csv"), SPDX.checksum)  # three links away
    assert g.value(checksum, SPDX.checksumValue) == Literal("ab")
    assert (URIRef(SPACE + "3202"), RDFS.label, None) not in g  # its data is not its description


@pytest.mark.parametrize("mode", MODES)
def test_the_links_graph_is_a_linkset_with_one_linkset_per_target(request, mode):
    g = _void(request.getfixturevalue(mode))
    assert (LINKS, VOID.linkPredicate, SKOS.exactMatch) in g and g.value(LINKS, VOID.subjectsTarget) == GZD["dataset"]
    assert list(g.objects(LINKS, VOID.triples)) == [Literal(4)]  # the links, not the mapping record
    assert URIRef("https://w3id.org/gongzhi/link/1") not in set(g.subjects())
    targets = {}
    for part in g.objects(LINKS, VOID.subset):
        assert (part, VOID.linkPredicate, SKOS.exactMatch) in g and g.value(part, VOID.subjectsTarget) == GZD["dataset"]
        target = g.value(part, VOID.objectsTarget)
        targets[target if target == TINY else str(g.value(target, VOID.uriSpace))] = int(g.value(part, VOID.triples))
    assert targets == {TINY: 1, "http://www.wikidata.org/entity/": 2, "https://sws.geonames.org/": 1}


def test_the_description_is_the_same_on_virtuoso(linked_server, linked_virtuoso_server):
    embedded, remote = _void(linked_server), _void(linked_virtuoso_server)
    for g in (embedded, remote):
        g.remove((None, VOID.sparqlEndpoint, None))
    assert isomorphic(embedded, remote)
