"""Sources parsed once and kept in build/cache/ until they change.

The ontology and the shapes change rarely, and parsing them (and naming the ontology's blank nodes
canonically) was a good part of every validation; so was rdflib's JSON-LD parse of the case files (half
of reading the sources), of which an editor changes one at a time. An entry is keyed by the bytes parsed
and rdflib's version, so an edited file is always read afresh; a missing, unreadable or unwritable cache
only costs time.
"""
import hashlib
import os
import pickle
from pathlib import Path

import rdflib
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from kg import paths

CACHE_DIR = paths.BUILD_DIR / "cache"


def canonical(g: Graph) -> Graph:
    """The graph with its blank nodes named by their content: the same file always gives the same names."""
    if not any(isinstance(term, BNode) for triple in g for term in triple):
        return g
    out = Graph()
    out += to_canonical_graph(g)
    return out


def turtle(path: Path, canonical_bnodes: bool = True) -> Graph:
    """The graph of a Turtle file (its blank nodes named canonically, unless told not to), from the cache
    when the file is unchanged."""
    # The base IRI is the one that parsing the file itself would give.
    return parsed(path.stem, path.read_bytes(), "turtle", path.resolve().as_uri(), canonical_bnodes)


def parsed(name: str, data: bytes, fmt: str, base: str | None = None, canonical_bnodes: bool = False) -> Graph:
    """The graph of `data` in the rdflib format `fmt`, from the cache when the same bytes were parsed before.
    `name` only names the entry, so that an edited source replaces its older one."""
    key = hashlib.sha256(f"{rdflib.__version__} {fmt} {base} {canonical_bnodes}\n".encode() + data).hexdigest()[:24]
    entry = CACHE_DIR / f"{name}-{key}.pickle"
    try:
        return pickle.loads(entry.read_bytes())
    except Exception:  # noqa: BLE001 - absent or unreadable: parse again
        pass
    g = Graph().parse(data=data, format=fmt, publicID=base)
    g = canonical(g) if canonical_bnodes else g
    _keep(entry, g)
    return g


def _keep(entry: Path, g: Graph) -> None:
    """Write the entry in one step (readers never see half of it) and drop the file's older ones."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        stem = entry.stem.rsplit("-", 1)[0]
        for old in entry.parent.glob(f"{stem}-*.pickle"):
            if old.stem.rsplit("-", 1)[0] == stem:
                old.unlink(missing_ok=True)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(entry)
    except OSError:
        pass
