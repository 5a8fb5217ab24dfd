"""Gongzhi's entry and concept IRIs dereference here: /id/... and /concept/... (the base mapped to this host).

A browser gets an HTML page (labels, properties, incoming links, evidence sentences); a machine gets
Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation.
"""
import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.executor import QueryFailed, QueryRequest
from kg.namespace import GZ, GZC, GZD
from server import negotiation
from server.db import QUERIES, get_executor
from server.errors import ProtocolError

bp = Blueprint("resources", __name__)
HTML = "text/html"


def _describe(iri: str) -> Graph:
    text = (QUERIES / "describe-resource.rq").read_text(encoding="utf-8")
    try:
        answer = get_executor().run(QueryRequest(text, graph_format="application/n-triples",
                                                 max_rows=int(current_app.config["MAX_ROWS"]),
                                                 bindings=(("this", iri),)),
                                    float(current_app.config["QUERY_TIMEOUT"]))
    except QueryFailed as exc:
        raise ProtocolError(503 if exc.kind == "timeout" else 502, f"无法读取该资源：{exc}",
                            f"the resource cannot be read: {exc}") from None
    return Graph().parse(data=answer.body, format="nt")


def _label(g: Graph, node, lang: str) -> str:
    labels = {l.language: str(l) for l in g.objects(node, RDFS.label)} | \
             {l.language: str(l) for l in g.objects(node, SKOS.prefLabel)}
    return labels.get(lang) or labels.get("en") or labels.get("zh") or str(node)


def _page(iri: URIRef, g: Graph) -> str:
    rows = sorted((p, o) for p, o in g.predicate_objects(iri) if p != GZ.evidence)
    incoming = sorted((s, p) for s, p in g.subject_predicates(iri))
    evidence = sorted((str(g.value(g.value(e, GZ.inSection), GZ.sectionNumber) or ""), str(g.value(e, GZ.quote)))
                      for e in g.objects(iri, GZ.evidence))
    return render_template("resource.html", iri=str(iri), zh=_label(g, iri, "zh"), en=_label(g, iri, "en"),
                           types=[o for o in g.objects(iri, RDF.type)], rows=rows, incoming=incoming,
                           evidence=evidence, label=lambda n, lang: _label(g, n, lang), local=_local,
                           literal=lambda t: isinstance(t, Literal))


def _local(term) -> str | None:
    """The path on this service of a Gongzhi IRI, so that links stay on the host the reader uses."""
    text = str(term)
    for base, prefix in ((str(GZD), "/id/"), (str(GZC), "/concept/")):
        if text.startswith(base):
            return prefix + text[len(base):]
    return None


def _serve(iri: URIRef) -> Response:
    g = _describe(str(iri))
    if not len(g):
        raise ProtocolError(404, "没有这个资源", "no such resource")
    # HTML first: a browser (or a client that names no type) gets the page.
    media, fmt = negotiation.choose(request, {HTML: None, **negotiation.GRAPH_FORMATS})
    if media == HTML:
        response = Response(_page(iri, g), mimetype=HTML)
    else:
        triples = ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        response = Response(ox.serialize(triples, format=fmt), mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/id/<path:rest>")
def entry(rest):
    return _serve(GZD[rest])


@bp.get("/concept/<path:rest>")
def concept(rest):
    return _serve(GZC[rest])
