"""Command line of the knowledge graph: `python -m kg <command>`."""
import argparse
import os
import sys
import time
from pathlib import Path

from kg import paths, turtle

# The other modules import kg/namespace.py, which `codegen` writes: they are imported by the
# commands that use them, so that `kg codegen` works even when the generated module is stale.


def _print_problems(result) -> None:
    for err in result.errors:
        print(f"ERROR {err}", file=sys.stderr)
    for violation in result.violations:
        print(f"VIOLATION {violation}", file=sys.stderr)
    total = len(result.errors) + len(result.violations)
    print(f"{total} 个问题 / {total} problem(s): nothing was written / 未写入任何内容", file=sys.stderr)


def cmd_codegen(args) -> int:
    from kg import codegen  # parses the ontology when imported: only the commands that use it pay

    g = codegen.load_ontology()
    stale = [str(p.relative_to(paths.SOURCE_ROOT)) for p, text in
             ((paths.NAMESPACE_MODULE, codegen.namespace_module(g)), (paths.CONTEXT, codegen.render_context(g)))
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for name in stale:
            print(f"{name} 已过期 / is out of date: run `make codegen`", file=sys.stderr)
        return 1 if stale else 0
    changed = codegen.generate()
    print("updated / 已更新: " + (", ".join(changed) if changed else "nothing / 无"))
    return 0


def cmd_generate(args) -> int:
    """A large governance graph with the shape of the real one (kg/synthetic.py), for benchmarks."""
    from kg import synthetic

    try:
        triples = synthetic.parse_size(args.triples)
    except ValueError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    out = Path(args.out or paths.BUILD_DIR / f"synthetic-{args.triples}-{args.seed}.nq")
    started = time.perf_counter()
    count = synthetic.write(out, triples, args.seed)
    print(f"generated / 已生成: {count} quads -> {out}, seed {args.seed}, {time.perf_counter() - started:.1f} s")
    return 0


def _case_paths(args) -> list[Path] | None:
    return sorted(Path(args.cases).glob("*.yaml")) if args.cases else None


def cmd_fmt(args) -> int:
    if args.check:
        stale = turtle.stale()
        for path in stale:
            print(f"{path.relative_to(paths.SOURCE_ROOT)} 不是规范格式 / is not canonical: run `make fmt`", file=sys.stderr)
        return 1 if stale else 0
    changed = turtle.rewrite()
    print("rewritten / 已重写: " + (", ".join(str(p.relative_to(paths.SOURCE_ROOT)) for p in changed) or "nothing / 无"))
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

    if bool(args.name) == args.all or (args.all and args.sources):
        print("ERROR give one dataset name, or --all without --sources / 请给出一个数据集名称，或只用 --all; "
              f"known / 已知: {', '.join(importer.SOURCES)}", file=sys.stderr)
        return 1
    link = Path(args.store) if args.store else store.store_path()
    # One store swap per dataset: each graph is replaced whole, and a later failure keeps the earlier ones.
    for name in importer.SOURCES if args.all else [args.name]:
        if not _import_one(importer, name, Path(args.sources) if args.sources else None, link):
            return 1
    return 0


def _import_one(importer, name: str, sources: Path | None, link: Path) -> bool:
    started = time.perf_counter()
    try:
        target, quads = importer.import_into_store(name, sources, link)
    except (ValueError, FileNotFoundError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return False
    print(f"imported / 已导入: {name}, {quads} quads -> {target}, {time.perf_counter() - started:.2f} s")
    return True


def cmd_link(args) -> int:
    from kg import link, sssom, store

    link_path = Path(args.store) if args.store else store.store_path()
    try:
        if args.action == "propose":
            return _link_propose(link, link_path, args)
        if args.action == "evaluate":
            return _link_evaluate(link, link_path, args)
        if not args.reviewer:
            print("ERROR --reviewer is required to accept or reject / 接受或拒绝须给出 --reviewer", file=sys.stderr)
            return 1
        done = link.review(args.subjects, args.action == "accept", args.reviewer, args.reviewer_label or "",
                           args.comment or "")
    except (LookupError, sssom.SSSOMError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    verb = "accepted / 已接受" if args.action == "accept" else "rejected / 已拒绝"
    for m in done:
        print(f"{verb}: {m.subject_id} ({m.subject_label}) -> {m.object_id} ({m.object_label})")
    return _install_links(link_path)


def _install_links(link_path: Path) -> int:
    """Put the links graph, rebuilt from the files, into the store (when there is one)."""
    from kg import dataset, linkset, store

    if not link_path.exists():
        return 0
    g = linkset.links_graph(dataset.load_sources().union())
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} <{dataset.LINKS_GRAPH}> .\n" for s, p, o in g)
    target = store.replace_graphs(link_path, "".join(lines).encode("utf-8"))
    print(f"links graph / 链接图: {len(g)} triples -> {target}")
    return 0


def _link_propose(link, link_path: Path, args) -> int:
    started = time.perf_counter()
    outcome = link.run_proposals(link_path, args.dataset, Path(args.out))
    for m in outcome.proposals:
        print(f"{m.confidence}  {m.subject_id} ({m.subject_label}) -> {m.object_id} ({m.object_label}): {m.comment}")
    for place, codes in outcome.ambiguous.items():
        print(f"ambiguous / 有歧义, not proposed: {place}: {', '.join(codes)}")
    print(f"{len(outcome.proposals)} proposal(s) / 条候选链接 -> {args.out}, {time.perf_counter() - started:.2f} s")
    return 0


def _link_evaluate(link, link_path: Path, args) -> int:
    """Precision and recall of fresh proposals (nothing decided taken into account) on the gold set."""
    import pyoxigraph as ox

    handle = ox.Store.read_only(str(link_path.resolve()))
    divisions = link.load_divisions(handle, args.dataset)
    outcome = link.propose(link.load_places(handle), divisions, [], set())
    score = link.evaluate(outcome.links, divisions, link.read_gold())
    print(f"precision / 精确率 {score.precision:.3f} ({score.true_positives}/{score.proposed}), "
          f"recall / 召回率 {score.recall:.3f} ({score.true_positives}/{score.gold_positives})")
    for line in score.wrong + score.missed:
        print(f"  {line}")
    return 0 if not score.wrong and not score.missed else 1


def cmd_qc(args) -> int:
    """The ontology's quality report (queries/qc/); exit 1 if a check of severity error finds anything."""
    from kg import qc
    from kg.cases import CaseFileError

    try:
        store = qc.load([Path(f) for f in args.ontology] if args.ontology else None,
                        [Path(f) for f in args.data] if args.data else None)
    except (CaseFileError, OSError, SyntaxError, ValueError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    checked = qc.checks()
    findings = qc.run(store, checked)
    if args.format == "tsv":
        sys.stdout.write(qc.tsv_report(findings))
    elif args.format == "json":
        sys.stdout.write(qc.json_report(findings, checked))
    else:
        sys.stdout.write(qc.text_report(findings, checked))
    return 1 if qc.errors(findings) else 0


def cmd_docs(args) -> int:
    """The ontology's HTML documentation (pyLODE), in English and Chinese."""
    from kg import docs

    started = time.perf_counter()
    written = docs.build(Path(args.out))
    print("written / 已生成: " + ", ".join(str(p) for p in written) + f", {time.perf_counter() - started:.1f} s")
    return 0


def cmd_gate(args) -> int:
    """The check an edit must pass (kg/edits.py runs it on a scratch copy): JSON problems on stdout."""
    import json

    from kg import gate

    problems = gate.check(reason=args.reason)
    print(json.dumps({"problems": [p.__dict__ for p in problems]}, ensure_ascii=False))
    return 1 if problems else 0


def _ontology_files(args):
    from kg.ontofiles import OntologyFiles

    return OntologyFiles.in_dir(Path(args.dir)) if args.dir else OntologyFiles()


def _after_import(files, written, warnings) -> None:
    """Report what an import wrote; regenerate kg/namespace.py and kg/context.jsonld from the repository's files."""
    for warning in warnings:
        print(f"WARNING {warning}", file=sys.stderr)
    if not written:
        print("nothing to change / 无需修改")
        return
    print("written / 已写入: " + ", ".join(str(p) for p in written))
    if files.is_repository():
        from kg import codegen

        changed = codegen.generate()
        print("updated / 已更新: " + (", ".join(changed) if changed else "nothing / 无"))


def cmd_terms(args) -> int:
    """The ontology's terms as a spreadsheet (CSV), and a sheet applied back."""
    from kg import terms
    from kg.ontofiles import FilesChanged

    files = _ontology_files(args)
    try:
        if args.action == "export":
            Path(args.file).parent.mkdir(parents=True, exist_ok=True)
            count = terms.export(Path(args.file), files, template_row=args.template_row)
            print(f"exported / 已导出: {count} terms / 个术语 -> {args.file}")
            return 0
        result = terms.apply(Path(args.file), files)
    except terms.SheetError as exc:
        print(str(exc), file=sys.stderr)
        print(f"{len(exc.errors)} 个错误 / error(s): nothing was written / 未写入任何内容", file=sys.stderr)
        return 1
    except terms.ChecksFailed as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print("the ontology from this sheet fails the checks: nothing was written / 本表格生成的本体未通过检查，"
              "未写入任何内容", file=sys.stderr)
        return 1
    except (terms.TermsError, FilesChanged) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    for name in result.added:
        print(f"added / 新增: {name}")
    for name, column in result.changed:
        print(f"changed / 修改: {name} {column}")
    print("terms not in the sheet are kept as they are (retire a term with deprecated = true) / "
          "表格中没有的术语保持不变（弃用术语请将 deprecated 设为 true）")
    _after_import(files, result.written, result.warnings)
    return 0


def cmd_protege(args) -> int:
    """The ontology as one RDF/XML file for Protégé, and a file saved by Protégé brought back."""
    from kg import protege
    from kg.ontofiles import FilesChanged

    files = _ontology_files(args)
    if args.action == "export":
        out = Path(args.out or paths.BUILD_DIR / "gongzhi.owl")
        out.parent.mkdir(parents=True, exist_ok=True)
        count = protege.export(out, files)
        print(f"exported / 已导出: {count} triples / 个三元组 -> {out} (RDF/XML, open it in Protégé / 可用 Protégé 打开)")
        return 0
    if not args.file:
        print("ERROR give the file saved by Protégé / 请给出 Protégé 保存的文件", file=sys.stderr)
        return 1
    try:
        result = protege.apply(Path(args.file), files)
    except protege.ProtegeFileError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        print("nothing was written / 未写入任何内容", file=sys.stderr)
        return 1
    except FilesChanged as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    for triple, reason in result.dropped:
        print(f"dropped / 已去除 ({reason}): {triple}")
    for path in files.all():
        if result.added.get(path) or result.removed.get(path):
            print(f"{path.name}: +{result.added[path]} -{result.removed[path]} statements / 条陈述")
    _after_import(files, result.written, result.warnings)
    return 0


def cmd_account(args) -> int:
    from kg import accounts

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else __import__("getpass").getpass(
        "password / 密码: ")
    try:
        accounts.add(Path(args.file), args.name, args.role, password)
    except ValueError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    print(f"account / 账户: {args.name} ({args.role}) -> {args.file}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Gongzhi knowledge graph / 共治知识图谱")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("codegen", help="generate kg/namespace.py and kg/context.jsonld from the ontology")
    c.add_argument("--check", action="store_true", help="only report whether they are up to date")
    c.set_defaults(func=cmd_codegen)
    g = sub.add_parser("generate", help="write a large synthetic governance graph (real divisions, generated "
                                        "communities, committees, services, transfers, policies) as N-Quads")
    g.add_argument("--triples", required=True, help="size: 100k, 1M, 10M (or any count such as 20k)")
    g.add_argument("--seed", type=int, default=0, help="random seed (same size and seed: same bytes)")
    g.add_argument("--out", help="N-Quads file (default build/synthetic-SIZE-SEED.nq)")
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
    i.add_argument("name", nargs="?", help="the dataset, as registered in kg/importer.py (china-admin-divisions, "
                                           "cpsv-ap-example, cpov-example)")
    i.add_argument("--all", action="store_true", help="import every registered dataset")
    i.add_argument("--sources", help="folder of the source files (default: the dataset's folder in ../shared/external)")
    i.add_argument("--store", help="store link path (default $GONGZHI_STORE or var/store)")
    i.set_defaults(func=cmd_import)
    k = sub.add_parser("link", help="propose, review and evaluate links from the case places to an imported dataset")
    k.add_argument("action", choices=["propose", "accept", "reject", "evaluate"],
                   help="propose: write kg/links/proposals.sssom.tsv; accept/reject: move proposals to "
                        "kg/links/accepted|rejected.sssom.tsv; evaluate: precision and recall on the gold set")
    k.add_argument("subjects", nargs="*", default=["all"], help="places to accept or reject (CURIEs such as "
                                                               "gzd:suzhou), default all")
    k.add_argument("--dataset", default="china-admin-divisions", help="the imported dataset to link to")
    k.add_argument("--out", default=str(paths.LINKS_DIR / "proposals.sssom.tsv"), help="proposals file")
    k.add_argument("--reviewer", help="who decides, as a CURIE or IRI (gzuser:NAME, an ORCID IRI)")
    k.add_argument("--reviewer-label", help="the reviewer's name")
    k.add_argument("--comment", help="why")
    k.add_argument("--store", help="store link path (default $GONGZHI_STORE or var/store)")
    k.set_defaults(func=cmd_link)
    gt = sub.add_parser("gate", help="the check an edit must pass, as JSON (used by the editor on a scratch copy)")
    gt.add_argument("--reason", action="store_true", help="also run HermiT (the ontology changed)")
    gt.set_defaults(func=cmd_gate)
    ac = sub.add_parser("account", help="add or replace an editor account (password from stdin)")
    ac.add_argument("name")
    ac.add_argument("--role", choices=["editor", "reviewer"], required=True)
    ac.add_argument("--file", default=os.environ.get("GONGZHI_ACCOUNTS_FILE") or str(paths.ROOT / "var" / "accounts.yaml"))
    ac.set_defaults(func=cmd_account)
    sub.add_parser("reason", help="check consistency with HermiT").set_defaults(func=cmd_reason)
    q = sub.add_parser("qc", help="ontology quality report (queries/qc/): missing labels or definitions, duplicate "
                                  "labels, deprecated terms in use (errors: exit 1); unused classes and properties "
                                  "(warnings)")
    q.add_argument("--ontology", nargs="+", metavar="FILE",
                   help="ontology files to check instead of ontology/gongzhi.ttl, concepts.ttl, alignment.ttl")
    q.add_argument("--data", nargs="+", metavar="FILE",
                   help="data instead of the dataset built from kg/cases (N-Quads or TriG keep their graphs, such "
                        "as build/gongzhi.nq; other RDF files are one case graph each)")
    q.add_argument("--format", choices=["text", "tsv", "json"], default="text", help="report format (default text)")
    q.set_defaults(func=cmd_qc)
    d = sub.add_parser("docs", help="HTML documentation of the ontology with pyLODE, in English and Chinese "
                                    "(docs/ontology/index.en.html, index.zh.html; served at /ontology)")
    d.add_argument("--out", default=str(paths.ROOT / "docs" / "ontology"), help="output folder")
    d.set_defaults(func=cmd_docs)
    t = sub.add_parser("terms", help="the ontology's terms as a CSV sheet for a spreadsheet, and a sheet applied "
                                     "back (new terms added, changed cells updated; nothing deleted)")
    t.add_argument("action", choices=["export", "import"])
    t.add_argument("file", help="the CSV file")
    t.add_argument("--template-row", action="store_true", help="export: a second row of ROBOT template strings")
    t.add_argument("--dir", help="folder of gongzhi.ttl, concepts.ttl and alignment.ttl (default ontology/)")
    t.set_defaults(func=cmd_terms)
    pr = sub.add_parser("protege", help="export: ontology, concepts and alignment as one RDF/XML file for Protégé; "
                                        "import: a file saved by Protégé back into the three files")
    pr.add_argument("action", choices=["export", "import"])
    pr.add_argument("file", nargs="?", help="import: the file saved by Protégé (RDF/XML or Turtle)")
    pr.add_argument("--out", help="export: the RDF/XML file (default build/gongzhi.owl)")
    pr.add_argument("--dir", help="folder of gongzhi.ttl, concepts.ttl and alignment.ttl (default ontology/)")
    pr.set_defaults(func=cmd_protege)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
