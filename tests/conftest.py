"""Shared fixtures: a store built from the real sources, and live server processes over it."""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg import build, cases, importer, paths, store
from kg.remote import RemoteStore

FIXTURES = Path(__file__).parent / "fixtures"
VIRTUOSO_SCRIPT = paths.ROOT / "scripts" / "virtuoso.sh"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The store as `make build` leaves it: ontology, cases and links built, every dataset imported.

    `nquads` is the build's own file (sources only); `full` is a dump of the whole store, for the
    stores that load files (Virtuoso); `store` is the published version.
    """
    root = tmp_path_factory.mktemp("build")
    link = root / "store"
    result = build.build(root / "gongzhi.nq", link)
    assert result.ok, [str(p) for p in result.errors + result.violations]
    importer.ensure_engine()
    for name in importer.SOURCES:
        importer.import_into_store(name, None, link)
    result.store = link.resolve()
    result.full = root / "full.nq"
    ox.Store.read_only(str(result.store)).dump(output=str(result.full), format=ox.RdfFormat.N_QUADS)
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(built, workers: int = 2, **settings):
    """A real server process (Granian, as `make run` starts it) on a free port; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "GONGZHI_STORE": str(built.nquads.parent / "store"), **settings}
    # The access log goes to a file: a pipe nobody reads would fill up and block the server.
    log = built.nquads.parent / f"server-{port}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "server", "--port", str(port), "--workers", str(workers)],
                                cwd=paths.ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/health", timeout=5).ok:
                break
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            output = log.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"server did not start:\n{output}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(built):
    with running_server(built) as base:
        yield base


@pytest.fixture(scope="session")
def limited_server(built, server):
    """A server with tight limits, allowed to federate with the main test server (on loopback)."""
    with running_server(built, GONGZHI_QUERY_TIMEOUT="2", GONGZHI_MAX_ROWS="1000", GONGZHI_MAX_TRIPLES="2000",
                        GONGZHI_MAX_BODY="20000",
                        GONGZHI_SERVICE_ALLOW=f"{server}/", GONGZHI_SERVICE_ALLOW_PRIVATE="1") as base:
        yield base


TOKEN = "test-token-for-writes"


def copy_of_store(built, root: Path) -> Path:
    """A copy of the built store published at root/store (for tests that change it); the link."""
    versions = root / "store.versions"
    shutil.copytree(built.store, versions / built.store.name)
    store.publish(root / "store", versions / built.store.name)
    return root / "store"


def copy_of_build(built, root: Path) -> build.BuildResult:
    """The build with its store copied under root: a server over it may be written to."""
    return build.BuildResult(nquads=root / "gongzhi.nq", store=copy_of_store(built, root).resolve())


@pytest.fixture(scope="session")
def writable_server(built, tmp_path_factory):
    """A server that takes updates with TOKEN, over its own copy of the store (writes must not leak)."""
    root = tmp_path_factory.mktemp("writable")
    with running_server(copy_of_build(built, root), GONGZHI_UPDATE_TOKENS=TOKEN) as base:
        yield base


def _free_port_pair() -> int:
    """A port P with P and P+1 free on loopback (HTTP and SQL)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no two consecutive free ports")


def virtuoso_script(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(VIRTUOSO_SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def started_virtuoso(built, root):
    """A fresh Virtuoso with the built dataset loaded; yields a RemoteStore over it, then stops it."""
    port = _free_port_pair()
    try:
        run = virtuoso_script("start", root, port)
        assert run.returncode == 0, f"scripts/virtuoso.sh start failed:\n{run.stdout}{run.stderr}"
        base = f"http://127.0.0.1:{port}"
        store = RemoteStore(f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud")
        store.loaded = store.load_dataset(built.full)
        yield store
    finally:
        stop = virtuoso_script("stop", root, timeout=60)
        assert stop.returncode == 0, stop.stderr


@pytest.fixture(scope="session")
def virtuoso(built, tmp_path_factory):
    """Virtuoso holding exactly the built dataset: for the tests that read."""
    with started_virtuoso(built, tmp_path_factory.mktemp("virtuoso")) as remote:
        yield remote


@pytest.fixture(scope="session")
def virtuoso_scratch(built, tmp_path_factory):
    """A second Virtuoso, for the tests that write."""
    with started_virtuoso(built, tmp_path_factory.mktemp("virtuoso-scratch")) as remote:
        yield remote


@pytest.fixture(scope="session")
def virtuoso_server(built, virtuoso):
    """The service in remote-store mode, over the Virtuoso that `virtuoso` started and loaded."""
    with running_server(built, GONGZHI_REMOTE_QUERY_URL=virtuoso.query_url,
                        GONGZHI_REMOTE_UPDATE_URL=virtuoso.update_url,
                        GONGZHI_REMOTE_GSP_URL=virtuoso.graph_store_url) as base:
        yield base


@pytest.fixture(scope="session")
def virtuoso_writable_server(built, virtuoso_scratch):
    """The service in remote-store mode over its own Virtuoso, taking updates with TOKEN."""
    remote = virtuoso_scratch
    with running_server(built, GONGZHI_REMOTE_QUERY_URL=remote.query_url, GONGZHI_REMOTE_UPDATE_URL=remote.update_url,
                        GONGZHI_REMOTE_GSP_URL=remote.graph_store_url, GONGZHI_UPDATE_TOKENS=TOKEN) as base:
        yield base


@pytest.fixture
def real_cases():
    return cases.case_files()


EDITOR, EDITOR_PASSWORD = "wang", "editor-pass-1"
REVIEWER, REVIEWER_PASSWORD = "li", "reviewer-pass-1"


@contextlib.contextmanager
def editing_server(root: Path):
    """A server with editing on, over its own working copy of the sources (the repository's are never
    touched) and a store built from that copy; yields (base URL, source root)."""
    for rel in ("ontology", "kg/cases", "kg/links"):
        shutil.copytree(paths.ROOT / rel, root / rel)
    for rel in ("kg/context.jsonld", "kg/namespace.py"):
        shutil.copy2(paths.ROOT / rel, root / rel)
    env = {**os.environ, "GONGZHI_SOURCES": str(root)}
    run = subprocess.run([sys.executable, "-m", "kg", "build", "--store", str(root / "build" / "store")],
                         cwd=paths.ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    from kg import accounts  # noqa: PLC0415

    accounts.add(root / "accounts.yaml", EDITOR, "editor", EDITOR_PASSWORD)
    accounts.add(root / "accounts.yaml", REVIEWER, "reviewer", REVIEWER_PASSWORD)
    with running_server(build.BuildResult(nquads=root / "build" / "gongzhi.nq"), GONGZHI_SOURCES=str(root),
                        GONGZHI_ACCOUNTS_FILE=str(root / "accounts.yaml"),
                        GONGZHI_SECRET_KEY="test-secret-key") as base:
        yield base, root


@pytest.fixture
def files(tmp_path):
    """A copy of the three ontology files, for the tests that write them (CSV and Protégé round trips)."""
    from kg.ontofiles import OntologyFiles  # noqa: PLC0415

    folder = tmp_path / "ontology"
    folder.mkdir()
    for source in paths.ONTOLOGY_SOURCES:
        shutil.copy(source, folder / source.name)
    return OntologyFiles.in_dir(folder)


def answer_difference(expected: list[tuple], actual: list[tuple]) -> str:
    """The rows one answer has and the other lacks, for an assertion message: a store that answers
    differently once in many runs leaves the evidence in the log."""
    want, got = Counter(map(repr, expected)), Counter(map(repr, actual))
    missing, extra = list((want - got).elements()), list((got - want).elements())
    return (f"{len(expected)} rows expected, {len(actual)} answered; missing {len(missing)}: {missing[:10]}; "
            f"extra {len(extra)}: {extra[:10]}")
