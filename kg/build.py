"""`kg build`: sources -> validated canonical dataset -> embedded store, or nothing changes."""
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import dataset, evidence, parallel, paths, store, validate
from kg.cases import CaseFileError


@dataclass
class BuildResult:
    """What a build produced, or why it stopped."""

    errors: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    quads: int = 0
    nquads: Path | None = None
    store: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.violations


def violation_queries() -> list[Path]:
    return sorted(paths.QUERIES_DIR.glob("*-violation.rq"))


def run_violation_queries(data: bytes) -> list[validate.Violation]:
    """Run queries/*-violation.rq on the dataset; each row they return is a violation."""
    mem = ox.Store()
    mem.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
    found = []
    for query in violation_queries():
        for row in mem.query(query.read_text(encoding="utf-8"), use_default_graph_as_union=True):
            values = [str(v.value) if v is not None else "" for v in row]
            found.append(validate.Violation(str(query.relative_to(paths.ROOT)), 0, values[0] if values else "",
                                            query.stem, "", " ".join(values[1:]),
                                            "违规检查查询返回了结果", "violation query returned a row"))
    return found


def _shacl(sources: dataset.Sources, union, rest: bool) -> list[validate.Violation]:
    """SHACL with a third of the targeted shapes, or (`rest`) with the other two thirds."""
    return validate.check(sources, union, validate.shapes_part(3, rest))


def check(case_paths: list[Path] | None = None) -> tuple[BuildResult, bytes]:
    """Parse, assemble and validate; return the result and the canonical N-Quads."""
    result = BuildResult()
    try:
        sources = dataset.load_sources(case_paths)
    except CaseFileError as exc:
        result.errors.append(exc)
        return result, b""
    union = sources.union()
    generated = dataset.generated(union)
    for g in generated.values():
        union += g
    # SHACL takes the longest: two thirds of the shapes are checked beside the rest of the work, a third after it.
    with parallel.start(_shacl, sources, union, True) as shacl:
        data = dataset.canonical_nquads(dataset.to_dataset({**sources.graphs, **generated}))
        others = evidence.check(sources) + run_violation_queries(data)
        found = _shacl(sources, union, False)
        result.violations = sorted(set(shacl.result() + found)) + others
    result.quads = data.count(b"\n")
    return result, data


def build(out: Path = paths.DATASET, store_link: Path | None = None, load: bool = True,
          case_paths: list[Path] | None = None) -> BuildResult:
    """Build the dataset file and, if it validates, swap it into the store."""
    result, data = check(case_paths)
    if not result.ok:
        return result
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    result.nquads = out
    if load:
        result.store = store.install(out, store_link or store.store_path())
    return result
