"""A response body already in memory goes to the HTTP server as one list, not as an iterator.

Werkzeug hands every body over as an iterator, which Granian pulls chunk by chunk from Rust, taking
the GIL for each; a list it writes in one call. Streamed bodies (generators) are left as they are.
"""
from flask import Flask, Response


def init_app(app: Flask) -> None:
    @app.after_request
    def _whole(response: Response) -> Response:
        # No close callbacks to lose: a passed-through body is never closed by Werkzeug.
        if response.is_sequence and not response._on_close and all(isinstance(c, bytes) for c in response.response):
            response.direct_passthrough = True
        return response
