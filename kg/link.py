"""`kg link`: propose links from the places of the cases to an imported dataset of divisions.

A place matches a division by name (its label or an alternative label, whole or without the
administrative suffix: 苏州 = 苏州市), by tier (a municipality is provincial level, a county-level
city county level) and by parent: the division must lie under the division its parent place was
linked to. Places are taken parents first, so 苏州市 under 江苏省 finds 3205 and never 宿州市 (3413)
under 安徽省. Organizations, legal resources and public services match the resources of the same public
class (ORG, ELI, CPSV) in an imported dataset by a label equal up to case, spaces and punctuation.
Each proposal carries its score and evidence; a person accepts or rejects it (`kg link accept|reject`),
and what was decided is never proposed again.
"""
from __future__ import annotations

import datetime
import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import SKOS

from kg import paths, sssom
from kg.dataset import IMPORT_GRAPHS
from kg.namespace import GRAPH, LINK

QUERIES = paths.ROOT / "kg" / "queries"
LINKS_DIR = paths.LINKS_DIR
PROPOSALS = LINKS_DIR / "proposals.sssom.tsv"
ACCEPTED = LINKS_DIR / "accepted.sssom.tsv"
REJECTED = LINKS_DIR / "rejected.sssom.tsv"
GOLD = LINKS_DIR / "gold-places.tsv"
DEFAULT_DATASET = "china-admin-divisions"
TOOL = "Gongzhi kg link"
PREDICATE = sssom.contract(str(SKOS.exactMatch))

# Scores: a name is the main evidence; tier and parent confirm it. A proposal needs THRESHOLD.
NAME_EXACT, NAME_STEM, TIER, PARENT = 0.5, 0.35, 0.2, 0.3
THRESHOLD = 0.5
# Administrative suffixes, longest first, so that 特别行政区 is cut before 区.
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "街道", "地区", "省", "市", "区", "县", "镇", "乡", "盟", "旗")
# Rows of the NBS data that group divisions without being one (5001 市辖区 between 重庆市 and 渝中区).
GROUPINGS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Division:
    iri: str
    code: str
    name: str
    tier: str
    parent: str | None


@dataclass
class Place:
    iri: str
    label: str
    names: set[str]
    tier: str
    parent: str | None


@dataclass(frozen=True)
class Candidate:
    division: Division
    score: float
    match_string: str
    match_field: str
    evidence: tuple[str, ...]
    structural: bool


def _value(term) -> str | None:
    return None if term is None else str(term.value)


def load_places(store: ox.Store) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in store.query((QUERIES / "link-case-places.rq").read_text(encoding="utf-8"),
                           use_default_graph_as_union=True):
        iri = _value(row["place"])
        place = places.setdefault(iri, Place(iri, _value(row["label"]), set(), _value(row["tier"]),
                                             _value(row["parent"])))
        place.names.add(_value(row["name"]))
    return places


def load_divisions(store: ox.Store, dataset: str) -> dict[str, Division]:
    query = (QUERIES / "link-divisions.rq").read_text(encoding="utf-8")
    rows = store.query(query, use_default_graph_as_union=True,
                       substitutions={ox.Variable("graph"): ox.NamedNode(IMPORT_GRAPHS + dataset)})
    return {_value(r["division"]): Division(_value(r["division"]), _value(r["code"]), _value(r["name"]),
                                            _value(r["tier"]), _value(r["parent"])) for r in rows}


class Index:
    """Divisions by name and by stem, with their ancestors through the grouping rows."""

    def __init__(self, divisions: dict[str, Division]):
        self.divisions = divisions
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for d in divisions.values():
            if d.name not in GROUPINGS:
                self.by_name[d.name].append(d)
                if stem(d.name) != d.name:
                    self.by_name[stem(d.name)].append(d)

    def ancestors(self, division: Division) -> list[Division]:
        chain, seen = [], {division.iri}
        parent = self.divisions.get(division.parent) if division.parent else None
        while parent is not None and parent.iri not in seen:
            seen.add(parent.iri)
            chain.append(parent)
            parent = self.divisions.get(parent.parent) if parent.parent else None
        return chain


def _depth(place: Place, places: dict[str, Place]) -> int:
    depth, seen, parent = 0, {place.iri}, place.parent
    while parent in places and parent not in seen:
        seen.add(parent)
        depth, parent = depth + 1, places[parent].parent
    return depth


def candidates(place: Place, parent: Division | None, parent_label: str | None, index: Index) -> list[Candidate]:
    """Every division the place could be, scored; a tier or parent that disagrees rules one out."""
    found: dict[str, Candidate] = {}
    for name in sorted(place.names):
        for key in {name, stem(name)}:
            for d in index.by_name.get(key, []):
                if d.tier != place.tier:
                    continue
                exact = d.name == name
                score = (NAME_EXACT if exact else NAME_STEM) + TIER
                evidence = [f"name {name} {'=' if exact else '~'} {d.name} ({'exact' if exact else 'without suffix'})",
                            f"tier {place.tier.rsplit('/', 1)[-1]}"]
                structural = False
                if parent is not None:
                    if parent.iri not in {a.iri for a in index.ancestors(d)}:
                        continue
                    score += PARENT
                    structural = True
                    evidence.append(f"parent {parent_label} = {parent.name} ({parent.code}) is an ancestor")
                elif parent_label:
                    evidence.append(f"parent {parent_label} has no counterpart in the dataset")
                field = "rdfs:label" if name == place.label else "skos:altLabel"
                best = found.get(d.iri)
                if best is None or score > best.score:
                    found[d.iri] = Candidate(d, round(score, 3), name, field, tuple(evidence), structural)
    return sorted(found.values(), key=lambda c: (-c.score, c.division.code))


def normalize(name: str) -> str:
    """A label compared up to case, spaces and punctuation (《》, quotes, brackets)."""
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold()
                   if not unicodedata.category(c).startswith(("P", "Z", "S")))


@dataclass
class Entity:
    iri: str
    kind: str
    names: dict[str, str]  # normalized -> as written

    @property
    def label(self) -> str:
        return min(self.names.values())


def _entities(rows) -> dict[str, Entity]:
    found: dict[str, Entity] = {}
    for row in rows:
        entity = found.setdefault(_value(row["entity"]), Entity(_value(row["entity"]), _value(row["kind"]), {}))
        entity.names.setdefault(normalize(_value(row["name"])), _value(row["name"]))
    return found


def load_case_entities(store: ox.Store) -> dict[str, Entity]:
    query = (QUERIES / "link-case-entities.rq").read_text(encoding="utf-8")
    return _entities(store.query(query, use_default_graph_as_union=True))


def load_external_entities(store: ox.Store, dataset: str) -> dict[str, Entity]:
    query = (QUERIES / "link-external-entities.rq").read_text(encoding="utf-8")
    return _entities(store.query(query, substitutions={ox.Variable("graph"): ox.NamedNode(IMPORT_GRAPHS + dataset)}))


def propose_entities(entities: dict[str, Entity], external: dict[str, Entity], decided: set, today: str,
                     outcome: "Outcome") -> None:
    """A proposal where exactly one external resource of the same class bears one of the entry's labels."""
    by_name: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in external.values():
        for key in e.names:
            by_name[(e.kind, key)].append(e)
    for entity in sorted(entities.values(), key=lambda e: e.iri):
        matches = {m.iri: (m, key) for key in sorted(entity.names) for m in by_name.get((entity.kind, key), [])}
        matches = {iri: v for iri, v in matches.items()
                   if (sssom.contract(entity.iri), PREDICATE, sssom.contract(iri)) not in decided}
        if len(matches) > 1:
            outcome.ambiguous[entity.iri] = sorted(matches)
        if len(matches) != 1:
            continue
        match, key = next(iter(matches.values()))
        subject, obj = sssom.contract(entity.iri), sssom.contract(match.iri)
        kind = entity.kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        outcome.proposals.append(sssom.Mapping(
            record_id=record_id(subject, PREDICATE, obj), subject_id=subject, subject_label=entity.names[key],
            predicate_id=PREDICATE, object_id=obj, object_label=match.names[key],
            mapping_justification="semapv:LexicalMatching", confidence=f"{NAME_EXACT + TIER:.2f}",
            subject_match_field="rdfs:label", object_match_field="rdfs:label", match_string=entity.names[key],
            mapping_tool=TOOL, mapping_date=today,
            comment=f"label {entity.names[key]} = {match.names[key]} (up to case, spaces, punctuation); "
                    f"both {kind}; the only such resource of the dataset with this label"))


def record_id(subject: str, predicate: str, obj: str) -> str:
    digest = hashlib.sha1(f"{subject}\n{predicate}\n{obj}".encode("utf-8")).hexdigest()[:16]
    return f"gzlink:{digest}"


def _mapping(place: Place, c: Candidate, today: str) -> sssom.Mapping:
    subject, obj = sssom.contract(place.iri), sssom.contract(c.division.iri)
    return sssom.Mapping(
        record_id=record_id(subject, PREDICATE, obj), subject_id=subject, subject_label=place.label,
        predicate_id=PREDICATE, object_id=obj, object_label=c.division.name,
        mapping_justification="semapv:CompositeMatching" if c.structural else "semapv:LexicalMatching",
        confidence=f"{c.score:.2f}", subject_match_field=c.match_field, object_match_field="rdfs:label",
        match_string=c.match_string, mapping_tool=TOOL, mapping_date=today,
        comment="; ".join(c.evidence) + f"; NBS code {c.division.code}")


@dataclass
class Outcome:
    proposals: list[sssom.Mapping]
    links: dict[str, str]          # place IRI -> division IRI, proposed or already accepted
    ambiguous: dict[str, list[str]]  # place IRI -> tied division codes, not proposed


def propose(places: dict[str, Place], divisions: dict[str, Division], accepted: list[sssom.Mapping],
            rejected: set[tuple[str, str, str]], today: str | None = None) -> Outcome:
    """Proposals for the places, parents first; decided links stand, rejected pairs are skipped."""
    today = today or datetime.date.today().isoformat()
    index = Index(divisions)
    links = {sssom.expand(m.subject_id): sssom.expand(m.object_id) for m in accepted
             if m.predicate_id == PREDICATE and sssom.expand(m.object_id) in divisions}
    decided = {m.key for m in accepted} | rejected
    outcome = Outcome([], links, {})
    for place in sorted(places.values(), key=lambda p: (_depth(p, places), p.iri)):
        parent_place = places.get(place.parent) if place.parent else None
        parent_division = divisions.get(links.get(place.parent)) if place.parent else None
        found = [c for c in candidates(place, parent_division, parent_place.label if parent_place else None, index)
                 if (sssom.contract(place.iri), PREDICATE, sssom.contract(c.division.iri)) not in decided]
        if place.iri in links or not found or found[0].score < THRESHOLD:
            continue
        tied = [c for c in found if c.score == found[0].score]
        if len(tied) > 1:
            outcome.ambiguous[place.iri] = [c.division.code for c in tied]
            continue
        outcome.proposals.append(_mapping(place, found[0], today))
        links[place.iri] = found[0].division.iri
    return outcome


def proposals_set(outcome: Outcome, dataset: str, today: str) -> sssom.MappingSet:
    meta = sssom.metadata(str(link_set_id(dataset, "proposals")),
                          f"Proposed links: case places -> {dataset} (kg link)", today,
                          subject_source=str(GRAPH["case/"]),
                          object_source=IMPORT_GRAPHS + dataset, mapping_tool=TOOL)
    return sssom.MappingSet(meta, outcome.proposals)


def link_set_id(dataset: str, kind: str) -> str:
    return str(LINK[f"set/{dataset}/{kind}"])


def run_proposals(store_link: Path, dataset: str = DEFAULT_DATASET, out: Path = PROPOSALS,
                  accepted: Path = ACCEPTED, rejected: Path = REJECTED) -> Outcome:
    """`kg link propose`: read the store, write the proposals file; return what was found.

    Places are linked to the dataset's divisions, organizations, legal resources and services to its
    resources of the same public class; a dataset with neither is an error."""
    store = ox.Store.read_only(str(store_link.resolve()))
    divisions = load_divisions(store, dataset)
    external = load_external_entities(store, dataset)
    if not divisions and not external:
        raise LookupError(f"nothing to link to in graph {IMPORT_GRAPHS + dataset}: run `kg import {dataset}` first / "
                          f"该数据集中没有可链接的资源，请先导入")
    today = datetime.date.today().isoformat()
    decided = sssom.read(accepted)
    refused = sssom.read(rejected).keys()
    outcome = propose(load_places(store), divisions, decided.mappings, refused, today)
    propose_entities(load_case_entities(store), external, decided.keys() | refused, today, outcome)
    sssom.write(out, proposals_set(outcome, dataset, today))
    return outcome


def review(subjects: list[str], accept: bool, reviewer: str, reviewer_label: str, comment: str = "",
           proposals_path: Path = PROPOSALS, accepted_path: Path = ACCEPTED,
           rejected_path: Path = REJECTED) -> list[sssom.Mapping]:
    """Move the proposals of `subjects` (CURIEs or IRIs; ["all"] for every one) to the accepted or
    rejected file, stamped with the reviewer and the date. A rejection is kept as a negated mapping
    (predicate_modifier Not), so it is never proposed again."""
    sssom.expand(reviewer)  # a reviewer is named by a CURIE or IRI, so the links graph can cite them
    pending = sssom.read(proposals_path)
    wanted = {sssom.contract(sssom.expand(s)) for s in subjects} if subjects != ["all"] else None
    chosen = [m for m in pending.mappings if wanted is None or m.subject_id in wanted]
    if wanted is not None:
        unknown = wanted - {m.subject_id for m in chosen}
        if unknown:
            raise LookupError(f"no proposal for / 没有以下地点的候选链接: {', '.join(sorted(unknown))}")
    today = datetime.date.today().isoformat()
    stamped = [replace(m, reviewer_id=reviewer, reviewer_label=reviewer_label, review_date=today,
                       predicate_modifier="" if accept else "Not",
                       comment=m.comment + (f"; review: {comment}" if comment else "")) for m in chosen]
    target_path = accepted_path if accept else rejected_path
    target = sssom.read(target_path)
    kind = "accepted" if accept else "rejected"
    target.metadata = {**sssom.metadata(link_set_id(DEFAULT_DATASET, kind),
                                        f"{kind.capitalize()} links: case places -> divisions (kg link)", today),
                       **{k: v for k, v in target.metadata.items() if k in ("subject_source", "object_source")}}
    keep = {m.key for m in stamped}
    target.mappings = [m for m in target.mappings if m.key not in keep] + stamped
    sssom.write(target_path, target)
    pending.mappings = [m for m in pending.mappings if m not in chosen]
    sssom.write(proposals_path, pending)
    return stamped


@dataclass(frozen=True)
class Score:
    true_positives: int
    proposed: int
    gold_positives: int
    wrong: tuple[str, ...]
    missed: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold_positives if self.gold_positives else 1.0


def read_gold(path: Path = GOLD) -> dict[str, str | None]:
    """Place IRI -> NBS code of its division, or None where the dataset has none."""
    import csv  # noqa: PLC0415

    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {sssom.expand(r["place"]): (r["division_code"] or None) for r in csv.DictReader(lines, delimiter="\t")}


def evaluate(links: dict[str, str], divisions: dict[str, Division], gold: dict[str, str | None]) -> Score:
    """Precision and recall of place -> division links against the gold set."""
    found = {place: divisions[d].code for place, d in links.items() if place in gold and d in divisions}
    right = {p for p, code in found.items() if gold[p] == code}
    return Score(len(right), len(found), sum(1 for c in gold.values() if c),
                 tuple(sorted(f"{p} -> {found[p]} (gold {gold[p]})" for p in set(found) - right)),
                 tuple(sorted(p for p, c in gold.items() if c and p not in right)))
