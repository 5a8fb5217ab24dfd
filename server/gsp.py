"""The SPARQL 1.1 Graph Store HTTP Protocol at /gsp: ?graph=<iri> or ?default, or a graph's own URL below /gsp/.

Off unless update tokens are configured; reading needs no token, writing does. Writes go through the
same checked, all-or-nothing path as SPARQL Update.
"""
import json
import uuid

import pyoxigraph as ox

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import Graph, URIRef

from kg import updates
from kg.dataset import is_curated
from kg.executor import DEFAULT_GRAPH, QueryBusy, QueryFailed, QueryRequest
from kg.overlay import DEFAULT
from server import negotiation, writes
from server.auth import require_writer, writes_enabled
from server.db import QUERIES, get_executor
from server.errors import ProtocolError, bad_request, unsupported_media_type

bp = Blueprint("gsp", __name__)
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
PARSERS = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt",
           "text/plain": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld", "text/n3": "n3",
           "application/n-quads": "nquads", "application/trig": "trig"}


def _target(rest: str | None):
    """The graph the request names: DEFAULT, an IRI, or None (a POST creating a new graph)."""
    if rest is not None:
        return URIRef(request.base_url)  # direct identification: the graph's IRI is this URL
    graphs, default = request.args.getlist("graph"), "default" in request.args
    if len(graphs) + default > 1:
        raise bad_request("只能指定一个图：graph=… 或 default", "name one graph: graph=... or default")
    if default:
        return DEFAULT
    if not graphs:
        return None
    try:
        ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise bad_request(f"graph 参数不是有效的IRI：{exc}", f"the graph parameter is not a valid IRI: {exc}") from None
    return URIRef(graphs[0])


def _ask(name: str, graph) -> tuple[str, tuple[str]]:
    text = (QUERIES / name).read_text(encoding="utf-8")
    chosen = DEFAULT_GRAPH if graph == DEFAULT else str(graph)
    return text, (chosen,)


def _exists(graph) -> bool:
    if graph == DEFAULT:
        return True
    text, graphs = _ask("graph-nonempty.rq", graph)
    try:
        answer = get_executor().run(QueryRequest(text, graphs, results_format="application/sparql-results+json"),
                                    float(current_app.config["QUERY_TIMEOUT"]))
    except QueryBusy:
        raise  # the app's handler answers it
    except QueryFailed as exc:
        raise ProtocolError(503 if exc.kind == "timeout" else 502, f"无法读取该图：{exc}",
                            f"the graph cannot be read: {exc}") from None
    return json.loads(answer.body)["boolean"]


def _read(graph) -> Response:
    if not _exists(graph):
        raise ProtocolError(404, "没有这个图", "no such graph")
    media, _ = negotiation.choose(request, negotiation.GRAPH_FORMATS)
    text, graphs = _ask("graph-triples.rq", graph)
    try:
        answer = get_executor().run(QueryRequest(text, graphs, graph_format=media,
                                                 max_triples=int(current_app.config["MAX_TRIPLES"])),
                                    float(current_app.config["QUERY_TIMEOUT"]))
    except QueryBusy:
        raise  # the app's handler answers it
    except QueryFailed as exc:
        if exc.kind == "triples":
            raise ProtocolError(400, f"该图超过 {exc} 个三元组的上限（GONGZHI_MAX_TRIPLES），请用 SPARQL 分批读取",
                                f"the graph has more than {exc} triples, the limit (GONGZHI_MAX_TRIPLES); "
                                "read it in parts with SPARQL") from None
        raise ProtocolError(503 if exc.kind == "timeout" else 400, f"无法读取该图：{exc.kind}",
                            f"the graph cannot be read: {exc.kind}") from None
    response = Response(b"" if request.method == "HEAD" else answer.body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    return response


def _payload() -> Graph:
    """The RDF in the request body: one document, or the files of a multipart/form-data upload."""
    graph = Graph()
    parts = ([(f.mimetype or "", f.read(), f.filename) for f in request.files.values()]
             if request.mimetype == "multipart/form-data" else [(request.mimetype, request.get_data(), None)])
    for media, data, name in parts:
        fmt = PARSERS.get(media) or (PARSERS.get("text/turtle") if (name or "").endswith(".ttl") else None)
        if fmt is None:
            raise unsupported_media_type(media or "(none)")
        try:
            graph.parse(data=data, format=fmt, publicID=request.base_url)
        except Exception as exc:  # noqa: BLE001 - every parser failure is the client's bad input
            raise bad_request(f"无法解析请求中的RDF：{exc}", f"the RDF in the request cannot be parsed: {exc}") from None
    return graph


def _write(graph) -> Response:
    require_writer()
    if graph is not None and graph != DEFAULT and is_curated(graph):
        raise ProtocolError(403, "整理过的图只能通过其源文件修改", "curated graphs change only through their source files")
    if request.method == "DELETE":
        if not _exists(graph):
            raise ProtocolError(404, "没有这个图", "no such graph")
        writes.change(lambda base: updates.replace_graph(base, graph, None))
        return Response(status=204)
    triples = _payload()
    if request.method == "PUT":
        existed = graph == DEFAULT or _exists(graph)
        writes.change(lambda base: updates.replace_graph(base, graph, triples))
        return Response(status=204 if existed else 201)
    if graph is None:  # POST to the service itself: a new graph, named by its own URL
        graph = URIRef(url_for("gsp.direct", rest=f"graphs/{uuid.uuid4().hex}", _external=True))
        writes.change(lambda base: updates.add_to_graph(base, graph, triples))
        return Response(status=201, headers={"Location": str(graph)})
    writes.change(lambda base: updates.add_to_graph(base, graph, triples))
    return Response(status=204)


def _handle(rest: str | None) -> Response:
    if not writes_enabled():
        raise ProtocolError(404, "图存储协议未启用（未配置令牌）", "the graph store protocol is not enabled (no tokens are configured)")
    graph = _target(rest)
    if request.method in ("GET", "HEAD"):
        if graph is None:
            raise bad_request("请指定 graph=… 或 default", "name a graph: graph=... or default")
        return _read(graph)
    if graph is None and request.method != "POST":
        raise bad_request("请指定 graph=… 或 default", "name a graph: graph=... or default")
    return _write(graph)


@bp.route("/gsp", methods=METHODS)
def indirect():
    return _handle(None)


@bp.route("/gsp/<path:rest>", methods=METHODS)
def direct(rest):
    return _handle(rest)
