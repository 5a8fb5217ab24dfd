"""The SPARQL 1.1 Service Description: what the endpoint offers, as RDF in the format the client asks for.

It is served by a GET on /sparql without a query (when the client asks for RDF) and at /sparql/description.
Blueprints that add capabilities (SPARQL Update, the graph store) call `advertise` so that the description,
which clients and the W3C test runner read, says what the service really does.
"""
import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, request, url_for
from rdflib import RDF, RDFS

from kg.namespace import SD

from server import negotiation
from server.db import get_executor

FORMATS = negotiation.GRAPH_FORMATS
PREFIXES = {"sd": str(SD), "rdf": str(RDF), "rdfs": str(RDFS)}

bp = Blueprint("description", __name__)
_KEY = "gongzhi.description"


def _capabilities(app: Flask) -> dict:
    return app.extensions.setdefault(_KEY, {"languages": [SD.SPARQL11Query], "features": [SD.UnionDefaultGraph]})


def advertise(app: Flask, *, languages=(), features=()) -> None:
    """Add languages (e.g. SD.SPARQL11Update) or features (e.g. MF.IndirectGraphIdentification) to the description."""
    capabilities = _capabilities(app)
    for key, terms in (("languages", languages), ("features", features)):
        capabilities[key] += [t for t in terms if t not in capabilities[key]]


def triples(endpoint: str) -> list[ox.Triple]:
    """The description of the service at `endpoint`, with the named graphs of its default dataset."""
    capabilities = _capabilities(current_app)
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    graphs = [(ox.BlankNode(), name) for name in get_executor().graph_names()]
    formats = [*negotiation.RESULT_FORMATS.values(), *negotiation.GRAPH_FORMATS.values()]
    facts = [(service, RDF.type, SD.Service), (service, SD.endpoint, endpoint),
             (service, RDFS.label, ox.Literal("共治 SPARQL 端点", language="zh")),
             (service, RDFS.label, ox.Literal("Gongzhi SPARQL endpoint", language="en")),
             *[(service, SD.supportedLanguage, term) for term in capabilities["languages"]],
             *[(service, SD.feature, term) for term in capabilities["features"]],
             *[(service, SD.resultFormat, fmt.iri) for fmt in formats],
             (service, SD.defaultDataset, dataset),
             (dataset, RDF.type, SD.Dataset), (dataset, SD.defaultGraph, default),
             *[(dataset, SD.namedGraph, graph) for graph, _ in graphs],
             (default, RDF.type, SD.Graph)]
    facts += [fact for graph, name in graphs for fact in ((graph, RDF.type, SD.NamedGraph), (graph, SD.name, name))]
    return [ox.Triple(*(term if isinstance(term, (ox.BlankNode, ox.Literal)) else ox.NamedNode(str(term))
                        for term in fact)) for fact in facts]


def response() -> Response:
    media, fmt = negotiation.choose(request, FORMATS)
    body = ox.serialize(triples(url_for("sparql.query", _external=True)), format=fmt, prefixes=PREFIXES)
    reply = Response(body, mimetype=media)
    if media.startswith("text/"):
        reply.charset = "utf-8"
    reply.headers["Vary"] = "Accept"
    return reply


@bp.get("/sparql/description")
def describe():
    return response()
