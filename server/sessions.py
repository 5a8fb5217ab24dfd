"""Signed-cookie sessions (only /edit keeps one), opened without cost for the requests that carry none.

Flask's interface builds its signing serializer on every request before it looks for the cookie: 36–38 µs
of the 470–510 µs the app takes in-process to return a SPARQL answer from the cache.
"""
from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # empty: saved (and signed) only if the request writes to it
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = LazySessionInterface()
