"""Walking analysis on synthetic walkers with closed-form answers."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from posture import landmarks as L
from posture.analyses import AnalyzeOptions, run_analysis
from posture.gait import metrics as M
from posture.gait import posture_checks as P
from posture.gait.analysis import analyze_walk
from posture.gait.evaluate import match_events
from posture.gait.events import GaitEvent, enforce_alternation, refine_contact
from posture.gait.params import DEFAULT_GAIT, GAIT_PRESETS
from posture.gait.synthetic import front_walker
from posture.synthetic import make_sequence, walker


def _ev(frame: int, foot: str, fps: float = 30.0, conf: float = 0.9) -> GaitEvent:
    return GaitEvent("initial_contact", frame, frame, frame / fps, foot, conf)


@pytest.mark.parametrize("k", [15, 18, 20, 25])
def test_cadence_is_exactly_60_fs_over_k(k):
    ics = [_ev(i * k, "left" if i % 2 else "right") for i in range(8)]
    assert M.cadence_spm(ics) == pytest.approx(60 * 30.0 / k)


def test_step_and_stride_times_and_asymmetry():
    # left steps 0.6 s, right steps 0.4 s: ratio 1.5, symmetry index +40 %
    frames, t, feet = [], 0, []
    for i in range(8):
        foot = "left" if i % 2 else "right"
        frames.append(t)
        feet.append(foot)
        t += 18 if foot == "right" else 12  # the step ENDING on left lasts 18 frames
    ics = [_ev(f, ft) for f, ft in zip(frames, feet, strict=True)]
    st = M.step_times_s(ics)
    assert np.allclose(st["left"], 0.6) and np.allclose(st["right"], 0.4)
    assert M.asymmetry_ratio(st) == pytest.approx(1.5)
    assert M.symmetry_index_pct(st) == pytest.approx(40.0)
    assert np.allclose(M.stride_times_s(ics)["left"], 1.0)


def test_gap_longer_than_a_step_is_not_a_step():
    ics = [_ev(0, "right"), _ev(15, "left"), _ev(200, "right"), _ev(215, "left")]
    assert sum(len(v) for v in M.step_times_s(ics).values()) == 2


def test_enforce_alternation_renames_and_deduplicates():
    ics = [_ev(0, "right"), _ev(17, "left"), _ev(34, "right"), _ev(51, "right"), _ev(55, "left"), _ev(68, "right")]
    out = enforce_alternation(ics)
    assert [e.frame for e in out] == [0, 17, 34, 51, 68]
    assert [e.foot for e in out] == ["right", "left", "right", "left", "right"]
    assert out[3].confidence < 0.9  # the renamed one is less certain


def test_match_events_one_to_one_within_tolerance():
    assert match_events([10, 11, 30], [10, 29, 50], 3) == [(0, 0), (2, 1)]
    assert match_events([10], [14], 3) == []


@pytest.mark.parametrize(("cadence", "facing"), [(100.0, 1.0), (120.0, -1.0), (90.0, 1.0)])
def test_walker_events_cadence_and_feet(cadence, facing):
    seq, truth = walker(cadence_spm=cadence, duration_s=6.0, facing=facing)
    rep = analyze_walk(seq)
    assert rep.view == "side"
    assert rep.segments[0]["direction"] == ("left_to_right" if facing > 0 else "right_to_left")
    assert rep.metrics["cadence_spm"] == pytest.approx(cadence, abs=1.0)
    for foot in ("left", "right"):
        want = truth[f"initial_contacts_s_{foot}"]
        got = np.array([e["time_s"] for e in rep.events["initial_contacts"] if e["foot"] == foot])
        inner = want[(want > 0.1) & (want < seq.timestamps_s[-1] - 0.1)]
        assert len(got) >= len(inner) - 1
        # The synthetic walker's "contact" is the Zeni peak by construction (its feet never meet a ground: the
        # heel is still 15% of a leg up and coming down there). events.refine_contact moves a contact past the
        # peak while the heel is still coming down, by at most contact_max_delay_s; never earlier than a frame.
        late = DEFAULT_GAIT.events.contact_max_delay_s
        for t in got:
            d = t - want[np.argmin(np.abs(want - t))]
            assert -1.0 / 30 - 1e-9 <= d <= late + 1.0 / 30 + 1e-9
    # the near foot is the one facing the camera and gets the higher confidence
    near = "right" if facing > 0 else "left"
    far = "left" if near == "right" else "right"
    assert rep.metrics["foot_confidence"][near] > rep.metrics["foot_confidence"][far]
    assert rep.finding("asymmetric_steps").severity == "ok"


def test_walker_stance_and_double_support_are_plausible():
    rep = analyze_walk(walker(cadence_spm=110.0, duration_s=6.0)[0])
    assert 0.5 < rep.metrics["stance_fraction"] < 0.7
    assert 0.05 < rep.metrics["double_support_fraction"] < 0.4


def test_looking_down_needs_a_face_large_enough_to_measure():
    """The head-down angle's lever is the ear-to-eye segment: under 10 px (a 1 px error is ~6 deg) the check is
    not assessed, never graded, however far the head is tipped; the other posture checks are still judged."""
    small = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0, head_pitch_deg=40.0, px_per_m=120.0)[0])
    f = small.finding("looking_down")
    assert f.severity == "not_assessed"
    assert "too small" in f.reason
    assert small.finding("slouching").severity != "not_assessed"
    big = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0, head_pitch_deg=40.0, px_per_m=200.0)[0])
    assert big.finding("looking_down").severity == "warning"


@pytest.mark.parametrize(("trunk", "pitch", "neck"), [(0.0, 10.0, 0.0), (15.0, 30.0, 10.0), (25.0, 45.0, 40.0)])
def test_trunk_head_angles_closed_form(trunk, pitch, neck):
    seq, _ = walker(cadence_spm=110.0, duration_s=4.0, trunk_deg=trunk, head_pitch_deg=pitch, neck_deg=neck, facing=-1.0)
    rep = analyze_walk(seq)
    assert rep.metrics["trunk_lean_deg"] == pytest.approx(trunk, abs=0.01)
    assert rep.metrics["head_pitch_deg"] == pytest.approx(pitch, abs=0.01)
    assert rep.metrics["forward_head_proxy_deg"] == pytest.approx(neck, abs=0.01)


def test_upright_walker_is_not_flagged_and_slouched_one_is():
    ok = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0, head_pitch_deg=10.0)[0])
    assert not {"slouching", "looking_down", "forward_head", "not_heel_first", "low_cadence"} & set(ok.flagged_ids)
    # 200 px/m: ear and eye 11.5 px apart, enough to measure the head's tilt (PostureParams.min_eye_ear_px)
    bad = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0, trunk_deg=22.0, head_pitch_deg=40.0, neck_deg=34.0,
                              px_per_m=200.0)[0])
    assert bad.finding("slouching").severity == "warning"
    assert bad.finding("slouching").value == pytest.approx(22.0, abs=0.01)
    assert bad.finding("looking_down").severity == "warning"
    assert bad.finding("forward_head").severity == "notice"
    for fid in ("slouching", "looking_down"):
        f = bad.finding(fid)
        assert f.time_ranges_s and f.advice and 0 < f.confidence <= 1


def test_flat_footed_walker_is_not_heel_first():
    rep = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0, heel_strike=False)[0])
    f = rep.finding("not_heel_first")
    assert f.severity == "warning"
    assert f.value == pytest.approx(0.0)
    assert {e["contact"] for e in rep.events["initial_contacts"]} <= {"flat", "unknown"}


def test_heel_strike_walker_lands_heel_first():
    rep = analyze_walk(walker(cadence_spm=110.0, duration_s=5.0)[0])
    assert rep.metrics["heel_first_share"] == pytest.approx(1.0)


def test_low_cadence_flagged_by_preset():
    seq = walker(cadence_spm=84.0, duration_s=6.0)[0]
    assert analyze_walk(seq).finding("low_cadence").severity == "notice"
    assert analyze_walk(seq, params=GAIT_PRESETS["older_adult"]).finding("low_cadence").severity == "ok"


@pytest.mark.parametrize("view", ["front", "back"])
def test_front_back_walker_sway_and_drop(view):
    seq, truth = front_walker(cadence_spm=100.0, duration_s=6.0, sway_hip_widths=0.8, pelvic_tilt_deg=10.0, view=view)
    rep = analyze_walk(seq)
    assert rep.view == view
    assert rep.segments[0]["direction"] == "in_place"
    assert rep.metrics["hip_sway_ratio"] == pytest.approx(0.8, abs=0.05)
    assert rep.finding("pelvic_drop").value == pytest.approx(10.0, abs=0.5)
    assert rep.finding("hip_sway").severity == "warning"
    assert rep.finding("pelvic_drop").severity == "notice"
    assert rep.metrics["cadence_spm"] == pytest.approx(100.0, abs=1.5)
    for fid in ("slouching", "looking_down", "not_heel_first"):
        f = rep.finding(fid)
        assert f.severity == "not_assessed" and "side view" in f.reason


def test_steady_front_walker_not_flagged():
    rep = analyze_walk(front_walker(cadence_spm=110.0, sway_hip_widths=0.2, pelvic_tilt_deg=3.0)[0])
    assert rep.finding("hip_sway").severity == "ok"
    assert rep.finding("pelvic_drop").severity == "ok"


def test_side_clip_does_not_assess_hip_sway():
    rep = analyze_walk(walker(cadence_spm=110.0, duration_s=4.0)[0])
    for fid in ("hip_sway", "pelvic_drop"):
        assert rep.finding(fid).severity == "not_assessed"
        assert "front or back" in rep.finding(fid).reason


def test_hidden_face_is_not_assessed_not_a_false_alarm():
    seq, _ = walker(cadence_spm=110.0, duration_s=4.0, head_pitch_deg=45.0)
    vis = np.full((seq.n_frames, 33), 0.99)
    vis[:, [L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, 1, 2, 3, 4, 5, 6, 9, 10]] = 0.1
    seq = seq.replace(visibility=vis)
    rep = analyze_walk(seq)
    f = rep.finding("looking_down")
    assert f.severity == "not_assessed" and "visib" in f.reason


def test_not_found_frames_are_skipped_with_reason():
    seq, _ = walker(cadence_spm=110.0, duration_s=5.0)
    xy = np.array(seq.xy_px)
    xy[:30] = np.nan
    rep = analyze_walk(make_sequence(xy, np.array(seq.world_m), depth_px=np.array(seq.depth_px)))
    skipped = [s for s in rep.segments if not s["analysed"]]
    assert skipped and skipped[0]["reason"] == "no person found" and skipped[0]["end_frame"] == 29
    assert all(e["frame"] >= 30 for e in rep.events["initial_contacts"])


def test_step_length_and_speed_from_height():
    seq, _ = walker(cadence_spm=110.0, duration_s=6.0, px_per_m=160.0)
    rep = analyze_walk(seq, AnalyzeOptions(height_cm=175))
    # walker speed: 0.75 * stride_hz * 1.5 m/s; stride length = speed / stride_hz
    stride_hz = 110.0 / 120.0
    speed = 0.75 * stride_hz * 1.5
    assert rep.metrics["walking_speed_m_s"] == pytest.approx(speed, rel=0.08)
    assert rep.metrics["stride_length_m"] == pytest.approx(speed / stride_hz, rel=0.1)
    assert "step_length_m" not in analyze_walk(seq).metrics


def test_pure_trace_functions_nan_in_nan_out():
    xy = np.full((3, 33, 2), np.nan)
    for f in (P.trunk_lean_deg(xy, 1.0), P.head_pitch_deg(xy, 1.0), P.pelvic_obliquity_deg(xy)):
        assert np.isnan(f).all()


def test_report_contract_and_registry(tmp_path):
    seq, _ = walker(cadence_spm=110.0, duration_s=4.0)
    rep = run_analysis("walk", seq, AnalyzeOptions())
    d = json.loads(rep.to_json())
    assert d["task"] == "walk" and d["view"] == "side"
    ic = d["events"]["initial_contacts"][0]
    assert {"frame", "time_s", "foot", "contact", "confidence"} <= set(ic)
    assert ic["contact"] in ("heel", "flat", "forefoot", "unknown")
    ids = {f["id"] for f in d["findings"]}
    assert ids == {"slouching", "looking_down", "forward_head", "hip_sway", "pelvic_drop", "not_heel_first",
                   "asymmetric_steps", "low_cadence"}
    for f in d["findings"]:
        assert {"id", "severity", "value", "unit", "threshold", "time_ranges_s", "confidence", "message", "advice"} <= set(f)
    for name in ("trunk_lean_deg", "head_pitch_deg", "pelvis_sway_hip_widths", "heel_height_left_px"):
        s = rep.series[name]
        assert len(s["time_s"]) == len(s["values"]) == seq.n_frames
    assert d["provenance"]["analysis_parameters"]["preset"] == DEFAULT_GAIT.name
    (tmp_path / "r.json").write_text(rep.to_json())


@pytest.mark.parametrize("view", ["front", "back"])
def test_front_back_contacts_match_the_closed_form(view):
    """Right heel lands at phase pi, left at phase 0 (mod 2 pi); contacts within 1.5 frames, feet right."""
    seq, _ = front_walker(cadence_spm=110.0, pelvic_tilt_deg=5.0, view=view)
    ics = analyze_walk(seq).events["initial_contacts"]
    stride_hz = 110.0 / 120.0
    truth = sorted([((0.5 + k) / stride_hz, "right") for k in range(8)] + [(k / stride_hz, "left") for k in range(1, 8)])
    truth = [(t, f) for t, f in truth if 0.2 < t < seq.timestamps_s[-1] - 0.2]
    got = [(e["time_s"], e["foot"]) for e in ics]
    assert len(got) >= len(truth) - 1
    for t, f in truth:
        near = [g for g in got if abs(g[0] - t) <= 1.5 / 30]
        assert near and near[0][1] == f, f"contact at {t:.3f}s ({f}) not found in {got}"


def test_rear_view_contacts_do_not_depend_on_sub_pixel_noise():
    """Double-humped heel lifts once made contacts jump between humps with tiny landmark changes."""
    seq, _ = front_walker(cadence_spm=100.0, view="back")
    rng = np.random.default_rng(3)
    base = [e["frame"] for e in analyze_walk(seq).events["initial_contacts"]]
    for _ in range(3):
        noisy = seq.replace(xy_px=seq.xy_px + rng.normal(0, 0.3, seq.xy_px.shape))
        frames = [e["frame"] for e in analyze_walk(noisy).events["initial_contacts"]]
        assert len(frames) == len(base) and max(abs(a - b) for a, b in zip(frames, base, strict=True)) <= 1


@pytest.mark.parametrize("n_frames", [1, 2, 5, 15, 30, 33])
def test_photo_and_one_second_clip_are_not_assessed_never_an_exception(n_frames):
    """Issue 10 point 8: a photo or a clip under about a second gives not_assessed findings with reasons."""
    seq, _ = walker(cadence_spm=100.0, duration_s=4.0)
    rep = analyze_walk(seq.slice(0, n_frames))
    assert {f.severity for f in rep.findings} == {"not_assessed"}
    assert all(f.reason for f in rep.findings)
    assert json.loads(rep.to_json())["summary"]["status"] == "not_enough_judged"


def test_nobody_in_view_is_not_assessed():
    xy = np.full((20, 33, 2), np.nan)
    rep = analyze_walk(make_sequence(xy, np.full((20, 33, 3), np.nan)))
    assert rep.view == "unknown" and {f.severity for f in rep.findings} == {"not_assessed"}


def test_feet_alternate_even_when_mediapipe_swaps_the_labels():
    """Left/right labels exchanged on every other stride (as MediaPipe does at crossings): the contacts still
    alternate, with the same times, and the cadence stays exact."""
    seq, _ = walker(cadence_spm=100.0, duration_s=6.0)
    base = analyze_walk(seq)
    xy, vis = np.array(seq.xy_px), np.array(seq.visibility)
    perm = np.asarray(L.SWAP_PERMUTATION)
    stride = int(round(1.2 * 30))
    for a in range(0, seq.n_frames, 2 * stride):
        xy[a:a + stride] = xy[a:a + stride][:, perm]
    rep = analyze_walk(seq.replace(xy_px=xy, visibility=vis))
    feet = [e["foot"] for e in rep.events["initial_contacts"]]
    assert all(a != b for a, b in zip(feet[:-1], feet[1:], strict=False))
    assert [e["frame"] for e in rep.events["initial_contacts"]] == [e["frame"] for e in base.events["initial_contacts"]]
    assert rep.metrics["cadence_spm"] == pytest.approx(100.0, abs=1.0)
    assert rep.metrics["alternation_errors"] == 0


def test_treadmill_walker_without_forward_travel_gives_steps():
    """A walker held in place (treadmill, or a camera following): same contacts and cadence, travel none."""
    seq, _ = walker(cadence_spm=110.0, duration_s=6.0)
    xy = np.array(seq.xy_px)
    pel = (xy[:, L.LEFT_HIP, 0] + xy[:, L.RIGHT_HIP, 0]) / 2
    xy[..., 0] -= (pel - pel[0])[:, None]
    rep = analyze_walk(seq.replace(xy_px=xy))
    seg = [s for s in rep.segments if s["analysed"]]
    assert seg and {s["travel"] for s in seg} == {"none"} and rep.view == "side"
    assert rep.metrics["cadence_spm"] == pytest.approx(110.0, abs=1.5)


def test_missed_contact_is_neither_a_step_nor_an_alternation_error():
    # right, left, (right missed), left, right: the left-left pair spans two steps
    ics = [replace(_ev(f, ft), pass_index=0) for f, ft in [(0, "right"), (17, "left"), (51, "left"), (68, "right")]]
    steps = M.validated_steps(ics)
    assert [(a.frame, b.frame) for a, b in steps] == [(0, 17), (51, 68)]
    assert M.alternation_errors(ics) == 0
    # the same pair one normal step apart is an error, and still not a step
    bad = [replace(_ev(f, ft), pass_index=0) for f, ft in [(0, "right"), (17, "left"), (34, "left"), (51, "right")]]
    assert M.alternation_errors(bad) == 1
    assert (17, 34) not in [(a.frame, b.frame) for a, b in M.validated_steps(bad)]


def test_steps_never_cross_passes():
    ics = [replace(_ev(0, "right"), pass_index=0), replace(_ev(17, "left"), pass_index=0),
           replace(_ev(34, "right"), pass_index=1), replace(_ev(51, "left"), pass_index=1)]
    assert [(a.frame, b.frame) for a, b in M.validated_steps(ics)] == [(0, 17), (34, 51)]


def test_feet_named_by_alternation_and_votes():
    from posture.gait.events import name_feet, step_indices

    t = np.array([0.0, 0.55, 1.1, 2.2, 2.75])  # a missed contact between 1.1 and 2.2 s
    idx, chain, med = step_indices(t)
    assert med == pytest.approx(0.55) and chain.tolist() == [0, 0, 0, 1, 1]
    # MediaPipe says R, L, L(wrong), ... ; depth says near (= right, facing right) for R landings
    feet, summary = name_feet(idx, chain, np.array([1, -1, -1, -1, 1]), np.array([1, -1, 1, -1, 1]), "right")
    assert feet == ["right", "left", "right", "left", "right"]
    assert summary["label_disagrees"] == 1 and summary["depth_disagrees"] == 0


def test_refine_contact_first_frame_at_or_after_the_peak_and_heel_down():
    """Closed form: the contact is the first frame at or after the sub-frame heel peak, later only while the
    heel is still well above its stance height and coming down (a swing that retracts before landing)."""
    fs, leg = 30.0, 300.0
    k = np.arange(30, dtype=float)
    flat = np.full(30, 500.0)  # heel already on the ground (image y, down)
    for peak, want in ((10.3, 11), (9.7, 10), (10.0, 10)):
        assert refine_contact(-(k - peak) ** 2, flat, leg, 10, fs) == want
    # the heel peaks forward at frame 10 but is still 60 px (20% of a leg) up, coming down 20 px a frame
    # (2 leg lengths per second), and lands at frame 13
    heel_y = np.where(k < 13, 500.0 - 20.0 * (13 - k), 500.0)
    assert refine_contact(-(k - 10.0) ** 2, heel_y, leg, 10, fs) == 13
    # never later than contact_max_delay_s (0.15 s = 4.5 frames at 30 fps)
    heel_y = np.where(k < 20, 500.0 - 20.0 * (20 - k), 500.0)
    assert refine_contact(-(k - 10.0) ** 2, heel_y, leg, 10, fs) == 14
    # at 120 fps the same motion gives the same time, within a 30 fps frame (the heel is "down" within 5% of
    # a leg, 25 ms before it lands at this speed)
    k4 = np.arange(120, dtype=float)
    heel_y4 = np.where(k4 < 52, 500.0 - 5.0 * (52 - k4), 500.0)
    assert abs(refine_contact(-(k4 - 40.0) ** 2, heel_y4, leg, 40, 120.0) / 120.0 - 13 / 30) <= 1 / 30


def test_step_difference_noise_has_a_one_frame_floor_and_the_per_foot_timing_error():
    # no scatter: one frame (1/30 s) each side, sqrt(1/2 + 1/2) = 1, and twice the 23 ms per-foot error
    noise = M.step_difference_noise_s({"left": [0.5, 0.5], "right": [0.6, 0.6]}, 30.0, 0.023)
    assert noise == pytest.approx(np.hypot(1 / 30, 0.046))
    # scatter above the floor: pooled sd 0.05 over sqrt(1/4 + 1/4)
    v = {"left": [0.45, 0.55, 0.45, 0.55], "right": [0.45, 0.55, 0.45, 0.55]}
    sd = np.std([0.45, 0.55, 0.45, 0.55], ddof=1)
    assert M.step_difference_noise_s(v, 30.0, 0.0) == pytest.approx(sd * np.sqrt(0.5))
    assert np.isnan(M.step_difference_noise_s({"left": [0.5], "right": [0.5, 0.6]}, 30.0, 0.023))


@pytest.mark.parametrize(("warp", "severity"), [(0.0, "ok"), (0.05, "not_assessed"), (0.3, "warning")])
def test_uneven_steps_are_flagged_only_beyond_what_timing_error_can_make(warp, severity):
    """A limping walker (one foot's steps 1.45x the other's) is a warning; a 7% difference at 30 fps is within
    the per-foot timing error measured on the labelled walks, so it is not judged either way."""
    seq, truth = walker(cadence_spm=100.0, duration_s=12.0, step_warp=warp)
    f = analyze_walk(seq).finding("asymmetric_steps")
    assert f.severity == severity, f.message
    if severity == "not_assessed":
        assert "cannot tell" in f.message and "60 frames/s" in f.message
    if severity == "warning":
        assert f.value > 1.25


def test_step_evenness_is_not_judged_at_running_pace():
    seq, _ = walker(cadence_spm=170.0, duration_s=8.0, step_warp=0.3)
    f = analyze_walk(seq).finding("asymmetric_steps")
    assert f.severity == "not_assessed" and "faster than walking" in f.message
