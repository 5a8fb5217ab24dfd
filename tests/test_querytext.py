"""Reading SPARQL text: the form, a dataset clause, a SERVICE call, never fooled by names or strings."""
import pytest

from kg.querytext import has_dataset_clause, is_bounded_lookup, mentions_service, query_form


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?from WHERE { ?from ?p ?o }", False),
    ("SELECT * WHERE { ?s ex:from ?o }", False),
    ('SELECT * WHERE { ?s ?p "FROM here" } # FROM in a comment', False),
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
    ("SELECT * from named <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
])
def test_dataset_clause(text, expected):
    assert has_dataset_clause(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?service WHERE { ?service ?p ?o }", False),
    ('SELECT * WHERE { ?s ?p "service" }', False),
    ("SELECT * WHERE { SERVICE <http://e/sparql> { ?s ?p ?o } }", True),
])
def test_service_keyword(text, expected):
    assert mentions_service(text) is expected


def test_form_after_a_prologue_with_comments():
    assert query_form("# remove nothing\nPREFIX ex: <http://e/>\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"


@pytest.mark.parametrize("text", [
    "# one entry\nPREFIX ex: <http://e/>\nSELECT ?p ?o WHERE { ex:s ?p ?o }",
    "SELECT * { <http://e/s> ?p ?o . } LIMIT 10",
    "select ?type where { <http://e/s> a ?type }",
])
def test_a_lookup_of_one_subject_is_bounded(text):
    assert is_bounded_lookup(text)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o }",  # no subject: the whole store, up to the row cap
    "SELECT ?p WHERE { <http://e/s> ?p ?p }",  # a variable twice
    "SELECT DISTINCT ?p WHERE { <http://e/s> ?p ?o }",
    "SELECT ?o WHERE { <http://e/s> ?p ?o FILTER(false) }",
    "SELECT ?o WHERE { <http://e/s> ?p ?o } ORDER BY ?o",
    "SELECT ?o WHERE { <http://e/s> ?p ?o } OFFSET 10",
    "SELECT ?o WHERE { <http://e/s> <http://e/p>+ ?o }",
    "SELECT ?o WHERE { <http://e/s> ?p ?o . ?o ?q ?r }",
    "SELECT (COUNT(*) AS ?n) WHERE { <http://e/s> ?p ?o }",
    "SELECT ?o WHERE { { <http://e/s> ?p ?o } }",
    "SELECT ?o WHERE { <http://e/s> ?p ?o } # a comment after the body",
    "SELECT ?o WHERE { <http://e/s> ?p ?o } VALUES ?o { <http://e/o> }",
    "SELECT ?o WHERE { SERVICE <http://e/sparql> { <http://e/s> ?p ?o } }",
    "ASK { <http://e/s> ?p ?o }",
    "CONSTRUCT WHERE { <http://e/s> ?p ?o }",
])
def test_anything_more_is_not(text):
    assert not is_bounded_lookup(text)
