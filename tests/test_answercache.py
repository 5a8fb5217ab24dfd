"""Answers kept per store version: a repeated query is answered from the cache until the data changes."""
import requests

from kg.answercache import AnswerCache
from kg.executor import Answer, QueryRequest
from kg.querytext import is_repeatable

from .conftest import TOKEN

NOTE = "https://example.org/gongzhi-test/cache-note"
ASK_NOTE = "ASK { GRAPH ?g { <%s> ?p ?o } }" % NOTE
JSON = {"Accept": "application/sparql-results+json"}


def _req(text: str) -> QueryRequest:
    return QueryRequest(text, results_format="application/sparql-results+json")


def _answer(size: int) -> Answer:
    return Answer("application/sparql-results+json", b"x" * size, 1, "v1")


def test_an_answer_is_kept_for_its_store_version_only():
    cache = AnswerCache(1 << 20)
    req = _req("SELECT * { ?s ?p ?o }")
    cache.put("v1", req, _answer(10))
    assert cache.get("v1", req).body == b"x" * 10
    assert cache.get("v2", req) is None
    assert cache.get("v1", _req("SELECT * { ?s ?p ?o } LIMIT 1")) is None


def test_the_least_recently_used_answers_go_first_past_the_size():
    cache = AnswerCache(8000)
    first, second, third = _req("SELECT ?a {}"), _req("SELECT ?b {}"), _req("SELECT ?c {}")
    cache.put("v", first, _answer(900))
    cache.put("v", second, _answer(900))
    cache.get("v", first)  # used: now the second is the oldest
    for n in range(8):
        cache.put("v", _req(f"SELECT ?n{n} {{}}"), _answer(900))
    cache.put("v", third, _answer(900))
    assert cache.get("v", second) is None
    assert sum(len(a.body) + len(r.query) for (_, r), a in cache._entries.items()) <= 8000
    assert cache.get("v", third) is not None


def test_an_answer_larger_than_a_quarter_of_the_cache_is_not_kept():
    cache = AnswerCache(8000)
    cache.put("v", _req("SELECT ?big {}"), _answer(2100))
    assert len(cache) == 0
    cache.put("v", _req("SELECT ?fits {}"), _answer(1900))
    assert len(cache) == 1


def test_only_repeatable_queries_are_kept():
    assert is_repeatable("SELECT ?s { ?s ?p ?o } # RAND() in a comment")
    assert is_repeatable('SELECT ?s { ?s ?p "NOW()" }')
    assert not is_repeatable("SELECT (RAND() AS ?r) {}")
    assert not is_repeatable("SELECT (now () AS ?t) {}")
    assert not is_repeatable("SELECT ?s { BIND(STRUUID() AS ?s) }")
    assert not is_repeatable("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


def test_a_repeated_query_is_a_hit_and_no_cache_asks_afresh(server):
    session = requests.Session()  # one connection: one worker process, one cache
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"}
    first = session.post(f"{server}/sparql", data=query, headers=JSON)
    again = session.post(f"{server}/sparql", data=query, headers=JSON)
    fresh = session.post(f"{server}/sparql", data=query, headers={**JSON, "Cache-Control": "no-cache"})
    assert [r.headers["X-Cache"] for r in (first, again, fresh)] in (["miss", "hit", "miss"], ["hit", "hit", "miss"])
    assert first.json() == again.json() == fresh.json()
    rand = session.post(f"{server}/sparql", data={"query": "SELECT (RAND() AS ?r) {}"}, headers=JSON)
    assert rand.headers["X-Cache"] == "off"


def test_an_update_makes_a_new_version_and_the_kept_answer_is_not_served(writable_server):
    session = requests.Session()
    asked = [session.post(f"{writable_server}/sparql", data={"query": ASK_NOTE}, headers=JSON) for _ in range(2)]
    assert [a.json()["boolean"] for a in asked] == [False, False]
    assert asked[1].headers["X-Cache"] == "hit"
    update = ("INSERT DATA { GRAPH <https://example.org/gongzhi-test/cache> { <%s> "
              "<http://www.w3.org/2000/01/rdf-schema#comment> \"kept until the data changes\"@en } }" % NOTE)
    done = session.post(f"{writable_server}/sparql", data=update.encode(),
                        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    after = session.post(f"{writable_server}/sparql", data={"query": ASK_NOTE}, headers=JSON)
    assert after.headers["X-Cache"] == "miss"
    assert after.json()["boolean"] is True
