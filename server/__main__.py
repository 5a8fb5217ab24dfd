"""`python -m server [--port N]`: serve with gunicorn, one worker per core."""
import argparse
import os
import sys

from kg.store import store_path


def main() -> int:
    p = argparse.ArgumentParser(prog="server", description="Gongzhi SPARQL service / 共治 SPARQL 服务")
    p.add_argument("--host", default=os.environ.get("GONGZHI_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("GONGZHI_PORT", 8808)))
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--threads", type=int, default=8,
                   help="threads per worker: they wait on query processes, so more threads than cores")
    args = p.parse_args()
    if not os.environ.get("GONGZHI_REMOTE_QUERY_URL") and not store_path().exists():
        print(f"no store at {store_path()}: run `make build` / 未找到存储，请先运行 `make build`", file=sys.stderr)
        return 2
    print(f"Gongzhi SPARQL endpoint / 共治 SPARQL 端点: http://{args.host}:{args.port}/sparql", flush=True)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}",
                               "--workers", str(args.workers), "--worker-class", "gthread",
                               "--threads", str(args.threads), "--access-logfile", "-",
                               # GET queries from browsers can be long; longer ones should use POST.
                               "--limit-request-line", "8190",
                               "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms query=%({x-query-time}o)s',
                               "server.wsgi:app"])


if __name__ == "__main__":
    sys.exit(main())
