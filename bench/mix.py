"""The queries measured: the analyst mix of bench/queries/ and the catalogue of queries/."""
from dataclasses import dataclass
from pathlib import Path

from kg import catalogue
from kg.querytext import query_form

MIX_DIR = Path(__file__).parent / "queries"
MIX_ORDER = ("point-lookup", "label-search", "multi-join", "aggregate-by-province", "property-path",
             "order-limit", "construct-case")


@dataclass(frozen=True)
class BenchQuery:
    name: str
    text: str

    @property
    def is_graph(self) -> bool:
        return query_form(self.text) in ("CONSTRUCT", "DESCRIBE")


def mix() -> list[BenchQuery]:
    return [BenchQuery(name, (MIX_DIR / f"{name}.rq").read_text(encoding="utf-8")) for name in MIX_ORDER]


def catalogue_queries() -> list[BenchQuery]:
    """The analyst catalogue (queries/*.rq) without the violation checks."""
    return [BenchQuery(q.name, q.text) for q in catalogue.catalogue() if not q.is_violation]
