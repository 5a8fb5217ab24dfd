"""The links graph: the reviewed mappings of kg/links/ and the places' verified identifiers, as RDF.

Each link is a plain triple (place skos:exactMatch target) that any client follows, plus a mapping
record in SSSOM's RDF vocabulary that says where it came from: the justification, the score and
evidence of the proposal, who accepted it and when, and the proposal set it came from. The
Wikidata, GeoNames and NBS/GB-T 2260 identifiers of the case places (checked against
reference/places.tsv when the cases are validated) are links like any other, curated by hand.
Every target gets its type triples (dct:Location, and the class of its source), because shapes such
as the official CPSV-AP ones check the class of each linked IRI without fetching it.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import sssom
from kg.link import ACCEPTED, DEFAULT_DATASET, PREDICATE, link_set_id, record_id
from kg.namespace import DIVISION, GEONAMES, GN, GZ, SEMAPV, SSSOM, WD, WIKIBASE
REFERENCE = "https://w3id.org/gongzhi/reference/places.tsv"  # where the verified identifiers come from
# The class of a link target, by the namespace it lives in.
TARGET_TYPES = {str(DIVISION): (DCTERMS.Location,), str(WD): (DCTERMS.Location, WIKIBASE.Item),
                str(GEONAMES): (DCTERMS.Location, GN.Feature)}
IDENTIFIER_PROPERTIES = {GZ.wikidataItem: "Wikidata", GZ.geonamesFeature: "GeoNames"}


def identifier_mappings(cases: Graph) -> list[sssom.Mapping]:
    """The places' Wikidata, GeoNames and NBS identifiers (from the case files) as mappings."""
    found = []
    for prop, source in IDENTIFIER_PROPERTIES.items():
        for place, target in cases.subject_objects(prop):
            found.append((place, URIRef(target), f"{source} identifier from places.tsv"))
    for place, code in cases.subject_objects(GZ.nbsCode):
        gb = cases.value(place, GZ.gb2260Code)
        note = f"NBS division code {code}" + (f", GB/T 2260 {gb}" if gb else "") + " from places.tsv"
        found.append((place, DIVISION[str(code)], note))
    out = []
    for place, target, note in found:
        subject, obj = sssom.contract(str(place)), sssom.contract(str(target))
        label = next((str(x) for x in cases.objects(place, RDFS.label) if x.language == "zh"), "")
        out.append(sssom.Mapping(
            record_id=record_id(subject, PREDICATE, obj) + "-curated", subject_id=subject, subject_label=label,
            predicate_id=PREDICATE, object_id=obj, object_label="",
            mapping_justification="semapv:ManualMappingCuration", author_id=REFERENCE, comment=note))
    return sorted(out, key=lambda m: m.key)


def _add_record(g: Graph, m: sssom.Mapping, derived_from: str) -> None:
    s, p, o = (URIRef(sssom.expand(x)) for x in (m.subject_id, m.predicate_id, m.object_id))
    g.add((s, p, o))
    for cls in next((types for ns, types in TARGET_TYPES.items() if str(o).startswith(ns)), (DCTERMS.Location,)):
        g.add((o, RDF.type, cls))
    r = URIRef(sssom.expand(m.record_id))
    g.add((r, RDF.type, SSSOM.Mapping))
    g.add((r, OWL.annotatedSource, s))
    g.add((r, OWL.annotatedProperty, p))
    g.add((r, OWL.annotatedTarget, o))
    g.add((r, SSSOM.mapping_justification, URIRef(sssom.expand(m.mapping_justification))))
    g.add((r, PROV.wasDerivedFrom, URIRef(derived_from)))
    text = {SSSOM.subject_label: m.subject_label, SSSOM.object_label: m.object_label, SSSOM.match_string:
            m.match_string, SSSOM.mapping_tool: m.mapping_tool, SSSOM.reviewer_label: m.reviewer_label,
            RDFS.comment: m.comment}
    for prop, value in text.items():
        if value:
            g.add((r, prop, Literal(value)))
    if m.confidence:
        g.add((r, SSSOM.confidence, Literal(float(m.confidence))))  # xsd:double, as SSSOM types it
    if m.mapping_date:
        g.add((r, SSSOM.mapping_date, Literal(m.mapping_date, datatype=XSD.date)))
    if m.author_id:
        g.add((r, SSSOM.author_id, URIRef(sssom.expand(m.author_id))))
    if m.reviewer_id:
        reviewer = URIRef(sssom.expand(m.reviewer_id))
        g.add((r, SSSOM.reviewer_id, reviewer))
        g.add((r, PROV.wasAttributedTo, reviewer))
        g.add((reviewer, RDF.type, PROV.Agent))
        if m.reviewer_label:
            g.add((reviewer, RDFS.label, Literal(m.reviewer_label)))
    if m.review_date:
        g.add((r, DCTERMS.date, Literal(m.review_date, datatype=XSD.date)))


def links_graph(cases: Graph, accepted: Path = ACCEPTED) -> Graph:
    """The links graph: accepted mappings (kg/links/accepted.sssom.tsv) and identifier mappings."""
    g = Graph()
    proposals_set = link_set_id(DEFAULT_DATASET, "proposals")
    for m in sssom.read(accepted).mappings:
        if m.predicate_modifier != "Not":
            _add_record(g, m, proposals_set)
    for m in identifier_mappings(cases):
        _add_record(g, m, REFERENCE)
    for concept in (SEMAPV.LexicalMatching, SEMAPV.CompositeMatching, SEMAPV.ManualMappingCuration):
        g.add((concept, RDF.type, SKOS.Concept))
    return g
