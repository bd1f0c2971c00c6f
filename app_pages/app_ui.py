"""Streamlit building blocks shared by the pages: upload and analyse, results, live webcam.

Thin glue: every computation is a posture library call. Per-session state lives
in ``st.session_state`` (each browser session sees only its own uploads and
results); uploads are written to a private temporary folder only while they are
analysed, then deleted.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from pathlib import Path
from typing import Any

import streamlit as st

from posture.report import NOT_A_DIAGNOSIS

log = logging.getLogger("posture.app")

VIDEO_TYPES = ("mp4", "mov", "m4v", "webm")
PHOTO_TYPES = ("jpg", "jpeg", "png")
PAGE_TASK_TITLES = {"walk": "Walking", "lift": "Lifting", "stretch": "Stretches", "sit": "Sitting"}
SEVERITY_ICON = {"warning": ":material/warning:", "notice": ":material/info:", "ok": ":material/check_circle:",
                 "not_assessed": ":material/help:"}


# ----------------------------------------------------------------------------- checks
def sniff_media(name: str, head: bytes) -> str:
    """``"video"`` or ``"photo"`` when the bytes match the file's extension; ValueError saying why not."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in VIDEO_TYPES + PHOTO_TYPES:
        raise ValueError(f"{name}: unsupported type .{ext}; expected one of {', '.join(VIDEO_TYPES + PHOTO_TYPES)}")
    if len(head) < 12:
        raise ValueError(f"{name}: the file is empty or too short to be a video or photo")
    if ext in ("jpg", "jpeg"):
        ok = head[:3] == b"\xff\xd8\xff"
    elif ext == "png":
        ok = head[:8] == b"\x89PNG\r\n\x1a\n"
    elif ext == "webm":
        ok = head[:4] == b"\x1a\x45\xdf\xa3"
    else:  # ISO media (mp4/mov/m4v): a box type at bytes 4..8
        ok = head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
    if not ok:
        raise ValueError(f"{name}: the content is not a .{ext} file (it may be renamed or damaged)")
    return "photo" if ext in PHOTO_TYPES else "video"


# ----------------------------------------------------------------------------- resources
def model_path() -> str:
    """The chosen pose model (sidebar, "Pose model"), built on first use with a visible status message."""
    from model_settings import chosen_model_path

    return chosen_model_path()


def history():
    from posture.history import History

    return History(st.session_state.get("history_path") or None)


# ----------------------------------------------------------------------------- analysis
def show_problem(p) -> None:
    """A failure in plain words: what happened, then what to do (never a traceback)."""
    st.error(f"**{p.title}.** {p.detail}\n\n**What to do:** {p.advice}", icon=":material/error:")


def setup_advice(task: str) -> None:
    """The camera set-up sketch and tips for the task, beside its upload box."""
    from setup_art import SETUP

    title, svg, tips = SETUP[task]
    with st.container(border=True):
        st.markdown("**How to film it**")
        st.markdown(svg, unsafe_allow_html=True)
        st.caption(tips)


def _job_progress(task: str) -> None:
    """Progress of the task's running job; reruns the whole page when the job has something new to show
    (the findings, then each later part: see analysis_job) and once it has finished."""
    job = st.session_state.get("jobs", {}).get(task)
    if job is None:
        return
    if not job.findings_ready:
        # Sleep-wait (no CPU) for most of the poll interval: the findings then show within ~10 ms of being
        # ready instead of up to a whole poll later (measured: 0.4 s of a 3.4 s click-to-findings).
        job.wait_findings(timeout=0.2)
    if not job.running or job.version != st.session_state.get(f"job-shown-{task}"):
        st.rerun()
    stage, frac, text = job.progress()
    if job.findings_ready:  # the findings are on the page below; this bar is for what is still being added
        st.progress(frac, text=f"Your findings are ready below. Still adding: {text}")
        st.caption("The annotated video, the charts and the reports appear below as they are ready.")
        if st.button("Stop adding the video and reports", key=f"stop-{task}"):
            job.cancel()
        return
    left = ""
    if 0.05 < frac < 1:
        spent = time.monotonic() - job.started
        left = f", about {spent * (1 - frac) / frac:.0f} s left"
    st.progress(frac, text=f"{job.name}: {text}{left}")
    st.caption("You can open other pages meanwhile: the analysis keeps going and its result waits here.")
    if st.button("Stop the analysis", key=f"stop-{task}"):
        job.cancel()


def jobs_in_sidebar(current_task: str | None = None) -> None:
    """A note in the sidebar for every analysis still running on another page."""
    for task, job in st.session_state.get("jobs", {}).items():
        if task != current_task and job.running and job.findings_ready:
            st.sidebar.success(f"{PAGE_TASK_TITLES.get(task, task)} findings ready: {job.name} (the video and "
                               "reports are still being added)")
        elif task != current_task and job.running:
            _, frac, _ = job.progress()
            st.sidebar.info(f"Analysing {job.name} ({PAGE_TASK_TITLES.get(task, task)}): {frac:.0%}")
        elif task != current_task and job.result is not None:
            st.sidebar.success(f"{PAGE_TASK_TITLES.get(task, task)} result ready: {job.name}")


def _collect(task: str) -> None:
    """Move a finished job's result (or problem) to the page's state."""
    job = st.session_state.get("jobs", {}).get(task)
    if job is None or job.running:
        return
    del st.session_state["jobs"][task]
    if job.result is not None:
        st.session_state.setdefault("results", {})[task] = job.result
        st.session_state.setdefault("problems", {}).pop(task, None)
    elif job.problem is not None:
        st.session_state.setdefault("problems", {})[task] = job.problem


def start_job(task: str, name: str, data: bytes, options, kind: str):
    from analysis_job import AnalysisJob
    from model_settings import fast_extraction

    job = AnalysisJob(task, PAGE_TASK_TITLES[task], name, data, options, kind, model_path(),
                      st.session_state.get("history_path") or None, st.session_state.get("save_history", True),
                      fast=fast_extraction())
    st.session_state.setdefault("jobs", {})[task] = job
    st.session_state.setdefault("results", {}).pop(task, None)
    st.session_state.setdefault("problems", {}).pop(task, None)
    return job.start()


def upload_section(task: str, options_fn) -> None:
    """Camera advice, file upload (and photo capture for sitting), content checks, Analyse, progress, results."""
    from analysis_job import Problem, warm_up

    warm_up(task)  # the analysis' imports, while the person chooses a file (once per server)
    _collect(task)
    job = st.session_state.get("jobs", {}).get(task)
    # What this run shows of a running job, noted before its progress fragment compares versions (below)
    shown = job.snapshot() if job is not None else (0, None)
    st.session_state[f"job-shown-{task}"] = shown[0]
    photos_ok = task != "walk"  # walking is judged over steps: a photo cannot show them
    # Photos are accepted by every upload box, so that a photo on the Walk page gets our plain refusal with
    # what to do (below), not the uploader's bare "image/jpeg files are not allowed".
    types = list(VIDEO_TYPES + PHOTO_TYPES)
    box, advice = st.columns([3, 2])
    with advice:
        setup_advice(task)
    with box:
        up = st.file_uploader("Video" + (" or photo" if photos_ok else ""), type=types, key=f"upload-{task}",
                              help=f"Phone formats: {', '.join(VIDEO_TYPES + (PHOTO_TYPES if photos_ok else ()))}. "
                              "Portrait clips are turned upright."
                              + ("" if photos_ok else " Walking needs a video: a photo cannot show your steps."))
        shot = None
        if task == "sit":
            with st.expander("Or take a photo with the webcam"):
                shot = st.camera_input("Photo of you sitting, from the side", key=f"camera-{task}")
        options = options_fn()
        chosen = up or shot
        job = st.session_state.get("jobs", {}).get(task)
        if job is not None and job.running:
            # polled every 0.3 s: the findings appear at most that long after they are ready
            st.fragment(run_every=0.3)(_job_progress)(task)
        elif chosen is None:
            st.caption("Nothing is uploaded anywhere: the file is analysed on this computer and deleted afterwards.")
        elif st.button("Analyse", type="primary", key=f"analyse-{task}"):
            name = getattr(chosen, "name", "photo.jpg") or "photo.jpg"
            data = chosen.getvalue()
            try:
                kind = sniff_media(name, data[:64])
            except ValueError as e:
                show_problem(Problem("This file cannot be analysed", str(e),
                                     "Choose a video (mp4, mov, m4v, webm) or a photo (jpg, png) straight from "
                                     "your phone or camera."))
                return
            if kind == "photo" and not photos_ok:
                show_problem(Problem(f"{name} is a photo", "Walking is judged over several steps, and a photo "
                                     "shows only one moment.", "Film yourself walking past the camera for at least "
                                     "4 steps (about 5 seconds) and upload the video."))
                return
            try:
                start_job(task, name, data, options, kind)
            except Exception as e:  # noqa: BLE001 - e.g. the pose model cannot be built: say so plainly
                from analysis_job import explain

                log.exception("could not start the analysis")
                show_problem(explain(e, name, PAGE_TASK_TITLES[task]))
                return
            st.rerun()
    job = st.session_state.get("jobs", {}).get(task)
    if job is not None and not job.running:
        _collect(task)  # it finished during this run
    problem = st.session_state.get("problems", {}).get(task)
    if problem is not None:
        show_problem(problem)
    record = st.session_state.get("results", {}).get(task)
    if task in st.session_state.get("jobs", {}):  # still running: its findings (once ready), later parts coming
        record = shown[1]
    if record:
        try:
            show_results(record)
            if job is not None and task in st.session_state.get("jobs", {}):
                job.mark_shown()  # the drawing and reports may take the CPU now
        except Exception as e:  # noqa: BLE001 - a display fault must not show a traceback
            log.exception("showing results failed")
            from analysis_job import explain

            show_problem(explain(e, record.get("name", "this file"), PAGE_TASK_TITLES.get(task, task)))


# ----------------------------------------------------------------------------- results
def finding_card(f, is_photo: bool = False) -> None:
    from posture.present import SEVERITY_WORDS, finding_title, for_photo, threshold_sentence

    with st.container(border=True):
        st.markdown(f"**{SEVERITY_ICON.get(f.severity, '')} {finding_title(f)}** "
                    f"&middot; {SEVERITY_WORDS.get(f.severity, f.severity)}")
        st.write(for_photo(f.message, is_photo))
        if f.advice:
            st.markdown(f"**What to do:** {for_photo(f.advice, is_photo)}")
        bits = [threshold_sentence(f.value, f.threshold, f.unit, f.severity) if f.severity != "not_assessed" else ""]
        if f.time_ranges_s and not is_photo:
            bits.append("When: " + ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in f.time_ranges_s[:5])
                        + (" and more" if len(f.time_ranges_s) > 5 else "") + ".")
        if f.severity != "not_assessed":
            bits.append(f"How sure: {f.confidence:.0%}.")
        st.caption(" ".join(b for b in bits if b))


def headline(report, is_photo: bool) -> None:
    """The honest top line: what was flagged, what could not be judged and why, and only then "nothing flagged"."""
    from posture.present import finding_title, for_photo, summary_of

    s = summary_of(report)
    text = for_photo(s.get("headline") or "", is_photo)
    if s["status"] == "flagged":
        st.warning(f"**{text}**", icon=":material/warning:")
    elif s["status"] == "nothing_flagged":
        st.success(f"**{text}**", icon=":material/check_circle:")
    else:
        extra = ""
        if not is_photo and 0 < report.video.duration_s < 2.0:
            extra = (f"\n\nThis clip lasts only {report.video.duration_s:.1f} s. **What to do:** film again for at "
                     "least 5 seconds, with your whole body in view.")
        st.info(f"**{text}** So this result cannot say your movement is fine.{extra}", icon=":material/help:")
    if s.get("not_assessed"):
        names = ", ".join(finding_title(i).lower() for i in s["not_assessed"])
        why = f" Main reason: {s['main_reason']}." if s.get("main_reason") else ""
        st.caption(f"Could not judge: {names}.{why}")


def key_numbers_row(report) -> None:
    """The task's key numbers as tiles: big value, its name, and any conversion below (e.g. km/h)."""
    from html import escape

    from posture.present import key_numbers

    rows = key_numbers(report)
    if not rows:
        return
    short = [(k, v) for k, v in rows if len(v) <= 24]
    long = [(k, v) for k, v in rows if len(v) > 24]
    if short:
        cols = st.columns(min(len(short), 5))
        for i, (k, v) in enumerate(short):
            main, _, extra = v.partition(" (")
            cols[i % len(cols)].markdown(
                f"<div style='font-size:0.85rem;color:#555'>{escape(k)}</div>"
                f"<div style='font-size:1.55rem;font-weight:600;line-height:1.2'>{escape(main)}</div>"
                + (f"<div style='font-size:0.85rem;color:#555'>({escape(extra)}</div>" if extra else ""),
                unsafe_allow_html=True)
    for k, v in long:
        st.markdown(f"**{k}:** {v}")


def show_results(record: dict[str, Any]) -> None:
    from posture.export import flat_metrics, sorted_findings
    from posture.plots import link_findings

    report = record["report"]
    is_photo = record["is_photo"]
    st.subheader(f"Results for {record['name']}")
    what = "a photo" if is_photo else f"{report.video.duration_s:.1f} s of video"
    when = f" · analysed in {record['analysis_s']:.1f} s" if record.get("analysis_s") is not None else ""
    st.caption(f"{what} · seen from the {report.view}{when}")
    if record.get("history_error"):
        st.warning(f"Not saved to history: {record['history_error']}")
    if record.get("history_warning"):
        st.warning(f"History: {record['history_warning']}")
    headline(report, is_photo)
    key_numbers_row(report)
    if report.task == "walk" and not (report.metrics or {}).get("step_length_m"):
        st.caption("Give your height above and analyse again to get your step length and walking speed.")
    pending = record.get("pending") or ()
    medium = "photo" if is_photo else "video"
    left, right = st.columns([3, 2])
    with left:
        if "media" in pending:
            st.info(f"**Drawing the pose on your {medium}...** It appears here in a few seconds; your findings "
                    "are ready beside it.", icon=":material/hourglass_top:")
        elif record.get("media_error"):
            st.warning(f"{record['media_error']} Your findings beside it are complete.", icon=":material/info:")
        elif record.get("media") is None:
            st.caption("Your video or photo is not kept in History (only the results), so it cannot be shown again.")
        else:
            if is_photo:
                st.image(record["media"], caption="Your photo with the pose drawn on it")
            else:
                st.video(record["media"], format="video/mp4")
            st.download_button("Download annotated " + ("photo" if is_photo else "video"), record["media"],
                               file_name="posture_" + ("annotated.png" if is_photo else "annotated.mp4"),
                               mime="image/png" if is_photo else "video/mp4", key=f"dl-media-{record['task']}")
    with right:
        st.markdown("#### Findings")
        findings = sorted_findings(report)
        for f in findings:
            if f.severity != "not_assessed":
                finding_card(f, is_photo)
        na = [f for f in findings if f.severity == "not_assessed"]
        if na:
            with st.expander(f"Could not judge ({len(na)})", expanded=len(na) == len(findings)):
                for f in na:
                    finding_card(f, is_photo)
    charts = record.get("charts")
    if "charts" in pending or record.get("charts_error"):
        st.markdown("#### Over time")
        if "charts" in pending:
            st.info("**Drawing the charts...**", icon=":material/hourglass_top:")
        else:
            st.warning(f"{record['charts_error']} The findings above are complete.", icon=":material/info:")
        charts = []
    elif charts is None:  # a result reopened from History
        from posture.plots import report_charts

        charts = report_charts(report)
    if charts:
        links = link_findings(report)
        main = [(n, png) for n, png in charts if links.get(n) is not None]
        other = [(n, png) for n, png in charts if links.get(n) is None]
        st.markdown("#### Over time")
        st.caption("Dashed line: the limit; pale red: the side of it that is flagged. Orange or red columns: when "
                   "a finding was flagged. Ticks along the bottom: steps or repetitions.")
        for _, png in main or other:
            st.image(png, width="stretch", caption=None)
        if main and other:
            with st.expander(f"More measurements ({len(other)})"):
                for _, png in other:
                    st.image(png, width="stretch")
    metrics = flat_metrics(report.metrics)
    if metrics:
        from posture.present import fmt_value

        with st.expander("All numbers"):
            st.table({"measure": [k.replace("_", " ").replace(".", ": ") for k in metrics],
                      "value": [fmt_value(v, _unit_of(k)) for k, v in metrics.items()]})
    if record.get("html") is not None or "exports" in pending or record.get("exports_error"):
        st.markdown("#### Keep or share this report")
        c = st.columns(4)
        t = record["task"] + ("-h" if record.get("from_history") else "")
        ready = [(label, record[k], file, mime, f"dl-{k}-{t}") for label, k, file, mime in (
            ("Report (HTML)", "html", "posture_report.html", "text/html"),
            ("Report (PDF)", "pdf", "posture_report.pdf", "application/pdf"),
            ("Report (JSON)", "json", "posture_report.json", "application/json"),
            ("Per-frame data (CSV)", "csv", "posture_frames.csv", "text/csv")) if record.get(k) is not None]
        for col, (label, data, file, mime, key) in zip(c, ready, strict=False):  # the ready ones, left to right
            col.download_button(label, data, file, mime, key=key)
        if "exports" in pending:
            st.caption(f"Preparing the HTML and PDF reports (they include pictures from the annotated {medium})...")
        elif record.get("exports_error"):
            st.warning(f"{record['exports_error']} The JSON report has every finding.", icon=":material/info:")
    from posture.present import for_photo

    st.caption(for_photo(NOT_A_DIAGNOSIS, is_photo))


def _unit_of(metric_name: str) -> str:
    """The unit a metric's name ends with (``trunk_lean_deg`` -> ``deg``), for formatting."""
    for suffix, unit in (("_deg", "deg"), ("_spm", "steps/min"), ("_m_s", "m/s"), ("_s", "s"), ("_m", "m"),
                         ("_share", "share"), ("_fraction", "share"), ("_pct", "%"), ("_px", "px"), ("_kg", "kg"),
                         ("_cm", "cm"), ("_min", "min")):
        if metric_name.endswith(suffix):
            return unit
    return ""


# ----------------------------------------------------------------------------- live webcam
def _guard_false_orphan(key: str) -> None:
    """Work around streamlit-webrtc 0.79.0 killing a fresh stream (about 3% of STARTs).

    Its orphan check resets the context when ``script_run_count`` jumped by more
    than one since the component last rendered. But Streamlit increments that
    count on the event loop when a run's "finished" message is sent, which can
    lag behind the next run starting; during signalling (several quick reruns)
    two runs then read the same count and the third sees a jump of two: a false
    "not rendered for 1 script runs", and the new worker is stopped. The only
    real orphan case is the user leaving this page and coming back, which the
    app knows exactly (``_page_prev``/``_page_now``, set by app.py every run). So
    when the previous run was this same page we clear the stored count, which
    skips the check; after a real page change the library's check runs as before.
    """
    import os

    ctx = st.session_state.get(key)
    if ctx is None or not hasattr(ctx, "_last_rendered_run_count"):
        return
    if st.session_state.get("_page_prev") != st.session_state.get("_page_now"):
        return  # a real page change: let the library's own check reset the stale context
    enabled = os.environ.get("POSTURE_WEBRTC_ORPHAN_GUARD", "1") != "0"  # "0" only to measure the bug
    last = ctx._last_rendered_run_count
    try:
        from streamlit_webrtc.session_info import get_script_run_count, get_this_session_info

        info = get_this_session_info()
        if info is not None and last is not None and get_script_run_count(info) > last + 1:
            log.warning("%s streamlit-webrtc's false stale-context reset for %s (run count %d after %d)",
                        "prevented" if enabled else "guard off: NOT prevented", key, get_script_run_count(info), last)
    except (ImportError, ValueError, AttributeError):
        pass
    if enabled:
        ctx._last_rendered_run_count = None


def _newest_frames_only() -> bool:
    """Make streamlit-webrtc pass on the newest video frame at each step, never a backlog.

    streamlit-webrtc 0.79.0 links the camera to the frame callback, and the callback's output to the
    encoder that sends it back, through aiortc's ``MediaRelay`` subscribed with ``buffered=True``: unbounded
    queues. When the computer cannot decode, process and re-encode every frame, each frame still waits
    its turn and the lag grows without bound (measured with bench/bench_live_browser.py on 2 cores: with
    4 CPU burners 1.3-3.4 s behind the camera after 10 s; with the input side alone unbuffered, 8 burners
    still grew it to 4 s, queued before the encoder). Unbuffered, a relay holds the newest frame only, so
    a slow moment drops frames instead. This wraps ``subscribe`` of the library's one global relay, for
    video only; returns whether the wrapper is in place (False, with a warning, if that API is missing).
    """
    try:
        from streamlit_webrtc.relay import get_global_relay

        relay = get_global_relay()
    except Exception as e:  # noqa: BLE001 - another streamlit-webrtc version: keep working, say so in the log
        log.warning("live frames may queue up under load: could not reach streamlit-webrtc's relay (%s)", e)
        return False
    if getattr(relay, "_posture_newest_only", False):
        return True
    subscribe = relay.subscribe

    @functools.wraps(subscribe)
    def newest_only(track, buffered: bool = True):
        return subscribe(track, buffered=buffered and getattr(track, "kind", None) != "video")

    relay.subscribe = newest_only
    relay._posture_newest_only = True
    return True


def _frames_on_their_last_packet() -> bool:
    """Let aiortc pass a received video frame on when its last packet arrives, not a frame later.

    aiortc 1.16's jitter buffer calls a frame complete only when a packet of the next frame arrives, so
    every webcam frame waits one frame interval (33 ms at 30 frames/s, more when the browser sends fewer)
    before it is decoded. The sender marks the last packet of each frame (the RTP marker bit, RFC 7741 for
    VP8); this subclass hands the oldest frame over as soon as all its packets up to the marked one are
    in, and otherwise behaves as aiortc's own. Installed once, before a stream starts; returns whether it
    is in place (False if aiortc's internals have changed).
    """
    try:
        from aiortc import rtcrtpreceiver
        from aiortc.jitterbuffer import JitterBuffer, JitterFrame
    except ImportError:
        return False
    if getattr(rtcrtpreceiver.JitterBuffer, "_posture_on_marker", False):
        return True
    if rtcrtpreceiver.JitterBuffer is not JitterBuffer or not hasattr(JitterBuffer, "_remove_frame"):
        log.warning("aiortc's jitter buffer has changed: received frames keep their one-frame delay")
        return False

    class MarkerJitterBuffer(JitterBuffer):
        _posture_on_marker = True

        def _remove_frame(self, sequence_number: int):
            if self._is_video and not self._prefetch:
                packets, timestamp = [], None
                for count in range(self.capacity):
                    packet = self._packets[(self._origin + count) % self.capacity]
                    if packet is None or (timestamp is not None and packet.timestamp != timestamp):
                        break  # a gap, or the next frame: aiortc's own rule decides
                    timestamp = packet.timestamp
                    packets.append(packet)
                    if packet.marker:
                        self.remove(count + 1)
                        return JitterFrame(data=b"".join(p._data for p in packets), timestamp=timestamp)
            return super()._remove_frame(sequence_number)

    rtcrtpreceiver.JitterBuffer = MarkerJitterBuffer
    return True


def _no_gc_after_each_rerun() -> None:
    """Turn off Streamlit's full garbage collection after every script run while a live view is open.

    The live panel reruns every second; with the pose model loaded, ``gc.collect(2)`` holds the
    interpreter for about 100 ms (measured), stalling the webcam's decode, callback and encode each
    second. .streamlit/config.toml sets ``runner.postScriptGC = false`` too; this covers an app started
    from another folder (Streamlit reads that file from the working directory only). Python's own
    collector keeps running.
    """
    from streamlit import config

    if config.get_option("runner.postScriptGC"):
        config.set_option("runner.postScriptGC", False, where_defined="posture live view")


def live_processor(task: str, params: dict[str, Any]):
    """The session's :class:`WebcamProcessor` for a task, rebuilt only when its parameters change."""
    from posture.webcam import WebcamProcessor, make_analyser

    key = f"webcam-proc-{task}"
    proc = st.session_state.get(key)
    mp = model_path()
    if proc is not None and st.session_state.get(key + "-model", mp) != mp:
        proc = None  # another pose model was chosen in the sidebar: a new processor loads it
    if proc is None:

        def estimator():
            from posture.io.extract import ParallelLivePoseEstimator

            # Two landmarkers in flight: one keeps one core busy, so one alone caps live analysis
            # near 15-20 frames/s on 2 cores. POSTURE_LIVE_WORKERS=1 gives the single-landmarker path.
            workers = int(os.environ.get("POSTURE_LIVE_WORKERS", "2"))
            return ParallelLivePoseEstimator(mp, num_poses=1, max_side=640, workers=workers)

        proc = WebcamProcessor(estimator, make_analyser(task, **params))
        st.session_state[key] = proc
        st.session_state[key + "-params"] = dict(params)
        st.session_state[key + "-model"] = mp
    elif st.session_state.get(key + "-params") != params:
        proc.set_analyser(make_analyser(task, **params))
        st.session_state[key + "-params"] = dict(params)
    return proc


def live_section(task: str, params: dict[str, Any] | None = None) -> None:
    """Webcam with the skeleton and the one cue drawn big on it, spoken cues, and the live panel beside it."""
    import streamlit_webrtc as webrtc

    from posture.webcam import make_analyser, rtc_configuration

    params = params or {}
    try:
        rtc = rtc_configuration()
    except ValueError as e:
        st.error(f"**The webcam settings are not valid.** {e}\n\n**What to do:** fix or unset "
                 "POSTURE_RTC_CONFIGURATION and restart the app.", icon=":material/error:")
        return
    _newest_frames_only()
    _frames_on_their_last_packet()
    _no_gc_after_each_rerun()
    proc = live_processor(task, params)
    key = f"live-{task}"
    _guard_false_orphan(key)
    st.toggle("Speak the cues aloud", value=True, key=f"speak-{task}",
              help="Your browser reads the cues and the hold countdown out loud, at most one every few seconds. "
                   "Nothing leaves this computer.")
    cam, panel = st.columns([3, 2])
    with cam:
        ctx = webrtc.webrtc_streamer(
            key=key,
            mode=webrtc.WebRtcMode.SENDRECV,
            rtc_configuration=rtc,
            media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
            video_frame_callback=proc.callback,
            # The callback runs in line: it only hands the frame to the pose model's own threads and draws
            # the newest pose (2-3 ms), so the frame goes back at once. streamlit-webrtc's async mode sends
            # each result with the next camera frame instead: measured with bench/bench_live_browser.py,
            # 130-150 ms camera-to-screen quiet against 80-90 ms in line (under 8 CPU burners on 2 cores,
            # 180-220 ms against 160-190 ms p50, the browser lowering its resolution at times).
            # POSTURE_LIVE_ASYNC=1 brings the async mode back.
            async_processing=os.environ.get("POSTURE_LIVE_ASYNC", "0") == "1",
        )
        st.caption("Press START and allow the camera. Video stays on this computer. Press STOP when you are done: "
                   "your session summary is shown here and saved to History.")
    playing = bool(getattr(getattr(ctx, "state", None), "playing", False))
    done_key = f"live-done-{task}"
    if playing and st.session_state.get(done_key) is not None:
        # a new START after a finished session: start a fresh session (the model is kept)
        proc.set_analyser(make_analyser(task, **params))
        st.session_state.pop(done_key, None)
        st.session_state.pop(f"speaker-{task}", None)
    with panel:
        live_panel(task, playing)


def espeak_wav(text: str) -> bytes | None:
    """The sentence as a short WAV made on this computer by espeak-ng (None when it is not installed)."""
    return _espeak_wav(text)


@functools.lru_cache(maxsize=64)
def _espeak_wav(text: str) -> bytes | None:
    import shutil
    import subprocess

    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe or not text:
        return None
    try:
        out = subprocess.run([exe, "--stdout", "-s", "150", text], capture_output=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out[:4] == b"RIFF" else None


def speech_html(text: str | None, uid: int, muted: bool, wav: bytes | None = None) -> str:
    """A script that speaks ``text`` once, on this computer only.

    It runs in a component iframe and uses the page's own ``speechSynthesis`` (allowed once the person
    has clicked in the page; START counts). When the browser has no voice (common on Linux), it plays
    ``wav``, the same sentence made by espeak-ng on this computer. Spoken texts are listed in
    ``window.__postureSpoken`` (and how, in ``__postureSpokenVia``) so the browser test can check them.
    """
    import base64
    import json

    src = json.dumps("data:audio/wav;base64," + base64.b64encode(wav).decode("ascii")) if wav else "null"
    return ("<script>(function(){const w=window.parent||window;w.__postureSpoken=w.__postureSpoken||[];"
            "w.__postureSpokenVia=w.__postureSpokenVia||[];"
            f"const text={json.dumps(text)},uid={int(uid)},muted={'true' if muted else 'false'},wav={src};"
            "try{if(muted){w.speechSynthesis&&w.speechSynthesis.cancel();if(w.__postureAudio)w.__postureAudio.pause();"
            "return;}"
            "if(!text||w.__postureLastUid===uid)return;w.__postureLastUid=uid;w.__postureSpoken.push(text);"
            "const voices=w.speechSynthesis?w.speechSynthesis.getVoices():[];"
            "if(voices.length||!wav){if(w.speechSynthesis){w.speechSynthesis.cancel();"
            "const u=new w.SpeechSynthesisUtterance(text);u.rate=0.95;w.speechSynthesis.speak(u);"
            "w.__postureSpokenVia.push('speech');}}"
            "else{if(w.__postureAudio)w.__postureAudio.pause();w.__postureAudio=new w.Audio(wav);"
            "w.__postureAudio.play().then(()=>w.__postureSpokenVia.push('espeak'),"
            "e=>w.__postureSpokenVia.push('blocked: '+e.name));}"
            "}catch(e){w.__postureSpeechError=String(e);}})();</script>")


def _speak(task: str, snap) -> None:
    """Speak the next cue (rate-limited by posture.live.CueSpeaker) unless muted."""
    import streamlit.components.v1 as components

    from posture.live import CueSpeaker

    muted = not st.session_state.get(f"speak-{task}", True)
    speaker = st.session_state.setdefault(f"speaker-{task}", CueSpeaker())
    seen = st.session_state.get(f"speaker-events-{task}", -1.0)
    new = tuple(ev for t, ev in snap.recent_events if t > seen)
    if snap.recent_events:
        st.session_state[f"speaker-events-{task}"] = max(t for t, _ in snap.recent_events)
    uid, text = st.session_state.get(f"spoken-{task}", (0, None))
    if not muted:
        said = speaker.next(snap.status, time.monotonic(), new)
        if said:
            uid, text = uid + 1, said
            st.session_state[f"spoken-{task}"] = (uid, text)
    html = speech_html(text, uid, muted, espeak_wav(text) if text and not muted else None)
    if hasattr(st, "iframe"):  # Streamlit >= 1.52; components.v1.html is deprecated there
        st.iframe(html, height=1)
    else:
        components.html(html, height=0)


def _busy_note(snap) -> str | None:
    """The processor's "computer is busy, feedback delayed" note, when it sets one."""
    for name in ("busy_note", "busy_message", "busy", "feedback_delayed", "delayed"):
        v = getattr(snap, name, None)
        if isinstance(v, str) and v.strip():
            return v
        if v is True:
            return "The computer is busy: feedback is delayed."
    return None


LIVE_VALUE_LABELS = {"hold_in_form_s": ("Held in good form", "whole s"), "hold_target_s": ("Hold target", "whole s"),
                     "rep_count": ("Repetitions", "count"), "reps": ("Repetitions", "count"),
                     "trunk_lean_deg": ("Trunk lean", "deg"), "knee_flexion_deg": ("Knee bend", "deg"),
                     "forward_head_deg": ("Head forward", "deg"), "seated_min": ("Seated", "min"),
                     "bout_min": ("Sitting for", "min")}


def _render_snapshot(task: str) -> None:
    from posture.present import fmt_value

    proc = st.session_state.get(f"webcam-proc-{task}")
    if proc is None:
        return
    snap = proc.snapshot()
    s = snap.status
    busy = _busy_note(snap)
    if busy:
        st.warning(f"**{busy}**", icon=":material/hourglass_top:")
    if snap.error:
        st.error(f"**The live analysis hit a problem.** {snap.error}\n\n**What to do:** press STOP, then START "
                 "again. If it keeps happening, close other programs and reload the page.", icon=":material/error:")
    stale = snap.frames_processed > 0 and snap.fps == 0
    if not s or stale:
        st.info("Waiting for the camera... If no video appears within 10 seconds, press STOP and then START again."
                if snap.frames_in == 0 or stale else "Looking for you...")
    else:
        st.markdown(f"### {s['headline']}")
        if s.get("cue"):
            (st.success if s.get("in_form") else st.warning if s.get("in_form") is False else st.info)(
                f"**{s['cue']}**")
        vals = s.get("values") or {}
        tiles = [(LIVE_VALUE_LABELS[k][0], fmt_value(v, LIVE_VALUE_LABELS[k][1])) for k, v in vals.items()
                 if k in LIVE_VALUE_LABELS and isinstance(v, (int, float)) and not isinstance(v, bool)]
        if tiles:
            cols = st.columns(min(3, len(tiles)))
            for i, (label, text) in enumerate(tiles[:6]):
                cols[i % len(cols)].metric(label, text)
    _speak(task, snap)
    st.caption(f"{snap.frames_processed} frames analysed · {snap.fps:.1f} frames/s"
               + (f" · {snap.process_ms_p50:.0f} ms per frame" if snap.frames_processed else "")
               + (f" · lag {snap.lag_ms_p50:.0f} ms" if snap.lag_ms_p50 == snap.lag_ms_p50 else "")
               + (f" · pose {snap.pose_age_ms_p50:.0f} ms old" if snap.pose_age_ms_p50 == snap.pose_age_ms_p50 else "")
               + f" · {snap.frames_in} camera frames")


def _metric_text(v: object) -> str:
    """A live value as a person reads it: yes/no rather than True/False, one decimal for floats."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def finish_live_session(task: str) -> dict[str, Any] | None:
    """After STOP: close the open hold, summarise, save to History once. Returns the summary (None if no session)."""
    proc = st.session_state.get(f"webcam-proc-{task}")
    if proc is None or not proc.snapshot().frames_processed:
        return None
    done_key = f"live-done-{task}"
    done = st.session_state.get(done_key)
    if done is not None:
        return done["summary"]
    finish = getattr(proc.analyser, "finish", None)
    if callable(finish):
        try:
            finish()
        except Exception:  # noqa: BLE001 - a summary without the last hold beats no summary
            log.exception("closing the live session failed")
    summary = dict(proc.snapshot().summary)
    from posture.present import worth_saving

    record: dict[str, Any] = {"summary": summary, "history_id": None, "history_error": None,
                              "empty": not worth_saving(task, summary)}
    if st.session_state.get("save_history", True) and not record["empty"]:
        import warnings

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                record["history_id"] = history().add_live(
                    task, summary, source_name=f"Live {PAGE_TASK_TITLES[task].lower()} session")
            record["history_warning"] = " ".join(str(w.message) for w in caught
                                                 if "posture" in type(w.message).__module__) or None
        except Exception as e:  # noqa: BLE001 - history must never cost the user their summary
            record["history_error"] = str(e)
    st.session_state[done_key] = record
    return summary


def live_summary(task: str) -> None:
    """The readable summary of the session that just stopped."""
    from posture.present import live_headline, live_rows

    proc = st.session_state.get(f"webcam-proc-{task}")
    error = proc.snapshot().error if proc is not None else None
    if error:
        st.error(f"**The live analysis hit a problem.** {error}\n\n**What to do:** press START again. If it keeps "
                 "happening, close other programs and reload the page.", icon=":material/error:")
    summary = finish_live_session(task)
    if summary is None:
        st.info("Press START to begin. The coach speaks its cues and draws them big on the video, so you can "
                "follow from the floor.")
        return
    record = st.session_state[f"live-done-{task}"]
    st.markdown("### Your session")
    st.markdown(f"**{live_headline(task, summary)}**")
    rows = live_rows(task, summary)
    if rows:
        st.table({"": [k for k, _ in rows], "what happened": [v for _, v in rows]})
    if record.get("history_warning"):
        st.warning(f"History: {record['history_warning']}")
    if record.get("history_id") is not None:
        st.success("Saved to History.", icon=":material/history:")
    elif record.get("empty"):
        st.caption("Nothing was recorded in this session, so it is not saved to History. Press START to try again.")
    elif record.get("history_error"):
        st.warning(f"Not saved to History: {record['history_error']}")


def live_panel(task: str, playing: bool) -> None:
    """The live panel; refreshes itself once a second while the camera runs (the video shows the cue at once)."""
    if playing:
        import os

        # Measured: refreshing every 0.25 s made each webcam frame 4x slower (3-4 instead of 14 frames/s,
        # the script thread competing with the frame callback); the cue is drawn on the video at once anyway.
        every = float(os.environ.get("POSTURE_LIVE_REFRESH_S", "1.0"))
        st.fragment(run_every=every)(_render_snapshot)(task)
    else:
        live_summary(task)


def page_intro(task: str, text: str) -> None:
    st.title(PAGE_TASK_TITLES[task])
    st.write(text)
    st.caption(NOT_A_DIAGNOSIS)
