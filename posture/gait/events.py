"""Gait events from landmark tracks: initial contact (IC) and toe-off (TO) per foot.

Side views use the coordinate method of Zeni et al. (2008, Gait Posture 27:710-714): along the walking
direction, a heel is farthest ahead of the pelvis at initial contact and a toe farthest behind it at
toe-off. The contact frame is then refined (:func:`refine_contact`): the first frame at or after the
sub-frame peak, and later while the heel is still clearly in the air and coming down (issue 11: timing
0.76 -> 0.63 frames on the nine labelled dev walks, every walk within 0.9 frames). (Speed-based stops were
tried and dropped: the heel's own image speed falling near zero made contacts ~2 frames late; its speed
relative to the other, planted foot at 10-50% of its swing speed 0.75-1.4 frames late; the labels' own rule,
the heel within 10% of a foot length of its stance spot, 0.3-0.4 frames late with a larger error.)

Front and back views have no forward axis; there a swing shows as the heel rising in the image. Contact is
the first frame after a lift where the heel's descent has almost stopped, toe-off the last frame before the
lift where the heel was still near its stance height.

Feet (side views) are named by alternation: within a pass contacts alternate feet, and a gap of about k
median steps means k - 1 contacts were missed, so only the parity of each chain of contacts is unknown. Two
cues vote on it, contact by contact: MediaPipe's own label of the heel that is ahead, and depth (the leg
nearer the camera is the person's right when they face image-right, their left when they face
image-left). The summary of the vote (how many contacts each cue contradicts) is reported, so a clip where
MediaPipe's labels swap shows it. Two contacts of the same foot in a row therefore never occur inside a
chain, and :func:`posture.gait.metrics.validated_steps` never makes a step of them.

All functions take a *cleaned* :class:`~posture.sequence.PoseSequence` (see
:func:`posture.cleanup.clean_for_analysis`) and return plain data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks, peak_prominences

from posture import landmarks as L
from posture.gait.params import DEFAULT_GAIT, ContactParams, EventParams
from posture.geometry import angle_from_horizontal_deg, midpoint, nan_median
from posture.sequence import PoseSequence
from posture.signals import true_runs

FEET = ("left", "right")


@dataclass(frozen=True)
class GaitEvent:
    """One event. ``index`` is the position in the analysed sequence, ``frame`` the decoded frame number."""

    kind: str  # "initial_contact" | "toe_off"
    index: int
    frame: int
    time_s: float
    foot: str  # anatomical "left" | "right"
    confidence: float
    contact: str = "unknown"  # heel | flat | forefoot | unknown (initial contacts only)
    foot_angle_deg: float | None = None  # foot angle at contact minus mid-stance angle, + toes up
    pass_index: int = -1  # which walking pass (analysed segment) it belongs to; steps never cross passes
    step_s: float | None = None  # the validated step that ends at this contact (None: no valid step ends here)

    def to_dict(self) -> dict:
        d = {"frame": self.frame, "time_s": round(self.time_s, 4), "foot": self.foot,
             "confidence": round(float(self.confidence), 3), "pass": self.pass_index}
        if self.kind == "initial_contact":
            d["step_s"] = None if self.step_s is None else round(float(self.step_s), 4)
            d["contact"] = self.contact
            d["foot_angle_deg"] = None if self.foot_angle_deg is None else round(float(self.foot_angle_deg), 1)
        return d


@dataclass(frozen=True)
class GaitEvents:
    initial_contacts: tuple[GaitEvent, ...] = ()
    toe_offs: tuple[GaitEvent, ...] = ()
    foot_confidence: dict[str, float] = field(default_factory=dict)
    near_foot: str | None = None
    labels_swapped: bool = False  # MediaPipe's left/right were exchanged to match the geometry
    method: str = ""
    naming: dict = field(default_factory=dict)  # how the feet were named and what the alternation check found

    def for_foot(self, kind: str, foot: str) -> list[GaitEvent]:
        evs = self.initial_contacts if kind == "initial_contact" else self.toe_offs
        return [e for e in evs if e.foot == foot]


def _heel(seq: PoseSequence, foot: str) -> np.ndarray:
    return np.asarray(seq.xy_px[:, L.side_indices(foot)["heel"]], float)


def _toe(seq: PoseSequence, foot: str) -> np.ndarray:
    return np.asarray(seq.xy_px[:, L.side_indices(foot)["foot_index"]], float)


def pelvis_px(seq: PoseSequence) -> np.ndarray:
    """(n, 2) hip centre in pixels."""
    return midpoint(seq.xy_px[:, L.LEFT_HIP], seq.xy_px[:, L.RIGHT_HIP])


def leg_length_px(seq: PoseSequence) -> float:
    """Median hip-to-ankle length (pixels) over both legs: a body-size scale for thresholds."""
    d = []
    for foot in FEET:
        i = L.side_indices(foot)
        d.append(np.linalg.norm(seq.xy_px[:, i["hip"]] - seq.xy_px[:, i["knee"]], axis=1)
                 + np.linalg.norm(seq.xy_px[:, i["knee"]] - seq.xy_px[:, i["ankle"]], axis=1))
    v = nan_median(np.concatenate(d))
    return float(v) if np.isfinite(v) and v > 0 else float("nan")


def leg_length_track_px(seq: PoseSequence, window_s: float = 1.0) -> np.ndarray:
    """(n,) hip-to-ankle length per frame (pixels), a running median over ``window_s``.

    A body-size scale that follows a walker who grows or shrinks as they walk toward or
    away from the camera; NaN where no leg is measurable.
    """
    d = []
    for foot in FEET:
        i = L.side_indices(foot)
        d.append(np.linalg.norm(seq.xy_px[:, i["hip"]] - seq.xy_px[:, i["knee"]], axis=1)
                 + np.linalg.norm(seq.xy_px[:, i["knee"]] - seq.xy_px[:, i["ankle"]], axis=1))
    per_frame = np.fmax(d[0], d[1])
    half = max(1, int(round(window_s * seq.fps / 2)))
    return np.array([nan_median(per_frame[max(0, k - half):k + half + 1]) for k in range(len(per_frame))])


def heel_forward_px(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) heel position ahead of the pelvis along the walking direction, pixels (+ ahead)."""
    return (_heel(seq, foot)[:, 0] - pelvis_px(seq)[:, 0]) * facing


def toe_forward_px(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) toe position ahead of the pelvis along the walking direction, pixels (+ ahead)."""
    return (_toe(seq, foot)[:, 0] - pelvis_px(seq)[:, 0]) * facing


def foot_pitch_deg(seq: PoseSequence, foot: str, facing: float) -> np.ndarray:
    """(n,) heel-to-toe line above the horizontal, degrees, positive toes up (side views)."""
    return angle_from_horizontal_deg(_heel(seq, foot), _toe(seq, foot), facing)


def heel_height_px(seq: PoseSequence, foot: str) -> np.ndarray:
    """(n,) heel height above the lower of the two heels, pixels (image y is down): 0 on the ground."""
    yl, yr = _heel(seq, "left")[:, 1], _heel(seq, "right")[:, 1]
    ground = np.fmax(yl, yr)
    return ground - _heel(seq, foot)[:, 1]


def _swings(h: np.ndarray, high: float, low: float, min_frames: int) -> list[tuple[int, int]]:
    """(start, end) frame pairs of swings: ``h`` rises above ``high``; ``start`` is the first frame of
    that rise above ``low`` and ``end`` the first frame back below ``low``. Swings cut by missing
    frames or by the clip's ends are dropped, and so are swings shorter than ``min_frames``."""
    out = []
    n = len(h)
    i = 0
    while i < n:
        if not (np.isfinite(h[i]) and h[i] > high):
            i += 1
            continue
        a = i
        while a > 0 and np.isfinite(h[a - 1]) and h[a - 1] >= low:
            a -= 1
        b = i
        while b < n and np.isfinite(h[b]) and h[b] >= low:
            b += 1
        if a > 0 and b < n and np.isfinite(h[a - 1]) and np.isfinite(h[b]) and b - a >= min_frames:
            out.append((a, b))
        i = b + 1
    return out


def _peaks(x: np.ndarray, distance: int, prominence: float, edge: int = 0) -> np.ndarray:
    """Indices of local maxima in a NaN-containing signal, run by finite run.

    A peak near the start or end of a run (the walker entering the picture, a pass beginning) has no valley
    on that side; there its prominence is measured on the other side only. But a peak needs at least
    ``edge`` samples on both sides inside its run: one found in the very first frames after the walker
    appears would come and go with the frame rate.
    """
    out = []
    for s, e in true_runs(np.isfinite(x)):
        if e - s < 3:
            continue
        seg = x[s:e]
        p, _ = find_peaks(seg, distance=max(distance, 1))
        if not len(p):
            continue
        prom, lb, rb = peak_prominences(seg, p)
        for q, pr, a, b in zip(p, prom, lb, rb, strict=True):
            if q < edge or q > len(seg) - 1 - edge:
                continue
            if a == 0 and not (seg[:q] > seg[q]).any():
                pr = seg[q] - seg[q:b + 1].min()
            elif b == len(seg) - 1 and not (seg[q + 1:] > seg[q]).any():
                pr = seg[q] - seg[a:q + 1].min()
            if pr >= prominence:
                out.append(int(q) + s)
    return np.asarray(out, dtype=int)


def near_foot_by_depth(seq: PoseSequence) -> tuple[str | None, float]:
    """Which labelled foot is nearer the camera (smaller depth) over the clip, and how clearly (0..1)."""
    votes = []
    for part in ("hip", "knee", "ankle", "heel"):
        dl = seq.depth_px[:, L.side_indices("left")[part]]
        dr = seq.depth_px[:, L.side_indices("right")[part]]
        ok = np.isfinite(dl) & np.isfinite(dr)
        if ok.any():
            votes.append(np.sign(dl[ok] - dr[ok]))  # +1: right is nearer
    if not votes:
        return None, 0.0
    v = float(np.mean(np.concatenate(votes)))
    if v == 0:
        return None, 0.0
    return ("right" if v > 0 else "left"), abs(v)


def _make(kind: str, seq: PoseSequence, i: int, foot: str, conf: float) -> GaitEvent:
    return GaitEvent(kind=kind, index=int(i), frame=int(seq.frame_index[i]), time_s=float(seq.timestamps_s[i]),
                     foot=foot, confidence=float(np.clip(conf, 0, 1)))


def classify_contact(angle_deg: float | None, params: ContactParams = DEFAULT_GAIT.contact) -> str:
    """heel / flat / forefoot from the foot angle at contact relative to mid-stance (+ toes up)."""
    if angle_deg is None or not np.isfinite(angle_deg):
        return "unknown"
    if angle_deg >= params.heel_min_deg:
        return "heel"
    if angle_deg <= params.forefoot_max_deg:
        return "forefoot"
    return "flat"


def typical_step_time_s(events: list[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> float:
    """Half the median same-foot interval (a stride), robust to a mislabelled foot; NaN if unknown."""
    strides = []
    for f in FEET:
        t = sorted(e.time_s for e in events if e.foot == f)
        lo, hi = 2 * params.min_step_time_s, 2 * params.max_step_time_s
        strides += [b - a for a, b in zip(t[:-1], t[1:], strict=False) if lo <= b - a <= hi]
    return float(np.median(strides) / 2) if strides else float("nan")


def enforce_alternation(events: list[GaitEvent], params: EventParams = DEFAULT_GAIT.events) -> list[GaitEvent]:
    """Make same-kind events alternate feet, the way walking does.

    - Two events closer than half a typical step are one event seen twice (often the far foot mislabelled):
      keep the one nearer to where the step rhythm expects it (else the more confident one).
    - An event on the same foot as the previous one, a normal step later, is the other foot mislabelled:
      rename it and lower its confidence.
    A gap longer than ``max_step_time_s`` restarts the rhythm (a missed step or a tracking gap).
    """
    evs = sorted(events, key=lambda e: e.time_s)
    step = typical_step_time_s(evs, params)
    if not np.isfinite(step) or len(evs) < 2:
        return evs
    kept: list[GaitEvent] = []
    for e in evs:
        if kept and e.time_s - kept[-1].time_s < 0.5 * step:
            prev = kept[-1]
            if len(kept) >= 2 and e.time_s - kept[-2].time_s <= params.max_step_time_s:
                expect = kept[-2].time_s + step
                better = e if abs(e.time_s - expect) < abs(prev.time_s - expect) else prev
            else:
                better = e if e.confidence > prev.confidence else prev
            kept[-1] = better
            continue
        kept.append(e)
    out: list[GaitEvent] = []
    for e in kept:
        if out and e.foot == out[-1].foot and e.time_s - out[-1].time_s < 1.5 * step:
            other = "right" if e.foot == "left" else "left"
            e = replace(e, foot=other, confidence=e.confidence * 0.6)
        out.append(e)
    return out


def _window_median(x: np.ndarray, t: np.ndarray, centre_s: float, half_width_s: float) -> float:
    """Median of ``x`` over the frames within ``half_width_s`` of ``centre_s`` (the nearest frame at least)."""
    m = np.abs(t - centre_s) <= half_width_s + 1e-9
    if not m.any():
        m = np.zeros(len(t), bool)
        m[int(np.argmin(np.abs(t - centre_s)))] = True
    return float(nan_median(x[m]))


def _dedupe(idx: list[int], strength: np.ndarray, fs: float, params: EventParams) -> tuple[list[int], int]:
    """Drop contacts closer than ``duplicate_step_fraction`` of the median step to a stronger one."""
    if len(idx) < 3:
        return idx, 0
    d = np.diff(np.asarray(idx, float)) / fs
    ok = d[(d >= params.min_step_time_s) & (d <= params.max_step_time_s)]
    if not ok.size:
        return idx, 0
    limit = params.duplicate_step_fraction * float(np.median(ok)) * fs
    out: list[int] = []
    dropped = 0
    for i in idx:
        if out and i - out[-1] < limit:
            dropped += 1
            if strength[i] > strength[out[-1]]:
                out[-1] = i
            continue
        out.append(i)
    return out, dropped


def step_indices(times_s: np.ndarray, params: EventParams = DEFAULT_GAIT.events) -> tuple[np.ndarray, np.ndarray, float]:
    """Step count of each contact from the first one of its chain, the chain id, and the median step time (s).

    Consecutive contacts normally lie one step apart. A gap of more than ``missed_step_fraction`` median
    steps means a contact was missed (or the pace changed): with ``split_chain_at_gaps`` it starts a new chain,
    whose parity is voted on its own (on the stylised treadmill walk a slow section otherwise shifted the
    parity: feet 0.80 -> 0.87 right); without it, a gap of about ``k`` steps counts ``k`` steps. A gap longer
    than ``2 x max_step_time_s`` always starts a new chain (the walker stopped or left).
    """
    t = np.asarray(times_s, float)
    n = len(t)
    idx = np.zeros(n, int)
    chain = np.zeros(n, int)
    if n < 2:
        return idx, chain, float("nan")
    d = np.diff(t)
    ok = d[(d >= params.min_step_time_s) & (d <= params.max_step_time_s)]
    med = float(np.median(ok)) if ok.size else float("nan")
    for k in range(1, n):
        gap = d[k - 1]
        if not np.isfinite(med) or gap > 2 * params.max_step_time_s:
            chain[k] = chain[k - 1] + 1
            idx[k] = 0
            continue
        if gap > params.missed_step_fraction * med and params.split_chain_at_gaps:
            chain[k] = chain[k - 1] + 1
            idx[k] = 0
            continue
        chain[k] = chain[k - 1]
        steps = 1 if gap <= params.missed_step_fraction * med else max(2, int(round(gap / med)))
        idx[k] = idx[k - 1] + steps
    return idx, chain, med


def name_feet(step_index: np.ndarray, chain: np.ndarray, label_votes: np.ndarray, depth_votes: np.ndarray,
              near_foot: str) -> tuple[list[str], dict]:
    """Anatomical foot of each contact: feet alternate, so only the parity of each chain is chosen.

    Two cues vote, contact by contact, for the foot that landed: MediaPipe's own left/right label of the heel
    that is ahead (``label_votes``: +1 says right, -1 left), and depth (``depth_votes``: +1 when the landing
    heel is nearer the camera than the other one, so it is the ``near_foot``; -1 farther; 0 unknown). The
    parity that agrees with more votes wins; a tie goes to MediaPipe's labels. Returns the feet and a summary
    (votes for and against, and how many contacts each cue contradicts: the alternation check).
    """
    far_foot = "left" if near_foot == "right" else "right"
    n = len(step_index)
    feet = [""] * n
    summary = {"method": "alternation; parity by MediaPipe's label of the leading heel and by depth (nearer heel)",
               "contacts": int(n), "label_disagrees": 0, "depth_disagrees": 0, "chains": 0}
    for c in np.unique(chain):
        members = np.flatnonzero(chain == c)
        summary["chains"] += 1
        best, best_score = None, -np.inf
        for parity in (0, 1):
            cand = ["right" if (step_index[k] + parity) % 2 == 0 else "left" for k in members]
            lab = sum(1 if (label_votes[k] > 0) == (f == "right") else -1 for k, f in zip(members, cand, strict=True)
                      if label_votes[k] != 0)
            dep = sum(1 if (depth_votes[k] > 0) == (f == near_foot) else -1 for k, f in zip(members, cand, strict=True)
                      if depth_votes[k] != 0)
            score = lab + dep + 1e-3 * lab  # a tie goes to the labels
            if score > best_score:
                best, best_score = cand, score
        for k, f in zip(members, best, strict=True):
            feet[k] = f
            if label_votes[k] != 0 and (label_votes[k] > 0) != (f == "right"):
                summary["label_disagrees"] += 1
            if depth_votes[k] != 0 and (depth_votes[k] > 0) != (f == near_foot):
                summary["depth_disagrees"] += 1
    del far_foot
    return feet, summary


def refine_contact(lead: np.ndarray, heel_y: np.ndarray, leg_px: float, i: int, fs: float,
                   params: EventParams = DEFAULT_GAIT.events) -> int:
    """The frame of an initial contact whose Zeni peak (the leading heel farthest ahead) is at frame ``i``.

    The labels' contact is the first frame the landing heel has stopped at its stance spot; the Zeni peak is
    the instant the heel's forward speed falls to the pelvis's, a little before it stops. Two steps, both in
    seconds and leg lengths (so the same at any frame rate and walker size):

    1. sub-frame peak: a parabola through the peak and its neighbours gives the peak's instant; the contact is
       the first frame at or after it (``i`` or ``i + 1``);
    2. the heel must be down: while the heel (image y, down) is still more than ``contact_height_leg`` leg
       lengths above its stance height (its lowest point over the next ``stance_window_s``) and still coming
       down faster than ``contact_descent_leg_s`` leg lengths per second, the foot is in the air (a swing that
       retracts before landing, a slow or toe-first landing): move on, at most ``contact_max_delay_s`` after
       the peak. (Height alone is not enough: a heel can sit a little above its later stance height at
       contact while not moving down, as in the synthetic walker, whose hip is still flexed.)
    NaN anywhere near the peak leaves ``i`` unchanged.
    """
    n = len(lead)
    j = i
    if 0 < i < n - 1 and np.isfinite(lead[i - 1:i + 2]).all():
        y0, y1, y2 = lead[i - 1:i + 2]
        den = y0 - 2.0 * y1 + y2
        if den < 0:
            dx = float(np.clip(0.5 * (y0 - y2) / den, -0.5, 0.5))
            if dx / fs > params.contact_subframe_tolerance_s:
                j = i + 1
    b = min(n, i + int(round(params.stance_window_s * fs)) + 1)
    if b - i < 3 or not np.isfinite(leg_px) or not np.isfinite(heel_y[i:b]).all():
        return min(j, n - 1)
    stance_y = float(np.max(heel_y[i:b]))
    descent = np.gradient(heel_y[i:b]) * fs / leg_px  # leg lengths per second, + down
    last = min(b - 1, i + int(math.floor(params.contact_max_delay_s * fs + 1e-9)))
    while (j < last and (stance_y - heel_y[j]) / leg_px > params.contact_height_leg
           and descent[j - i] > params.contact_descent_leg_s):
        j += 1
    return min(j, n - 1)


def detect_side_events(seq: PoseSequence, facing: float, params: EventParams = DEFAULT_GAIT.events,
                       contact_params: ContactParams = DEFAULT_GAIT.contact) -> GaitEvents:
    """Initial contacts and toe-offs in one side-view walking pass (cleaned, one facing).

    ``facing`` is +1 when the person walks toward image-right, -1 toward image-left.

    - Contacts (Zeni et al. 2008): the **leading heel** (whichever heel is farther ahead of the pelvis, along
      the facing, in leg lengths) peaks at each initial contact, left or right. Using the leading heel rather
      than each labelled heel makes the contacts independent of MediaPipe's left/right labels, which swap
      at leg crossings. Peaks closer than ``min_step_time_s`` are one; contacts closer than half the pass's
      median step are duplicates (the stronger one is kept). Toe-offs: the trailing toe, the same way.
    - Feet: :func:`name_feet` (alternation, parity by labels and depth); a missed contact keeps the parity
      (:func:`step_indices`), so two contacts of the same foot in a row never make a step.
    Everything is relative to the pelvis and in seconds and leg lengths: frame rate, panning, treadmills
    and the walker's size do not change it.
    """
    fs = seq.fps
    n = seq.n_frames
    leg = leg_length_track_px(seq)
    if n < 5 or not np.isfinite(leg).any():
        return GaitEvents(method="zeni2008_leading_heel")
    hf = {lab: heel_forward_px(seq, lab, facing) / leg for lab in FEET}
    tf = {lab: toe_forward_px(seq, lab, facing) / leg for lab in FEET}
    lead = np.fmax(hf["left"], hf["right"])
    trail = np.fmax(-tf["left"], -tf["right"])
    min_dist = max(1, int(round(params.min_step_time_s * fs)))
    prom = params.min_contact_prominence_leg
    edge = int(math.ceil(params.min_peak_context_s * fs))
    ic_idx = [int(i) for i in _peaks(lead, min_dist, prom, edge) if lead[int(i)] > params.min_contact_ahead_leg]
    ic_idx, n_dup = _dedupe(sorted(ic_idx), np.nan_to_num(lead, nan=-9.0), fs, params)
    to_idx = [int(i) for i in _peaks(trail, min_dist, prom, edge) if trail[int(i)] > 0]
    to_idx, _ = _dedupe(sorted(to_idx), np.nan_to_num(trail, nan=-9.0), fs, params)

    near_foot = "right" if facing > 0 else "left"
    depth = np.asarray(seq.depth_px, float)
    t = np.asarray(seq.timestamps_s, float)
    # contact frames: the Zeni peak refined to the first frame the heel is down (refine_contact)
    ic_at = []
    for i in ic_idx:
        lab = "left" if hf["left"][i] >= hf["right"][i] or not np.isfinite(hf["right"][i]) else "right"
        ic_at.append(refine_contact(lead, _heel(seq, lab)[:, 1], float(leg[i]), i, fs, params))
    label_votes = np.zeros(len(ic_idx))
    depth_votes = np.zeros(len(ic_idx))
    lead_label = []
    for k, i in enumerate(ic_idx):
        lab = "left" if hf["left"][i] >= hf["right"][i] or not np.isfinite(hf["right"][i]) else "right"
        other = "right" if lab == "left" else "left"
        lead_label.append(lab)
        label_votes[k] = 1 if lab == "right" else -1
        a, b = max(0, i - 2), min(n, i + 3)
        dz = nan_median(depth[a:b, L.side_indices(lab)["heel"]] - depth[a:b, L.side_indices(other)["heel"]])
        depth_votes[k] = 0 if not np.isfinite(dz) or dz == 0 else (1 if dz < 0 else -1)
    sidx, chain, med_step = step_indices(t[ic_at], params) if ic_at else (np.zeros(0, int), np.zeros(0, int), np.nan)
    feet, naming = name_feet(sidx, chain, label_votes, depth_votes, near_foot)
    naming["duplicates_dropped"] = int(n_dup)
    gaps = np.diff(t[ic_at]) if len(ic_at) > 1 else np.zeros(0)
    naming["missed_contacts"] = int(sum(max(1, int(round(g / med_step))) - 1 for g in gaps
                                        if np.isfinite(med_step) and params.missed_step_fraction * med_step < g
                                        <= 2 * params.max_step_time_s))
    agree = 1.0 - (naming["label_disagrees"] + naming["depth_disagrees"]) / max(2 * len(ic_idx), 1)
    naming["agreement"] = round(float(agree), 3)

    foot_conf = {}
    for foot in FEET:
        base = params.near_foot_confidence if foot == near_foot else params.far_foot_confidence
        vis = seq.visibility[:, [L.side_indices(foot)["heel"], L.side_indices(foot)["foot_index"]]]
        foot_conf[foot] = float(np.clip(base * (0.5 + 0.5 * np.nanmean(vis)) * (0.5 + 0.5 * agree), 0, 1))

    ics: list[GaitEvent] = []
    for k, i in enumerate(ic_idx):
        lab = lead_label[k]
        pitch = foot_pitch_deg(seq, lab, facing)
        ang = None
        # foot angles are read around the Zeni peaks (as the heel / flat / forefoot limits were set), not the
        # refined contact frames
        step = (t[ic_idx[k + 1]] - t[i]) if k + 1 < len(ic_idx) else med_step
        if np.isfinite(step) and step <= params.max_step_time_s:
            # foot angle at contact and at mid-stance, each the median over a short window (seconds, so the
            # same at any frame rate; a single frame's angle moves by degrees with landmark jitter)
            t_mid = t[i] + 0.5 * step
            at_ic = _window_median(pitch, t, t[i], contact_params.angle_window_s)
            at_mid = _window_median(pitch, t, t_mid, contact_params.angle_window_s) if t_mid <= t[-1] else np.nan
            if np.isfinite(at_ic) and np.isfinite(at_mid):
                ang = float(at_ic - at_mid)
        i_vis = float(min(seq.visibility[i, L.side_indices(lab)["heel"]], seq.visibility[i, L.side_indices(lab)["foot_index"]]))
        ev = _make("initial_contact", seq, ic_at[k], feet[k], foot_conf[feet[k]] * (0.5 + 0.5 * i_vis))
        ics.append(replace(ev, foot_angle_deg=ang, contact=classify_contact(ang, contact_params)))
    tos: list[GaitEvent] = []
    ic_t = t[ic_at] if ic_at else np.zeros(0)
    for i in to_idx:
        later = np.flatnonzero(ic_t > t[i])
        if not later.size or ic_t[later[0]] - t[i] > params.max_step_time_s:
            continue
        foot = ics[int(later[0])].foot
        tos.append(_make("toe_off", seq, i, foot, foot_conf[foot]))
    swapped = naming["label_disagrees"] > len(ic_idx) / 2
    return GaitEvents(tuple(ics), tuple(tos), foot_conf, near_foot, swapped, "zeni2008_leading_heel", naming)


def detect_frontal_events(seq: PoseSequence, params: EventParams = DEFAULT_GAIT.events) -> GaitEvents:
    """Initial contacts and toe-offs in a front or back view from heel height (swings found by hysteresis)."""
    fs = seq.fps
    n = seq.n_frames
    scale = leg_length_px(seq)
    if not np.isfinite(scale) or n < 5:
        return GaitEvents(method="heel_height")
    ics: list[GaitEvent] = []
    tos: list[GaitEvent] = []
    foot_conf = {}
    # Heel height in leg lengths of the moment: a walker receding from (or nearing) the camera
    # shrinks (or grows) by 2x or more, and one pixel threshold would miss the far steps.
    scale_track = leg_length_track_px(seq)
    for foot in FEET:
        h = heel_height_px(seq, foot) / scale_track * scale
        vis = seq.visibility[:, L.side_indices(foot)["heel"]]
        foot_conf[foot] = float(np.clip(params.near_foot_confidence * (0.5 + 0.5 * np.nanmean(vis)), 0, 1))
        # Swings by hysteresis: a swing starts when the heel rises above `high` and ends when it is back
        # below `low`. Contact is the first frame back down, toe-off the last frame down before the
        # rise. Peak picking was fragile here: a swing's heel trace often has two humps, and sub-pixel
        # differences decided which hump was taken (the rear-view clip's cadence moved from 100 to 146
        # steps/min between two near-identical extractions).
        high = params.min_lift_body * 2 * scale
        low = 0.5 * high
        v = np.gradient(h) * fs  # + rising
        for a0, b0 in _swings(h, high, low, max(2, int(round(params.min_step_time_s * fs / 2)))):
            # refine within the swing's own landing: contact once the descent has (almost) stopped,
            # toe-off where the rise had not yet started
            peak_descent = -np.nanmin(v[a0:b0 + 1])
            k = b0
            while k < n - 1 and np.isfinite(v[k]) and v[k] < -params.landing_speed_fraction * peak_descent:
                k += 1
            peak_rise = np.nanmax(v[a0:b0 + 1])
            j = a0 - 1
            while j > 0 and np.isfinite(v[j]) and v[j] > params.landing_speed_fraction * peak_rise:
                j -= 1
            ics.append(_make("initial_contact", seq, k, foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[k]))))
            tos.append(_make("toe_off", seq, j, foot, foot_conf[foot] * (0.5 + 0.5 * float(vis[j]))))
    ics.sort(key=lambda e: e.index)
    tos.sort(key=lambda e: e.index)
    raw = {(e.index, e.foot) for e in ics}
    n_raw = len(ics)
    ics = enforce_alternation(ics, params)
    tos = enforce_alternation(tos, params)
    renamed = sum((e.index, e.foot) not in raw for e in ics)
    naming = {"method": "each heel's own lifts (MediaPipe's labels; no leg crossing seen from the front); a repeat "
                        "of the same foot one step later is renamed, a double detection merged",
              "contacts": len(ics), "renamed": int(renamed), "duplicates_dropped": int(n_raw - len(ics))}
    return GaitEvents(tuple(ics), tuple(tos), foot_conf, None, False, "heel_height", naming)
