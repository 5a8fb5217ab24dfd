"""The namespace module and the JSON-LD context are generated from the ontology and kept current."""
import pytest

from kg import codegen, paths
from kg.namespace import GZ, GZC


def test_namespace_module_is_current():
    assert paths.NAMESPACE_MODULE.read_text(encoding="utf-8") == codegen.namespace_module(codegen.load_ontology())


def test_context_is_current():
    assert paths.CONTEXT.read_text(encoding="utf-8") == codegen.render_context(codegen.load_ontology())


def test_misspelt_term_fails_at_use():
    assert str(GZ.ResidentsCommittee).endswith("#ResidentsCommittee")
    with pytest.raises(AttributeError):
        GZ.ResidentCommitee  # noqa: B018 - the misspelling is the point
    assert str(GZC["actor-role"]).endswith("/concept/actor-role")


def test_every_property_has_a_context_term():
    ctx = codegen.context(codegen.load_ontology())["@context"]
    mapped = {v["@id"] if isinstance(v, dict) else v for v in ctx.values() if isinstance(v, (dict, str))}
    g = codegen.load_ontology()
    from rdflib import OWL, RDF
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in g.subjects(RDF.type, kind):
            if str(prop).startswith(codegen.GZ_IRI):
                assert f"gz:{str(prop)[len(codegen.GZ_IRI):]}" in mapped, prop
