"""The access log: a line per request on standard output, with the query time and rows the handler measured.

Written by the application, not the HTTP server, so that every server that runs it logs the same line.
"""
import sys
import time

from flask import Flask, Response, g, request


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.access_started = time.perf_counter()

    @app.after_request
    def _line(response: Response) -> Response:
        started = g.get("access_started")
        spent = f"{(time.perf_counter() - started) * 1000:.1f}" if started else "-"
        target = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
        sys.stdout.write(f'{request.remote_addr} "{request.method} {target} {request.environ.get("SERVER_PROTOCOL")}" '
                         f"{response.status_code} {response.content_length or '-'} {spent}ms "
                         f"query={response.headers.get('X-Query-Time', '-')}\n")
        sys.stdout.flush()
        return response
