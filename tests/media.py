"""Write small test videos with PyAV: constant or variable frame rate, with display rotation."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0, times_s: list[float] | None = None,
                rotation_deg: int | None = None, codec: str = "libx264") -> Path:
    """Encode RGB frames to ``path``. ``times_s`` gives each frame's presentation time (VFR);
    ``rotation_deg`` stores a display-matrix rotation (counter-clockwise) like phones do."""
    import av

    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=Fraction(fps).limit_denominator(1000))
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        if times_s is not None:
            s.codec_context.time_base = Fraction(1, 1000)
        if rotation_deg is not None:
            s.set_display_rotation(rotation_deg)
        for i, rgb in enumerate(frames):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if times_s is not None:
                f.pts = int(round(times_s[i] * 1000))
                f.time_base = Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def pattern_frame(w: int = 160, h: int = 96, k: int = 0) -> np.ndarray:
    """An asymmetric test card: red block top-left, green bottom-right, frame number as a bar."""
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 3, : w // 3] = (255, 0, 0)
    img[-h // 4:, -w // 4:] = (0, 255, 0)
    img[h // 2 - 4: h // 2 + 4, : min(w, 4 + 4 * (k % 30))] = (255, 255, 255)
    return img
