"""Gongzhi's SPARQL service: a Flask application factory, one blueprint per concern."""
import os

from flask import Flask

from kg import store


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; configuration from the environment, or from the test's dict."""
    app = Flask(__name__)
    app.config.from_mapping(
        STORE=str(store.store_path()),
        MAX_CONTENT_LENGTH=int(os.environ.get("GONGZHI_MAX_BODY", 1_000_000)),
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)

    from server import db, errors, meta, sparql

    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(meta.bp)
    return app
