"""An upload's analysis as a background job, so leaving the page does not lose it.

Streamlit stops a script run when the user opens another page; a long analysis run inside the script
would be lost with it. So the Analyse button starts an :class:`AnalysisJob` on its own thread, kept in
the browser session's ``st.session_state``; the page shows its progress (and any other page a note in
the sidebar) until it finishes, and the result waits there when the user comes back. The job never
calls Streamlit: the script thread reads its fields, which the job only ever replaces whole, under a lock.

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


class AnalysisJob:
    """One upload analysed on a worker thread (see module docstring)."""

    def __init__(self, task: str, task_title: str, name: str, data: bytes, options: Any, kind: str,
                 model_path: str, history_path: str | None, save_history: bool):
        self.task, self.task_title, self.name = task, task_title, name
        self._args = (data, options, kind, model_path, history_path, save_history)
        self._lock = threading.Lock()
        self._stage = ("Starting", 0, 0)
        self.started = time.monotonic()
        self.result: dict[str, Any] | None = None
        self.problem: Problem | None = None
        self.cancelled = False
        self.duration_s: float | None = None
        self._src = ""
        self.thread = threading.Thread(target=self._run, name=f"posture-analysis-{task}", daemon=True)

    # ------------------------------------------------------------------ page thread
    def start(self) -> AnalysisJob:
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def cancel(self) -> None:
        self.cancelled = True

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

    def _run(self) -> None:
        try:
            self.result = self._analyse(*self._args)
        except CancelledError:
            self.problem = Problem("Analysis stopped", f"You stopped the analysis of {self.name}.",
                                   "Press Analyse to start again.")
        except BaseException as e:  # noqa: BLE001 - every failure becomes a plain message on the page
            from posture.errors import PostureError

            (log.info if isinstance(e, PostureError) else log.exception)("analysis of %s failed: %s", self.name, e)
            p = explain(e, self.name, self.task_title, self.duration_s)
            if self._src:  # the user knows their file by its name, not by our temporary copy
                p = Problem(p.title, p.detail.replace(self._src, self.name), p.advice)
            self.problem = p

    def _analyse(self, data: bytes, options: Any, kind: str, model_path: str, history_path: str | None,
                 save_history: bool) -> dict[str, Any]:
        from posture.analyses import load_input, run_analysis
        from posture.export import Still, frames_csv, report_html, report_pdf
        from posture.io.annotate import render_annotated
        from posture.plots import report_charts

        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="posture-app-") as tmp:
            src = Path(tmp) / f"upload{Path(self.name).suffix.lower()}"
            src.write_bytes(data)
            self._src = str(src)
            self._set("Finding your body in each frame")
            seq = load_input(src, self.task, model_path=model_path, progress=self._progress_fn(
                "Finding your body in each frame"))
            self.duration_s = float(seq.video.duration_s) if seq.video.n_frames > 1 else None
            self._set("Analysing the movement")
            report = run_analysis(self.task, seq, options)
            t_analysis = time.monotonic() - t0
            is_photo = kind == "photo" or report.video.is_image
            out = Path(tmp) / ("annotated.png" if is_photo else "annotated.mp4")
            self._set("Drawing on your " + ("photo" if is_photo else "video"))
            ann = render_annotated(src, seq, report, out, progress=self._progress_fn("Drawing on your video"))
            media = out.read_bytes()
        self._set("Preparing the charts and reports")
        stills = [Still(k.caption, k.rgb, k.time_s) for k in ann.key_frames]
        charts = report_charts(report)
        record = {"task": self.task, "name": self.name, "report": report, "media": media, "is_photo": is_photo,
                  "charts": charts,
                  "html": report_html(report, stills, source_name=self.name, charts=charts),
                  "pdf": report_pdf(report, stills, source_name=self.name, charts=charts),
                  "csv": frames_csv(seq, report), "json": report.to_json(), "stills": stills,
                  "analysis_s": t_analysis, "total_s": time.monotonic() - t0, "history_id": None}
        if save_history:
            import warnings

            try:
                from posture.history import History

                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    record["history_id"] = History(history_path or None).add(report, source_name=self.name)
                notes = [str(w.message) for w in caught if "posture" in type(w.message).__module__]
                if notes:
                    record["history_warning"] = " ".join(notes)
            except Exception as e:  # noqa: BLE001 - history must never cost the user their result
                record["history_error"] = str(e)
        return record
