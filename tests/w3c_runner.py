"""A runner for the W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests.

The manifests describe each test as HTTP requests (the W3C HTTP-in-RDF vocabulary) and the responses
expected. The runner reads them with rdflib, sends the requests with `requests` to the server under test,
with the manifests' /sparql/ and /gsp paths rewritten to the server's, and checks each answer: the status
class or code, the result format (boolean, tabular or RDF, by parsing the body), the boolean, the
Content-Type and, for graph-store GETs, the graph. The three service-description tests have no requests in
their manifest; they check the description a GET on the query endpoint returns.

    python -m tests.w3c_runner http://127.0.0.1:8808      # every test, as a table

That runs the update and graph-store tests too, which clear and replace graphs: use a scratch store.
"""
import argparse
import io
import json
import os
import sys
import urllib.error
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

import requests
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.query import Result

from kg import paths
from kg.namespace import MF, SD

SUITE = Path(os.environ.get("GONGZHI_W3C_TESTS", paths.SHARED / "w3c" / "sparql11"))
MANIFESTS = {"protocol": "protocol/manifest.ttl", "graph-store": "graph-store-protocol/manifest.ttl",
             "service-description": "service-description/manifest.ttl"}
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
FORM = "application/x-www-form-urlencoded"
LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
# What a client asks for when it wants the service description (RDF, not results).
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"


@dataclass(frozen=True)
class Step:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict
    body: bytes | None
    statuses: tuple  # hts: terms, any of which will do
    result_format: str | None = None  # "boolean", "tabular" or "RDF"
    boolean: bool | None = None
    location: str | None = None  # a variable that takes the Location header, for later requests
    response_headers: dict = field(default_factory=dict)
    response_body: bytes | None = None  # an RDF graph the response must be isomorphic to


@dataclass(frozen=True)
class Test:
    suite: str
    id: str
    name: str
    steps: tuple
    data: tuple = ()  # (file, graph IRI) to load before the requests
    requires: frozenset = frozenset()

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.id}"


@dataclass
class Endpoints:
    """Where the server under test answers, and how to rewrite the manifests' test-data IRIs for it."""

    base: str
    query: str = "/sparql"
    update: str = "/sparql"
    gsp: str = "/gsp"
    iris: dict = field(default_factory=dict)  # IRI prefix in the manifests -> prefix to use instead
    headers: dict = field(default_factory=dict)  # sent with every request, e.g. the bearer token for writes

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path

    def iri(self, text: str) -> str:
        for old, new in self.iris.items():
            text = text.replace(old, new).replace(quote(old, safe=""), quote(new, safe=""))
        return text

    def body(self, body: bytes | None) -> bytes | None:
        if not body or not self.iris:
            return body
        try:
            return self.iri(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:  # the UTF-16 bodies of the tests that a server must refuse
            return body

    def path(self, step: Step) -> str:
        """The manifest's path on this server: /sparql/ becomes the query or update path, /gsp the graph store's."""
        kind = _kind(step)
        if kind == "gsp":
            return self.iri(self.gsp + step.path.removeprefix("/gsp"))
        return self.iri((self.update if kind == "update" else self.query) + step.path.removeprefix("/sparql/"))


@dataclass(frozen=True)
class Outcome:
    test: Test
    passed: bool
    reason: str = ""


# --- reading the manifests --------------------------------------------------------------------------------

def _list(g: Graph, node, prop) -> list:
    head = g.value(node, prop) if node is not None else None
    return list(Collection(g, head)) if head is not None else []


def _file(iri) -> Path:
    return Path(unquote(urlparse(str(iri)).path))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _content(g: Graph, node) -> bytes | None:
    if node is None:
        return None
    return str(g.value(node, CNT.chars)).encode(str(g.value(node, CNT.characterEncoding) or "UTF-8"))


def _headers(g: Graph, node) -> dict:
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue)) for h in _list(g, node, HT.headers)}


def _step(g: Graph, request) -> Step:
    response = g.value(request, HT.resp)
    boolean = g.value(response, MF.expectedBoolean)
    return Step(method=str(g.value(request, HT.methodName)), path=str(g.value(request, HT.absolutePath)),
                headers=_headers(g, request), body=_content(g, g.value(request, HT.body)),
                statuses=tuple(sorted(g.objects(response, MF.expectedStatus))),
                result_format=_text(g.value(response, MF.expectedFormat)),
                boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                location=_text(g.value(response, MF.expectedLocation)),
                response_headers=_headers(g, response), response_body=_content(g, g.value(response, HT.body)))


def _test(g: Graph, suite: str, entry) -> Test:
    steps = tuple(_step(g, r) for r in _list(g, g.value(entry, MF.action), HT.requests))
    data = tuple(sorted((_file(g.value(d, UT.graph)), str(g.value(d, RDFS.label)))
                        for d in g.objects(entry, UT.graphData)))
    return Test(suite, str(entry).rsplit("#", 1)[-1], str(g.value(entry, MF.name)), steps, data,
                frozenset(g.objects(entry, MF.requires)))


def _manifest(suite: str, path: Path) -> list[Test]:
    g = Graph().parse(path, format="turtle")
    manifest = URIRef(path.resolve().as_uri())
    tests = [t for included in _list(g, manifest, MF.include) for t in _manifest(suite, _file(included))]
    return tests + [_test(g, suite, entry) for entry in _list(g, manifest, MF.entries)]


def load(suite: Path = SUITE) -> list[Test]:
    """Every test the manifests list, in their order."""
    return [t for name, path in MANIFESTS.items() for t in _manifest(name, suite / path)]


# --- what a test needs of the server ----------------------------------------------------------------------

def _parses(parse, text: str) -> bool:
    try:
        parse(text)
        return True
    except Exception:  # noqa: BLE001 - pyparsing raises several kinds
        return False


def _kind(step: Step) -> str:
    """'gsp', 'update' or 'query': what the request asks of the server, read from the request itself."""
    path, _, query = step.path.partition("?")
    if path == "/gsp" or path.startswith("/gsp/"):
        return "gsp"
    media = step.headers.get("content-type", "").split(";")[0].strip()
    body = (step.body or b"").decode("utf-8", "replace")
    keys = set(parse_qs(query)) | (set(parse_qs(body)) if media in ("", FORM) else set())
    if media == "application/sparql-update" or keys & {"update", "using-graph-uri", "using-named-graph-uri"}:
        return "update"
    if media not in (FORM, "application/sparql-query") and body.strip() and not _parses(parseQuery, body):
        return "update" if _parses(parseUpdate, body) else "query"
    return "query"


def _step_needs(step: Step):
    """A query needs SPARQL 1.1 Query, an update SPARQL 1.1 Update, a graph-store request its way to name a graph."""
    kind = _kind(step)
    if kind != "gsp":
        return SD.SPARQL11Query if kind == "query" else SD.SPARQL11Update
    path, _, query = step.path.partition("?")
    if path != "/gsp":
        return MF.DirectGraphIdentification
    return MF.IndirectGraphIdentification if query else MF.POSTGraphCreation


def needs(test: Test) -> set:
    """The capabilities a test needs, as a service description names them (sd:supportedLanguage, sd:feature).

    Those of its requests, its mf:requires, and SPARQL Update if it has data to load (the runner loads it so).
    The service-description tests need the query service, which serves the description.
    """
    wanted = set(test.requires) | {_step_needs(step) for step in test.steps}
    wanted |= {SD.SPARQL11Update} if test.data else set()
    return wanted or {SD.SPARQL11Query}


# --- the service description ------------------------------------------------------------------------------

def description(ends: Endpoints) -> tuple[Graph, str]:
    """The description a GET on the query endpoint returns (asking for RDF), and what went wrong, if anything."""
    response = requests.get(ends.url(ends.query), headers={"Accept": RDF_ACCEPT}, timeout=30)
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.status_code != 200:
        return Graph(), f"GET {ends.query} without a query: status {response.status_code}"
    try:
        return Graph().parse(data=response.content, format=media), ""
    except Exception as exc:  # noqa: BLE001 - any parser's error
        return Graph(), f"GET {ends.query} without a query: {media or 'no Content-Type'} is not RDF ({exc})"


def capabilities(ends: Endpoints) -> set:
    """What the service at the query endpoint says it offers: its languages and features."""
    graph, _ = description(ends)
    services = set(graph.subjects(SD.endpoint, URIRef(ends.url(ends.query))))
    return {o for s in services for p in (SD.supportedLanguage, SD.feature) for o in graph.objects(s, p)}


def _schema_problems(graph: Graph) -> list[str]:
    problems = [f"sd:NamedGraph {g} has no single IRI sd:name" for g in graph.subjects(RDF.type, SD.NamedGraph)
                if [type(n) for n in graph.objects(g, SD.name)] != [URIRef]]
    problems += [f"{s} has sd:endpoint but is no sd:Service" for s in graph.subjects(SD.endpoint)
                 if (s, RDF.type, SD.Service) not in graph]
    problems += [f"{d} is a default dataset but no sd:Dataset" for d in graph.objects(None, SD.defaultDataset)
                 if (d, RDF.type, SD.Dataset) not in graph]
    problems += [f"unknown language {lang}" for lang in graph.objects(None, SD.supportedLanguage)
                 if lang not in LANGUAGES]
    return problems


def _check_description(test: Test, ends: Endpoints) -> Outcome:
    """The service-description tests have no requests in their manifest: each is a check of the description."""
    graph, problem = description(ends)
    endpoint = URIRef(ends.url(ends.query))
    checks = {"returns-rdf": "" if len(graph) else "the description is empty",
              "has-endpoint-triple": "" if (None, SD.endpoint, endpoint) in graph
              else f"no triple ?service sd:endpoint <{endpoint}>",
              "conforms-to-schema": "; ".join(_schema_problems(graph))}
    problem = problem or checks.get(test.id, f"the runner has no check for {test.id}")
    return Outcome(test, not problem, problem)


# --- running the requests ---------------------------------------------------------------------------------

def _gist(text: str) -> str:
    """The gist of an error body: its English message if it is this project's JSON, else its start."""
    try:
        return json.loads(text)["message"]["en"]
    except (ValueError, KeyError, TypeError):
        return " ".join(text.split())[:160]


class LoadFailed(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _load(test: Test, ends: Endpoints) -> None:
    """Load the test's data files into their graphs with SPARQL Update (rdflib writes the INSERT DATA)."""
    if not test.data:
        return
    store = SPARQLUpdateStore(update_endpoint=ends.url(ends.update), autocommit=False, headers=dict(ends.headers))
    for path, name in test.data:
        graph = Graph(identifier=URIRef(ends.iri(name)))
        store.addN((s, p, o, graph) for s, p, o in Graph().parse(data=ends.iri(path.read_text()), format="nt"))
    try:
        store.commit()
    except urllib.error.HTTPError as exc:
        body = _gist(exc.read().decode("utf-8", "replace"))
        files = ", ".join(p.name for p, _ in test.data)
        raise LoadFailed(exc.code, f"loading {files} with SPARQL Update: status {exc.code}: {body}") from None


def _send(session: requests.Session, step: Step, ends: Endpoints, variables: dict) -> requests.Response:
    path, body = ends.path(step), ends.body(step.body)
    for name, value in variables.items():
        path = path.replace(name, value)
        body = body.replace(name.encode(), value.encode()) if body else body
    prepared = session.prepare_request(requests.Request(step.method, ends.url(path),
                                                        headers={**ends.headers, **step.headers}, data=body))
    prepared.url = ends.url(path)  # as the manifest writes it: requests would re-quote some escapes
    return session.send(prepared, timeout=30, allow_redirects=False)


def _status_ok(code: int, statuses: tuple) -> bool:
    """hts:StatusCode4xx is a class of codes; hts:NoContent and the like name one code by its reason phrase."""
    try:
        phrase = HTTPStatus(code).phrase.replace(" ", "")
    except ValueError:
        phrase = ""
    names = [str(term).rsplit("#", 1)[-1] for term in statuses]
    return any(name == phrase or name == f"StatusCode{str(code)[0]}xx" for name in names)


def _media(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _format_problem(step: Step, response: requests.Response, media: str) -> str:
    want = step.result_format
    try:
        if want == "RDF":
            Graph().parse(data=response.content, format=media)
            return ""
        result = Result.parse(io.BytesIO(response.content), format=media)
    except Exception as exc:  # noqa: BLE001 - any parser's error
        return f"expected {want} results, got {media or 'no Content-Type'} that does not parse as such ({exc})"
    if result.type != {"boolean": "ASK", "tabular": "SELECT"}[want]:
        return f"expected {want} results, got {result.type} results"
    if step.boolean is not None and result.askAnswer != step.boolean:
        return f"answer {str(result.askAnswer).lower()}, expected {str(step.boolean).lower()}"
    return ""


def _check(step: Step, response: requests.Response, variables: dict) -> str:
    """What is wrong with the response, or ''; binds the Location variable for the next requests."""
    if not _status_ok(response.status_code, step.statuses):
        wanted = ", ".join(str(s).rsplit("#", 1)[-1] for s in step.statuses)
        return f"status {response.status_code}, expected {wanted}: {_gist(response.text)}"
    media = _media(response.headers.get("Content-Type", ""))
    if step.location:
        if "Location" not in response.headers:
            return "no Location header"
        variables[step.location] = response.headers["Location"]
    expected = step.response_headers.get("content-type")
    if expected and media != _media(expected):
        return f"Content-Type {media or 'none'}, expected {expected}"
    if step.result_format and (problem := _format_problem(step, response, media)):
        return problem
    if step.response_body is not None:
        wanted = Graph().parse(data=step.response_body, format=_media(expected or "text/turtle"))
        got = Graph().parse(data=response.content, format=media)
        if not isomorphic(wanted, got):
            return f"the graph differs from the one expected ({len(got)} triples, expected {len(wanted)})"
    return ""


def _reset(session: requests.Session, test: Test, ends: Endpoints) -> None:
    """The graph-store tests expect the graphs they write to be absent at first: delete them."""
    writes = [s.path for s in test.steps if s.method in ("PUT", "POST") and _kind(s) == "gsp" and s.path != "/gsp"]
    for path in dict.fromkeys(writes):
        _send(session, Step("DELETE", path, {}, None, ()), ends, {})


def run(test: Test, ends: Endpoints) -> Outcome:
    """Run one test against the server: load its data, send its requests in order, check each response."""
    if not test.steps:
        return _check_description(test, ends)
    try:
        _load(test, ends)
        variables = {}
        with requests.Session() as session:
            _reset(session, test, ends)
            for number, step in enumerate(test.steps, 1):
                response = _send(session, step, ends, variables)
                if problem := _check(step, response, variables):
                    return Outcome(test, False, f"request {number} ({step.method} {ends.path(step)}): {problem}")
    except LoadFailed as exc:
        return Outcome(test, False, str(exc))
    except (requests.RequestException, OSError) as exc:
        return Outcome(test, False, f"{type(exc).__name__}: {exc}")
    return Outcome(test, True)


def refuses(test: Test, ends: Endpoints, missing: set) -> Outcome:
    """For a test needing what the service does not advertise: the service must refuse that (4xx), not do it."""
    names = ", ".join(sorted(str(m).rsplit("#", 1)[-1] for m in missing))
    if SD.SPARQL11Update in missing and test.data:
        try:
            _load(test, ends)
        except LoadFailed as exc:
            return Outcome(test, 400 <= exc.status < 500, f"refused: {exc}")
        return Outcome(test, False, f"loaded data with SPARQL Update without advertising {names}")
    step = next((s for s in test.steps if _step_needs(s) in missing), test.steps[0])
    with requests.Session() as session:
        response = _send(session, step, ends, {})
    refused = 400 <= response.status_code < 500
    return Outcome(test, refused, f"{step.method} {ends.path(step)}: status {response.status_code}, "
                                  f"{'refused' if refused else 'answered'} without advertising {names}")


def table(outcomes: list[Outcome]) -> str:
    """The outcomes as a Markdown table: test, result, reason."""
    rows = ["| test | result | reason |", "|---|---|---|"]
    rows += [f"| {o.test.key} | {'pass' if o.passed else 'FAIL'} | {' '.join(o.reason.replace('|', '/').split())} |"
             for o in outcomes]
    passed = sum(o.passed for o in outcomes)
    return "\n".join(rows) + f"\n\n{passed} of {len(outcomes)} passed\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="w3c_runner", description=__doc__.split("\n\n")[0])
    p.add_argument("base", help="the server, e.g. http://127.0.0.1:8808")
    p.add_argument("--query", default="/sparql")
    p.add_argument("--update", default="/sparql")
    p.add_argument("--gsp", default="/gsp")
    p.add_argument("--iri", action="append", default=[], metavar="OLD=NEW", help="rewrite a test-data IRI prefix")
    p.add_argument("--suite", type=Path, default=SUITE)
    args = p.parse_args(argv)
    ends = Endpoints(args.base, args.query, args.update, args.gsp, dict(m.split("=", 1) for m in args.iri))
    outcomes = [run(t, ends) for t in load(args.suite)]
    print(table(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
