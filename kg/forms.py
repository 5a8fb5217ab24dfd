"""What the editor's forms show and what they turn into.

A case-fact form is generated from the ontology and the SHACL shapes: the properties whose domain
covers the class (or a class above it), required where a shape of the class says sh:minCount 1,
with a choice of concepts where a shape ties the property to a concept scheme. A term form covers a
class, a property or a concept: labels and definitions in both languages, parent, domain and range,
an alignment to a public vocabulary term, and deprecation (a term in use is never deleted).
Both turn into kg.edits operations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from kg import caseyaml, paths
from kg.edits import EditRefused, Operation, Problem
from kg.namespace import GZ, GZC, ONTOLOGY

GZ_NS, GZC_NS = str(GZ._NS), str(GZC._NS)
LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
KINDS = {"class": OWL.Class, "object-property": OWL.ObjectProperty, "datatype-property": OWL.DatatypeProperty,
         "concept": SKOS.Concept}
PARENT = {"class": RDFS.subClassOf, "object-property": RDFS.subPropertyOf, "datatype-property": RDFS.subPropertyOf,
          "concept": SKOS.broader}
ALIGN = {"class": RDFS.subClassOf, "object-property": RDFS.subPropertyOf, "datatype-property": RDFS.subPropertyOf,
         "concept": SKOS.exactMatch}
DECLARE = {"class": OWL.Class, "object-property": OWL.ObjectProperty, "datatype-property": OWL.DatatypeProperty}
# Predicates a term form owns: what it shows it may also remove.
EDITABLE = (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.definition, RDFS.subClassOf, RDFS.subPropertyOf, SKOS.broader,
            RDFS.domain, RDFS.range, SKOS.inScheme, SKOS.topConceptOf, OWL.deprecated, DCTERMS.isReplacedBy,
            RDFS.isDefinedBy)


def _graph(*files) -> Graph:
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    return g


def ontology() -> Graph:
    return _cached_ontology(tuple((p, p.stat().st_mtime_ns) for p in (*paths.ONTOLOGY_SOURCES, paths.SHAPES)))


@lru_cache(maxsize=2)
def _cached_ontology(stamp) -> Graph:
    return _graph(*(p for p, _ in stamp))


def curie(iri) -> str:
    text = str(iri)
    for prefix, ns in (("gz:", GZ_NS), ("gzc:", GZC_NS)):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    g = ontology()
    for prefix, ns in g.namespaces():
        if prefix and text.startswith(str(ns)) and len(text) > len(str(ns)):
            return f"{prefix}:{text[len(str(ns)):]}"
    return text


def expand(value: str) -> URIRef:
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return URIRef(value)
    prefix, sep, local = value.partition(":")
    namespaces = {p: str(ns) for p, ns in ontology().namespaces()} | {"gz": GZ_NS, "gzc": GZC_NS}
    if not sep or prefix not in namespaces or not local:
        raise EditRefused([Problem(value, f"无法识别的术语“{value}”：请写成 gz:类名 这样的形式",
                                   f"unknown term {value!r}: write it as prefix:name, such as gz:Place")])
    return URIRef(namespaces[prefix] + local)


def label(iri, lang: str) -> str:
    g = ontology()
    for p in (RDFS.label, SKOS.prefLabel):
        for value in g.objects(iri, p):
            if value.language == lang:
                return str(value)
    return curie(iri)


# --- case-fact forms ------------------------------------------------------------------------------

@dataclass
class Field:
    key: str           # the case-file key: the property's local name
    iri: URIRef
    zh: str
    en: str
    kind: str          # text, number, lang, concept, entry
    required: bool
    options: list[tuple[str, str, str]] = field(default_factory=list)  # (value, zh, en) for concepts
    range: URIRef | None = None


def classes() -> list[URIRef]:
    """The classes a case fact can have: the ontology's own, not deprecated."""
    g = ontology()
    return sorted(c for c in g.subjects(RDF.type, OWL.Class)
                  if str(c).startswith(GZ_NS) and (c, OWL.deprecated, None) not in g)


def _ancestors(g: Graph, cls: URIRef) -> set:
    return set(g.transitive_objects(cls, RDFS.subClassOf))


def _members(g: Graph, node) -> set:
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        return set(Collection(g, union)) if union is not None else set()
    return {node}


def _required(g: Graph, above: set) -> set:
    found = set()
    for shape in g.subjects(SH.targetClass, None):
        if g.value(shape, SH.targetClass) in above:
            for prop in g.objects(shape, SH.property):
                if int(g.value(prop, SH.minCount) or 0) >= 1:
                    found.add(g.value(prop, SH.path))
    return found


def _scheme(g: Graph, prop: URIRef):
    for shape in g.subjects(SH.path, prop):
        for node in g.objects(shape, SH.node):
            for inner in g.objects(node, SH.property):
                if g.value(inner, SH.path) == SKOS.inScheme:
                    return g.value(inner, SH.hasValue)
    return None


def class_fields(cls: URIRef) -> list[Field]:
    g = ontology()
    above = _ancestors(g, cls)
    required = _required(g, above)
    fields = []
    for prop in sorted(set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty))):
        if not str(prop).startswith(GZ_NS) or prop == URIRef(GZ_NS + "evidence") or (prop, OWL.deprecated, None) in g:
            continue
        domains = set().union(*(_members(g, d) for d in g.objects(prop, RDFS.domain))) if (prop, RDFS.domain, None) in g \
            else set()
        if not domains & above:
            continue
        rng = g.value(prop, RDFS.range)
        scheme = _scheme(g, prop)
        if scheme is not None:
            kind = "concept"
        elif (prop, RDF.type, OWL.ObjectProperty) in g:
            kind = "entry"
        elif rng in (XSD.integer, XSD.decimal, XSD.gYear):
            kind = "number"
        elif rng == RDF.langString:
            kind = "lang"
        else:
            kind = "text"
        options = sorted((curie(c), label(c, "zh"), label(c, "en")) for c in g.subjects(SKOS.inScheme, scheme)
                         if (c, OWL.deprecated, None) not in g) if scheme is not None else []
        fields.append(Field(str(prop)[len(GZ_NS):], prop, label(prop, "zh"), label(prop, "en"), kind,
                            prop in required, options, rng if isinstance(rng, URIRef) else None))
    return sorted(fields, key=lambda f: (not f.required, f.key))


def entry_operation(case_file: str, entry_id: str, cls: URIRef, form: dict, fields: list[Field],
                    existing: dict | None, existing_block: str | None) -> Operation:
    """The operation that writes the entry the form describes into the case file."""
    problems = []
    if not LOCAL.match(entry_id or ""):
        problems.append(Problem("id", "条目标识只能用英文字母、数字和连字符，并以字母开头",
                                "an entry id uses letters, digits and hyphens, starting with a letter"))
    entry = dict(existing or {})
    entry["id"], entry["type"] = entry_id, str(cls)[len(GZ_NS):]
    entry["label"] = {lang: form.get(f"label_{lang}", "").strip() for lang in ("zh", "en")}
    for f in fields:
        if f.kind == "lang":
            value = {lang: form.get(f"{f.key}_{lang}", "").strip() for lang in ("zh", "en")}
            value = {k: v for k, v in value.items() if v}
        else:
            raw = form.get(f.key, "").strip()
            value = [v.strip() for v in re.split(r"[,，\s]+", raw) if v.strip()] if f.kind in ("entry", "concept") else raw
        if value:
            entry[f.key] = value
        else:
            entry.pop(f.key, None)
    section, quote = form.get("evidence_section", "").strip(), form.get("evidence_quote", "").strip()
    if section or quote or not existing:
        if not section or not quote:
            problems.append(Problem("evidence", "每条事实都需要证据：论文的章节和原句", "every fact needs its evidence: "
                                    "the section of the paper and the sentence, verbatim"))
        evidence = [e for e in entry.get("evidence", []) if (e.get("section"), e.get("quote")) != (section, quote)]
        entry["evidence"] = evidence + [{"section": section, "quote": quote}]
    if problems:
        raise EditRefused(problems)
    entry.pop("evidence") if not entry.get("evidence") else None
    ordered = {k: entry[k] for k in ("id", "type", "label") if k in entry} | \
        {k: v for k, v in entry.items() if k not in ("id", "type", "label")}
    return Operation("entry", case_file, entry=entry_id, before=existing_block, after=caseyaml.render(ordered))


# --- term forms -------------------------------------------------------------------------------------

def kind_of(term: URIRef) -> str | None:
    g = ontology()
    return next((k for k, t in KINDS.items() if (term, RDF.type, t) in g), None)


def _file_of(term: URIRef) -> str:
    return "ontology/concepts.ttl" if str(term).startswith(GZC_NS) else "ontology/gongzhi.ttl"


def _nt(s, p, o) -> str:
    return f"{s.n3()} {p.n3()} {o.n3()} ."


def term_operations(kind: str, term: URIRef, form: dict, new: bool) -> list[Operation]:
    """Operations for a new or edited term: its own triples, and its alignment in alignment.ttl."""
    g = ontology()
    problems = []
    for key, zh, en in (("label_zh", "中文名称", "Chinese label"), ("label_en", "英文名称", "English label"),
                        ("definition_zh", "中文定义", "Chinese definition"),
                        ("definition_en", "英文定义", "English definition")):
        if not form.get(key, "").strip():
            problems.append(Problem(key, f"请填写{zh}", f"the {en} is required"))
    if new and (term, None, None) in g:
        problems.append(Problem(curie(term), "该术语已存在", "the term exists already"))
    if problems:
        raise EditRefused(problems)
    label_p = SKOS.prefLabel if kind == "concept" else RDFS.label
    want = {(term, RDF.type, KINDS[kind]),
            (term, label_p, Literal(form["label_zh"].strip(), lang="zh")),
            (term, label_p, Literal(form["label_en"].strip(), lang="en")),
            (term, SKOS.definition, Literal(form["definition_zh"].strip(), lang="zh")),
            (term, SKOS.definition, Literal(form["definition_en"].strip(), lang="en"))}
    if kind != "concept":
        want.add((term, RDFS.isDefinedBy, ONTOLOGY))
    for value in _values(form.get("parent", "")):
        want.add((term, PARENT[kind], expand(value)))
    if kind == "concept":
        scheme = expand(form.get("scheme", "") or "gzc:place-level")
        want.add((term, SKOS.inScheme, scheme))
        if not form.get("parent", "").strip():
            want.add((term, SKOS.topConceptOf, scheme))
    else:
        for key, p in (("domain", RDFS.domain), ("range", RDFS.range)):
            for value in _values(form.get(key, "")):
                want.add((term, p, expand(value)))
    if form.get("deprecated"):
        want.add((term, OWL.deprecated, Literal(True)))
        for value in _values(form.get("replaced_by", "")):
            want.add((term, DCTERMS.isReplacedBy, expand(value)))
    have = {(term, p, o) for p, o in g.predicate_objects(term) if p in EDITABLE and not isinstance(o, BNode)} \
        if not new else set()
    # what lives in the alignment file stays there: only the gz/gzc parents are this file's
    have = {t for t in have if not _is_alignment(t)}
    want_own = {t for t in want if not _is_alignment(t)}
    ops = [Operation("triples", _file_of(term), add=sorted(_nt(*t) for t in want_own - have),
                     remove=sorted(_nt(*t) for t in have - want_own))]
    if kind == "concept":
        scheme_triple = (expand(form.get("scheme", "") or "gzc:place-level"), SKOS.hasTopConcept, term)
        if any(p == SKOS.topConceptOf for _, p, _ in want_own) and scheme_triple not in g:
            ops[0].add.append(_nt(*scheme_triple))
    ops += _alignment_ops(kind, term, form.get("alignment", ""), new)
    return [op for op in ops if op.add or op.remove]


def _is_alignment(triple) -> bool:
    s, p, o = triple
    return p in (RDFS.subClassOf, RDFS.subPropertyOf) and not str(o).startswith(GZ_NS)


def _values(text: str) -> list[str]:
    return [v for v in re.split(r"[\s,，|]+", text.strip()) if v]


def _alignment_ops(kind: str, term: URIRef, text: str, new: bool) -> list[Operation]:
    alignment = _graph(paths.ALIGNMENT)
    have = set() if new else {(term, ALIGN[kind], o) for o in alignment.objects(term, ALIGN[kind])
                              if not str(o).startswith((GZ_NS, GZC_NS))}
    want = {(term, ALIGN[kind], expand(v)) for v in _values(text)}
    for _, _, external in want - have:
        if kind in DECLARE and (external, RDF.type, None) not in alignment:
            want.add((external, RDF.type, DECLARE[kind]))  # alignment.ttl declares the external terms it uses
    add = sorted(_nt(*t) for t in want - have)
    remove = sorted(_nt(*t) for t in have - want)
    return [Operation("triples", "ontology/alignment.ttl", add=add, remove=remove)]


def term_in_use(term: URIRef, data: Graph) -> int:
    """How many triples of the data (cases and the rest of the ontology) use the term."""
    return sum(1 for t in data.triples((None, None, term)) if t[0] != term) + \
        sum(1 for _ in data.triples((None, term, None)))


def delete_operations(term: URIRef, data: Graph) -> list[Operation]:
    """An unused term may go; a term in use is deprecated instead (the form says so)."""
    used = term_in_use(term, data)
    if used:
        raise EditRefused([Problem(curie(term), f"该术语正被 {used} 个三元组使用，不能删除；请将其标为弃用并给出替代术语",
                                   f"the term is used by {used} triple(s) and cannot be deleted: deprecate it and "
                                   "name its replacement")])
    ops = []
    for rel in ("ontology/gongzhi.ttl", "ontology/concepts.ttl", "ontology/alignment.ttl"):
        g = _graph(paths.SOURCE_ROOT / rel)
        lines = sorted(_nt(*t) for t in g.triples((term, None, None)) if not isinstance(t[2], BNode)) + \
            sorted(_nt(*t) for t in g.triples((None, None, term)))
        if lines:
            ops.append(Operation("triples", rel, remove=lines))
    return ops
