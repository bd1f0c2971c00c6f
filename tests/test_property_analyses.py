"""Property-based tests (hypothesis): every analysis (walk, lift, sit, stretch, auto), fed random but
valid-shaped sequences and options, returns a JSON-serialisable report or raises a posture error:
never another exception, never a hang (each example has a deadline).

Bases are the project's synthetic walker, lifter, sitter and stretch poses, plus random points; the
strategy (tests/test_property_sequence.py) damages them: NaN runs, one frame, constant poses, huge or
tiny coordinates, uneven timestamps, low visibility.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posture.analyses import LIMITS, AnalyzeOptions, analyze_sequence
from posture.errors import PostureError
from tests.test_property_sequence import sequences

# Our choice: few examples per task keep the whole file under a minute on 2 busy cores; derandomized,
# so a failure here is reproducible, and a new example set means a deliberate change.
ANALYSES = settings(max_examples=25, deadline=timedelta(seconds=20), derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _bases():
    from posture.lift.synthetic import synthetic_lift
    from posture.sit.synthetic import seated_sequence
    from posture.stretch.reference import load_reference
    from posture.stretch.synthetic import pose_for_reference
    from posture.synthetic import walker

    return {
        "walk": walker(duration_s=3.0)[0],
        "lift": synthetic_lift(reps=1)[0],
        "sit": seated_sequence(45, fps=15.0),
        "stretch": pose_for_reference(load_reference("piriformis_supine"), n=45),
    }


BASES = _bases()


@st.composite
def options(draw):
    def opt(name):
        lim = LIMITS[name]
        return draw(st.none() | st.floats(max(lim.lo, 1e-3 if lim.lo_open else lim.lo), lim.hi))

    return AnalyzeOptions(height_cm=opt("height_cm"), load_kg=opt("load_kg"),
                          lift_frequency_per_min=opt("lift_frequency_per_min"), lift_duration_h=opt("lift_duration_h"),
                          coupling=draw(st.sampled_from(["good", "fair", "poor"])),
                          affected_side=draw(st.sampled_from([None, "left", "right"])),
                          break_after_min=opt("break_after_min"))


def check_analysis(task, seq, opts):
    try:
        report = analyze_sequence(seq, task, opts)
    except PostureError as e:
        message = str(e)
    else:
        message = ""
        json.loads(report.to_json())  # finite, serialisable
        assert report.task in ("walk", "lift", "sit", "stretch")
    assert "\n" not in message


@pytest.mark.parametrize("task", ["walk", "lift", "sit", "stretch", "auto"])
def test_every_analysis_gives_a_report_or_a_posture_error(task):
    base = BASES.get(task, BASES["walk"])

    @ANALYSES
    @given(seq=sequences(base=base), opts=options(), which=st.sampled_from(sorted(BASES)))
    def prop(seq, opts, which):
        if task == "auto" and which != "walk":  # auto also sees the other bases
            seq = BASES[which]
        check_analysis(task, seq, opts)

    prop()


def test_one_frame_and_constant_inputs_for_every_task():
    """The smallest inputs, explicitly (hypothesis may not reach each of them for each task)."""
    for task in ("walk", "lift", "sit", "stretch", "auto"):
        for seq in BASES.values():
            check_analysis(task, seq.slice(0, 1), AnalyzeOptions())
            const = seq.replace(xy_px=np.repeat(seq.xy_px[:1], seq.n_frames, 0),
                                world_m=np.repeat(seq.world_m[:1], seq.n_frames, 0),
                                visibility=np.repeat(seq.visibility[:1], seq.n_frames, 0))
            check_analysis(task, const, AnalyzeOptions(height_cm=175))


def _variants(seq):
    """Deterministic hostile variants of a whole clip, so each analysis runs deep at least once per kind."""
    rng = np.random.default_rng(0)
    n = seq.n_frames
    xy, world, vis = np.array(seq.xy_px), np.array(seq.world_m), np.array(seq.visibility)
    holes = xy.copy()
    holes[n // 4: n // 4 + 5] = np.nan  # a short gap
    holes[n // 2:, 25:33] = np.nan  # legs lost for the second half
    dt = np.diff(seq.timestamps_s)
    jitter = np.concatenate([[0.0], np.cumsum(dt * rng.uniform(0.6, 1.4, dt.size))])
    return {
        "as is": seq,
        "gaps": seq.replace(xy_px=holes),
        "jittered timestamps": seq.replace(timestamps_s=seq.timestamps_s[0] + jitter),
        "huge pixels": seq.replace(xy_px=xy * 1e6, world_m=world * 1e6),
        "tiny pixels": seq.replace(xy_px=xy * 1e-4),
        "mirrored": seq.replace(xy_px=np.stack([seq.video.width - xy[..., 0], xy[..., 1]], axis=-1)),
        "half visible": seq.replace(visibility=vis * 0.5),
        "noisy": seq.replace(xy_px=xy + rng.normal(0, 15, xy.shape)),
    }


@pytest.mark.parametrize("task", ["walk", "lift", "sit", "stretch", "auto"])
def test_hostile_variants_of_whole_clips(task):
    opts = AnalyzeOptions(height_cm=175, load_kg=12, lift_frequency_per_min=2, lift_duration_h=1, break_after_min=1)
    for name, base in BASES.items():
        for kind, seq in _variants(base).items():
            try:
                check_analysis(task, seq, opts)
            except Exception as e:
                raise AssertionError(f"{task} on the {name} clip, {kind}: {type(e).__name__}: {e}") from e


REAL_CASES = [("walk_side/watcharapol_gait_normal_01.mp4", "walk"), ("lift/upfall_pickup_side_bentknee.mp4", "lift"),
              ("sit/nvinay_hunchback.jpg", "sit"), ("stretch/supine_knee_bend.mp4", "stretch")]


@pytest.mark.real
@pytest.mark.parametrize(("rel", "task"), REAL_CASES)
def test_hostile_variants_of_real_clips(rel, task):
    """The same variants on real landmarks (cached extraction), with the clip's own task and auto."""
    from tests.conftest import real_sequence

    seq = real_sequence(rel, subject="moving" if task == "walk" else "largest", masks=task == "lift")
    variants = _variants(seq)
    for kind in ("as is", "gaps", "jittered timestamps", "mirrored", "noisy"):
        variant = variants[kind]
        for t in (task, "auto"):
            try:
                check_analysis(t, variant, AnalyzeOptions(height_cm=170))
            except Exception as e:
                raise AssertionError(f"{t} on {rel}, {kind}: {type(e).__name__}: {e}") from e
