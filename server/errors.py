"""Protocol errors as small named responses, in zh and en; never a traceback."""
from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from kg.executor import QueryBusy


class ProtocolError(Exception):
    """An error the client can act on: an HTTP status and a message in both languages."""

    def __init__(self, status: int, zh: str, en: str, details: list | None = None, headers: dict | None = None):
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en
        self.details, self.headers = details or [], headers or {}


def bad_request(zh: str, en: str) -> ProtocolError:
    return ProtocolError(400, zh, en)


def not_utf8() -> ProtocolError:
    return bad_request("查询、更新及其参数必须使用 UTF-8 编码", "queries, updates and their parameters must be in UTF-8")


def missing_content_type() -> ProtocolError:
    return bad_request("POST 请求缺少 Content-Type",
                       "a POST needs a Content-Type: application/x-www-form-urlencoded, "
                       "application/sparql-query or application/sparql-update")


def not_acceptable(offered: list[str]) -> ProtocolError:
    return ProtocolError(406, "无法提供所请求的格式，可用：" + ", ".join(offered),
                         "cannot produce the requested format; available: " + ", ".join(offered))


def unsupported_media_type(got: str) -> ProtocolError:
    return ProtocolError(415, f"不支持的请求体类型：{got}",
                         f"unsupported request body type: {got}; use application/x-www-form-urlencoded "
                         "or application/sparql-query")


RETRY_AFTER_S = 5  # seconds a client refused for want of a query slot is told to wait (Retry-After)


def busy(exc: QueryBusy) -> ProtocolError:
    """Every query slot (kg/slots.py) stayed taken for the query's whole time limit."""
    return ProtocolError(503, f"服务繁忙：{exc.slots} 个查询槽位在 {exc.timeout:g} 秒内一直被占用；请稍后重试",
                         f"the service is busy: all {exc.slots} query slots stayed taken for {exc.timeout:g} s; "
                         "retry later", headers={"Retry-After": str(RETRY_AFTER_S)})


def read_only() -> ProtocolError:
    return ProtocolError(403, "本端点只读，不接受更新", "this endpoint is read-only and takes no updates")


def _response(status: int, zh: str, en: str, details: list | None = None) -> Response:
    payload = {"status": status, "message": {"zh": zh, "en": en}}
    if details:
        payload["violations"] = details
    body = json.dumps(payload, ensure_ascii=False)
    return Response(f"{body}\n", status=status, mimetype="application/json")


def init_app(app: Flask) -> None:
    @app.errorhandler(ProtocolError)
    def _protocol(exc: ProtocolError):
        response = _response(exc.status, exc.zh, exc.en, exc.details)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(QueryBusy)
    def _busy(exc: QueryBusy):  # the service's own queries (health, VoID, description) as well as the user's
        return _protocol(busy(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = _response(exc.code or 500, exc.name, exc.description or exc.name)
        # Keep what the status needs besides the body, such as Allow on a 405.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return _response(500, "服务器内部错误", "internal server error")
