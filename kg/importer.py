"""`kg import`, first step: tabular open data turned into RDF by a declarative RML mapping.

The rows are mapped by morph-kgc (an RML engine from PyPI), never by Python code written for one
dataset: what a row becomes is stated in the mapping (kg/mappings/*.rml.ttl). morph-kgc 2.x needs
rdflib<7.3 and pyoxigraph<0.4, which clash with the pins of requirements.txt, so it lives in its own
virtual environment (var/rml-venv, from requirements-rml.txt) and runs as a subprocess; its
N-Triples are loaded here into the named graph asked for, with a DCAT/VoID description of that graph.
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
from rdflib.namespace import DCAT, PROV, RDF, RDFS, VOID, XSD
from rdflib.namespace import DCTERMS as DCT

from kg import paths
from kg.namespace import DIVISION, GZ, MAPPING, SPDX

RML_REQUIREMENTS = paths.ROOT / "requirements-rml.txt"
RML_VENV = paths.ROOT / "var" / "rml-venv"
ENGINE = "morph-kgc"
MAPPINGS_DIR = paths.ROOT / "kg" / "mappings"



@dataclass(frozen=True)
class SourceInfo:
    """What the description says of the source a mapping reads."""

    title_zh: str
    title_en: str
    page: str          # the source's home (its repository)
    license: str       # IRI of the license
    date: str          # xsd:date of the source version (commit)
    files: tuple[str, ...]
    uri_space: str


# The sources known to `kg import`, by mapping file name. Facts about the source, not about its rows.
SOURCES = {
    "china-admin-divisions.rml.ttl": SourceInfo(
        title_zh="中国行政区划（国家统计局统计用区划代码，2023年）",
        title_en="China's administrative divisions (NBS statistical division codes, 2023)",
        page="https://github.com/modood/Administrative-divisions-of-China",
        license="http://www.wtfpl.net/",
        date="2024-11-28",
        files=("provinces.csv", "cities.csv", "areas.csv", "streets.csv"),
        uri_space=str(DIVISION),
    ),
}


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


def describe(graph: ox.NamedNode, triples: int, store: ox.Store, mapping: Path, sources_dir: Path,
             info: SourceInfo) -> list[ox.Quad]:
    """DCAT/VoID/PROV description of the imported graph, as quads in that graph.

    void:triples counts the triples the mapping produced (the description itself not included).
    """
    g = graph
    base = graph.value
    source = _iri(info.page)
    activity = _iri(base + "#import")
    mapping_iri = _iri(MAPPING[mapping.name.split(".")[0]])
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, graph)}
    divisions = {q.subject for q in store.quads_for_pattern(
        None, _iri(RDF["type"]), _iri(GZ["AdministrativeDivision"]), graph)}
    t = []

    def add(s, p, o):
        t.append(ox.Quad(s, _iri(p), o, g))

    add(g, RDF["type"], _iri(VOID["Dataset"]))
    add(g, RDF["type"], _iri(DCAT["Dataset"]))
    add(g, DCT["title"], _lit(info.title_zh, language="zh"))
    add(g, DCT["title"], _lit(info.title_en, language="en"))
    add(g, DCT["license"], _iri(info.license))
    add(g, DCT["source"], source)
    add(g, PROV["wasDerivedFrom"], source)
    add(g, PROV["wasGeneratedBy"], activity)
    add(g, VOID["triples"], _lit(triples, XSD["integer"]))
    add(g, VOID["entities"], _lit(len(divisions), XSD["integer"]))
    add(g, VOID["distinctSubjects"], _lit(len(subjects), XSD["integer"]))
    add(g, VOID["uriSpace"], _lit(info.uri_space))
    add(g, VOID["vocabulary"], _iri(str(GZ._NS)))
    partition = _iri(base + "#divisions")
    add(g, VOID["classPartition"], partition)
    add(partition, VOID["class"], _iri(GZ["AdministrativeDivision"]))
    add(partition, VOID["entities"], _lit(len(divisions), XSD["integer"]))

    add(source, RDF["type"], _iri(DCAT["Dataset"]))
    add(source, DCT["title"], _lit(info.title_en, language="en"))
    add(source, DCT["license"], _iri(info.license))
    add(source, DCT["modified"], _lit(info.date, XSD["date"]))
    add(source, DCAT["landingPage"], source)
    for name in info.files:
        dist = _iri(f"{info.page}/blob/master/dist/{name}")
        add(source, DCAT["distribution"], dist)
        add(dist, RDF["type"], _iri(DCAT["Distribution"]))
        add(dist, DCT["title"], _lit(name))
        add(dist, DCAT["mediaType"], _iri("https://www.iana.org/assignments/media-types/text/csv"))
        f = sources_dir / name
        if f.exists():
            add(dist, DCAT["byteSize"], _lit(f.stat().st_size, XSD["nonNegativeInteger"]))
            # DCAT 3 names a distribution's checksum with SPDX: spdx:checksum [ algorithm, value ].
            digest = ox.BlankNode()
            add(dist, SPDX["checksum"], digest)
            add(digest, SPDX["algorithm"], _iri(SPDX["checksumAlgorithm_sha256"]))
            add(digest, SPDX["checksumValue"], _lit(hashlib.sha256(f.read_bytes()).hexdigest(), XSD["hexBinary"]))

    add(activity, RDF["type"], _iri(PROV["Activity"]))
    add(activity, PROV["used"], mapping_iri)
    add(activity, PROV["used"], source)
    add(activity, PROV["wasAssociatedWith"], _iri(f"https://pypi.org/project/{ENGINE}/{engine_version()}/"))
    add(mapping_iri, RDF["type"], _iri(PROV["Plan"]))
    add(mapping_iri, DCT["conformsTo"], _iri("https://rml.io/specs/rml/"))
    add(mapping_iri, DCT["identifier"], _lit(f"kg/mappings/{mapping.name}"))
    add(mapping_iri, RDFS["comment"], _lit("sha256:" + hashlib.sha256(mapping.read_bytes()).hexdigest()))
    return t


def import_csv_dataset(mapping, sources_dir, graph_iri) -> bytes:
    """Run the RML `mapping` over the CSV files of `sources_dir`; N-Quads of graph `graph_iri`.

    The graph holds the mapped triples and a DCAT/VoID description of itself (subject `graph_iri`).
    The bytes are ready for kg.store.install (write them to a .nq file).
    """
    mapping = Path(mapping).resolve()
    sources_dir = Path(sources_dir).resolve()
    graph = _iri(str(graph_iri))
    if mapping.name not in SOURCES:
        raise ValueError(f"no source description for {mapping.name}; known: {', '.join(SOURCES)}")
    info = SOURCES[mapping.name]
    ntriples = run_mapping(mapping, sources_dir)
    store = ox.Store()
    store.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    triples = len(store)
    store.extend(describe(graph, triples, store, mapping, sources_dir, info))
    return store.dump(format=ox.RdfFormat.N_QUADS)


def import_into_store(name: str, sources_dir: Path, link: Path) -> tuple[Path, int]:
    """`kg import NAME`: map the source and replace its graph, graph/import/NAME, in the store."""
    from kg.dataset import IMPORT_GRAPHS  # noqa: PLC0415 - keeps this module light to import
    from kg.store import replace_graphs  # noqa: PLC0415

    mapping = MAPPINGS_DIR / f"{name}.rml.ttl"
    if mapping.name not in SOURCES:
        raise ValueError(f"no mapping for {name}; known: {', '.join(m.removesuffix('.rml.ttl') for m in SOURCES)}")
    nquads = import_csv_dataset(mapping, sources_dir, IMPORT_GRAPHS + name)
    return replace_graphs(link, nquads), nquads.count(b"\n")
