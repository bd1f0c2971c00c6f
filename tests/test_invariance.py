"""Metamorphic (invariance) tests: the same movement seen by another camera gives the same findings.

Each dev clip's cached landmarks are transformed (:mod:`posture.transforms`) and analysed again. We
require, for every finding of the original report:

- the same id and the same severity; a severity may change only when the original value lies within the
  check's typical error (``CheckSpec.uncertainty``) of one of its limits: such a call is borderline and says so;
- where both are graded, the same value within the check's typical error (for frame-rate changes, which
  re-time every event, within twice it);
- with the lower body cropped away: every check that needs the knees, ankles, heels or toes becomes
  ``not_assessed`` (never an ``ok`` about legs that are not in the picture).

Tolerances come from the specs, not from these tests; a rule that only works at 30 fps, facing right or at
one size fails here. Synthetic sequences with closed-form answers run the same comparisons without the
real footage.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from posture import checks as C
from posture import transforms as T
from posture.analyses import AnalyzeOptions, run_analysis
from posture.report import Finding, Report
from posture.view import classify_views
from tests.conftest import real_sequence

LEG_PARTS = {"knee", "ankle", "heel", "toe"}

TRANSFORMS = {
    "fps24": lambda s: T.resample(s, 24.0),
    "fps60": lambda s: T.resample(s, 60.0),
    "fps120": lambda s: T.resample(s, 120.0),
    "mirror": T.mirror,
    "pan": lambda s: T.pan(s, 0.04 * s.video.width),  # a slow pan: 4% of the frame width per second
    "half_size": lambda s: T.scale(s, 0.5),
    "jitter": T.jitter,
}
VIDEO_ONLY = {"fps24", "fps60", "fps120", "pan"}

# (task, dev file, subject) - one or two clips per task, chosen to cover views and frame rates
REAL_CASES = [
    ("walk", "walk_side/watcharapol_gait_normal_01.mp4", "moving"),
    ("walk", "walk_side/gpjatk_p17_side.mp4", "moving"),
    ("walk", "walk_front/marvindeng_P2_E3T5_Rear.mp4", "moving"),
    ("lift", "lift/jeffchen_deadlift_good.mp4", "largest"),
    ("lift", "lift/upfall_pickup_side_stoop.mp4", "largest"),
    ("sit", "sit/jurisimo_seated_on_table.mp4", "largest"),
    ("sit", "sit/nvinay_straight_hf.jpg", "largest"),
    ("stretch", "stretch/malikmrllh_knee_to_chest_trim.mp4", "largest"),
    ("stretch", "stretch/freeexdb_Childs_Pose_0.jpg", "largest"),
]


def _spec(f: Finding, task: str) -> C.CheckSpec | None:
    return C.spec_for(f.id, task)


def _borderline(f: Finding, spec: C.CheckSpec | None) -> bool:
    if spec is None or f.value is None or not math.isfinite(f.value):
        return False
    limits = [x for x in (spec.notice, spec.warning) if x is not None]
    return any(abs(f.value - x) <= spec.uncertainty for x in limits)


def compare(base: Report, other: Report, value_factor: float = 1.0, body_px: float = float("inf")) -> list[str]:
    """Differences that break invariance (empty when the two reports agree).

    ``body_px`` is the transformed person's height in pixels (smaller part of the clip): a check whose
    ``min_body_px`` it falls under may become ``not_assessed`` (its size gate working), never change its grade.
    """
    problems = []
    got = {f.id: f for f in other.findings}
    for f in base.findings:
        g = got.get(f.id)
        if g is None:
            problems.append(f"{f.id}: missing after the transform")
            continue
        spec = _spec(f, base.task)
        if g.severity == "not_assessed" and spec is not None and body_px < spec.min_body_px:
            continue
        if f.severity != g.severity and not (_borderline(f, spec) or _borderline(g, spec)):
            problems.append(f"{f.id}: {f.severity} ({f.value}) became {g.severity} ({g.value})"
                            + (f" [{g.reason}]" if g.reason else ""))
            continue
        graded = f.severity != "not_assessed" and g.severity != "not_assessed"
        if graded and spec is not None and f.value is not None and g.value is not None:
            tol = value_factor * spec.uncertainty
            if abs(f.value - g.value) > tol:
                problems.append(f"{f.id}: value {f.value} became {g.value} (tolerance {tol:g} {spec.unit})")
    return problems


def hidden_parts(seq) -> set[str]:
    """Body parts the crop hid on both sides in most frames (for a lying person the crop may hide none)."""
    vis = np.asarray(seq.visibility)
    found = np.isfinite(seq.xy_px[:, :, 0]).any(axis=1)
    return {p for p, idx in C.PARTS.items() if np.mean(vis[found][:, list(idx)].max(axis=1) <= 0.05) >= 0.9}


def leg_checks_graded(report: Report, seq) -> list[str]:
    """Findings that need a body part the crop hid, but were graded anyway (the cropped-body rule)."""
    hidden = hidden_parts(seq) & LEG_PARTS
    out = []
    for f in report.findings:
        spec = _spec(f, report.task)
        if spec is not None and hidden & set(spec.parts) and f.severity != "not_assessed":
            out.append(f"{f.id}: {f.severity} ({f.value}) with the {', '.join(sorted(hidden & set(spec.parts)))} "
                       "out of the picture")
    return out


def _body_px(seq) -> float:
    """The transformed person's height (pixels) in the smaller part of the clip (25th percentile of the frames
    where they were seen): a walker who shrinks 2.5x as they walk away is under a size gate in that part."""
    h = classify_views(seq).body_height_px
    return float(np.nanpercentile(h, 25)) if np.isfinite(h).any() else 0.0


@functools.cache
def _real(task: str, rel: str, subject: str):
    seq = real_sequence(rel, subject=subject, masks=(task == "lift"))
    return seq, run_analysis(task, seq, AnalyzeOptions())


GATE_WORDS = ("view", "too small", "could be judged", "not seen", "could not be traced", "steps onto each foot",
              "cannot tell", "hidden", "at least")


# clips (photos have no tracking mode) plus three whose findings once moved with the landmark set: the chair-stand
# graded on 0.23 s of sitting, the elevated outdoor walk's uneven steps, the squat's rounded back (borderline)
SECOND_EXTRACTION_CASES = [c for c in REAL_CASES if not c[1].endswith(".jpg")] + [
    ("sit", "sit/chair_stand_test_portrait.mp4", "largest"),
    ("walk", "walk_side/outdoor_redshirt_elevated.avi", "moving"),
    ("lift", "lift/yuyoujiang_squat.mp4", "largest"),
]


@pytest.mark.real
@pytest.mark.parametrize(("task", "rel", "subject"), SECOND_EXTRACTION_CASES,
                         ids=[f"{t}:{r.split('/')[-1]}" for t, r, _ in SECOND_EXTRACTION_CASES])
def test_real_findings_survive_a_second_landmark_extraction(task, rel, subject):
    """MediaPipe's tracking mode (``posture --fast``: one pose per landmarker) gives landmarks about 1% of body
    size apart from the default's (issue 15). Measurement noise of that size may move a value, and may open or
    close a gate (a view near its 45 deg limit, a count of steps), but a finding graded on both extractions may
    change its grade only on a borderline value; a grade change beyond that fits one set of landmarks."""
    _, base = _real(task, rel, subject)
    other = run_analysis(task, real_sequence(rel, subject=subject, masks=(task == "lift"), fast=True),
                         AnalyzeOptions())
    got = {f.id: f for f in other.findings}
    problems = []
    for f in base.findings:
        g = got[f.id]
        spec = _spec(f, task)
        if f.severity == g.severity or _borderline(f, spec) or _borderline(g, spec):
            continue
        na = f if f.severity == "not_assessed" else g if g.severity == "not_assessed" else None
        if na is not None and any(w in (na.reason or "") for w in GATE_WORDS):
            continue  # a gate opened or closed on values near its own limit
        problems.append(f"{f.id}: {f.severity} ({f.value}) with the default landmarks, {g.severity} ({g.value}) "
                        f"with --fast [{g.reason or f.reason or ''}]")
    assert not problems, f"{task} on {rel}:\n  " + "\n  ".join(problems)


@pytest.mark.real
@pytest.mark.parametrize("name", list(TRANSFORMS))
@pytest.mark.parametrize(("task", "rel", "subject"), REAL_CASES, ids=[f"{t}:{r.split('/')[-1]}" for t, r, _ in REAL_CASES])
def test_real_findings_survive_the_transform(task, rel, subject, name):
    seq, base = _real(task, rel, subject)
    if name in VIDEO_ONLY and seq.video.is_image:
        pytest.skip("a photo has no frame rate or camera motion")
    moved = TRANSFORMS[name](seq)
    other = run_analysis(task, moved, AnalyzeOptions())
    problems = compare(base, other, value_factor=2.0 if name.startswith("fps") else 1.0, body_px=_body_px(moved))
    assert not problems, f"{task} on {rel}, {name}:\n  " + "\n  ".join(problems)


@pytest.mark.real
@pytest.mark.parametrize("rel", ["walk_side/watcharapol_gait_normal_01.mp4", "walk_side/gpjatk_p17_side.mp4"])
def test_real_walk_filmed_by_someone_who_pans_to_follow(rel):
    """A phone that pans to keep the walker centred: the walker barely travels in the picture (as on a
    treadmill), yet cadence, steps and posture findings must not change."""
    seq, base = _real("walk", rel, "moving")
    moved = T.follow_pan(seq)
    other = run_analysis("walk", moved, AnalyzeOptions())
    problems = compare(base, other, body_px=_body_px(moved))
    assert not problems, f"walk on {rel}, follow_pan:\n  " + "\n  ".join(problems)


@pytest.mark.real
@pytest.mark.parametrize(("task", "rel", "subject"), REAL_CASES, ids=[f"{t}:{r.split('/')[-1]}" for t, r, _ in REAL_CASES])
def test_real_lower_body_cropped_leg_checks_not_assessed(task, rel, subject):
    seq, _ = _real(task, rel, subject)
    cropped = T.crop_below(seq)
    report = run_analysis(task, cropped, AnalyzeOptions())
    bad = leg_checks_graded(report, cropped)
    assert not bad, f"{task} on {rel} with the lower body cropped:\n  " + "\n  ".join(bad)


@pytest.mark.real
@pytest.mark.parametrize("task", ["walk", "lift", "sit", "stretch"])
def test_every_finding_comes_from_a_registered_spec(task):
    """All four analyses grade through the one check layer: every finding id has a CheckSpec."""
    rel, subject = next((r, s) for t, r, s in REAL_CASES if t == task)
    _, report = _real(task, rel, subject)
    missing = [f.id for f in report.findings if f.id not in C.TASK_REGISTRY.get(task, {})]
    assert not missing, f"{task} findings without a CheckSpec: {missing}"


# ------------------------------------------------------------------------------------------------ synthetic
def _synthetic_cases():
    from posture.lift.synthetic import synthetic_lift
    from posture.sit.synthetic import seated_sequence
    from posture.synthetic import walker

    def walk():
        seq, _ = walker(cadence_spm=104.0, duration_s=6.0, fps=30.0)
        return seq

    def lift():
        out = synthetic_lift()
        return out[0] if isinstance(out, tuple) else out

    def sit():
        return seated_sequence(60, fps=10.0)

    return {"walk": walk, "lift": lift, "sit": sit}


@pytest.mark.parametrize("name", ["fps24", "fps60", "mirror", "half_size", "jitter", "pan"])
@pytest.mark.parametrize("task", ["walk", "lift", "sit"])
def test_synthetic_findings_survive_the_transform(task, name):
    seq = _synthetic_cases()[task]()
    base = run_analysis(task, seq, AnalyzeOptions())
    moved = TRANSFORMS[name](seq)
    other = run_analysis(task, moved, AnalyzeOptions())
    problems = compare(base, other, value_factor=2.0 if name.startswith("fps") else 1.0, body_px=_body_px(moved))
    assert not problems, f"synthetic {task}, {name}:\n  " + "\n  ".join(problems)


def test_synthetic_walker_cadence_is_exact_at_any_frame_rate():
    from posture.synthetic import walker

    seq, truth = walker(cadence_spm=104.0, duration_s=8.0, fps=30.0)
    for fps in (24.0, 30.0, 60.0, 120.0):
        r = run_analysis("walk", T.resample(seq, fps), AnalyzeOptions())
        cad = r.metrics.get("cadence_spm")
        assert cad is not None and abs(cad - 104.0) <= 2.0, f"{fps} fps: cadence {cad}"


def test_compare_flags_real_differences_and_tolerates_borderline():
    spec = C.register(C.CheckSpec(
        id="invariance_probe", title="Probe", unit="deg", parts=("hip",), views=(), plausible=(-90, 90),
        notice=20.0, warning=None, worse="above", source="test", uncertainty=3.0, message_ok="", message_flag="",
        advice="", camera_hint=""), task="sit")[0]
    from posture.sequence import VideoInfo

    def rep(sev, value):
        return Report(task="sit", video=VideoInfo("x", 30.0, 1, 10, 10),
                      findings=[Finding(spec.id, sev, value=value, confidence=0.5, title="Probe")])
    assert compare(rep("ok", 5.0), rep("ok", 6.0)) == []
    assert compare(rep("ok", 5.0), rep("ok", 9.0))  # value moved more than the typical error
    assert compare(rep("ok", 5.0), rep("notice", 25.0))  # a clear ok became a notice
    assert compare(rep("ok", 18.0), rep("notice", 21.0)) == []  # borderline both times
    assert np.isfinite(spec.uncertainty)
