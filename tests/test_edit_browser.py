"""The editor in a real browser (Debian's Chromium, headless): an editor proposes a term and a case fact,
a bad edit is refused with its explanation, a reviewer accepts, the sources change by exactly the
recorded triples, and reverting restores them byte for byte."""
import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import EDITOR, EDITOR_PASSWORD, REVIEWER, REVIEWER_PASSWORD, editing_server
from tests.test_edit import CANTEEN, FACT, lines, snapshot, sources_graph
from tests.test_ui import browser, wait_for  # noqa: F401 - the Chromium fixture

SLOW = 180  # an accepted edit is gated (SHACL, HermiT) and the store rebuilt before the page returns


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with editing_server(tmp_path_factory.mktemp("editing-browser")) as (base, root):
        yield base, root


def sign_in(browser, base, name, password):
    browser.get(f"{base}/edit")
    wait_for(browser, lambda b: "/edit/login" in b.current_url, "the sign-in page")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "sign-in").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "pending"), "the editor's home page")


def fill(browser, values: dict):
    for key, value in values.items():
        element = browser.find_element(By.ID, key)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def submit_and_wait(browser, button: str, what: str, timeout: float = SLOW):
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, button).click()
    wait_for(browser, lambda b: old.id != b.find_element(By.TAG_NAME, "html").id, what, timeout)


def test_edit_review_and_revert_in_the_browser(browser, site):  # noqa: F811 - the fixture imported above
    base, root = site
    files_before, graph_before = snapshot(root), sources_graph(root)

    sign_in(browser, base, EDITOR, EDITOR_PASSWORD)
    browser.find_element(By.ID, "new-class").click()
    fill(browser, {k: v for k, v in CANTEEN.items() if k != "kind"})
    submit_and_wait(browser, "propose", "the proposed term")
    assert "/edit/change/" in browser.current_url and browser.find_element(By.ID, "status").text == "pending"
    term_change = int(browser.current_url.rsplit("/", 1)[1])

    browser.get(f"{base}/edit/entry/new?class=gz:Community")
    fill(browser, {k: v for k, v in FACT.items() if k != "class"})
    submit_and_wait(browser, "propose", "the proposed fact")
    assert "/edit/change/" in browser.current_url
    fact_change = int(browser.current_url.rsplit("/", 1)[1])

    # a bad edit: the quote is not the paper's; refused with the reason in both languages, nothing kept
    browser.get(f"{base}/edit/entry/new?class=gz:Community")
    fill(browser, {**{k: v for k, v in FACT.items() if k != "class"}, "id": "bad-community",
                   "evidence_quote": "上清寺街道有十个社区。"})
    submit_and_wait(browser, "propose", "the refusal")
    refusal = browser.find_element(By.ID, "problems").text
    assert "修改未被保存" in refusal and "The change was not saved" in refusal
    assert "引语不是论文原文" in refusal and "the quote is not in the paper" in refusal
    assert browser.find_element(By.ID, "evidence_quote").get_attribute("value") == "上清寺街道有十个社区。"  # kept for fixing

    browser.find_element(By.ID, "logout").click()
    sign_in(browser, base, REVIEWER, REVIEWER_PASSWORD)
    for number in (term_change, fact_change):
        browser.get(f"{base}/edit/change/{number}")
        fill(browser, {"comment": "与论文核对无误 / checked against the paper"})
        submit_and_wait(browser, "accept", f"edit #{number} to be accepted")
        assert browser.find_element(By.ID, "status").text.startswith("accepted")

    added = set()
    for number in (term_change, fact_change):
        record = json.loads((root / "kg" / "edits" / f"{number:04d}.json").read_text(encoding="utf-8"))
        assert (record["author"], record["reviewer"], record["status"]) == (EDITOR, REVIEWER, "accepted")
        added |= lines(record["added"])
    after = set(sources_graph(root))
    assert after - set(graph_before) == added and not set(graph_before) - after
    assert "- id: shangqingsi-example-community" in (root / FACT["case_file"]).read_text(encoding="utf-8")

    for number in (fact_change, term_change):
        browser.get(f"{base}/edit/change/{number}")
        fill(browser, {"comment": "撤销测试 / revert test"})
        submit_and_wait(browser, "revert", f"edit #{number} to be reverted")
        assert "reverts #" in browser.find_element(By.ID, "status").text
    restored = {k: v for k, v in snapshot(root).items() if not k.startswith("kg/edits/")}
    assert restored == files_before
