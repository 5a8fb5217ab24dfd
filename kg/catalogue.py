"""The analyst query catalogue in queries/: headers, expected results, and comparing answers."""
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import paths
from kg.querytext import query_form

EXPECTED_DIR = paths.QUERIES_DIR / "expected"
HEADER = re.compile(r"^#\s*(title@zh|title@en|question@zh|question@en|column\s+(\w+))\s*:\s*(.+?)\s*$")


@dataclass
class Query:
    """One .rq file with its header: bilingual title and question, and a meaning for each column."""

    path: Path
    title: dict = field(default_factory=dict)
    question: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def is_violation(self) -> bool:
        return self.name.endswith("-violation")

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, DESCRIBE or ASK."""
        return query_form(self.text)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def expected_path(self) -> Path:
        return EXPECTED_DIR / f"{self.name}.{'nt' if self.is_graph else 'tsv'}"

    @property
    def ordered(self) -> bool:
        return re.search(r"\bORDER\s+BY\b", self.text, re.IGNORECASE) is not None


def parse(path: Path) -> Query:
    q = Query(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER.match(line)
        if not m:
            continue
        key, column, value = m.groups()
        if column:
            q.columns[column] = value
        else:
            kind, lang = key.split("@")
            getattr(q, kind)[lang] = value
    return q


def catalogue() -> list[Query]:
    return [parse(p) for p in sorted(paths.QUERIES_DIR.glob("*.rq"))]


def rows(results) -> list[tuple]:
    """Result rows as tuples of N-Triples term strings (None for unbound)."""
    variables = [v.value for v in results.variables]
    return [tuple(str(s[v]) if s[v] is not None else None for v in variables) for s in results]


def sorted_ntriples(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def answer_bytes(results) -> bytes:
    """The answer as it is kept in queries/expected/: TSV results, or sorted N-Triples for a graph."""
    if isinstance(results, ox.QueryTriples):
        return sorted_ntriples(results.serialize(format=ox.RdfFormat.N_TRIPLES))
    return results.serialize(format=ox.QueryResultsFormat.TSV)


def read_expected(query: Query) -> tuple[list[str], list[tuple]]:
    """Expected variables and rows; a graph answer is one variable, one row per triple."""
    if query.is_graph:
        return ["triple"], [(line,) for line in query.expected_path.read_text(encoding="utf-8").splitlines()]
    parsed = ox.parse_query_results(path=str(query.expected_path), format=ox.QueryResultsFormat.TSV)
    return [v.value for v in parsed.variables], rows(parsed)


def same_answer(query: Query, expected: list[tuple], actual: list[tuple]) -> bool:
    """Ordered queries must match row for row; the rest as multisets."""
    if query.ordered:
        return expected == actual
    return sorted(expected, key=repr) == sorted(actual, key=repr)
