"""`kg terms`: the ontology's terms as a spreadsheet (CSV), one row a term, and a sheet applied back.

In the spirit of ROBOT templates: a first row of column names, optionally a second row of ROBOT template
strings (`ID`, `TYPE`, ...; only informative here, and skipped on import), then one row per term of
ontology/gongzhi.ttl (gz: classes and properties) and ontology/concepts.ttl (gzc: concepts and schemes).
Importing a sheet adds its new terms and changes the cells that differ from the files; a term that is
not in the sheet stays as it is (terms are retired by deprecation, never deleted). Every row is checked
before anything is written, and a bad row is named by its row number and column.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS

from kg import codegen, ontofiles
from kg.ontofiles import OntologyFiles

LANGUAGES = ("zh", "en")
# Deprecation follows OWL 2 (owl:deprecated true) and, for the term to use instead, DCTERMS as the rest
# of the ontology does (dcterms:isReplacedBy; OBO's IAO_0100001 "term replaced by" means the same).
REPLACED_BY = DCTERMS.isReplacedBy
DATATYPES = {RDF.langString, RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal}
CHARACTERISTICS = {
    "functional": OWL.FunctionalProperty, "inverse functional": OWL.InverseFunctionalProperty,
    "transitive": OWL.TransitiveProperty, "symmetric": OWL.SymmetricProperty,
    "asymmetric": OWL.AsymmetricProperty, "reflexive": OWL.ReflexiveProperty,
    "irreflexive": OWL.IrreflexiveProperty,
}

# Column name -> ROBOT template string (the optional second row). For concepts the labels are
# skos:prefLabel and the parent skos:broader; ROBOT has no keyword for those.
COLUMNS = {
    "IRI": "ID",
    "type": "TYPE",
    "label_zh": "AL rdfs:label@zh",
    "label_en": "AL rdfs:label@en",
    "definition_zh": "AL skos:definition@zh",
    "definition_en": "AL skos:definition@en",
    "parent": "SC % SPLIT=|",
    "domain": "DOMAIN",
    "range": "RANGE",
    "characteristic": "CHARACTERISTIC SPLIT=|",
    "scheme": "AI skos:inScheme SPLIT=|",
    "deprecated": "AT owl:deprecated^^xsd:boolean",
    "replaced_by": "AI dcterms:isReplacedBy SPLIT=|",
}
SPLIT = "|"


@dataclass(frozen=True)
class Kind:
    """A kind of term: the value of the `type` column."""

    name: str
    rdf_type: URIRef
    namespace: str
    label: URIRef
    parent: URIRef | None
    local_name: str  # what a new term's local name must look like
    naming_zh: str
    naming_en: str

    @property
    def is_property(self) -> bool:
        return self.rdf_type in (OWL.ObjectProperty, OWL.DatatypeProperty)

    @property
    def in_concepts(self) -> bool:
        return self.namespace == codegen.GZC_IRI


_UPPER_CAMEL = r"[A-Z][A-Za-z0-9]*"
_LOWER_CAMEL = r"[a-z][A-Za-z0-9]*"
_KEBAB = r"[a-z0-9]+(?:-[a-z0-9]+)*"
KINDS = {k.name: k for k in (
    Kind("class", OWL.Class, codegen.GZ_IRI, RDFS.label, RDFS.subClassOf, _UPPER_CAMEL,
         "类名以大写字母开头，由字母和数字组成（如 gz:ServiceCenter）",
         "a class name starts with a capital letter, then letters and digits (gz:ServiceCenter)"),
    Kind("object property", OWL.ObjectProperty, codegen.GZ_IRI, RDFS.label, RDFS.subPropertyOf, _LOWER_CAMEL,
         "属性名以小写字母开头，由字母和数字组成（如 gz:heldBy）",
         "a property name starts with a lowercase letter, then letters and digits (gz:heldBy)"),
    Kind("datatype property", OWL.DatatypeProperty, codegen.GZ_IRI, RDFS.label, RDFS.subPropertyOf,
         _LOWER_CAMEL, "属性名以小写字母开头，由字母和数字组成（如 gz:itemCount）",
         "a property name starts with a lowercase letter, then letters and digits (gz:itemCount)"),
    Kind("concept", SKOS.Concept, codegen.GZC_IRI, SKOS.prefLabel, SKOS.broader, _KEBAB,
         "概念名为以连字符连接的小写英文单词（如 gzc:taken-back）",
         "a concept name is lowercase English words joined by hyphens (gzc:taken-back)"),
    Kind("concept scheme", SKOS.ConceptScheme, codegen.GZC_IRI, SKOS.prefLabel, None, _KEBAB,
         "概念体系名为以连字符连接的小写英文单词（如 gzc:change-type）",
         "a scheme name is lowercase English words joined by hyphens (gzc:change-type)"),
)}
# Other spellings accepted in the type column: ROBOT's, and the CURIEs of the types.
ALIASES = {"data property": "datatype property", "owl:class": "class", "owl:objectproperty": "object property",
           "owl:datatypeproperty": "datatype property", "owl:dataproperty": "datatype property",
           "skos:concept": "concept", "skos:conceptscheme": "concept scheme"}


class TermsError(Exception):
    """The files hold something the sheet cannot show (so exporting it would lose it)."""


@dataclass(frozen=True)
class RowError:
    """One bad cell of a sheet: its row (as the spreadsheet numbers it) and column."""

    row: int
    column: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return (f"第 {self.row} 行，{self.column} 列：{self.message_zh}\n"
                f"    row {self.row}, column {self.column}: {self.message_en}")


class SheetError(Exception):
    """The sheet has bad rows; nothing was written."""

    def __init__(self, sheet: Path, errors: list[RowError]):
        super().__init__(f"{sheet}: {len(errors)} error(s)")
        self.sheet = sheet
        self.errors = sorted(errors, key=lambda e: (e.row, list(COLUMNS).index(e.column) if e.column in COLUMNS
                                                    else -1))

    def __str__(self) -> str:
        return "\n".join(f"{self.sheet.name}: {e}" for e in self.errors)


class ChecksFailed(Exception):
    """The sheet is well formed, but the ontology it makes fails the project's checks; nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Term:
    """The managed cells of one term, as values: what a row says, or what the files hold."""

    iri: URIRef
    kind: Kind | None
    row: int = 0
    labels: dict = field(default_factory=dict)
    definitions: dict = field(default_factory=dict)
    parents: frozenset = frozenset()
    domain: tuple = ()  # one class, or the members of a union (owl:unionOf), in their order
    range: tuple = ()
    characteristics: frozenset = frozenset()
    schemes: frozenset = frozenset()
    deprecated: bool = False
    replaced_by: frozenset = frozenset()


class Curies:
    """CURIEs of the prefixes the files declare; `<...>` for an IRI with none."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self._longest_first = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def text(self, iri: URIRef) -> str:
        for prefix, ns in self._longest_first:
            local = str(iri)[len(ns):]
            if str(iri).startswith(ns) and re.fullmatch(r"[\w.-]*", local):
                return f"{prefix}:{local}"
        return f"<{iri}>"

    def iri(self, text: str) -> URIRef:
        """The IRI of a CURIE or <IRI>; ValueError with (zh, en) messages otherwise."""
        if text.startswith("<") and text.endswith(">") and " " not in text:
            return URIRef(text[1:-1])
        prefix, colon, local = text.partition(":")
        if not colon or not re.fullmatch(r"[A-Za-z][\w.-]*", prefix) or not re.fullmatch(r"[\w.-]*", local):
            raise ValueError(f"“{text}”不是 CURIE（如 gz:Community）或 <IRI>",
                             f"'{text}' is not a CURIE (such as gz:Community) or an <IRI>")
        if prefix not in self.prefixes:
            raise ValueError(f"“{text}”的前缀 {prefix}: 未在本体文件中声明（已知：{', '.join(sorted(self.prefixes))}）",
                             f"'{text}': prefix {prefix}: is not declared in the ontology files "
                             f"(known: {', '.join(sorted(self.prefixes))})")
        return URIRef(self.prefixes[prefix] + local)


# --- reading the files ---------------------------------------------------------------------------------

def _one_per_language(g: Graph, term: URIRef, predicate: URIRef, curies: Curies) -> dict:
    values = {}
    for o in g.objects(term, predicate):
        if isinstance(o, Literal) and o.language in LANGUAGES:
            if o.language in values:
                raise TermsError(f"{curies.text(term)} has two {curies.text(predicate)}@{o.language}: a cell holds "
                                 f"one / 有两个 {o.language} 值，而一个单元格只能容纳一个")
            values[o.language] = str(o)
    return values


def _class_expression(g: Graph, term: URIRef, predicate: URIRef, curies: Curies) -> tuple:
    values = list(g.objects(term, predicate))
    if len(values) > 1:
        raise TermsError(f"{curies.text(term)} has {len(values)} {curies.text(predicate)}: the sheet shows one "
                         "class or one union / 表格只能表示一个类或一个并集")
    if not values:
        return ()
    value = values[0]
    if isinstance(value, URIRef):
        return (value,)
    members = g.value(value, OWL.unionOf)
    if members is None or set(g.predicates(value)) - {RDF.type, OWL.unionOf}:
        raise TermsError(f"{curies.text(term)} {curies.text(predicate)} is a class expression other than a "
                         "union / 是并集以外的类表达式，表格无法表示")
    return tuple(Collection(g, members))


def _read_term(g: Graph, iri: URIRef, kind: Kind, curies: Curies) -> Term:
    term = Term(iri, kind)
    term.labels = _one_per_language(g, iri, kind.label, curies)
    term.definitions = _one_per_language(g, iri, SKOS.definition, curies)
    if kind.parent is not None:
        term.parents = frozenset(o for o in g.objects(iri, kind.parent) if isinstance(o, URIRef))
    if kind.is_property:
        term.domain = _class_expression(g, iri, RDFS.domain, curies)
        term.range = _class_expression(g, iri, RDFS.range, curies)
        term.characteristics = frozenset(set(g.objects(iri, RDF.type)) & set(CHARACTERISTICS.values()))
    if kind.name == "concept":
        term.schemes = frozenset(o for o in g.objects(iri, SKOS.inScheme) if isinstance(o, URIRef))
    term.deprecated = any(isinstance(o, Literal) and o.toPython() is True for o in g.objects(iri, OWL.deprecated))
    term.replaced_by = frozenset(o for o in g.objects(iri, REPLACED_BY) if isinstance(o, URIRef))
    return term


def current_terms(files: OntologyFiles, graphs: dict[Path, Graph], curies: Curies) -> dict[URIRef, Term]:
    """Every term of the ontology and concept files, as the sheet shows it."""
    terms: dict[URIRef, Term] = {}
    for kind in KINDS.values():
        g = graphs[files.concepts if kind.in_concepts else files.ontology]
        for iri in g.subjects(RDF.type, kind.rdf_type):
            if not isinstance(iri, URIRef) or not str(iri).startswith(kind.namespace):
                continue
            if iri in terms:
                raise TermsError(f"{curies.text(iri)} is both {_a(terms[iri].kind.name)} and {_a(kind.name)} / "
                                 "同时属于两种术语类型")
            terms[iri] = _read_term(g, iri, kind, curies)
    return terms


def _cells(term: Term, curies: Curies) -> dict[str, str]:
    joined = SPLIT.join
    names = {t: n for n, t in CHARACTERISTICS.items()}
    return {
        "IRI": curies.text(term.iri),
        "type": term.kind.name,
        "label_zh": term.labels.get("zh", ""),
        "label_en": term.labels.get("en", ""),
        "definition_zh": term.definitions.get("zh", ""),
        "definition_en": term.definitions.get("en", ""),
        "parent": joined(sorted(curies.text(p) for p in term.parents)),
        "domain": joined(curies.text(c) for c in term.domain),
        "range": joined(curies.text(c) for c in term.range),
        "characteristic": joined(sorted(names[c] for c in term.characteristics)),
        "scheme": joined(sorted(curies.text(s) for s in term.schemes)),
        "deprecated": "true" if term.deprecated else "",
        "replaced_by": joined(sorted(curies.text(r) for r in term.replaced_by)),
    }


# --- export ------------------------------------------------------------------------------------------------

def export(out: Path, files: OntologyFiles = OntologyFiles(), template_row: bool = False) -> int:
    """Write every term to `out` (UTF-8, no BOM, RFC 4180 quoting); return the number of terms."""
    curies = Curies(files.prefixes())
    terms = current_terms(files, files.read(), curies)
    order = list(KINDS)
    rows = sorted((_cells(t, curies) for t in terms.values()),
                  key=lambda c: (order.index(c["type"]), c["scheme"], c["IRI"]))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        if template_row:
            writer.writerow(COLUMNS.values())
        for cells in rows:
            writer.writerow(cells[c] for c in COLUMNS)
    return len(rows)


# --- reading a sheet -----------------------------------------------------------------------------------

def read_sheet(sheet: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a sheet as (row number, cells by column name); SheetError for a malformed sheet.

    UTF-8 with or without a BOM (Excel's "CSV UTF-8" writes one); comma, semicolon or tab separated
    (whichever separates the header); a second row whose IRI cell is ROBOT's `ID` is the template row.
    Columns whose name starts with `#` are a person's notes and are ignored.
    """
    data = sheet.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(sheet, [RowError(
            data[:exc.start].count(b"\n") + 1, "-",
            "文件不是 UTF-8 编码：在 Excel 中请“另存为 CSV UTF-8（逗号分隔）”，在 LibreOffice 中选择字符集 Unicode (UTF-8)",
            "the file is not UTF-8: in Excel use Save As 'CSV UTF-8 (Comma delimited)', in LibreOffice choose "
            "the character set Unicode (UTF-8)")]) from None
    first = text.splitlines()[0] if text else ""
    delimiter = next((d for d in (",", ";", "\t") if {"IRI", "type"} <= {c.strip() for c in first.split(d)}), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise SheetError(sheet, [RowError(reader.line_num, "-", f"CSV 格式错误：{exc}", f"malformed CSV: {exc}")]) \
            from None
    if not records:
        raise SheetError(sheet, [RowError(1, "-", "文件为空", "the file is empty")])
    header = [c.strip() for c in records[0]]
    errors = []
    for name in COLUMNS:
        if name not in header:
            errors.append(RowError(1, name, f"缺少列 {name}", f"the column {name} is missing"))
    seen = set()
    for name in header:
        if name and not name.startswith("#") and name not in COLUMNS:
            errors.append(RowError(1, name, f"未知的列名（已知：{', '.join(COLUMNS)}；以 # 开头的列会被忽略）",
                                   f"unknown column (known: {', '.join(COLUMNS)}; columns starting with # are "
                                   "ignored)"))
        if name in seen and name in COLUMNS:
            errors.append(RowError(1, name, "列名重复", "the column appears twice"))
        seen.add(name)
    if errors:
        raise SheetError(sheet, errors)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
            errors.append(RowError(number, "-", "最后一列之后还有内容", "there are cells beyond the last column"))
        cells = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)
                 if name in COLUMNS}
        if not any(cells.values()):
            continue
        if number == 2 and cells["IRI"] == COLUMNS["IRI"]:
            continue
        rows.append((number, cells))
    if errors:
        raise SheetError(sheet, errors)
    return rows


def _parse_row(number: int, cells: dict[str, str], curies: Curies, errors: list[RowError]) -> Term | None:
    def error(column: str, zh: str, en: str) -> None:
        errors.append(RowError(number, column, zh, en))

    def iris(column: str) -> tuple:
        found = []
        for piece in cells[column].split(SPLIT):
            if piece.strip():
                try:
                    found.append(curies.iri(piece.strip()))
                except ValueError as exc:
                    error(column, *exc.args)
        return tuple(found)

    if not cells["IRI"]:
        error("IRI", "缺少 IRI", "the IRI is missing")
        return None
    try:
        iri = curies.iri(cells["IRI"])
    except ValueError as exc:
        error("IRI", *exc.args)
        return None
    type_cell = cells["type"].strip()
    kind = KINDS.get(ALIASES.get(type_cell.lower(), type_cell.lower()))
    if kind is None:
        error("type", f"未知的类型“{type_cell}”（可用：{', '.join(KINDS)}）",
              f"unknown type '{type_cell}' (use one of: {', '.join(KINDS)})")
    elif not str(iri).startswith(kind.namespace) or str(iri) == kind.namespace:
        prefix = curies.text(URIRef(kind.namespace)).rstrip(":")
        error("IRI", f"{kind.name} 的 IRI 应在 {prefix} 命名空间中（{kind.namespace}）",
              f"the IRI of {_a(kind.name)} must be in the {prefix} namespace ({kind.namespace})")
        kind = None  # nothing more can be said of the row's term
    term = Term(iri, kind, number)
    flag = cells["deprecated"].lower()
    if flag not in ("", "true", "false", "1", "0"):
        error("deprecated", f"应为 true 或留空，而不是“{cells['deprecated']}”",
              f"must be true or empty, not '{cells['deprecated']}'")
    term.deprecated = flag in ("true", "1")
    for column, target in (("label", term.labels), ("definition", term.definitions)):
        for lang in LANGUAGES:
            value = cells[f"{column}_{lang}"]
            if value:
                target[lang] = value
            elif column == "label" or not term.deprecated:  # a deprecated term may lack a definition
                what_zh = "标签" if column == "label" else "定义"
                error(f"{column}_{lang}", f"缺少{'中文' if lang == 'zh' else '英文'}{what_zh}",
                      f"the {'Chinese' if lang == 'zh' else 'English'} {column} is missing")
    term.parents = frozenset(iris("parent"))
    term.domain = iris("domain")
    term.range = iris("range")
    term.schemes = frozenset(iris("scheme"))
    term.replaced_by = frozenset(iris("replaced_by"))
    chars = set()
    for piece in cells["characteristic"].split(SPLIT):
        name = " ".join(piece.lower().split())
        if name in CHARACTERISTICS:
            chars.add(CHARACTERISTICS[name])
        elif name:
            error("characteristic", f"未知的属性特征“{piece.strip()}”（可用：{', '.join(CHARACTERISTICS)}）",
                  f"unknown characteristic '{piece.strip()}' (use: {', '.join(CHARACTERISTICS)})")
    term.characteristics = frozenset(chars)
    return term


# --- checking a sheet against itself and the files ------------------------------------------------------

class _Universe:
    """What the terms are once the sheet is applied: the sheet's rows over the files' terms."""

    def __init__(self, rows: list[Term], current: dict[URIRef, Term], ontology: Graph):
        self.current = current
        self.final = dict(current)
        seen = set()
        for term in rows:  # a duplicate row, or one that changes a term's type, is an error, not a term
            if term.kind is not None and term.iri not in seen and (term.iri not in current
                                                                   or current[term.iri].kind == term.kind):
                self.final[term.iri] = term
            seen.add(term.iri)
        self.declared_classes = {s for s in ontology.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
        self.declared_classes.add(OWL.Thing)

    def kind(self, iri: URIRef) -> Kind | None:
        term = self.final.get(iri)
        return term.kind if term else None

    def is_class(self, iri: URIRef) -> bool:
        kind = self.kind(iri)
        return (kind.name == "class") if kind else iri in self.declared_classes


def _a(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def _is_datatype(iri: URIRef) -> bool:
    return str(iri).startswith(str(XSD)) or iri in DATATYPES


def _check_rows(rows: list[Term], world: _Universe, curies: Curies, errors: list[RowError]) -> None:
    first_row: dict[URIRef, int] = {}
    for term in rows:
        def error(column: str, zh: str, en: str, term=term) -> None:
            errors.append(RowError(term.row, column, zh, en))

        name = curies.text(term.iri)
        if term.iri in first_row:
            error("IRI", f"{name} 已在第 {first_row[term.iri]} 行出现，每个术语只能有一行",
                  f"{name} is already on row {first_row[term.iri]}; one row per term")
            continue
        first_row[term.iri] = term.row
        kind = term.kind
        if kind is None:
            continue
        existing = world.current.get(term.iri)
        if existing is not None and existing.kind != kind:
            error("type", f"{name} 在本体中是 {existing.kind.name}，不能改为 {kind.name}（请弃用旧术语并新建一个）",
                  f"{name} is {_a(existing.kind.name)} in the ontology and cannot become {_a(kind.name)} "
                  "(deprecate it and add a new term)")
            continue
        local = str(term.iri)[len(kind.namespace):]
        if existing is None and not re.fullmatch(kind.local_name, local):
            error("IRI", f"新术语名“{local}”不合规范：{kind.naming_zh}", f"new term name '{local}': {kind.naming_en}")
        _check_parents(term, world, curies, error)
        _check_domain_range(term, world, curies, error)
        _check_scheme_and_replacement(term, world, curies, error)
    _check_cycles(rows, world, curies, errors)


def _check_parents(term: Term, world: _Universe, curies: Curies, error) -> None:
    kind = term.kind
    if kind.parent is None and term.parents:
        error("parent", "概念体系没有上级", "a concept scheme has no parent")
        return
    for parent in sorted(term.parents):
        text = curies.text(parent)
        if parent == term.iri:
            error("parent", f"{text} 不能是自己的上级", f"{text} cannot be its own parent")
        elif world.kind(parent) is None:
            error("parent", f"上级 {text} 不是本体或表格中的术语", f"the parent {text} is not a term of the ontology "
                  "or the sheet")
        elif world.kind(parent) != kind:
            error("parent", f"{kind.name} 的上级须是 {kind.name}，而 {text} 是 {world.kind(parent).name}",
                  f"the parent of {_a(kind.name)} must be {_a(kind.name)}; {text} is {_a(world.kind(parent).name)}")


def _check_domain_range(term: Term, world: _Universe, curies: Curies, error) -> None:
    kind = term.kind
    if not kind.is_property:
        for column in ("domain", "range", "characteristic"):
            if getattr(term, "characteristics" if column == "characteristic" else column):
                error(column, f"只有属性才有 {column}，{kind.name} 没有", f"only properties have a {column}, "
                      f"{_a(kind.name)} does not")
        return
    for column in ("domain", "range"):
        values = getattr(term, column)
        if not values:
            error(column, f"属性必须有{'定义域' if column == 'domain' else '值域'}（{column}）",
                  f"a property must have a {column}")
            continue
        if column == "range" and kind.rdf_type == OWL.DatatypeProperty:
            if len(values) > 1:
                error(column, "数据属性的值域只能是一个数据类型", "the range of a datatype property is one datatype")
            elif not _is_datatype(values[0]):
                error(column, f"{curies.text(values[0])} 不是数据类型（如 xsd:string、rdf:langString）",
                      f"{curies.text(values[0])} is not a datatype (such as xsd:string, rdf:langString)")
            continue
        for value in values:
            if not world.is_class(value):
                error(column, f"{curies.text(value)} 不是本体中的类（其他词汇的类须先在 gongzhi.ttl 中声明）",
                      f"{curies.text(value)} is not a class of the ontology (declare another vocabulary's class "
                      "in gongzhi.ttl first)")
    if kind.rdf_type == OWL.DatatypeProperty and term.characteristics - {OWL.FunctionalProperty}:
        error("characteristic", "数据属性只能是 functional", "a datatype property can only be functional")


def _check_scheme_and_replacement(term: Term, world: _Universe, curies: Curies, error) -> None:
    kind = term.kind
    if kind.name == "concept":
        if not term.schemes:
            error("scheme", "概念必须属于一个概念体系（scheme）", "a concept must be in a concept scheme")
        for scheme in sorted(term.schemes):
            if world.kind(scheme) is not KINDS["concept scheme"]:
                error("scheme", f"{curies.text(scheme)} 不是概念体系", f"{curies.text(scheme)} is not a concept scheme")
    elif term.schemes:
        error("scheme", f"只有概念才属于概念体系，{kind.name} 不属于", f"only concepts are in a scheme, not {_a(kind.name)}")
    if term.replaced_by and not term.deprecated:
        error("replaced_by", "只有已弃用（deprecated 为 true）的术语才有替代术语",
              "only a deprecated term (deprecated = true) has a replacement")
    for replacement in sorted(term.replaced_by):
        text = curies.text(replacement)
        target = world.final.get(replacement)
        if replacement == term.iri:
            error("replaced_by", f"{text} 不能替代自己", f"{text} cannot replace itself")
        elif target is None:
            error("replaced_by", f"替代术语 {text} 不是本体或表格中的术语",
                  f"the replacement {text} is not a term of the ontology or the sheet")
        elif target.kind != kind:
            error("replaced_by", f"{kind.name} 的替代术语须是 {kind.name}，而 {text} 是 {target.kind.name}",
                  f"{_a(kind.name)} is replaced by {_a(kind.name)}; {text} is {_a(target.kind.name)}")
        elif target.deprecated:
            error("replaced_by", f"替代术语 {text} 本身已弃用：请指向仍在使用的术语",
                  f"the replacement {text} is itself deprecated: point to a term in use")


def _check_cycles(rows: list[Term], world: _Universe, curies: Curies, errors: list[RowError]) -> None:
    """A term of the sheet whose parents lead back to itself."""
    def parents(iri: URIRef) -> frozenset:
        return world.final[iri].parents if iri in world.final else frozenset()

    for term in rows:
        if term.kind is None or world.final.get(term.iri) is not term:
            continue
        stack, seen = list(parents(term.iri) - {term.iri}), set()
        while stack:
            node = stack.pop()
            if node == term.iri:
                name = curies.text(term.iri)
                errors.append(RowError(term.row, "parent", f"上级关系成环：{name} 经由其上级又回到自身",
                                       f"the parents go round in a circle: {name} is its own ancestor"))
                break
            if node not in seen:
                seen.add(node)
                stack.extend(parents(node))


# --- applying a sheet --------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (term, column)
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _remove(g: Graph, subject, predicate) -> None:
    """Remove the triples and the blank-node structures (unions, lists) they point to."""
    for o in list(g.objects(subject, predicate)):
        g.remove((subject, predicate, o))
        if isinstance(o, BNode) and (None, None, o) not in g:
            for p in list(g.predicates(o)):
                _remove(g, o, p)


def _class_node(g: Graph, members: tuple):
    if len(members) == 1:
        return members[0]
    node, items = BNode(), BNode()
    g.add((node, RDF.type, OWL.Class))
    Collection(g, items, list(members))
    g.add((node, OWL.unionOf, items))
    return node


def _apply_term(g: Graph, new: Term, old: Term | None, defined_by: URIRef, changed: list[str]) -> None:
    iri, kind = new.iri, new.kind

    def differs(column: str, before, after) -> bool:
        if old is not None and before != after:
            changed.append(column)
        return old is None or before != after

    if old is None:
        g.add((iri, RDF.type, kind.rdf_type))
        if kind.namespace == codegen.GZ_IRI:
            g.add((iri, RDFS.isDefinedBy, defined_by))
    for column, predicate, values in (("label", kind.label, "labels"), ("definition", SKOS.definition,
                                                                          "definitions")):
        for lang in LANGUAGES:
            after = getattr(new, values).get(lang)
            if differs(f"{column}_{lang}", getattr(old, values).get(lang) if old else None, after):
                for o in [o for o in g.objects(iri, predicate) if isinstance(o, Literal) and o.language == lang]:
                    g.remove((iri, predicate, o))
                if after:
                    g.add((iri, predicate, Literal(after, lang=lang)))
    if kind.parent is not None and differs("parent", old.parents if old else None, new.parents):
        for parent in old.parents if old else ():
            g.remove((iri, kind.parent, parent))
        for parent in new.parents:
            g.add((iri, kind.parent, parent))
    for column, predicate in (("domain", RDFS.domain), ("range", RDFS.range)):
        after = getattr(new, column)
        if kind.is_property and differs(column, getattr(old, column) if old else None, after):
            _remove(g, iri, predicate)
            g.add((iri, predicate, _class_node(g, after)))
    if differs("characteristic", old.characteristics if old else frozenset(), new.characteristics):
        for t in (old.characteristics if old else frozenset()) - new.characteristics:
            g.remove((iri, RDF.type, t))
        for t in new.characteristics:
            g.add((iri, RDF.type, t))
    if differs("scheme", old.schemes if old else frozenset(), new.schemes):
        for s in old.schemes if old else ():
            g.remove((iri, SKOS.inScheme, s))
        for s in new.schemes:
            g.add((iri, SKOS.inScheme, s))
    if differs("deprecated", old.deprecated if old else False, new.deprecated):
        _remove(g, iri, OWL.deprecated)
        if new.deprecated:
            g.add((iri, OWL.deprecated, Literal(True)))
    if differs("replaced_by", old.replaced_by if old else frozenset(), new.replaced_by):
        for r in old.replaced_by if old else ():
            g.remove((iri, REPLACED_BY, r))
        for r in new.replaced_by:
            g.add((iri, REPLACED_BY, r))


def _top_concepts(concepts: Graph, rows: list[Term]) -> None:
    """A concept without a broader concept is a top concept of its schemes (skos:topConceptOf, and the
    schemes' skos:hasTopConcept); one with a broader concept is not."""
    for term in rows:
        if term.kind is not KINDS["concept"]:
            continue
        wanted = set() if term.parents else set(term.schemes)
        held = set(concepts.objects(term.iri, SKOS.topConceptOf))
        for scheme in held - wanted:
            concepts.remove((term.iri, SKOS.topConceptOf, scheme))
            concepts.remove((scheme, SKOS.hasTopConcept, term.iri))
        for scheme in wanted:
            concepts.add((term.iri, SKOS.topConceptOf, scheme))
            concepts.add((scheme, SKOS.hasTopConcept, term.iri))


def apply(sheet: Path, files: OntologyFiles = OntologyFiles(), run_checks: bool = True) -> ImportResult:
    """Apply the sheet to the ontology and concept files: SheetError (bad rows) or ChecksFailed (the
    project's checks) and nothing written, or the files rewritten in canonical form."""
    records = read_sheet(sheet)
    curies = Curies(files.prefixes())
    graphs, read = files.read_with_texts()
    current = current_terms(files, graphs, curies)
    errors: list[RowError] = []
    rows = [t for t in (_parse_row(n, cells, curies, errors) for n, cells in records) if t is not None]
    _check_rows(rows, _Universe(rows, current, graphs[files.ontology]), curies, errors)
    if errors:
        raise SheetError(sheet, errors)
    result = ImportResult()
    concepts, ontology = graphs[files.concepts], graphs[files.ontology]
    for term in rows:
        old = current.get(term.iri)
        changed: list[str] = []
        _apply_term(concepts if term.kind.in_concepts else ontology, term, old, ontofiles.ontology_iri(ontology),
                    changed)
        if old is None:
            result.added.append(curies.text(term.iri))
        result.changed += [(curies.text(term.iri), column) for column in changed]
    _top_concepts(concepts, rows)
    if (None, REPLACED_BY, None) in ontology + concepts:
        ontology.add((REPLACED_BY, RDF.type, OWL.AnnotationProperty))
    if run_checks and (result.added or result.changed):
        problems, result.warnings = ontofiles.check(files, graphs)
        if problems:
            raise ChecksFailed(problems)
    result.written = ontofiles.write({files.ontology: ontology, files.concepts: concepts}, read)
    return result
