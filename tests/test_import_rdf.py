"""`kg import` of RDF datasets: the official SEMIC examples (CPSV-AP 3.2.0, CPOV 2.1.2) next to the cases."""
import shutil
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import rdflib

from kg import build, importer, paths

SEMIC = paths.SHARED / "external" / "semic"
EXAMPLES = {"cpsv-ap-example": "cpsv-ap-3.2.0-example.ttl", "cpov-example": "cpov-2.1.2-example.ttl"}
IMPORTS = "https://w3id.org/gongzhi/graph/import/"
PREFIXES = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "gz": "https://w3id.org/gongzhi/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "void": "http://rdfs.org/ns/void#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "spdx": "http://spdx.org/rdf/terms#",
}


def graph(name):
    return ox.NamedNode(IMPORTS + name)


def kg_import(*args):
    return subprocess.run([sys.executable, "-m", "kg", "import", *map(str, args)], cwd=paths.ROOT,
                          capture_output=True, text=True)


def open_store(link):
    return ox.Store.read_only(str(link.resolve()))


def select(store, query, **bindings):
    """Rows of a SELECT over the store, values passed as substitutions, never pasted into the text.

    pyoxigraph substitutes only variables the query projects: the rows leave those columns out.
    """
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                            substitutions={ox.Variable(k): v for k, v in bindings.items()})
    free = [v for v in solutions.variables if v.value not in bindings]
    return [[row[v].value if row[v] is not None else None for v in free] for row in solutions]


def quads(link):
    return set(open_store(link))


def blank_nodes(store, name):
    return {t for q in store.quads_for_pattern(None, None, None, graph(name))
            for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}


@pytest.fixture(scope="module")
def link(tmp_path_factory):
    """A store built from the ontology and cases, with both SEMIC examples imported."""
    root = tmp_path_factory.mktemp("import-rdf")
    result = build.build(root / "gongzhi.nq", root / "store")
    assert result.ok, [str(p) for p in result.errors + result.violations]
    for name in EXAMPLES:
        started = time.perf_counter()
        _, count = importer.import_into_store(name, None, root / "store")
        print(f"\nimport of {name}: {time.perf_counter() - started:.3f} s, {count} quads")
    return root / "store"


@pytest.mark.parametrize("name", EXAMPLES)
def test_void_triples_counts_the_source_file(link, name):
    source = len(rdflib.Graph().parse(SEMIC / EXAMPLES[name]))
    got = select(open_store(link), "SELECT ?g ?n WHERE { GRAPH ?g { ?g a void:Dataset, dcat:Dataset ; void:triples ?n } }",
                 g=graph(name))
    assert [[str(source)]] == got
    described = select(open_store(link), "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", g=graph(name))
    assert int(described[0][0]) > source  # the data and the description of it


@pytest.mark.parametrize("name,version,title", [
    ("cpsv-ap-example", "3.2.0", "cpsv-ap-3.2.0-example.ttl"),
    ("cpov-example", "2.1.2", "cpov-2.1.2-example.ttl"),
])
def test_description(link, name, version, title):
    got = select(open_store(link), """SELECT ?g ?version ?title ?license ?src ?modified ?size ?sum ?syntax WHERE { GRAPH ?g {
        ?g dct:title ?zh, ?en ; dct:license ?license ; dct:source ?src ; prov:wasDerivedFrom ?src ;
           void:distinctSubjects ?subjects ; void:entities ?entities ; prov:wasGeneratedBy ?act .
        FILTER (lang(?zh) = "zh" && lang(?en) = "en")
        ?src dct:modified ?modified ; owl:versionInfo ?version ; dcat:distribution ?dist .
        ?dist dct:title ?title ; dcat:byteSize ?size ; dct:conformsTo ?syntax ;
              spdx:checksum [ spdx:checksumValue ?sum ] .
        ?act prov:used ?src, ?dist } }""", g=graph(name), version=ox.Literal(version), title=ox.Literal(title))
    assert len(got) == 1
    license_, src, _, size, _, syntax = got[0]
    assert license_ == "https://creativecommons.org/licenses/by/4.0/"
    assert src.startswith("https://semiceu.github.io/") and src.endswith(f"/releases/{version}/")
    assert int(size) == (SEMIC / title).stat().st_size
    assert syntax == "http://www.w3.org/ns/formats/Turtle"


def test_quirks_are_stated_not_fixed(link):
    store = open_store(link)
    typo = ox.NamedNode("http://w3.org/ns/locn#")
    vocabularies = select(store, "SELECT ?g ?v WHERE { GRAPH ?g { ?g void:vocabulary ?v } }", g=graph("cpov-example"))
    assert [typo.value] in vocabularies and ["http://www.w3.org/ns/locn#"] not in vocabularies
    addresses = select(store, "SELECT ?g ?c ?a WHERE { GRAPH ?g { ?a a ?c } }", g=graph("cpov-example"),
                       c=ox.NamedNode(typo.value + "Address"))
    assert addresses == [["http://example.com/ad"]]
    for name, needle in [("cpov-example", "http://w3.org/ns/locn#"), ("cpsv-ap-example", "ex:certicate")]:
        langs = select(store, """SELECT DISTINCT ?g ?needle (lang(?c) AS ?l) WHERE { GRAPH ?g { ?g rdfs:comment ?c
            FILTER CONTAINS(STR(?c), ?needle) } } ORDER BY ?l""", g=graph(name), needle=ox.Literal(needle))
        assert langs == [["en"], ["zh"]], name


def test_analyst_query_sees_semic_services_next_to_the_cases(link):
    """One query, GRAPH ?g: gz public services of the cases and cpsv:PublicService of the SEMIC example."""
    rows = select(open_store(link), """SELECT ?g ?service ?name WHERE {
        GRAPH ?g { ?service a ?class . OPTIONAL { ?service rdfs:label|dct:title ?name FILTER(lang(?name) = "en") } }
        GRAPH <https://w3id.org/gongzhi/graph/alignment> { ?class rdfs:subClassOf* cpsv:PublicService }
        } ORDER BY ?g ?service""")
    graphs = {g for g, _, _ in rows}
    assert IMPORTS + "cpsv-ap-example" in graphs
    assert any(g.startswith("https://w3id.org/gongzhi/graph/case/") for g in graphs)
    assert [IMPORTS + "cpsv-ap-example", "http://example.com/publicService1", "Tax-on-web"] in rows


def test_reimport_replaces_and_renews_blank_nodes(link):
    before = open_store(link)
    size, blanks = len(before), blank_nodes(before, "cpov-example")
    assert len(blanks) == 8 + 1  # the file's eight, and the checksum node of the description
    importer.import_into_store("cpov-example", None, link)
    after = open_store(link)
    assert len(after) == size
    assert len(blank_nodes(after, "cpov-example")) == len(blanks)
    assert not blank_nodes(after, "cpov-example") & blanks
    assert not blank_nodes(after, "cpov-example") & blank_nodes(after, "cpsv-ap-example")


def test_cli_imports_by_name_and_rejects_unknown_names(link):
    run = kg_import("cpov-example", "--store", link)
    assert run.returncode == 0, run.stderr
    assert "cpov-example" in run.stdout
    version, before = link.resolve(), quads(link)
    run = kg_import("no-such-dataset", "--store", link)
    assert run.returncode == 1
    assert all(name in run.stderr for name in ("china-admin-divisions", "cpsv-ap-example", "cpov-example"))
    assert link.resolve() == version and quads(link) == before


def test_broken_file_leaves_the_store_unchanged(link, tmp_path):
    for name in EXAMPLES.values():
        shutil.copy(SEMIC / name, tmp_path / name)
    broken = tmp_path / EXAMPLES["cpsv-ap-example"]
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[17] = lines[17].replace("ex:requirement1 ;", "ex:requirement1 ;;; <unclosed ;")  # line 18
    broken.write_text("".join(lines), encoding="utf-8")
    version, before = link.resolve(), quads(link)
    run = kg_import("cpsv-ap-example", "--sources", tmp_path, "--store", link)
    assert run.returncode == 1
    assert f"{broken}:18:" in run.stderr, run.stderr
    assert link.resolve() == version and quads(link) == before


@pytest.mark.parametrize("suffix", [".nt", ".rdf", ".owl", ".jsonld", ".trig", ".nq"])
def test_any_common_syntax(tmp_path, suffix):
    source = SEMIC / EXAMPLES["cpov-example"]
    expected = rdflib.Graph().parse(source)
    file = tmp_path / f"example{suffix}"
    fmt = importer.rdf_format(file)
    file.write_bytes(ox.serialize(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE), format=fmt))
    assert len(importer.parse_rdf(file, "http://example.com/")) == len(expected)


def test_rdf_xml_error_names_the_line(tmp_path):
    file = tmp_path / "broken.rdf"
    file.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                    '<rdf:Description rdf:about="http://example.com/a">\n</rdf:RDF>\n', encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{file}:3: "):
        importer.parse_rdf(file, "http://example.com/")


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="extension"):
        importer.rdf_format(tmp_path / "example.csv")
    with pytest.raises(FileNotFoundError):
        importer.parse_rdf(tmp_path / "missing.ttl", "http://example.com/")
