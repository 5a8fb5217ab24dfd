"""The VoID description, read with rdflib from the live server."""
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID

from kg.namespace import GRAPH, GZ, GZD


def test_void_lists_graphs_with_counts_classes_and_vocabularies(server):
    response = requests.get(f"{server}/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=response.text, format="turtle")
    dataset = GZD["dataset"]
    subsets = set(g.objects(dataset, VOID.subset))
    assert GRAPH["case/general"] in subsets and GRAPH["ontology"] in subsets
    per_graph = sum(int(g.value(s, VOID.triples)) for s in subsets)
    assert int(g.value(dataset, VOID.triples)) == per_graph > 5000
    cases = [p for p in g.objects(dataset, VOID.classPartition) if g.value(p, VOID["class"]) == GZ.Case]
    assert len(cases) == 1 and g.value(cases[0], VOID.entities) == Literal(2)
    vocabularies = set(g.objects(dataset, VOID.vocabulary))
    assert {URIRef(str(GZ._NS)), URIRef("http://www.w3.org/2000/01/rdf-schema#")} <= vocabularies
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{server}/sparql")


def test_void_in_json_ld_too(server):
    response = requests.get(f"{server}/void", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and len(Graph().parse(data=response.text, format="json-ld")) > 20
