"""The CPSV-AP export (queries/cpsv-ap-export.rq) over the live service validates against the official SEMIC shapes."""

import pyoxigraph as ox
import pytest
import requests
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg import paths

QUERY = paths.ROOT / "queries" / "cpsv-ap-export.rq"
SEMIC = paths.SHARED / "external" / "semic"
CPSV_AP_SHAPES = SEMIC / "cpsv-ap-3.2.0-SHACL.ttl"
CPOV_SHAPES = SEMIC / "cpov-2.1.2-SHACL.ttl"

CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
GZD = Namespace("https://w3id.org/gongzhi/id/")

# What the case files really hold (kg/cases/*.yaml): one public service of a case has a competent authority,
# four service channels belong to a case, seven government bodies of a case have a place.
MIN_SERVICES, MIN_CHANNELS, MIN_ORGANISATIONS = 1, 4, 7


@pytest.fixture(scope="module")
def export(server) -> Graph:
    response = requests.post(f"{server}/sparql", data={"query": QUERY.read_text(encoding="utf-8")},
                             headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def _instances(graph: Graph, cls: URIRef) -> set:
    return set(graph.subjects(RDF.type, cls))


@pytest.mark.parametrize("shapes", [CPSV_AP_SHAPES, CPOV_SHAPES], ids=lambda p: p.name)
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_export_conforms_to_the_official_shapes(export, shapes, inference):
    assert shapes.exists(), f"the official SEMIC shapes {shapes} are missing"
    conforms, report, text = validate(export, shacl_graph=Graph().parse(shapes), inference=inference)
    violations = list(report.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationResult")))
    assert violations == [], text
    assert conforms, text


def test_export_has_the_services_channels_and_organisations_of_the_data(export):
    services = _instances(export, CPSV.PublicService)
    channels = _instances(export, CV.Channel)
    organisations = _instances(export, CV.PublicOrganisation)
    assert len(services) >= MIN_SERVICES, services
    assert len(channels) >= MIN_CHANNELS, channels
    assert len(organisations) >= MIN_ORGANISATIONS, organisations
    assert GZD["shangqingsi-six-one-hour-services"] in services
    assert {GZD["shangqingsi-community-public-service-center"], GZD["shangqingsi-convenience-service-centers"],
            GZD.wechat, GZD.qq} <= channels
    assert {GZD["shangqingsi-subdistrict-office"], GZD["wuxi-municipal-government"]} <= organisations


def test_every_service_has_its_mandatory_fields_and_a_channel(export):
    for service in _instances(export, CPSV.PublicService):
        assert len(list(export.objects(service, DCTERMS.identifier))) == 1
        assert set(export.objects(service, DCTERMS.title)) and set(export.objects(service, DCTERMS.description))
        authorities = set(export.objects(service, CV.hasCompetentAuthority))
        assert authorities and authorities <= _instances(export, CV.PublicOrganisation)
        channels = set(export.objects(service, CV.hasChannel))
        assert channels and channels <= _instances(export, CV.Channel)
    for organisation in _instances(export, CV.PublicOrganisation):
        assert set(export.objects(organisation, SKOS.prefLabel))
        places = set(export.objects(organisation, DCTERMS.spatial))
        assert places and all((place, RDF.type, DCTERMS.Location) in export for place in places)


def test_no_service_without_a_stated_competent_authority_is_exported(export):
    """The services the graph gives no competent authority are skipped, not given an invented one."""
    services = _instances(export, CPSV.PublicService)
    for skipped in ("southern-jiangsu-community-information-service", "help-service", "complaint-service",
                    "consultation-service"):
        assert GZD[skipped] not in services


def test_no_residents_committee_is_a_public_organisation(export, built):
    committees = {URIRef(row["c"].value) for row in ox.Store.read_only(str(built.store)).query(
        "PREFIX gz: <https://w3id.org/gongzhi/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?c WHERE { ?c a/rdfs:subClassOf* gz:ResidentsCommittee }", use_default_graph_as_union=True)}
    assert committees, "the graph has residents' committees"
    assert not committees & _instances(export, CV.PublicOrganisation)
