"""Edits of the sources by domain experts: proposed, gated, reviewed, applied, recorded, revertible.

An edit is a list of operations on source files: triples added to or removed from an ontology file
(Turtle, rewritten in canonical form), or one entry of a case file replaced, added or removed (its
text block only, so the rest of the file stays byte for byte). Before anything is saved, the edit is
applied to a scratch copy of the sources and checked there as a build would check it (`kg gate`:
case-file syntax, SHACL, the evidence quotes, the violation queries, and HermiT when the ontology
changes). A refused edit leaves nothing behind. An accepted edit is written to the sources and
recorded in kg/edits/<number>.json with who, when, why and the exact triples added and removed; a
revert is the inverse edit, gated and recorded the same way.
"""
from __future__ import annotations

import datetime
import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph

from kg import caseyaml, paths, rdfcache, turtle

LOG = logging.getLogger(__name__)


@dataclass
class Operation:
    """One change to one file. kind "triples": N-Triples lines to add and remove in an ontology file;
    kind "entry": the text block of a case entry before and after (None: absent)."""

    kind: str
    file: str  # relative to the source root
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    entry: str | None = None
    before: str | None = None
    after: str | None = None

    def inverse(self) -> "Operation":
        return Operation(self.kind, self.file, list(self.remove), list(self.add), self.entry, self.after, self.before)


@dataclass
class Problem:
    """Why an edit is refused, for a person: where, and the message in both languages."""

    where: str
    zh: str
    en: str


class EditRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.where}: {p.en}" for p in problems))
        self.problems = problems


@dataclass
class Change:
    id: int
    title: str
    why: str
    author: str
    created: str
    operations: list[Operation]
    added: list[str]
    removed: list[str]
    status: str = "pending"
    reviewer: str | None = None
    reviewed: str | None = None
    review_comment: str = ""
    reverts: int | None = None
    reverted_by: int | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        data = dict(data)
        data["operations"] = [Operation(**op) for op in data["operations"]]
        return cls(**data)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


# --- applying operations to texts -----------------------------------------------------------------

def _apply_triples(text: str, op: Operation) -> str:
    g = Graph().parse(data=text, format="turtle")
    for line in op.remove:
        triple = next(iter(Graph().parse(data=line, format="nt")))
        if triple not in g:
            raise EditRefused([Problem(op.file, f"要删除的三元组已不在文件中（可能已被他人修改）：{line}",
                                       f"a triple to remove is no longer in the file (changed meanwhile?): {line}")])
        g.remove(triple)
    for line in op.add:
        g += Graph().parse(data=line, format="nt")
    return turtle.serialize(g)


def _apply_entry(text: str, op: Operation) -> str:
    current = caseyaml.block(text, op.entry)
    if (current or None) != (op.before or None):
        raise EditRefused([Problem(f"{op.file} [{op.entry}]", "该条目在提交后已被修改，请重新打开再编辑",
                                   "the entry changed after this edit was made: open it again and redo the edit")])
    return caseyaml.replace(text, op.entry, op.after)


def apply_to(root: Path, operations: list[Operation]) -> dict[str, str]:
    """The new text of every file the operations change, read from `root` (nothing is written)."""
    texts: dict[str, str] = {}
    for op in operations:
        path = root / op.file
        text = texts.get(op.file, path.read_text(encoding="utf-8") if path.exists() else "")
        texts[op.file] = _apply_triples(text, op) if op.kind == "triples" else _apply_entry(text, op)
    return texts


# --- the gate --------------------------------------------------------------------------------------

def _scratch_copy(root: Path, target: Path) -> None:
    for source in paths.EDITABLE:
        rel = source.relative_to(paths.SOURCE_ROOT)
        if (root / rel).is_dir():
            shutil.copytree(root / rel, target / rel)
        elif (root / rel).exists():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, target / rel)


def gate(operations: list[Operation], root: Path | None = None) -> list[Problem]:
    """Check the sources as the operations would leave them, on a scratch copy; [] when they pass."""
    root = root or paths.SOURCE_ROOT
    texts = apply_to(root, operations)
    reason = any(op.file.startswith("ontology/") for op in operations)
    with tempfile.TemporaryDirectory(prefix="gongzhi-gate-") as tmp:
        scratch = Path(tmp)
        _scratch_copy(root, scratch)
        # The kept parses (keyed by content): only the files this edit changes are parsed afresh.
        cache = rdfcache.CACHE_DIR.relative_to(paths.SOURCE_ROOT)
        if (root / cache).is_dir():
            shutil.copytree(root / cache, scratch / cache)
        for rel, text in texts.items():
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            (scratch / rel).write_text(text, encoding="utf-8")
        env = {**os.environ, "GONGZHI_SOURCES": str(scratch)}
        args = [sys.executable, "-m", "kg", "gate"] + (["--reason"] if reason else [])
        run = subprocess.run(args, cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        LOG.error("kg gate failed (exit %s):\n%s", run.returncode, run.stderr[-4000:])
        return [Problem("kg gate", "检查程序本身出错，修改未保存；请告知维护者", "the check itself failed, so nothing "
                        "was saved; please tell the maintainers (the service log has the details)")]
    return [Problem(**p) for p in report["problems"]]


# --- the triples an edit adds and removes ------------------------------------------------------------

def _entry_graph(text: str | None, entry_id: str | None) -> Graph:
    from kg import cases, dataset  # noqa: PLC0415 - needs the generated namespace module

    if not text:
        return Graph()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "entry.yaml"
        path.write_text(text, encoding="utf-8")
        return dataset.skolemize_evidence(cases.load(path))


def triple_delta(operations: list[Operation], root: Path) -> tuple[list[str], list[str]]:
    """The N-Triples lines the operations add and remove, each sorted."""
    added, removed = set(), set()
    for op in operations:
        if op.kind == "triples":
            added |= set(op.add)
            removed |= set(op.remove)
            continue
        before = _entry_graph(_standalone(root / op.file, op.entry, op.before), op.entry)
        after = _entry_graph(op.after, op.entry)
        added |= {_nt(t) for t in after - before}
        removed |= {_nt(t) for t in before - after}
    return sorted(added - removed), sorted(removed - added)


def _standalone(path: Path, entry_id: str, block: str | None) -> str | None:
    """The entry's block on its own: anchors it borrows from other entries are spelled out."""
    if block is None:
        return None
    entry = caseyaml.parse(path.read_text(encoding="utf-8"), entry_id) if path.exists() else None
    return caseyaml.render(entry) if entry and caseyaml.block(path.read_text(encoding="utf-8"), entry_id) == block \
        else block


def _nt(triple) -> str:
    s, p, o = triple
    return f"{s.n3()} {p.n3()} {o.n3()} ."


# --- the record --------------------------------------------------------------------------------------

@contextmanager
def _locked(root: Path):
    """One edit at a time is numbered, checked and written."""
    edits = root / paths.EDITS_DIR.relative_to(paths.SOURCE_ROOT)
    edits.mkdir(parents=True, exist_ok=True)
    with open(edits / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield edits
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _path(edits: Path, number: int) -> Path:
    return edits / f"{number:04d}.json"


def save(edits: Path, change: Change) -> None:
    tmp = _path(edits, change.id).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(change), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(_path(edits, change.id))


def load(number: int, root: Path | None = None) -> Change:
    edits = (root or paths.SOURCE_ROOT) / paths.EDITS_DIR.relative_to(paths.SOURCE_ROOT)
    path = _path(edits, number)
    if not path.exists():
        raise LookupError(f"no edit #{number} / 没有第 {number} 号修改")
    return Change.from_json(json.loads(path.read_text(encoding="utf-8")))


def history(root: Path | None = None) -> list[Change]:
    edits = (root or paths.SOURCE_ROOT) / paths.EDITS_DIR.relative_to(paths.SOURCE_ROOT)
    return [Change.from_json(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(edits.glob("[0-9]*.json"))]


def _next_number(edits: Path) -> int:
    return max((int(p.stem) for p in edits.glob("[0-9]*.json")), default=0) + 1


# --- the workflow --------------------------------------------------------------------------------------

def propose(operations: list[Operation], author: str, title: str, why: str, root: Path | None = None) -> Change:
    """Gate the edit and keep it for review; EditRefused (nothing saved) when it does not pass."""
    root = root or paths.SOURCE_ROOT
    if not why.strip():
        raise EditRefused([Problem("why", "请说明修改理由", "say why the change is made")])
    with _locked(root) as edits:
        problems = gate(operations, root)
        if problems:
            raise EditRefused(problems)
        added, removed = triple_delta(operations, root)
        if not added and not removed:
            raise EditRefused([Problem(title, "这项修改不改变任何三元组", "the edit changes no triple")])
        change = Change(_next_number(edits), title, why, author, _now(), operations, added, removed)
        save(edits, change)
    return change


def _write(root: Path, texts: dict[str, str]) -> None:
    for rel, text in texts.items():
        path = root / rel
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def _publish(root: Path, ontology_changed: bool, store_link: Path | None) -> None:
    """Regenerate what follows from the ontology, and rebuild the store from the sources."""
    env = {**os.environ, "GONGZHI_SOURCES": str(root)}
    steps = ([["codegen"]] if ontology_changed else []) + ([["build", "--store", str(store_link)]] if store_link else [])
    for step in steps:
        run = subprocess.run([sys.executable, "-m", "kg", *step], cwd=paths.ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
        if run.returncode != 0:
            raise RuntimeError(f"kg {' '.join(step)} failed after an accepted edit: {run.stderr[-2000:]}")


def accept(number: int, reviewer: str, comment: str, store_link: Path | None, root: Path | None = None) -> Change:
    """A reviewer accepts a pending edit: gated again (the sources may have moved on), written, recorded."""
    root = root or paths.SOURCE_ROOT
    with _locked(root) as edits:
        change = load(number, root)
        _must_be_pending(change)
        if reviewer == change.author:
            raise EditRefused([Problem(f"#{number}", "不能审核自己提出的修改", "a reviewer cannot accept their own edit")])
        problems = gate(change.operations, root)
        if problems:
            raise EditRefused(problems)
        _write(root, apply_to(root, change.operations))
        change.status, change.reviewer, change.reviewed, change.review_comment = "accepted", reviewer, _now(), comment
        save(edits, change)
    _publish(root, any(op.file.startswith("ontology/") for op in change.operations), store_link)
    return change


def reject(number: int, reviewer: str, comment: str, root: Path | None = None) -> Change:
    root = root or paths.SOURCE_ROOT
    if not comment.strip():
        raise EditRefused([Problem("comment", "拒绝时请说明理由", "say why the edit is rejected")])
    with _locked(root) as edits:
        change = load(number, root)
        _must_be_pending(change)
        change.status, change.reviewer, change.reviewed, change.review_comment = "rejected", reviewer, _now(), comment
        save(edits, change)
    return change


def revert(number: int, reviewer: str, why: str, store_link: Path | None, root: Path | None = None) -> Change:
    """Undo an accepted edit by its inverse, itself gated, applied and recorded."""
    root = root or paths.SOURCE_ROOT
    with _locked(root) as edits:
        original = load(number, root)
        if original.status != "accepted" or original.reverted_by:
            raise EditRefused([Problem(f"#{number}", "只能撤销已接受且未撤销的修改",
                                       "only an accepted edit that is not yet reverted can be reverted")])
        operations = [op.inverse() for op in reversed(original.operations)]
        problems = gate(operations, root)
        if problems:
            raise EditRefused(problems)
        added, removed = triple_delta(operations, root)
        _write(root, apply_to(root, operations))
        change = Change(_next_number(edits), f"revert #{number}: {original.title}", why or f"revert #{number}",
                        reviewer, _now(), operations, added, removed, "accepted", reviewer, _now(), "", number)
        save(edits, change)
        original.reverted_by = change.id
        save(edits, original)
    _publish(root, any(op.file.startswith("ontology/") for op in operations), store_link)
    return change


def _must_be_pending(change: Change) -> None:
    if change.status != "pending":
        raise EditRefused([Problem(f"#{change.id}", f"该修改已是“{change.status}”状态", f"the edit is already {change.status}")])
