"""The parallel bulk loader: parts cut at line ends, blank nodes kept whole, the same store as one load."""
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import bulkload, synthetic


def _quads(store_dir: Path) -> set[str]:
    return {str(q) for q in ox.Store.read_only(str(store_dir))}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "g.nq"
    synthetic.write(path, 20_000, 3)
    return path


def test_parts_end_at_line_ends_and_cover_the_file(generated):
    data = generated.read_bytes()
    ranges = bulkload.split_points(generated, 3)
    assert len(ranges) == 3
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        assert end == start and data[end - 1:end] == b"\n"


@pytest.mark.parametrize("scan_from", [bulkload.PARALLEL_SCAN_FROM, 0], ids=["one-process", "forked"])
def test_a_blank_node_on_both_sides_keeps_the_file_whole(tmp_path, monkeypatch, scan_from):
    monkeypatch.setattr(bulkload, "PARALLEL_SCAN_FROM", scan_from)
    lines = [f"<http://e/s{i}> <http://e/p> <http://e/o{i}> .\n" for i in range(100)]
    lines[3] = "_:shared <http://e/p> <http://e/a> .\n"
    lines[97] = "<http://e/x> <http://e/p> _:shared .\n"
    path = tmp_path / "b.nq"
    path.write_text("".join(lines))
    assert bulkload.split_points(path, 2) == [(0, path.stat().st_size)]
    lines[97] = "<http://e/x> <http://e/p> _:other .\n"
    path.write_text("".join(lines))
    assert len(bulkload.split_points(path, 2)) == 2


def test_the_child_process_loads_the_same_quads_as_one_load(generated, tmp_path, monkeypatch):
    one = ox.Store(str(tmp_path / "one"))
    one.bulk_load(path=str(generated), format=ox.RdfFormat.N_QUADS)
    one.flush()
    del one
    monkeypatch.setattr(bulkload, "IN_PROCESS_BELOW", 0)
    bulkload.load(tmp_path / "parts", generated)
    assert _quads(tmp_path / "parts") == _quads(tmp_path / "one")
    assert len(_quads(tmp_path / "one")) == sum(1 for _ in generated.open("rb"))


def test_a_syntax_error_names_the_file_and_its_line(generated, tmp_path, monkeypatch):
    bad = tmp_path / "bad.nq"
    lines = generated.read_bytes().splitlines(keepends=True)
    bad.write_bytes(b"".join(lines[:-10]) + b'<a> <b> "unterminated .\n' + b"".join(lines[-9:]))
    monkeypatch.setattr(bulkload, "IN_PROCESS_BELOW", 0)
    with pytest.raises(SyntaxError) as caught:
        bulkload.load(tmp_path / "store", bad)
    assert str(bad) in str(caught.value)
    assert f"line {len(lines) - 9}" in str(caught.value)
