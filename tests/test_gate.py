"""The edit gate on a scratch copy of the sources, which carries the kept parses (kg/rdfcache.py) along."""
import shutil

from kg import dataset, edits, paths, rdfcache


def _sources_with_cache(root):
    edits._scratch_copy(paths.SOURCE_ROOT, root)  # the sources, as the gate copies them
    dataset.load_sources()  # fills the repository's cache on a fresh clone too
    cache = root / rdfcache.CACHE_DIR.relative_to(paths.SOURCE_ROOT)
    shutil.copytree(rdfcache.CACHE_DIR, cache)
    return cache


def test_unreadable_kept_parses_are_parsed_again(tmp_path):
    cache = _sources_with_cache(tmp_path)
    assert list(cache.glob("*.pickle"))
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert edits.gate([], tmp_path) == []


def test_a_case_kept_as_it_was_does_not_hide_its_edit(tmp_path):
    _sources_with_cache(tmp_path)
    case = tmp_path / paths.CASES_DIR.relative_to(paths.SOURCE_ROOT) / "southern-jiangsu.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "- id: [\n", encoding="utf-8")
    problems = edits.gate([], tmp_path)
    assert problems and any("southern-jiangsu.yaml" in str(p) for p in problems)
