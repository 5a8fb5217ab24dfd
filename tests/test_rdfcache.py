"""Parsed sources kept between runs: the same graph as a fresh parse, and an edited file read afresh."""
import json

from rdflib import Graph
from rdflib.compare import isomorphic

from kg import cases, paths, rdfcache


def test_a_cached_file_gives_the_graph_of_a_fresh_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(rdfcache, "CACHE_DIR", tmp_path / "cache")
    first, second = rdfcache.turtle(paths.ONTOLOGY), rdfcache.turtle(paths.ONTOLOGY)
    assert len(list((tmp_path / "cache").glob("gongzhi-*.pickle"))) == 1
    assert set(first) == set(second) and isomorphic(first, Graph().parse(paths.ONTOLOGY, format="turtle"))


def test_an_edited_file_is_read_afresh_and_its_old_entry_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(rdfcache, "CACHE_DIR", tmp_path / "cache")
    source = tmp_path / "terms.ttl"
    source.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    assert len(rdfcache.turtle(source)) == 1
    source.write_text("<https://example.org/a> <https://example.org/b> 1, 2 .\n", encoding="utf-8")
    assert len(rdfcache.turtle(source)) == 2
    assert len(list((tmp_path / "cache").glob("terms-*.pickle"))) == 1


def test_an_unreadable_entry_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(rdfcache, "CACHE_DIR", tmp_path / "cache")
    rdfcache.turtle(paths.CONCEPTS)
    for entry in (tmp_path / "cache").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert len(rdfcache.turtle(paths.CONCEPTS)) == len(Graph().parse(paths.CONCEPTS, format="turtle"))


def test_blank_nodes_are_named_by_content():
    assert set(rdfcache.canonical(Graph().parse(paths.ONTOLOGY))) == set(rdfcache.turtle(paths.ONTOLOGY))


def test_a_case_file_is_kept_as_parsed_and_read_afresh_when_edited(tmp_path, monkeypatch):
    monkeypatch.setattr(rdfcache, "CACHE_DIR", tmp_path / "cache")
    case = tmp_path / "chongqing-shangqingsi.yaml"
    text = (paths.CASES_DIR / case.name).read_text(encoding="utf-8")
    case.write_text(text, encoding="utf-8")
    first, kept = cases.load(case), cases.load(case)
    assert len(list((tmp_path / "cache").glob("case-chongqing-shangqingsi-*.pickle"))) == 1
    assert set(first) == set(kept) and isomorphic(first, _fresh(case))
    assert "上清寺街道" in text
    case.write_text(text.replace("上清寺街道", "上清寺街道（改）", 1), encoding="utf-8")
    edited = cases.load(case)
    assert isomorphic(edited, _fresh(case)) and not isomorphic(edited, first)
    assert len(list((tmp_path / "cache").glob("case-chongqing-shangqingsi-*.pickle"))) == 1


def _fresh(case) -> Graph:
    document = {"@context": cases.context(), "@graph": cases.read_entries(case)}
    return Graph().parse(data=json.dumps(document, ensure_ascii=False), format="json-ld")
