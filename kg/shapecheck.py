"""SHACL on a change's neighbourhood, quick enough to run inside every update's transaction.

validate.check_nodes answers the same question from scratch each time: it copies the whole ontology
into the data, has pySHACL parse the shapes again, validates every node of the neighbourhood and then
keeps the violations of the focus nodes. Here the shapes are turned into pySHACL's objects once per
process, only the part of the ontology that the neighbourhood reaches is added, and the shapes are
evaluated only on the nodes whose violations are reported. The violations are the same.
"""
import threading
from collections import defaultdict
from functools import lru_cache

from pyshacl.functions import gather_functions
from pyshacl.pytypes import SHACLExecutor
from pyshacl.rules import gather_rules
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.target import gather_target_types
from pyshacl.validator import Validator
from rdflib import Graph, Literal

from kg import validate

# The options of validate.check_nodes: SHACL-AF (the SPARQL constraint), warnings do not fail.
_OPTIONS = {"advanced_mode": True, "allow_warnings": True}
# pySHACL creates the shapes that sh:node and the like name while it validates: one check at a time.
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _shapes() -> tuple[ShapesGraph, list]:
    """pySHACL's shapes graph, harvested once, and its shapes that declare targets.

    The other shapes are only reached through these (sh:node, sh:property), as in a full run.
    """
    graph = ShapesGraph(validate.shapes())
    executor = SHACLExecutor(**_OPTIONS)
    # A full run would also apply these to the data; the shapes have none, and this check does not either.
    if gather_functions(executor, graph) or gather_rules(executor, graph) or gather_target_types(graph):
        raise NotImplementedError("SHACL functions, rules and target types are not supported by the update check")
    targeted = []
    for shape in graph.shapes:
        shape.set_advanced(True)
        if any(list(declared) for declared in shape.target()) or shape.advanced_target():
            targeted.append(shape)
    return graph, targeted


@lru_cache(maxsize=1)
def _ontology_by_subject() -> dict:
    """The ontology's triples grouped by subject, to follow its links from the neighbourhood's nodes."""
    found = defaultdict(list)
    for triple in validate.ontology():
        found[triple[0]].append(triple)
    return dict(found)


def _nodes(graph: Graph) -> set:
    """The subjects and the non-literal objects of a graph."""
    return {t for triple in graph for t in (triple[0], triple[2]) if not isinstance(t, Literal)}


def _ontology_reached(data: Graph) -> list:
    """The ontology's triples reachable from the nodes of `data`, following links forwards.

    The shapes read only forwards from a focus node (paths, types and rdfs:subClassOf*, skos:broader*
    in the SPARQL constraint). Class targets reach the data's nodes through their types, whose
    superclasses are reached too; the other targets and validate._owner read backwards properties
    that the ontology does not use. So the rest of the ontology changes no result on the reported
    nodes (tests/test_shapecheck.py holds the shapes and the ontology to this).
    """
    by_subject = _ontology_by_subject()
    seen, todo, reached = set(), list(_nodes(data)), []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in by_subject.get(node, ()):
            reached.append(triple)
            if not isinstance(triple[2], Literal):
                todo.append(triple[2])
    return reached


def _reported(graph: Graph, focus: set) -> set:
    """The nodes whose violations check_nodes reports: those whose entry (see validate._owner) is a focus node."""
    wanted = {validate._short(node) for node in focus}
    return {node for node in _nodes(graph) | focus if validate._short(validate._owner(graph, node)) in wanted}


def _with_ontology(data: Graph) -> Graph:
    """The data and the part of the ontology it reaches.

    The data's triples come first and in the order of validate.check_nodes's merge, since
    validate._owner takes the first fact that cites a node.
    """
    graph = Graph()
    graph += data
    graph += _ontology_reached(data)
    return graph


def _results(graph: Graph, nodes: set) -> tuple[bool, list]:
    """Each targeting shape on those of its focus nodes in `nodes`, as a full pySHACL run evaluates them."""
    _, targeted = _shapes()
    executor = SHACLExecutor(**_OPTIONS)
    conforms, results = True, []
    with _LOCK:
        for shape in targeted:
            focus = [node for node in shape.focus_nodes(graph) if node in nodes]
            if focus:
                shape_conforms, shape_results = shape.validate(executor, graph, focus=focus)
                conforms = conforms and shape_conforms
                results.extend(shape_results)
    return conforms, results


def check_nodes(data: Graph, focus: set) -> list[validate.Violation]:
    """Violations of the given nodes (and their evidence) in `data`: what validate.check_nodes finds."""
    graph = _with_ontology(data)
    conforms, results = _results(graph, _reported(graph, focus))
    if conforms:
        return []
    report, _ = Validator.create_validation_report(_shapes()[0], conforms, results)
    return [v for v in validate._report(report, graph, lambda entry: ("-", 0, validate._short(entry)))
            if any(v.entry == validate._short(node) for node in focus)]
