"""Queries on a remote store: bound variables go as a trailing VALUES clause that no value can change, and
blank nodes in Virtuoso's results are read."""
import pyoxigraph as ox
import pytest

from kg.executor import QueryFailed, QueryRequest, RemoteExecutor

QUERY = "SELECT ?this ?p ?o WHERE { ?this ?p ?o }"
WUXI = "https://w3id.org/gongzhi/id/wuxi"


class RecordingStore:
    """Stands for kg.remote.RemoteStore: keeps the text of each query it is sent and answers no rows."""

    query_url = "http://127.0.0.1:9/sparql"
    timeout = 0.0

    def __init__(self):
        self.sent = []

    def query(self, text, default_graph=None, named_graphs=None):
        self.sent.append(text)
        return ox.Store().query("SELECT ?x WHERE { FILTER (false) }")


@pytest.fixture
def remote():
    return RecordingStore()


def _run(remote, bindings):
    request = QueryRequest(QUERY, results_format="text/tab-separated-values", bindings=bindings)
    return RemoteExecutor(remote, "urn:x-default").run(request, 5)


def test_bindings_go_as_a_trailing_values_clause(remote):
    _run(remote, (("this", WUXI), ("地名", "https://w3id.org/gongzhi/id/无锡")))
    assert remote.sent == [f"{QUERY}\nVALUES (?this ?地名) {{ (<{WUXI}> <https://w3id.org/gongzhi/id/无锡>) }}\n"]


@pytest.mark.parametrize("iri, why", [(f"{WUXI}>", "'>'"), (f"{WUXI} x", "' '"), (f"{WUXI}}}", "'}'"),
                                      (f"{WUXI}> }} ; DROP ALL #", "'>'"), ("wuxi", "not an absolute IRI")])
def test_an_iri_that_could_change_the_query_is_refused_and_not_sent(remote, iri, why):
    with pytest.raises(QueryFailed) as failed:
        _run(remote, (("this", iri),))
    assert failed.value.kind == "binding" and why in str(failed.value) and repr(iri) in str(failed.value)
    assert remote.sent == []


@pytest.mark.parametrize("name", ["th is", "?this", "this) {", ""])
def test_a_name_that_is_no_variable_is_refused_and_not_sent(remote, name):
    with pytest.raises(QueryFailed, match="not a SPARQL variable name") as failed:
        _run(remote, ((name, WUXI),))
    assert failed.value.kind == "binding" and remote.sent == []


def test_blank_nodes_of_virtuoso_results_are_read_and_kept_apart(virtuoso, built):
    # Virtuoso labels blank nodes "nodeID://b10001" in SPARQL JSON, which is no blank node label.
    query = "SELECT ?union WHERE { ?union <http://www.w3.org/2002/07/owl#unionOf> ?members }"
    remote = [row["union"] for row in virtuoso.query(query)]
    embedded = list(ox.Store.read_only(str(built.store)).query(query, use_default_graph_as_union=True))
    assert remote and all(isinstance(r, ox.BlankNode) for r in remote)
    assert len(set(remote)) == len(remote) == len(embedded)
