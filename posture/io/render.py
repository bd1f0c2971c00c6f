"""Draw the skeleton, angles, live cues and active findings on RGB frames.

The one place that draws (OpenCV lives in ``posture.io``). Every function
takes an upright RGB ``uint8`` array of shape (height, width, 3) and returns a
new array; the input is never changed. Landmarks are in pixels of that frame
(``PoseFrame.xy_px`` / ``PoseSequence.xy_px``), NaN where unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from posture.landmarks import CONNECTIONS, N_LANDMARKS
from posture.present import fmt_value


@dataclass(frozen=True)
class RenderStyle:
    """Colours (RGB) and sizes; sizes scale with the frame so phone clips and webcams look alike."""

    bone_rgb: tuple[int, int, int] = (80, 220, 255)
    joint_rgb: tuple[int, int, int] = (255, 255, 255)
    fault_rgb: tuple[int, int, int] = (255, 70, 60)
    ok_rgb: tuple[int, int, int] = (70, 210, 90)
    text_rgb: tuple[int, int, int] = (255, 255, 255)
    panel_rgb: tuple[int, int, int] = (20, 20, 20)
    panel_alpha: float = 0.6
    min_visibility: float = 0.5  # our choice: MediaPipe's own cut-off for "visible" in its drawing utils
    line_frac: float = 1 / 240  # line width as a share of the frame's longer side (our choice)
    font_frac: float = 1 / 1400  # font scale per pixel of the longer side (our choice; readable on phones)


DEFAULT_STYLE = RenderStyle()


def _cv2():
    import cv2

    return cv2


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image of shape (h, w, 3), got {rgb.dtype} {rgb.shape}")
    return rgb


def _sizes(rgb: np.ndarray, style: RenderStyle) -> tuple[int, float]:
    side = max(rgb.shape[:2])
    return max(1, round(side * style.line_frac)), max(0.4, side * style.font_frac)


def draw_skeleton(rgb: np.ndarray, xy_px: np.ndarray, visibility: np.ndarray | None = None,
                  highlight: Iterable[int] = (), style: RenderStyle = DEFAULT_STYLE) -> np.ndarray:
    """Bones and joints of one person; landmarks in ``highlight`` (and bones touching them) in the fault colour."""
    cv2 = _cv2()
    out = _check_rgb(rgb).copy()
    xy = np.asarray(xy_px, float)
    if xy.shape != (N_LANDMARKS, 2):
        raise ValueError(f"xy_px must have shape ({N_LANDMARKS}, 2), got {xy.shape}")
    vis = np.ones(N_LANDMARKS) if visibility is None else np.asarray(visibility, float)
    ok = np.isfinite(xy).all(axis=1) & (vis >= style.min_visibility)
    hot = set(int(i) for i in highlight)
    lw, _ = _sizes(out, style)
    pts = np.round(np.nan_to_num(xy)).astype(int)
    for a, b in CONNECTIONS:
        if ok[a] and ok[b]:
            color = style.fault_rgb if (a in hot or b in hot) else style.bone_rgb
            cv2.line(out, tuple(pts[a]), tuple(pts[b]), color, lw + (1 if color == style.fault_rgb else 0), cv2.LINE_AA)
    idx = sorted(np.flatnonzero(ok), key=lambda i: i in hot)  # flagged joints last, so they stay on top
    for i in idx:
        color = style.fault_rgb if i in hot else style.joint_rgb
        cv2.circle(out, tuple(pts[i]), lw + 1, color, -1, cv2.LINE_AA)
    return out


def draw_angle(rgb: np.ndarray, vertex_px: Sequence[float], value_deg: float, label: str = "",
               style: RenderStyle = DEFAULT_STYLE, flagged: bool = False) -> np.ndarray:
    """Write an angle (e.g. ``knee 92°``) next to its joint; nothing when the value or joint is unknown."""
    v = np.asarray(vertex_px, float)
    if not (np.isfinite(v).all() and np.isfinite(value_deg)):
        return _check_rgb(rgb).copy()
    text = f"{label} {value_deg:.0f} deg".strip()
    lw, fs = _sizes(rgb, style)
    org = (int(v[0]) + 3 * lw, int(v[1]) - 2 * lw)
    return _text_box(rgb, [text], org, fs, style.fault_rgb if flagged else style.text_rgb, style)


def _text_box(rgb: np.ndarray, lines: list[str], org: tuple[int, int], font_scale: float,
              color: tuple[int, int, int], style: RenderStyle, lines_colors: list | None = None) -> np.ndarray:
    """Lines of text on a translucent dark panel with its top-left corner at ``org``."""
    cv2 = _cv2()
    out = _check_rgb(rgb).copy()
    if not lines:
        return out
    font = cv2.FONT_HERSHEY_SIMPLEX
    thick = max(1, round(font_scale * 2))
    sizes = [cv2.getTextSize(t, font, font_scale, thick)[0] for t in lines]
    line_h = max(s[1] for s in sizes) + round(10 * font_scale) + 4
    pad = round(6 * font_scale) + 2
    w = max(s[0] for s in sizes) + 2 * pad
    h = line_h * len(lines) + pad
    H, W = out.shape[:2]
    x0 = int(np.clip(org[0], 0, max(0, W - w)))
    y0 = int(np.clip(org[1], 0, max(0, H - h)))
    x1, y1 = min(W, x0 + w), min(H, y0 + h)
    roi = out[y0:y1, x0:x1].astype(np.float32)
    panel = np.array(style.panel_rgb, np.float32)
    out[y0:y1, x0:x1] = (roi * (1 - style.panel_alpha) + panel * style.panel_alpha).astype(np.uint8)
    for k, t in enumerate(lines):
        c = lines_colors[k] if lines_colors else color
        y = y0 + pad + line_h * (k + 1) - round(6 * font_scale) - 2
        cv2.putText(out, t, (x0 + pad, y), font, font_scale, c, thick, cv2.LINE_AA)
    return out


def draw_panel(rgb: np.ndarray, lines: Sequence[str], corner: str = "top-left", flagged: Sequence[bool] | None = None,
               style: RenderStyle = DEFAULT_STYLE) -> np.ndarray:
    """A text panel in a corner (``top-left``, ``top-right``, ``bottom-left``); flagged lines in the fault colour."""
    lines = [str(x) for x in lines if x]
    if not lines:
        return _check_rgb(rgb).copy()
    _, fs = _sizes(rgb, style)
    H, W = rgb.shape[:2]
    org = {"top-left": (0, 0), "top-right": (W, 0), "bottom-left": (0, H), "bottom-right": (W, H)}[corner]
    colors = None
    if flagged is not None:
        colors = [style.fault_rgb if f else style.text_rgb for f in flagged][: len(lines)]
        colors += [style.text_rgb] * (len(lines) - len(colors))
    return _text_box(rgb, list(lines), org, fs, style.text_rgb, style, colors)


@dataclass(frozen=True)
class LiveStyle:
    """The live coach's overlay, made to be read from a mat 3 m away (our choice, checked at 640x480).

    Text heights are shares of the frame height: at 480 px the cue's capitals are about 27 px and the
    headline's about 21 px, the size of 5 cm letters on a laptop screen seen from 3 m (a visual angle of
    about 1 degree). White or coloured on an almost opaque black panel, thick strokes.
    """

    headline_cap_frac: float = 0.045
    cue_cap_frac: float = 0.058
    countdown_cap_frac: float = 0.11
    panel_alpha: float = 0.85
    in_form_rgb: tuple[int, int, int] = (80, 255, 120)
    out_of_form_rgb: tuple[int, int, int] = (255, 215, 0)  # yellow reads better than red on black
    neutral_rgb: tuple[int, int, int] = (255, 255, 255)
    busy_rgb: tuple[int, int, int] = (255, 140, 0)


LIVE_STYLE = LiveStyle()


def _scale_for_cap(cap_px: float) -> float:
    """Hershey simplex font scale whose capital letters are ``cap_px`` tall (22 px at scale 1)."""
    return max(0.4, cap_px / 22.0)


def _wrap(text: str, font_scale: float, thick: int, max_w: int) -> list[str]:
    """Greedy word wrap to ``max_w`` pixels."""
    cv2 = _cv2()
    words, lines, cur = str(text).split(), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if cur and cv2.getTextSize(trial, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thick)[0][0] > max_w:
            lines.append(cur)
            cur = w
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


def draw_live_status(rgb: np.ndarray, headline: str, cue: str | None, in_form: bool | None,
                     style: RenderStyle = DEFAULT_STYLE, countdown_s: float | None = None, busy: str | None = None,
                     live: LiveStyle = LIVE_STYLE) -> np.ndarray:
    """The live view's banner, big enough to read from the floor (see :class:`LiveStyle`).

    Top: the headline (white) and the one cue (green in form, yellow out of form, white when unknown),
    wrapped to the frame's width. Bottom-right: the seconds left in a hold (``countdown_s``). Bottom-left:
    a "computer busy" note when feedback lags (``busy``).
    """
    cv2 = _cv2()
    out = _check_rgb(rgb).copy()
    H, W = out.shape[:2]
    font = cv2.FONT_HERSHEY_SIMPLEX
    rows: list[tuple[str, float, int, tuple[int, int, int]]] = []
    margin = max(4, round(W * 0.015))
    for text, cap, color in ((headline, live.headline_cap_frac, live.neutral_rgb),
                             (cue, live.cue_cap_frac, live.neutral_rgb if in_form is None
                              else (live.in_form_rgb if in_form else live.out_of_form_rgb))):
        if not text:
            continue
        fs = _scale_for_cap(cap * H)
        thick = max(2, round(fs * 2.2))
        for ln in _wrap(text, fs, thick, W - 4 * margin)[:3]:
            rows.append((ln, fs, thick, color))
    y = margin
    if rows:
        heights = [cv2.getTextSize(t, font, fs, th)[0][1] for t, fs, th, _ in rows]
        gaps = [round(h * 0.55) for h in heights]
        panel_h = sum(heights) + sum(gaps) + 2 * margin
        y1 = min(H, panel_h + margin)
        out[:y1] = (out[:y1].astype(np.float32) * (1 - live.panel_alpha)).astype(np.uint8)
        y = 2 * margin
        for (t, fs, th, color), h, g in zip(rows, heights, gaps, strict=True):
            y += h
            cv2.putText(out, t, (2 * margin, y), font, fs, color, th, cv2.LINE_AA)
            y += g
    if countdown_s is not None and np.isfinite(countdown_s):
        text = f"{max(0, int(np.ceil(countdown_s)))} s"
        fs = _scale_for_cap(live.countdown_cap_frac * H)
        th = max(3, round(fs * 2.5))
        (tw, tht), base = cv2.getTextSize(text, font, fs, th)
        pad = 2 * margin
        y_base = H - 2 * margin - pad - base  # text baseline; the panel keeps ``pad`` around the text
        x0, y0, x1, y1 = W - tw - 2 * pad - 2 * margin, y_base - tht - pad, W - 2 * margin, y_base + base + pad
        out[y0:y1, x0:x1] = (out[y0:y1, x0:x1].astype(np.float32) * (1 - live.panel_alpha)).astype(np.uint8)
        cv2.putText(out, text, (x0 + pad, y_base), font, fs, live.neutral_rgb, th, cv2.LINE_AA)
    if busy:
        fs = _scale_for_cap(live.headline_cap_frac * H * 0.8)
        th = max(2, round(fs * 2))
        lines = _wrap(busy, fs, th, W // 2)[:2]
        hs = [cv2.getTextSize(t, font, fs, th)[0][1] for t in lines]
        y0 = H - sum(hs) - len(lines) * margin - 2 * margin
        out[y0:H - margin, margin:W // 2 + 2 * margin] = (
            out[y0:H - margin, margin:W // 2 + 2 * margin].astype(np.float32) * (1 - live.panel_alpha)).astype(np.uint8)
        yy = y0 + margin
        for t, h in zip(lines, hs, strict=True):
            yy += h
            cv2.putText(out, t, (2 * margin, yy), font, fs, live.busy_rgb, th, cv2.LINE_AA)
            yy += margin
    return out


def annotate_frame(rgb: np.ndarray, xy_px: np.ndarray | None, visibility: np.ndarray | None = None,
                   values: Sequence[tuple[str, float, str, bool]] = (), faults: Sequence[str] = (),
                   highlight: Iterable[int] = (), style: RenderStyle = DEFAULT_STYLE) -> np.ndarray:
    """Skeleton plus a panel of current values (``(label, value, unit, flagged)``) and active faults.

    ``faults`` are short names of findings active at this moment, drawn in the
    fault colour at the bottom-left.
    """
    out = _check_rgb(rgb).copy()
    if xy_px is not None and np.isfinite(np.asarray(xy_px, float)).any():
        out = draw_skeleton(out, xy_px, visibility, highlight=highlight, style=style)
    lines, flags = [], []
    for label, value, unit, flagged in values:
        if value is None or not np.isfinite(float(value)):
            continue
        lines.append(f"{label}: {fmt_value(value, unit)}")
        flags.append(bool(flagged))
    if lines:
        out = draw_panel(out, lines, "top-left", flags, style)
    if faults:
        out = draw_panel(out, [f"! {f}" for f in faults], "bottom-left", [True] * len(faults), style)
    return out


def video_frame_from_rgb(rgb: np.ndarray, like=None):
    """An ``av.VideoFrame`` from RGB, keeping the timing (pts, time_base) of ``like`` if given."""
    import av

    out = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    if like is not None:
        out.pts = like.pts
        out.time_base = like.time_base if like.time_base is not None else Fraction(1, 90000)
    return out


def encode_jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    """JPEG bytes of an RGB image (for key frames in reports)."""
    cv2 = _cv2()
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(_check_rgb(rgb), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the frame as JPEG")
    return buf.tobytes()


def encode_png(rgb: np.ndarray) -> bytes:
    cv2 = _cv2()
    ok, buf = cv2.imencode(".png", cv2.cvtColor(_check_rgb(rgb), cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("could not encode the frame as PNG")
    return buf.tobytes()


def resize_max_side(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale so the longer side is at most ``max_side`` (never upscales)."""
    cv2 = _cv2()
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return rgb
    s = max_side / max(h, w)
    return cv2.resize(rgb, (max(2, round(w * s)), max(2, round(h * s))), interpolation=cv2.INTER_AREA)
