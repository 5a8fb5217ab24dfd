"""Gongzhi's IRIs dereference here (the base mapped to this host): entries /id/..., concepts /concept/...,
imported divisions /division/..., link records /link/..., reviewers /user/...

A browser gets an HTML page (labels, properties, incoming links, evidence sentences); a machine gets
Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation.
"""
import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.executor import QueryBusy, QueryFailed, QueryRequest
from kg.namespace import DIVISION, GZ, GZC, GZD, LINK, USER
from server import negotiation
from server.db import QUERIES, TSV, get_executor
from server.errors import ProtocolError

bp = Blueprint("resources", __name__)
HTML = "text/html"
# Path on this service -> the IRI namespace it serves.
SPACES = {"/id/": str(GZD), "/concept/": str(GZC._NS), "/division/": str(DIVISION), "/link/": str(LINK),
          "/user/": str(USER)}


def _describe(iri: str) -> Graph:
    text = (QUERIES / "describe-resource.rq").read_text(encoding="utf-8")
    try:
        answer = get_executor().run(QueryRequest(text, results_format=TSV, max_rows=int(current_app.config["MAX_ROWS"]),
                                                 bindings=(("this", iri),)),
                                    float(current_app.config["QUERY_TIMEOUT"]))
    except QueryBusy:
        raise  # the app's handler answers it
    except QueryFailed as exc:
        if exc.kind == "binding":  # not an IRI at all, so no resource of the store
            raise ProtocolError(404, "没有这个资源", "no such resource") from None
        raise ProtocolError(503 if exc.kind == "timeout" else 502, f"无法读取该资源：{exc}",
                            f"the resource cannot be read: {exc}") from None
    rows = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV)
    triples = [ox.Triple(_or_this(row, "s"), row["p"], _or_this(row, "o")) for row in rows]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def _or_this(row, variable: str):
    """The row's term, or the resource itself where the query leaves it unbound (describe-resource.rq)."""
    return row["this"] if row[variable] is None else row[variable]


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
    for prefix, base in SPACES.items():
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
@bp.get("/concept/<path:rest>")
@bp.get("/division/<path:rest>")
@bp.get("/link/<path:rest>")
@bp.get("/user/<path:rest>")
def resource(rest):
    # The namespace from the path, not GZC[...]: that raises for an undefined term, where a 404 is due.
    prefix = "/" + request.path.split("/", 2)[1] + "/"
    return _serve(URIRef(SPACES[prefix] + rest))
