"""Content negotiation for SPARQL results and RDF graphs: Accept with q-values, or ?format=."""
from flask import Request
from werkzeug.datastructures import MIMEAccept

from kg import executor
from server.errors import not_acceptable

# The formats are the executor's, which writes the answers; the first of each is the default.
RESULT_FORMATS, GRAPH_FORMATS = executor.RESULT_FORMATS, executor.GRAPH_FORMATS
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


def _asked(request: Request) -> str | None:
    asked = request.args.get("format") or request.form.get("format")
    if not asked:
        return None
    media = SHORT.get(asked, asked)
    return ALIASES.get(media, media)


def _accept(request: Request) -> MIMEAccept:
    """The Accept header without media type parameters ("text/turtle; charset=utf-8" is text/turtle)."""
    return MIMEAccept([(value.split(";")[0].strip().lower(), q) for value, q in request.accept_mimetypes])


def choose(request: Request, formats: dict) -> tuple[str, object]:
    """The media type to answer with, from ?format= or the Accept header; 406 if none fits."""
    asked = _asked(request)
    if asked:
        if asked in formats:
            return asked, formats[asked]
        raise not_acceptable(list(formats))
    accept = _accept(request)
    if not accept or accept.best == "*/*" and len(accept) == 1:
        media = next(iter(formats))
        return media, formats[media]
    offers = list(formats) + [a for a, target in ALIASES.items() if target in formats]
    best = accept.best_match(offers)
    if best is None:
        raise not_acceptable(list(formats))
    media = ALIASES.get(best, best)
    return media, formats[media]


def names_one_of(request: Request, formats: dict) -> bool:
    """Whether the client names one of these formats itself, rather than taking anything (*/*)."""
    asked = _asked(request)
    if asked:
        return asked in formats
    return any(q > 0 and ALIASES.get(media, media) in formats for media, q in _accept(request))
