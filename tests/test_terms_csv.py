"""`kg terms`: the terms as a CSV sheet and back, on copies of the ontology files (never the real ones)."""
import csv
import difflib

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from kg import cli, codegen, ontofiles, paths, terms

GZ = codegen.GZ_IRI
GZC = codegen.GZC_IRI


def _bytes(files):
    return {p.name: p.read_bytes() for p in files.all()}


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _sheet(files, tmp_path, template_row=False):
    sheet = tmp_path / "terms.csv"
    terms.export(sheet, files, template_row=template_row)
    return sheet


def _row(rows, iri):
    return next(r for r in rows if r[0] == iri)


def _term(iri, kind, zh="名称", en="name", dzh="定义。", den="A definition.", parent="", domain="", range_="",
          characteristic="", scheme="", deprecated="", replaced_by=""):
    return [iri, kind, zh, en, dzh, den, parent, domain, range_, characteristic, scheme, deprecated, replaced_by]


def test_export_has_a_row_for_every_term_and_a_header(files, tmp_path):
    rows = _read(_sheet(files, tmp_path))
    assert rows[0] == list(terms.COLUMNS)
    g, c = (Graph().parse(p) for p in (files.ontology, files.concepts))
    expected = {f"gz:{str(s)[len(GZ):]}" for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                for s in g.subjects(RDF.type, t) if str(s).startswith(GZ)}
    expected |= {f"gzc:{str(s)[len(GZC):]}" for t in (SKOS.Concept, SKOS.ConceptScheme)
                 for s in c.subjects(RDF.type, t)}
    assert sorted(r[0] for r in rows[1:]) == sorted(expected)
    assert len(rows) - 1 == len(expected)


def test_export_is_plain_utf8_that_a_spreadsheet_reads_back(files, tmp_path):
    sheet = _sheet(files, tmp_path)
    data = sheet.read_bytes()
    assert data.startswith(b"IRI,type,")  # no byte order mark
    rows = _read(sheet)
    g = Graph().parse(files.ontology)
    # A definition with commas survives the quoting, and the Chinese cell is what the file holds.
    row = _row(rows, "gz:ActorGroup")
    assert "," in row[5] and row[5] == str(next(o for o in g.objects(URIRef(GZ + "ActorGroup"), SKOS.definition)
                                                if o.language == "en"))
    assert row[2] == str(next(o for o in g.objects(URIRef(GZ + "ActorGroup"), RDFS.label) if o.language == "zh"))


def test_export_writes_unions_in_their_order_and_characteristics(files, tmp_path):
    rows = _read(_sheet(files, tmp_path))
    g = Graph().parse(files.ontology)
    prop = URIRef(GZ + "addressesProblem")
    members = list(Collection(g, g.value(g.value(prop, RDFS.domain), OWL.unionOf)))
    assert _row(rows, "gz:addressesProblem")[7] == "|".join(f"gz:{str(m)[len(GZ):]}" for m in members)
    functional = next(s for s in g.subjects(RDF.type, OWL.FunctionalProperty))
    assert _row(rows, f"gz:{str(functional)[len(GZ):]}")[9] == "functional"
    concept = _row(rows, "gzc:cancelled")
    assert concept[1] == "concept" and concept[6] == "gzc:reduction" and concept[10] == "gzc:change-type"


@pytest.mark.parametrize("template_row", [False, True], ids=["header", "header+template"])
def test_export_then_import_leaves_the_files_byte_identical(files, tmp_path, template_row):
    before = _bytes(files)
    sheet = _sheet(files, tmp_path, template_row)
    if template_row:
        assert _read(sheet)[1] == list(terms.COLUMNS.values())
    result = terms.apply(sheet, files)
    assert result.written == [] and result.added == [] and result.changed == []
    assert _bytes(files) == before


def test_a_sheet_saved_by_excel_with_bom_and_semicolons_changes_nothing(files, tmp_path):
    before = _bytes(files)
    rows = _read(_sheet(files, tmp_path))
    excel = tmp_path / "excel.csv"
    with excel.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfIRI;type;")
    assert terms.apply(excel, files).written == []
    assert _bytes(files) == before


def test_editing_one_label_cell_changes_exactly_one_line(files, tmp_path):
    before = {p: p.read_text(encoding="utf-8") for p in files.all()}
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    _row(rows, "gz:ResidentsCommittee")[2] = "居委会"
    _write(sheet, rows)
    result = terms.apply(sheet, files, run_checks=False)
    assert result.changed == [("gz:ResidentsCommittee", "label_zh")] and result.added == []
    assert result.written == [files.ontology]
    after = files.ontology.read_text(encoding="utf-8").splitlines()
    diff = [d for d in difflib.unified_diff(before[files.ontology].splitlines(), after, lineterm="", n=0)
            if d[:1] in "+-" and not d.startswith(("+++", "---"))]
    assert len(diff) == 2 and diff[0].startswith("-") and diff[1] == '+        "居委会"@zh ;'
    assert all(p.read_text(encoding="utf-8") == before[p] for p in (files.concepts, files.alignment))


def test_adding_rows_adds_the_terms_and_a_second_import_changes_nothing(files, tmp_path):
    """A class, a functional property with a union domain and a deprecated concept pointing to its replacement;
    the project's checks (SHACL with the cases, HermiT) run before anything is written."""
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    rows.append(_term("gz:CommunityFoundation", "class", "社区基金会", "community foundation",
                      "为社区事务募集和管理资金的基金会。", "A foundation that raises and manages funds for community affairs.",
                      parent="gz:SocialOrganization"))
    rows.append(_term("gz:supportedByFoundation", "object property", "资助基金会", "supported by foundation",
                      "资助它的基金会。", "The foundation that supports it.",
                      domain="gz:SocialServiceProject|gz:ServiceChannel", range_="gz:CommunityFoundation",
                      characteristic="functional"))
    rows.append(_term("gzc:merged", "concept", "合并", "merged", "职责被并入其他主体。", "Responsibilities were merged.",
                      parent="gzc:reduction", scheme="gzc:change-type", deprecated="true", replaced_by="gzc:cancelled"))
    _write(sheet, rows)
    result = terms.apply(sheet, files)
    assert result.added == ["gz:CommunityFoundation", "gz:supportedByFoundation", "gzc:merged"]
    assert result.warnings == []
    g, c = Graph().parse(files.ontology), Graph().parse(files.concepts)
    foundation, prop, merged = URIRef(GZ + "CommunityFoundation"), URIRef(GZ + "supportedByFoundation"), \
        URIRef(GZC + "merged")
    assert (foundation, RDF.type, OWL.Class) in g
    assert (foundation, RDFS.subClassOf, URIRef(GZ + "SocialOrganization")) in g
    assert (foundation, RDFS.label, Literal("社区基金会", lang="zh")) in g
    assert (foundation, RDFS.isDefinedBy, URIRef(GZ.rstrip("#"))) in g
    assert {(prop, RDF.type, OWL.ObjectProperty), (prop, RDF.type, OWL.FunctionalProperty)} <= set(g)
    union = g.value(g.value(prop, RDFS.domain), OWL.unionOf)
    assert list(Collection(g, union)) == [URIRef(GZ + "SocialServiceProject"), URIRef(GZ + "ServiceChannel")]
    assert (merged, OWL.deprecated, Literal(True)) in c
    assert (merged, DCTERMS.isReplacedBy, URIRef(GZC + "cancelled")) in c
    assert (merged, SKOS.topConceptOf, None) not in c  # it has a broader concept
    assert (DCTERMS.isReplacedBy, RDF.type, OWL.AnnotationProperty) in g
    # The new terms come back out as they went in, and importing that sheet changes nothing.
    again = _read(_sheet(files, tmp_path))
    assert _row(again, "gz:supportedByFoundation")[7] == "gz:SocialServiceProject|gz:ServiceChannel"
    assert _row(again, "gzc:merged")[11:] == ["true", "gzc:cancelled"]
    before = _bytes(files)
    assert terms.apply(tmp_path / "terms.csv", files).written == []
    assert _bytes(files) == before


def test_a_new_top_concept_is_the_top_of_its_scheme(files, tmp_path):
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    rows.append(_term("gzc:restructured", "concept", "重组", "restructured", "职责被重新组合。",
                      "Responsibilities were regrouped.", scheme="gzc:change-type"))
    _write(sheet, rows)
    terms.apply(sheet, files, run_checks=False)
    c = Graph().parse(files.concepts)
    new, scheme = URIRef(GZC + "restructured"), URIRef(GZC + "change-type")
    assert (new, SKOS.topConceptOf, scheme) in c and (scheme, SKOS.hasTopConcept, new) in c


def test_terms_missing_from_the_sheet_are_kept(files, tmp_path):
    rows = _read(_sheet(files, tmp_path))
    one = tmp_path / "one.csv"
    edited = _row(rows, "gz:ResidentsCommittee")
    edited[3] = "residents committee"
    _write(one, [rows[0], edited])
    expected = Graph().parse(files.ontology)
    committee = URIRef(GZ + "ResidentsCommittee")
    expected.remove((committee, RDFS.label, Literal("residents' committee", lang="en")))
    expected.add((committee, RDFS.label, Literal("residents committee", lang="en")))
    terms.apply(one, files, run_checks=False)
    assert isomorphic(Graph().parse(files.ontology), expected)


def test_changing_a_domain_replaces_the_union(files, tmp_path):
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    _row(rows, "gz:addressesProblem")[7] = "gz:Policy"
    _write(sheet, rows)
    assert terms.apply(sheet, files, run_checks=False).changed == [("gz:addressesProblem", "domain")]
    g = Graph().parse(files.ontology)
    assert g.value(URIRef(GZ + "addressesProblem"), RDFS.domain) == URIRef(GZ + "Policy")
    # The old union's blank nodes are gone with it: every union left is still someone's domain or range.
    before = Graph().parse(paths.ONTOLOGY)
    assert len(list(g.subjects(OWL.unionOf))) == len(list(before.subjects(OWL.unionOf))) - 1


# Each kind of bad row: (what, the rows appended to the exported sheet, the column reported for the last
# appended row, or for each appended row (None: no error on that row)).
BAD_ROWS = [
    ("unknown type", [_term("gz:Foo", "klass")], "type"),
    ("unknown prefix", [_term("foo:Bar", "class")], "IRI"),
    ("IRI outside the namespace of its type", [_term("gzc:Foo", "class")], "IRI"),
    ("parent that is not a term", [_term("gz:Foo", "class", parent="gz:NoSuchClass")], "parent"),
    ("parent of another kind", [_term("gz:Foo", "class", parent="gz:heldBy")], "parent"),
    ("missing Chinese label", [_term("gz:Foo", "class", zh="")], "label_zh"),
    ("missing English label", [_term("gz:Foo", "class", en="")], "label_en"),
    ("missing definition", [_term("gz:Foo", "class", den="")], "definition_en"),
    ("property without domain", [_term("gz:fooBy", "object property", range_="gz:Place")], "domain"),
    ("property without range", [_term("gz:fooBy", "object property", domain="gz:Place")], "range"),
    ("range of a datatype property that is a class", [_term("gz:fooCount", "datatype property", domain="gz:Place",
                                                            range_="gz:Place")], "range"),
    ("domain that is not a class", [_term("gz:fooBy", "object property", domain="gz:heldBy",
                                          range_="gz:Place")], "domain"),
    ("domain on a class", [_term("gz:Foo", "class", domain="gz:Place")], "domain"),
    ("unknown characteristic", [_term("gz:fooBy", "object property", domain="gz:Place", range_="gz:Place",
                                      characteristic="funktional")], "characteristic"),
    ("concept without scheme", [_term("gzc:foo", "concept")], "scheme"),
    ("scheme that is not a scheme", [_term("gzc:foo", "concept", scheme="gzc:cancelled")], "scheme"),
    ("deprecated that is not true or empty", [_term("gz:Foo", "class", deprecated="maybe")], "deprecated"),
    ("replacement without deprecation", [_term("gz:Foo", "class", replaced_by="gz:Place")], "replaced_by"),
    ("replacement that is not a term", [_term("gz:Foo", "class", deprecated="true", replaced_by="gz:Nope")],
     "replaced_by"),
    ("new class named like a property", [_term("gz:foo", "class")], "IRI"),
    ("parents in a circle", [_term("gz:Foo", "class", parent="gz:Bar"), _term("gz:Bar", "class", parent="gz:Foo")],
     ["parent", "parent"]),
    ("duplicate IRI rows", [_term("gz:Foo", "class"), _term("gz:Foo", "class", zh="另一个")], [None, "IRI"]),
]


@pytest.mark.parametrize("appended, columns", [(rows, column) for _, rows, column in BAD_ROWS],
                         ids=[what for what, _, _ in BAD_ROWS])
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(files, tmp_path, appended, columns):
    before = _bytes(files)
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    _write(sheet, rows + appended)
    columns = columns if isinstance(columns, list) else [None] * (len(appended) - 1) + [columns]
    # Spreadsheet rows are numbered from 1, the header being row 1.
    expected = [(len(rows) + 1 + i, column) for i, column in enumerate(columns) if column]
    with pytest.raises(terms.SheetError) as caught:
        terms.apply(sheet, files)
    assert [(e.row, e.column) for e in caught.value.errors] == expected
    text = str(caught.value)
    for row, column in expected:
        assert f"第 {row} 行，{column} 列" in text and f"row {row}, column {column}" in text
    assert _bytes(files) == before


def test_an_existing_term_cannot_change_its_type(files, tmp_path):
    before = _bytes(files)
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    row = _row(rows, "gz:Place")
    row[1], row[7], row[8] = "object property", "gz:Place", "gz:Place"
    _write(sheet, rows)
    with pytest.raises(terms.SheetError) as caught:
        terms.apply(sheet, files)
    assert [(e.row, e.column) for e in caught.value.errors] == [(rows.index(row) + 1, "type")]
    assert "deprecate it and add a new term" in str(caught.value)
    assert _bytes(files) == before


def test_an_unknown_column_is_reported_on_the_header_row(files, tmp_path):
    before = _bytes(files)
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    rows[0][2] = "lable_zh"
    _write(sheet, rows)
    with pytest.raises(terms.SheetError) as caught:
        terms.apply(sheet, files)
    assert {(e.row, e.column) for e in caught.value.errors} == {(1, "lable_zh"), (1, "label_zh")}
    assert _bytes(files) == before


def test_a_sheet_that_is_not_utf8_is_refused_with_a_hint(files, tmp_path):
    sheet = _sheet(files, tmp_path)
    text = sheet.read_text(encoding="utf-8")
    sheet.write_bytes(text.encode("gb18030"))  # what Excel writes for "CSV (Comma delimited)" on Chinese Windows
    with pytest.raises(terms.SheetError) as caught:
        terms.apply(sheet, files)
    error, = caught.value.errors
    assert error.row > 1 and "UTF-8" in error.message_zh and "CSV UTF-8" in error.message_en


def test_a_sheet_that_contradicts_the_facts_is_refused_by_the_checks(files, tmp_path):
    """Organization and Person are disjoint: the leading groups of the cases cannot be both (HermiT)."""
    before = _bytes(files)
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    _row(rows, "gz:LeadingGroup")[6] = "gz:Organization|gz:Person"
    _write(sheet, rows)
    with pytest.raises(terms.ChecksFailed) as caught:
        terms.apply(sheet, files)
    assert any(p.startswith("HermiT") and "disjoint" in p for p in caught.value.problems)
    assert _bytes(files) == before


def test_cli_reports_bad_rows_in_both_languages_and_exits_1(files, tmp_path, capsys):
    before = _bytes(files)
    sheet = tmp_path / "terms.csv"
    assert cli.main(["terms", "export", str(sheet), "--dir", str(files.ontology.parent)]) == 0
    rows = _read(sheet)
    _write(sheet, rows + [_term("gz:Foo", "class", zh="")])
    assert cli.main(["terms", "import", str(sheet), "--dir", str(files.ontology.parent)]) == 1
    err = capsys.readouterr().err
    assert f"第 {len(rows) + 1} 行，label_zh 列：缺少中文标签" in err
    assert f"row {len(rows) + 1}, column label_zh: the Chinese label is missing" in err
    assert "nothing was written / 未写入任何内容" in err
    assert _bytes(files) == before


def test_a_file_saved_by_someone_else_during_the_import_is_not_overwritten(files, tmp_path, monkeypatch):
    sheet = _sheet(files, tmp_path)
    rows = _read(sheet)
    _row(rows, "gz:ResidentsCommittee")[2] = "居委会"
    _write(sheet, rows)
    theirs = files.ontology.read_text(encoding="utf-8") + "# saved by someone else meanwhile\n"

    def someone_saves_meanwhile(checked_files, graphs):
        checked_files.ontology.write_text(theirs, encoding="utf-8")
        return [], []

    monkeypatch.setattr(ontofiles, "check", someone_saves_meanwhile)
    with pytest.raises(ontofiles.FilesChanged, match="gongzhi.ttl"):
        terms.apply(sheet, files)
    assert files.ontology.read_text(encoding="utf-8") == theirs
