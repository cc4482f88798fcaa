"""`cchc-graph web` in a real browser: Debian's chromium, driven by Selenium through chromedriver, with
JavaScript switched off, against the server started here as its own process on 127.0.0.1.

Skipped where chromium or chromedriver is missing, except in CI (CI=true), where that is a failure: `.ci/run`
installs them. CCHC_SCREENSHOTS=DIR keeps the screenshots of the main pages there (the README's are taken
with CCHC_SCREENSHOTS=tests/screenshots)."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def golden(case: str) -> list[dict[str, str]]:
    with (GOLDEN / f"{case}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_graph_file):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "cchc_graph.cli", "web", "--graph", str(built_graph_file),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the web server did not start: {process.communicate()[0].decode(errors='replace')}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="cchc-chromium-")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--window-size=1280,1000", "--lang=vi"):
        options.add_argument(argument)
    # No JavaScript: every page and form must work without it.
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2,
                                              "download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str) -> None:
    folder = os.environ.get("CCHC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def by(kind: str):
    from selenium.webdriver.common.by import By
    return getattr(By, kind)


def follow(driver, element) -> None:
    """Click a link or a form's button and wait until the page it leads to has replaced the old one: read too
    early, the old page's elements go stale under the test (it failed so under load)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(by("TAG_NAME"), "html")
    element.click()

    def replaced(_driver) -> bool:
        # Chromium reports the old page's node as stale, or, caught mid-navigation, as "Node with given id
        # does not belong to the document" (a plain WebDriverException; the suite failed so once under load).
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise

    WebDriverWait(driver, 30).until(replaced)


def texts(driver, selector: str) -> list[str]:
    return [element.text for element in driver.find_elements(by("CSS_SELECTOR"), selector)]


def test_no_page_has_a_script(browser, server):
    for path in ("/", "/id/plan/ninh-binh-2023", "/id/plan/ninh-binh-2023/row/I-01", "/search?q=so", "/validation",
                 "/queries/due-in-quarter", "/sparql", "/ontology"):
        browser.get(server + path)
        assert browser.find_element(by("TAG_NAME"), "h1").text
        assert not browser.find_elements(by("TAG_NAME"), "script")


def test_home_plan_table_filter_row_and_agency(browser, server):
    browser.get(server + "/")
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Kế hoạch cải cách hành chính"
    screenshot(browser, "home")
    follow(browser, browser.find_element(by("LINK_TEXT"), "ninh-binh-2023"))
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Kế hoạch ninh-binh-2023"
    assert len(texts(browser, "table.plan tbody tr")) == 64
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(by("NAME"), "area")).select_by_value("III")
    follow(browser, browser.find_element(by("CSS_SELECTOR"), "form.filters button"))
    assert [t.split()[0] for t in texts(browser, "table.plan tbody tr")] == [f"III-0{n}" for n in range(1, 7)]
    screenshot(browser, "plan")
    follow(browser, browser.find_element(by("LINK_TEXT"), "III-01"))
    assert browser.find_element(by("TAG_NAME"), "h1").text.startswith("Dòng III-01")
    screenshot(browser, "row")
    follow(browser, browser.find_element(by("LINK_TEXT"), "Sở Nội vụ"))
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Sở Nội vụ"
    rows = [t.split()[0] for t in texts(browser, "table tbody tr")]
    assert rows == [r["row_id"] for r in golden("agency-involvement_so-noi-vu")]
    screenshot(browser, "agency")


def test_search_without_diacritics(browser, server):
    browser.get(server + "/")
    box = browser.find_element(by("ID"), "q")
    box.send_keys("so noi vu")
    follow(browser, browser.find_element(by("CSS_SELECTOR"), "form.search button"))
    assert browser.current_url == server + "/search?q=so+noi+vu"
    hits = browser.find_elements(by("CSS_SELECTOR"), "ol.hits li a")
    assert hits[0].text == "Sở Nội vụ"
    screenshot(browser, "search")
    follow(browser, hits[0])
    assert browser.current_url in (server + "/id/agency/ninh-binh/so-noi-vu", server + "/id/agency/ninh-binh-2025/so-noi-vu")
    browser.get(server + "/search?q=nghi+dinh+62")
    first = browser.find_elements(by("CSS_SELECTOR"), "ol.hits li a")[0]
    assert first.text == "62/2020/NĐ-CP"
    follow(browser, first)
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Nghị định 62/2020/NĐ-CP"


def test_submit_a_query_form_and_download_its_csv(browser, server, downloads):
    browser.get(server + "/queries")
    follow(browser, browser.find_element(by("LINK_TEXT"), "due-in-quarter"))
    browser.find_element(by("ID"), "param-year").send_keys("2023")
    browser.find_element(by("ID"), "param-quarter").send_keys("III")
    follow(browser, browser.find_element(by("ID"), "run"))
    expected = [r["row_id"] for r in golden("due-in-quarter_2023-3")]
    assert [t.split()[0] for t in texts(browser, "table.answer tbody tr")] == expected
    screenshot(browser, "query")
    browser.find_element(by("ID"), "download-csv").click()
    target = downloads / "due-in-quarter.csv"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["row_id"] for r in rows] == expected
    assert [r["timeframe"] for r in rows] == [r["timeframe"] for r in golden("due-in-quarter_2023-3")]


def test_a_bad_value_is_shown_on_the_form(browser, server):
    browser.get(server + "/queries/overdue-rows?run=1&date=31/02/2023")
    assert browser.find_element(by("CSS_SELECTOR"), "p.error").text == (
        "Lỗi: parameter date='31/02/2023': not a date; write YYYY-MM-DD or DD/MM/YYYY (2023-07-01 or 01/07/2023)")


def test_english_switch_validation_report_and_print_stylesheet(browser, server):
    browser.get(server + "/validation")
    follow(browser, browser.find_element(by("ID"), "switch"))
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Validation report"
    assert browser.current_url == server + "/validation"
    screenshot(browser, "validation")
    header = browser.find_element(by("CSS_SELECTOR"), "header.site")
    assert header.is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not header.is_displayed()  # navigation and forms are not printed
        assert browser.find_element(by("TAG_NAME"), "h1").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    follow(browser, browser.find_element(by("ID"), "switch"))
    assert browser.find_element(by("TAG_NAME"), "h1").text == "Kết quả kiểm tra"


def test_the_ontology_and_sparql_pages(browser, server):
    browser.get(server + "/ontology")
    assert browser.find_element(by("ID"), "PlanRow").find_element(by("TAG_NAME"), "h3").text == "cchc:PlanRow"
    screenshot(browser, "ontology")
    browser.get(server + "/sparql")
    follow(browser, browser.find_element(by("CSS_SELECTOR"), "main form button"))
    assert "query=" in browser.current_url
    assert texts(browser, "p.error") == []
    assert len(texts(browser, "table.answer tbody tr")) == 10
