"""`kg qc`: the ontology quality report finds each kind of problem, and none of the errors in the real graph."""
import json
import subprocess
import sys

import pytest
from rdflib import RDF, RDFS, Namespace

from kg import catalogue, paths, qc
from kg import namespace as ns
from kg.namespace import GRAPH, GZD

FIXTURES = paths.ROOT / "tests" / "fixtures" / "qc"
CHECKS = {c.name: c for c in qc.checks()}
# The fixtures' terms are in the project's namespaces but are not terms of the real ontology.
GZ, GZC = Namespace(str(ns.GZ._NS)), Namespace(str(ns.GZC._NS))


def kg_qc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", "qc", *args], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=300)


def fixture_report(*extra: str) -> tuple[int, dict]:
    """`kg qc --format json` on the clean fixture ontology and data plus the `extra` ontology files."""
    run = kg_qc("--ontology", str(FIXTURES / "ontology.ttl"), *(str(FIXTURES / f) for f in extra),
                "--data", str(FIXTURES / "data.ttl"), "--format", "json")
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def test_every_check_has_a_bilingual_header_a_severity_and_term_detail_columns():
    assert set(CHECKS) == {"missing-label-or-definition", "duplicate-label", "duplicate-label-across-kinds",
                           "unused-class", "unused-property", "deprecated-term-in-use"}
    for check in CHECKS.values():
        query = check.query
        assert set(query.title) == set(query.question) == set(check.message) == {"zh", "en"}, check.name
        assert all(query.title.values()) and all(check.message.values()), check.name
        assert list(query.columns) == ["term", "detail"], check.name
        assert query.form == "SELECT"
    assert {c.name for c in CHECKS.values() if c.severity == "error"} == {
        "missing-label-or-definition", "duplicate-label", "deprecated-term-in-use"}


def test_the_checks_are_not_in_the_analyst_catalogue():
    assert not any(q.path.parent == qc.QC_DIR for q in catalogue.catalogue())


def test_a_header_without_a_severity_is_refused(tmp_path):
    bad = tmp_path / "no-severity.rq"
    bad.write_text("# title@en: x\nSELECT ?term ?detail WHERE {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="severity"):
        qc.parse(bad)


def test_the_clean_fixture_has_no_finding():
    code, report = fixture_report()
    assert code == 0 and report["findings"] == [] and report["errors"] == report["warnings"] == 0
    assert {c["check"] for c in report["checks"]} == set(CHECKS)


CASE = str(GRAPH["case/data"])
ONTOLOGY_GRAPH = str(GRAPH["ontology"])
TYPE, SUBCLASS, RANGE = str(RDF.type), str(RDFS.subClassOf), str(RDFS.range)
# Each fixture file adds one problem: the check that must find it (and no other), its rows (term, detail),
# the exit code.
PROBLEMS = [
    ("missing-label-or-definition", [(GZC["district-level"], "label@zh")], 1),
    ("duplicate-label", [(GZC["community-level"], f'"社区级"@zh = <{GZC["neighbourhood-level"]}>')], 1),
    ("duplicate-label-across-kinds", [(GZC["organization"], f'"Organization"@en = <{GZ.Organization}>')], 0),
    ("unused-class", [(GZ.OwnersCommittee, f"rdfs:subClassOf <{GZ.Organization}>")], 0),
    ("unused-property", [(GZ.chairedBy, "a <http://www.w3.org/2002/07/owl#ObjectProperty>")], 0),
    ("deprecated-term-in-use", [
        (GZC["community-level"], f"<{GZD.committee}> <{GZ.level}> <{GZC['community-level']}> in <{CASE}>"),
        (GZ.Organization, f"<{GZD['street-office']}> <{TYPE}> <{GZ.Organization}> in <{CASE}>"),
        (GZ.Organization, f"<{GZ.ResidentsCommittee}> <{SUBCLASS}> <{GZ.Organization}> in <{ONTOLOGY_GRAPH}>"),
        (GZ.Organization, f"<{GZ.partOf}> <{RANGE}> <{GZ.Organization}> in <{ONTOLOGY_GRAPH}>"),
        (GZ.memberCount, f'<{GZD.committee}> <{GZ.memberCount}> "7" in <{CASE}>'),
    ], 1),
]


@pytest.mark.parametrize("check, rows, code", PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_problem_is_found_by_exactly_its_check(check, rows, code):
    assert (CHECKS[check].severity == "error") == (code == 1)
    exit_code, report = fixture_report(f"{check}.ttl")
    assert exit_code == code
    assert {f["check"] for f in report["findings"]} == {check}
    assert sorted((f["term"], f["detail"]) for f in report["findings"]) == sorted((str(t), d) for t, d in rows)
    counts = {c["check"]: c["count"] for c in report["checks"]}
    assert counts[check] == len(rows) and sum(counts.values()) == len(rows)
    assert report["errors" if code else "warnings"] == len(rows)


def test_the_text_report_is_bilingual_grouped_by_check_with_prefixed_names():
    run = kg_qc("--ontology", str(FIXTURES / "ontology.ttl"), str(FIXTURES / "deprecated-term-in-use.ttl"),
                str(FIXTURES / "unused-property.ttl"), "--data", str(FIXTURES / "data.ttl"))
    assert run.returncode == 1
    out = run.stdout
    assert out.startswith("本体质量报告 / Ontology quality report: 6 个错误 / error(s), 1 个警告 / warning(s)")
    # Six: gz:chairedBy (of unused-property.ttl) has the deprecated range gz:Organization too.
    deprecated = out.index("[错误 ERROR] deprecated-term-in-use: 仍在使用的已弃用术语 / Deprecated terms still in use (6)")
    unused = out.index("[警告 WARNING] unused-property: 数据中从未使用的属性 / Properties never used in the data (1)")
    assert deprecated < out.index("gz:ResidentsCommittee rdfs:subClassOf gz:Organization in graph:ontology") < unused
    message = CHECKS["deprecated-term-in-use"].message
    assert message["zh"] in out and message["en"] in out
    assert out.index("gz:chairedBy  a owl:ObjectProperty") > unused


def test_tsv_report_has_one_row_per_finding():
    run = kg_qc("--ontology", str(FIXTURES / "ontology.ttl"), str(FIXTURES / "unused-class.ttl"),
                "--data", str(FIXTURES / "data.ttl"), "--format", "tsv")
    header, *rows = [line.split("\t") for line in run.stdout.splitlines()]
    assert run.returncode == 0 and header == list(qc.TSV_COLUMNS)
    assert rows == [["warning", "unused-class", str(GZ.OwnersCommittee), f"rdfs:subClassOf <{GZ.Organization}>",
                     CHECKS["unused-class"].message["zh"], CHECKS["unused-class"].message["en"]]]


def test_a_file_that_does_not_parse_is_exit_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("gz:x a .\n", encoding="utf-8")
    for data in (bad, paths.ROOT / "README.md"):
        run = kg_qc("--ontology", str(FIXTURES / "ontology.ttl"), "--data", str(data))
        assert run.returncode == 2 and run.stderr.startswith("ERROR") and run.stdout == "", run.stderr


def test_the_real_ontology_and_cases_have_no_error():
    run = kg_qc("--format", "json")
    report = json.loads(run.stdout)
    assert report["errors"] == 0, [f for f in report["findings"] if f["severity"] == "error"]
    assert run.returncode == 0 and len(report["checks"]) == len(CHECKS)


def test_the_built_dataset_gives_the_same_findings_as_the_sources(built):
    from_file = qc.run(qc.load(data_files=[built.nquads]))
    from_sources = qc.run(qc.load())
    assert [(f.check.name, f.term, f.detail) for f in from_file] == \
           [(f.check.name, f.term, f.detail) for f in from_sources]
