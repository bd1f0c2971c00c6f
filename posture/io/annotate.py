"""The user's own video with the skeleton, the key angles and the faults drawn on it.

Written as H.264 in MP4 (PyAV's libx264, ``yuv420p``, ``+faststart``) because
browsers play that and not OpenCV's default ``mp4v``. Frames keep their real
timestamps (millisecond time base), so variable-frame-rate phone clips stay in
sync. Photos give an annotated PNG instead.

What is drawn at time ``t`` comes from the report alone: every plotted series
(``Report.series``) at ``t`` and every flagged finding whose time range holds
``t`` (:func:`overlay_at`), so the video, the plots and the finding cards agree.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from posture import landmarks as L
from posture.io.render import annotate_frame, encode_png, resize_max_side
from posture.present import measure_name
from posture.report import Report
from posture.sequence import PoseSequence

log = logging.getLogger(__name__)

# Which landmarks a finding is about, by a word in its id (our choice, for drawing only).
_FINDING_PARTS: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] = (
    (("head", "neck", "looking", "gaze"), (L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_EYE, L.RIGHT_EYE)),
    (("slouch", "trunk", "back", "spine", "lean", "twist", "flexion", "reba", "niosh"),
     (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)),
    (("hip", "pelvi", "sway"), (L.LEFT_HIP, L.RIGHT_HIP)),
    (("knee", "squat", "valgus"), (L.LEFT_KNEE, L.RIGHT_KNEE)),
    (("heel", "foot", "step", "cadence", "stance"), (L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX,
                                                    L.LEFT_ANKLE, L.RIGHT_ANKLE)),
    (("shoulder", "arm", "wrist", "elbow", "reach", "load"), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW,
                                                             L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST)),
)


def landmarks_for_finding(finding_id: str) -> tuple[int, ...]:
    """Landmark indices to highlight for a finding id (empty when we cannot tell)."""
    fid = finding_id.lower()
    out: list[int] = []
    for words, idx in _FINDING_PARTS:
        if any(w in fid for w in words):
            out.extend(idx)
    return tuple(dict.fromkeys(out))


def pretty_id(finding) -> str:
    """A finding's plain name (a Finding or an id), as the finding cards write it."""
    from posture.present import finding_title

    return finding_title(finding)


@dataclass(frozen=True)
class Overlay:
    """What to draw at one moment: ``values`` as ``(label, value, unit, flagged)``, active fault names, landmarks."""

    values: tuple[tuple[str, float, str, bool], ...] = ()
    faults: tuple[str, ...] = ()
    highlight: tuple[int, ...] = ()


def _value_at(s: dict, t: float) -> float:
    ts = np.asarray(s.get("time_s", ()), float)
    vs = np.asarray(s.get("values", ()), float)
    if ts.size == 0 or vs.size != ts.size:
        return float("nan")
    i = int(np.clip(np.searchsorted(ts, t), 0, ts.size - 1))
    if i > 0 and abs(ts[i - 1] - t) < abs(ts[i] - t):
        i -= 1
    step = float(np.median(np.diff(ts))) if ts.size > 1 else 0.1
    return float(vs[i]) if abs(ts[i] - t) <= max(step, 1e-3) * 1.5 else float("nan")


def overlay_at(report: Report, t: float, max_values: int = 4) -> Overlay:
    """The overlay for time ``t`` (s): up to ``max_values`` series values and the flagged findings active then."""
    active = [f for f in report.findings if f.flagged and any(a <= t <= b for a, b in f.time_ranges_s)]
    # For a photo (one frame), every flagged finding applies.
    if report.video.is_image:
        active = [f for f in report.findings if f.flagged]
    active_ids = {f.id for f in active}
    from posture.plots import link_findings

    links = link_findings(report)
    # measures that were judged first (those with a finding), never those whose finding was not assessed
    names = sorted((n for n in report.series if not (links.get(n) and links[n].severity == "not_assessed")
                    and report.series[n].get("unit") != "px"),  # pixels mean nothing to a person
                   key=lambda n: links.get(n) is None)
    values = []
    for name in names:
        s = report.series[name]
        v = _value_at(s, t)
        if not np.isfinite(v):
            continue
        f = links.get(name)
        flagged = bool(f is not None and f.id in active_ids) or name in active_ids
        allv = np.asarray(s.get("values", ()), float)
        if np.isin(allv[np.isfinite(allv)], (0.0, 1.0)).all():  # a yes/no series: say yes or no, not 1 or 0
            v = bool(v)
        values.append((measure_name(str(s.get("label") or name)), v, str(s.get("unit") or ""), flagged))
        if len(values) >= max_values:
            break
    highlight: list[int] = []
    for f in active:
        highlight.extend(landmarks_for_finding(f.id))
    return Overlay(tuple(values), tuple(pretty_id(f) for f in active), tuple(dict.fromkeys(highlight)))


@dataclass
class KeyFrame:
    time_s: float
    caption: str
    rgb: np.ndarray


@dataclass
class AnnotatedResult:
    path: Path | None
    key_frames: list[KeyFrame] = field(default_factory=list)
    frames_written: int = 0


def key_frame_times(report: Report, max_frames: int = 4) -> list[tuple[float, str]]:
    """Moments worth a still in the report: the middle of each flagged finding's first range, else mid-clip."""
    out: list[tuple[float, str]] = []
    if report.video.is_image:
        flagged = [pretty_id(f).lower() for f in report.findings if f.flagged]
        return [(0.0, "Your photo" + (": " + ", ".join(flagged) if flagged else ""))]
    for f in report.findings:
        if f.flagged and f.time_ranges_s:
            a, b = f.time_ranges_s[0]
            out.append(((a + b) / 2.0, f"{pretty_id(f)} ({'needs attention' if f.severity == 'warning' else 'worth a look'})"))
    if not out:
        out.append((report.video.duration_s / 2.0 if report.video.n_frames > 1 else 0.0, "The middle of your video"))
    return out[:max_frames]


def _annotate(rgb: np.ndarray, seq: PoseSequence, row: int | None, report: Report, t: float) -> np.ndarray:
    ov = overlay_at(report, t)
    xy = vis = None
    if row is not None:
        xy = np.asarray(seq.xy_px[row])
        vis = np.asarray(seq.visibility[row])
        h, w = rgb.shape[:2]
        if (w, h) != (seq.video.width, seq.video.height) and seq.video.width > 0:
            xy = xy * np.array([w / seq.video.width, h / seq.video.height])
    return annotate_frame(rgb, xy, vis, ov.values, ov.faults, ov.highlight)


def render_annotated(source: str | os.PathLike[str], seq: PoseSequence, report: Report,
                     out_path: str | os.PathLike[str] | None, max_side: int = 720,
                     key_times: Sequence[tuple[float, str]] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> AnnotatedResult:
    """Annotate every frame of ``source`` into an H.264 MP4 at ``out_path`` (a PNG for a photo).

    ``out_path=None`` only collects the key frames. ``key_times`` default to
    :func:`key_frame_times`. Frames are matched to ``seq`` by decoded frame number.
    """
    from posture.io.video import iter_media

    info, frames = iter_media(source)
    keys = list(key_frame_times(report) if key_times is None else key_times)
    result = AnnotatedResult(path=Path(out_path) if out_path else None)
    row_of = {int(f): i for i, f in enumerate(seq.frame_index)}
    if info.is_image:
        fr = next(iter(frames))
        out = resize_max_side(_annotate(fr.rgb, seq, row_of.get(0, 0), report, 0.0), max_side)
        if out_path:
            Path(out_path).write_bytes(encode_png(out))
            result.frames_written = 1
        result.key_frames = [KeyFrame(0.0, keys[0][1] if keys else "Photo", out)]
        return result

    import av

    container = stream = None
    total = max(info.n_frames, 1)
    pending = sorted(keys)
    last_ms = -1
    try:
        if out_path:
            container = av.open(str(out_path), "w", format="mp4", options={"movflags": "+faststart"})
        for fr in frames:
            rgb = _annotate(fr.rgb, seq, row_of.get(fr.index), report, fr.timestamp_s)
            rgb = resize_max_side(rgb, max_side)
            h, w = rgb.shape[:2]
            rgb = rgb[: h - h % 2, : w - w % 2]  # yuv420p needs even sizes
            while pending and pending[0][0] <= fr.timestamp_s + 1e-6:
                t, cap = pending.pop(0)
                result.key_frames.append(KeyFrame(fr.timestamp_s, cap, rgb))
            if container is not None:
                if stream is None:
                    rate = Fraction(info.fps).limit_denominator(1000) if info.fps > 0 else Fraction(30)
                    stream = container.add_stream("libx264", rate=rate)
                    stream.width, stream.height, stream.pix_fmt = rgb.shape[1], rgb.shape[0], "yuv420p"
                    stream.codec_context.time_base = Fraction(1, 1000)
                    stream.options = {"crf": "23", "preset": "veryfast"}
                vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                ms = max(int(round(fr.timestamp_s * 1000)), last_ms + 1)
                last_ms = ms
                vf.pts, vf.time_base = ms, Fraction(1, 1000)
                for p in stream.encode(vf):
                    container.mux(p)
                result.frames_written += 1
            if progress:
                progress(fr.index + 1, max(total, fr.index + 1))
        if container is not None and stream is not None:
            for p in stream.encode():
                container.mux(p)
    finally:
        if container is not None:
            container.close()
    if result.key_frames == [] and keys:
        log.debug("no frame reached the key times %s", keys)
    return result
