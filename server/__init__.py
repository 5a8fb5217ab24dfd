"""Gongzhi's SPARQL service: a Flask application factory, one blueprint per concern."""
import os
import secrets
from pathlib import Path

from flask import Flask

from kg import docs, slots, store
from kg.namespace import GRAPH, MF, SD


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; configuration from the environment, or from the test's dict."""
    app = Flask(__name__)
    env = os.environ.get
    app.config.from_mapping(
        STORE=str(store.store_path()),
        MAX_CONTENT_LENGTH=int(env("GONGZHI_MAX_BODY", 1_000_000)),  # bytes of a request body
        QUERY_TIMEOUT=float(env("GONGZHI_QUERY_TIMEOUT", 30)),  # seconds; a request may ask for less
        # Queries running at once on the embedded store, in all the workers together (kg/slots.py).
        QUERY_SLOTS=int(env("GONGZHI_QUERY_SLOTS", 0)) or slots.default_count(),
        MAX_ROWS=int(env("GONGZHI_MAX_ROWS", 100_000)),  # rows of a SELECT answer
        # Triples of a CONSTRUCT, DESCRIBE or graph read: an export, which cannot be paged as rows can.
        MAX_TRIPLES=int(env("GONGZHI_MAX_TRIPLES", 1_000_000)),
        ANSWER_CACHE_MB=int(env("GONGZHI_ANSWER_CACHE_MB", 256)),  # answers kept per worker; 0: none
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
        # The ontology's pyLODE pages (build output, made on the first request to /ontology if missing).
        DOCS_DIR=env("GONGZHI_DOCS", str(docs.DOCS_DIR)),
        # Editing (/edit) is on when there is an accounts file (kg/accounts.py); sessions are signed with
        # SECRET_KEY, from the environment or a key file made once beside the store.
        ACCOUNTS_FILE=env("GONGZHI_ACCOUNTS_FILE", ""),
        SECRET_KEY=env("GONGZHI_SECRET_KEY") or _secret_key(Path(store.store_path()).parent / "secret-key"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    if test_config:
        app.config.update(test_config)
    if int(app.config["QUERY_SLOTS"]) < 1:  # at start, not as a 500 on the first query
        raise ValueError(f"GONGZHI_QUERY_SLOTS must be 1 or more (0: the default), not {app.config['QUERY_SLOTS']}")

    from server import (accesslog, cors, db, description, edit, errors, gsp, meta, ontology, resources, sessions,
                        sparql, ui, void)

    accesslog.init_app(app)
    sessions.init_app(app)
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
    app.register_blueprint(ontology.bp)
    app.register_blueprint(edit.bp)
    if app.config["UPDATE_TOKENS"]:
        description.advertise(app, languages=[SD.SPARQL11Update], features=[
            MF.IndirectGraphIdentification, MF.DirectGraphIdentification, MF.POSTGraphCreation])
    return app


def _tokens(listed: str, path: str | None) -> list[str]:
    """Tokens from the environment (space or comma separated) and from a file (one a line)."""
    text = listed + "\n" + (Path(path).read_text(encoding="utf-8") if path else "")
    return [t for t in text.replace(",", " ").split() if t]


def _secret_key(path: Path) -> str:
    """A random key kept in a file (mode 600), so that sessions survive restarts and all workers agree."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
