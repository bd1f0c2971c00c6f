"""The lifting report a safety officer acts on (issue 12): REBA score, risk and action level first and per
repetition; NIOSH with the origin's FM for both ends and a plain reason when the index cannot be computed;
every finding from a registered spec with its limits and source in the provenance."""

from __future__ import annotations

import json

import pytest

from posture import checks as C
from posture.analyses import AnalyzeOptions
from posture.lift import reba
from posture.lift.analysis import analyze_lift
from posture.lift.checks import FINDING_IDS, SPECS
from posture.lift.synthetic import synthetic_lift


@pytest.fixture(scope="module")
def stoops():
    seq, _ = synthetic_lift(trunk_deg=80, knee_deg=5, hip_deg=-5, reps=2)
    return analyze_lift(seq, AnalyzeOptions(load_kg=12))


def test_reba_block_leads_with_score_risk_and_action_level(stoops):
    d = json.loads(stoops.to_json())
    block = d["reba"]
    assert list(block)[:6] == ["assessed", "score", "risk", "action_level", "action", "headline"]
    assert block["score"] == block["worst"]["score"]
    expected = reba.risk_level(block["score"])
    assert (block["risk"], block["action_level"], block["action"]) == (expected["risk"], expected["action_level"],
                                                                      expected["action"])
    assert block["headline"].startswith(f"REBA {block['score']}: {block['risk']} risk")
    assert f"action level {block['action_level']}" in block["headline"]
    assert d["metrics"]["reba_risk"] == block["risk"] and d["metrics"]["reba_action_level"] == block["action_level"]


def test_reba_per_repetition(stoops):
    per = stoops.blocks["reba"]["per_repetition"]
    assert [p["index"] for p in per] == [1, 2]
    for p, rep in zip(per, stoops.blocks["repetitions"], strict=True):
        assert {"score", "risk", "action_level", "action", "headline", "frame", "time_s"} <= set(p)
        assert rep["start"]["time_s"] <= p["time_s"] <= rep["end"]["time_s"] + 0.05
        assert 1 <= p["score"] <= stoops.blocks["reba"]["score"]


@pytest.mark.parametrize(("score", "risk", "level"), [(1, "negligible", 0), (3, "low", 1), (7, "medium", 2),
                                                      (10, "high", 3), (11, "very high", 4)])
def test_reba_risk_bands_hignett_mcatamney(score, risk, level):
    r = reba.risk_level(score)
    assert (r["risk"], r["action_level"]) == (risk, level)


def test_niosh_missing_height_says_why_plainly():
    seq, _ = synthetic_lift(trunk_deg=40, knee_deg=110)
    r = analyze_lift(seq, AnalyzeOptions(load_kg=10))
    assert r.blocks["niosh"] is None
    why = r.blocks["niosh_reason"]
    assert "body height was not given" in why and "centimetres" in why
    r0 = analyze_lift(seq, AnalyzeOptions(height_cm=175))
    assert r0.blocks["niosh"] is None and "weight of the load was not given" in r0.blocks["niosh_reason"]


def test_niosh_destination_takes_the_origin_fm_column():
    seq, _ = synthetic_lift(trunk_deg=40, knee_deg=110)
    n = analyze_lift(seq, AnalyzeOptions(height_cm=175, load_kg=10, lift_frequency_per_min=4,
                                         lift_duration_h=1.5)).blocks["niosh"]
    assert n["origin"]["v_cm"] < n["destination"]["v_cm"]
    # one FM for the lift, from V at the origin (Table 5: 4 lifts/min, <= 2 h, V < 75 cm: 0.72); the column rule
    # itself is tested cell by cell in test_lift_niosh.py
    assert n["destination"]["v_origin_cm"] == pytest.approx(n["origin"]["v_cm"])
    assert n["origin"]["fm"] == n["destination"]["fm"] == pytest.approx(0.72)


def test_every_lift_finding_has_a_registered_spec_and_its_limits_in_the_provenance(stoops):
    assert [f.id for f in stoops.findings] == list(FINDING_IDS)
    for f in stoops.findings:
        assert C.REGISTRY[f.id] in SPECS
        if f.severity != "not_assessed":
            assert f.threshold == C.REGISTRY[f.id].notice and f.title
    limits = stoops.provenance["analysis_parameters"]["lift_limits"]
    assert set(limits) == set(FINDING_IDS)
    assert all(v["source"] for v in limits.values())
