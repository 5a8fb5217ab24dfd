"""`kg generate`: a large governance graph with the shape of the real one, for benchmarks.

The real administrative divisions (../shared/external/china-admin-divisions) are written as `kg import`
writes them (graph/import/china-admin-divisions). Under each subdistrict or town come generated
communities, residents' committees, social organizations, service centers and their services,
management items and their transfers (ResponsibilityChange with itemCount), and per county a case,
a government and its policies by year; every entry has labels in zh and en and an evidence node
(section + quote) described in graph/derived as the build describes the real ones. The places of the
cases are their own entries linked to the divisions by skos:exactMatch, as in the real cases.

Counties are taken in a seeded order until the triple budget is reached; the file is written line
by line (nothing is held but the division table), so 10M triples need little memory. The same size
and seed give the same bytes.
"""
import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.namespace import XSD as XSD_NS

from kg import importer
from kg import namespace as ns_module

SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
DIVISIONS_DIR = importer.EXTERNAL / "china-admin-divisions"

RDF_TYPE = RDF.type.n3()
LABEL = RDFS.label.n3()
EXACT_MATCH = SKOS.exactMatch.n3()
# Namespaces as text: the writer builds N-Quads lines itself, which is what makes 10M triples cheap.
GZ, GZC, GZD, DIVISION, GRAPH = (str(ns) for ns in (ns_module.GZ._NS, ns_module.GZC._NS, ns_module.GZD,
                                                    ns_module.DIVISION, ns_module.GRAPH))
XSD = str(XSD_NS)
OA = ns_module.OA
IMPORT_GRAPH = f"<{GRAPH}import/china-admin-divisions>"
DERIVED_GRAPH = f"<{GRAPH}derived>"
PLACES_GRAPH = f"<{GRAPH}synthetic/places>"
PAPER = f"<{GZD}paper>"
SECTIONS = ("4.1", "4.2", "5.2")
TIERS = ("provincial-level", "prefectural-level", "county-level", "township-level")
CHANGE_TYPES = ("streamlined", "taken-back", "cancelled", "deregistered", "separated", "clarified")
POLICY_CLASSES = (("Regulation", "规定", "regulation"), ("Plan", "计划", "plan"),
                  ("PolicyList", "清单", "list"), ("PolicyInitiative", "举措", "initiative"))
CENTER_CLASSES = (("ConvenienceServiceCenter", "便民服务中心", "convenience service center"),
                  ("CommunityPublicServiceCenter", "社区公共服务中心", "community public service center"))
SERVICES = (("养老", "elderly care"), ("托育", "childcare"), ("就业", "employment"), ("医疗", "health"),
            ("调解", "mediation"), ("社保", "social insurance"))


def parse_size(text: str) -> int:
    """A size as given on the command line: 100k, 1M, 10M or any number with k or M (20k)."""
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    number = int(text[:-1] if scale != 1 else text)
    if number <= 0:
        raise ValueError(f"size must be positive: {text}")
    return number * scale


@dataclass
class Division:
    code: str
    name: str
    parent: str | None
    tier: int


def load_divisions(folder: Path = DIVISIONS_DIR) -> dict[str, Division]:
    """The four CSV files as one table by code, in file order."""
    table: dict[str, Division] = {}
    for tier, (name, parent) in enumerate((("provinces", None), ("cities", "provinceCode"),
                                           ("areas", "cityCode"), ("streets", "areaCode"))):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                table[row["code"]] = Division(row["code"], row["name"], row[parent] if parent else None, tier)
    return table


def _lit(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}'


def _typed(value, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Writer:
    """N-Quads lines to a file, counted."""

    def __init__(self, sink):
        self.sink = sink
        self.count = 0

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.sink.write(f"{s} {p} {o} {g} .\n")
        self.count += 1


class Generator:
    """Writes the graph county by county; `entry` writes one entry with its labels and evidence."""

    def __init__(self, writer: Writer, divisions: dict[str, Division], rng: random.Random):
        self.w = writer
        self.divisions = divisions
        self.rng = rng
        self.done_divisions: set[str] = set()
        self.done_places: set[str] = set()

    def entry(self, iri: str, cls: str, zh: str, en: str, graph: str, quote: str, props=()) -> None:
        w = self.w
        w.quad(iri, RDF_TYPE, f"<{GZ}{cls}>", graph)
        w.quad(iri, LABEL, _lit(zh, "zh"), graph)
        w.quad(iri, LABEL, _lit(en, "en"), graph)
        for p, o in props:
            w.quad(iri, f"<{GZ}{p}>" if not p.startswith("<") else p, o, graph)
        section = f"<{GZD}paper/section/{self.rng.choice(SECTIONS)}>"
        evidence = f"{iri[:-1]}/evidence/{hashlib.sha1(quote.encode()).hexdigest()[:10]}>"
        w.quad(iri, f"<{GZ}evidence>", evidence, graph)
        w.quad(evidence, f"<{GZ}inSection>", section, graph)
        w.quad(evidence, f"<{GZ}quote>", _lit(quote, "zh"), graph)
        w.quad(iri, PROV.wasDerivedFrom.n3(), PAPER, DERIVED_GRAPH)
        w.quad(evidence, RDF_TYPE, f"<{GZ}Evidence>", DERIVED_GRAPH)
        w.quad(evidence, RDF_TYPE, OA.TextQuoteSelector.n3(), DERIVED_GRAPH)
        w.quad(evidence, OA.exact.n3(), _lit(quote, "zh"), DERIVED_GRAPH)
        w.quad(evidence, PROV.wasQuotedFrom.n3(), section, DERIVED_GRAPH)

    def division(self, code: str) -> None:
        """The division as the RML mapping of `kg import` writes it, with its parents first."""
        if code in self.done_divisions:
            return
        d = self.divisions[code]
        if d.parent:
            self.division(d.parent)
        self.done_divisions.add(code)
        s = f"<{DIVISION}{code}>"
        self.w.quad(s, RDF_TYPE, f"<{GZ}AdministrativeDivision>", IMPORT_GRAPH)
        self.w.quad(s, LABEL, _lit(d.name, "zh"), IMPORT_GRAPH)
        self.w.quad(s, f"<{GZ}nbsCode>", _typed(code, "string"), IMPORT_GRAPH)
        self.w.quad(s, f"<{GZ}placeLevel>", f"<{GZC}{TIERS[d.tier]}>", IMPORT_GRAPH)
        if d.parent:
            self.w.quad(s, f"<{GZ}partOfPlace>", f"<{DIVISION}{d.parent}>", IMPORT_GRAPH)

    def place(self, code: str) -> str:
        """The cases' own entry for a division (labels, level, evidence, exactMatch), parents first."""
        iri = f"<{GZD}syn/place/{code}>"
        if code in self.done_places:
            return iri
        d = self.divisions[code]
        parent = self.place(d.parent) if d.parent else None
        self.division(code)
        self.done_places.add(code)
        level = TIERS[d.tier]
        if d.tier == 3 and d.name.endswith("街道"):
            level = "subdistrict"
        props = [("placeLevel", f"<{GZC}{level}>"), ("nbsCode", _typed(code, "string")),
                 (EXACT_MATCH, f"<{DIVISION}{code}>")]
        if parent:
            props.append(("partOfPlace", parent))
        en = f"{('Province', 'City', 'County', 'Township')[d.tier]} {code}"
        self.entry(iri, "AdministrativeDivision", d.name, en, PLACES_GRAPH, f"{d.name}积极推进社区治理创新。", props)
        return iri

    def county(self, code: str, streets: list[str]) -> None:
        """One county: its case, government and policies, and each of its subdistricts and towns."""
        rng = self.rng
        d = self.divisions[code]
        place = self.place(code)
        graph = f"<{GRAPH}synthetic/{code}>"
        base = f"{GZD}syn/{code}"
        case = f"<{base}/case>"
        self.entry(case, "Case", f"{d.name}社区治理案例", f"Community governance in county {code}", graph,
                   f"{d.name}探索社区治理推动大城众管。",
                   [("casePlace", place), ("describedIn", f"<{GZD}paper/section/4>")])
        gov = f"<{base}/government>"
        self.entry(gov, "DistrictGovernment", f"{d.name}人民政府", f"Government of county {code}", graph,
                   f"{d.name}人民政府牵头推进减负工作。",
                   [("locatedIn", place), ("jurisdiction", place), ("partOfCase", case)])
        policies = []
        for n in range(rng.randint(1, 3)):
            cls, zh, en = rng.choice(POLICY_CLASSES)
            year = rng.randint(2012, 2023)
            policy = f"<{base}/policy/{n}>"
            policies.append(policy)
            self.entry(policy, cls, f"{d.name}{year}年社区减负{zh}", f"County {code} {year} burden-reduction {en}",
                       graph, f"{year}年，{d.name}颁布社区减负{zh}。",
                       [("issuedBy", gov), ("jurisdiction", place), ("startYear", _typed(year, "gYear")),
                        ("partOfCase", case)])
        for street in streets:
            self.street(street, graph, case, policies)

    def street(self, code: str, graph: str, case: str, policies: list[str]) -> None:
        rng = self.rng
        d = self.divisions[code]
        place = self.place(code)
        base = f"{GZD}syn/{code}"
        office = f"<{base}/office>"
        self.entry(office, "SubdistrictOffice", f"{d.name}办事处", f"Office of township {code}", graph,
                   f"{d.name}办事处积极引进社会组织。",
                   [("locatedIn", place), ("jurisdiction", place), ("partOfCase", case)])
        committees = []
        for n in range(rng.randint(2, 6)):
            community = f"<{base}/community/{n}>"
            name = f"{d.name}第{n + 1}社区"
            self.entry(community, "Community", name, f"Community {n + 1} of township {code}", graph,
                       f"{name}居民积极参与社区自治。",
                       [("placeLevel", f"<{GZC}community>"), ("partOfPlace", place), ("partOfCase", case)])
            committee = f"<{base}/community/{n}/committee>"
            committees.append(committee)
            self.entry(committee, "ResidentsCommittee", f"{name}居委会", f"Residents' committee of community {n + 1}, "
                       f"township {code}", graph, f"{name}居委会承担大量管理事项。",
                       [("locatedIn", community), ("jurisdiction", community), ("partOfCase", case)])
            cls, zh, en = rng.choice(CENTER_CLASSES)
            service_zh, service_en = rng.choice(SERVICES)
            service = f"<{base}/community/{n}/service>"
            self.entry(service, "PublicService", f"{name}{service_zh}服务", f"{service_en} service of community {n + 1}, "
                       f"township {code}", graph, f"{name}提供{service_zh}服务。",
                       [("itemCount", _typed(rng.randint(1, 12), "integer")),
                        ("responseTimeHours", _typed(rng.choice((1, 2, 24)), "decimal")), ("partOfCase", case)])
            center = f"<{base}/community/{n}/center>"
            self.entry(center, cls, f"{name}{zh}", f"{en} of community {n + 1}, township {code}", graph,
                       f"{d.name}将{zh}设置于{name}。",
                       [("locatedIn", community), ("establishedBy", office), ("providesService", service),
                        ("partOfCase", case)])
        for n in range(rng.randint(1, 3)):
            org = f"<{base}/organization/{n}>"
            self.entry(org, "SocialOrganization", f"{d.name}社会组织{n + 1}", f"Social organization {n + 1} of "
                       f"township {code}", graph, f"{d.name}引进社会组织，改善社会管理能力。",
                       [("locatedIn", place), ("introducedBy", office), ("partOfCase", case)])
        items = f"<{base}/management-items>"
        holder = committees[0]
        self.entry(items, "ManagementItem", f"{d.name}居委会管理事项", f"Management items of the residents' committees, "
                   f"township {code}", graph, f"{d.name}社区居委会需落实的管理事项较多。",
                   [("heldBy", holder), ("partOfCase", case)])
        before = rng.randint(50, 300)
        after = rng.randint(10, before - 1)
        change_type = rng.choice(CHANGE_TYPES)
        props = [("changeType", f"<{GZC}{change_type}>"), ("changedBy", office), ("fromHolder", holder),
                 ("affectsResponsibility", items), ("countBefore", _typed(before, "integer")),
                 ("countAfter", _typed(after, "integer")), ("itemCount", _typed(before - after, "integer")),
                 ("implementsPolicy", rng.choice(policies)), ("startYear", _typed(rng.randint(2014, 2023), "gYear")),
                 ("partOfCase", case)]
        if change_type == "taken-back":
            props.append(("toHolder", office))
        self.entry(f"<{base}/change>", "ResponsibilityChange", f"{d.name}管理事项精简（{before}项→{after}项）",
                   f"Township {code}: management items cut from {before} to {after}", graph,
                   f"将{d.name}居委会落实的{before}项管理事项精简到{after}项。", props)


def generate(sink, triples: int, seed: int = 0, folder: Path = DIVISIONS_DIR) -> int:
    """Write about `triples` quads (whole counties; the last one may pass the budget); return the count."""
    divisions = load_divisions(folder)
    streets_of: dict[str, list[str]] = {}
    for d in divisions.values():
        if d.tier == 3:
            streets_of.setdefault(d.parent, []).append(d.code)
    counties = sorted(streets_of)
    rng = random.Random(seed)
    rng.shuffle(counties)
    gen = Generator(Writer(sink), divisions, rng)
    for county in counties:
        if gen.w.count >= triples:
            break
        streets = streets_of[county]
        # At small sizes a county gives part of its streets, so the budget is met closely.
        left = (triples - gen.w.count) // 400 + 1
        gen.county(county, streets[:left])
    return gen.w.count


def write(out: Path, triples: int, seed: int = 0) -> int:
    """`generate` into a file (written beside it, then renamed)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as sink:
        count = generate(sink, triples, seed)
    tmp.replace(out)
    return count
