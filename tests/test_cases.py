"""The case files: every quote verbatim from the paper, places with exactly the reference identifiers."""
import csv
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from kg import cases, dataset, paths
from kg.namespace import GZ

from .conftest import FIXTURES

PLACES_TSV = paths.SHARED / "reference" / "places.tsv"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


PAPER = _squash(paths.PAPER_TEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sources():
    return dataset.load_sources()


def test_the_three_case_files_exist():
    assert {p.stem for p in cases.case_files()} == {"chongqing-shangqingsi", "southern-jiangsu", "general"}


def test_vendored_paper_is_the_shared_seed():
    seed = paths.SHARED / "seed" / "paper-community-governance-chongqing-sunan.txt"
    assert paths.PAPER_TEXT.read_bytes() == seed.read_bytes()


def test_every_quote_is_verbatim_from_the_paper(sources):
    union = sources.union()
    quotes = {str(q) for q in union.objects(None, GZ.quote)}
    assert len(quotes) > 100
    missing = sorted(q for q in quotes if _squash(q) not in PAPER)
    assert missing == []


def _places():
    with PLACES_TSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.parametrize("row", _places(), ids=lambda r: r["name_en"])
def test_place_carries_exactly_the_reference_identifiers(sources, row):
    union = sources.union()
    matches = [s for s in union.subjects(RDFS.label, Literal(row["name_zh"], lang="zh"))
               if (s, GZ.placeLevel, None) in union]
    assert len(matches) == 1, f"{row['name_zh']} should be one place in the graph"
    place = matches[0]
    expected = {
        GZ.gb2260Code: {Literal(row["gb2260_code"])} if row["gb2260_code"] else set(),
        GZ.nbsCode: {Literal(row["nbs_code"])} if row["nbs_code"] else set(),
        GZ.wikidataItem: {URIRef(f"http://www.wikidata.org/entity/{row['wikidata']}")} if row["wikidata"] else set(),
        GZ.geonamesFeature: {URIRef(f"https://sws.geonames.org/{row['geonames']}/")} if row["geonames"] else set(),
    }
    for prop, values in expected.items():
        assert set(union.objects(place, prop)) == values, (row["name_zh"], prop)


def test_no_place_has_an_identifier_outside_the_reference(sources):
    union = sources.union()
    known = {r["wikidata"] for r in _places() if r["wikidata"]}
    for item in union.objects(None, GZ.wikidataItem):
        assert str(item).rsplit("/", 1)[1] in known


@pytest.mark.parametrize("name, entry, words", [
    ("unknown-key.yaml", "wuxi-test-office", "unknown key 'locatedInn'"),
    ("bad-language.yaml", "wuxi-test-office", "not a language tag"),
    ("no-id.yaml", "#1", "needs an id and a type"),
    ("yaml-syntax.yaml", "-", "YAML syntax error"),
])
def test_a_bad_file_is_reported_by_file_entry_and_line(name, entry, words):
    with pytest.raises(cases.CaseFileError) as caught:
        cases.load(FIXTURES / "bad-files" / name)
    err = caught.value
    assert err.file.endswith(name) and err.entry == entry and words in err.message_en
    assert err.message_zh and (err.line > 0 or entry == "#1")


def test_an_entry_defined_in_two_files_is_refused(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text((paths.CASES_DIR / "general.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(cases.CaseFileError) as caught:
        dataset.load_sources(cases.case_files() + [copy])
    assert "already defined" in caught.value.message_en
