"""Command line of the knowledge graph: `python -m kg <command>`."""
import argparse
import sys
import time
from pathlib import Path

from kg import codegen, paths, turtle

# The other modules import kg/namespace.py, which `generate` writes: they are imported by the
# commands that use them, so that `kg generate` works even when the generated module is stale.


def _print_problems(result) -> None:
    for err in result.errors:
        print(f"ERROR {err}", file=sys.stderr)
    for violation in result.violations:
        print(f"VIOLATION {violation}", file=sys.stderr)
    total = len(result.errors) + len(result.violations)
    print(f"{total} 个问题 / {total} problem(s): nothing was written / 未写入任何内容", file=sys.stderr)


def cmd_generate(args) -> int:
    g = codegen.load_ontology()
    stale = [str(p.relative_to(paths.ROOT)) for p, text in
             ((paths.NAMESPACE_MODULE, codegen.namespace_module(g)), (paths.CONTEXT, codegen.render_context(g)))
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for name in stale:
            print(f"{name} 已过期 / is out of date: run `make generate`", file=sys.stderr)
        return 1 if stale else 0
    changed = codegen.generate()
    print("updated / 已更新: " + (", ".join(changed) if changed else "nothing / 无"))
    return 0


def _case_paths(args) -> list[Path] | None:
    return sorted(Path(args.cases).glob("*.yaml")) if args.cases else None


def cmd_fmt(args) -> int:
    if args.check:
        stale = turtle.stale()
        for path in stale:
            print(f"{path.relative_to(paths.ROOT)} 不是规范格式 / is not canonical: run `make fmt`", file=sys.stderr)
        return 1 if stale else 0
    changed = turtle.rewrite()
    print("rewritten / 已重写: " + (", ".join(str(p.relative_to(paths.ROOT)) for p in changed) or "nothing / 无"))
    return 0


def cmd_validate(args) -> int:
    from kg import build as build_mod

    started = time.perf_counter()
    result, _ = build_mod.check(_case_paths(args))
    if not result.ok:
        _print_problems(result)
        return 1
    print(f"conforms / 通过: {result.quads} quads, {time.perf_counter() - started:.2f} s")
    return 0


def cmd_build(args) -> int:
    from kg import build as build_mod

    started = time.perf_counter()
    result = build_mod.build(Path(args.out), Path(args.store) if args.store else None, load=not args.no_load,
                             case_paths=_case_paths(args))
    if not result.ok:
        _print_problems(result)
        return 1
    where = f", store / 存储: {result.store}" if result.store else ""
    print(f"built / 已构建: {result.nquads} ({result.quads} quads){where}, {time.perf_counter() - started:.2f} s")
    return 0


def cmd_reason(args) -> int:
    from kg import dataset, reason
    from kg.cases import CaseFileError

    try:
        sources = dataset.load_sources()
    except CaseFileError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        report = reason.reason(sources.union())
    except reason.ReasonerFailed as exc:
        print(str(exc), file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if not report.consistent:
        print(f"INCONSISTENT / 不一致 (HermiT):\n{report.detail}", file=sys.stderr)
        return 1
    if report.unsatisfiable:
        print("unsatisfiable classes / 不可满足的类: " + ", ".join(report.unsatisfiable), file=sys.stderr)
        return 1
    print(f"consistent, no unsatisfiable class / 一致，无不可满足的类 (HermiT, {elapsed:.1f} s)")
    return 0


def cmd_expected(args) -> int:
    """Write queries/expected/ from the current store, for a person to review in the diff."""
    import pyoxigraph as ox

    from kg import catalogue, store

    handle = ox.Store.read_only(str(store.store_path().resolve()))
    catalogue.EXPECTED_DIR.mkdir(exist_ok=True)
    for query in catalogue.catalogue():
        if query.is_violation:
            continue
        results = handle.query(query.text, use_default_graph_as_union=True)
        query.expected_path.write_bytes(catalogue.answer_bytes(results))
        print(f"{query.expected_path.relative_to(paths.ROOT)}")
    return 0


def cmd_import(args) -> int:
    from kg import importer, store

    started = time.perf_counter()
    try:
        target, quads = importer.import_into_store(args.name, Path(args.sources), Path(args.store) if args.store
                                                   else store.store_path())
    except (ValueError, FileNotFoundError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    print(f"imported / 已导入: {args.name}, {quads} quads -> {target}, {time.perf_counter() - started:.1f} s")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Gongzhi knowledge graph / 共治知识图谱")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="generate kg/namespace.py and kg/context.jsonld from the ontology")
    g.add_argument("--check", action="store_true", help="only report whether they are up to date")
    g.set_defaults(func=cmd_generate)
    f = sub.add_parser("fmt", help="rewrite the ontology and shapes as canonical Turtle")
    f.add_argument("--check", action="store_true", help="only report files that are not canonical")
    f.set_defaults(func=cmd_fmt)
    v = sub.add_parser("validate", help="validate ontology and cases with SHACL and violation queries")
    v.add_argument("--cases", help="folder of case files (default kg/cases)")
    v.set_defaults(func=cmd_validate)
    b = sub.add_parser("build", help="build, validate and load the store")
    b.add_argument("--out", default=str(paths.DATASET), help="N-Quads output file")
    b.add_argument("--store", help="store link path (default $GONGZHI_STORE or var/store)")
    b.add_argument("--no-load", action="store_true", help="write the dataset file only")
    b.add_argument("--cases", help="folder of case files (default kg/cases)")
    b.set_defaults(func=cmd_build)
    sub.add_parser("expected", help="write queries/expected/ from the store's answers").set_defaults(
        func=cmd_expected)
    i = sub.add_parser("import", help="import an external dataset into its own graph (graph/import/NAME)")
    i.add_argument("name", help="the dataset: the name of its mapping in kg/mappings/ (china-admin-divisions)")
    i.add_argument("--sources", default=str(paths.SHARED / "external" / "china-admin-divisions"),
                   help="folder of the source files")
    i.add_argument("--store", help="store link path (default $GONGZHI_STORE or var/store)")
    i.set_defaults(func=cmd_import)
    sub.add_parser("reason", help="check consistency with HermiT").set_defaults(func=cmd_reason)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
