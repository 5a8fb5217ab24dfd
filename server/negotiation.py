"""Content negotiation for SPARQL results and RDF graphs: Accept with q-values, or ?format=."""
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

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


def _asked(request: Request, params=None) -> str | None:
    asked = params.get("format") if params is not None else request.args.get("format") or request.form.get("format")
    if not asked:
        return None
    media = SHORT.get(asked, asked)
    return ALIASES.get(media, media)


def _accept(header: str) -> MIMEAccept:
    """The Accept header without media type parameters ("text/turtle; charset=utf-8" is text/turtle)."""
    return MIMEAccept([(value.split(";")[0].strip().lower(), q)
                       for value, q in parse_accept_header(header, MIMEAccept)])


@lru_cache(maxsize=512)
def _by_accept(header: str, offered: tuple[str, ...]) -> str | None:
    """The offered media type the Accept header prefers, None if none; clients send few distinct
    headers, so each is worked out once."""
    accept = _accept(header)
    if not accept or accept.best == "*/*" and len(accept) == 1:
        return offered[0]
    best = accept.best_match(list(offered) + [a for a, target in ALIASES.items() if target in offered])
    return None if best is None else ALIASES.get(best, best)


def choose(request: Request, formats: dict, params=None) -> tuple[str, object]:
    """The media type to answer with, from ?format= or the Accept header; 406 if none fits. `params`:
    the request's parameters if the caller has parsed them already."""
    asked = _asked(request, params)
    if asked:
        if asked in formats:
            return asked, formats[asked]
        raise not_acceptable(list(formats))
    media = _by_accept(request.headers.get("Accept", ""), tuple(formats))
    if media is None:
        raise not_acceptable(list(formats))
    return media, formats[media]


def names_one_of(request: Request, formats: dict) -> bool:
    """Whether the client names one of these formats itself, rather than taking anything (*/*)."""
    asked = _asked(request)
    if asked:
        return asked in formats
    return any(q > 0 and ALIASES.get(media, media) in formats
               for media, q in _accept(request.headers.get("Accept", "")))
