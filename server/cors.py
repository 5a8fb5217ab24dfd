"""Cross-origin requests: allowed from the origins in the configuration, and from none by default."""
from flask import Flask, Response, request


def _allowed(app: Flask, origin: str) -> str | None:
    origins = app.config.get("CORS_ORIGINS") or []
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def init_app(app: Flask) -> None:
    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        allowed = _allowed(app, origin) if origin else None
        if allowed is None:
            return response
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers.add("Vary", "Origin")
        response.headers["Access-Control-Expose-Headers"] = "Content-Type, Location"
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        return response
