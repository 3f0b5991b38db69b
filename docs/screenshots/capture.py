"""Take the README's screenshots of the viewer, and time an interaction on a 1,000-word note.

Starts ``streamlit run app.py`` on a free loopback port, drives Debian's Chromium with
Playwright (no browser download), and writes ``check.png``, ``batch.png`` and
``lookup.png`` next to this file. With ``--measure`` it also pastes a 1,000-word note
(an MTSamples note from ``../shared/data/mtsamples.csv`` when present, else the sample
note repeated) and reports how long the page takes to show the updated result after
the codes change.

Usage::

    .venv/bin/python docs/screenshots/capture.py [--measure] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MTSAMPLES = ROOT.parent / "shared" / "data" / "mtsamples.csv"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

logger = logging.getLogger("capture")


def free_port() -> int:
    """A free TCP port on the loopback interface.

    Usage::

        port = free_port()
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """Start the viewer on 127.0.0.1:port and wait for its health endpoint.

    Usage::

        server = start_server(free_port())
    """
    streamlit = Path(sys.executable).with_name("streamlit")
    server = subprocess.Popen(
        [str(streamlit), "run", str(ROOT / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise TimeoutError("the viewer did not start within 90 s")


def long_note(words: int = 1000) -> tuple[str, str]:
    """A note of about ``words`` words and where it comes from (MTSamples or the sample, repeated).

    Usage::

        note, source = long_note(1000)
    """
    if MTSAMPLES.is_file():
        csv.field_size_limit(10_000_000)
        with open(MTSAMPLES, newline="", encoding="utf-8", errors="replace") as handle:
            notes = [row.get("transcription", "") for row in csv.DictReader(handle)]
        sized = sorted((abs(len(note.split()) - words), note) for note in notes if note)
        if sized and sized[0][0] < 100:
            return sized[0][1], f"MTSamples note of {len(sized[0][1].split())} words"
    sys.path.insert(0, str(ROOT / "src"))
    from chartaudit.ui.samples import SAMPLE_NOTE

    note = SAMPLE_NOTE
    while len(note.split()) < words:
        note += "\n" + SAMPLE_NOTE
    return note, f"sample note repeated to {len(note.split())} words"


def capture(page, base: str) -> None:
    """Screenshots of the three pages with the samples loaded."""
    page.set_viewport_size({"width": 1400, "height": 1250})
    page.goto(base)
    page.get_by_role("button", name="Load the sample encounter").click()
    page.locator("[data-testid='stAlert']", has_text="unsupported_code").first.wait_for()
    page.get_by_text("Draft query to the provider").first.click()
    time.sleep(1.5)
    page.screenshot(path=str(HERE / "check.png"))

    page.set_viewport_size({"width": 1400, "height": 1500})
    page.goto(f"{base}/batch")
    page.get_by_role("button", name="use the sample batch").click()
    page.get_by_role("button", name="Run the audit").click()
    page.get_by_text("Most often unsupported codes").wait_for()
    page.locator("[data-testid='stCaptionContainer']", has_text="findings shown").wait_for()
    time.sleep(3)
    page.screenshot(path=str(HERE / "batch.png"))

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{base}/lookup")
    box = page.get_by_label("Search by code, words or abbreviation")
    box.fill("M25.51")
    box.press("Enter")
    page.get_by_text("More specific codes below it").wait_for()
    time.sleep(1.5)
    page.screenshot(path=str(HERE / "lookup.png"))


def measure(page, base: str, rounds: int = 5) -> list[float]:
    """Seconds from changing the codes to the updated result on screen, for a 1,000-word note."""
    note, source = long_note()
    logger.info("note: %s", source)
    page.set_viewport_size({"width": 1400, "height": 1200})
    page.goto(base)
    page.get_by_role("button", name="Load the sample encounter").click()
    page.locator(".ca-note").wait_for()
    page.get_by_text("The note and the codes").click()
    note_box = page.get_by_label("Clinical note")
    note_box.fill(note)
    note_box.press("Control+Enter")
    page.wait_for_function("document.querySelector('.ca-note') && "
                           "document.querySelector('.ca-note').innerText.length > 3000")
    timings = []
    codes = page.get_by_label("Diagnosis codes (ICD-10-CM), pasted or added from the search")
    for round_number in range(rounds):
        code = "M25.512" if round_number % 2 == 0 else "M25.519"
        codes.fill(f"R07.9, {code}")
        started = time.perf_counter()
        codes.press("Enter")
        page.locator("tr.ca-code-row", has_text=code).wait_for()
        timings.append(time.perf_counter() - started)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measure", action="store_true", help="also time an interaction on a 1,000-word note")
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument("--chromium", default=os.environ.get("CHARTAUDIT_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_default_timeout(120_000)
            if not args.no_screenshots:
                capture(page, base)
                logger.info("wrote %s", ", ".join(str(HERE / name) for name in ("check.png", "batch.png", "lookup.png")))
            if args.measure:
                timings = measure(page, base)
                logger.info("interaction on a 1,000-word note (codes changed → result on screen): "
                            "median %.2f s, max %.2f s of %d", statistics.median(timings), max(timings), len(timings))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
