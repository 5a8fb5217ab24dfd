"""SSSOM TSV, the mapping files people review (https://mapping-commons.github.io/sssom/).

A file is a YAML metadata block, each line prefixed with "#", then a tab-separated table with one
mapping per row. Entity references are CURIEs expanded by the block's curie_map. Rows are written
sorted by (subject, predicate, object) so that a review shows up in git as the lines it changed.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from kg.namespace import DIVISION, GEONAMES, GZD, LINK, SEMAPV, USER, WD

CURIE_MAP = {
    "gzd": str(GZD),
    "gzdiv": str(DIVISION),
    "gzlink": str(LINK),
    "gzuser": str(USER),
    "geonames": str(GEONAMES),
    "wd": str(WD),
    "semapv": str(SEMAPV),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
# review_date is not an SSSOM slot: declared as an extension, as SSSOM 1.0 asks of extra columns.
EXTENSIONS = [{"slot_name": "review_date", "property": str(LINK["review_date"]), "type_hint": "xsd:date"}]


class SSSOMError(ValueError):
    """A mapping file that cannot be read: names the file and the row."""


@dataclass(frozen=True)
class Mapping:
    """One row. Field names are SSSOM slot names, in the column order of the files."""

    record_id: str
    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    confidence: str = ""
    subject_match_field: str = ""
    object_match_field: str = ""
    match_string: str = ""
    predicate_modifier: str = ""
    mapping_tool: str = ""
    mapping_date: str = ""
    author_id: str = ""
    reviewer_id: str = ""
    reviewer_label: str = ""
    review_date: str = ""
    comment: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.subject_id, self.predicate_id, self.object_id


COLUMNS = [f.name for f in fields(Mapping)]
REQUIRED = ("record_id", "subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass
class MappingSet:
    metadata: dict
    mappings: list[Mapping] = field(default_factory=list)

    def keys(self) -> set[tuple[str, str, str]]:
        return {m.key for m in self.mappings}


def expand(curie: str, curie_map: dict | None = None) -> str:
    """The IRI of a CURIE (or the IRI itself when given one)."""
    prefix, sep, local = curie.partition(":")
    known = curie_map or CURIE_MAP
    if sep and prefix in known:
        return known[prefix] + local
    if curie.startswith(("http://", "https://")):
        return curie
    raise SSSOMError(f"unknown prefix in {curie!r} / 前缀未知; known: {', '.join(sorted(known))}")


def contract(iri: str) -> str:
    """The CURIE of an IRI under the longest matching namespace of CURIE_MAP."""
    best = max((ns for ns in CURIE_MAP.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in CURIE_MAP.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def metadata(mapping_set_id: str, title: str, date: str, **extra) -> dict:
    return {"curie_map": dict(CURIE_MAP), "mapping_set_id": mapping_set_id, "mapping_set_title": title,
            "mapping_set_version": date, "license": "https://creativecommons.org/licenses/by/4.0/",
            "extension_definitions": EXTENSIONS, **extra}


def read(path: Path) -> MappingSet:
    """Parse an SSSOM TSV file; a missing file is an empty set."""
    if not path.exists():
        return MappingSet({"curie_map": dict(CURIE_MAP)})
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[1:] for line in text.splitlines() if line.startswith("#"))
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise SSSOMError(f"{path}: metadata block is not YAML / 元数据不是YAML: {exc}") from exc
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body), delimiter="\t")
    unknown = set(reader.fieldnames or []) - set(COLUMNS)
    if unknown:
        raise SSSOMError(f"{path}: unknown column(s) / 未知列: {', '.join(sorted(unknown))}")
    mappings = []
    for number, row in enumerate(reader, start=2):
        missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
        if missing:
            raise SSSOMError(f"{path}, row {number}: empty {', '.join(missing)} / 缺少必填列")
        mappings.append(Mapping(**{k: (v or "").strip() for k, v in row.items() if k in COLUMNS}))
    return MappingSet(meta, mappings)


def write(path: Path, mapping_set: MappingSet) -> None:
    """Write canonically: metadata block, then the rows sorted by (subject, predicate, object)."""
    out = io.StringIO()
    block = yaml.safe_dump(mapping_set.metadata, allow_unicode=True, sort_keys=False, width=120)
    out.writelines(f"#{line}\n" for line in block.splitlines())
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in sorted(mapping_set.mappings, key=lambda m: m.key):
        writer.writerow([getattr(m, c) for c in COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    tmp.replace(path)
