"""Reading SPARQL text: the form, a dataset clause, a SERVICE call, never fooled by names or strings."""
import pytest

from kg.querytext import has_dataset_clause, mentions_service, query_form


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
