"""One benchmark run: for each size, load every system with the same file, then measure it."""
import json
import math
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import data, mix, systems
from kg import paths, synthetic

UPDATE = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
PREFIX gzc: <https://w3id.org/gongzhi/concept/>
PREFIX gzd: <https://w3id.org/gongzhi/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA { GRAPH <https://w3id.org/gongzhi/graph/bench-updates> {
  gzd:bench-community a gz:Community ; rdfs:label "基准测试社区"@zh , "Benchmark community"@en ;
    rdfs:comment "Added by the benchmark's update check."@en ;
    gz:placeLevel gzc:community ; gz:partOfPlace gzd:shangqingsi-subdistrict ;
    gz:partOfCase gzd:case-chongqing-shangqingsi ; gz:evidence gzd:bench-community-evidence .
  gzd:bench-community-evidence gz:inSection <https://w3id.org/gongzhi/id/paper/section/4.1> ; gz:quote "上清寺街道为了改善社区服务质量"@zh .
} }"""


def _percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def latency(system, queries, iterations: int, budget_s: float) -> dict:
    """Each query once to warm up, then up to `iterations` times within `budget_s`: p50 and p99 in ms.
    Every answer is asked fresh (Cache-Control: no-cache): this measures the engine, not a cache. Every answer
    is checked whole (systems.check_answer) after its time is taken."""
    client = systems.Client()
    found = {}
    for q in queries:
        times, error = [], None
        try:
            systems.check_answer(system.query(client, q.text, q.is_graph), q.is_graph)
            spent = time.perf_counter()
            while len(times) < iterations and (not times or time.perf_counter() - spent < budget_s):
                started = time.perf_counter()
                body = system.query(client, q.text, q.is_graph)
                times.append((time.perf_counter() - started) * 1000)
                systems.check_answer(body, q.is_graph)
        except Exception as exc:  # noqa: BLE001 - an error is a result here, reported with the query
            error = _failure(system, exc)
        times.sort()
        found[q.name] = {"n": len(times), "error": error,
                         "p50": statistics.median(times) if times else None,
                         "p99": _percentile(times, 0.99) if times else None}
    return found


def _failure(system, exc: Exception) -> str:
    """The error of a query as reported; a client timeout also makes the system drop the query."""
    if isinstance(exc, systems.QueryTimeout):
        system.recover()
        return f"timeout (> {systems.QUERY_TIMEOUT} s)"
    return str(exc)[:200]


def _catalogue_pass(system, client, queries, fresh: bool, errors: dict) -> dict:
    started, checking = time.perf_counter(), 0.0
    for q in queries:
        if q.name in errors:
            continue
        try:
            body = system.query(client, q.text, q.is_graph, fresh=fresh)
            checked = time.perf_counter()
            systems.check_answer(body, q.is_graph)
            checking += time.perf_counter() - checked  # the client's check is not the system's time
        except Exception as exc:  # noqa: BLE001
            errors[q.name] = _failure(system, exc)
    seconds = time.perf_counter() - started - checking
    done = len(queries) - len(errors)
    return {"seconds": seconds, "queries": done, "qps": done / seconds if seconds else None}


def catalogue(system, queries) -> dict:
    """The whole catalogue in order, twice: first as a new question (every answer computed, slowest per
    query shown), then again as analysts rerun it, when a system may answer from what it kept."""
    client = systems.Client()
    errors: dict = {}
    first = _catalogue_pass(system, client, queries, True, errors)
    again = _catalogue_pass(system, client, queries, False, errors)
    return {**again, "first": first, "errors": errors}


def throughput(system, queries, clients: int, seconds: float) -> dict:
    """`clients` threads run the mix in turn (each from its own offset) for `seconds`, every answer asked
    fresh; whole answers per second (a body cut short is an error), and the runs of the engine that gave them
    (a run that answered n identical requests waiting together, X-Shared-Run: n, counts 1/n for each)."""
    done, runs, errors, lock = [0], [0.0], [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        http = systems.Client()
        i = offset
        while time.perf_counter() < deadline:
            q = queries[i % len(queries)]
            i += 1
            try:
                systems.check_answer(system.query(http, q.text, q.is_graph), q.is_graph)
                with lock:
                    done[0] += 1
                    runs[0] += 1 / http.shared
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"{q.name}: {str(exc)[:120]}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "seconds": elapsed, "completed": done[0], "qps": done[0] / elapsed,
            "runs": round(runs[0], 3), "errors": len(errors), "first_errors": errors[:3]}


def shacl_update(store_dir: Path, repeats: int = 5) -> dict:
    """The transactional check of a 10-triple update (kg.updates.evaluate + check_shapes) on a store."""
    import pyoxigraph as ox

    from kg import updates
    from kg.overlay import OxigraphReader

    reader = OxigraphReader(ox.Store.read_only(str(store_dir)))
    change = updates.evaluate(reader, UPDATE)
    updates.check_shapes(reader, change)  # warm: shapes and ontology parsed once per process
    times, violations = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        change = updates.evaluate(reader, UPDATE)
        violations = updates.check_shapes(reader, change)
        times.append((time.perf_counter() - started) * 1000)
    return {"triples": len(change.added), "p50_ms": statistics.median(times), "max_ms": max(times),
            "violations": len(violations)}


def validate_timing() -> dict:
    """`kg validate` of the cases as a command (with Python's start-up), and build.check in this process."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kg", "validate"], cwd=paths.ROOT, capture_output=True, text=True)
    cli = time.perf_counter() - started
    from kg import build

    build.check()
    started = time.perf_counter()
    result, _ = build.check()
    return {"cli_s": cli, "cli_ok": run.returncode == 0, "check_s": time.perf_counter() - started,
            "quads": result.quads}


def run(sizes: list[str], names: list[str], iterations: int, budget_s: float, clients: list[int],
        seconds: float, seed: int = 0, log=print, skip_catalogue=(), up_to: dict | None = None,
        catalogue_up_to: int | None = None) -> dict:
    """`up_to`: the largest size (triples) at which a system runs; `catalogue_up_to`: the same for the catalogue."""
    up_to = up_to or {}
    results = {"sizes": {}, "systems": {n: systems.KINDS[n][1:] for n in names}, "skip_catalogue": list(skip_catalogue),
               "up_to": up_to, "catalogue_up_to": catalogue_up_to}
    queries, catalogue_queries = mix.mix(), mix.catalogue_queries()
    for size in sizes:
        path, quads = data.dataset(size, seed)
        log(f"== {size}: {quads} quads in {path}")
        per_size = results["sizes"][size] = {"quads": quads, "systems": {}}
        work = data.WORK / f"run-{size}"
        shutil.rmtree(work, ignore_errors=True)
        embedded_store = None
        triples = synthetic.parse_size(size)
        for name in names:
            if triples > up_to.get(name, triples):
                log(f"-- {name}: not run at {size} (up to {up_to[name]:,} triples)")
                continue
            kind, label, mode = systems.KINDS[name]
            (work / name).mkdir(parents=True, exist_ok=True)
            extra = {"store_dir": embedded_store} if name == "inprocess" else {}
            if name == "inprocess" and embedded_store is None:
                log("   inprocess needs embedded first: skipped")
                continue
            system = kind(name, label, mode, work / name, **extra)
            entry = per_size["systems"][name] = {}
            try:
                log(f"-- {name}: loading")
                load = system.start(path)
                entry["load"] = {"seconds": load.seconds, "triples_per_s": quads / load.seconds if load.seconds else None,
                                 "store_bytes": load.store_bytes, "peak_rss_bytes": load.peak_rss_bytes,
                                 "note": load.note}
                if name == "embedded":
                    embedded_store = system.store_dir
                log(f"   loaded in {load.seconds:.1f} s; latency")
                entry["latency"] = latency(system, queries, iterations, budget_s)
                if name not in skip_catalogue and (catalogue_up_to is None or triples <= catalogue_up_to):
                    log("   catalogue")
                    entry["catalogue"] = catalogue(system, catalogue_queries)
                entry["throughput"] = {}
                for c in clients:
                    log(f"   throughput, {c} clients")
                    entry["throughput"][str(c)] = throughput(system, queries, c, seconds)
                entry["peak_rss_bytes"] = system.peak_rss()
            except Exception as exc:  # noqa: BLE001 - one system failing is reported, the others go on
                entry["failed"] = str(exc)[:2000]
                log(f"   FAILED: {str(exc)[:500]}")
            finally:
                system.stop()
        if embedded_store is not None:
            log("-- SHACL check of a 10-triple update")
            per_size["shacl_update"] = shacl_update(embedded_store)
    log("-- kg validate")
    results["validate"] = validate_timing()
    return results


def save(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
