"""Gongzhi's SPARQL service: a Flask application factory, one blueprint per concern."""
import os
from pathlib import Path

from flask import Flask

from kg import store
from kg.namespace import GRAPH, MF, SD


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; configuration from the environment, or from the test's dict."""
    app = Flask(__name__)
    env = os.environ.get
    app.config.from_mapping(
        STORE=str(store.store_path()),
        MAX_CONTENT_LENGTH=int(env("GONGZHI_MAX_BODY", 1_000_000)),  # bytes of a request body
        QUERY_TIMEOUT=float(env("GONGZHI_QUERY_TIMEOUT", 30)),  # seconds; a request may ask for less
        MAX_ROWS=int(env("GONGZHI_MAX_ROWS", 100_000)),  # rows (or triples) of an answer
        SERVICE_ALLOW=env("GONGZHI_SERVICE_ALLOW", ""),  # SERVICE endpoint prefixes, space or comma separated
        SERVICE_ALLOW_PRIVATE=env("GONGZHI_SERVICE_ALLOW_PRIVATE", "") == "1",
        # Bearer tokens that may change data; none (the default) keeps the service read-only.
        # A remote SPARQL 1.1 store instead of the embedded one; the named graph there that stands for
        # the service's default graph (Virtuoso's own default graph is the union of all, not writable).
        REMOTE_QUERY_URL=env("GONGZHI_REMOTE_QUERY_URL", ""),
        REMOTE_DEFAULT_GRAPH=env("GONGZHI_REMOTE_DEFAULT_GRAPH", str(GRAPH["default"])),
        REMOTE_UPDATE_URL=env("GONGZHI_REMOTE_UPDATE_URL", ""),
        REMOTE_GSP_URL=env("GONGZHI_REMOTE_GSP_URL", ""),
        CORS_ORIGINS=env("GONGZHI_CORS_ORIGINS", "").replace(",", " ").split(),  # "*" allows any origin
        UPDATE_TOKENS=_tokens(env("GONGZHI_UPDATE_TOKENS", ""), env("GONGZHI_UPDATE_TOKENS_FILE")),
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)

    from server import cors, db, description, errors, gsp, meta, resources, sparql, ui, void

    db.init_app(app)
    cors.init_app(app)
    errors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(meta.bp)
    app.register_blueprint(description.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(resources.bp)
    if app.config["UPDATE_TOKENS"]:
        description.advertise(app, languages=[SD.SPARQL11Update], features=[
            MF.IndirectGraphIdentification, MF.DirectGraphIdentification, MF.POSTGraphCreation])
    return app


def _tokens(listed: str, path: str | None) -> list[str]:
    """Tokens from the environment (space or comma separated) and from a file (one a line)."""
    text = listed + "\n" + (Path(path).read_text(encoding="utf-8") if path else "")
    return [t for t in text.replace(",", " ").split() if t]
