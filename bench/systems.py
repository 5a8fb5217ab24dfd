"""The systems compared: each loads the dataset, answers queries, reports its load and memory, stops.

Every server runs on loopback, started and stopped here by its own process id.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import requests

from kg import paths, store
from kg.remote import RemoteStore

BENCH_VENV = paths.ROOT / "var" / "bench-venv"
VIRTUOSO_SCRIPT = paths.ROOT / "scripts" / "virtuoso.sh"
ACCEPT_SELECT = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples"
QUERY_TIMEOUT = 30  # seconds: a query that takes longer is reported as a timeout


class QueryTimeout(Exception):
    """The client gave up waiting for an answer."""


class BrokenAnswer(Exception):
    """A 200 whose body is not a whole answer: Oxigraph's server, stopping a query at its --timeout-s after the
    status line is sent, ends the body with "The SPARQL operation has been cancelled"."""


def check_answer(body: bytes, graph: bool) -> None:
    """Raise BrokenAnswer unless the body is a whole answer: SPARQL JSON results that parse, or N-Triples whose
    last line is a triple (a body cut short ends in a partial line or a message). Run off the clock."""
    if graph:
        last = body.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        try:
            list(ox.parse(last + b"\n", format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError:
            raise BrokenAnswer(f"not N-Triples at the end: {last[-120:].decode('utf-8', 'replace')}") from None
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        raise BrokenAnswer(f"not JSON: ...{body[-120:].decode('utf-8', 'replace')}") from None
    if "boolean" not in parsed and "bindings" not in parsed.get("results", {}):
        raise BrokenAnswer("JSON without results")


class Client:
    """A keep-alive HTTP client for one thread (http.client: 0.1 ms a request here, `requests` 1.4 ms,
    which would hide the differences between the servers)."""

    def __init__(self):
        self._conns: dict[tuple, http.client.HTTPConnection] = {}
        self.shared = 1  # the requests that the last answer's run answered (Gongzhi's X-Shared-Run), else 1

    def post(self, url: str, form: dict, headers: dict, timeout: float) -> tuple[int, bytes]:
        parts = urlsplit(url)
        key = (parts.hostname, parts.port)
        conn = self._conns.get(key)
        if conn is None:
            conn = self._conns[key] = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        try:
            conn.request("POST", parts.path or "/", urlencode(form),
                         {"Content-Type": "application/x-www-form-urlencoded", **headers})
            response = conn.getresponse()
            body = response.read()
            self.shared = int(response.getheader("X-Shared-Run") or 1)
            return response.status, body
        except TimeoutError:
            self.close()
            raise QueryTimeout() from None
        except (OSError, http.client.HTTPException):
            self.close()  # the next request opens a new connection
            raise

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()


@dataclass
class Load:
    seconds: float
    store_bytes: int | None
    peak_rss_bytes: int | None
    note: str = ""


def free_port(pair: bool = False) -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not pair:
            return port
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def tree_peak_rss(pid: int) -> int:
    """The peak resident memory (VmHWM) of a process and all its descendants, summed, in bytes."""
    total = 0
    for p in [pid] + [c for c in _descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _descendants(pid: int) -> list[int]:
    out, frontier = [], [pid]
    while frontier:
        nxt = [c for p in frontier for c in _children(p)]
        out += nxt
        frontier = nxt
    return out


def run_measured(cmd: list[str], **kwargs) -> tuple[float, int]:
    """Run a command to its end; return its wall time and its peak memory (polled VmHWM)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_peak_rss(proc.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    output = proc.stdout.read().decode("utf-8", "replace")
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    return elapsed, peak


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def wait_http(url: str, proc: subprocess.Popen | None, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5,
                            headers={"Accept": ACCEPT_SELECT}).status_code < 500:
                return
        except requests.RequestException:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{url} did not answer:\n{detail}")
        time.sleep(0.2)


def stop_process(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class System:
    """A system under test. HTTP systems set `url`; the in-process one overrides `query`."""

    name: str
    label: str
    mode: str
    work: Path
    url: str | None = None
    procs: list = field(default_factory=list)

    def start(self, data: Path) -> Load:
        raise NotImplementedError

    def peak_rss(self) -> int | None:
        return sum(tree_peak_rss(p.pid) for p in self.procs if p.poll() is None) or None

    def recover(self) -> None:
        """After a client gave up on a query: make sure the system no longer works on it."""

    def query(self, client: Client, text: str, graph: bool, fresh: bool = True,
              timeout: float = QUERY_TIMEOUT + 5) -> bytes:
        """Run one query to its last byte; return the answer. Raises on an error status.
        `fresh` asks for an answer computed now (Cache-Control: no-cache), not one kept from before."""
        headers = {"Accept": ACCEPT_GRAPH if graph else ACCEPT_SELECT}
        if fresh:
            headers["Cache-Control"] = "no-cache"
        status, body = client.post(self.url, {"query": text}, headers, timeout)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
        return body

    def stop(self) -> None:
        for proc in reversed(self.procs):
            stop_process(proc)
        self.procs.clear()

    def _spawn(self, cmd: list[str], log_name: str, env=None) -> subprocess.Popen:
        log = self.work / log_name
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, cwd=paths.ROOT, env=env)
        self.procs.append(proc)
        return proc


def _gongzhi_server(system: System, env: dict) -> None:
    """The real service (`python -m server`, its defaults: Granian, one worker for the embedded store, one a core
    for a remote one) over HTTP."""
    port = free_port()
    proc = system._spawn([sys.executable, "-m", "server", "--port", str(port)], "server.log",
                         env={**os.environ, "GONGZHI_QUERY_TIMEOUT": str(QUERY_TIMEOUT), **env})
    system.url = f"http://127.0.0.1:{port}/sparql"
    wait_http(system.url, proc, 60, system.work / "server.log")


class Embedded(System):
    """Gongzhi's service over its embedded Oxigraph store, loaded as `kg build` loads (store.install)."""

    def start(self, data: Path) -> Load:
        link = self.work / "store"
        code = ("import sys; from pathlib import Path; from kg import store; "
                "store.install(Path(sys.argv[1]), Path(sys.argv[2]))")
        seconds, peak = run_measured([sys.executable, "-c", code, str(data), str(link)], cwd=paths.ROOT)
        self.store_dir = link.resolve()
        _gongzhi_server(self, {"GONGZHI_STORE": str(link)})
        return Load(seconds, dir_bytes(self.store_dir), peak, "pyoxigraph bulk_load into a new version, then link swap")


class InProcess(System):
    """The engine itself, pyoxigraph in this process, over the embedded system's store: no HTTP."""

    def __init__(self, *args, store_dir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = ox.Store.read_only(str(store_dir))

    def start(self, data: Path) -> Load:
        return Load(0.0, None, None, "opens the embedded system's store")

    def peak_rss(self) -> int | None:
        return None

    def query(self, client, text: str, graph: bool, fresh: bool = True, timeout: float = 0) -> bytes:
        result = self.store.query(text, use_default_graph_as_union=True)
        if graph:
            return result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return result.serialize(format=ox.QueryResultsFormat.JSON)


class Virtuoso(System):
    """Gongzhi's service in remote-store mode over Virtuoso (scripts/virtuoso.sh), loaded with load_dataset."""

    def start(self, data: Path) -> Load:
        port = free_port(pair=True)
        self.vdir = self.work / "virtuoso"
        run = subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "start", str(self.vdir), str(port)],
                             capture_output=True, text=True, timeout=900)
        if run.returncode:
            raise RuntimeError(f"virtuoso.sh start failed:\n{run.stdout}{run.stderr}")
        self.started = True
        base = f"http://127.0.0.1:{port}"
        remote = RemoteStore(f"{base}/sparql", f"{base}/sparql", f"{base}/sparql-graph-crud")
        started = time.perf_counter()
        remote.load_dataset(data)
        requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=60)
        seconds = time.perf_counter() - started
        _checkpoint(self.vdir, port + 1)
        pid = int((self.vdir / "virtuoso.pid").read_text().strip())
        peak = tree_peak_rss(pid)
        _gongzhi_server(self, {"GONGZHI_REMOTE_QUERY_URL": remote.query_url,
                               "GONGZHI_REMOTE_UPDATE_URL": remote.update_url,
                               "GONGZHI_REMOTE_GSP_URL": remote.graph_store_url})
        self.virtuoso_pid = pid
        return Load(seconds, dir_bytes(self.vdir / "db"), peak,
                    "RemoteStore.load_dataset (Graph Store PUT per graph, 50k-triple parts), size after checkpoint")

    def peak_rss(self) -> int | None:
        return (super().peak_rss() or 0) + tree_peak_rss(self.virtuoso_pid)

    def stop(self) -> None:
        super().stop()
        if getattr(self, "started", False):
            subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(self.vdir)], capture_output=True, timeout=120)
            self.started = False


def _checkpoint(vdir: Path, sql_port: int) -> None:
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", "exec=checkpoint;"], capture_output=True,
                   timeout=300, cwd=vdir)


class RdflibEndpoint(System):
    """rdflib-endpoint (FastAPI + rdflib's in-memory Dataset, union default graph), one uvicorn process."""

    def start(self, data: Path) -> Load:
        self.data = data
        port = free_port()
        started = time.perf_counter()
        proc = self._spawn([str(BENCH_VENV / "bin" / "rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                            "--port", str(port), str(data)], "rdflib-endpoint.log")
        self.url = f"http://127.0.0.1:{port}/"
        wait_http(self.url, proc, 3600, self.work / "rdflib-endpoint.log")
        return Load(time.perf_counter() - started, None, tree_peak_rss(proc.pid),
                    "parse into memory at start-up (time to first answer)")

    def recover(self) -> None:
        # A synchronous rdflib query cannot be cancelled: the process is restarted (not timed).
        self.stop()
        self.start(self.data)


class OxigraphServer(System):
    """Oxigraph's own Rust server (PyPI `oxigraph`): `oxigraph load`, then `serve-read-only`."""

    def start(self, data: Path) -> Load:
        location = self.work / "oxigraph"
        shutil.rmtree(location, ignore_errors=True)
        binary = str(BENCH_VENV / "bin" / "oxigraph")
        seconds, peak = run_measured([binary, "load", "--location", str(location), "--file", str(data)])
        port = free_port()
        proc = self._spawn([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                            "--union-default-graph", "--timeout-s", str(QUERY_TIMEOUT)], "oxigraph.log")
        self.url = f"http://127.0.0.1:{port}/query"
        wait_http(self.url, proc, 60, self.work / "oxigraph.log")
        return Load(seconds, dir_bytes(location), peak, "`oxigraph load` (bulk loader)")


KINDS = {
    "embedded": (Embedded, "Gongzhi, embedded Oxigraph", "HTTP to the service (Granian, 1 worker × 64 threads; "
                                                         "each query in a killable child process, "
                                                         "as many at once as cores (query slots), "
                                                         "identical queries waiting together run once; "
                                                         "a lookup of one subject in the worker)"),
    "inprocess": (InProcess, "pyoxigraph in-process", "no HTTP: Store.query in the benchmark's process, "
                                                      "answer serialized (JSON / N-Triples)"),
    "virtuoso": (Virtuoso, "Gongzhi on Virtuoso", "HTTP to the service in remote-store mode (Granian, "
                                                  "a worker a core × 64 threads), which forwards "
                                                  "to Virtuoso's /sparql over loopback HTTP"),
    "rdflib-endpoint": (RdflibEndpoint, "rdflib-endpoint", "HTTP to uvicorn (1 process)"),
    "oxigraph-server": (OxigraphServer, "Oxigraph server", "HTTP to `oxigraph serve-read-only` "
                                                           "(--union-default-graph)"),
}
ORDER = ("embedded", "inprocess", "virtuoso", "rdflib-endpoint", "oxigraph-server")
