"""Read the human-edited case files (YAML) as JSON-LD through the one shared context."""
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rdflib import Graph, URIRef

from kg import paths, rdfcache
from kg.namespace import GRAPH

# libyaml's loader when PyYAML was built with it: a case file parses some ten times faster.
FAST_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


@dataclass
class CaseFileError(Exception):
    """A problem in a case file, named by file, entry and line so an editor can find it."""

    file: str
    entry: str
    line: int
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.entry}] {self.message_zh} / {self.message_en}"


@lru_cache(maxsize=1)
def context() -> dict:
    return json.loads(paths.CONTEXT.read_text(encoding="utf-8"))["@context"]


def graph_name(path: Path) -> URIRef:
    """The named graph that holds one case file: graph/case/<file stem>."""
    return GRAPH[f"case/{path.stem}"]


def entry_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each top-level entry, keyed by its id."""
    return _entry_lines(yaml.compose(text, Loader=FAST_LOADER))


def _entry_lines(root) -> dict[str, int]:
    lines = {}
    for item in getattr(root, "value", None) or []:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    lines[value.value] = item.start_mark.line + 1
    return lines


def _language_map_terms(ctx: dict) -> set[str]:
    return {k for k, v in ctx.items() if isinstance(v, dict) and v.get("@container") == "@language"}


def _check_keys(node, ctx: dict, lang_terms: set[str], where) -> None:
    """Every key must be a term of the context: JSON-LD would silently drop or guess the rest."""
    if isinstance(node, list):
        for item in node:
            _check_keys(item, ctx, lang_terms, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key not in ctx:
            raise where(f"未知的字段“{key}”：请检查拼写，可用字段见 kg/context.jsonld",
                        f"unknown key '{key}': check the spelling; the keys are listed in kg/context.jsonld")
        if key in lang_terms:
            if not isinstance(value, dict):
                raise where(f"字段“{key}”需要按语言分别填写，如 zh: … 与 en: …",
                            f"key '{key}' takes one value per language, such as zh: ... and en: ...")
            for lang in value:
                if not LANGUAGE_TAG.match(lang):
                    raise where(f"字段“{key}”中的“{lang}”不是语言标签（应为 zh 或 en）；含冒号的文字请加引号",
                                f"'{lang}' in '{key}' is not a language tag (use zh or en); quote text that "
                                "contains a colon")
            continue
        _check_keys(value, ctx, lang_terms, where)


def _parse(text: str) -> tuple[object, dict[str, int]]:
    """The entries of a case file and the line of each, from one pass of libyaml.

    BaseLoader keeps every scalar as the string the editor typed; the context gives its datatype.
    libyaml words its errors differently (and may place them a line apart): on an error the pure-Python
    parser reads the file again, so that what an editor is told stays the same.
    """
    loader = FAST_LOADER(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), _entry_lines(root)
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.BaseLoader), _entry_lines(yaml.compose(text))
    finally:
        loader.dispose()


def display_path(path: Path) -> str:
    return str(path.relative_to(paths.SOURCE_ROOT)) if path.is_relative_to(paths.SOURCE_ROOT) else str(path)


def read_entries(path: Path) -> list[dict]:
    """Parse and check a case file; raise CaseFileError naming the entry at fault."""
    rel = display_path(path)
    text = path.read_text(encoding="utf-8")
    try:
        entries, lines = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise CaseFileError(rel, "-", line, f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}") from None
    if not isinstance(entries, list):
        raise CaseFileError(rel, "-", 1, "文件应为条目列表（每条以“- id:”开头）",
                            "the file must be a list of entries, each starting with '- id:'")
    ctx, lang_terms, seen = context(), _language_map_terms(context()), set()
    for index, entry in enumerate(entries):
        entry_id = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"

        def where(zh, en, entry_id=entry_id):
            return CaseFileError(rel, entry_id, lines.get(entry_id, 0), zh, en)

        if not isinstance(entry, dict) or "id" not in entry or "type" not in entry:
            raise where("每个条目都需要 id 和 type", "every entry needs an id and a type")
        if entry_id in seen:
            raise where("条目 id 重复", "duplicate entry id")
        seen.add(entry_id)
        _check_keys(entry, ctx, lang_terms, where)
    return entries


def load(path: Path) -> Graph:
    """The RDF graph of one case file."""
    entries = read_entries(path)
    document = {"@context": context(), "@graph": entries}
    try:
        # The document holds the context too, so the same bytes always give the same graph.
        return rdfcache.parsed(f"case-{path.stem}", json.dumps(document, ensure_ascii=False).encode(), "json-ld")
    except (ValueError, TypeError, KeyError) as exc:
        raise CaseFileError(display_path(path), "-", 0, f"无法转换为RDF：{exc}",
                            f"cannot be read as RDF: {exc}") from None


def case_files() -> list[Path]:
    return sorted(paths.CASES_DIR.glob("*.yaml"))
