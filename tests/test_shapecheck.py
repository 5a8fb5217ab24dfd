"""The update check (kg.shapecheck) finds exactly what the full check of the neighbourhood finds."""
import random

import pyoxigraph as ox
import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SH

from kg import shapecheck, updates, validate
from kg.namespace import GZ
from kg.overlay import OxigraphReader

PREFIXES = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
PREFIX gzc: <https://w3id.org/gongzhi/concept/>
PREFIX gzd: <https://w3id.org/gongzhi/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
NOTES = "<https://example.org/gongzhi-test/shapecheck>"
OFFICE = """INSERT DATA { GRAPH %s {
  gzd:test-office a gz:GovernmentBody ; rdfs:label "测试街道办"@zh, "Test office"@%s ;
    gz:locatedIn gzd:wuxi ; gz:evidence %s . } }"""
EVIDENCE = '<https://example.org/gongzhi-test/e> . <https://example.org/gongzhi-test/e> gz:quote "首先是政府。"@zh ; ' \
           "gz:inSection <https://w3id.org/gongzhi/id/paper/section/4.2>"


def test_the_shapes_read_the_ontology_only_forwards():
    """What lets the check add only the ontology reached from the data (see shapecheck._ontology_reached)."""
    shapes = validate.shapes()
    assert not list(shapes.objects(None, SH.inversePath))
    backwards = set(shapes.objects(None, SH.targetSubjectsOf)) | set(shapes.objects(None, SH.targetObjectsOf))
    assert not backwards.union({GZ.evidence}) & set(validate.ontology().predicates())


@pytest.fixture(scope="module")
def reader(built):
    return OxigraphReader(ox.Store.read_only(str(built.store)))


def _both(reader, change) -> list:
    """The update check's violations, after asserting that the full check finds the same."""
    data, focus = updates._neighbourhood(reader, change)
    found = shapecheck.check_nodes(data, focus)
    assert found == validate.check_nodes(data, focus)
    return found


@pytest.mark.parametrize("update, rules", [
    (OFFICE % (NOTES, "en", EVIDENCE), set()),
    (OFFICE % (NOTES, "fr", EVIDENCE), {"label-en"}),
    # Evidence as a blank node: its own rules are reported on the fact citing it.
    (OFFICE % (NOTES, "en", '[ gz:quote "首先是政府。"@zh ]'), {"evidence-section"}),
    # The SPARQL rule: gzc:cancelled is a reduction through skos:broader.
    ("INSERT DATA { GRAPH %s { gzd:wuxi-evaluation-items-cancelled gz:countBefore 10 ; gz:countAfter 20 } }" % NOTES,
     {"reduction-after-not-above-before"}),
    # The nodes pointing at a retyped one break their range rules.
    ("DELETE { GRAPH ?g { gzd:wuxi a ?t } } INSERT { GRAPH %s { gzd:wuxi a gz:Theory } } "
     "WHERE { GRAPH ?g { gzd:wuxi a ?t } }" % NOTES, None),
])
def test_the_same_violations_as_the_full_check(reader, update, rules):
    found = _both(reader, updates.evaluate(reader, PREFIXES + update))
    if rules is not None:
        assert {v.rule for v in found} == rules
    else:
        assert any(v.rule.startswith("range-") and v.entry != "wuxi" for v in found)


def _perturbed(reader, node, rnd) -> updates.Change:
    """A change to one node of the store: a triple removed, its types changed, a label in French, or all of it gone."""
    quads = list(reader.quads(node, None, None, None))
    types = [q for q in quads if q[1] == RDF.type]
    labels = [q for q in quads if isinstance(q[2], Literal) and q[2].language]
    kind = rnd.choice(["remove", "retype", "french", "drop", "evidence"])
    if kind == "retype" and types:
        return updates.Change({(node, RDF.type, GZ.Theory, types[0][3])}, set(types))
    if kind == "french" and labels:
        s, p, o, g = labels[0]
        return updates.Change({(s, p, Literal(str(o), lang="fr"), g)}, {labels[0]})
    if kind == "drop":
        return updates.Change(set(), set(quads))
    if kind == "evidence":
        cited = [q[2] for q in quads if q[1] == GZ.evidence]
        removed = {q for e in cited for q in reader.quads(e, None, None, None) if q[1] == GZ.inSection}
        if removed:
            return updates.Change(set(), removed)
    return updates.Change(set(), {rnd.choice(quads)})


def test_the_same_violations_for_changes_all_over_the_store(reader):
    rnd = random.Random(7)
    nodes = sorted({q[0] for q in reader.quads(None, RDF.type, None, None) if isinstance(q[0], URIRef)}, key=str)
    refused = sum(bool(_both(reader, _perturbed(reader, node, rnd))) for node in rnd.sample(nodes, 60))
    assert 10 < refused < 60  # both kinds of change were compared
