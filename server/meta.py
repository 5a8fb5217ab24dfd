"""Health of the service."""
from flask import Blueprint, jsonify

from server.db import select_rows

bp = Blueprint("meta", __name__)


@bp.get("/health")
def health():
    """The query engine answers and the store holds data (a cheap query, not a count)."""
    return jsonify(status="ok" if select_rows("alive.rq") else "empty")
