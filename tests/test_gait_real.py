"""Acceptance tests of the walking analysis on the real dev clips (skipped without ../shared/datasets/real).

The table these bounds come from is printed by scripts/eval_gait.py (issue 11). Tune clips (numbers were
chosen while looking at them): the two watcharapol walks, marvindeng_90, the TUG walk, the treadmill walk;
check clips: alejandrasoto, sports2d, gpjatk, the elevated outdoor walk. The bounds are regression guards
a little below what is measured, not accuracy claims; known misses are ``xfail(strict=True)`` with the reason.
"""

from __future__ import annotations

import numpy as np
import pytest

from posture.analyses import TASKS, AnalyzeOptions
from posture.gait.analysis import analyze_walk
from posture.gait.evaluate import score_clip
from tests.conftest import real_labels, real_sequence

pytestmark = pytest.mark.real

SIDE_CLIPS = ["watcharapol_gait_normal_01.mp4", "watcharapol_gait_abnormal_01_slouch_posture.mp4",
              "marvindeng_P2_E2T1_90.mp4", "alejandrasoto_walk.mp4", "sports2d_demo.mp4", "tug_side_masked_man.mp4",
              "gpjatk_p17_side.mp4", "outdoor_redshirt_elevated.avi", "treadmill_walk_styles.mp4"]
_CACHE: dict = {}


def _analyse(rel: str):
    if rel not in _CACHE:
        seq = real_sequence(rel, subject=TASKS["walk"].subject)
        _CACHE[rel] = (seq, analyze_walk(seq, AnalyzeOptions()))
    return _CACHE[rel]


def _score(clip: str):
    seq, rep = _analyse(f"walk_side/{clip}")
    return score_clip(clip, rep, real_labels("gait_events")[clip], seq.fps, tolerance_frames=3,
                      view_label=real_labels("views")[f"walk_side/{clip}"])


@pytest.mark.parametrize("clip", SIDE_CLIPS)
def test_side_clip_events_against_labels(clip):
    s = _score(clip)
    assert s.view_ok, s
    assert s.recall >= 0.55, s  # TUG: 5 of 9 (the turn and sit-down contacts are not counted by design)
    assert s.precision >= 0.85, s
    assert s.mean_abs_error_frames <= 1.0, s  # issue 11's contact refinement: every dev walk 0.9 frames or less
    assert s.foot_agreement >= 0.8, s  # the treadmill's slow tiptoe section: 0.80
    if clip != "treadmill_walk_styles.mp4":  # its labelled 10 s mix steps of 0.45 s and 1.45 s (three styles);
        # ours keeps only steps within 1.6x of the pass's median step, so the slow 'Sneak' steps are not steps
        assert abs(s.cadence_error_spm) <= 5.0, s  # gpjatk -4.1 (closing step missed), TUG -3.6 (turn steps)
    assert s.strike_agreement >= 0.85, s


def test_pooled_targets_over_the_dev_walks():
    rows = [_score(c) for c in SIDE_CLIPS]
    lab, det, mat = (sum(getattr(r, k) for r in rows) for k in ("n_labelled", "n_detected", "n_matched"))
    w = [r.n_matched for r in rows]
    assert mat / lab >= 0.78 and mat / det >= 0.95
    assert np.average([r.mean_abs_error_frames for r in rows], weights=w) <= 0.7  # 0.63 (0.76 before the refinement)
    assert np.average([r.foot_agreement for r in rows], weights=w) >= 0.95
    # 6/9; not TUG (its labels count the turn's steps), gpjatk (the closing step, missed) and the treadmill
    # (three walking styles in one labelled 10 s)
    assert sum(abs(r.cadence_error_spm) <= 3.0 for r in rows) >= 6
    assert all(r.view_ok for r in rows)


SLOUCH_MISS = {"watcharapol_gait_abnormal_01_slouch_posture.mp4":
               "no measure of the back separates the slouched walker (his slouch is head and neck; issue 11)"}
LOOK_DOWN_MISS: dict[str, str] = {}


@pytest.mark.parametrize("clip", [pytest.param(c, marks=pytest.mark.xfail(reason=SLOUCH_MISS[c], strict=True))
                                  if c in SLOUCH_MISS else c for c in SIDE_CLIPS])
def test_slouch_flag_matches_label(clip):
    _, rep = _analyse(f"walk_side/{clip}")
    assert rep.finding("slouching").flagged == (real_labels("gait_events")[clip]["slouch"] == "yes")


@pytest.mark.parametrize("clip", [pytest.param(c, marks=pytest.mark.xfail(reason=LOOK_DOWN_MISS[c], strict=True))
                                  if c in LOOK_DOWN_MISS else c for c in SIDE_CLIPS
                                  if real_labels("gait_events")[c]["head_down"] in ("yes", "no")])
def test_looking_down_flag_matches_label(clip):
    _, rep = _analyse(f"walk_side/{clip}")
    assert rep.finding("looking_down").flagged == (real_labels("gait_events")[clip]["head_down"] == "yes")


def _labelled_step_ratio(clip: str) -> float:
    """Longer over shorter mean step time from the hand-labelled landings (alternating feet, steps under 1 s)."""
    lab = real_labels("gait_events")[clip]
    fps = lab.get("fps", 30.0)
    ics = sorted(lab["initial_contacts"], key=lambda c: c["frame"])
    steps = {"left": [], "right": []}
    for a, b in zip(ics, ics[1:], strict=False):
        if a["foot"] != b["foot"] and (b["frame"] - a["frame"]) / fps < 1.0:
            steps[b["foot"]].append((b["frame"] - a["frame"]) / fps)
    means = [float(np.mean(v)) for v in steps.values()]
    return max(means) / min(means)


UNEVEN_MISS = {"outdoor_redshirt_elevated.avi":
               "far foot's landings timed 1.25 frames late on average (a 150 px walker, elevated camera): 1.21 measured, "
               "the labels' 1.03; a notice remains (issue 15)"}


@pytest.mark.parametrize("clip", [pytest.param(c, marks=pytest.mark.xfail(reason=UNEVEN_MISS[c], strict=True))
                                  if c in UNEVEN_MISS else c for c in SIDE_CLIPS])
def test_even_walks_are_never_called_uneven(clip):
    """Every labelled walk's own step times are even (ratio 1.00-1.13 from the labels); gpjatk and the outdoor
    walk were called uneven (notice, warning) from 2-3 steps a foot before the timing-error test (issue 15)."""
    _, rep = _analyse(f"walk_side/{clip}")
    if _labelled_step_ratio(clip) < 1.10:
        assert not rep.finding("asymmetric_steps").flagged, rep.finding("asymmetric_steps").message


def test_blurred_small_face_is_not_judged_for_looking_down():
    """gpjatk_p17's face is blurred and small (ear to eye ~7 px): its eye landmarks read the level head 20 deg
    down. MediaPipe's eye/ear visibility stays ~1 there, so the face's size in pixels gates the check."""
    _, rep = _analyse("walk_side/gpjatk_p17_side.mp4")
    f = rep.finding("looking_down")
    assert f.severity == "not_assessed" and "too small" in f.reason
    assert rep.finding("slouching").severity != "not_assessed"


def test_directions_passes_and_travel():
    for clip in SIDE_CLIPS[:5]:
        labels = real_labels("gait_events")[clip]
        _, rep = _analyse(f"walk_side/{clip}")
        analysed = [s for s in rep.segments if s["analysed"]]
        assert analysed and all(s["direction"] == labels["direction"] for s in analysed), (clip, analysed)
    _, tug = _analyse("walk_side/tug_side_masked_man.mp4")
    assert [s["direction"] for s in tug.segments if s["analysed"]] == ["left_to_right", "right_to_left"]
    _, tread = _analyse("walk_side/treadmill_walk_styles.mp4")
    assert {s["travel"] for s in tread.segments if s["analysed"]} == {"none"}
    assert {s["side_to_camera"] for s in tread.segments if s["analysed"]} == {"left"}


def test_feet_alternate_within_every_pass():
    for clip in SIDE_CLIPS:
        _, rep = _analyse(f"walk_side/{clip}")
        assert rep.metrics["alternation_errors"] == 0, clip


@pytest.mark.parametrize(("rel", "view"), [("walk_front/marvindeng_P2_E3T5_Rear.mp4", "back"),
                                           ("walk_front/adrielzarate_front.mp4", "front"),
                                           ("walk_front/woman_back_view_park.mp4", "back"),
                                           ("walk_front/compression_suit_toward_camera.mp4", "front")])
def test_front_and_back_clips(rel, view):
    assert real_labels("views")[rel] == view
    _, rep = _analyse(rel)
    assert rep.view == view
    assert np.isfinite(rep.metrics["hip_sway_ratio"]) and 0.05 < rep.metrics["hip_sway_ratio"] < 1.0
    assert rep.finding("slouching").severity == "not_assessed"


def test_running_and_tiny_walkers_are_not_graded():
    _, run = _analyse("walk_side/treadmill_running_portrait.mp4")
    assert run.finding("low_cadence").severity == "not_assessed"  # ~170 steps/min: running, not walking
    _, kth = _analyse("walk_side/kth_walk_lowres.mp4")  # 160x120, the walker ~80 px tall
    assert {f.severity for f in kth.findings} == {"not_assessed"}
