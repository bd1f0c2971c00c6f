"""Live and offline lifting agree: one grading (issue 12).

Real dev clips are fed frame by frame through :class:`~posture.lift.live.LiftCoach` (as a webcam would) and
analysed offline by :func:`~posture.lift.analysis.analyze_lift`; every complete repetition must get the same
severity for every check both can judge, and the same value within the check's typical error
(``CheckSpec.uncertainty``). ``back_rounded`` needs the person mask, which the webcam path does not have: live
it is ``not_assessed``, never a grade.

Measured when this test was written: 7 dev clips, 11 repetitions, every severity the same; values within the
typical error except the heel rise on the two deadlifts that start at the bottom (jeffchen good, formfit's
first pull), where the live window has no standing frame before the lift for the heel's reference (values
differ by up to 0.057 of body height); those two are compared on severity only.
"""

from __future__ import annotations

import functools

import pytest

from posture.analyses import AnalyzeOptions
from posture.lift.analysis import analyze_lift
from posture.lift.checks import FINDING_IDS, SPEC_BY_ID
from posture.lift.live import LiftCoach
from posture.live import run_offline
from tests.conftest import real_sequence

pytestmark = pytest.mark.real

# (clip, compare values too)
CLIPS = [("yuyoujiang_squat.mp4", True), ("upfall_pickup_side_stoop.mp4", True),
         ("upfall_pickup_side_bentknee.mp4", True), ("kaiakol_squat_incorrect_002.mp4", True),
         ("jeffchen_deadlift_good.mp4", False), ("formfit_deadlift.mp4", False)]


@functools.cache
def _both(name: str):
    seq = real_sequence(f"lift/{name}", masks=True)
    offline = [r for r in analyze_lift(seq, AnalyzeOptions()).blocks["repetitions"] if r["complete"]]
    coach = LiftCoach()
    statuses = run_offline(coach, seq)
    return offline, coach.summary(), statuses


@pytest.mark.parametrize(("name", "values"), CLIPS)
def test_live_and_offline_grade_each_repetition_alike(name, values):
    offline, live, _ = _both(name)
    assert live["rep_count"] == len(offline), (name, live["rep_count"], len(offline))
    problems = []
    for k, (off, liv) in enumerate(zip(offline, live["repetitions"], strict=True)):
        assert abs(off["bottom"]["time_s"] - liv["bottom_s"]) < 0.2, (name, k)
        for fid in FINDING_IDS:
            if fid == "leads_with_shoulders":
                continue  # a clip-level check (turning), not graded per repetition
            a, b = off["findings"][fid], liv["findings"][fid]
            if fid == "back_rounded":
                assert b["severity"] == "not_assessed"  # no person mask live: never a grade
                continue
            if a["severity"] != b["severity"]:
                problems.append(f"rep {k + 1} {fid}: offline {a['severity']} ({a['value']}), live {b['severity']} "
                                f"({b['value']})")
            elif values and a["value"] is not None and abs(a["value"] - b["value"]) > SPEC_BY_ID[fid].uncertainty:
                problems.append(f"rep {k + 1} {fid}: offline {a['value']}, live {b['value']} (typical error "
                                f"{SPEC_BY_ID[fid].uncertainty})")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_live_cue_is_the_spec_cue_of_the_worst_flag():
    _, live, statuses = _both("upfall_pickup_side_stoop.mp4")
    rep = live["repetitions"][0]
    assert rep["in_form"] is False
    assert {"knees_not_bent", "back_bent_forward"} <= set(rep["flagged"])
    assert rep["cue"] in {SPEC_BY_ID[f].cue for f in rep["flagged"]}
    done = [s for s in statuses if "rep_completed" in s.events]
    assert len(done) == 1 and done[0].cue == rep["cue"] and done[0].in_form is False
    _, good, _ = _both("kaiakol_squat_incorrect_002.mp4")
    assert good["repetitions"][0]["in_form"] is True
