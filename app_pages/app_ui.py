"""Streamlit building blocks shared by the pages: upload and analyse, results, live webcam.

Thin glue: every computation is a posture library call. Per-session state lives
in ``st.session_state`` (each browser session sees only its own uploads and
results); uploads are written to a private temporary folder only while they are
analysed, then deleted.
"""

from __future__ import annotations

import logging
import os
import tempfile
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
@st.cache_resource(show_spinner=False)
def _model_path() -> str:
    from posture.io.model import resolve_model_path

    return str(resolve_model_path())


def model_path() -> str:
    """The pose model, built on first use with a visible status message (once per server)."""
    if "model_path" not in st.session_state:
        with st.status("Preparing the pose model (first use only, a few seconds)...", expanded=False) as s:
            st.session_state["model_path"] = _model_path()
            s.update(label="Pose model ready", state="complete")
    return st.session_state["model_path"]


def history():
    from posture.history import History

    return History(st.session_state.get("history_path") or None)


# ----------------------------------------------------------------------------- analysis
class _ProgressBar:
    """Frames done and time left, updated at most 5 times a second."""

    def __init__(self, label: str):
        self.bar = st.progress(0.0, text=f"{label}: starting...")
        self.label, self.start, self.last = label, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-6)
        left = (total - done) / rate if rate > 0 else 0.0
        self.bar.progress(min(done / max(total, 1), 1.0),
                          text=f"{self.label}: {done}/{total} frames, about {left:.0f} s left")

    def done(self) -> None:
        self.bar.empty()


def analyse_upload(task: str, name: str, data: bytes, options, kind: str = "video") -> dict[str, Any]:
    """Run one analysis on uploaded bytes; returns the session's result record."""
    from posture.analyses import load_input, run_analysis
    from posture.export import Still, frames_csv, report_html, report_pdf
    from posture.io.annotate import render_annotated

    mp = model_path()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="posture-app-") as tmp:
        src = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        src.write_bytes(data)
        bar = _ProgressBar("Finding the body in each frame")
        seq = load_input(src, task, model_path=mp, progress=bar)
        bar.done()
        with st.spinner("Analysing the movement..."):
            report = run_analysis(task, seq, options)
        t_analysis = time.monotonic() - t0
        is_photo = kind == "photo" or report.video.is_image
        out = Path(tmp) / ("annotated.png" if is_photo else "annotated.mp4")
        bar = _ProgressBar("Drawing on your video")
        ann = render_annotated(src, seq, report, out, progress=bar)
        bar.done()
        media = out.read_bytes()
    stills = [Still(k.caption, k.rgb, k.time_s) for k in ann.key_frames]
    with st.spinner("Preparing the downloadable reports..."):
        html = report_html(report, stills, source_name=name)
        pdf = report_pdf(report, stills, source_name=name)
        csv = frames_csv(seq, report)
    record = {"task": task, "name": name, "report": report, "media": media, "is_photo": is_photo,
              "html": html, "pdf": pdf, "csv": csv, "json": report.to_json(), "stills": stills,
              "analysis_s": t_analysis, "total_s": time.monotonic() - t0, "history_id": None}
    if st.session_state.get("save_history", True):
        try:
            record["history_id"] = history().add(report, source_name=name)
        except Exception as e:  # noqa: BLE001 - history must never cost the user their result
            record["history_error"] = str(e)
    return record


def upload_section(task: str, options_fn) -> None:
    """File upload (and photo capture for sitting), content checks, Analyse button, results."""
    from posture.errors import PostureError

    types = list(VIDEO_TYPES + PHOTO_TYPES)
    up = st.file_uploader("Video or photo", type=types, key=f"upload-{task}",
                          help="Phone formats: mp4, mov, m4v, webm, jpg, png. Portrait clips are turned upright.")
    shot = None
    if task == "sit":
        with st.expander("Or take a photo with the webcam"):
            shot = st.camera_input("Photo of you sitting, from the side", key=f"camera-{task}")
    options = options_fn()
    chosen = up or shot
    if chosen is None:
        st.caption("Nothing is uploaded anywhere: the file is analysed on this computer and deleted afterwards.")
    elif st.button("Analyse", type="primary", key=f"analyse-{task}"):
        name = getattr(chosen, "name", "photo.jpg") or "photo.jpg"
        data = chosen.getvalue()
        try:
            kind = sniff_media(name, data[:64])
            st.session_state.setdefault("results", {})[task] = analyse_upload(task, name, data, options, kind)
        except ValueError as e:
            st.error(str(e))
        except PostureError as e:
            st.error(f"Could not analyse {name}: {e}")
        except ImportError as e:
            st.error(f"The {PAGE_TASK_TITLES[task].lower()} analysis is not available in this version ({e}).")
    record = st.session_state.get("results", {}).get(task)
    if record:
        show_results(record)


# ----------------------------------------------------------------------------- results
def finding_card(f) -> None:
    words = {"warning": "Needs attention", "notice": "Worth a look", "ok": "Fine", "not_assessed": "Not assessed"}
    with st.container(border=True):
        st.markdown(f"**{SEVERITY_ICON.get(f.severity, '')} {f.id.replace('_', ' ').capitalize()}** "
                    f"&middot; {words.get(f.severity, f.severity)}")
        st.write(f.message)
        if f.advice:
            st.markdown(f"**What to do:** {f.advice}")
        bits = []
        if f.value is not None:
            bits.append(f"measured {f.value:.1f} {f.unit}".rstrip() if isinstance(f.value, float)
                        else f"measured {f.value} {f.unit}")
        if f.threshold is not None:
            bits.append(f"threshold {f.threshold} {f.unit}".rstrip())
        if f.time_ranges_s:
            bits.append("when: " + ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in f.time_ranges_s[:5]))
        if f.severity != "not_assessed":
            bits.append(f"confidence {f.confidence:.0%}")
        st.caption(" · ".join(bits))


def show_results(record: dict[str, Any]) -> None:
    from posture.export import flat_metrics, sorted_findings
    from posture.plots import report_charts

    report = record["report"]
    flagged = [f for f in report.findings if f.flagged]
    st.subheader(f"Results for {record['name']}")
    st.caption(f"View: {report.view} · {report.video.n_frames} frame(s) · analysed in {record['analysis_s']:.1f} s")
    if record.get("history_error"):
        st.warning(f"Not saved to history: {record['history_error']}")
    if flagged:
        st.markdown(f"**{len(flagged)} thing(s) to look at**")
    else:
        st.success("Nothing flagged in this clip.")
    left, right = st.columns([3, 2])
    with left:
        if record["is_photo"]:
            st.image(record["media"], caption="Your photo with the pose drawn on it")
        else:
            st.video(record["media"], format="video/mp4")
        st.download_button("Download annotated " + ("photo" if record["is_photo"] else "video"), record["media"],
                           file_name="posture_" + ("annotated.png" if record["is_photo"] else "annotated.mp4"),
                           mime="image/png" if record["is_photo"] else "video/mp4", key=f"dl-media-{record['task']}")
    with right:
        st.markdown("#### Findings")
        for f in sorted_findings(report):
            finding_card(f)
    charts = report_charts(report)
    if charts:
        st.markdown("#### Over time")
        st.caption("Shaded: when a finding was flagged. Dashed line: threshold. Ticks: events (steps, repetitions).")
        for _, ch in charts:
            st.altair_chart(ch, width="stretch")
    metrics = flat_metrics(report.metrics)
    if metrics:
        with st.expander("All numbers"):
            st.table({"metric": list(metrics), "value": [str(v) for v in metrics.values()]})
    st.markdown("#### Keep or share this report")
    c = st.columns(4)
    t = record["task"]
    c[0].download_button("Report (HTML)", record["html"], "posture_report.html", "text/html", key=f"dl-html-{t}")
    c[1].download_button("Report (PDF)", record["pdf"], "posture_report.pdf", "application/pdf", key=f"dl-pdf-{t}")
    c[2].download_button("Report (JSON)", record["json"], "posture_report.json", "application/json", key=f"dl-json-{t}")
    c[3].download_button("Per-frame data (CSV)", record["csv"], "posture_frames.csv", "text/csv", key=f"dl-csv-{t}")
    st.caption(NOT_A_DIAGNOSIS)


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


def live_processor(task: str, params: dict[str, Any]):
    """The session's :class:`WebcamProcessor` for a task, rebuilt only when its parameters change."""
    from posture.webcam import WebcamProcessor, make_analyser

    key = f"webcam-proc-{task}"
    proc = st.session_state.get(key)
    if proc is None:
        mp = model_path()

        def estimator():
            from posture.io.extract import ParallelLivePoseEstimator

            # Two landmarkers in flight: one keeps one core busy, so one alone caps live analysis
            # near 15-20 frames/s on 2 cores. POSTURE_LIVE_WORKERS=1 gives the single-landmarker path.
            workers = int(os.environ.get("POSTURE_LIVE_WORKERS", "2"))
            return ParallelLivePoseEstimator(mp, num_poses=1, max_side=640, workers=workers)

        proc = WebcamProcessor(estimator, make_analyser(task, **params))
        st.session_state[key] = proc
        st.session_state[key + "-params"] = dict(params)
    elif st.session_state.get(key + "-params") != params:
        proc.set_analyser(make_analyser(task, **params))
        st.session_state[key + "-params"] = dict(params)
    return proc


def live_section(task: str, params: dict[str, Any] | None = None) -> None:
    """Webcam with the skeleton and the one cue drawn on it, and the live panel beside it."""
    import streamlit_webrtc as webrtc

    from posture.webcam import rtc_configuration

    params = params or {}
    try:
        rtc = rtc_configuration()
    except ValueError as e:
        st.error(str(e))
        return
    proc = live_processor(task, params)
    key = f"live-{task}"
    _guard_false_orphan(key)
    cam, panel = st.columns([3, 2])
    with cam:
        ctx = webrtc.webrtc_streamer(
            key=key,
            mode=webrtc.WebRtcMode.SENDRECV,
            rtc_configuration=rtc,
            media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
            video_frame_callback=proc.callback,
            # A slow model drops old frames instead of building up lag.
            async_processing=True,
        )
        st.caption("Press START and allow the camera. Video stays on this computer.")
    playing = bool(getattr(getattr(ctx, "state", None), "playing", False))
    with panel:
        live_panel(task, playing)


def _render_snapshot(task: str) -> None:
    proc = st.session_state.get(f"webcam-proc-{task}")
    if proc is None:
        return
    snap = proc.snapshot()
    s = snap.status
    if snap.error:
        st.error(f"Live analysis problem: {snap.error}")
    if not s:
        st.info("Waiting for the camera... If no video appears within 10 seconds, press STOP and then START again."
                if snap.frames_in == 0 else "Looking for you...")
    else:
        st.markdown(f"### {s['headline']}")
        if s.get("cue"):
            (st.success if s.get("in_form") else st.warning if s.get("in_form") is False else st.info)(s["cue"])
        vals = {k: v for k, v in (s.get("values") or {}).items() if isinstance(v, (int, float, str))}
        if vals:
            cols = st.columns(min(3, len(vals)))
            for i, (k, v) in enumerate(list(vals.items())[:6]):
                cols[i % len(cols)].metric(k.replace("_", " "), _metric_text(v))
    if snap.recent_cues:
        st.caption("Recent cues: " + " · ".join(c for _, c in list(snap.recent_cues)[-3:]))
    st.caption(f"{snap.frames_processed} frames analysed · {snap.fps:.1f} frames/s"
               + (f" · {snap.process_ms_p50:.0f} ms per frame" if snap.frames_processed else "")
               + (f" · lag {snap.lag_ms_p50:.0f} ms" if snap.lag_ms_p50 == snap.lag_ms_p50 else "")
               + (f" · pose {snap.pose_age_ms_p50:.0f} ms old" if snap.pose_age_ms_p50 == snap.pose_age_ms_p50 else ""))


def _metric_text(v: object) -> str:
    """A live value as a person reads it: yes/no rather than True/False, one decimal for floats."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def live_panel(task: str, playing: bool) -> None:
    """The live panel; refreshes itself once a second while the camera runs (the video shows the cue at once)."""
    if playing:
        import os

        # Measured: refreshing every 0.25 s made each webcam frame 4x slower (3-4 instead of 14 frames/s,
        # the script thread competing with the frame callback); the cue is drawn on the video at once anyway.
        every = float(os.environ.get("POSTURE_LIVE_REFRESH_S", "1.0"))
        st.fragment(run_every=every)(_render_snapshot)(task)
    else:
        _render_snapshot(task)
        proc = st.session_state.get(f"webcam-proc-{task}")
        if proc is not None and proc.snapshot().frames_processed:
            with st.expander("Session summary"):
                st.json(proc.snapshot().summary)


def page_intro(task: str, text: str) -> None:
    st.title(PAGE_TASK_TITLES[task])
    st.write(text)
    st.caption(NOT_A_DIAGNOSIS)
