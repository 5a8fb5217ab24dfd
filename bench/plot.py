"""PNG plots of a run (run in var/bench-venv, which has matplotlib): `python -m bench.plot RESULTS DIR`."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ORDER = ("embedded", "inprocess", "virtuoso", "rdflib-endpoint", "oxigraph-server")
MIX = ("point-lookup", "label-search", "multi-join", "aggregate-by-province", "property-path", "order-limit",
       "construct-case")


def latency(results: dict, size: str, out: Path) -> Path:
    per_size = results["sizes"][size]["systems"]
    names = [n for n in ORDER if "latency" in per_size.get(n, {})]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        values = [per_size[name]["latency"][q]["p50"] or 0 for q in MIX]
        ax.bar([i + k * width for i in range(len(MIX))], values, width, label=results["systems"][name][0])
    ax.set_yscale("log")
    ax.set_ylabel("p50 latency (ms, log)")
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(MIX))], MIX, rotation=20, ha="right")
    ax.set_title(f"Query latency at {size} ({results['sizes'][size]['quads']:,} quads)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / f"benchmarks-latency-{size}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def throughput(results: dict, out: Path) -> Path:
    sizes = list(results["sizes"])
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 4), squeeze=False)
    for ax, size in zip(axes[0], sizes):
        per_size = results["sizes"][size]["systems"]
        for name in ORDER:
            t = per_size.get(name, {}).get("throughput")
            if t:
                clients = sorted(int(c) for c in t)
                line, = ax.plot(clients, [t[str(c)]["qps"] for c in clients], marker="o",
                                label=results["systems"][name][0])
                runs = [t[str(c)].get("runs") for c in clients]
                if None not in runs and any(r < t[str(c)]["completed"] - 0.5 for r, c in zip(runs, clients)):
                    # identical queries that waited together answered by one run: the engine's runs, dashed
                    ax.plot(clients, [r / t[str(c)]["seconds"] for r, c in zip(runs, clients)], marker="x",
                            linestyle="--", color=line.get_color(), label=results["systems"][name][0] + ", engine runs")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel("answers per second (log)")
        ax.set_title(f"Query-mix throughput at {size}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "benchmarks-throughput.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(results_path: str, out_dir: str) -> int:
    results = json.loads(Path(results_path).read_text(encoding="utf-8"))
    out = Path(out_dir)
    written = [latency(results, size, out) for size in results["sizes"]] + [throughput(results, out)]
    print(" ".join(p.name for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
