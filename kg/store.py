"""The embedded Oxigraph store on disk: versions built aside and published by swapping a link."""
import fcntl
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg import bulkload, paths

DEFAULT_STORE = paths.ROOT / "var" / "store"


def store_path() -> Path:
    """The store location: $GONGZHI_STORE, else var/store in the repository."""
    return Path(os.environ.get("GONGZHI_STORE", DEFAULT_STORE))


def current_version(link: str | Path) -> str:
    """The store version the link points at, as a path: one readlink, for a per-query check."""
    link = os.fspath(link)
    try:
        return os.path.normpath(os.path.join(os.path.dirname(link), os.readlink(link)))
    except OSError:  # not a link: the store itself
        return os.path.realpath(link)


@contextmanager
def writer_lock(link: Path):
    """One writer of the store at a time, across processes (builds, imports, the service's updates)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    with open(link.parent / f".{link.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_version(link: Path, fill, start_from: ox.Store | None = None, load: Path | None = None) -> Path:
    """Make a store version beside `link` and publish it: a copy of `start_from` (or an empty store,
    bulk-loaded with the N-Quads file `load` if given) that `fill(store)` then changes. The caller
    holds the writer lock; a failure publishes nothing."""
    versions = link.parent / f"{link.name}.versions"
    versions.mkdir(parents=True, exist_ok=True)
    staging = versions / f".staging-{uuid.uuid4().hex}"
    try:
        if start_from is not None:
            start_from.backup(str(staging))
        elif load is not None:
            bulkload.load(staging, load)
        store = ox.Store(str(staging))
        fill(store)
        store.flush()
        del store
        target = versions / uuid.uuid4().hex[:16]
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    publish(link, target)
    return target


def install(nquads: Path, link: Path) -> Path:
    """Load the dataset into a fresh version beside `link`, then point `link` at it.

    Graphs of the previous version that the build does not make (written through updates, or
    imported) are carried over, so a rebuild of the sources loses none of them. `link` is replaced
    in one rename: a reader sees the old store or the new one, and a failed load changes nothing.
    """
    with writer_lock(link):
        return new_version(link, lambda store: _carry_over(link, store), load=nquads)


def replace_graphs(link: Path, nquads: bytes) -> Path:
    """Publish a new version in which each named graph of `nquads` holds exactly those quads.

    The rest of the store is carried over as it is; readers see the graphs before or after, never half.
    """
    incoming = {q.graph_name for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}

    def fill(store: ox.Store) -> None:
        for graph in incoming:
            store.remove_graph(graph)
        store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)

    with writer_lock(link):
        return new_version(link, fill, ox.Store.read_only(str(link.resolve())))


def _carry_over(link: Path, store: ox.Store) -> None:
    if not link.is_symlink() or not link.resolve().exists():
        return
    built = set(store.named_graphs())
    previous = ox.Store.read_only(str(link.resolve()))
    for graph in [*previous.named_graphs(), ox.DefaultGraph()]:
        if graph not in built:
            store.bulk_extend(previous.quads_for_pattern(None, None, None, graph))


def publish(link: Path, target: Path) -> None:
    """Point `link` at the store version `target` in one rename; readers see the old one or the new one."""
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a store link; move it away")
    tmp_link = link.parent / f".{link.name}.link-{os.getpid()}-{threading.get_ident()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(target.relative_to(link.parent))
    os.replace(tmp_link, link)
    _prune(target.parent, current=target)


def _prune(versions: Path, current: Path, keep: int = 3, grace_s: float = 120.0) -> None:
    """Drop old versions, but keep the newest few and any young enough that a query may still read it."""
    old = sorted((c for c in versions.iterdir() if c != current and not c.name.startswith(".")),
                 key=lambda c: c.stat().st_mtime, reverse=True)
    now = time.time()
    for child in old[keep - 1:]:
        if now - child.stat().st_mtime > grace_s:
            shutil.rmtree(child, ignore_errors=True)
