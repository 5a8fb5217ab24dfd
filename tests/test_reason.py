"""HermiT (through owlready2) on the ontology and the cases, with its negative cases."""
from rdflib import Graph

from kg import cases, dataset, reason

from .conftest import FIXTURES


def test_ontology_with_cases_is_consistent_with_no_unsatisfiable_class():
    report = reason.reason(dataset.load_sources().union())
    assert report.consistent, report.detail
    assert report.unsatisfiable == []


def test_contradictory_fixture_is_reported_inconsistent():
    sources = dataset.load_sources(cases.case_files() + [FIXTURES / "reasoning" / "inconsistent.yaml"])
    report = reason.reason(sources.union())
    assert not report.consistent


def test_class_under_disjoint_classes_is_reported_unsatisfiable():
    g = dataset.load_sources().union()
    g += Graph().parse(FIXTURES / "reasoning" / "unsatisfiable.ttl")
    report = reason.reason(g)
    assert report.consistent
    assert report.unsatisfiable == ["https://w3id.org/gongzhi/ontology#FixtureCommitteeOffice"]
