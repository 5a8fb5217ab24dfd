"""Every number of sections 4.1 and 4.2 can be retrieved over SPARQL together with its evidence sentence."""
import re
from decimal import Decimal

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kg import catalogue, paths

PAPER = paths.PAPER_TEXT.read_text(encoding="utf-8")
# Numbers the paper writes in Chinese characters, with their value.
WORDS = {"4.1": [], "4.2": [("第一批", 1), ("五多", 5), ("两份清单", 2), ("两个率先", 2), ("位居全国首位", 1)]}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _section_text(number: str) -> str:
    start = PAPER.index(f"\n{number}. ")
    following = re.compile(r"\n\d\.(\d\. )?")
    body_start = PAPER.index("\n", start + 1)
    end = following.search(PAPER, body_start).start()
    return PAPER[body_start:end]


def _numbers(number: str) -> list[tuple[str, Decimal]]:
    """Every number in the section: Arabic ones (7.8 万 is 78000) and those written in words."""
    found = []
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(万?)", _section_text(number)):
        value = Decimal(m.group(1)) * (10000 if m.group(2) else 1)
        found.append((m.group(0).strip(), value))
    return found + [(token, Decimal(value)) for token, value in WORDS[number]]


CASES = [(section, token, value) for section in ("4.1", "4.2") for token, value in _numbers(section)]


def test_the_sections_hold_the_numbers_the_issue_names():
    values = {v for _, _, v in CASES}
    assert {296, 72, 2018, 33, 47, 94, 78000, 2017, 22} <= values


@pytest.fixture(scope="module")
def numbers(server):
    query = catalogue.parse(paths.QUERIES_DIR / "numbers-with-evidence.rq")
    client = SPARQLWrapper(f"{server}/sparql")
    client.setMethod(POST)
    client.setQuery(query.text)
    client.setReturnFormat(JSON)
    return client.query().convert()["results"]["bindings"]


@pytest.mark.parametrize("section, token, value", CASES, ids=lambda x: str(x))
def test_number_is_in_the_graph_with_its_evidence(numbers, section, token, value):
    matches = [row for row in numbers
               if row.get("sectionNumber", {}).get("value") == section
               and _as_decimal(row["value"]) == value
               and _squash(token) in _squash(row["quote"]["value"])]
    assert matches, f"{token} ({value}) of section {section} has no entry citing it"


def _as_decimal(binding) -> Decimal | None:
    try:
        return Decimal(binding["value"])
    except ArithmeticError:
        return None
