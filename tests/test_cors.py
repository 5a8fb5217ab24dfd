"""CORS: off by default, on for configured origins (the Flask app from its factory, no server needed)."""
import pytest

from server import create_app


@pytest.fixture
def client(built):
    app = create_app({"STORE": str(built.nquads.parent / "store"), "CORS_ORIGINS": ["https://analyst.example"]})
    return app.test_client()


def test_no_cors_headers_for_an_origin_not_configured(built):
    app = create_app({"STORE": str(built.nquads.parent / "store")})
    response = app.test_client().get("/health", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_configured_origin_gets_cors_headers_and_preflight(client):
    response = client.get("/health", headers={"Origin": "https://analyst.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://analyst.example"
    preflight = client.options("/sparql", headers={"Origin": "https://analyst.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get(
        "/health", headers={"Origin": "https://evil.example"}).headers
