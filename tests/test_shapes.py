"""SHACL: the real cases conform, and each invalid fixture fails on exactly its own rule."""
from pathlib import Path

import pytest

from kg import cases, dataset, validate

from .conftest import FIXTURES

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expected_rule(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ").strip()


def shacl(case_paths) -> list[validate.Violation]:
    sources = dataset.load_sources(case_paths)
    return validate.check(sources, dataset.union(dataset.assemble(sources)))


def test_the_real_cases_conform():
    assert [str(v) for v in shacl(None)] == []


def test_there_is_a_fixture_for_each_kind_of_rule():
    rules = {_expected_rule(p).split("-")[0] for p in INVALID}
    assert {"label", "evidence", "datatype", "min", "reduction", "required", "scheme", "range", "pattern",
            "language"} <= rules


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_fixture_fails_on_exactly_its_rule(fixture):
    violations = shacl(cases.case_files() + [fixture])
    assert {v.rule for v in violations} == {_expected_rule(fixture)}
    for v in violations:
        assert v.file.endswith(fixture.name) and v.entry.startswith("fixture-") and v.line > 0
        assert v.message_zh and v.message_en and v.message_zh != v.message_en


def test_the_two_parts_of_the_shapes_find_what_the_whole_finds():
    sources = dataset.load_sources()
    data = dataset.union(dataset.assemble(sources))
    for fixture in INVALID:  # every kind of violation at once (the fixtures' entries share their ids)
        data += dataset.skolemize_evidence(cases.load(fixture))
    whole = validate.check(sources, data)
    parts = [validate.check(sources, data, validate.shapes_part(3, rest)) for rest in (False, True)]
    assert len({v.rule for v in whole}) > 10
    assert sorted(set(parts[0] + parts[1])) == whole and parts[0] and parts[1]
