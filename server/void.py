"""The VoID description of the dataset: its graphs with triple counts, its classes, the vocabularies it uses."""
import os
import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, url_for
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from kg.namespace import GZD, LICENSE, PAPER
from server import negotiation
from server.db import select_rows

bp = Blueprint("void", __name__)
DATASET = GZD["dataset"]
_cache: dict = {}


def _iri(cell: str) -> str:
    return cell[1:-1]  # rows hold N-Triples terms, "<iri>"


def _number(cell: str) -> int:
    return int(cell.split('"')[1])


def _namespace(iri: str) -> str:
    return re.match(r"^(.*[#/])", iri).group(1)


def _triples() -> list:
    """The description, computed once per store version (the counts change only with the store)."""
    version = os.path.realpath(current_app.config["STORE"])
    if version in _cache:
        return _cache[version]
    graphs = [(_iri(g), _number(n)) for g, n in select_rows("void-graphs.rq", timeout=120)]
    classes = [(_iri(c), _number(n)) for c, n in select_rows("void-classes.rq", timeout=120)]
    vocabularies = sorted({_namespace(_iri(p)) for (p,) in select_rows("void-predicates.rq", timeout=120)})
    node = lambda iri: ox.NamedNode(str(iri))  # noqa: E731
    dataset = node(DATASET)
    facts = [(dataset, node(RDF.type), node(VOID.Dataset)),
             (dataset, node(DCTERMS.title), ox.Literal("共治：城市社区治理知识图谱", language="zh")),
             (dataset, node(DCTERMS.title), ox.Literal("Gongzhi: a knowledge graph of urban community governance",
                                                       language="en")),
             (dataset, node(DCTERMS.license), node(LICENSE)), (dataset, node(DCTERMS.source), node(PAPER)),
             (dataset, node(VOID.sparqlEndpoint), node(url_for("sparql.query", _external=True))),
             (dataset, node(VOID.triples), ox.Literal(str(sum(n for _, n in graphs)), datatype=node(XSD.integer)))]
    integer = node(XSD.integer)
    for graph, count in graphs:
        facts += [(dataset, node(VOID.subset), node(graph)), (node(graph), node(RDF.type), node(VOID.Dataset)),
                  (node(graph), node(VOID.triples), ox.Literal(str(count), datatype=integer))]
    for cls, count in classes:
        part = ox.BlankNode()
        facts += [(dataset, node(VOID.classPartition), part), (part, node(VOID["class"]), node(cls)),
                  (part, node(VOID.entities), ox.Literal(str(count), datatype=integer))]
    facts += [(dataset, node(VOID.vocabulary), node(v)) for v in vocabularies]
    _cache.clear()
    _cache[version] = [ox.Triple(*fact) for fact in facts]
    return _cache[version]


@bp.get("/void")
@bp.get("/.well-known/void")
def describe():
    media, fmt = negotiation.choose(request, negotiation.GRAPH_FORMATS)
    body = ox.serialize(_triples(), format=fmt, prefixes={"void": str(VOID), "dcterms": str(DCTERMS)})
    response = Response(body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    return response
