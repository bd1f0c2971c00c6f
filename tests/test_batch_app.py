"""The app's Batch page under Streamlit's AppTest: open a batch folder, table worst first, finding cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from posture.analyses import AnalyzeOptions
from posture.batch import run_batch
from posture.files import save
from posture.synthetic import walker

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def batch_dir(tmp_path):
    (tmp_path / "in").mkdir()
    save(walker(duration_s=4.0)[0], tmp_path / "in" / "upright.npz")
    save(walker(duration_s=4.0, trunk_deg=25.0, neck_deg=30.0)[0], tmp_path / "in" / "slouch.npz")
    (tmp_path / "in" / "broken.npz").write_bytes(b"x")
    run_batch([tmp_path / "in"], "walk", tmp_path / "out", AnalyzeOptions(), workers=1)
    return tmp_path / "out"


def _page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/batch.py")
    at.run()
    return at


def test_batch_page_opens_a_folder_and_shows_cards(batch_dir):
    at = _page()
    assert not at.exception
    at.text_input(key="batch-path").input(str(batch_dir)).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["3", "1", "1"]  # inputs, flagged, could not be analysed
    table = at.dataframe[0].value
    assert list(table["file"]) == ["slouch.npz", "upright.npz", "broken.npz"]  # worst first, failures last
    text = " ".join(m.value for m in at.markdown)
    assert "Slouching" in text or "slouching" in text.lower()  # the worst input's finding cards
    at.selectbox(key="batch-pick").set_value(2).run()
    assert any("broken.npz" in e.value for e in at.error)


def test_batch_page_rejects_a_csv_that_is_not_a_summary(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    at = _page()
    at.text_input(key="batch-path").input(str(tmp_path / "other.csv")).run()
    assert any("not a posture batch summary" in e.value for e in at.error)
