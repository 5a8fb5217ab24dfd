"""`kg docs`: the ontology's HTML documentation, made by pyLODE, one page in English and one in Chinese.

pyLODE renders whichever label it meets first, so each page is made from a copy of the ontology (with the
alignment) that keeps only the literals of its language. pyLODE 3.3 documents classes and properties, not
SKOS concepts: each page lists the concept schemes with links to their own pages (/concept/...).
The pages are build output (docs/ontology/, not in git); the service makes them on first request.
"""
import fcntl
import hashlib
import html
import logging
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg import paths
from kg.namespace import GZC, ONTOLOGY

DOCS_DIR = paths.ROOT / "docs" / "ontology"
LANGUAGES = ("en", "zh")
# What the pages are made from; a change to any of them (or another pyLODE) makes them again.
INPUTS = (paths.ONTOLOGY, paths.ALIGNMENT, paths.CONCEPTS, Path(__file__))
ALIGNMENT_IRI = URIRef("https://w3id.org/gongzhi/alignment")
STAMP = ".sources"
# The RDF the service gives at /ontology, by extension, for the links at the top of each page.
RDF_LINKS = (("Turtle", "ttl"), ("RDF/XML", "rdf"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"))
# pyLODE writes its headings and property names in English: their Chinese for the Chinese page.
CHROME_ZH = {
    "Metadata": "元数据", "Classes": "类", "Properties": "属性", "Object Properties": "对象属性",
    "Datatype Properties": "数据属性", "Annotation Properties": "注释属性", "Functional Properties": "函数型属性",
    "Namespaces": "命名空间", "Legend": "图例", "Table of Contents": "目录", "IRI": "IRI",
    "Description": "描述", "Is Defined By": "定义于", "Domain": "定义域", "Range": "值域",
    "Domain Includes": "定义域包括", "Range Includes": "值域包括", "Sub Class Of": "父类",
    "Super Class Of": "子类", "Sub Property Of": "父属性", "Super Property Of": "子属性",
    "In Domain Of": "作为定义域", "In Range Of": "作为值域", "In Domain Includes Of": "作为定义域之一",
    "In Range Includes Of": "作为值域之一", "Inverse Of": "逆属性", "Equivalent Class": "等价类",
    "Equivalent Property": "等价属性", "Disjoint With": "不相交于", "Restriction": "限制", "or": "或", "and": "且",
    "Title": "标题", "License": "许可协议", "Source": "来源", "Version Iri": "版本 IRI",
    "Version Info": "版本信息", "Preferred Namespace Prefix": "首选命名空间前缀",
    "Preferred Namespace Uri": "首选命名空间 URI", "Has Member": "成员", "Example": "示例",
    "Scope Note": "范围说明", "Definition": "定义", "Alternative Label": "别名", "See Also": "另见",
    "Comment": "注释", "Label": "标签",
}
NAV = {
    "en": {"other": ("zh", "中文"), "rdf": "This ontology as RDF: ", "schemes": "Concept schemes (SKOS): ",
           "query": "Query the knowledge graph (SPARQL)"},
    "zh": {"other": ("en", "English"), "rdf": "本体的 RDF 格式：", "schemes": "概念体系（SKOS）：",
           "query": "查询知识图谱（SPARQL）"},
}


def page_path(out: Path, lang: str) -> Path:
    return out / f"index.{lang}.html"


def sources_digest() -> str:
    digest = hashlib.sha256(metadata.version("pylode").encode())
    for path in INPUTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current(out: Path = DOCS_DIR) -> bool:
    stamp = out / STAMP
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == sources_digest() and \
        all(page_path(out, lang).exists() for lang in LANGUAGES)


def documented_graph(lang: str) -> Graph:
    """The ontology with its alignment, every text in `lang` only; the alignment's own header left out."""
    source = Graph()
    for path in (paths.ONTOLOGY, paths.ALIGNMENT):
        source.parse(path, format="turtle")
    g = Graph()
    for prefix, namespace in source.namespaces():
        g.bind(prefix, namespace, override=True)
    for s, p, o in source:
        if s == ALIGNMENT_IRI or (s == ONTOLOGY and p == RDFS.label):  # the title is dcterms:title
            continue
        if isinstance(o, Literal) and o.language and o.language.split("-")[0] != lang:
            continue
        g.add((s, p, o))
    return g


def _schemes(lang: str) -> list[tuple[str, str]]:
    """The concept schemes as (local name, label in `lang`), by label."""
    g = Graph().parse(paths.CONCEPTS, format="turtle")
    found = []
    for scheme in g.subjects(RDF.type, SKOS.ConceptScheme):
        labels = {o.language: str(o) for o in g.objects(scheme, SKOS.prefLabel)}
        found.append((str(scheme)[len(str(GZC._NS)):], labels.get(lang) or labels.get("en") or str(scheme)))
    return sorted(found, key=lambda s: s[1])


def _nav(lang: str) -> str:
    words = NAV[lang]
    other, other_name = words["other"]
    rdf = " · ".join(f'<a href="/ontology.{ext}">{name}</a>' for name, ext in RDF_LINKS)
    schemes = " · ".join(f'<a href="/concept/{html.escape(local)}">{html.escape(label)}</a>'
                         for local, label in _schemes(lang))
    return (f'<nav id="gongzhi-nav" class="section">'
            f'<p><a href="?lang={other}" hreflang="{other}" lang="{other}">{other_name}</a>'
            f' · <a href="/">{words["query"]}</a></p>'
            f'<p>{words["rdf"]}{rdf}</p><p>{words["schemes"]}{schemes}</p></nav>')


def _localize(page: str, lang: str) -> str:
    page = page.replace("<html>", f'<html lang="{"zh-Hans" if lang == "zh" else "en"}">', 1)
    page = page.replace('<div id="content">', f'<div id="content">{_nav(lang)}', 1)
    if lang == "zh":
        page = re.sub(r">(\s*)([A-Z][A-Za-z ]*|or|and)(\s*)<",
                      lambda m: f">{m.group(1)}{CHROME_ZH.get(m.group(2), m.group(2))}{m.group(3)}<", page)
    return page


def render(lang: str) -> str:
    from pylode import OntPub  # noqa: PLC0415 - pyLODE sets the root logger to DEBUG when imported

    logging.getLogger().setLevel(logging.WARNING)
    return _localize(OntPub(documented_graph(lang), sort_subjects=True).make_html(), lang)


def build(out: Path = DOCS_DIR) -> list[Path]:
    """Write both pages and the stamp of their sources, each file replaced whole."""
    out.mkdir(parents=True, exist_ok=True)
    digest = sources_digest()
    written = []
    for lang in LANGUAGES:
        target = page_path(out, lang)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(render(lang), encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    (out / STAMP).write_text(digest + "\n", encoding="utf-8")
    return written


def ensure(out: Path = DOCS_DIR, timeout: float = 300) -> None:
    """Make the pages if they are missing or stale, in a child process (pyLODE changes global logging),
    one process at a time (the others wait and then find them current)."""
    if is_current(out):
        return
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if is_current(out):
                return
            proc = subprocess.run([sys.executable, "-m", "kg", "docs", "--out", str(out)], cwd=paths.ROOT,
                                  capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0:
                raise RuntimeError(f"kg docs failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
