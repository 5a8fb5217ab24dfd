"""`kg import`: the China administrative divisions CSVs through the RML mapping (morph-kgc)."""
import csv
import time

import pyoxigraph as ox
import pytest

from kg import importer, paths

SOURCES = paths.SHARED / "external" / "china-admin-divisions"
MAPPING = paths.ROOT / "kg" / "mappings" / "china-admin-divisions.rml.ttl"
GRAPH = "https://w3id.org/gongzhi/graph/china-admin-divisions"
DIV = "https://w3id.org/gongzhi/division/"
PREFIXES = """PREFIX gz: <https://w3id.org/gongzhi/ontology#>
PREFIX gzc: <https://w3id.org/gongzhi/concept/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
LEVELS = {"provinces": "provincial-level", "cities": "prefectural-level", "areas": "county-level",
          "streets": "township-level"}


def rows(name):
    with open(SOURCES / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def store():
    assert SOURCES.is_dir(), f"the external datasets are missing: {SOURCES}"
    importer.ensure_engine()
    start = time.perf_counter()
    nquads = importer.import_csv_dataset(MAPPING, SOURCES, GRAPH)
    elapsed = time.perf_counter() - start
    s = ox.Store()
    s.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    print(f"\nimport of china-admin-divisions: {elapsed:.2f} s, {len(s)} quads")
    return s


def select(store, query):
    return [[t.value if t is not None else None for t in row]
            for row in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def test_row_counts_per_level(store):
    for name, level in LEVELS.items():
        expected = len(rows(name))
        got = select(store, f"""SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{
            ?d a gz:AdministrativeDivision ; gz:placeLevel gzc:{level} ; gz:nbsCode ?c ; rdfs:label ?l }}""")
        assert int(got[0][0]) == expected, (name, got, expected)
    assert [len(rows(n)) for n in LEVELS] == [31, 342, 2978, 41352]


def test_every_division_has_one_label_code_level(store):
    bad = select(store, """SELECT ?d WHERE { ?d a gz:AdministrativeDivision .
        { SELECT ?d (COUNT(DISTINCT ?l) AS ?nl) (COUNT(DISTINCT ?c) AS ?nc) (COUNT(DISTINCT ?v) AS ?nv)
          WHERE { ?d a gz:AdministrativeDivision ; rdfs:label ?l ; gz:nbsCode ?c ; gz:placeLevel ?v } GROUP BY ?d }
        FILTER (?nl != 1 || ?nc != 1 || ?nv != 1) }""")
    assert bad == []
    tagged = select(store, """SELECT (COUNT(*) AS ?n) WHERE { ?d gz:nbsCode ?c ; rdfs:label ?l .
        FILTER (langMatches(lang(?l), "zh") && datatype(?c) = xsd:string && STRENDS(STR(?d), ?c)) }""".replace(
        "xsd:string", "<http://www.w3.org/2001/XMLSchema#string>"))
    assert int(tagged[0][0]) == 44703


def test_shangqingsi_chain(store):
    got = select(store, """SELECT ?code ?area ?areaName ?city ?cityName ?prov ?provName WHERE {
        ?s rdfs:label "上清寺街道"@zh ; gz:nbsCode ?code ; gz:partOfPlace ?area .
        ?area rdfs:label ?areaName ; gz:partOfPlace ?city .
        ?city rdfs:label ?cityName ; gz:partOfPlace ?prov .
        ?prov rdfs:label ?provName }""")
    # 渝中区 (500103) lies in the city-tier row 5001 "市辖区" of 重庆市 (50), as the data has it.
    assert got == [["500103005", DIV + "500103", "渝中区", DIV + "5001", "市辖区", DIV + "50", "重庆市"]]


@pytest.mark.parametrize("city,province", [("苏州市", "江苏省"), ("宿州市", "安徽省")])
def test_city_under_province(store, city, province):
    got = select(store, f"""SELECT ?p WHERE {{ ?c rdfs:label "{city}"@zh ; gz:placeLevel gzc:prefectural-level ;
        gz:partOfPlace ?p . ?p rdfs:label "{province}"@zh ; gz:placeLevel gzc:provincial-level }}""")
    assert len(got) == 1


def test_one_parent_except_provinces(store):
    wrong = select(store, """SELECT ?d ?n WHERE {
        { SELECT ?d (COUNT(DISTINCT ?p) AS ?n) WHERE { ?d a gz:AdministrativeDivision .
            OPTIONAL { ?d gz:partOfPlace ?p . ?p a gz:AdministrativeDivision } } GROUP BY ?d }
        ?d gz:placeLevel ?level .
        FILTER ((?level = gzc:provincial-level && ?n != 0) || (?level != gzc:provincial-level && ?n != 1)) } LIMIT 10""")
    assert wrong == []
    # the parent is always one tier up
    order = {"provincial-level": 0, "prefectural-level": 1, "county-level": 2, "township-level": 3}
    pairs = select(store, """SELECT ?a ?b (COUNT(*) AS ?n) WHERE { ?d gz:partOfPlace ?p ;
        gz:placeLevel ?a . ?p gz:placeLevel ?b } GROUP BY ?a ?b""")
    for a, b, _ in pairs:
        assert order[a.rsplit("/", 1)[1]] == order[b.rsplit("/", 1)[1]] + 1


def test_description(store):
    got = select(store, f"""SELECT ?triples ?license ?date ?mapping WHERE {{ GRAPH <{GRAPH}> {{
        <{GRAPH}> a void:Dataset ; void:triples ?triples ; dct:license ?license ; dct:source ?src ;
            prov:wasGeneratedBy ?act .
        ?src dct:modified ?date . ?act prov:used ?mapping . ?mapping dct:identifier ?id }} }}""")
    assert len(got) == 1
    triples, license_, date, mapping = got[0]
    data = select(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o
        FILTER STRSTARTS(STR(?s), "{DIV}") }} }}""")
    assert int(triples) == int(data[0][0]) == 44703 * 5 - 31
    assert license_ == "http://www.wtfpl.net/" and date == "2024-11-28"
    assert mapping == "https://w3id.org/gongzhi/mapping/china-admin-divisions"


def test_kg_import_replaces_the_graph_in_the_store_atomically(tmp_path):
    """`kg import` twice: the divisions graph is replaced, not doubled; the case graphs stay; updates cannot touch it."""
    import subprocess
    import sys

    from kg import build, dataset
    from kg.namespace import GRAPH as GRAPHS

    link = tmp_path / "store"
    assert build.build(tmp_path / "gongzhi.nq", link).ok
    command = [sys.executable, "-m", "kg", "import", "china-admin-divisions", "--sources", str(SOURCES),
               "--store", str(link)]
    sizes = []
    for _ in range(2):
        run = subprocess.run(command, cwd=paths.ROOT, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        store = ox.Store.read_only(str(link.resolve()))
        sizes.append(len(list(store.quads_for_pattern(None, None, None,
                                                       ox.NamedNode(str(GRAPHS["import/china-admin-divisions"]))))))
        assert list(store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS["case/general"]))))
    assert sizes[0] == sizes[1] > 200_000
    assert dataset.is_curated(GRAPHS["import/china-admin-divisions"])
