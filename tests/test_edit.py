"""/edit over HTTP: sign-in, forms from the shapes, the gate, review, write-back, history and revert."""
import hashlib
import json
import re

import pytest
import requests
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg import cases, dataset
from tests.conftest import EDITOR, EDITOR_PASSWORD, REVIEWER, REVIEWER_PASSWORD, editing_server

CANTEEN = {"kind": "class", "name": "CommunityCanteen", "label_zh": "社区食堂", "label_en": "Community canteen",
           "definition_zh": "为社区居民提供餐食服务的场所。", "definition_en": "A place that serves meals to community residents.",
           "parent": "gz:ServiceCenter", "alignment": "schema:CivicStructure", "why": "社区食堂在别的案例中常见"}
FACT = {"class": "gz:Community", "id": "shangqingsi-example-community", "case_file": "kg/cases/chongqing-shangqingsi.yaml",
        "label_zh": "上清寺街道某社区", "label_en": "A community of Shangqingsi", "placeLevel": "gzc:community",
        "partOfPlace": "shangqingsi-subdistrict", "evidence_section": "4.1",
        "evidence_quote": "在此期间，推出“三社联动”治理体系。", "why": "论文提到三社联动在社区推行"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with editing_server(tmp_path_factory.mktemp("editing")) as (base, root):
        yield base, root


def signed_in(base, name, password):
    s = requests.Session()
    response = s.post(f"{base}/edit/login", data={"name": name, "password": password})
    assert response.status_code == 200, response.text
    s.csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(f"{base}/edit").text).group(1)
    return s


@pytest.fixture(scope="module")
def editor(site):
    return signed_in(site[0], EDITOR, EDITOR_PASSWORD)


@pytest.fixture(scope="module")
def reviewer(site):
    return signed_in(site[0], REVIEWER, REVIEWER_PASSWORD)


def snapshot(root) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.parts[len(root.parts)] in ("ontology", "kg") and not p.name.startswith(".")}


def sources_graph(root) -> Graph:
    """Every triple of the working copy's ontology and case files, blank nodes canonically labelled."""
    g = Graph()
    for ttl in (root / "ontology").glob("*.ttl"):
        g.parse(ttl, format="turtle")
    for path in sorted((root / "kg" / "cases").glob("*.yaml")):
        g += dataset.skolemize_evidence(cases.load(path))
    return to_canonical_graph(g)


def lines(nt: list[str]) -> set:
    return set(Graph().parse(data="\n".join(nt), format="nt")) if nt else set()


def problems(response) -> str:
    return " ".join(re.findall(r'<div class="problems".*?</div>', response.text, re.S))


def propose(session, base, path, data):
    return session.post(f"{base}{path}", data={**data, "csrf": session.csrf})


def test_editing_is_off_without_an_accounts_file(server):
    assert requests.get(f"{server}/edit").status_code == 404


def test_a_wrong_password_is_refused(site):
    response = requests.post(f"{site[0]}/edit/login", data={"name": EDITOR, "password": "wrong"})
    assert response.status_code == 401 and "用户名或密码不正确" in response.text and "wrong name or password" in response.text
    assert requests.get(f"{site[0]}/edit", allow_redirects=False).status_code == 302  # to the sign-in page


def test_a_post_without_the_form_token_is_refused(site, editor):
    response = editor.post(f"{site[0]}/edit/term/new", data={**CANTEEN, "csrf": "forged"})
    assert response.status_code == 400


def test_the_fact_form_comes_from_the_shapes(site, editor):
    page = editor.get(f"{site[0]}/edit/entry/new", params={"class": "gz:AdministrativeDivision"}).text
    # gzsh:required-Place-placeLevel (minCount 1) makes the level required, and its scheme gives the choices
    assert re.search(r'<label for="placeLevel" class="required">', page)
    assert 'value="gzc:municipality"' in page and "直辖市" in page
    assert 'id="evidence_quote"' in page and 'id="partOfPlace"' in page


def test_a_quote_not_in_the_paper_is_refused_and_nothing_is_saved(site, editor):
    base, root = site
    before = snapshot(root)
    response = propose(editor, base, "/edit/entry/new", {**FACT, "id": "bad-community", "evidence_quote": "这句话不在论文里。"})
    assert response.status_code == 422
    text = problems(response)
    assert "引语不是论文原文" in text and "the quote is not in the paper" in text and "bad-community" in text
    assert snapshot(root) == before


def test_a_term_without_its_english_label_is_refused(site, editor):
    response = propose(editor, site[0], "/edit/term/new", {**CANTEEN, "label_en": ""})
    assert response.status_code == 422 and "the English label is required" in problems(response)


def test_hermit_refuses_a_class_under_two_disjoint_classes(site, editor):
    base, root = site
    before = snapshot(root)
    response = propose(editor, base, "/edit/term/new", {**CANTEEN, "name": "CommitteeOffice",
                                                        "parent": "gz:ResidentsCommittee gz:GovernmentBody"})
    assert response.status_code == 422, response.text[:300]
    text = problems(response)
    assert "CommitteeOffice" in text and "no entry could ever belong to this class" in text and "不可能有任何成员" in text
    assert snapshot(root) == before


def test_a_term_in_use_is_not_deleted(site, editor):
    response = propose(editor, site[0], "/edit/term/gz:Place", {**CANTEEN, "action": "delete"})
    assert response.status_code == 422 and "deprecate it" in problems(response) and "弃用" in problems(response)


def test_review_writes_exactly_the_triples_and_revert_restores_the_files(site, editor, reviewer):
    base, root = site
    files_before, graph_before = snapshot(root), sources_graph(root)
    term = propose(editor, base, "/edit/term/new", CANTEEN)
    fact = propose(editor, base, "/edit/entry/new", FACT)
    numbers = [int(r.url.rsplit("/", 1)[1]) for r in (term, fact)]
    assert all(r.status_code == 200 and "/edit/change/" in r.url for r in (term, fact)), problems(term) + problems(fact)
    # proposals change nothing until a reviewer accepts them; an editor may not accept
    assert set(sources_graph(root)) == set(graph_before)
    assert editor.post(f"{base}/edit/change/{numbers[0]}/accept", data={"csrf": editor.csrf}).status_code == 403
    added, removed = set(), set()
    for number in numbers:
        page = reviewer.post(f"{base}/edit/change/{number}/accept", data={"csrf": reviewer.csrf, "comment": "核对无误"})
        assert page.status_code == 200 and re.search(r'id="status">accepted', page.text), problems(page)
        change = json.loads((root / "kg" / "edits" / f"{number:04d}.json").read_text(encoding="utf-8"))
        assert change["author"] == EDITOR and change["reviewer"] == REVIEWER and change["why"] and change["reviewed"]
        added |= lines(change["added"])
        removed |= lines(change["removed"])
    after = sources_graph(root)
    assert set(after) - set(graph_before) == added and set(graph_before) - set(after) == removed == set()
    # the class (7 triples) and its alignment (2); the fact (type, 2 labels, level, parent, evidence) and its
    # evidence node (quote, section)
    assert len(added) == 7 + 2 + 8
    # the store serves the new fact
    ask = requests.get(f"{base}/sparql", params={"query": "ASK { <https://w3id.org/gongzhi/id/shangqingsi-example-"
                                                          "community> <https://w3id.org/gongzhi/ontology#partOfPlace> "
                                                          "<https://w3id.org/gongzhi/id/shangqingsi-subdistrict> }"},
                       headers={"Accept": "application/sparql-results+json"}).json()
    assert ask["boolean"] is True
    for number in reversed(numbers):
        page = reviewer.post(f"{base}/edit/change/{number}/revert", data={"csrf": reviewer.csrf, "comment": "测试撤销"})
        assert page.status_code == 200 and "reverts #" in page.text, problems(page)
    after_revert = snapshot(root)
    assert {k: v for k, v in after_revert.items() if not k.startswith("kg/edits/")} == files_before
    assert len([k for k in after_revert if k.startswith("kg/edits/") and k.endswith(".json")]) == 4


def test_editing_an_entry_changes_only_its_lines(site, editor, reviewer):
    base, root = site
    path = root / "kg" / "cases" / "chongqing-shangqingsi.yaml"
    before = path.read_text(encoding="utf-8")
    form = editor.get(f"{base}/edit/entry/shangqingsi-subdistrict").text
    assert 'value="Shangqingsi Subdistrict"' in form and 'value="gzc:subdistrict" selected' in form  # pre-filled
    response = propose(editor, base, "/edit/entry/shangqingsi-subdistrict", {
        "label_zh": "上清寺街道", "label_en": "Shangqingsi Street", "placeLevel": "gzc:subdistrict",
        "partOfPlace": "yuzhong-district", "partOfCase": "case-chongqing-shangqingsi", "nbsCode": "500103005",
        "why": "英文名称统一为 Street"})
    assert response.status_code == 200 and "/edit/change/" in response.url, problems(response)
    number = int(response.url.rsplit("/", 1)[1])
    record = json.loads((root / "kg" / "edits" / f"{number:04d}.json").read_text(encoding="utf-8"))
    assert [line.split(" ", 2)[2] for line in record["added"]] == ['"Shangqingsi Street"@en .']
    assert [line.split(" ", 2)[2] for line in record["removed"]] == ['"Shangqingsi Subdistrict"@en .']
    page = reviewer.post(f"{base}/edit/change/{number}/accept", data={"csrf": reviewer.csrf, "comment": "可以"})
    assert page.status_code == 200, problems(page)
    changed = [(a, b) for a, b in zip(before.splitlines(), path.read_text(encoding="utf-8").splitlines()) if a != b]
    assert changed == [("  label: {zh: 上清寺街道, en: Shangqingsi Subdistrict}", "  label: {zh: 上清寺街道, en: Shangqingsi Street}")]
    assert len(before.splitlines()) == len(path.read_text(encoding="utf-8").splitlines())
    reviewer.post(f"{base}/edit/change/{number}/revert", data={"csrf": reviewer.csrf, "comment": "还原"})
    assert path.read_text(encoding="utf-8") == before


def test_a_new_concept_joins_its_scheme(site, editor):
    response = propose(editor, site[0], "/edit/term/new", {
        "kind": "concept", "name": "street-committee", "label_zh": "街道居民小组", "label_en": "street residents' group",
        "definition_zh": "街道层面的居民小组。", "definition_en": "A residents' group at subdistrict level.",
        "scheme": "gzc:actor-role", "parent": "", "why": "测试"})
    assert response.status_code == 200 and "/edit/change/" in response.url, problems(response)
    record = json.loads((site[1] / "kg" / "edits" / f"{int(response.url.rsplit('/', 1)[1]):04d}.json").read_text())
    added = "\n".join(record["added"])
    assert "skos/core#inScheme> <https://w3id.org/gongzhi/concept/actor-role>" in added
    assert "<https://w3id.org/gongzhi/concept/actor-role> <http://www.w3.org/2004/02/skos/core#hasTopConcept>" in added
