"""The SPARQL 1.1 query endpoint (protocol: GET, POST form, POST direct)."""
import time

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from server import negotiation
from server.db import get_store
from server.errors import bad_request, read_only, unsupported_media_type

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def _query_text() -> str:
    if request.method == "GET":
        if "update" in request.args:
            raise read_only()
        return request.args.get("query", "")
    media = (request.mimetype or "").lower()
    if media == FORM:
        if "update" in request.form:
            raise read_only()
        return request.form.get("query", "")
    if media == DIRECT:
        return request.get_data(as_text=True)
    if media == "application/sparql-update":
        raise read_only()
    raise unsupported_media_type(media or "(none)")


def _dataset():
    source = request.args if request.method == "GET" or request.mimetype == DIRECT else request.form
    default = [ox.NamedNode(g) for g in source.getlist("default-graph-uri")]
    named = [ox.NamedNode(g) for g in source.getlist("named-graph-uri")]
    return (default or None), (named or None)


@bp.route("/sparql", methods=["GET", "POST"])
def query():
    text = _query_text()
    if not text.strip():
        raise bad_request("缺少 query 参数", "missing the 'query' parameter")
    try:
        default, named = _dataset()
    except ValueError as exc:
        raise bad_request(f"数据集参数中的IRI无效：{exc}", f"invalid IRI in a dataset parameter: {exc}") from None
    started = time.perf_counter()
    try:
        results = get_store().query(text, default_graph=default, named_graphs=named)
    except SyntaxError as exc:
        raise bad_request(f"SPARQL 语法错误：{exc}", f"SPARQL syntax error: {exc}") from None
    if isinstance(results, ox.QueryTriples):
        media, fmt = negotiation.choose(request, negotiation.GRAPH_FORMATS)
    else:
        media, fmt = negotiation.choose(request, negotiation.RESULT_FORMATS)
    body = results.serialize(format=fmt)
    elapsed = time.perf_counter() - started
    current_app.logger.info("query %.1f ms %s", elapsed * 1000, media)
    response = Response(body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    return response
