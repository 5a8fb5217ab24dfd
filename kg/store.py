"""The embedded Oxigraph store: built aside, swapped in atomically, opened read-only to serve."""
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg import paths

DEFAULT_STORE = paths.ROOT / "var" / "store"


def store_path() -> Path:
    """The store location: $GONGZHI_STORE, else var/store in the repository."""
    return Path(os.environ.get("GONGZHI_STORE", DEFAULT_STORE))


def install(nquads: Path, link: Path) -> Path:
    """Load the dataset into a fresh directory beside `link`, then point `link` at it.

    `link` is a symbolic link replaced in one rename, so a reader sees the old store or the new
    one, never a half-loaded one; a failed load leaves the old store as it was.
    """
    data = nquads.read_bytes()
    versions = link.parent / f"{link.name}.versions"
    versions.mkdir(parents=True, exist_ok=True)
    target = versions / hashlib.sha256(data).hexdigest()[:16]
    if not target.exists():
        staging = versions / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            store = ox.Store(str(staging))
            store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    publish(link, target)
    return target


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


class Store(Protocol):
    """The narrow interface between the service and a store: an embedded Oxigraph or a remote one.

    Query results are pyoxigraph's result objects (or objects with the same `serialize` and
    iteration), so the service negotiates formats the same way whatever the store.
    """

    def query(self, sparql: str, default_graph=None, named_graphs=None):
        """Run a query; with no dataset given, the default graph is the union of the named graphs."""

    def graph_names(self) -> list[str]:
        """The named graphs, as IRIs."""

    def __len__(self) -> int:
        """The number of quads."""


class OxigraphStore:
    """Read-only access to a built store; queries see the union of the named graphs by default."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._store = ox.Store.read_only(str(self.path.resolve()))

    def query(self, sparql: str, default_graph=None, named_graphs=None):
        """Run a SPARQL query. Without a dataset in the request, the default graph is the union."""
        if default_graph is None and named_graphs is None:
            return self._store.query(sparql, use_default_graph_as_union=True)
        return self._store.query(sparql, default_graph=default_graph, named_graphs=named_graphs)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def __len__(self) -> int:
        return len(self._store)
