"""The SERVICE policy: nothing by default, an allowlist of prefixes, never files or private addresses."""
import pytest

from kg.federation import FederationRefused, Policy, check, service_endpoints

REMOTE = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"


def test_queries_without_service_are_not_parsed():
    assert service_endpoints("SELECT * WHERE { ?s ?p ?o }") == []


def test_service_endpoints_are_found_even_when_nested():
    query = ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://a.example/sparql> { ?s ?q ?r } } "
             "SERVICE SILENT ?where { ?x ?y ?z } }")
    found = [str(e) for e in service_endpoints(query)]
    assert found == ["http://a.example/sparql", "where"]


def test_the_word_service_in_a_string_is_no_call():
    check('SELECT * WHERE { ?s ?p "service" }', Policy())


@pytest.mark.parametrize("query, policy, words", [
    (REMOTE, Policy(), "not in the allowlist"),
    ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", Policy(("file:",)), "http(s)"),
    ("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }", Policy(("http://",)), "variable"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:7878/sparql> { ?s ?p ?o } }", Policy(("http://127.0.0.1",)),
     "loopback or private"),
    ("SELECT * WHERE { SERVICE <http://10.1.2.3/sparql> { ?s ?p ?o } }", Policy(("http://10.",)),
     "loopback or private"),
])
def test_refused(query, policy, words):
    with pytest.raises(FederationRefused) as refused:
        check(query, policy)
    assert words in refused.value.en and refused.value.zh


def test_private_addresses_can_be_allowed_explicitly():
    check("SELECT * WHERE { SERVICE <http://127.0.0.1:7878/sparql> { ?s ?p ?o } }",
          Policy(("http://127.0.0.1:7878/",), allow_private=True))


def test_policy_from_configuration_text():
    assert Policy.from_config("https://a.example/sparql, https://b.example/").allow == (
        "https://a.example/sparql", "https://b.example/")


def test_updates_are_read_for_service_too():
    text = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } }"
    assert [str(e) for e in service_endpoints(text, update=True)] == ["http://a.example/sparql"]
    with pytest.raises(FederationRefused):
        check(text, Policy(), update=True)
