"""`kg link`: link discovery against the real divisions, review into SSSOM files, the links graph."""
import subprocess
import sys

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from kg import dataset, link, linkset, paths, sssom
from kg import store as store_mod
from kg.namespace import DIVISION, GZD, SSSOM, USER, WD

DATASET = "china-admin-divisions"
JIANGSU, BEIJING = str(DIVISION["32"]), str(DIVISION["11"])
TIER = "https://w3id.org/gongzhi/concept/"
SEMIC = paths.SHARED / "external" / "semic"


@pytest.fixture(scope="module")
def store(built):
    return ox.Store.read_only(str(built.store))


@pytest.fixture(scope="module")
def divisions(store):
    return link.load_divisions(store, DATASET)


@pytest.fixture(scope="module")
def places(store):
    return link.load_places(store)


def fresh(places, divisions):
    """What the linker proposes when nothing has been decided yet."""
    return link.propose(places, divisions, [], set(), "2026-01-01")


def test_precision_and_recall_on_the_gold_set(places, divisions):
    gold = link.read_gold()
    assert set(gold) == set(places), "the gold set must list every place of the cases"
    score = link.evaluate(fresh(places, divisions).links, divisions, gold)
    print(f"\nkg link on the gold set: precision {score.precision:.3f} ({score.true_positives}/{score.proposed}), "
          f"recall {score.recall:.3f} ({score.true_positives}/{score.gold_positives})")
    assert score.wrong == () and score.missed == ()
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert score.gold_positives == 10


def test_places_without_counterpart_get_no_proposal(places, divisions):
    proposed = {m.subject_id for m in fresh(places, divisions).proposals}
    for place in ("gzd:hong-kong", "gzd:singapore", "gzd:china", "gzd:southern-jiangsu", "gzd:wuxi-communities"):
        assert place not in proposed


def test_each_proposal_carries_score_and_evidence(places, divisions):
    by_subject = {m.subject_id: m for m in fresh(places, divisions).proposals}
    suzhou = by_subject["gzd:suzhou"]
    assert suzhou.object_id == "gzdiv:3205" and suzhou.confidence == "1.00"
    assert "parent 江苏省 = 江苏省 (32) is an ancestor" in suzhou.comment
    assert suzhou.mapping_justification == "semapv:CompositeMatching" and suzhou.match_string == "苏州市"
    # Shenzhen's parent in the cases is China, which the dataset lacks: a name-and-tier match, scored lower.
    shenzhen = by_subject["gzd:shenzhen"]
    assert shenzhen.object_id == "gzdiv:4403" and float(shenzhen.confidence) < 1
    assert "has no counterpart" in shenzhen.comment


def test_shangqingsi_is_found_through_the_grouping_row(places, divisions):
    by_subject = {m.subject_id: m for m in fresh(places, divisions).proposals}
    assert by_subject["gzd:yuzhong-district"].object_id == "gzdiv:500103"
    assert by_subject["gzd:shangqingsi-subdistrict"].object_id == "gzdiv:500103005"
    # 渝中区's parent in the data is 5001 市辖区, a grouping row, and 重庆市 above it
    assert divisions[str(DIVISION["500103"])].parent == str(DIVISION["5001"])


P, PARENT = "https://example.org/place", "https://example.org/parent"


def _one(name, tier, divisions, parent_division=None):
    """Proposals for one made-up place, under a parent place already linked to `parent_division`."""
    places = {P: link.Place(P, name, {name}, TIER + tier, None)}
    if parent_division:
        places[PARENT] = link.Place(PARENT, divisions[parent_division].name, {divisions[parent_division].name},
                                    divisions[parent_division].tier, None)
        places[P].parent = PARENT
    accepted = [sssom.Mapping("gzlink:x", PARENT, "", link.PREDICATE, sssom.contract(parent_division),
                              "", "semapv:ManualMappingCuration")] if parent_division else []
    return link.propose(places, divisions, accepted, set(), "2026-01-01")


def test_suzhou_is_jiangsu_never_anhui(divisions):
    assert divisions[str(DIVISION["3413"])].name == "宿州市"  # the trap exists in the data
    for parent in (JIANGSU, None):
        outcome = _one("苏州", "prefectural-level", divisions, parent)
        assert [m.object_id for m in outcome.proposals] == ["gzdiv:3205"]
        assert "without suffix" in outcome.proposals[0].comment


def test_an_ambiguous_name_waits_for_its_parent(divisions):
    alone = _one("朝阳区", "county-level", divisions)
    assert alone.proposals == [] and len(alone.ambiguous[P]) >= 2
    under_beijing = _one("朝阳区", "county-level", divisions, BEIJING)
    assert [m.object_id for m in under_beijing.proposals] == ["gzdiv:110105"]


def test_a_wrong_tier_rules_a_candidate_out(divisions):
    assert _one("苏州市", "county-level", divisions).proposals == []


def test_review_moves_proposals_and_remembers_rejections(built, tmp_path):
    files = {k: tmp_path / f"{k}.sssom.tsv" for k in ("proposals", "accepted", "rejected")}
    first = link.run_proposals(built.store, DATASET, files["proposals"], files["accepted"], files["rejected"])
    assert len(first.proposals) == 10
    written = sssom.read(files["proposals"])
    assert written.metadata["curie_map"]["gzdiv"] == str(DIVISION) and len(written.mappings) == 10

    accepted = link.review(["gzd:suzhou"], True, "gzuser:reviewer-a", "Reviewer A", "checked",
                           files["proposals"], files["accepted"], files["rejected"])
    rejected = link.review(["gzd:shenzhen"], False, "gzuser:reviewer-b", "Reviewer B", "parent differs",
                           files["proposals"], files["accepted"], files["rejected"])
    [a], [r] = sssom.read(files["accepted"]).mappings, sssom.read(files["rejected"]).mappings
    assert a.record_id == accepted[0].record_id == link.record_id("gzd:suzhou", link.PREDICATE, "gzdiv:3205")
    assert (a.reviewer_id, a.reviewer_label, a.predicate_modifier) == ("gzuser:reviewer-a", "Reviewer A", "")
    assert a.review_date and "review: checked" in a.comment
    assert (r.subject_id, r.predicate_modifier, r.reviewer_id) == ("gzd:shenzhen", "Not", rejected[0].reviewer_id)
    assert len(sssom.read(files["proposals"]).mappings) == 8

    again = link.run_proposals(built.store, DATASET, files["proposals"], files["accepted"], files["rejected"])
    subjects = {m.subject_id for m in again.proposals}
    assert "gzd:suzhou" not in subjects and "gzd:shenzhen" not in subjects and len(subjects) == 8

    g = linkset.links_graph(dataset.load_sources().union(), files["accepted"])
    record = URIRef(sssom.expand(a.record_id))
    assert (URIRef(GZD["suzhou"]), SKOS.exactMatch, DIVISION["3205"]) in g
    assert (record, PROV.wasAttributedTo, USER["reviewer-a"]) in g
    assert (record, DCTERMS.date, None) in g and (record, PROV.wasDerivedFrom, None) in g
    assert (record, SSSOM.confidence, None) in g
    assert (URIRef(GZD["shenzhen"]), SKOS.exactMatch, DIVISION["4403"]) not in g  # rejected, and no NBS code


def test_reviewing_an_unknown_place_is_refused(tmp_path):
    with pytest.raises(LookupError, match="gzd:nowhere"):
        link.review(["gzd:nowhere"], True, "gzuser:a", "A", "", tmp_path / "p.tsv", tmp_path / "a.tsv",
                    tmp_path / "r.tsv")
    with pytest.raises(sssom.SSSOMError, match="unknown prefix"):
        link.review(["all"], True, "nobody:a", "A", "", tmp_path / "p.tsv", tmp_path / "a.tsv", tmp_path / "r.tsv")


def test_a_bad_mapping_file_names_file_and_row(tmp_path):
    bad = tmp_path / "bad.sssom.tsv"
    bad.write_text("#curie_map: {}\nrecord_id\tsubject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\t"
                   "mapping_justification\ngzlink:1\tgzd:a\tA\tskos:exactMatch\t\tB\tsemapv:LexicalMatching\n",
                   encoding="utf-8")
    with pytest.raises(sssom.SSSOMError, match=r"bad.sssom.tsv, row 2: empty object_id"):
        sssom.read(bad)


def test_the_committed_links_agree_with_the_gold_set():
    gold = link.read_gold()
    accepted = sssom.read(link.ACCEPTED).mappings
    assert accepted, "kg/links/accepted.sssom.tsv holds the reviewed links"
    for m in accepted:
        assert m.reviewer_id and m.review_date, m
        assert sssom.expand(m.object_id) == str(DIVISION[gold[sssom.expand(m.subject_id)]]), m
    curated = [m for m in linkset.identifier_mappings(dataset.load_sources().union())
               if m.object_id.startswith("gzdiv:")]
    # the places whose NBS code places.tsv verified (not Shenzhen and Guangzhou) agree with the gold set too
    assert len(curated) == 8
    assert {(sssom.expand(m.subject_id), m.object_id.split(":")[1]) for m in curated} <= \
        {(p, c) for p, c in gold.items() if c}


def test_the_store_holds_the_links_graph(store):
    g = str(dataset.LINKS_GRAPH)
    rows = list(store.query("""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s skos:exactMatch ?o } }""", substitutions={
        ox.Variable("g"): ox.NamedNode(g), ox.Variable("s"): ox.NamedNode(str(GZD["suzhou"]))}))
    targets = {r["o"].value for r in rows}
    assert targets == {str(DIVISION["3205"]), str(WD["Q42622"]), "https://sws.geonames.org/1886760/"}
    assert dataset.is_curated(dataset.LINKS_GRAPH)


def test_identifier_targets_are_typed_so_that_the_official_shapes_accept_them(built):
    """A linker states dct:spatial with the Wikidata item of a place: the official CPSV-AP shapes ask
    that it be a dct:Location, which the links graph says; without its type triples they refuse it."""
    links = linkset.links_graph(dataset.load_sources().union())
    spatial = Graph()
    org = URIRef("https://example.org/linker/wuxi-government")
    spatial.add((org, RDF.type, URIRef("http://data.europa.eu/m8g/PublicOrganisation")))
    spatial.add((org, SKOS.prefLabel, Literal("无锡市人民政府", lang="zh")))
    for target in links.objects(URIRef(GZD["wuxi"]), SKOS.exactMatch):
        spatial.add((org, DCTERMS.spatial, target))
    assert len(set(spatial.objects(org, DCTERMS.spatial))) == 3
    shapes = Graph().parse(SEMIC / "cpsv-ap-3.2.0-SHACL.ttl")
    conforms, _, text = validate(spatial + links, shacl_graph=shapes, allow_warnings=True)
    assert conforms, text
    conforms, _, text = validate(spatial, shacl_graph=shapes, allow_warnings=True)
    assert not conforms and "Location" in text


def test_cli_evaluate_and_errors(built):
    run = subprocess.run([sys.executable, "-m", "kg", "link", "evaluate", "--store", str(built.store)],
                         cwd=paths.ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "precision / 精确率 1.000 (10/10), recall / 召回率 1.000 (10/10)" in run.stdout
    run = subprocess.run([sys.executable, "-m", "kg", "link", "accept", "gzd:suzhou"], cwd=paths.ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1 and "--reviewer" in run.stderr


ORGS = """
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix cpsv: <http://purl.org/vocab/cpsv#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/po/wuxi> a cv:PublicOrganisation ; skos:prefLabel "无锡市 人民政府"@zh, "WUXI municipal people's government"@en .
<https://example.org/rule/wuxi> a cpsv:Rule ;
    dct:title "关于进一步提高群众服务质量有效减轻社区（村）负担的工作规定"@zh .
<https://example.org/rule/decoy> a cpsv:Rule ; dct:title "无锡市人民政府"@zh .
"""


def test_organizations_and_legal_resources_link_to_resources_of_their_class(built, tmp_path):
    """An imported dataset in the EU profiles: the Wuxi government and its regulation are found under
    other spacing, case and brackets; a rule that bears the government's name is not an organization."""
    link_path = tmp_path / "store"
    store_mod.install(built.nquads, link_path)
    g = Graph().parse(data=ORGS, format="turtle")
    graph = URIRef(dataset.IMPORT_GRAPHS + "eu-profile-sample")
    nquads = "".join(f"{s.n3()} {p.n3()} {o.n3()} {graph.n3()} .\n" for s, p, o in g).encode("utf-8")
    store_mod.replace_graphs(link_path, nquads)
    files = [tmp_path / f"{k}.tsv" for k in ("proposals", "accepted", "rejected")]
    outcome = link.run_proposals(link_path, "eu-profile-sample", *files)
    found = {(m.subject_id, m.object_id) for m in outcome.proposals}
    assert found == {("gzd:wuxi-municipal-government", "https://example.org/po/wuxi"),
                     ("gzd:wuxi-burden-reduction-regulation", "https://example.org/rule/wuxi")}
    assert all(m.confidence == "0.70" and "up to case, spaces, punctuation" in m.comment for m in outcome.proposals)


def test_the_official_semic_examples_give_no_false_link(built):
    """Their organisations are Belgian: nothing of the cases may be linked to them."""
    store = ox.Store.read_only(str(built.store))
    cases = link.load_case_entities(store)
    assert len(cases) > 20
    for name in ("cpsv-ap-example", "cpov-example"):
        external = link.load_external_entities(store, name)
        assert external, name
        outcome = link.Outcome([], {}, {})
        link.propose_entities(cases, external, set(), "2026-01-01", outcome)
        assert outcome.proposals == [] and outcome.ambiguous == {}
