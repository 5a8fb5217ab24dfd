"""`kg import`: external datasets, each into its own named graph, with a description of that graph.

Two kinds of source. Tabular open data ("rml") is turned into RDF by a declarative RML mapping, never
by Python code written for one dataset: what a row becomes is stated in the mapping
(kg/mappings/NAME.rml.ttl), run by morph-kgc (an RML engine from PyPI). morph-kgc 2.x needs
rdflib<7.3 and pyoxigraph<0.4, which clash with the pins of requirements.txt, so it lives in its own
virtual environment (var/rml-venv, from requirements-rml.txt) and runs as a subprocess. RDF datasets
("rdf") are loaded as published, in the syntax their file extension names. Either way the triples
land in the named graph asked for, with a DCAT/VoID/PROV description of that graph.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCAT, OWL, PROV, RDF, RDFS, VOID, XSD
from rdflib.namespace import DCTERMS as DCT

from kg import paths
from kg.namespace import DIVISION, GZ, MAPPING, SPDX

RML_REQUIREMENTS = paths.ROOT / "requirements-rml.txt"
RML_VENV = paths.ROOT / "var" / "rml-venv"
ENGINE = "morph-kgc"
MAPPINGS_DIR = paths.ROOT / "kg" / "mappings"
EXTERNAL = paths.SHARED / "external"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# pyoxigraph gives JSON-LD a newer IRI than the one the W3C format registry lists for it.
FORMAT_IRIS = {"JSON-LD": "http://www.w3.org/ns/formats/JSON-LD"}
# Common extensions pyoxigraph does not know, by the one it does.
EXTENSION_ALIASES = {"owl": "rdf"}


@dataclass(frozen=True)
class SourceInfo:
    """A dataset `kg import` knows: how to read it, and what its description says of the source."""

    kind: str          # "rml": CSV files through kg/mappings/NAME.rml.ttl; "rdf": RDF files as published
    title_zh: str
    title_en: str
    page: str          # the source's home (its repository or release page)
    license: str       # IRI of the license
    date: str          # xsd:date of the source version (commit or release)
    files: tuple[tuple[str, str], ...]  # (name in the folder, IRI where it is published)
    folder: Path       # where the files are unless `kg import --sources` says otherwise
    uri_space: str = ""
    version: str = ""
    notes: tuple[tuple[str, str], ...] = ()  # known quirks of the source, (zh, en), for analysts


def _published(base: str, *names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, base + name) for name in names)


# Imported verbatim, so what is odd in the SEMIC examples stays; the graph says so (rdfs:comment).
_SEMIC_NOTES = (
    ("示例数据：条目的 IRI 是 http://example.com/ 下的占位符，不可解引用。",
     "Example data: the entries' IRIs are placeholders under http://example.com/ that do not dereference."),
    ("标签照原样导入，含原文的拼写错误：'Federale Overheidsdiesnt FINANCIEN'@nl（应为 Overheidsdienst）、"
     "'Foderaler Offentlicher Dienst FINANZEN'@de（缺变音符号）。",
     "Labels are kept as published, misspellings included: 'Federale Overheidsdiesnt FINANCIEN'@nl "
     "(for Overheidsdienst) and 'Foderaler Offentlicher Dienst FINANZEN'@de (umlauts missing)."),
)
_SEMIC_LICENSE = "https://creativecommons.org/licenses/by/4.0/"  # as the releases' own vocabulary files state it

# The datasets known to `kg import`, by name (graph/import/NAME). Facts about the source, not its rows.
SOURCES = {
    "china-admin-divisions": SourceInfo(
        kind="rml",
        title_zh="中国行政区划（国家统计局统计用区划代码，2023年）",
        title_en="China's administrative divisions (NBS statistical division codes, 2023)",
        page="https://github.com/modood/Administrative-divisions-of-China",
        license="http://www.wtfpl.net/",
        date="2024-11-28",
        files=_published("https://github.com/modood/Administrative-divisions-of-China/blob/master/dist/",
                         "provinces.csv", "cities.csv", "areas.csv", "streets.csv"),
        folder=EXTERNAL / "china-admin-divisions",
        uri_space=str(DIVISION),
    ),
    "cpsv-ap-example": SourceInfo(
        kind="rdf",
        title_zh="欧盟公共服务核心词汇应用规范 CPSV-AP 3.2.0 官方示例：比利时联邦财政部的在线报税服务（Tax-on-web）",
        title_en="CPSV-AP 3.2.0 official example: Tax-on-web, a public service of the Belgian Federal "
                 "Public Service Finance",
        page="https://semiceu.github.io/CPSV-AP/releases/3.2.0/",
        license=_SEMIC_LICENSE,
        date="2024-01-31",  # dct:created of the release's vocabulary file, cpsv-ap-3.2.0.ttl
        version="3.2.0",
        files=(("cpsv-ap-3.2.0-example.ttl", "https://github.com/SEMICeu/CPSV-AP/blob/master/releases/3.2.0/"
                "html/examples/example-rdf_public_service.ttl"),),
        folder=EXTERNAL / "semic",
        uri_space="http://example.com/",
        notes=(
            ("该示例不符合同一版本自带的 SHACL 形状（cpsv-ap-3.2.0-SHACL.ttl）：有 6 处 sh:class 违规，因为 dct:type、"
             "cv:evidenceTypeClassification、cv:frequency 和 dct:spatial 所指的 IRI 没有 skos:Concept 或 dct:Location "
             "类型三元组；ex:certicate（原文拼写，应为 certificate）与 ex:federalreduction 只被引用，没有描述。",
             "The example does not conform to its release's own SHACL shapes (cpsv-ap-3.2.0-SHACL.ttl): 6 sh:class "
             "violations, as the IRIs linked by dct:type, cv:evidenceTypeClassification, cv:frequency and "
             "dct:spatial carry no skos:Concept or dct:Location type; ex:certicate (sic, for 'certificate') and "
             "ex:federalreduction are referenced but never described."),
            ("命名空间无异常：所用词汇都是官方的 http IRI；声明而未使用的 locn: 前缀是正确的 "
             "http://www.w3.org/ns/locn#（与 CPOV 示例不同）。",
             "No namespace quirk: every vocabulary IRI used is the official http one; the locn: prefix, declared "
             "but unused, is the correct http://www.w3.org/ns/locn# (unlike the CPOV example's)."),
            *_SEMIC_NOTES,
        ),
    ),
    "cpov-example": SourceInfo(
        kind="rdf",
        title_zh="欧盟公共组织核心词汇 CPOV 2.1.2 官方示例：比利时联邦财政部",
        title_en="CPOV 2.1.2 official example: the Belgian Federal Public Service Finance",
        page="https://semiceu.github.io/CPOV/releases/2.1.2/",
        license=_SEMIC_LICENSE,
        date="2026-05-12",  # dct:issued of the release's vocabulary file, cpov-2.1.2.ttl
        version="2.1.2",
        files=(("cpov-2.1.2-example.ttl", "https://github.com/SEMICeu/CPOV/blob/master/releases/2.1.2/"
                "html/examples/example-rdf_public_organisation.ttl"),),
        folder=EXTERNAL / "semic",
        uri_space="http://example.com/",
        notes=(
            ("命名空间笔误：示例把 locn: 声明为 http://w3.org/ns/locn#（缺 www），官方的是 http://www.w3.org/ns/locn#。"
             "地址（locn:Address、locn:address、locn:fullAddress 等）按原样导入：查询时请用错写的 IRI，或两者兼用。",
             "Namespace typo: the example declares locn: as http://w3.org/ns/locn# (no www) instead of the official "
             "http://www.w3.org/ns/locn#. The address (locn:Address, locn:address, locn:fullAddress, ...) is "
             "imported as published: query it with the misspelt IRI, or with both."),
            ("该示例不符合同一版本自带的 SHACL 形状（cpov-2.1.2-SHACL.ttl）：有 9 处 sh:class 违规，因为 dct:spatial、"
             "org:classification、foaf:homepage 和 cv:frequency 所指的 IRI 没有 dct:Location、skos:Concept 或 "
             "foaf:Document 类型三元组。",
             "The example does not conform to its release's own SHACL shapes (cpov-2.1.2-SHACL.ttl): 9 sh:class "
             "violations, as the IRIs linked by dct:spatial, org:classification, foaf:homepage and cv:frequency "
             "carry no dct:Location, skos:Concept or foaf:Document type."),
            *_SEMIC_NOTES,
        ),
    ),
}


def dataset(name: str) -> SourceInfo:
    """The dataset registered as `name`; a ValueError naming the known ones otherwise."""
    if name not in SOURCES:
        raise ValueError(f"unknown dataset / 未知数据集 {name!r}; known / 已知: {', '.join(SOURCES)}")
    return SOURCES[name]


def engine_python() -> Path:
    """The interpreter of the RML engine's environment: $GONGZHI_RML_PYTHON, else var/rml-venv."""
    override = os.environ.get("GONGZHI_RML_PYTHON")
    if override:
        return Path(override)
    return RML_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_engine() -> Path:
    """Create var/rml-venv from requirements-rml.txt if it is not there yet; return its interpreter."""
    python = engine_python()
    if python.exists():
        return python
    if os.environ.get("GONGZHI_RML_PYTHON"):
        raise FileNotFoundError(f"GONGZHI_RML_PYTHON={python} does not exist")
    subprocess.run([sys.executable, "-m", "venv", str(RML_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(RML_REQUIREMENTS)], check=True)
    return python


def run_mapping(mapping: Path, sources_dir: Path) -> bytes:
    """Execute the RML `mapping` with morph-kgc over the files of `sources_dir`; N-Triples bytes.

    The mapping names its sources relative to `sources_dir` (the engine's working directory).
    """
    python = engine_python()
    if not python.exists():
        raise FileNotFoundError(
            f"no RML engine at {python}: run `python -m venv {RML_VENV} && "
            f"{RML_VENV}/bin/pip install -r {RML_REQUIREMENTS}` (or call kg.importer.ensure_engine())")
    with tempfile.TemporaryDirectory(prefix="gongzhi-rml-") as tmp:
        out = Path(tmp) / "out.nt"
        config = Path(tmp) / "config.ini"
        config.write_text(
            "[CONFIGURATION]\n"
            "output_format=N-TRIPLES\n"
            f"output_file={out}\n"
            "logging_level=WARNING\n"
            "[Source]\n"
            f"mappings={mapping}\n",
            encoding="utf-8")
        proc = subprocess.run([str(python), "-m", "morph_kgc", str(config)], cwd=sources_dir,
                              capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"morph-kgc failed on {mapping.name} (exit {proc.returncode}):\n"
                               f"{proc.stderr[-4000:]}")
        return out.read_bytes()


def engine_version() -> str:
    """The morph-kgc version pinned in requirements-rml.txt."""
    for line in RML_REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.lower().startswith("morph-kgc=="):
            return line.split("==", 1)[1].strip()
    return "unknown"


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _lit(value, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(str(value), language=language)
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype or XSD["string"]))


def _collector(graph: ox.NamedNode):
    """A list of quads in `graph` and the add(s, p, o) that appends to it (p an IRI string)."""
    quads: list[ox.Quad] = []

    def add(s, p, o):
        quads.append(ox.Quad(s, _iri(p), o, graph))
    return quads, add


def _describe_graph(add, graph: ox.NamedNode, info: SourceInfo, triples: int, subjects: int,
                    entities: int) -> None:
    """What every imported graph says of itself: what it is, whence, under which license, how big."""
    source = _iri(info.page)
    add(graph, RDF["type"], _iri(VOID["Dataset"]))
    add(graph, RDF["type"], _iri(DCAT["Dataset"]))
    add(graph, DCT["title"], _lit(info.title_zh, language="zh"))
    add(graph, DCT["title"], _lit(info.title_en, language="en"))
    add(graph, DCT["license"], _iri(info.license))
    add(graph, DCT["source"], source)
    add(graph, PROV["wasDerivedFrom"], source)
    add(graph, PROV["wasGeneratedBy"], _iri(graph.value + "#import"))
    add(graph, VOID["triples"], _lit(triples, XSD["integer"]))
    add(graph, VOID["entities"], _lit(entities, XSD["integer"]))
    add(graph, VOID["distinctSubjects"], _lit(subjects, XSD["integer"]))
    if info.uri_space:
        add(graph, VOID["uriSpace"], _lit(info.uri_space))


def _describe_source(add, info: SourceInfo) -> ox.NamedNode:
    """The external dataset the graph derives from, with its version and date; returns its IRI."""
    source = _iri(info.page)
    add(source, RDF["type"], _iri(DCAT["Dataset"]))
    add(source, DCT["title"], _lit(info.title_en, language="en"))
    add(source, DCT["license"], _iri(info.license))
    add(source, DCT["modified"], _lit(info.date, XSD["date"]))
    add(source, DCAT["landingPage"], source)
    if info.version:
        add(source, OWL["versionInfo"], _lit(info.version))
    return source


def _describe_distribution(add, source: ox.NamedNode, name: str, published: str, file: Path,
                           media_type: str) -> ox.NamedNode:
    """One published file of the source, with the size and SHA-256 of the copy that was read."""
    dist = _iri(published)
    add(source, DCAT["distribution"], dist)
    add(dist, RDF["type"], _iri(DCAT["Distribution"]))
    add(dist, DCT["title"], _lit(name))
    add(dist, DCAT["mediaType"], _iri(IANA_MEDIA_TYPES + media_type))
    if file.exists():
        add(dist, DCAT["byteSize"], _lit(file.stat().st_size, XSD["nonNegativeInteger"]))
        # DCAT 3 names a distribution's checksum with SPDX: spdx:checksum [ algorithm, value ].
        digest = ox.BlankNode()
        add(dist, SPDX["checksum"], digest)
        add(digest, SPDX["algorithm"], _iri(SPDX["checksumAlgorithm_sha256"]))
        add(digest, SPDX["checksumValue"], _lit(hashlib.sha256(file.read_bytes()).hexdigest(), XSD["hexBinary"]))
    return dist


def _describe_activity(add, graph: ox.NamedNode, used, agent: str) -> ox.NamedNode:
    """The import that generated the graph: what it used, and the software that ran it."""
    activity = _iri(graph.value + "#import")
    add(activity, RDF["type"], _iri(PROV["Activity"]))
    for thing in used:
        add(activity, PROV["used"], thing)
    add(activity, PROV["wasAssociatedWith"], _iri(agent))
    return activity


def describe(graph: ox.NamedNode, triples: int, store: ox.Store, mapping: Path, sources_dir: Path,
             info: SourceInfo) -> list[ox.Quad]:
    """DCAT/VoID/PROV description of a graph mapped from CSV files, as quads in that graph.

    void:triples counts the triples the mapping produced (the description itself not included).
    """
    quads, add = _collector(graph)
    mapping_iri = _iri(MAPPING[mapping.name.split(".")[0]])
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, graph)}
    divisions = {q.subject for q in store.quads_for_pattern(
        None, _iri(RDF["type"]), _iri(GZ["AdministrativeDivision"]), graph)}
    _describe_graph(add, graph, info, triples, len(subjects), len(divisions))
    add(graph, VOID["vocabulary"], _iri(str(GZ._NS)))
    partition = _iri(graph.value + "#divisions")
    add(graph, VOID["classPartition"], partition)
    add(partition, VOID["class"], _iri(GZ["AdministrativeDivision"]))
    add(partition, VOID["entities"], _lit(len(divisions), XSD["integer"]))

    source = _describe_source(add, info)
    for name, published in info.files:
        _describe_distribution(add, source, name, published, sources_dir / name, "text/csv")

    _describe_activity(add, graph, [mapping_iri, source], f"https://pypi.org/project/{ENGINE}/{engine_version()}/")
    add(mapping_iri, RDF["type"], _iri(PROV["Plan"]))
    add(mapping_iri, DCT["conformsTo"], _iri("https://rml.io/specs/rml/"))
    add(mapping_iri, DCT["identifier"], _lit(f"kg/mappings/{mapping.name}"))
    add(mapping_iri, RDFS["comment"], _lit("sha256:" + hashlib.sha256(mapping.read_bytes()).hexdigest()))
    return quads


def import_csv_dataset(mapping, sources_dir, graph_iri) -> bytes:
    """Run the RML `mapping` over the CSV files of `sources_dir`; N-Quads of graph `graph_iri`.

    The graph holds the mapped triples and a DCAT/VoID description of itself (subject `graph_iri`).
    The bytes are ready for kg.store.install (write them to a .nq file).
    """
    mapping = Path(mapping).resolve()
    sources_dir = Path(sources_dir).resolve()
    graph = _iri(str(graph_iri))
    name = mapping.name.removesuffix(".rml.ttl")
    info = SOURCES.get(name)
    if info is None or info.kind != "rml":
        raise ValueError(f"no source description for {mapping.name}; known: "
                         f"{', '.join(n + '.rml.ttl' for n, i in SOURCES.items() if i.kind == 'rml')}")
    ntriples = run_mapping(mapping, sources_dir)
    store = ox.Store()
    store.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    triples = len(store)
    store.extend(describe(graph, triples, store, mapping, sources_dir, info))
    return store.dump(format=ox.RdfFormat.N_QUADS)


# ---- RDF datasets: parsed as published, by pyoxigraph ----------------------------------------------

class SourceSyntaxError(ValueError):
    """An RDF file that does not parse; the message names the file and the line, as compilers do."""

    def __init__(self, path: Path, fmt: ox.RdfFormat, error: SyntaxError):
        line = error.lineno or _line_from_rdflib(path, fmt)
        super().__init__(f"{path}:{line or '?'}: {fmt.name} syntax error: {error.msg}")


def _line_from_rdflib(path: Path, fmt: ox.RdfFormat) -> int | None:
    """The line of the error as rdflib reports it: pyoxigraph's RDF/XML errors carry no position."""
    import rdflib  # noqa: PLC0415 - only needed on this error path

    try:
        rdflib.Graph().parse(str(path), format=fmt.media_type)
    except Exception as exc:  # noqa: BLE001 - whatever the parser raises, only its position is wanted
        line = getattr(exc, "getLineNumber", None)  # xml.sax's SAXParseException
        return line() if line else None
    return None


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of `path`, from its extension (.ttl, .nt, .rdf/.owl/.xml, .jsonld, .trig, .nq, .n3)."""
    ext = path.suffix.lstrip(".").lower()
    fmt = ox.RdfFormat.from_extension(EXTENSION_ALIASES.get(ext, ext))
    if fmt is None:
        raise ValueError(f"{path}: no RDF syntax is known for the extension {path.suffix!r}")
    return fmt


def parse_rdf(path: Path, base_iri: str) -> list[ox.Quad]:
    """Every quad of the RDF file `path` (relative IRIs resolved against `base_iri`)."""
    fmt = rdf_format(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        return list(ox.parse(path=str(path), format=fmt, base_iri=base_iri))
    except SyntaxError as exc:
        raise SourceSyntaxError(path, fmt, exc) from None


def _into_graph(quads: list[ox.Quad], graph: ox.NamedNode) -> list[ox.Quad]:
    """The quads moved into `graph`, each blank node of the file replaced by a new one of this import.

    Parsers keep a file's labels (_:b0) and the store shares blank nodes across graphs: without new
    ones, two imports or two datasets could be joined on a label that means nothing.
    """
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            if t not in fresh:
                fresh[t] = ox.BlankNode()
            return fresh[t]
        return t
    return [ox.Quad(term(q.subject), q.predicate, term(q.object), graph) for q in quads]


def _namespace(iri: str) -> str:
    """A term's namespace: its IRI up to the last '#' or '/'."""
    return iri[:max(iri.rfind("#"), iri.rfind("/")) + 1]


def vocabularies(quads: list[ox.Quad]) -> list[str]:
    """The namespaces of the properties and classes the quads use, sorted."""
    is_a = _iri(RDF["type"])
    terms = {q.predicate.value for q in quads}
    terms |= {q.object.value for q in quads if q.predicate == is_a and isinstance(q.object, ox.NamedNode)}
    return sorted({_namespace(t) for t in terms})


def _computed_notes(quads: list[ox.Quad], merged_graphs: int) -> list[tuple[str, str]]:
    """Notes every RDF import states when they apply: blank nodes, and named graphs merged into one."""
    blanks = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    notes = []
    if blanks:
        notes.append((f"源数据有 {len(blanks)} 个空白节点：每次导入都换成新的，不要跨导入引用其标签。",
                      f"The source has {len(blanks)} blank nodes: each import gives them new labels, so do not "
                      "keep a label from one import to the next."))
    if merged_graphs:
        notes.append((f"源数据的 {merged_graphs} 个命名图已并入本图。",
                      f"The source's {merged_graphs} named graphs are merged into this one graph."))
    return notes


def describe_rdf(graph: ox.NamedNode, store: ox.Store, sources_dir: Path, info: SourceInfo,
                 merged_graphs: int = 0) -> list[ox.Quad]:
    """DCAT/VoID/PROV description of a graph loaded from RDF files; counts exclude the description."""
    quads, add = _collector(graph)
    data = list(store.quads_for_pattern(None, None, None, graph))
    subjects = {q.subject for q in data}
    _describe_graph(add, graph, info, len(data), len(subjects),
                    sum(isinstance(s, ox.NamedNode) for s in subjects))
    for namespace in vocabularies(data):
        add(graph, VOID["vocabulary"], _iri(namespace))
    for zh, en in (*info.notes, *_computed_notes(data, merged_graphs)):
        add(graph, RDFS["comment"], _lit(zh, language="zh"))
        add(graph, RDFS["comment"], _lit(en, language="en"))

    source = _describe_source(add, info)
    used = [source]
    for name, published in info.files:
        fmt = rdf_format(sources_dir / name)
        dist = _describe_distribution(add, source, name, published, sources_dir / name, fmt.media_type)
        # No mapping to name as the plan: what the import follows is the file's syntax.
        add(dist, DCT["conformsTo"], _iri(FORMAT_IRIS.get(fmt.name, fmt.iri)))
        used.append(dist)
    _describe_activity(add, graph, used, f"https://pypi.org/project/pyoxigraph/{ox.__version__}/")
    return quads


def import_rdf_dataset(name: str, sources_dir, graph_iri) -> bytes:
    """Load the RDF files of dataset `name` from `sources_dir`; N-Quads of graph `graph_iri`, described.

    Every file is parsed before anything is returned, so a syntax error leaves nothing half done.
    """
    info = dataset(name)
    sources_dir = Path(sources_dir).resolve()
    graph = _iri(str(graph_iri))
    store = ox.Store()
    named = set()
    for file_name, published in info.files:
        quads = parse_rdf(sources_dir / file_name, published)
        named |= {q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
        store.extend(_into_graph(quads, graph))
    store.extend(describe_rdf(graph, store, sources_dir, info, len(named)))
    return store.dump(format=ox.RdfFormat.N_QUADS)


# ---- `kg import` -------------------------------------------------------------------------------------

def import_dataset(name: str, sources_dir=None, graph_iri=None) -> bytes:
    """N-Quads of the dataset `name`, read from `sources_dir` (default: its folder), in graph/import/NAME."""
    from kg.dataset import IMPORT_GRAPHS  # noqa: PLC0415 - keeps this module light to import

    info = dataset(name)
    folder = Path(sources_dir) if sources_dir else info.folder
    graph_iri = graph_iri or IMPORT_GRAPHS + name
    if info.kind == "rml":
        return import_csv_dataset(MAPPINGS_DIR / f"{name}.rml.ttl", folder, graph_iri)
    return import_rdf_dataset(name, folder, graph_iri)


def import_into_store(name: str, sources_dir: Path | None, link: Path) -> tuple[Path, int]:
    """`kg import NAME`: read the source and replace its graph, graph/import/NAME, in the store."""
    from kg.store import replace_graphs  # noqa: PLC0415 - keeps this module light to import

    nquads = import_dataset(name, sources_dir)
    return replace_graphs(link, nquads), nquads.count(b"\n")
