"""The ontology: bilingual, documented, with domains and ranges, a proper header and canonical files."""
import pytest
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SH, SKOS, DCTERMS

from kg import codegen, turtle, validate
from kg.namespace import GZ, ONTOLOGY

VANN = "http://purl.org/vocab/vann/"
ONT = codegen.load_ontology()


def _own(kinds):
    return sorted(s for k in kinds for s in ONT.subjects(RDF.type, k) if str(s).startswith(codegen.GZ_IRI))


TERMS = _own((OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty))
PROPERTIES = _own((OWL.ObjectProperty, OWL.DatatypeProperty))


def _languages(subject, predicate):
    return {o.language for o in ONT.objects(subject, predicate) if isinstance(o, Literal)}


def test_the_ontology_has_many_terms():
    assert len(_own((OWL.Class,))) >= 60 and len(PROPERTIES) >= 80


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[1])
def test_term_is_labelled_and_defined_in_zh_and_en(term):
    assert {"zh", "en"} <= _languages(term, RDFS.label)
    assert {"zh", "en"} <= _languages(term, SKOS.definition)
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in ONT


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda t: t.split("#")[1])
def test_property_has_domain_and_range(prop):
    assert ONT.value(prop, RDFS.domain) is not None
    assert ONT.value(prop, RDFS.range) is not None


def test_header():
    assert ONT.value(ONTOLOGY, OWL.versionIRI) == URIRef("https://w3id.org/gongzhi/ontology/0.1.0")
    assert ONT.value(ONTOLOGY, OWL.versionInfo) is not None
    assert ONT.value(ONTOLOGY, DCTERMS.license) is not None
    assert str(ONT.value(ONTOLOGY, URIRef(VANN + "preferredNamespacePrefix"))) == "gz"


def test_concepts_are_in_schemes_with_both_labels():
    concepts = list(ONT.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 60
    for concept in concepts:
        assert ONT.value(concept, SKOS.inScheme) is not None, concept
        assert {"zh", "en"} <= _languages(concept, SKOS.prefLabel), concept


def test_residents_committee_is_not_a_state_organ():
    disjoint = [set(ONT.items(ONT.value(b, OWL.members))) for b in ONT.subjects(RDF.type, OWL.AllDisjointClasses)]
    assert any({GZ.ResidentsCommittee, GZ.GovernmentBody} <= group for group in disjoint)


def test_alignment_does_not_import_external_vocabularies():
    imports = {str(o) for o in ONT.objects(None, OWL.imports)}
    assert imports <= {str(ONTOLOGY)}


def test_sources_are_canonical_turtle():
    assert turtle.stale() == []


def test_canonical_form_is_stable_under_an_edit(tmp_path):
    """Rewriting a file with one label changed differs from the original by that one line."""
    source = turtle.SOURCES[0]
    text = source.read_text(encoding="utf-8")
    edited = tmp_path / "edited.ttl"
    edited.write_text(text.replace('"居民委员会"@zh', '"居委会"@zh'), encoding="utf-8")
    before, after = text.splitlines(), turtle.canonical(edited).splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1


@pytest.mark.parametrize("prop", [p for p in PROPERTIES if (p, RDF.type, OWL.DatatypeProperty) in ONT],
                         ids=lambda t: t.split("#")[1])
def test_every_datatype_property_has_a_datatype_shape(prop):
    shaped = set(validate.shapes().subjects(SH.path, prop))
    assert any(validate.shapes().value(s, SH.datatype) or validate.shapes().value(s, SH.languageIn) for s in shaped)


def test_every_shape_has_messages_in_both_languages():
    g = validate.shapes()
    for shape in set(g.subjects(SH.message, None)):
        assert {"zh", "en"} <= {m.language for m in g.objects(shape, SH.message)}, shape


@pytest.mark.parametrize("prop", [p for p in PROPERTIES if (p, RDF.type, OWL.ObjectProperty) in ONT],
                         ids=lambda t: t.split("#")[1])
def test_every_object_property_has_a_value_shape(prop):
    g = validate.shapes()
    shaped = set(g.subjects(SH.path, prop))
    assert (None, SH.targetObjectsOf, prop) in g or any(g.value(s, SH["class"]) or g.value(s, SH["or"]) or g.value(s, SH.node) or g.value(s, SH.nodeKind)
               for s in shaped), prop
