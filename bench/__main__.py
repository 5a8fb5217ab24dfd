"""`python -m bench`: run the benchmark and write docs/benchmarks.md with its plots."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench import report, runner, systems
from kg import paths, synthetic


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="bench", description="Gongzhi benchmark / 共治基准测试")
    p.add_argument("--sizes", default="100k,1M", help="comma-separated sizes (kg generate --triples)")
    p.add_argument("--systems", default=",".join(systems.ORDER), help="comma-separated: " + ", ".join(systems.ORDER))
    p.add_argument("--iterations", type=int, default=20, help="timed runs of each query (at most)")
    p.add_argument("--budget", type=float, default=20.0, help="seconds a query's timed runs may take (at least one)")
    p.add_argument("--clients", default="1,8,32", help="concurrent clients for the throughput runs")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-catalogue", default="rdflib-endpoint",
                   help="systems not given the catalogue (rdflib-endpoint: many of its queries time out, and each "
                        "timeout restarts it)")
    p.add_argument("--up-to", default="rdflib-endpoint=1M,virtuoso=1M",
                   help="system=SIZE,...: the largest size a system is run at (rdflib-endpoint holds the graph in "
                        "Python objects; Virtuoso is set up with 170 MB of buffers by scripts/virtuoso.sh and loaded "
                        "graph by graph over HTTP in 50k-triple parts, which is for the case graph, not for 10M)")
    p.add_argument("--catalogue-up-to", default="1M", help="the largest size the catalogue is run at")
    p.add_argument("--out", default=str(paths.ROOT / "docs" / "benchmarks.md"), help="the report (Markdown)")
    p.add_argument("--results", help="JSON results file (default: beside the report, benchmarks.json)")
    p.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    p.add_argument("--report-only", action="store_true", help="rewrite the report from the results file, no run")
    args = p.parse_args(argv)
    out = Path(args.out)
    results_path = Path(args.results) if args.results else out.with_suffix(".json")
    if args.report_only:
        results = json.loads(results_path.read_text(encoding="utf-8"))
        names = [f"benchmarks-latency-{size}.png" for size in results["sizes"]] + ["benchmarks-throughput.png"]
        plots = [n for n in names if (out.parent / n).exists()]
        out.write_text(report.markdown(results, plots, args), encoding="utf-8")
        return 0
    results = runner.run(args.sizes.split(","), args.systems.split(","), args.iterations, args.budget,
                         [int(c) for c in args.clients.split(",")], args.seconds, args.seed,
                         log=lambda line: print(line, flush=True),
                         skip_catalogue=[n for n in args.skip_catalogue.split(",") if n],
                         up_to={k: synthetic.parse_size(v) for k, v in
                                (pair.split("=") for pair in args.up_to.split(",") if pair)},
                         catalogue_up_to=synthetic.parse_size(args.catalogue_up_to) if args.catalogue_up_to else None)
    results["environment"] = report.environment()
    runner.save(results, results_path)
    plots = []
    if not args.no_plots:
        run = subprocess.run([str(systems.BENCH_VENV / "bin" / "python"), "-m", "bench.plot", str(results_path),
                              str(out.parent)], cwd=paths.ROOT, capture_output=True, text=True)
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            return 1
        plots = run.stdout.split()
    out.write_text(report.markdown(results, plots, args), encoding="utf-8")
    print(f"written / 已写入: {out}, {results_path}" + "".join(f", {p}" for p in plots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
