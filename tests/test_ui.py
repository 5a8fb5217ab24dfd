"""The query page at /: its catalogue, its assets, and a real headless Chromium running an example query."""
import re

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kg import catalogue
from server.ui import PREFIXES

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's: Selenium downloads no driver or browser
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")
QUERIES = [q for q in catalogue.catalogue() if not q.is_violation]
CHECKS = [q for q in catalogue.catalogue() if q.is_violation]
OVERVIEW = next(q for q in QUERIES if q.name == "case-overview")
ACTIVE_TAB_NAME = ".tabsList .tab.active a[role=tab] > span"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def wait_for(browser, condition, what: str, timeout: float = 20):
    """Wait until condition(browser) is truthy; on time-out fail with the browser's console."""
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        console = "\n".join(entry["message"] for entry in browser.get_log("browser"))
        raise AssertionError(f"timed out waiting for {what}; browser console:\n{console}") from None


@pytest.fixture
def page(browser, server):
    """The page as a first-time visitor sees it: no tabs or language kept from another test."""
    browser.get(f"{server}/")
    browser.execute_script("localStorage.clear()")
    browser.get(f"{server}/")
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-catalogue") == "loaded",
             "the example catalogue to load")
    return browser


def editor_text(browser) -> str:
    return browser.execute_script(
        "return document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")


def run_and_read_table(browser) -> str:
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    rows = ".tabPanel.active .yasr_results table tbody tr"
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, rows), "result rows in the YASR table")
    return browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr_results table tbody").text


def test_queries_json_lists_every_query_with_both_titles(server):
    response = requests.get(f"{server}/queries.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert [q["name"] for q in data["queries"]] == [q.name for q in QUERIES]
    assert [q["name"] for q in data["checks"]] == [q.name for q in CHECKS]
    by_name = {q.name: q for q in QUERIES + CHECKS}
    for entry in data["queries"] + data["checks"]:
        assert entry["title"]["zh"] and entry["title"]["en"], entry["name"]
        assert entry["question"]["zh"] and entry["question"]["en"], entry["name"]
        assert entry["query"] == by_name[entry["name"]].text
    assert not any(q["name"].endswith("-violation") for q in data["queries"])


def test_assets_are_served_from_this_server(server):
    html = requests.get(f"{server}/", timeout=10).text
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "/ui/yasgui/yasgui.min.js" in sources and "/ui/yasgui/yasgui.min.css" in sources
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    script = requests.get(f"{server}/ui/yasgui/yasgui.min.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert "Yasgui" in script.text[:2000]


@pytest.mark.parametrize("path", ["/ui/yasgui/no-such-file.js", "/ui/yasgui/..%2F..%2Fpackage.json",
                                  "/ui/yasgui/%2Fetc%2Fpasswd"])
def test_unknown_or_outside_asset_is_a_json_404(server, path):
    response = requests.get(f"{server}{path}", timeout=10)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_default_tab_declares_the_project_prefixes_and_runs(page):
    text = editor_text(page)
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>" in text
    assert PREFIXES["gz"] == "https://w3id.org/gongzhi/ontology#"
    table = run_and_read_table(page)
    assert "case-chongqing-shangqingsi" in table and "case-southern-jiangsu" in table


def test_example_from_the_catalogue_runs_in_the_browser(page):
    page.find_element(By.CSS_SELECTOR, f'#example-list button[data-name="{OVERVIEW.name}"]').click()
    wait_for(page, lambda b: editor_text(b) == OVERVIEW.text, "the example in the editor")
    active = page.find_element(By.CSS_SELECTOR, ACTIVE_TAB_NAME).text
    assert active == OVERVIEW.title["zh"]
    assert page.find_element(By.ID, "question").text.startswith(OVERVIEW.question["zh"])
    table = run_and_read_table(page)
    assert "case-chongqing-shangqingsi" in table and "case-southern-jiangsu" in table
    assert len(page.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr_results table tbody tr")) == 2
    # Choosing it again selects its tab rather than opening another.
    tabs = len(page.find_elements(By.CSS_SELECTOR, ".tabsList .tab"))
    page.find_element(By.CSS_SELECTOR, f'#example-list button[data-name="{OVERVIEW.name}"]').click()
    assert len(page.find_elements(By.CSS_SELECTOR, ".tabsList .tab")) == tabs


def test_page_lists_queries_and_checks_apart(page):
    listed = [b.get_attribute("data-name") for b in page.find_elements(By.CSS_SELECTOR, "#example-list button")]
    checks = [b.get_attribute("data-name") for b in page.find_elements(By.CSS_SELECTOR, "#check-list button")]
    assert listed == [q.name for q in QUERIES]
    assert checks == [q.name for q in CHECKS]


def test_language_toggle_switches_and_is_kept(page, server):
    def shown():
        button = page.find_element(By.CSS_SELECTOR, f'#example-list button[data-name="{OVERVIEW.name}"]')
        return page.find_element(By.TAG_NAME, "h1").text, button.text

    assert page.execute_script("return document.documentElement.lang") == "zh"
    assert shown() == ("共治 · SPARQL 查询", OVERVIEW.title["zh"])
    assert page.title == "共治 · SPARQL 查询"
    page.find_element(By.ID, "lang-toggle").click()
    assert page.execute_script("return document.documentElement.lang") == "en"
    assert shown() == ("Gongzhi · SPARQL query", OVERVIEW.title["en"])
    assert page.title == "Gongzhi · SPARQL query"
    assert page.find_element(By.ID, "lang-toggle").text == "中文"
    assert "Pick an example" in page.find_element(By.CSS_SELECTOR, ".help").text
    assert page.find_element(By.CSS_SELECTOR, ACTIVE_TAB_NAME).text == "Query"

    page.get(f"{server}/")  # the choice is kept
    wait_for(page, lambda b: b.find_elements(By.CSS_SELECTOR, "#example-list button"), "the catalogue")
    assert shown() == ("Gongzhi · SPARQL query", OVERVIEW.title["en"])
    page.find_element(By.ID, "lang-toggle").click()
    assert shown() == ("共治 · SPARQL 查询", OVERVIEW.title["zh"])
    assert page.find_element(By.CSS_SELECTOR, ACTIVE_TAB_NAME).text == "查询"
