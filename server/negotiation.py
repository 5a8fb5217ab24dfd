"""Content negotiation for SPARQL results and RDF graphs: Accept with q-values, or ?format=."""
import pyoxigraph as ox
from flask import Request

from server.errors import not_acceptable

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
# Short names for ?format=, for people typing into a browser.
SHORT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
         "nt": "application/n-triples", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
         "rdfxml": "application/rdf+xml", "trig": "application/trig", "nquads": "application/n-quads",
         "n3": "text/turtle"}
# Other names clients use; Turtle is also valid N3, so N3 clients get Turtle.
ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
           "text/xml": "application/sparql-results+xml", "text/plain": "application/n-triples",
           "text/n3": "text/turtle", "text/rdf+n3": "text/turtle", "application/x-turtle": "text/turtle"}


def choose(request: Request, formats: dict) -> tuple[str, object]:
    """The media type to answer with, from ?format= or the Accept header; 406 if none fits."""
    asked = request.args.get("format") or request.form.get("format")
    if asked:
        media = SHORT.get(asked, asked)
        media = ALIASES.get(media, media)
        if media in formats:
            return media, formats[media]
        raise not_acceptable(list(formats))
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*" and len(accept) == 1:
        media = next(iter(formats))
        return media, formats[media]
    offers = list(formats) + [a for a, target in ALIASES.items() if target in formats]
    best = accept.best_match(offers)
    if best is None:
        raise not_acceptable(list(formats))
    media = ALIASES.get(best, best)
    return media, formats[media]
