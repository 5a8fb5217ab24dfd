"""Evidence is checked against the paper: verbatim, and in the section it names."""
import pytest

from kg import build, cases, evidence

from .conftest import FIXTURES


def test_sections_nest():
    spans = evidence.section_spans()
    for parent, child in (("3", "3.1"), ("3", "3.2"), ("4", "4.1"), ("4", "4.2"), ("5", "5.2"), ("front", "abstract")):
        assert spans[parent][0] <= spans[child][0] and spans[child][1] <= spans[parent][1]
    assert spans["4.1"][1] <= spans["4.2"][0]


def test_the_real_evidence_is_verbatim_and_in_place():
    sources = build.dataset.load_sources()
    assert evidence.check(sources) == []


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "evidence").glob("*.yaml")), ids=lambda p: p.stem)
def test_misquoted_evidence_is_reported_with_its_entry(fixture):
    expected = fixture.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    result, _ = build.check(cases.case_files() + [fixture])
    assert [(v.rule, v.entry, v.line) for v in result.violations] == [(expected, "fixture-office", 2)]
