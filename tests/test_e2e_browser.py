"""End to end in a real browser: Debian's Chromium driven by Playwright against `streamlit run`.

The app is started on a free loopback port; the browser loads the sample encounter,
sees the M25.511 finding, then pastes a note full of markup and checks that it is
shown as text (no script runs, no element is injected). Every request the page makes
to anything but the local server is blocked and recorded: there must be none.

Skipped, with the reason, when Playwright or /usr/bin/chromium is missing (``.ci/run``
installs Chromium, so CI runs it). Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHARTAUDIT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-default-apps", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    "--metrics-recording-only", "--disable-domain-reliability",
]
HOSTILE_NOTE = (
    "CC: chest pain\n"
    "<script>window.__chartaudit_xss = 1</script>\n"
    'HPI: chest pain x 2 days <img src=x onerror="window.__chartaudit_xss = 2">\n'
    "Assessment: chest pain. ![tracker](http://198.51.100.7/pixel.png) $x^2$ **bold**"
)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server_url():
    port = _free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    command = [str(streamlit) if streamlit.is_file() else sys.executable, *([] if streamlit.is_file() else
               ["-m", "streamlit"]), "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser_page(server_url):
    outside: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1200})

            def guard(route):
                host = urlparse(route.request.url).hostname
                if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(90_000)
            page.goto(server_url)
            yield page, outside
        finally:
            browser.close()


def test_sample_case_shows_the_m25_511_finding(browser_page):
    page, outside = browser_page
    page.get_by_role("button", name="Load the sample encounter").click()
    finding = page.locator("[data-testid='stAlert']", has_text="unsupported_code").first
    finding.wait_for()
    assert "M25.511" in finding.inner_text()
    row = page.locator("tr.ca-code-row", has_text="M25.511")
    assert "not documented" in row.inner_text()
    supported = page.locator(".ca-note .ca-supports").first
    assert supported.inner_text().lower() == "chest pain"
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("encounter_id,type,severity,code") and any("M25.511" in row for row in rows[1:])
    assert outside == [], f"the page tried to reach other hosts: {outside}"


def test_hostile_note_is_shown_as_text(browser_page):
    page, outside = browser_page
    page.get_by_text("The note and the codes").click()
    note_box = page.get_by_label("Clinical note")
    note_box.fill(HOSTILE_NOTE)
    note_box.press("Control+Enter")
    shown = page.locator(".ca-note", has_text="<script>window.__chartaudit_xss = 1</script>")
    shown.wait_for()
    text = shown.inner_text()
    assert '<img src=x onerror="window.__chartaudit_xss = 2">' in text
    assert "![tracker](http://198.51.100.7/pixel.png)" in text and "$x^2$ **bold**" in text
    assert page.locator(".ca-note script, .ca-note img").count() == 0
    assert page.evaluate("window.__chartaudit_xss") is None
    assert outside == [], f"the page tried to reach other hosts: {outside}"


def test_batch_upload_runs_and_filters(browser_page, server_url, tmp_path):
    page, outside = browser_page
    upload = tmp_path / "claims.csv"
    upload.write_text(
        "visit,text,icd10\n"
        'v1,"CC: chest pain. Assessment: chest pain.","R07.9; M25.511"\n'
        'v2,"Assessment: hypertension, stable.",I10\n'
        'v3,"",R07.9\n',
        encoding="utf-8",
    )
    page.goto(f"{server_url}/batch")
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(str(upload))
    page.get_by_text("claims.csv: 3 rows").wait_for()
    page.get_by_text("Choose the column that holds: Encounter id").wait_for()  # "visit" is no known name
    page.locator("[data-testid='stSelectbox']", has_text="Encounter id").click()
    page.get_by_role("option", name="visit", exact=True).click()
    page.get_by_role("button", name="Run the audit").click()
    page.get_by_text("Most often unsupported codes").wait_for()
    # The charts are drawn by the Vega bundled with Streamlit: nothing is fetched to draw them.
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    encounters = page.locator("[data-testid='stMetric']", has_text="Encounters")
    assert "3" in encounters.inner_text()
    page.locator("[data-testid='stCaptionContainer']", has_text="findings shown").wait_for()
    assert page.locator("[data-testid='stAlert']").count() >= 1  # the opened encounter's verdict
    assert outside == [], f"the page tried to reach other hosts: {outside}"
