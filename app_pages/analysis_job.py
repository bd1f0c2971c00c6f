"""An upload's analysis as a background job, so leaving the page does not lose it.

Streamlit stops a script run when the user opens another page; a long analysis run inside the script
would be lost with it. So the Analyse button starts an :class:`AnalysisJob` on its own thread, kept in
the browser session's ``st.session_state``; the page shows its progress (and any other page a note in
the sidebar) until it finishes, and the result waits there when the user comes back. The job never
calls Streamlit: the script thread reads its fields, which the job only ever replaces whole, under a lock.

Findings first: extraction and the analysis are all the findings need, so the job publishes the record
(report, JSON) as soon as they are done, waits for the page to show them (at most :data:`SHOWN_WAIT_S`),
and only then makes the slow parts (:data:`LATER_PARTS`): the annotated video on the job's thread, the
charts and per-frame CSV on a second thread meanwhile, then the HTML and PDF reports, which need the
video's key frames. The two threads share the GIL: measured on watcharapol_gait_normal_01, the charts
take 1.5-2 s beside the drawing instead of 0.5 s alone and the video about 0.8 s longer, so the charts
show before the video and the whole is about as fast as one after the other. Each part lands in the record
when ready (``record["pending"]`` lists those still coming); a part that fails gets a plain note
(``record["<part>_error"]``) and never costs the findings. Timings: tests/test_app_speed.py (the job)
and bench/bench_app_upload.py (click to findings in a browser, first upload, no cached landmarks).

Failures become a :class:`Problem`: what happened and what to do, in plain words, never a traceback.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("posture.app")

SHORT_CLIP_S = 1.0  # our choice: below this no task has enough movement to judge
# Our choice: how long the later parts wait for the page to show the findings. The page's rerun that shows
# them competes for the GIL with the drawing and the charts: started at once, they delayed the findings on
# screen by 0.6 s (measured in the browser, watcharapol_gait_normal_01). When nobody is looking (another
# page is open) the parts start after this wait anyway.
SHOWN_WAIT_S = 1.0


@dataclass(frozen=True)
class Problem:
    """A failure as the page shows it."""

    title: str
    detail: str
    advice: str


class CancelledError(Exception):
    """The user pressed Stop while the job ran."""


def explain(e: BaseException, name: str, task_title: str, duration_s: float | None = None) -> Problem:
    """Turn an exception into what happened and what to do (the posture message when there is one)."""
    from posture.errors import NoPersonError, PostureError, VideoReadError

    if duration_s is not None and duration_s < SHORT_CLIP_S and not isinstance(e, PostureError):
        return Problem(f"{name} is too short to analyse",
                       f"It lasts {duration_s:.1f} s; {task_title.lower()} needs at least a few seconds of movement.",
                       "Film again for at least 5 seconds, with your whole body in view.")
    if isinstance(e, VideoReadError):
        return Problem(f"Could not read {name}", str(e),
                       "Export the clip again from your phone as MP4 (H.264), or film a new one.")
    if isinstance(e, NoPersonError):
        return Problem(f"No person found in {name}", str(e),
                       "Make sure your whole body is in view and well lit; see the camera set-up beside the upload box.")
    if isinstance(e, PostureError):
        return Problem(f"Could not analyse {name}", str(e),
                       "Check the camera set-up beside the upload box, then try again with a new clip.")
    if isinstance(e, ImportError):
        return Problem(f"The {task_title.lower()} analysis is not available in this version", str(e),
                       "Update posture, or try another page.")
    if isinstance(e, MemoryError):
        return Problem(f"{name} is too big for this computer", "The analysis ran out of memory.",
                       "Trim the clip to the part that matters (10-30 seconds) and try again.")
    return Problem(f"Something went wrong while analysing {name}",
                   f"This is a fault in posture, not in what you did ({type(e).__name__}: {str(e)[:160]}).",
                   "Try another clip. If it keeps happening, tell the posture developers the clip's length and type.")


LATER_PARTS = ("media", "charts", "exports")  # made after the findings are shown, in this order of arrival


_warmed: set[str] = set()
_warm_lock = threading.Lock()


def warm_up(task: str) -> None:
    """Import, on a background thread, what an upload of ``task`` will need, once per server process.

    Called when the page shows its upload box, so the imports run while the person chooses a file: on
    a fresh server the walk analysis alone took 0.8-1.8 s to import, on the path to the findings. Not
    during the extraction: measured there (AnalysisJob, watcharapol_gait_normal_01, 3 alternations) it
    slowed the extraction by 0.6-1.8 s and brought the findings no sooner.
    """
    with _warm_lock:
        if task in _warmed:
            return
        _warmed.add(task)
    threading.Thread(target=_import_for, args=(task,), name=f"posture-warm-{task}", daemon=True).start()


def _import_for(task: str) -> None:
    import importlib

    try:
        from posture.analyses import TASKS

        spec = TASKS.get(task)
        for module in ([spec.target.split(":")[0]] if spec else []) + [
                "posture.plots", "posture.export", "posture.io.annotate", "matplotlib.figure",
                "matplotlib.backends.backend_agg"]:
            importlib.import_module(module)
    except Exception:  # noqa: BLE001 - only a head start: the real import says what is wrong
        log.debug("warming imports failed", exc_info=True)


class AnalysisJob:
    """One upload analysed on a worker thread (see module docstring)."""

    def __init__(self, task: str, task_title: str, name: str, data: bytes, options: Any, kind: str,
                 model_path: str, history_path: str | None, save_history: bool, fast: bool = False):
        self.task, self.task_title, self.name = task, task_title, name
        self.fast = fast  # extraction with the adaptive people count (the sidebar's "Faster analysis of uploads")
        self._args = (data, options, kind, model_path, history_path, save_history)
        self._lock = threading.Lock()
        self._stage = ("Starting", 0, 0)
        self.started = time.monotonic()
        # The record: None until the findings are ready, then replaced whole as each later part lands.
        self.result: dict[str, Any] | None = None
        self.version = 0  # bumped with every new record, so the page knows when to show it again
        self.problem: Problem | None = None
        self.cancelled = False
        self.duration_s: float | None = None
        self._src = ""
        self._findings_shown = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"posture-analysis-{task}", daemon=True)

    # ------------------------------------------------------------------ page thread
    def start(self) -> AnalysisJob:
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    @property
    def findings_ready(self) -> bool:
        return self.result is not None

    def snapshot(self) -> tuple[int, dict[str, Any] | None]:
        """(version, record) read together."""
        with self._lock:
            return self.version, self.result

    def cancel(self) -> None:
        self.cancelled = True

    def mark_shown(self) -> None:
        """The page has shown the findings: the later parts may take the CPU now."""
        if self.result is not None:
            self._findings_shown.set()

    def progress(self) -> tuple[str, float, str]:
        """(stage, fraction done 0..1, text) for the progress bar."""
        with self._lock:
            stage, done, total = self._stage
        if not total:
            return stage, 0.0, f"{stage}..."
        frac = min(done / total, 1.0)
        return stage, frac, f"{stage}: {done}/{total} frames"

    def wait(self, timeout: float | None = None) -> None:
        self.thread.join(timeout)

    def wait_findings(self, timeout: float | None = None) -> bool:
        """Wait until the findings are ready (or the job ended); True when they are."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.result is None and self.running and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.01)
        return self.result is not None

    # ------------------------------------------------------------------ worker thread
    def _set(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.cancelled:
            raise CancelledError()
        with self._lock:
            self._stage = (stage, done, total)

    def _progress_fn(self, stage: str):
        def fn(done: int, total: int) -> None:
            self._set(stage, done, total)
        return fn

    def _publish(self, done: str | None = None, show: bool = True, **fields: Any) -> None:
        """Replace the record with one that has ``fields`` (and, with ``done``, that part no longer pending).

        ``show=False`` keeps the version: the page shows these fields with the next part (every new
        version costs a whole page rerun, which competes with the drawing for the CPU).
        """
        with self._lock:
            record = {**(self.result or {}), **fields}
            if done is not None:
                record["pending"] = tuple(p for p in record.get("pending", ()) if p != done)
                record["timings_s"] = {**record.get("timings_s", {}), done: time.monotonic() - self.started}
            self.result = record
            self.version += show

    def _run(self) -> None:
        try:
            self._analyse(*self._args)
        except CancelledError:
            if self.result is None:
                self.problem = Problem("Analysis stopped", f"You stopped the analysis of {self.name}.",
                                       "Press Analyse to start again.")
            else:  # stopped after the findings were shown: keep them
                self._give_up("You stopped it before it was ready.")
        except BaseException as e:  # noqa: BLE001 - every failure becomes a plain message on the page
            from posture.errors import PostureError

            (log.info if isinstance(e, PostureError) else log.exception)("analysis of %s failed: %s", self.name, e)
            p = explain(e, self.name, self.task_title, self.duration_s)
            if self._src:  # the user knows their file by its name, not by our temporary copy
                p = Problem(p.title, p.detail.replace(self._src, self.name), p.advice)
            if self.result is None:
                self.problem = p
            else:  # after the findings: they stay; whatever was still coming gets a plain note
                self._give_up(f"{p.title}. {p.detail}")

    def _give_up(self, why: str) -> None:
        """Mark every part still pending as not made, saying why (the findings stay)."""
        record = self.result or {}
        notes = {f"{part}_error": why for part in record.get("pending", ()) if not record.get(f"{part}_error")}
        self._publish(pending=(), **notes)

    def _analyse(self, data: bytes, options: Any, kind: str, model_path: str, history_path: str | None,
                 save_history: bool) -> None:
        from posture.analyses import load_input, run_analysis

        t0 = self.started
        with tempfile.TemporaryDirectory(prefix="posture-app-") as tmp:
            src = Path(tmp) / f"upload{Path(self.name).suffix.lower()}"
            src.write_bytes(data)
            self._src = str(src)
            self._set("Finding your body in each frame")
            t_load = time.monotonic()
            seq = load_input(src, self.task, model_path=model_path, progress=self._progress_fn(
                "Finding your body in each frame"), fast=self.fast)
            t_extracted = time.monotonic()
            self.duration_s = float(seq.video.duration_s) if seq.video.n_frames > 1 else None
            self._set("Analysing the movement")
            report = run_analysis(self.task, seq, options)
            t_findings = time.monotonic()
            is_photo = kind == "photo" or report.video.is_image
            # The findings go on screen now; everything below only adds to the record.
            self._publish(task=self.task, name=self.name, report=report, is_photo=is_photo, json=report.to_json(),
                          media=None, charts=None, html=None, pdf=None, csv=None, stills=[], history_id=None,
                          analysis_s=t_findings - t0, total_s=None, pending=LATER_PARTS,
                          timings_s={"extraction": t_extracted - t_load, "analysis": t_findings - t_extracted,
                                     "findings": t_findings - t0})
            if save_history:
                self._publish(show=False, **self._save_history(report, history_path))
            self._findings_shown.wait(SHOWN_WAIT_S)
            side = threading.Thread(target=self._charts_and_csv, args=(report, seq), name="posture-charts",
                                    daemon=True)
            side.start()
            try:
                stills = self._draw(src, seq, report, Path(tmp), is_photo)
            finally:
                side.join()
        if self.cancelled:
            raise CancelledError()
        self._exports(report, stills)
        self._publish(show=False, total_s=time.monotonic() - t0)

    def _save_history(self, report: Any, history_path: str | None) -> dict[str, Any]:
        import warnings

        try:
            from posture.history import History

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fields: dict[str, Any] = {"history_id": History(history_path or None).add(report,
                                                                                        source_name=self.name)}
            notes = [str(w.message) for w in caught if "posture" in type(w.message).__module__]
            if notes:
                fields["history_warning"] = " ".join(notes)
            return fields
        except Exception as e:  # noqa: BLE001 - history must never cost the user their result
            return {"history_error": str(e)}

    def _draw(self, src: Path, seq: Any, report: Any, tmp: Path, is_photo: bool) -> list[Any]:
        """The annotated video or photo into the record; returns the key frames (stills) for the reports."""
        from posture.export import Still
        from posture.io.annotate import render_annotated

        what = "photo" if is_photo else "video"
        out = tmp / ("annotated.png" if is_photo else "annotated.mp4")
        try:
            self._set(f"Drawing on your {what}")
            ann = render_annotated(src, seq, report, out, progress=self._progress_fn(f"Drawing on your {what}"))
            stills = [Still(k.caption, k.rgb, k.time_s) for k in ann.key_frames]
            self._publish("media", media=out.read_bytes(), stills=stills)
            return stills
        except CancelledError:
            self._publish("media", media_error=f"You stopped the drawing of the annotated {what}.")
            raise
        except Exception as e:  # noqa: BLE001 - the findings are already on screen: say what is missing
            log.exception("drawing the annotated %s of %s failed", what, self.name)
            self._publish("media", media_error=f"The annotated {what} could not be drawn ({type(e).__name__}: "
                          f"{str(e)[:160]}).")
            return []

    def _charts_and_csv(self, report: Any, seq: Any) -> None:
        """Side thread: the charts (for the page and the reports) and the per-frame CSV."""
        try:
            from posture.plots import report_charts

            self._publish("charts", charts=report_charts(report))
        except Exception as e:  # noqa: BLE001 - the findings are already on screen: say what is missing
            log.exception("charts for %s failed", self.name)
            self._publish("charts", charts=[], charts_error=f"The charts could not be drawn ({type(e).__name__}: "
                          f"{str(e)[:160]}).")
        try:
            from posture.export import frames_csv

            self._publish(show=False, csv=frames_csv(seq, report))
        except Exception as e:  # noqa: BLE001
            log.exception("per-frame CSV for %s failed", self.name)
            self._publish(show=False, csv_error=f"{type(e).__name__}: {str(e)[:160]}")

    def _exports(self, report: Any, stills: list[Any]) -> None:
        """The HTML and PDF reports (with the video's key frames and the charts) into the record."""
        from posture.export import report_html, report_pdf

        self._set("Preparing the reports")
        charts = (self.result or {}).get("charts") or []
        fields: dict[str, Any] = {}
        errors = []
        for key, make in (("html", report_html), ("pdf", report_pdf)):
            try:
                fields[key] = make(report, stills, source_name=self.name, charts=charts)
            except Exception as e:  # noqa: BLE001 - the findings are already on screen: say what is missing
                log.exception("%s report for %s failed", key, self.name)
                errors.append(f"the {key.upper()} report ({type(e).__name__}: {str(e)[:120]})")
        if errors:
            fields["exports_error"] = "Could not make " + " and ".join(errors) + "."
        self._publish("exports", **fields)
