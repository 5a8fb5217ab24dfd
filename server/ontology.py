"""The ontology's IRI dereferences here: /ontology (https://w3id.org/gongzhi/ontology, and its terms
/ontology#Term) gives a browser the pyLODE documentation, in English or Chinese, and a machine the RDF of
the ontology, its concept schemes and its alignment. The SHACL shapes, which constrain the case data and
are no part of the vocabulary, have their own IRI: /shapes (https://w3id.org/gongzhi/shapes).
"""
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from rdflib import Graph

from kg import docs, paths
from server import negotiation
from server.errors import ProtocolError

bp = Blueprint("ontology", __name__)
HTML = "text/html"
SOURCES = {"ontology": paths.ONTOLOGY_SOURCES, "shapes": (paths.SHAPES,)}
# /ontology.ttl and the like: the format named by the extension, whatever Accept says.
EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
              "rdf": "application/rdf+xml", "owl": "application/rdf+xml", "html": HTML}

_cache: dict = {}
_lock = threading.Lock()


def _triples(name: str) -> tuple[list, dict]:
    """The triples of the source files and their prefixes, read again when a file changes."""
    files = SOURCES[name]
    key = (name, tuple(p.stat().st_mtime_ns for p in files))
    with _lock:
        if _cache.get(name, (None,))[0] != key:
            g = Graph()
            for path in files:
                g.parse(path, format="turtle")
            prefixes = {prefix: str(ns) for prefix, ns in g.namespaces() if prefix}
            triples = list(ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
            _cache[name] = (key, triples, prefixes)
        return _cache[name][1], _cache[name][2]


def _rdf(name: str, media: str, fmt) -> Response:
    triples, prefixes = _triples(name)
    body = ox.serialize(triples, format=fmt, prefixes=prefixes if fmt != ox.RdfFormat.N_TRIPLES else None)
    return Response(body, mimetype=media)


def _language() -> str:
    """?lang=zh|en, else the first of zh and en in Accept-Language (English if neither)."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in docs.LANGUAGES:
            raise ProtocolError(400, "lang 只能是 zh 或 en", "lang must be zh or en")
        return asked
    for value, quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if quality > 0 and primary in docs.LANGUAGES:
            return primary
    return "en"


def _page() -> Response:
    lang = _language()
    out = Path(current_app.config["DOCS_DIR"])
    try:
        docs.ensure(out)
    except (RuntimeError, OSError) as exc:
        current_app.logger.error("ontology documentation: %s", exc)
        raise ProtocolError(503, "本体文档暂时无法生成", "the ontology documentation cannot be made just now") from None
    response = Response(docs.page_path(out, lang).read_bytes(), mimetype=HTML)
    response.headers["Content-Language"] = "zh-Hans" if lang == "zh" else "en"
    return response


def _serve(name: str, ext: str | None) -> Response:
    formats = {HTML: None, **negotiation.GRAPH_FORMATS} if name == "ontology" else dict(negotiation.GRAPH_FORMATS)
    if ext is not None:
        media = EXTENSIONS.get(ext)
        if media not in formats:
            raise ProtocolError(404, "没有这个资源", "no such resource")
        fmt = formats[media]
    else:
        media, fmt = negotiation.choose(request, formats)
    response = _page() if media == HTML else _rdf(name, media, fmt)
    # /ontology gives HTML in either language or RDF; /ontology.html only varies in language.
    vary = ([] if ext else ["Accept"]) + (["Accept-Language"] if HTML in formats and ext in (None, "html") else [])
    if vary:
        response.headers["Vary"] = ", ".join(vary)
    return response


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext=None):
    return _serve("ontology", ext)


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext=None):
    return _serve("shapes", ext)
