"""summary.html in a real browser: worst first, links, and the inline sort on a header click (Debian's chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from posture.batch_summary import rows_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

ROWS = [
    {"file": "b.mp4", "person": "bo", "task": "lift", "status": "ok", "n_flagged": 1, "reba_score": 4.0,
     "finding.back_rounded": "notice", "finding.twisting": "ok", "report": "reports/b.json"},
    {"file": "a.mp4", "person": "al", "task": "lift", "status": "ok", "n_flagged": 2, "reba_score": 11.0,
     "finding.back_rounded": "warning", "finding.twisting": "notice", "report": "reports/a.json"},
    {"file": "c.mp4", "person": "cy", "task": "lift", "status": "bad_input", "error": "no person"},
    {"file": "d.mp4", "person": "di", "task": "lift", "status": "ok", "n_flagged": 0, "reba_score": 2.0,
     "finding.back_rounded": "ok", "finding.twisting": "not_assessed", "report": "reports/d.json"},
]


@pytest.mark.browser
def test_summary_html_sorts_on_click(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip("BROWSER TESTS SKIPPED: Debian chromium not installed (apt-get install -y chromium)")
    page_file = tmp_path / "summary.html"
    page_file.write_text(rows_html(ROWS))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page()
        page.goto(page_file.as_uri())
        inputs = page.locator("table.sortable").last

        def files() -> list[str]:
            return [t.strip() for t in inputs.locator("tbody tr td:first-child").all_inner_texts()]

        assert files() == ["a.mp4", "b.mp4", "d.mp4", "c.mp4"]  # worst first, the failure last
        assert inputs.locator("a", has_text="a.mp4").get_attribute("href") == "reports/a.json"
        inputs.locator("th", has_text="reba_score").click()
        assert files()[:3] == ["d.mp4", "b.mp4", "a.mp4"]  # numeric ascending, the blank cell last
        assert files()[3] == "c.mp4"
        inputs.locator("th", has_text="twisting").click()  # severity columns sort by rank, not by word
        assert files()[:3] == ["d.mp4", "b.mp4", "a.mp4"]
        inputs.locator("th", has_text="twisting").click()
        assert files()[:3] == ["a.mp4", "b.mp4", "d.mp4"]
        browser.close()
