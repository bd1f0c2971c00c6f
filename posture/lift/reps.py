"""Find lifting repetitions (descent, lowest point, ascent) from the vertical motion of the shoulders.

The shoulder centre's height above the floor drops in every lift, whether the
person squats (hips and shoulders go down) or stoops (mainly the shoulders go
down), so it is the one signal used for both. Heights are compared with the
standing shoulder height, taken as the larger of what the clip shows (95th
percentile) and 90% of the anatomical estimate (Winter 2009: shoulders at 0.818
of body height), so that a clip starting at the bottom of a deadlift still has
a standing reference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from posture.lift.kinematics import SHOULDER_HEIGHT_FRACTION, LiftKinematics
from posture.lift.params import DEFAULT_LIFT, LiftParams
from posture.signals import true_runs


@dataclass(frozen=True)
class Repetition:
    """One lift. Indices are positions in the sequence; ``complete`` when both descent and ascent are seen
    or the ascent reaches standing (a lift that starts at the bottom, like a deadlift from the floor)."""

    start: int  # last standing frame before going down (or the first frame)
    bottom: int  # lowest shoulder height
    liftoff: int  # last frame with the hips at their lowest before rising (the NIOSH origin)
    end: int  # first standing frame after rising (or the last frame)
    has_descent: bool
    has_ascent: bool
    depth_frac: float  # how far the shoulders went down, fraction of body height
    origin: int = -1  # the hands' lowest point before lift-off: the NIOSH origin, hands at the load (-1: liftoff)

    @property
    def origin_frame(self) -> int:
        return self.liftoff if self.origin < 0 else self.origin

    @property
    def complete(self) -> bool:
        return self.has_ascent

    def to_dict(self) -> dict:
        d = asdict(self)
        d["complete"] = self.complete
        return d


def standing_shoulder_height_px(kin: LiftKinematics) -> float:
    h = kin.shoulder_height_px
    seen = float(np.nanpercentile(h, 95)) if np.isfinite(h).any() else float("nan")
    anat = 0.9 * SHOULDER_HEIGHT_FRACTION * kin.body_height_px
    return float(np.nanmax([seen, anat])) if np.isfinite([seen, anat]).any() else float("nan")


def find_repetitions(kin: LiftKinematics, timestamps_s: np.ndarray,
                     params: LiftParams = DEFAULT_LIFT) -> list[Repetition]:
    """Repetitions in time order; episodes that never rise again (clip ends at the bottom) are kept as incomplete."""
    h = np.asarray(kin.shoulder_height_px, float)
    t = np.asarray(timestamps_s, float)
    n = len(h)
    top = standing_shoulder_height_px(kin)
    body = kin.body_height_px
    if n < 2 or not np.isfinite(top) or not np.isfinite(body) or body <= 0:
        return []
    down_level = top - params.rep_down_frac * body
    up_level = top - params.rep_up_frac * body
    # hysteresis state: 1 up, -1 down, 0 in between (inherits); NaN frames break episodes
    state = np.zeros(n, dtype=int)
    cur = 0
    for i in range(n):
        if not np.isfinite(h[i]):
            cur = 0
            state[i] = 0
            continue
        if h[i] <= down_level:
            cur = -1
        elif h[i] >= up_level:
            cur = 1
        state[i] = cur if cur != 0 else (1 if h[i] > down_level else -1)
    reps: list[Repetition] = []
    for a, b in true_runs(state == -1):  # b exclusive
        # extend to the in-between frames around the "down" run until standing
        s = a
        while s > 0 and np.isfinite(h[s - 1]) and h[s - 1] < up_level:
            s -= 1
        e = b - 1
        while e < n - 1 and np.isfinite(h[e + 1]) and h[e + 1] < up_level:
            e += 1
        if reps and s <= reps[-1].end:
            continue  # same episode as the previous run (down-run split by noise)
        has_descent = s > 0 and np.isfinite(h[s - 1])
        has_ascent = e < n - 1 and np.isfinite(h[e + 1])
        start = s - 1 if has_descent else s
        end = e + 1 if has_ascent else e
        if t[end] - t[start] < params.rep_min_duration_s:
            continue
        seg = h[start:end + 1]
        bottom = start + int(np.nanargmin(seg))
        lo = float(np.nanmin(seg))
        # lift-off: the hips leave their lowest band for good (the ascent starts with the hips, whatever the
        # shoulders do); without a hip signal, the shoulders' lowest band
        hip = np.asarray(kin.hip_height_px[start:end + 1], float)
        if np.isfinite(hip).sum() >= 2:
            h_lo, h_hi = np.nanmin(hip), np.nanmax(hip)
            low = np.flatnonzero(hip <= h_lo + params.bottom_band_frac * max(h_hi - h_lo, 1e-9))
            liftoff = start + int(low.max())
        else:
            band = lo + params.bottom_band_frac * max(top - lo, 1e-9)
            after = np.flatnonzero(h[bottom:end + 1] <= band)
            liftoff = bottom + int(after.max()) if after.size else bottom
        hands = np.asarray(kin.hand_height_px[start:liftoff + 1], float)
        origin = start + int(np.nanargmin(hands)) if np.isfinite(hands).any() else liftoff
        reps.append(Repetition(start=int(start), bottom=int(bottom), liftoff=int(liftoff), end=int(end),
                               has_descent=bool(has_descent), has_ascent=bool(has_ascent),
                               depth_frac=float((top - lo) / body), origin=int(origin)))
    return reps
