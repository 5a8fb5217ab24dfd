"""`kg protege`: the ontology as one RDF/XML file for Protégé, and a file saved by Protégé split back.

Protégé (the OWL API) opens ontology/gongzhi.ttl directly, but the concept schemes and the alignment are
two more files that import it. The exported file holds the three in one ontology, with the header of
gongzhi.ttl only: the OWL API keeps one ontology per document and merges the annotations of any other
header into it, so the headers of concepts.ttl and alignment.ttl stay in their files (edit them there).

A saved file is brought back into the three files by the rule that also splits the current merged graph
into the current files exactly (`split`), after dropping what tools add that carries no information
(`normalize`). Nothing is written unless the file parses, holds the ontology, and the result passes the
project's checks.
"""
import re
from dataclasses import dataclass, field
from os.path import commonprefix
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.exceptions import ParserError
from rdflib.namespace import SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg import codegen, ontofiles
from kg.ontofiles import OntologyFiles

PROJECT = commonprefix([codegen.GZ_IRI, codegen.GZC_IRI])  # https://w3id.org/gongzhi/
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD), "http://www.w3.org/XML/1998/namespace")
# A triple from a gz: term by one of these to a term of another vocabulary is an alignment axiom.
ALIGNING = {RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty, RDFS.seeAlso,
            OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype,
                OWL.NamedIndividual}
# Lists whose order means nothing in OWL (operands of a union, members of a disjointness, ...). The OWL
# API writes them sorted; the import keeps the order of the current files when the members are the same.
UNORDERED = {OWL.unionOf, OWL.intersectionOf, OWL.oneOf, OWL.members, OWL.disjointUnionOf, OWL.hasKey,
             OWL.distinctMembers}
# The OWL 2 built-in annotation properties (OWL 2 Structural Specification, 5.5).
BUILT_IN_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.deprecated, OWL.versionInfo,
                        OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith}


class ProtegeFileError(Exception):
    """The file cannot be brought back; nothing was written."""

    def __init__(self, file: Path, line: int, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.file, self.line, self.message_zh, self.message_en = file, line, message_zh, message_en

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message_zh}\n    {self.message_en}"


@dataclass
class ImportResult:
    written: list[Path] = field(default_factory=list)
    added: dict[Path, int] = field(default_factory=dict)  # triples added and removed, per file
    removed: dict[Path, int] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (triple, reason)
    warnings: list[str] = field(default_factory=list)


# --- the merged file ---------------------------------------------------------------------------------------

def _headers(files: OntologyFiles, graphs: dict[Path, Graph]) -> dict[Path, URIRef]:
    return {path: ontofiles.ontology_iri(graphs[path]) for path in files.all()}


def merged(files: OntologyFiles = OntologyFiles()) -> Graph:
    """The three files in one ontology: everything but the headers of the concepts and the alignment."""
    graphs = files.read()
    headers = _headers(files, graphs)
    g = Graph()
    for path in files.all():
        for prefix, ns in graphs[path].namespaces():
            g.bind(prefix, ns, override=False)
        for triple in graphs[path]:
            if path == files.ontology or triple[0] != headers[path]:
                g.add(triple)
    return g


def export(out: Path, files: OntologyFiles = OntologyFiles()) -> int:
    """Write the merged ontology as RDF/XML; return its number of triples."""
    g = merged(files)
    # rdflib's "pretty-xml" writer sometimes writes a union twice (about one run in four): the plain writer.
    data = g.serialize(format="xml", encoding="utf-8")
    if not isomorphic(Graph().parse(data=data, format="xml"), g):
        raise RuntimeError("the RDF/XML writer lost triples / RDF/XML 写出时丢失了三元组")
    out.write_bytes(data)
    return len(g)


# --- reading a saved file --------------------------------------------------------------------------------

def _line_of(text: str, *needles: str) -> int:
    """The line of the first of the needles found in the text (0: none)."""
    for needle in needles:
        index = text.find(needle)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return 0


def _line_of_term(text: str, iri: URIRef) -> int:
    local = re.split(r"[#/]", str(iri))[-1]
    return _line_of(text, f"<{iri}>", f'"{iri}"', f'"#{local}"', f":{local} ", f":{local}\n")


def read(path: Path) -> tuple[Graph, str]:
    """Parse RDF/XML or Turtle (N-Triples included); ProtegeFileError with the line otherwise."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtegeFileError(path, 0, "文件不是 UTF-8 编码", f"the file is not UTF-8 ({exc.reason})") from None
    head = text.lstrip()[:2000]
    if re.search(r"<Ontology\b[^>]*xmlns=\"http://www.w3.org/2002/07/owl#\"", head) or \
            re.match(r"(Prefix|Ontology)\(", head):
        raise ProtegeFileError(path, 1, "这是 OWL/XML 或函数式语法：请在 Protégé 中另存为 RDF/XML 或 Turtle",
                               "this is OWL/XML or functional syntax: in Protégé save as RDF/XML or Turtle")
    # By content, not by name: Protégé saves Turtle under any name. An XML start tag, not an IRI (<https://...>).
    xml = re.match(r"<(\?xml|!--|!DOCTYPE|[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?[\s/>])", head) is not None
    try:
        g = Graph().parse(data=text, format="xml" if xml else "turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise ProtegeFileError(path, exc.lines + 1, f"Turtle 语法错误：{exc.message}",
                               f"Turtle syntax error: {exc.message}") from None
    except SAXParseException as exc:
        raise ProtegeFileError(path, exc.getLineNumber(), f"XML 语法错误：{exc.getMessage()}",
                               f"XML syntax error: {exc.getMessage()}") from None
    except ParserError as exc:
        # rdflib's RDF/XML parser puts "<file>:<line>:<column>:" before its message.
        found = re.search(r":(\d+):\d+: (.*)", str(exc), re.DOTALL)
        line, message = (int(found.group(1)), found.group(2)) if found else (0, str(exc))
        raise ProtegeFileError(path, line, f"RDF/XML 错误：{message}", f"RDF/XML error: {message}") from None
    return g, text


# --- what tools add ------------------------------------------------------------------------------------

def normalize(g: Graph, current: Graph) -> tuple[Graph, list[tuple[str, str]]]:
    """Drop from a saved file what Protégé or owlready2 add that carries no information.

    A triple the current files hold is always kept. Dropped, each with its reason:
    - `?x rdf:type owl:NamedIndividual` when ?x has a class: the OWL API declares every individual, and
      a class assertion already makes ?x a named individual (the concepts and schemes are).
    - `?p rdf:type owl:AnnotationProperty` for the OWL 2 built-in annotation properties (rdfs:label,
      rdfs:comment, owl:deprecated, ...): they are built in, declaring them says nothing.
    - `?d rdf:type rdfs:Datatype` for XSD, RDF and RDFS datatypes: the OWL API declares the datatypes
      outside the OWL 2 datatype map (xsd:date, xsd:gYear); they are standard, the declaration adds nothing.
    - `?p rdf:type owl:ObjectProperty` for a datatype property whose range is rdf:langString, and
      `rdf:langString rdf:type owl:Class`: the OWL API before version 5 (Protégé 5 has 4.5) does not know
      the RDF 1.1 datatype rdf:langString, takes it for a class and so the property for an object property.
    And rewritten: a literal typed xsd:string becomes a simple literal (the same literal in RDF 1.1;
    owlready2 types every simple literal explicitly).
    """
    out = Graph()
    dropped = []
    for s, p, o in g:
        reason = None
        if (s, p, o) in current:
            pass
        elif p == RDF.type and o == OWL.NamedIndividual and set(g.objects(s, RDF.type)) - DECLARATIONS:
            reason = "implied declaration of an individual that has a class / 有类的个体的隐含声明"
        elif p == RDF.type and o == OWL.AnnotationProperty and s in BUILT_IN_ANNOTATIONS:
            reason = "declaration of a built-in annotation property / 内置注释属性的声明"
        elif p == RDF.type and o == RDFS.Datatype and str(s).startswith((str(XSD), str(RDF), str(RDFS))):
            reason = "declaration of a standard datatype / 标准数据类型的声明"
        elif (p == RDF.type and o == OWL.ObjectProperty and (s, RDF.type, OWL.DatatypeProperty) in g
              and (s, RDFS.range, RDF.langString) in g) or (s, p, o) == (RDF.langString, RDF.type, OWL.Class):
            reason = ("the OWL API before version 5 takes rdf:langString (RDF 1.1) for a class / "
                      "OWL API 5 之前的版本把 rdf:langString 当作类")
        if reason:
            dropped.append((f"{s.n3()} {p.n3()} {o.n3()}", reason))
            continue
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    return out, dropped


def _items(g: Graph, node) -> list:
    """The members of an RDF list (a broken, circular list ends where it comes back)."""
    items, seen = [], set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        first = g.value(node, RDF.first)
        if first is not None:
            items.append(first)
        node = g.value(node, RDF.rest)
    return items


def _render(g: Graph, node, sets: bool, as_set: bool = False, depth: int = 0) -> str:
    """A blank-node structure as text; with `sets`, the lists whose order means nothing in OWL sorted."""
    if not isinstance(node, BNode) or depth > 50:
        return node.n3()
    if (node, RDF.first, None) in g:
        items = [_render(g, x, sets, depth=depth + 1) for x in _items(g, node)]
        return "(" + " ".join(sorted(items) if as_set else items) + ")"
    parts = [f"{p.n3()} {_render(g, o, sets, sets and p in UNORDERED, depth + 1)}"
             for p, o in g.predicate_objects(node)]
    return "[" + "; ".join(sorted(parts)) + "]"


def _closure(g: Graph, node, into: Graph) -> None:
    if isinstance(node, BNode):
        for p, o in g.predicate_objects(node):
            if (node, p, o) not in into:
                into.add((node, p, o))
                _closure(g, o, into)


def _statements(g: Graph):
    """Each triple whose subject is an IRI, or each blank node no triple points to, with the blank-node
    structure it carries: (key triple, graph of its triples)."""
    pointed = {o for o in g.objects() if isinstance(o, BNode)}
    for s, p, o in g:
        if isinstance(s, BNode):
            continue
        part = Graph()
        part.add((s, p, o))
        _closure(g, o, part)
        yield (s, p, o), part
    for s in {s for s in g.subjects() if isinstance(s, BNode)} - pointed:
        part = Graph()
        _closure(g, s, part)
        yield (s, None, None), part


def keep_list_order(g: Graph, current: Graph) -> Graph:
    """Statements equal to a current one up to the order of an unordered OWL list are taken as current."""
    if not any(p in UNORDERED for p in g.predicates()):
        return g
    as_sets = {}
    for (s, p, o), part in _statements(current):
        if isinstance(o, BNode) or isinstance(s, BNode):
            as_sets.setdefault(_key(part, s, p, o, ordered=False), part)
    out = Graph()
    for prefix, ns in g.namespaces():
        out.bind(prefix, ns)
    for (s, p, o), part in _statements(g):
        same = as_sets.get(_key(part, s, p, o, ordered=False)) if (isinstance(o, BNode) or isinstance(s, BNode)) \
            else None
        out += same if same is not None else part
    return out


def _key(part: Graph, s, p, o, ordered: bool) -> str:
    if p is None:
        return _render(part, s, sets=not ordered)
    return f"{s.n3()} {p.n3()} {_render(part, o, not ordered, not ordered and p in UNORDERED)}"


# --- which file a triple belongs to ----------------------------------------------------------------------

def _external(iri) -> bool:
    return isinstance(iri, URIRef) and not str(iri).startswith((PROJECT, *BUILT_IN))


def _iris(part: Graph) -> set:
    return {t for triple in part for t in triple if isinstance(t, URIRef)}


def split(g: Graph, files: OntologyFiles, headers: dict[Path, URIRef]) -> dict[Path, Graph]:
    """Share the merged graph out to the three files.

    - the concept schemes' file: gzc: terms and schemes, and its header;
    - the alignment: its header; a triple from a gz: term by an aligning property (subclass,
      subproperty, equivalence, seeAlso, SKOS mapping) to a term of another vocabulary; what is said of
      other vocabularies' terms other than declaring them; a blank-node axiom that names another
      vocabulary's term;
    - the ontology: everything else (gz: terms, the ontology header, disjointness and other axioms);
    - a declaration of another vocabulary's term (`skos:prefLabel a owl:AnnotationProperty`) goes where
      the term is used: to the alignment if it is used there, and to the ontology if it is used there or
      nowhere else (the ontology declares the SKOS and DCTERMS terms the concept schemes use).
    """
    parts = {path: Graph() for path in files.all()}
    declarations = []
    for (s, p, o), part in _statements(g):
        if p is None:  # an axiom that is a blank node: the file of the triple it annotates, or of its terms
            source, annotated, target = (part.value(s, OWL.annotatedSource), part.value(s, OWL.annotatedProperty),
                                         part.value(s, OWL.annotatedTarget))
            if source is not None and annotated is not None:
                probe = Graph()
                probe.add((source, annotated, target))
                parts[_file_of(source, annotated, target, probe, files, headers)] += part
                continue
            names = _iris(part) - {t for t in _iris(part) if str(t).startswith(BUILT_IN)}
            if any(_external(t) for t in names):
                parts[files.alignment] += part
            elif names and all(str(t).startswith(codegen.GZC_IRI) for t in names):
                parts[files.concepts] += part
            else:
                parts[files.ontology] += part
        elif p == RDF.type and o in DECLARATIONS and not str(s).startswith(PROJECT):
            declarations.append(part)
        else:
            parts[_file_of(s, p, o, part, files, headers)] += part
    used = {path: {t for triple in part for t in (triple[1], triple[2])} |
            {s for s in part.subjects() if not str(s).startswith(PROJECT)} for path, part in parts.items()}
    for part in declarations:
        (term, _, _), = part
        if term in used[files.alignment]:
            parts[files.alignment] += part
        if term in used[files.ontology] or term not in used[files.alignment]:
            parts[files.ontology] += part
    return parts


def _file_of(s, p, o, part: Graph, files: OntologyFiles, headers: dict[Path, URIRef]) -> Path:
    if s == headers[files.concepts] or str(s).startswith(codegen.GZC_IRI):
        return files.concepts
    if s == headers[files.alignment]:
        return files.alignment
    if str(s).startswith(PROJECT):
        if p in ALIGNING and (_external(o) or any(_external(t) for t in _iris(part) - {s, p})):
            return files.alignment
        return files.ontology
    return files.alignment


# --- bringing a file back ---------------------------------------------------------------------------------

def _check_file(path: Path, text: str, g: Graph, files: OntologyFiles, headers: dict[Path, URIRef]) -> None:
    ontologies = sorted(set(g.subjects(RDF.type, OWL.Ontology)), key=str)
    main = headers[files.ontology]
    if ontologies != [main]:
        found = ", ".join(f"<{o}>" for o in ontologies) or "none / 无"
        raise ProtegeFileError(path, _line_of(text, "owl:Ontology", "Ontology"),
                               f"文件应只含一个本体 <{main}>（由 `kg protege export` 导出），实际为：{found}",
                               f"the file must hold the one ontology <{main}> (as `kg protege export` writes it); "
                               f"found: {found}")
    for other in (files.concepts, files.alignment):
        if (headers[other], None, None) in g:
            raise ProtegeFileError(path, _line_of_term(text, headers[other]),
                                   f"<{headers[other]}> 的本体头不在导出文件中：请直接编辑 {other.name}",
                                   f"the header of <{headers[other]}> is not part of the exported file: edit "
                                   f"{other.name} directly")


def _check_punning(path: Path, text: str, g: Graph) -> None:
    punned = set(g.subjects(RDF.type, OWL.ObjectProperty)) & set(g.subjects(RDF.type, OWL.DatatypeProperty))
    if punned:
        prop = min(punned, key=str)
        raise ProtegeFileError(path, _line_of_term(text, prop),
                               f"<{prop}> 同时是对象属性和数据属性，OWL 2 DL 不允许",
                               f"<{prop}> is both an object property and a datatype property, which OWL 2 DL "
                               "does not allow")


def _restore_slashes(g: Graph, current: Graph) -> tuple[Graph, list[str]]:
    """Give back the final "/" that owlready2's RDF/XML reader drops from every IRI (rdfxml_2_ntriples.py:
    `if iri.endswith("/"): iri = iri[:-1]`), where the current files have the IRI with it and not without.
    Each repair is reported."""
    known = {t for triple in current for t in triple if isinstance(t, URIRef)}
    found = {t for triple in g for t in triple if isinstance(t, URIRef)}
    repair = {t: URIRef(f"{t}/") for t in found - known if URIRef(f"{t}/") in known}
    if not repair:
        return g, []
    fixed = Graph()
    for prefix, ns in g.namespaces():
        fixed.bind(prefix, ns, override=True)
    for triple in g:
        fixed.add(tuple(repair.get(t, t) for t in triple))
    return fixed, [f"<{t}> -> <{t}/>: the final slash restored (owlready2 drops it) / 已恢复被 owlready2 删去的末尾斜杠"
                   for t in sorted(repair)]


def _keys(g: Graph) -> set[str]:
    """The statements of a graph as text, blank nodes written out, to count what changed."""
    return {_key(part, s, p, o, ordered=True) for (s, p, o), part in _statements(g)}


def _bind_new_prefixes(target: Graph, source: Graph) -> None:
    """Prefixes of the saved file for namespaces the target file has none for and uses."""
    bound = [str(ns) for _, ns in target.namespaces()]
    names = {str(t) for triple in target for t in triple if isinstance(t, URIRef)}
    for prefix, ns in source.namespaces():
        if not prefix or str(ns) in bound or prefix in dict(target.namespaces()):
            continue
        if any(n.startswith(str(ns)) and not any(n.startswith(b) for b in bound) for n in names):
            target.bind(prefix, ns, override=False)
            bound.append(str(ns))


def apply(path: Path, files: OntologyFiles = OntologyFiles(), run_checks: bool = True) -> ImportResult:
    """Bring a file saved by Protégé (or owlready2) back into the three files, in canonical form."""
    graphs, read_texts = files.read_with_texts()
    headers = _headers(files, graphs)
    current = Graph()
    for part in graphs.values():
        current += part
    g, text = read(path)
    _check_file(path, text, g, files, headers)
    result = ImportResult()
    g, result.dropped = normalize(g, current)
    _check_punning(path, text, g)
    g = keep_list_order(g, current)
    g, result.warnings = _restore_slashes(g, current)
    for other in (files.concepts, files.alignment):  # their headers stay as their files have them
        for (s, p, o), part in _statements(graphs[other]):
            if s == headers[other]:
                g += part
    for source, part in split(g, files, headers).items():
        target = graphs[source]
        before, after = _keys(target), _keys(part)
        result.added[source], result.removed[source] = len(after - before), len(before - after)
        target.remove((None, None, None))  # the graph keeps the file's prefixes
        target += part
        _bind_new_prefixes(target, g)
    if run_checks and (any(result.added.values()) or any(result.removed.values())):
        problems, more = ontofiles.check(files, graphs)
        result.warnings += more
        if problems:
            raise ProtegeFileError(path, 0, "导入后的本体未通过项目的检查：\n" + "\n".join(problems),
                                   "the ontology from this file fails the project's checks (above)")
    result.written = ontofiles.write(graphs, read_texts)
    return result
