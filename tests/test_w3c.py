"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests against the live server.

One case per test of the manifests (tests/w3c_runner.py reads and runs them). The rule: a test whose needs
(w3c_runner.needs: SPARQL 1.1 Query or Update, graph-store features, read from its requests) the server
advertises in its service description must pass; a test needing anything the server does not advertise must
be refused (4xx), so the description never hides what the server does. Once the server advertises
sd:SPARQL11Update or graph-store features, their tests are held to passing with no change here.
"""
from collections import Counter

import pytest

from kg.namespace import SD
from tests import w3c_runner as w3c
from tests.conftest import TOKEN

TESTS = w3c.load()


@pytest.fixture(scope="module", params=["read-only", "writable", "virtuoso", "virtuoso-writable"])
def endpoints(request):
    """The suite runs against the service read-only and taking updates with a token, each on the
    embedded store and in remote-store mode over Virtuoso."""
    if request.param == "read-only":
        return w3c.Endpoints(request.getfixturevalue("server"))
    if request.param == "virtuoso":
        return w3c.Endpoints(request.getfixturevalue("virtuoso_server"))
    if request.param == "virtuoso-writable":
        return w3c.Endpoints(request.getfixturevalue("virtuoso_writable_server"),
                             headers={"Authorization": f"Bearer {TOKEN}"})
    return w3c.Endpoints(request.getfixturevalue("writable_server"), headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.fixture(scope="module")
def advertised(endpoints):
    capabilities = w3c.capabilities(endpoints)
    assert SD.SPARQL11Query in capabilities, f"no service with sd:endpoint <{endpoints.url(endpoints.query)}> " \
        "and sd:supportedLanguage sd:SPARQL11Query in the description"
    return capabilities


def test_the_manifests_are_read_whole():
    assert Counter(t.suite for t in TESTS) == {"protocol": 34, "graph-store": 13, "service-description": 3}
    assert all(t.steps and all(s.statuses for s in t.steps) for t in TESTS if t.suite != "service-description")
    assert sum(bool(t.data) for t in TESTS) == 6


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.key)
def test_w3c(test, endpoints, advertised):
    missing = w3c.needs(test) - advertised
    outcome = w3c.refuses(test, endpoints, missing) if missing else w3c.run(test, endpoints)
    assert outcome.passed, outcome.reason
