"""The benchmark's dataset of a size: the real build (ontology, cases, links) plus a generated graph."""
import subprocess
import sys
from pathlib import Path

from kg import paths, synthetic

WORK = paths.ROOT / "var" / "bench"


def build_nquads() -> Path:
    """The real dataset as `kg build --no-load` writes it (build/gongzhi.nq)."""
    out = WORK / "gongzhi.nq"
    if not out.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "kg", "build", "--no-load", "--out", str(out)], cwd=paths.ROOT,
                       check=True, capture_output=True)
    return out


def dataset(size: str, seed: int = 0) -> tuple[Path, int]:
    """The N-Quads file for a size (generated once, then reused) and its number of quads."""
    out = WORK / f"data-{size}-{seed}.nq"
    real = build_nquads().read_bytes()
    if not out.exists():
        generated = WORK / f"synthetic-{size}-{seed}.nq"
        synthetic.write(generated, synthetic.parse_size(size), seed)
        tmp = out.with_name(out.name + ".tmp")
        with tmp.open("wb") as sink:
            sink.write(real)
            with generated.open("rb") as source:
                while chunk := source.read(1 << 22):
                    sink.write(chunk)
        generated.unlink()
        tmp.replace(out)
    with out.open("rb") as f:
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 22), b""))
    return out, count
