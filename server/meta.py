"""Health of the service."""
from flask import Blueprint, jsonify

from server.db import get_store

bp = Blueprint("meta", __name__)


@bp.get("/health")
def health():
    store = get_store()
    return jsonify(status="ok", graphs=len(store.graph_names()), quads=len(store))
