"""The benchmark harness works end to end: a small run (20k triples, two systems) writes its report."""
import json
import subprocess
import sys

import pytest

from bench import mix, report
from bench.systems import BrokenAnswer, check_answer
from kg import paths


def test_small_bench_run_writes_the_report(tmp_path):
    out = tmp_path / "benchmarks.md"
    run = subprocess.run([sys.executable, "-m", "bench", "--sizes", "20k", "--systems", "embedded,inprocess",
                          "--iterations", "2", "--budget", "1", "--clients", "1,4", "--seconds", "1", "--no-plots",
                          "--out", str(out)], cwd=paths.ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    per_size = results["sizes"]["20k"]
    assert per_size["quads"] > 20_000
    for name in ("embedded", "inprocess"):
        entry = per_size["systems"][name]
        assert "failed" not in entry, entry.get("failed")
        assert all(entry["latency"][q]["error"] is None and entry["latency"][q]["n"] >= 1 for q in mix.MIX_ORDER)
        assert all(t["errors"] == 0 and 0 < t["runs"] <= t["completed"] for t in entry["throughput"].values())
        assert entry["catalogue"]["errors"] == {}
        assert entry["catalogue"]["first"]["queries"] == entry["catalogue"]["queries"] == len(mix.catalogue_queries())
    assert all(t["runs"] == t["completed"] for t in per_size["systems"]["inprocess"]["throughput"].values())
    assert per_size["systems"]["embedded"]["load"]["triples_per_s"] > 0
    assert per_size["shacl_update"]["triples"] == 10
    text = out.read_text(encoding="utf-8")
    assert "## Goals" in text and "service overhead over in-process" in text and "| point-lookup |" in text


def _throughput_results(gongzhi: dict, peer: dict) -> dict:
    """Results with only the throughput runs at 1M: queries per second by client count."""
    def runs(qps):
        return {c: {"qps": q, "errors": 0 if q else 3} for c, q in qps.items()}
    return {"sizes": {"1M": {"systems": {"embedded": {"throughput": runs(gongzhi)},
                                         "rdflib-endpoint": {"throughput": runs(peer)}}}}}


def _mix_goal(results: dict) -> tuple[str, str, str]:
    return next(g for g in report.goals(results) if g[0].startswith("query-mix throughput"))


def test_the_mix_goal_counts_a_peer_that_answered_nothing_as_behind_and_names_the_client_counts():
    _, measured, verdict = _mix_goal(_throughput_results({"1": 5.0, "8": 7.0}, {"1": 0.1, "8": 0.0}))
    assert measured.startswith("50× (1 client), rdflib-endpoint answered none (8 clients)") and verdict == "met"
    _, measured, verdict = _mix_goal(_throughput_results({"1": 5.0, "8": 7.0}, {"1": 1.0, "8": 0.0}))
    assert measured.startswith("5× (1 client)") and verdict == "**missed**"


def _errors_goal(results: dict) -> tuple[str, str, str]:
    return next(g for g in report.goals(results) if g[0].startswith("HTTP throughput runs with no errors"))


def test_the_no_errors_goal_names_each_run_with_errors_and_the_peer_beside_it():
    def runs(errors):
        return {"throughput": {c: {"qps": 1.0, "completed": 10, "errors": e} for c, e in errors.items()}}
    clean = {"sizes": {"1M": {"systems": {"embedded": runs({"1": 0, "8": 0})}}}}
    assert _errors_goal(clean)[1:] == ("none in 2 runs", "met")
    failing = {"sizes": {"1M": {"systems": {"embedded": runs({"1": 0, "8": 0})}},
                         "10M": {"systems": {"embedded": runs({"1": 0, "8": 2}), "oxigraph-server": runs({"8": 0})}}}}
    _, measured, verdict = _errors_goal(failing)
    assert measured == "errors at 10M, 8 clients: 2 of 12 (Oxigraph's server: 0)" and verdict == "**missed**"


def test_a_throughput_cell_gives_the_engine_s_runs_where_identical_queries_shared_them():
    per_size = {"systems": {"embedded": {"throughput": {
        "1": {"qps": 10.0, "seconds": 10.0, "completed": 100, "runs": 100.0, "errors": 0},
        "8": {"qps": 30.0, "seconds": 10.0, "completed": 300, "runs": 120.5, "errors": 1}}}}}
    row = next(r for r in report._throughput_table(per_size, {"embedded": "Gongzhi"}) if r.startswith("| Gongzhi"))
    assert row == "| Gongzhi | 10.0 q/s | 30.0 q/s, 12.1 runs/s (1 errors) |"


def test_an_answer_cut_short_is_refused_however_its_status_read():
    check_answer(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}', graph=False)
    check_answer(b'{"head":{},"boolean":true}', graph=False)
    check_answer(b"<http://e/s> <http://e/p> \"o\" .\n", graph=True)
    check_answer(b"", graph=True)  # an empty graph is a whole answer
    # What Oxigraph's server sends with a 200 when its --timeout-s stops the query mid-answer.
    cut = b'{"head":{"vars":["s","label"]},"results":{"bindings":[The SPARQL operation has been cancelled'
    for body, graph in ((cut, False), (b'{"head":{}}', False),
                        (b"<http://e/s> <http://e/p> \"o\" .\nThe SPARQL operation has been cancelled", True),
                        (b"<http://e/s> <http://e/p> \"o", True)):
        with pytest.raises(BrokenAnswer):
            check_answer(body, graph)
