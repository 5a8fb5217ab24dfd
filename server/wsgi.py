"""WSGI entry point: `granian --interface wsgi server.wsgi:app` (python -m server), or any WSGI server."""
from server import create_app

app = create_app()
