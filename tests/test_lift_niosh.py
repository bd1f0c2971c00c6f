"""Revised NIOSH lifting equation (Waters et al. 1993; Applications Manual 1994), checked by hand.

The expected numbers below are computed by hand from the published formulas and
Tables 5 (FM) and 7 (CM), not copied from another implementation.
"""

from __future__ import annotations

import math

import pytest

from posture.errors import OptionError, PostureError
from posture.lift import niosh


def test_ideal_lift_gives_the_load_constant():
    # H 25 cm, V 75 cm, D < 25 cm, A 0, F <= 0.2/min for <= 1 h, good coupling: every multiplier is 1.
    r = niosh.lifting_index(23.0, 25, 75, 10, 0, 0.1, 1, "good")
    assert (r.hm, r.vm, r.dm, r.am, r.fm, r.cm) == (1, 1, 1, 1, 1, 1)
    assert r.rwl_kg == pytest.approx(23.0)
    assert r.lifting_index == pytest.approx(1.0)


@pytest.mark.parametrize(("h", "hm"), [(10, 1.0), (25, 1.0), (50, 0.5), (63, 25 / 63), (64, 0.0)])
def test_horizontal_multiplier(h, hm):
    assert niosh.horizontal_multiplier(h) == pytest.approx(hm)


@pytest.mark.parametrize(("v", "vm"), [(0, 0.775), (75, 1.0), (175, 0.7), (176, 0.0), (30, 0.865)])
def test_vertical_multiplier(v, vm):
    assert niosh.vertical_multiplier(v) == pytest.approx(vm)


@pytest.mark.parametrize(("d", "dm"), [(10, 1.0), (25, 1.0), (50, 0.91), (175, 0.82 + 4.5 / 175), (176, 0.0)])
def test_distance_multiplier(d, dm):
    assert niosh.distance_multiplier(d) == pytest.approx(dm)


@pytest.mark.parametrize(("a", "am"), [(0, 1.0), (90, 0.712), (135, 0.568), (136, 0.0)])
def test_asymmetric_multiplier(a, am):
    assert niosh.asymmetric_multiplier(a) == pytest.approx(am)


@pytest.mark.parametrize(("f", "hours", "v", "fm"), [
    (0.2, 1, 30, 1.00), (0.1, 8, 30, 0.85), (1, 2, 30, 0.88), (4, 8, 80, 0.45), (5, 2, 30, 0.60),
    (9, 8, 30, 0.00), (9, 8, 80, 0.15), (10, 8, 80, 0.13), (11, 8, 80, 0.00),
    (11, 2, 30, 0.00), (11, 2, 80, 0.23), (12, 2, 80, 0.21), (13, 2, 80, 0.00),
    (12, 1, 30, 0.37), (13, 1, 30, 0.00), (13, 1, 80, 0.34), (15, 1, 80, 0.28), (16, 1, 80, 0.00),
    (1.5, 1, 30, (0.94 + 0.91) / 2),  # between rows: linear interpolation (our choice, see niosh.py)
])
def test_frequency_multiplier_table_cells(f, hours, v, fm):
    assert niosh.frequency_multiplier(f, hours, v) == pytest.approx(fm)


def test_coupling_multiplier_and_bad_inputs():
    assert niosh.coupling_multiplier("fair", 30) == 0.95
    assert niosh.coupling_multiplier("fair", 75) == 1.0
    assert niosh.coupling_multiplier("poor", 100) == 0.90
    assert niosh.coupling_multiplier("good", 10) == 1.0
    with pytest.raises(ValueError, match="coupling must be one of"):
        niosh.coupling_multiplier("sticky", 10)
    with pytest.raises(ValueError, match="duration must be positive"):
        niosh.duration_category(0)
    assert [niosh.duration_category(h) for h in (0.5, 1, 1.5, 2, 8)] == ["short", "short", "moderate", "moderate", "long"]


def test_worked_example_box_from_low_shelf():
    # A 10 kg box lifted from V = 30 cm, hands H = 40 cm in front of the ankles, to V = 80 cm (D = 50 cm),
    # with 30 deg of twist, 2 lifts/min for 1.5 h (moderate), fair handles. At the origin:
    # HM = 25/40 = 0.625; VM = 1 - 0.003*|30-75| = 0.865; DM = 0.82 + 4.5/50 = 0.91; AM = 1 - 0.0032*30 = 0.904;
    # FM (Table 5, 2/min, <=2 h, V<75) = 0.84; CM (Table 7, fair, V<75) = 0.95.
    # RWL = 23 * 0.625 * 0.865 * 0.91 * 0.904 * 0.84 * 0.95 = 8.163 kg; LI = 10 / 8.163 = 1.225.
    r = niosh.lifting_index(10, 40, 30, 50, 30, 2, 1.5, "fair")
    assert (r.hm, r.vm, r.dm, r.am, r.fm, r.cm) == pytest.approx((0.625, 0.865, 0.91, 0.904, 0.84, 0.95))
    assert r.rwl_kg == pytest.approx(23 * 0.625 * 0.865 * 0.91 * 0.904 * 0.84 * 0.95)
    assert r.rwl_kg == pytest.approx(8.163, abs=0.001)
    assert r.lifting_index == pytest.approx(1.225, abs=0.001)
    assert niosh.li_category(r.lifting_index) == "increased"
    # At the destination (V = 80 cm >= 75): VM = 0.985, FM column V>=75 still 0.84, CM fair V>=75 = 1.0.
    d = niosh.lifting_index(10, 40, 80, 50, 30, 2, 1.5, "fair")
    assert d.rwl_kg == pytest.approx(23 * 0.625 * 0.985 * 0.91 * 0.904 * 0.84 * 1.0)


def test_zero_rwl_gives_infinite_index():
    r = niosh.lifting_index(5, 70, 30, 50, 0, 1, 1, "good")  # H > 63 cm: HM = 0
    assert r.rwl_kg == 0 and math.isinf(r.lifting_index)
    assert niosh.li_category(r.lifting_index) == "high"


# --------------------------------------------------------------------------- the manual's rules (issue 12)

def test_fm_column_comes_from_v_at_the_origin():
    # Lowering from V = 100 cm to V = 50 cm (D = 50) at 11 lifts/min for 2 h: the Applications Manual takes the
    # FM column from V at the origin (100 >= 75), so the destination's FM is Table 5's (<=2 h, V>=75) cell, 0.23,
    # not the V<75 column's 0.00.
    dest = niosh.lifting_index(5, 30, 50, 50, 0, 11, 2, "good", v_origin_cm=100)
    assert dest.fm == pytest.approx(0.23)
    assert dest.v_origin_cm == 100
    # called without an origin V, the call is the origin itself
    assert niosh.lifting_index(5, 30, 50, 50, 0, 11, 2, "good").fm == 0.0
    # the CM column stays with each end's own V (Table 7)
    assert dest.cm == 1.0


def test_the_analysis_gives_origin_and_destination_one_fm():
    origin = niosh.lifting_index(10, 40, 30, 50, 0, 11, 2, "fair")  # V 30 < 75: FM 0.00 at 11/min, <=2 h
    dest = niosh.lifting_index(10, 40, 80, 50, 0, 11, 2, "fair", v_origin_cm=30)
    assert origin.fm == dest.fm == 0.0


@pytest.mark.parametrize("hours", [8.01, 9, 12, 24])
def test_durations_above_eight_hours_are_refused(hours):
    with pytest.raises(OptionError, match="at most 8 h"):
        niosh.lifting_index(10, 30, 75, 30, 0, 1, hours, "good")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"h_cm": -10}, "H .* must be a number >= 0"),
    ({"v_cm": -1}, "V .* must be a number >= 0"),
    ({"d_cm": -5}, "D .* must be a number >= 0"),
    ({"a_deg": -30}, "A .* must be a number >= 0"),
    ({"load_kg": -1}, "the load must be a number >= 0"),
    ({"lifts_per_min": -0.5}, "frequency must be a number >= 0"),
    ({"h_cm": float("nan")}, "H .* must be a number"),
    ({"coupling": "sticky"}, "coupling must be one of"),
    ({"duration_h": 0}, "duration must be positive"),
])
def test_inputs_outside_the_equation_are_refused(kwargs, match):
    args = {"load_kg": 10, "h_cm": 30, "v_cm": 75, "d_cm": 30, "a_deg": 0, "lifts_per_min": 1, "duration_h": 1,
            "coupling": "good"} | kwargs
    with pytest.raises(OptionError, match=match):
        niosh.lifting_index(**args)
    with pytest.raises(PostureError):  # one family: the CLI and the app print a one-line reason
        niosh.lifting_index(**args)


def test_single_multipliers_refuse_negative_inputs():
    with pytest.raises(OptionError):
        niosh.horizontal_multiplier(-10)
    with pytest.raises(OptionError):
        niosh.distance_multiplier(-1)
    with pytest.raises(OptionError):
        niosh.asymmetric_multiplier(-45)


@pytest.mark.parametrize(("f", "hours", "v", "fm"), [
    (8.0, 8, 30, 0.18),  # last non-zero row of the (<=8 h, V<75) column
    (8.5, 8, 30, 0.0),  # between 0.18 and a 0.00 cell: no blend toward zero, the 0.00 applies
    (8.99, 8, 30, 0.0),
    (10.5, 2, 80, (0.26 + 0.23) / 2),  # both cells non-zero: linear
    (12.5, 2, 80, 0.0),  # past the (<=2 h, V>=75) column's last non-zero row (12/min)
    (14.5, 1, 80, (0.31 + 0.28) / 2),
    (15.01, 1, 80, 0.0),  # beyond Table 5
])
def test_interpolation_never_blends_toward_a_zero_cell(f, hours, v, fm):
    assert niosh.frequency_multiplier(f, hours, v) == pytest.approx(fm)


def test_zero_load_gives_zero_index():
    assert niosh.lifting_index(0, 30, 75, 30, 0, 1, 1, "good").lifting_index == 0.0


def test_applications_manual_example_4_package_inspection_origin():
    """Applications Manual (Waters et al. 1994, revised 2021), Example 4 'Package Inspection', Figure 14 (p. 46).

    We could not read the manual itself here (no network); the numbers come from a public transcription of
    its worksheet: origin multipliers HM 1.0, VM .94, DM .87 (".82 + 1.8/37", so D = 37 in), AM 1.0, FM .88,
    CM .95 (fair coupling at V = 22 in), and the origin RWL 51 x 1.0 x .94 x .87 x 1.0 x .88 x .95 = 34.9 lb
    (34.8 lb without rounding the multipliers). The inputs below are those values in centimetres: H 25 cm
    (HM 1.0 means H <= 10 in), V 22 in = 55.9 cm, D 37 in = 94.0 cm, A 0. The transcription gives FM, not F and
    the duration: 3 lifts/min for up to 1 h is one Table 5 cell that gives .88 at V < 30 in (so is 1 lift/min
    for 1-2 h). Metric constants (LC 23 kg, 25/H, 75 cm) are not exact conversions of the US ones, hence the
    3% tolerance. Example 2 (loading supply rolls) could not be checked: no copy of its worksheet was found.
    """
    from posture.lift.niosh import lifting_index

    r = lifting_index(10.0, 25.0, 22 * 2.54, 37 * 2.54, 0.0, 3.0, 1.0, "fair")
    assert (round(r.hm, 2), round(r.vm, 2), round(r.dm, 2), r.am, r.fm, r.cm) == (1.0, 0.94, 0.87, 1.0, 0.88, 0.95)
    rwl_lb = r.rwl_kg / 0.45359237
    assert rwl_lb == pytest.approx(34.9, rel=0.03)
