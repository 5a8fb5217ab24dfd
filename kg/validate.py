"""SHACL validation with a report a person can act on: file, entry, rule and message in zh and en."""
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg import cases, paths, rdfcache
from kg.dataset import Sources
from kg.namespace import GZ, GZD, SHAPES

CJK = re.compile(r"[\u4e00-\u9fff]")
# The ways a shape names its focus nodes (sh:target is SHACL-AF's).
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)


@dataclass(frozen=True, order=True)
class Violation:
    """One failed rule, located in the source files."""

    file: str
    line: int
    entry: str
    rule: str
    path: str
    value: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        value = f" = {self.value}" if self.value else ""
        return (f"{where}: [{self.entry}] {self.rule} ({self.path}{value})\n"
                f"    {self.message_zh}\n    {self.message_en}")


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return rdfcache.turtle(paths.SHAPES, canonical_bnodes=False)


@lru_cache(maxsize=4)
def shapes_part(every: int, rest: bool) -> Graph:
    """The shapes keeping the targets of only every `every`-th targeted shape, or (`rest`) of all the others.

    A shape without targets is checked only where a targeted shape leads to it, so the two parts check
    between them exactly what the shapes do; each can be checked in a process of its own.
    """
    whole = shapes()
    targeted = sorted({shape for target in TARGETS for shape in whole.subjects(target, None)}, key=str)
    kept = set(targeted) - set(targeted[::every]) if rest else set(targeted[::every])
    return _keeping_targets(whole, kept)


def _keeping_targets(whole: Graph, kept: set) -> Graph:
    g = Graph()
    for prefix, namespace in whole.namespaces():  # pySHACL's own messages name terms by these prefixes
        g.bind(prefix, namespace, replace=True)
    g += (t for t in whole if t[1] not in TARGETS or t[0] in kept)
    return g


def _short(term) -> str:
    if term is None:
        return ""
    text = str(term)
    for base, prefix in ((str(SHAPES), ""), (str(GZD), ""), (str(GZ), "gz:")):
        if text.startswith(base):
            return prefix + text[len(base):]
    return text


def _owner(data: Graph, focus) -> URIRef:
    """The entry a node belongs to: evidence nodes belong to the fact that cites them."""
    for fact in data.subjects(GZ.evidence, focus):
        return fact
    return focus


def _language(message: Literal) -> str | None:
    """pySHACL drops the language tag when it fills in {?var}; tell zh from en by the script."""
    if message.language:
        return message.language
    return "zh" if CJK.search(str(message)) else "en"


def _messages(results: Graph, result, shape) -> tuple[str, str]:
    found = {_language(m): str(m) for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal)}
    declared = {m.language: str(m) for m in shapes().objects(shape, SH.message) if isinstance(m, Literal)}
    zh = found.get("zh") or declared.get("zh", "")
    en = found.get("en") or declared.get("en", "")
    return zh, en


def locate(sources: Sources, entry) -> tuple[str, int, str]:
    """The file, line and short id of an entry, for a report a person can act on."""
    for name, g in sources.graphs.items():
        if (entry, RDF.type, None) in g:
            path = sources.files[name]
            return cases.display_path(path), _line_of(path, _short(entry)), _short(entry)
    return "-", 0, _short(entry)


@lru_cache(maxsize=64)
def _lines(path: Path, mtime: float) -> dict[str, int]:
    return cases.entry_lines(path.read_text(encoding="utf-8")) if path.suffix == ".yaml" else {}


def _line_of(path: Path, entry_id: str) -> int:
    return _lines(path, path.stat().st_mtime).get(entry_id, 0)


def _report(results: Graph, data: Graph, where) -> list[Violation]:
    """Violations from a pySHACL results graph; `where(entry)` gives the file, line and id of an entry."""
    found = set()
    # Only top-level results: nested sh:detail results explain these and are not rules of their own.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        file, line, entry = where(_owner(data, focus))
        zh, en = _messages(results, result, shape)
        rule = shape if isinstance(shape, URIRef) else results.value(result, SH.sourceConstraintComponent)
        found.add(Violation(file, line, entry, _short(rule), _short(results.value(result, SH.resultPath)),
                            _short(results.value(result, SH.value)), zh, en))
    return sorted(found)


def check(sources: Sources, data: Graph, shapes_graph: Graph | None = None) -> list[Violation]:
    """Validate data (the union of the dataset) against the shapes (or part of them); [] when it conforms.

    In place: pySHACL would otherwise copy the data first, in case SHACL rules add to it (the shapes have none).
    """
    conforms, results, _ = shacl_validate(data, shacl_graph=shapes() if shapes_graph is None else shapes_graph,
                                          inference="none", advanced=True, allow_warnings=True, inplace=True)
    return [] if conforms else _report(results, data, lambda entry: locate(sources, entry))


@lru_cache(maxsize=1)
def ontology() -> Graph:
    """The class and property hierarchy, which shape targets and sh:class follow."""
    from kg.codegen import load_ontology  # noqa: PLC0415 - avoids an import cycle at start-up

    return load_ontology()


def check_nodes(data: Graph, focus: set) -> list[Violation]:
    """Violations of the given nodes (and their evidence) in `data`, a change's neighbourhood.

    The neighbourhood also holds nodes that are only partly described (the types of what the focus
    nodes point at); what is reported of those is not theirs to answer for, so it is left out.
    """
    merged = data + ontology()
    conforms, results, _ = shacl_validate(merged, shacl_graph=shapes(), inference="none",
                                          advanced=True, allow_warnings=True)
    if conforms:
        return []
    return [v for v in _report(results, merged, lambda entry: ("-", 0, _short(entry)))
            if any(v.entry == _short(node) for node in focus)]
