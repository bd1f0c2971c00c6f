"""Compare detected gait events, views and flags with hand labels (used by scripts/eval_gait.py and the tests).

Labels follow ``labels/gait_events.json`` of the real dev set: per clip ``initial_contacts`` as
``{"frame", "foot", "strike"}``, plus ``head_down`` and ``slouch`` as "yes"/"no"/"unclear", and optionally
``labelled_frames`` (only that range was labelled: detections outside it are not counted) and ``fps``.
``labels/views.json`` gives the camera view of each walking clip.

Matching: detected and labelled initial contacts are paired one to one, nearest first, within
``tolerance_frames``. Recall = matched / labelled, precision = matched / detected (inside the labelled
range). Timing error = mean |detected - labelled| frame over matched pairs. Foot correct = share of matched
pairs with the same foot. Strike agreement = share of matched pairs labelled heel/flat/forefoot whose
detected contact type is the same (three classes; "unknown" detections count as disagreement), and
``heel_first_agreement`` the older two-class version (heel vs not heel, unknown skipped).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture.report import Report

STRIKES = ("heel", "flat", "forefoot")


@dataclass(frozen=True)
class ClipScore:
    clip: str
    n_labelled: int
    n_detected: int
    n_matched: int
    recall: float
    precision: float
    mean_abs_error_frames: float
    mean_abs_error_ms: float
    foot_agreement: float  # share of matched contacts with the same foot
    heel_first_agreement: float  # share of matched contacts labelled heel/flat/forefoot that agree heel vs not heel
    cadence_labels_spm: float
    cadence_detected_spm: float
    cadence_error_spm: float
    slouch_label: str
    slouch_flagged: bool
    head_down_label: str
    looking_down_flagged: bool
    strike_agreement: float = float("nan")  # three classes; unknown detections count as wrong
    n_strike: int = 0
    view_label: str = "?"
    view_found: str = "?"

    @property
    def slouch_ok(self) -> bool:
        return self.slouch_label not in ("yes", "no") or (self.slouch_label == "yes") == self.slouch_flagged

    @property
    def looking_down_ok(self) -> bool:
        return self.head_down_label not in ("yes", "no") or (self.head_down_label == "yes") == self.looking_down_flagged

    @property
    def view_ok(self) -> bool:
        return self.view_label == self.view_found


def match_events(detected: list[int], labelled: list[int], tolerance_frames: int = 3) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of frame numbers, nearest pairs first, within the tolerance.

    Returns (detected_position, labelled_position) pairs.
    """
    pairs = sorted(
        ((abs(d - g), i, j) for i, d in enumerate(detected) for j, g in enumerate(labelled) if abs(d - g) <= tolerance_frames)
    )
    used_d, used_l, out = set(), set(), []
    for _, i, j in pairs:
        if i in used_d or j in used_l:
            continue
        used_d.add(i)
        used_l.add(j)
        out.append((i, j))
    return sorted(out, key=lambda p: p[1])


def cadence_from_frames_spm(frames: list[int], fps: float, max_step_frames: float) -> float:
    """60 * fps / mean interval of consecutive contacts (any foot) not longer than ``max_step_frames``."""
    f = sorted(frames)
    d = [b - a for a, b in zip(f[:-1], f[1:], strict=False) if 0 < b - a <= max_step_frames]
    return float(60.0 * fps / np.mean(d)) if d else float("nan")


def labelled_cadence_spm(contacts: list[dict], fps: float, max_step_time_s: float = 1.5) -> float:
    """Cadence of the labels: consecutive contacts of alternating feet only (a skipped, unlabelled step is not
    a step), 60 * fps / mean interval, as :func:`posture.gait.metrics.cadence_spm` does for detections."""
    lab = sorted(contacts, key=lambda e: e["frame"])
    steps = [b["frame"] - a["frame"] for a, b in zip(lab[:-1], lab[1:], strict=False)
             if a["foot"] != b["foot"] and 0 < b["frame"] - a["frame"] <= max_step_time_s * fps]
    return float(60.0 * fps / np.mean(steps)) if steps else float("nan")


def detected_cadence_spm(contacts: list[dict], fps: float, max_step_time_s: float = 1.5) -> float:
    """Cadence of reported contacts (a part of a clip): from the validated steps the report gives
    (``step_s`` of each contact), else consecutive contacts of one pass and alternating feet, at most
    ``max_step_time_s`` apart, 60 * fps / mean interval in frames."""
    if contacts and "step_s" in contacts[0]:
        st = [e["step_s"] for e in contacts if e.get("step_s")]
        return float(60.0 / np.mean(st)) if st else float("nan")
    ev = sorted(contacts, key=lambda e: e["frame"])
    steps = [b["frame"] - a["frame"] for a, b in zip(ev[:-1], ev[1:], strict=False)
             if a["foot"] != b["foot"] and a.get("pass") == b.get("pass")
             and 0 < b["frame"] - a["frame"] <= max_step_time_s * fps]
    return float(60.0 * fps / np.mean(steps)) if steps else float("nan")


def score_clip(clip: str, report: Report, labels: dict, fps: float, tolerance_frames: int = 3,
               max_step_time_s: float = 1.5, view_label: str = "?") -> ClipScore:
    """Score one analysed clip against its labels entry."""
    det = list(report.events.get("initial_contacts", []))
    lab = labels["initial_contacts"]
    if labels.get("labelled_frames"):
        lo, hi = labels["labelled_frames"]
        det = [e for e in det if lo - tolerance_frames <= int(e["frame"]) <= hi + tolerance_frames]
    d_frames = [int(e["frame"]) for e in det]
    l_frames = [int(e["frame"]) for e in lab]
    m = match_events(d_frames, l_frames, tolerance_frames)
    err = [d_frames[i] - l_frames[j] for i, j in m]
    feet = [det[i]["foot"] == lab[j]["foot"] for i, j in m]
    strikes3 = [(det[i].get("contact", "unknown"), lab[j]["strike"]) for i, j in m if lab[j].get("strike") in STRIKES]
    strikes2 = [(a, b) for a, b in strikes3 if a != "unknown"]
    cad_l = labelled_cadence_spm(lab, fps, max_step_time_s)
    cad_d = report.metrics.get("cadence_spm")
    cad_d = float(cad_d) if cad_d is not None else float("nan")
    if labels.get("labelled_frames"):  # only part of the clip is labelled: our cadence over that part
        cad_d = detected_cadence_spm(det, fps, max_step_time_s)
    sl = report.finding("slouching")
    ld = report.finding("looking_down")
    mae = float(np.mean(np.abs(err))) if err else float("nan")
    return ClipScore(
        clip=clip, n_labelled=len(lab), n_detected=len(det), n_matched=len(m),
        recall=len(m) / len(lab) if lab else float("nan"),
        precision=len(m) / len(det) if det else float("nan"),
        mean_abs_error_frames=mae, mean_abs_error_ms=1000.0 * mae / fps,
        foot_agreement=float(np.mean(feet)) if feet else float("nan"),
        heel_first_agreement=float(np.mean([(a == "heel") == (b == "heel") for a, b in strikes2])) if strikes2 else float("nan"),
        cadence_labels_spm=cad_l, cadence_detected_spm=cad_d, cadence_error_spm=cad_d - cad_l,
        slouch_label=labels.get("slouch", "?"), slouch_flagged=bool(sl and sl.flagged),
        head_down_label=labels.get("head_down", "?"), looking_down_flagged=bool(ld and ld.flagged),
        strike_agreement=float(np.mean([a == b for a, b in strikes3])) if strikes3 else float("nan"),
        n_strike=len(strikes3), view_label=view_label, view_found=report.view,
    )
