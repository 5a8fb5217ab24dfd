"""The embedded Oxigraph store on disk: versions built aside and published by swapping a link."""
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

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
