"""Entries of a case file as text blocks, so that an edit changes only the lines of its entry.

A case file is a YAML list; each entry starts with "- id: <id>" at the first column and runs to the
next entry, the next comment at the first column, or the end. Entries written by the editor follow
the house style of the hand-written ones: labels as a one-line {zh: .., en: ..} map, lists of ids in
brackets, evidence as a block list of section and quote.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

import yaml

ENTRY_START = re.compile(r"^- id: *(\S+) *$")
# A plain YAML scalar that reads back as the same string (BaseLoader keeps every scalar a string).
# In a flow collection ([a, b], {k: v}) commas and brackets end a plain scalar; in a block they do not.
PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^#,\[\]{}:]|:(?! )|#(?<! #))*(?<![\s:])$")
PLAIN_BLOCK = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^#:]|:(?! )|#(?<! #))*(?<![\s:])$")
NUMBER = re.compile(r"^[-+]?[0-9][0-9.]*$")
NUMERIC_TYPES = ("xsd:integer", "xsd:decimal", "xsd:gYear")
KEY_ORDER = ("id", "type", "label", "altLabel")


def _span(lines: list[str], entry_id: str) -> tuple[int, int] | None:
    """Line indexes [start, end) of the entry's block, trailing blank lines excluded."""
    start = next((i for i, line in enumerate(lines) if (m := ENTRY_START.match(line)) and m.group(1) == entry_id),
                 None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not lines[end].startswith(("- ", "#")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def block(text: str, entry_id: str) -> str | None:
    lines = text.splitlines(keepends=True)
    span = _span(lines, entry_id)
    return None if span is None else "".join(lines[span[0]:span[1]])


def replace(text: str, entry_id: str, new_block: str | None) -> str:
    """The file with the entry's block replaced (None deletes it), or appended when it is new."""
    lines = text.splitlines(keepends=True)
    span = _span(lines, entry_id)
    if span is None:
        if new_block is None:
            return text
        body = text if text.endswith("\n") else text + "\n"
        return body + "\n" + new_block
    start, end = span
    if new_block is None:
        # drop the blank line that separated it as well: the one after it, or before it at the end of the file
        if end < len(lines) and not lines[end].strip():
            end += 1
        elif end == len(lines) and start > 0 and not lines[start - 1].strip():
            start -= 1
        return "".join(lines[:start] + lines[end:])
    return "".join(lines[:start]) + new_block + "".join(lines[end:])


@lru_cache(maxsize=1)
def _numeric_keys() -> frozenset[str]:
    """Keys whose values are numbers (written bare); a code made of digits is a string (quoted)."""
    from kg.cases import context  # noqa: PLC0415 - the context is read only when rendering

    return frozenset(k for k, v in context().items() if isinstance(v, dict) and v.get("@type") in NUMERIC_TYPES)


def scalar(value: str, key: str = "", block: bool = False) -> str:
    value = str(value)
    if NUMBER.match(value) and key not in _numeric_keys():
        return json.dumps(value)
    if (PLAIN_BLOCK if block else PLAIN).match(value) and value not in ("~", "null", "true", "false") and "\n" not in value:
        return value
    if '"' in value and "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a double-quoted YAML scalar


def _flow(values) -> str:
    if isinstance(values, dict):
        return "{" + ", ".join(f"{k}: {_flow(v) if isinstance(v, list) else scalar(v)}" for k, v in values.items()) + "}"
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def _value(key: str, value, indent: str) -> list[str]:
    """`key: value` lines: short maps and lists on one line, long text maps and lists of maps as blocks."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        lines = [f"{indent}{key}:"]
        for item in value:
            for j, (k, v) in enumerate(item.items()):
                lines += _value(k, v, indent + ("  - " if j == 0 else "    "))
        return [line.replace(indent + "  - ", indent + "  - ", 1) for line in lines]
    if isinstance(value, list):
        one_line = f"{indent}{key}: {scalar(value[0]) if len(value) == 1 else _flow(value)}"
        if len(one_line) <= 100:
            return [one_line]
        return [f"{indent}{key}:"] + [f"{indent}  - {scalar(v, key, block=True)}" for v in value]
    if isinstance(value, dict):
        if key in ("label", "altLabel"):
            return [f"{indent}{key}: {_flow(value)}"]
        return [f"{indent}{key}:"] + [line for k, v in value.items() for line in _value(k, v, indent + "  ")]
    return [f"{indent}{key}: {scalar(value, key, block=True)}"]


def render(entry: dict) -> str:
    """One entry in the house style (see the module's docstring)."""
    keys = [k for k in KEY_ORDER if k in entry] + [k for k in entry if k not in KEY_ORDER and k != "evidence"]
    keys += ["evidence"] if "evidence" in entry else []
    lines = [line for key in keys for line in _value(key, entry[key], "  ")]
    return "- " + lines[0][2:] + "\n" + "".join(line + "\n" for line in lines[1:])


def parse(text: str, entry_id: str) -> dict | None:
    """The entry of a whole case file, as the case loader reads it (every scalar a string; anchors
    used across entries resolved)."""
    entries = yaml.load(text, Loader=yaml.BaseLoader) or []
    return next((e for e in entries if isinstance(e, dict) and e.get("id") == entry_id), None)


def entry_ids(text: str) -> list[str]:
    return [m.group(1) for line in text.splitlines() if (m := ENTRY_START.match(line))]
