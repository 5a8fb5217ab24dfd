"""The SPARQL 1.1 Protocol endpoint: queries by GET, POST form or POST direct; a bare GET describes the service."""
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from kg import updates
from kg.executor import QueryFailed, QueryRequest
from kg.federation import FederationRefused
from kg.federation import check as check_federation
from server import description, negotiation, writes
from server.auth import require_writer, writes_enabled
from server.db import answer, federation_policy
from server.errors import (ProtocolError, bad_request, busy, missing_content_type, not_acceptable, not_utf8, read_only,
                           unsupported_media_type)

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = {"application/sparql-query": "query", "application/sparql-update": "update"}
# The parameters that name the RDF dataset of each kind of operation.
DATASET = {"query": ("default-graph-uri", "named-graph-uri"), "update": ("using-graph-uri", "using-named-graph-uri")}


@dataclass(frozen=True)
class Operation:
    """One protocol request: a query or an update, and the dataset it names (None: the service's own)."""

    kind: str
    text: str
    default_graphs: list | None
    named_graphs: list | None
    params: MultiDict  # all the request's parameters (format, timeout), parsed once


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise not_utf8() from None


def _params(raw: bytes) -> MultiDict:
    """URL-encoded parameters, decoded strictly as UTF-8 (Werkzeug would replace bad bytes silently)."""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    return MultiDict((_utf8(k.encode("latin-1")), _utf8(v.encode("latin-1"))) for k, v in pairs)


def _iris(values: list[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(v) for v in values]
    except ValueError as exc:
        raise bad_request(f"数据集参数中的IRI无效：{exc}", f"invalid IRI in a dataset parameter: {exc}") from None


def _operation() -> Operation | None:
    """The operation the request carries, by the rules of the protocol; None if it carries none."""
    params = _params(request.query_string)
    if request.method == "POST":
        media = request.mimetype
        if not media:
            raise missing_content_type()
        if request.mimetype_params.get("charset", "utf-8").lower().replace("-", "") != "utf8":
            raise not_utf8()
        if media == FORM:
            params.update(_params(request.get_data(cache=True)))  # MultiDict.update adds values
        elif media in DIRECT:
            params.add(DIRECT[media], _utf8(request.get_data(cache=True)))
        else:
            raise unsupported_media_type(media)
    queries, updates = params.getlist("query"), params.getlist("update")
    if queries and updates:
        raise bad_request("一个请求不能同时包含 query 和 update", "a request carries a query or an update, not both")
    if len(queries) > 1 or len(updates) > 1:
        raise bad_request("只能有一个 query 或 update 参数", "give exactly one 'query' or 'update'")
    if not queries and not updates:
        return None
    kind = "query" if queries else "update"
    default, named = (_iris(params.getlist(name)) for name in DATASET[kind])
    given = bool(default or named)  # a dataset in the request replaces the default union view
    return Operation(kind, (queries or updates)[0], default if given else None, named if given else None, params)


def _offer(formats: dict, params: MultiDict) -> str | None:
    """The media type the client takes for one kind of answer; None if it takes none of them."""
    try:
        return negotiation.choose(request, formats, params)[0]
    except ProtocolError:
        return None


def _timeout(params_timeout: str | None) -> float:
    """The configured timeout; a request may ask for less, never more."""
    limit = float(current_app.config["QUERY_TIMEOUT"])
    if not params_timeout:
        return limit
    try:
        asked = float(params_timeout)
    except ValueError:
        raise bad_request(f"timeout 参数无效：{params_timeout}", f"invalid timeout: {params_timeout}") from None
    if asked <= 0:
        raise bad_request("timeout 必须大于 0", "timeout must be above 0")
    return min(asked, limit)


def _run(op: Operation, timeout: float) -> tuple:
    try:
        check_federation(op.text, federation_policy())
    except FederationRefused as exc:
        raise ProtocolError(403, exc.zh, exc.en) from None
    req = QueryRequest(op.text, tuple(g.value for g in op.default_graphs or ()),
                       tuple(g.value for g in op.named_graphs or ()),
                       results_format=_offer(negotiation.RESULT_FORMATS, op.params),
                       graph_format=_offer(negotiation.GRAPH_FORMATS, op.params),
                       max_rows=int(current_app.config["MAX_ROWS"]),
                       max_triples=int(current_app.config["MAX_TRIPLES"]), base_iri=request.base_url)
    try:
        return answer(req, timeout, fresh=_fresh())
    except QueryFailed as exc:
        raise _failure(exc, timeout) from None


def _fresh() -> bool:
    """Whether the client asks for an answer computed now (RFC 9111: Cache-Control no-cache or no-store)."""
    directives = request.cache_control
    return bool(directives.no_cache or directives.no_store) or request.headers.get("Pragma") == "no-cache"


def _failure(exc: QueryFailed, timeout: float) -> ProtocolError:
    if exc.kind == "syntax":
        return bad_request(f"SPARQL 语法错误：{exc}", f"SPARQL syntax error: {exc}")
    if exc.kind == "timeout":
        return ProtocolError(503, f"查询超过时限（{timeout:g} 秒）已被终止；请缩小查询范围或加 LIMIT",
                             f"the query ran past its time limit ({timeout:g} s) and was stopped; narrow it or add a LIMIT")
    if exc.kind == "busy":
        return busy(exc)
    if exc.kind == "rows":
        return ProtocolError(400, f"结果超过 {exc} 行的上限；请加 LIMIT 或分页",
                             f"the result has more than {exc} rows, the limit; add a LIMIT or page with OFFSET")
    if exc.kind == "triples":
        return ProtocolError(400, f"结果超过 {exc} 个三元组的上限；请缩小 CONSTRUCT 的范围或加 LIMIT",
                             f"the answer has more than {exc} triples, the limit; narrow the CONSTRUCT or add a LIMIT")
    if exc.kind == "not-acceptable":
        formats = negotiation.GRAPH_FORMATS if str(exc) in ("CONSTRUCT", "DESCRIBE") else negotiation.RESULT_FORMATS
        return not_acceptable(list(formats))
    return ProtocolError(500, f"存储出错：{exc}", f"the store failed: {exc}")


def _update(op: Operation) -> Response:
    """SPARQL 1.1 Update: POST only, with a token; one transaction, checked before it commits."""
    if not writes_enabled():
        raise read_only()
    if request.method != "POST":
        raise bad_request("更新只能用 POST 发送", "updates are sent with POST, never GET")
    require_writer()
    try:
        check_federation(op.text, federation_policy(), update=True)
    except FederationRefused as exc:
        raise ProtocolError(403, exc.zh, exc.en) from None
    using = [g.value for g in op.default_graphs or ()]
    using_named = [g.value for g in op.named_graphs or ()]
    started = time.perf_counter()
    done = writes.change(lambda base: updates.evaluate(base, op.text, request.base_url, using, using_named))
    return Response(status=204, headers={
        "X-Query-Time": f"{(time.perf_counter() - started) * 1000:.1f}ms +{len(done.added)}-{len(done.removed)}quads"})


@bp.route("/sparql", methods=["GET", "POST"])
def query():
    op = _operation()
    if op is None:
        if request.method != "POST" and negotiation.names_one_of(request, description.FORMATS):
            return description.response()
        raise bad_request("缺少 query 参数", "missing the 'query' parameter "
                          "(a GET accepting text/turtle without one returns the service description)")
    if op.kind == "update":
        return _update(op)
    if not op.text.strip():
        raise bad_request("query 参数为空", "the 'query' parameter is empty")
    started = time.perf_counter()
    found, cached = _run(op, _timeout(op.params.get("timeout")))
    media = found.media_type
    response = Response(found.body, mimetype=media)
    # The access log (server/__main__.py) prints this: the query time and the rows, for each request.
    response.headers["X-Query-Time"] = f"{(time.perf_counter() - started) * 1000:.1f}ms {found.rows}rows"
    response.headers["X-Cache"] = cached
    if found.shared > 1:  # one run of the engine answered this and other identical requests that waited with it
        response.headers["X-Shared-Run"] = str(found.shared)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    return response
