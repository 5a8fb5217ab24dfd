"""docs/benchmarks.md from a run's results: machine, versions, tables, goals met or missed."""
import datetime
import os
import platform
import re
import subprocess
from importlib import metadata

from bench import mix, systems
from kg import paths


def _command_version(cmd: list[str], pattern: str) -> str:
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    found = re.search(pattern, run.stdout + run.stderr)
    return found.group(1) if found else "unknown"


def environment() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo", encoding="utf-8") if line.startswith("MemTotal"))
    bench_pins = dict(line.strip().split("==") for line in (paths.ROOT / "requirements-bench.txt").read_text().splitlines()
                      if "==" in line)
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 1024 / 1024, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "pyoxigraph": metadata.version("pyoxigraph"), "rdflib": metadata.version("rdflib"),
        "pyshacl": metadata.version("pyshacl"), "granian": metadata.version("granian"),
        "rdflib-endpoint": bench_pins.get("rdflib-endpoint", "?"),
        "oxigraph": _command_version([str(systems.BENCH_VENV / "bin" / "oxigraph"), "--version"], r"(\d+\.\d+\.\d+\S*)"),
        "virtuoso": _command_version(["virtuoso-t", "-?"], r"Version (\S+)"),
    }


def _ms(value) -> str:
    return "–" if value is None else (f"{value:.1f}" if value >= 10 else f"{value:.2f}")


def _bytes(value) -> str:
    return "–" if not value else f"{value / 2**20:,.0f} MiB"


def _systems(per_size: dict) -> list[str]:
    return [n for n in systems.ORDER if n in per_size["systems"]]


def _load_table(size: str, per_size: dict, labels: dict) -> list[str]:
    rows = [f"### {size} ({per_size['quads']:,} quads)", "",
            "| system | load (s) | triples/s | store on disk | peak memory (load) | peak memory (serving) | how |",
            "|---|---:|---:|---:|---:|---:|---|"]
    for name in _systems(per_size):
        entry = per_size["systems"][name]
        if "failed" in entry and "load" not in entry:
            rows.append(f"| {labels[name]} | failed: {entry['failed'][:120]} | | | | | |")
            continue
        load = entry["load"]
        tps = f"{load['triples_per_s']:,.0f}" if load["triples_per_s"] and name != "inprocess" else "–"
        seconds = f"{load['seconds']:.1f}" if name != "inprocess" else "–"
        rows.append(f"| {labels[name]} | {seconds} | {tps} | {_bytes(load['store_bytes'])} | "
                    f"{_bytes(load['peak_rss_bytes'])} | {_bytes(entry.get('peak_rss_bytes'))} | {load['note']} |")
    return rows + [""]


def _latency_table(per_size: dict, labels: dict) -> list[str]:
    names = [n for n in _systems(per_size) if "latency" in per_size["systems"][n]]
    rows = ["| query | " + " | ".join(labels[n] for n in names) + " |", "|---|" + "---:|" * len(names)]
    for q in mix.MIX_ORDER:
        cells = []
        for n in names:
            m = per_size["systems"][n]["latency"][q]
            cells.append("error" if m["error"] else f"{_ms(m['p50'])} / {_ms(m['p99'])} ({m['n']})")
        rows.append(f"| {q} | " + " | ".join(cells) + " |")
    first, again = [], []
    for n in names:
        c = per_size["systems"][n].get("catalogue")
        errors = f", {len(c['errors'])} errors" if c and c["errors"] else ""
        first.append("not run" if not c or "first" not in c else
                     f"{c['first']['seconds']:.2f} s, {c['first']['qps']:.1f} q/s{errors}")
        again.append("not run" if not c else f"{c['seconds']:.2f} s, {c['qps']:.1f} q/s{errors}")
    count = len(mix.catalogue_queries())
    rows.append(f"| catalogue ({count} queries), first run | " + " | ".join(first) + " |")
    rows.append(f"| catalogue ({count} queries), run again | " + " | ".join(again) + " |")
    return rows + ["", "Cells: p50 / p99 latency in ms (number of timed runs), every answer asked fresh "
                   "(`Cache-Control: no-cache`). The catalogue runs once as a new question (answers asked fresh), "
                   "then again as analysts rerun it (a system may answer from what it kept).", ""]


def _throughput_table(per_size: dict, labels: dict) -> list[str]:
    names = [n for n in _systems(per_size) if "throughput" in per_size["systems"][n]]
    clients = sorted({int(c) for n in names for c in per_size["systems"][n]["throughput"]})
    rows = ["| system | " + " | ".join(f"{c} client{'s' if c > 1 else ''}" for c in clients) + " |",
            "|---|" + "---:|" * len(clients)]
    for n in names:
        cells = []
        for c in clients:
            t = per_size["systems"][n]["throughput"].get(str(c))
            cells.append("–" if not t else f"{t['qps']:.1f} q/s" + _runs(t)
                         + (f" ({t['errors']} errors)" if t["errors"] else ""))
        rows.append(f"| {labels[n]} | " + " | ".join(cells) + " |")
    return rows + ["", "Cells: whole answers per second; where identical queries waiting in line together were "
                   "answered by one run of the engine (Gongzhi, `X-Shared-Run`), the engine's runs per second too.",
                   ""]


def _runs(t: dict) -> str:
    """The engine's runs per second, where fewer than the answers (runs not recorded by older results: none)."""
    runs = t.get("runs")
    return f", {runs / t['seconds']:.1f} runs/s" if runs is not None and runs < t["completed"] - 0.5 else ""


def _get(results, size, name, *keys):
    value = results["sizes"].get(size, {}).get("systems", {}).get(name)
    for key in keys:
        if value is None:
            return None
        value = value.get(key) if isinstance(value, dict) else None
    return value


def goals(results: dict) -> list[tuple[str, str, str]]:
    """(goal, measured, verdict) for each goal, at the largest size measured (the goals name 1M)."""
    sizes = list(results["sizes"])
    size = "1M" if "1M" in sizes else sizes[-1]
    out = []

    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    tps = _get(results, sizes[-1], "embedded", "load", "triples_per_s")
    out.append(("embedded load ≥ 200k triples/s", f"{tps:,.0f} triples/s ({sizes[-1]})" if tps else "not measured",
                verdict(tps >= 200_000 if tps else None)))
    load = _get(results, sizes[-1], "embedded", "load")
    answered = _get(results, sizes[-1], "embedded", "latency", "point-lookup", "p50")
    memory = results.get("environment", {}).get("memory_gib")
    out.append((f"{sizes[-1]} loaded and queryable within the machine's memory",
                f"loaded in {load['seconds']:.1f} s, {load['peak_rss_bytes'] / 2**30:.1f} GiB peak while loading "
                f"of {memory} GiB; point lookup {_ms(answered)} ms" if load and answered and memory else "not measured",
                verdict(load["peak_rss_bytes"] < memory * 2**30 if load and answered and memory else None)))
    ratios, timeouts = [], 0
    for c in ("1", "8", "32"):
        e = _get(results, size, "embedded", "throughput", c)
        r = _get(results, size, "rdflib-endpoint", "throughput", c)
        if e and r:
            # rdflib-endpoint answering none in the run: no ratio, but Gongzhi is ahead if it answered any
            ratios.append((c, e["qps"] / r["qps"] if r["qps"] else (float("inf") if e["qps"] else 0.0)))
        timeouts += r["errors"] if r else 0
    note = (f"; rdflib-endpoint's runs had {timeouts} failed answers (timeouts), so its rate is a floor"
            if timeouts else "")

    def ratio(c: str, x: float) -> str:
        clients = "1 client" if c == "1" else f"{c} clients"
        return f"{x:.0f}× ({clients})" if x != float("inf") else f"rdflib-endpoint answered none ({clients})"

    out.append((f"query-mix throughput at {size} ≥ 10× rdflib-endpoint",
                (", ".join(ratio(c, x) for c, x in ratios) or "not measured") + note,
                verdict(all(x >= 10 for _, x in ratios) if ratios else None)))
    e = _get(results, size, "embedded", "latency", "point-lookup", "p50")
    r = _get(results, size, "rdflib-endpoint", "latency", "point-lookup", "p50")
    out.append((f"point lookups at {size} ≥ 1.5× rdflib-endpoint (p50)",
                f"{r / e:.2f}× ({_ms(e)} vs {_ms(r)} ms)" if e and r else "not measured",
                verdict(r / e >= 1.5 if e and r else None)))
    slower = []
    for q in mix.MIX_ORDER:
        e = _get(results, size, "embedded", "latency", q, "p50")
        r = _get(results, size, "rdflib-endpoint", "latency", q, "p50")
        if e and r and e > r:
            slower.append(f"{q} ({_ms(e)} vs {_ms(r)} ms)")
    measured = _get(results, size, "rdflib-endpoint", "latency") is not None
    out.append((f"no query at {size} slower than rdflib-endpoint (p50)",
                ("slower: " + ", ".join(slower)) if slower else ("none slower" if measured else "not measured"),
                verdict(not slower if measured else None)))
    e = _get(results, size, "embedded", "catalogue", "qps")
    v = _get(results, size, "virtuoso", "catalogue", "qps")
    failed = _get(results, size, "embedded", "catalogue", "errors") or {}
    out.append((f"catalogue throughput at {size} ≥ Virtuoso's", (f"{e:.1f} vs {v:.1f} q/s ({e / v:.2f}×)"
                + (f"; failed on Gongzhi (left out of its rate): {', '.join(failed)}" if failed else ""))
                if e and v else "not measured", verdict(e >= v and not failed if e and v else None)))
    e = _get(results, size, "embedded", "latency", "point-lookup", "p50")
    i = _get(results, size, "inprocess", "latency", "point-lookup", "p50")
    out.append((f"service overhead over in-process ≤ 1 ms (point lookup p50, {size})",
                f"{e - i:.2f} ms ({_ms(e)} − {_ms(i)})" if e and i else "not measured",
                verdict(e - i <= 1 if e and i else None)))
    runs, failed = 0, []
    for each in sizes:
        for c, run in (_get(results, each, "embedded", "throughput") or {}).items():
            runs += 1
            if run["errors"]:
                peer = _get(results, each, "oxigraph-server", "throughput", c, "errors")
                failed.append(f"{each}, {c} clients: {run['errors']} of {run['errors'] + run['completed']}"
                              + (f" (Oxigraph's server: {peer})" if peer is not None else ""))
    out.append(("HTTP throughput runs with no errors (every size and client count)",
                ("errors at " + "; ".join(failed)) if failed else (f"none in {runs} runs" if runs else "not measured"),
                verdict(not failed if runs else None)))
    shacl = results["sizes"].get(size, {}).get("shacl_update")
    out.append((f"SHACL check of a 10-triple update on the {size} store ≤ 100 ms",
                f"{shacl['p50_ms']:.1f} ms p50, {shacl['max_ms']:.1f} ms max ({shacl['triples']} triples)"
                if shacl else "not measured", verdict(shacl["p50_ms"] <= 100 if shacl else None)))
    val = results.get("validate")
    out.append(("build + validate of the case graph ≤ 2 s (`kg validate`)",
                f"{val['cli_s']:.2f} s as a command, {val['check_s']:.2f} s in-process ({val['quads']} quads)"
                if val else "not measured", verdict(val["cli_s"] <= 2 if val else None)))
    return out


def markdown(results: dict, plots: list[str], args) -> str:
    env = results["environment"]
    labels = {n: systems.KINDS[n][1] for n in systems.ORDER}
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`python -m bench`); the figures below are one run's, on one machine. "
             "Every system is loaded from the same N-Quads file: the real dataset (`kg build`) plus a generated "
             "graph (`kg generate --triples SIZE --seed {}`).".format(args.seed), "",
             "## Machine and versions", "",
             f"- {env['date']}; {env['cpu']}, {env['cores']} cores, {env['memory_gib']} GiB; {env['os']}",
             f"- Python {env['python']}; pyoxigraph {env['pyoxigraph']}; rdflib {env['rdflib']}; pyshacl "
             f"{env['pyshacl']}; Granian {env['granian']}",
             f"- rdflib-endpoint {env['rdflib-endpoint']}; Oxigraph server {env['oxigraph']}; Virtuoso {env['virtuoso']}",
             f"- Timed runs per query: up to {args.iterations} (within {args.budget:.0f} s, at least one), after one "
             f"warm-up; throughput runs of {args.seconds:.0f} s per client count; the client is Python's "
             "`http.client` with keep-alive, one connection per client thread, in the same machine (2 cores shared "
             "with the servers). A query taking more than "
             f"{systems.QUERY_TIMEOUT} s is a timeout. Every answer is checked whole after its time is taken "
             "(JSON that parses; N-Triples ending in a triple): a 200 whose body stops short is an error. "
             "Catalogue not run on: "
             f"{', '.join(results.get('skip_catalogue') or []) or 'none'}"
             + (f"; nor above {results['catalogue_up_to']:,} triples" if results.get("catalogue_up_to") else "")
             + "".join(f"; {n} run up to {v:,} triples" for n, v in (results.get("up_to") or {}).items()) + ".", "",
             "## Systems and how they are reached", "", "| system | connection |", "|---|---|"]
    lines += [f"| {labels[n]} | {results['systems'][n][1]} |" for n in systems.ORDER if n in results["systems"]]
    lines += ["", "## Goals", "", "Why a goal is missed, with profiles: [performance.md](performance.md).", "",
              "| goal | measured | |", "|---|---|---|"]
    lines += [f"| {g} | {m} | {v} |" for g, m, v in goals(results)]
    lines += ["", "## Load", ""]
    for size, per_size in results["sizes"].items():
        lines += _load_table(size, per_size, labels)
    lines += ["## Query latency", ""]
    for size, per_size in results["sizes"].items():
        lines += [f"### {size}", ""] + _latency_table(per_size, labels)
    lines += ["## HTTP throughput (the query mix, in turn)", ""]
    for size, per_size in results["sizes"].items():
        lines += [f"### {size}", ""] + _throughput_table(per_size, labels)
    failed = [(size, n, e["failed"]) for size, s in results["sizes"].items() for n, e in s["systems"].items()
              if "failed" in e]
    if failed:
        lines += ["## Failures", ""] + [f"- {size}, {labels[n]}: `{msg[:300]}`" for size, n, msg in failed] + [""]
    if plots:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    lines += ["## Queries", "", "The mix is `bench/queries/*.rq`: " + ", ".join(mix.MIX_ORDER) +
              "; the catalogue is `queries/*.rq` without the violation checks.", ""]
    return "\n".join(lines)
