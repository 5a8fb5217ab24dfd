"""The store for a request: one read-only Oxigraph handle per worker process."""
from flask import Flask, current_app

from kg.store import OxigraphStore

_EXTENSION = "gongzhi.store"


def get_store() -> OxigraphStore:
    """Open the configured store on first use in this process, then reuse it."""
    handle = current_app.extensions.get(_EXTENSION)
    if handle is None:
        handle = OxigraphStore(current_app.config["STORE"])
        current_app.extensions[_EXTENSION] = handle
    return handle


def init_app(app: Flask) -> None:
    app.extensions.pop(_EXTENSION, None)
