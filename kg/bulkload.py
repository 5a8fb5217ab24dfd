"""Bulk loading of an N-Quads file into a new store: one loader per core, each on a line-aligned part.

Measured on 1M quads (2 cores): one `bulk_load` 11.5 s; two in parallel 8.5 s, held back by glibc's
malloc (a quarter of the profile in _int_free); two in parallel with mimalloc 4.5 s. So a large file
is loaded by a child process started with mimalloc preloaded (Debian's libmimalloc2.0) when the
machine has it. Oxigraph names the blank nodes of each load afresh, so the file is split only where
no blank-node label occurs on both sides; otherwise it is loaded in one piece.
"""
import ctypes.util
import io
import mmap
import multiprocessing
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox

IN_PROCESS_BELOW = 8 << 20  # bytes: a smaller file loads faster than a child process starts
PARALLEL_SCAN_FROM = 64 << 20  # bytes: below this, one process finds the blank nodes faster than a fork
_BLANK = re.compile(rb"_:[A-Za-z0-9_\-.]+")


class _Range(io.RawIOBase):
    """A byte range of a file, read with pread so that parts load side by side from one descriptor."""

    def __init__(self, fd: int, start: int, end: int):
        super().__init__()
        self.fd, self.pos, self.end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.end - self.pos)
        if size <= 0:
            return 0
        data = os.pread(self.fd, size, self.pos)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


def split_points(path: Path, parts: int) -> list[tuple[int, int]]:
    """Line-aligned byte ranges of the file, about equal; one range if blank nodes would be cut apart."""
    size = path.stat().st_size
    if parts < 2 or size == 0:
        return [(0, size)]
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        cuts = [0]
        for k in range(1, parts):
            newline = m.find(b"\n", max(cuts[-1], size * k // parts))
            if newline < 0:
                break
            cuts.append(newline + 1)
        cuts.append(size)
    ranges = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    seen: set[bytes] = set()
    for labels in _labels_of_parts(path, ranges):
        if labels & seen:
            return [(0, size)]
        seen |= labels
    return ranges


def _labels_of_parts(path: Path, ranges: list[tuple[int, int]]) -> list[set[bytes]]:
    """The blank-node labels of each part, the parts searched side by side in forked processes: the
    search reads the whole file (5 s for 2 GB in one process) before any loading starts."""
    if len(ranges) < 2 or ranges[-1][1] < PARALLEL_SCAN_FROM:
        return [_labels(path, a, b) for a, b in ranges]
    with ProcessPoolExecutor(len(ranges), mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_labels, [path] * len(ranges), *zip(*ranges)))


def _labels(path: Path, start: int, end: int) -> set[bytes]:
    """The blank-node labels between two offsets, found by a byte search (a regex over a 1 GB part,
    or a copy of it, would cost seconds)."""
    found: set[bytes] = set()
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        pos = m.find(b"_:", start, end)
        while pos >= 0:
            label = _BLANK.match(m, pos)
            if label:
                found.add(label.group())
            pos = m.find(b"_:", pos + 2, end)
    return found


def load_parts(store: ox.Store, path: Path, ranges: list[tuple[int, int]]) -> None:
    """Load the file's parts (from split_points) side by side into the open store (pyoxigraph releases the
    GIL while it loads)."""
    errors: list[BaseException] = []
    fd = os.open(path, os.O_RDONLY)
    try:
        def one(start: int, end: int) -> None:
            try:
                store.bulk_load(input=io.BufferedReader(_Range(fd, start, end), 1 << 20), format=ox.RdfFormat.N_QUADS)
            except SyntaxError as exc:
                errors.append(SyntaxError(_file_lines(str(exc), path, start)))
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=one, args=r) for r in ranges]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        os.close(fd)
    if errors:
        raise errors[0]


def _file_lines(message: str, path: Path, start: int) -> str:
    """The parser's message with its line numbers counted from the file's start, not the part's."""
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        before = m[:start].count(b"\n")
    return re.sub(r"line (\d+)", lambda g: f"line {int(g.group(1)) + before}", message)


def _allocator_env() -> dict:
    found = ctypes.util.find_library("mimalloc")
    preload = os.environ.get("LD_PRELOAD", "")
    if not found or found in preload:
        return dict(os.environ)
    return {**os.environ, "LD_PRELOAD": f"{found} {preload}".strip()}


def load(store_dir: Path, path: Path) -> None:
    """Fill the (new, closed) store at `store_dir` with the N-Quads file; raises SyntaxError on bad input."""
    path = Path(path)
    if path.stat().st_size < IN_PROCESS_BELOW:
        store = ox.Store(str(store_dir))
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store.flush()
        return
    run = subprocess.run([sys.executable, "-m", "kg.bulkload", str(store_dir), str(path)], env=_allocator_env(),
                         capture_output=True, text=True)
    if run.returncode:
        message = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"
        raise (SyntaxError if message.startswith("SyntaxError") else OSError)(f"{path}: {message}")


def main(argv: list[str]) -> int:
    path = Path(argv[1])
    ranges = split_points(path, os.cpu_count() or 1)  # before the store opens: the search forks
    store = ox.Store(argv[0])
    load_parts(store, path, ranges)
    store.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
