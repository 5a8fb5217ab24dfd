"""The VoID description of the dataset: its graphs with triple counts, its classes, the vocabularies it uses,
what the imported graphs say of themselves, and the links graph as a linkset."""
import os
import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, url_for
from rdflib.namespace import DCTERMS, RDF, SKOS, VOID, XSD

from kg.namespace import GRAPH, GZD, LICENSE, PAPER
from server import negotiation
from server.db import construct_triples, select_rows

bp = Blueprint("void", __name__)
DATASET = str(GZD["dataset"])
LINKS = str(GRAPH["links"])  # skos:exactMatch links from the reviewed mappings; void-link*.rq name it too
_cache: dict = {}


def _iri(cell: str) -> str:
    return cell[1:-1]  # rows hold N-Triples terms, "<iri>"


def _number(cell: str) -> int:
    return int(cell.split('"')[1])


def _string(cell: str) -> str:
    return cell.split('"')[1]


def _namespace(iri: str) -> str:
    return re.match(r"^(.*[#/])", iri).group(1)


def _term(value):
    """rdflib's IRIs (strings) as pyoxigraph nodes; pyoxigraph terms as they are."""
    return ox.NamedNode(str(value)) if isinstance(value, str) else value


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD.integer))


def _triples() -> list:
    """The description, computed once per store version (the counts change only with the store)."""
    version = os.path.realpath(current_app.config["STORE"])
    if version not in _cache:
        _cache.clear()
        _cache[version] = [ox.Triple(*map(_term, fact)) for fact in _facts()]
    return _cache[version]


def _facts() -> list[tuple]:
    graphs = [(_iri(g), _number(n)) for g, n in select_rows("void-graphs.rq", timeout=120)]
    vocabularies = sorted({_namespace(_iri(p)) for (p,) in select_rows("void-predicates.rq", timeout=120)})
    facts = _dataset_facts(sum(n for _, n in graphs)) + _graph_facts(graphs) + _class_facts()
    facts += [(DATASET, VOID.vocabulary, v) for v in vocabularies]
    if LINKS in dict(graphs):
        facts += _linkset_facts()
    return facts


def _dataset_facts(triples: int) -> list[tuple]:
    return [(DATASET, RDF.type, VOID.Dataset),
            (DATASET, DCTERMS.title, ox.Literal("共治：城市社区治理知识图谱", language="zh")),
            (DATASET, DCTERMS.title, ox.Literal("Gongzhi: a knowledge graph of urban community governance",
                                                language="en")),
            (DATASET, DCTERMS.license, LICENSE), (DATASET, DCTERMS.source, PAPER),
            (DATASET, VOID.sparqlEndpoint, url_for("sparql.query", _external=True)),
            (DATASET, VOID.triples, _integer(triples))]


def _graph_facts(graphs: list[tuple[str, int]]) -> list[tuple]:
    """Each named graph is a subset, with what it says of itself (void-self-descriptions.rq). Its triples
    are counted here unless it states them (an imported graph counts its data, not its description);
    the links graph's void:triples counts its links (_linkset_facts)."""
    described = construct_triples("void-self-descriptions.rq", timeout=120)
    stated = {t.subject for t in described if t.predicate == _term(VOID.triples)}
    facts = [tuple(t) for t in described if (t.subject, t.predicate) != (_term(LINKS), _term(VOID.triples))]
    for graph, count in graphs:
        facts += [(DATASET, VOID.subset, graph), (graph, RDF.type, VOID.Dataset)]
        if _term(graph) not in stated and graph != LINKS:
            facts.append((graph, VOID.triples, _integer(count)))
    return facts


def _class_facts() -> list[tuple]:
    facts = []
    for cls, count in select_rows("void-classes.rq", timeout=120):
        part = ox.BlankNode()
        facts += [(DATASET, VOID.classPartition, part), (part, VOID["class"], _iri(cls)),
                  (part, VOID.entities, _integer(_number(count)))]
    return facts


def _linkset(node, links: int) -> list[tuple]:
    return [(node, RDF.type, VOID.Linkset), (node, VOID.linkPredicate, SKOS.exactMatch),
            (node, VOID.subjectsTarget, DATASET), (node, VOID.triples, _integer(links))]


def _linkset_facts() -> list[tuple]:
    """The links graph as a linkset from the dataset, and as a subset of it one linkset per dataset the
    links point into (VoID gives a linkset one void:objectsTarget): the imported graph whose void:uriSpace
    holds the objects, else a dataset known by its namespace alone (void-link-targets.rq)."""
    [(total,)] = select_rows("void-links.rq", timeout=120)
    facts = _linkset(LINKS, _number(total))
    for target, space, links in select_rows("void-link-targets.rq", timeout=120):
        part, dataset = ox.BlankNode(), _iri(target) if target else ox.BlankNode()
        facts += [(LINKS, VOID.subset, part), *_linkset(part, _number(links)), (part, VOID.objectsTarget, dataset)]
        if not target:
            facts += [(dataset, RDF.type, VOID.Dataset), (dataset, VOID.uriSpace, ox.Literal(_string(space)))]
    return facts


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
