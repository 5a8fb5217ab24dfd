"""Limits that protect the service: hard timeout, row cap, body cap, SERVICE policy; over HTTP."""
import threading
import time

import requests

from kg.namespace import GRAPH, GZ
from kg.slots import QuerySlots

from .conftest import TOKEN, copy_of_build, running_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CASES = "SELECT ?c WHERE { ?c a <%s> } ORDER BY ?c" % GZ.Case


def test_runaway_query_is_stopped_within_timeout_plus_one_second_while_others_are_answered(limited_server):
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = requests.post(f"{limited_server}/sparql", data={"query": RUNAWAY}, timeout=30)
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    during = [requests.get(f"{limited_server}/sparql", params={"query": CASES}, timeout=5) for _ in range(5)]
    thread.join()
    assert all(r.status_code == 200 and "case-southern-jiangsu" in r.text for r in during)
    assert outcome["response"].status_code == 503 and outcome["elapsed"] < 2 + 1
    assert "time limit" in outcome["response"].json()["message"]["en"]


def test_a_request_may_ask_for_a_shorter_timeout_never_a_longer_one(limited_server):
    started = time.monotonic()
    response = requests.get(f"{limited_server}/sparql", params={"query": RUNAWAY, "timeout": "0.5"}, timeout=30)
    assert response.status_code == 503 and time.monotonic() - started < 1.5
    started = time.monotonic()
    response = requests.get(f"{limited_server}/sparql", params={"query": RUNAWAY, "timeout": "60"}, timeout=30)
    assert response.status_code == 503 and time.monotonic() - started < 3
    assert requests.get(f"{limited_server}/sparql", params={"query": CASES, "timeout": "x"}).status_code == 400


def test_result_row_cap(limited_server):
    response = requests.get(f"{limited_server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 400 and "1000 rows" in response.json()["message"]["en"]
    capped = requests.get(f"{limited_server}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000",
                                                              "format": "csv"})
    assert capped.status_code == 200 and capped.text.count("\n") == 1001


def test_graph_answers_are_capped_in_triples_not_rows(limited_server):
    """A CONSTRUCT is an export: its own cap (2000 here), above the rows' (1000)."""
    response = requests.get(f"{limited_server}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.status_code == 400 and "2000 triples" in response.json()["message"]["en"]
    assert "三元组" in response.json()["message"]["zh"]
    export = requests.get(f"{limited_server}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1500"},
                          headers={"Accept": "application/n-triples"})
    assert export.status_code == 200 and export.text.count("\n") == 1500


def test_a_graph_store_read_has_the_triple_cap_and_names_it(built, tmp_path):
    """A whole graph over the Graph Store Protocol: answered up to the cap, refused past it with a message."""
    with running_server(copy_of_build(built, tmp_path), GONGZHI_UPDATE_TOKENS=TOKEN, GONGZHI_MAX_TRIPLES="50") as base:
        small = "<https://example.org/s> <https://example.org/p> 1, 2, 3 ."
        put = requests.put(f"{base}/gsp", params={"graph": "https://example.org/small"}, data=small.encode(),
                           headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
        assert put.status_code in (201, 204), put.text
        got = requests.get(f"{base}/gsp", params={"graph": "https://example.org/small"},
                           headers={"Accept": "application/n-triples"})
        assert got.status_code == 200 and got.text.count("\n") == 3
        big = requests.get(f"{base}/gsp", params={"graph": str(GRAPH["ontology"])},
                           headers={"Accept": "application/n-triples"})
        assert big.status_code == 400 and "50 triples" in big.json()["message"]["en"]
        assert "三元组" in big.json()["message"]["zh"]


def test_request_body_cap(limited_server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    response = requests.post(f"{limited_server}/sparql", data=big.encode(),
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413 and response.json()["message"]["en"]


def test_service_is_refused_unless_allowed(server, limited_server):
    remote = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    for base in (server, limited_server):
        response = requests.get(f"{base}/sparql", params={"query": remote})
        assert response.status_code == 403 and "allowlist" in response.json()["message"]["en"]
    local_file = "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"
    assert requests.get(f"{limited_server}/sparql", params={"query": local_file}).status_code == 403


def test_federated_query_through_the_allowlist(server, limited_server):
    query = ("SELECT ?c WHERE { SERVICE <%s/sparql> { ?c a <%s> } } ORDER BY ?c" % (server, GZ.Case))
    response = requests.get(f"{limited_server}/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    cases = [b["c"]["value"] for b in response.json()["results"]["bindings"]]
    assert [c.rsplit("/", 1)[1] for c in cases] == ["case-chongqing-shangqingsi", "case-southern-jiangsu"]
    # the main server allows no SERVICE at all, not even back to the limited one
    back = "SELECT * WHERE { SERVICE <%s/sparql> { ?s ?p ?o } }" % limited_server
    assert requests.get(f"{server}/sparql", params={"query": back}).status_code == 403



def test_with_every_query_slot_taken_a_query_waits_within_its_time_limit_then_is_refused_but_lookups_go_on(built):
    link = str(built.nquads.parent / "store")  # the server's store: its slots are the ones taken here
    with running_server(built, GONGZHI_QUERY_SLOTS="1", GONGZHI_QUERY_TIMEOUT="2", GONGZHI_UPDATE_TOKENS=TOKEN) as base:
        with QuerySlots(link, 1).slot(1):  # as another worker running a long query would
            started = time.monotonic()
            refused = requests.get(f"{base}/sparql", params={"query": CASES, "timeout": "0.5"}, timeout=30)
            waited = time.monotonic() - started
            lookup = requests.get(f"{base}/sparql", params={"query": f"SELECT ?p ?o WHERE {{ <{GZ.Case}> ?p ?o }}"},
                                  headers={"Accept": "application/sparql-results+json"}, timeout=5)
            graph = requests.get(f"{base}/gsp", params={"default": ""}, headers={"Accept": "application/n-triples"},
                                 timeout=30)
            health = requests.get(f"{base}/health", timeout=30)  # the service's own query, 10 s to wait
        assert refused.status_code == 503 and 0.5 <= waited < 1.5
        assert refused.headers["Retry-After"] == "5"
        message = refused.json()["message"]
        assert "all 1 query slots stayed taken for 0.5 s" in message["en"] and "查询槽位" in message["zh"]
        assert lookup.status_code == 200 and lookup.json()["results"]["bindings"]  # a lookup needs no slot
        assert graph.status_code == 503 and graph.headers["Retry-After"] == "5"
        assert "busy" in graph.json()["message"]["en"]
        assert health.status_code == 503 and "busy" in health.json()["message"]["en"]

        # A slot given back within the query's time limit: the query waits for it, then is answered.
        holding = threading.Event()

        def hold_for_a_while():
            with QuerySlots(link, 1).slot(1):
                holding.set()
                time.sleep(0.6)

        holder = threading.Thread(target=hold_for_a_while)
        holder.start()
        holding.wait(5)
        started = time.monotonic()
        answered = requests.get(f"{base}/sparql", params={"query": CASES}, timeout=10)
        holder.join()
        assert answered.status_code == 200 and "case-southern-jiangsu" in answered.text
        assert time.monotonic() - started >= 0.4


def test_identical_queries_waiting_together_share_one_run_and_say_so(built):
    """Analysts running the same ready-made query at once: it waits in line once and runs once, and each
    answer is still computed after its request came (so Cache-Control: no-cache is kept)."""
    link = str(built.nquads.parent / "store")
    with running_server(built, workers=1, GONGZHI_QUERY_SLOTS="1") as base:
        answers = [None] * 3

        def ask(i: int) -> None:
            answers[i] = requests.post(f"{base}/sparql", data={"query": CASES}, timeout=30,
                                       headers={"Accept": "text/csv", "Cache-Control": "no-cache"})

        with QuerySlots(link, 1).slot(1):
            askers = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
            for asker in askers:
                asker.start()
            time.sleep(1)  # all three in line behind the slot held here
        for asker in askers:
            asker.join(30)
        assert [a.status_code for a in answers] == [200] * 3
        assert [a.headers.get("X-Shared-Run") for a in answers] == ["3"] * 3
        assert len({a.text for a in answers}) == 1 and "case-southern-jiangsu" in answers[0].text
        alone = requests.post(f"{base}/sparql", data={"query": CASES}, timeout=30,
                              headers={"Accept": "text/csv", "Cache-Control": "no-cache"})
        assert alone.status_code == 200 and "X-Shared-Run" not in alone.headers
