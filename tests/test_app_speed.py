"""The app's upload job on real dev clips (issue 15, item 5): the findings come before the annotated video,
the charts and the reports, within about 1.3x the extraction time.

The honest first upload: an empty landmark cache (only the model comes from the shared cache), so the
pose model runs on every frame. The analysis' imports are done first, as the page does when it shows its
upload box (analysis_job.warm_up). Prints the times per stage and the ratio; the timing assertion is loose
(machines and their load vary; bench/bench_app_upload.py measures it in a real browser). Run it under
the team's CPU lock: ``flock /work/notes/cpu.lock .venv/bin/python -m pytest -s tests/test_app_speed.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.conftest import real_path

pytestmark = [pytest.mark.real, pytest.mark.model]

APP_PAGES = Path(__file__).resolve().parent.parent / "app_pages"
LOOSE_RATIO = 1.6  # target 1.3x; before this change it was 1.8-2.3x on these clips (AnalysisJob, quiet machine)


@pytest.mark.parametrize(("task", "clip"), [("walk", "walk_side/watcharapol_gait_normal_01.mp4"),
                                            ("lift", "lift/yuyoujiang_squat.mp4")])
def test_findings_come_first_and_soon_after_extraction(task, clip, model_path, tmp_path, monkeypatch):
    import os

    from posture.analyses import AnalyzeOptions

    if str(APP_PAGES) not in sys.path:
        sys.path.insert(0, str(APP_PAGES))
    import analysis_job
    from analysis_job import AnalysisJob

    analysis_job._import_for(task)  # what the page's warm_up does while the person chooses a file
    monkeypatch.setenv("POSTURE_CACHE_DIR", str(tmp_path / "empty-cache"))  # no cached landmarks
    path = real_path(clip)
    job = AnalysisJob(task, task.title(), path.name, path.read_bytes(), AnalyzeOptions(), "video", str(model_path),
                      str(tmp_path / "history.sqlite3"), True).start()
    assert job.wait_findings(300), job.problem
    first = job.result  # the record as the page first shows it
    seen_s = time.monotonic() - job.started
    job.wait(300)
    final = job.result
    assert job.problem is None and final is not None
    assert first["report"] is final["report"] and first["json"]
    assert first["media"] is None and first["pending"][0] == "media"  # findings before the video is drawn
    assert final["pending"] == () and final["media"][4:8] == b"ftyp" and final["pdf"][:5] == b"%PDF-"
    assert final["charts"] and final["csv"] and final["history_id"] is not None
    t = final["timings_s"]
    assert t["findings"] < t["charts"] and t["findings"] < t["media"] <= t["exports"], t
    ratio = t["findings"] / t["extraction"]
    print(f"\n{path.name}: extraction {t['extraction']:.2f} s, findings {t['findings']:.2f} s "
          f"(seen by a poll at {seen_s:.2f} s), charts {t['charts']:.2f} s, video {t['media']:.2f} s, "
          f"reports {t['exports']:.2f} s; findings/extraction {ratio:.2f}x (target 1.3x); "
          f"load average {os.getloadavg()[0]:.2f}")
    assert ratio < LOOSE_RATIO, f"findings took {ratio:.2f}x the extraction time: {t}"
