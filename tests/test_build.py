"""The build: deterministic, a named graph per source, and all-or-nothing on the store."""
import subprocess
import sys

import pyoxigraph as ox

from kg import build, cases, importer, paths
from kg.namespace import GRAPH

from .conftest import FIXTURES


def _build_in_subprocess(out) -> bytes:
    subprocess.run([sys.executable, "-m", "kg", "build", "--no-load", "--out", str(out)], cwd=paths.ROOT,
                   check=True, capture_output=True)
    return out.read_bytes()


def test_rebuild_is_byte_identical(tmp_path):
    first = _build_in_subprocess(tmp_path / "a.nq")
    second = _build_in_subprocess(tmp_path / "b.nq")
    assert first == second and len(first) > 100_000


def test_one_named_graph_per_source(built):
    store = ox.Store.read_only(str(built.store))
    names = {g.value for g in store.named_graphs()}
    expected = {str(GRAPH[n]) for n in ("ontology", "concepts", "alignment", "derived", "links")}
    expected |= {str(cases.graph_name(p)) for p in cases.case_files()}
    expected |= {str(GRAPH["import/" + name]) for name in importer.SOURCES}
    assert names == expected
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _store_state(link):
    target = link.resolve()
    return target, len(ox.Store.read_only(str(target)))


def test_failed_validation_leaves_the_store_untouched(tmp_path):
    link, out = tmp_path / "store", tmp_path / "gongzhi.nq"
    assert build.build(out, link).ok
    before, data = _store_state(link), out.read_bytes()
    broken = build.build(out, link, case_paths=cases.case_files() + [FIXTURES / "invalid" / "label-zh.yaml"])
    assert not broken.ok and broken.violations
    assert _store_state(link) == before and out.read_bytes() == data


def test_unparsable_case_file_leaves_the_store_untouched(tmp_path):
    link, out = tmp_path / "store", tmp_path / "gongzhi.nq"
    assert build.build(out, link).ok
    before = _store_state(link)
    broken = build.build(out, link, case_paths=cases.case_files() + [FIXTURES / "bad-files" / "yaml-syntax.yaml"])
    assert not broken.ok and broken.errors
    assert _store_state(link) == before


def test_validate_command_reports_file_entry_rule_and_message(tmp_path):
    for case in cases.case_files():
        (tmp_path / case.name).write_bytes(case.read_bytes())
    (tmp_path / "broken.yaml").write_bytes((FIXTURES / "invalid" / "evidence-required.yaml").read_bytes())
    run = subprocess.run([sys.executable, "-m", "kg", "validate", "--cases", str(tmp_path)], cwd=paths.ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "broken.yaml:2: [fixture-office] evidence-required" in run.stderr
    assert "缺少证据" in run.stderr and "missing evidence" in run.stderr
    assert "Traceback" not in run.stderr


def test_validate_command_passes_on_the_real_cases():
    run = subprocess.run([sys.executable, "-m", "kg", "validate"], cwd=paths.ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_rebuild_keeps_the_graphs_written_through_updates(tmp_path):
    from kg import updates

    link, out = tmp_path / "store", tmp_path / "gongzhi.nq"
    assert build.build(out, link).ok
    note = "INSERT DATA { GRAPH <https://example.org/notes> { <https://example.org/a> <https://example.org/b> 1 } }"
    updates.apply(updates.EmbeddedBackend(link), lambda reader: updates.evaluate(reader, note))
    size = len(ox.Store.read_only(str(link.resolve())))
    assert build.build(out, link).ok
    rebuilt = ox.Store.read_only(str(link.resolve()))
    assert len(rebuilt) == size  # the sources' graphs replaced, not doubled; the note kept
    assert list(rebuilt.quads_for_pattern(None, None, None, ox.NamedNode("https://example.org/notes")))
