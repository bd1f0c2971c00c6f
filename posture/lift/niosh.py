"""The revised NIOSH lifting equation (Waters, Putz-Anderson, Garg and Fine, Ergonomics 36 (1993) 749-776;
NIOSH Applications Manual for the Revised NIOSH Lifting Equation, DHHS (NIOSH) 94-110, 1994), metric form.

RWL = LC x HM x VM x DM x AM x FM x CM, LI = load / RWL, with

- LC = 23 kg
- HM = 25 / H          (H in cm; H <= 25 -> 1; H > 63 -> 0)
- VM = 1 - 0.003 |V - 75|  (V in cm; V > 175 -> 0)
- DM = 0.82 + 4.5 / D  (D in cm; D < 25 -> 1; D > 175 -> 0)
- AM = 1 - 0.0032 A    (A in degrees; A > 135 -> 0)
- FM from :data:`FM_TABLE` (Waters et al. 1993, Table 5), CM from :data:`CM_TABLE` (Table 7).

The frequency multiplier's column is chosen by the work duration and by V **at the origin** of the lift
(Applications Manual, Table 5: the V < 75 cm / V >= 75 cm columns refer to the hands' height at the origin),
so the origin and the destination of one lift share one FM.

Interpolation in Table 5 (our rule; the manual lists only the rows): between two listed rows whose cells are
both non-zero, FM is interpolated linearly; below 0.2 lifts/min the 0.2 row applies (Table 5 footnote). A
0.00 cell means the equation does not accept that frequency for that duration and V, so we never blend
toward it: any frequency above the last non-zero row of a column gives FM = 0 (RWL 0, LI infinite), and
above 15 lifts/min FM is 0 in every column.

Inputs outside the equation's range are refused with :class:`~posture.errors.OptionError` (a
``ValueError``): negative H, V, D or A, a negative load, a negative frequency, a duration that is not
positive or exceeds 8 hours (the equation is defined for shifts up to 8 h), an unknown coupling.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from posture.errors import OptionError

LOAD_CONSTANT_KG = 23.0

# Table 5 of Waters et al. (1993): frequency multiplier. Rows: lifts/min. Columns:
# (<=1 h, V<75), (<=1 h, V>=75), (<=2 h, V<75), (<=2 h, V>=75), (<=8 h, V<75), (<=8 h, V>=75).
FM_FREQUENCIES = (0.2, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
FM_TABLE = np.array([
    [1.00, 1.00, 0.95, 0.95, 0.85, 0.85],  # <=0.2
    [0.97, 0.97, 0.92, 0.92, 0.81, 0.81],  # 0.5
    [0.94, 0.94, 0.88, 0.88, 0.75, 0.75],  # 1
    [0.91, 0.91, 0.84, 0.84, 0.65, 0.65],  # 2
    [0.88, 0.88, 0.79, 0.79, 0.55, 0.55],  # 3
    [0.84, 0.84, 0.72, 0.72, 0.45, 0.45],  # 4
    [0.80, 0.80, 0.60, 0.60, 0.35, 0.35],  # 5
    [0.75, 0.75, 0.50, 0.50, 0.27, 0.27],  # 6
    [0.70, 0.70, 0.42, 0.42, 0.22, 0.22],  # 7
    [0.60, 0.60, 0.35, 0.35, 0.18, 0.18],  # 8
    [0.52, 0.52, 0.30, 0.30, 0.00, 0.15],  # 9
    [0.45, 0.45, 0.26, 0.26, 0.00, 0.13],  # 10
    [0.41, 0.41, 0.00, 0.23, 0.00, 0.00],  # 11
    [0.37, 0.37, 0.00, 0.21, 0.00, 0.00],  # 12
    [0.00, 0.34, 0.00, 0.00, 0.00, 0.00],  # 13
    [0.00, 0.31, 0.00, 0.00, 0.00, 0.00],  # 14
    [0.00, 0.28, 0.00, 0.00, 0.00, 0.00],  # 15
])  # > 15 lifts/min: 0 in every column

# Table 7 of Waters et al. (1993): coupling multiplier, (V < 75 cm, V >= 75 cm).
CM_TABLE = {"good": (1.00, 1.00), "fair": (0.95, 1.00), "poor": (0.90, 0.90)}

DURATIONS = ("short", "moderate", "long")  # <=1 h, 1-2 h, 2-8 h (Applications Manual, section 1.3.5)


MAX_DURATION_H = 8.0  # Applications Manual section 1.3.5: the duration categories end at an 8-hour shift


def _check(name: str, value: float, unit: str, low: float = 0.0) -> float:
    """``value`` as a float, refusing NaN and values below ``low`` with a message that says why."""
    v = float(value)
    if not math.isfinite(v) or v < low:
        raise OptionError(f"NIOSH lifting equation: {name} must be a number >= {low:g} {unit}, got {value!r} "
                          f"(the equation is not defined there)")
    return v


def duration_category(duration_h: float) -> str:
    """Short (<= 1 h), moderate (<= 2 h) or long (<= 8 h) lifting duration; longer shifts are refused."""
    if not math.isfinite(float(duration_h)) or duration_h <= 0:
        raise OptionError(f"lifting duration must be positive, got {duration_h} h")
    if duration_h > MAX_DURATION_H:
        raise OptionError(f"lifting duration must be at most {MAX_DURATION_H:g} h, got {duration_h} h: the NIOSH "
                          "equation's frequency table covers shifts up to 8 hours and does not apply beyond")
    if duration_h <= 1:
        return "short"
    if duration_h <= 2:
        return "moderate"
    return "long"


def horizontal_multiplier(h_cm: float) -> float:
    h_cm = _check("H (hands in front of the ankles)", h_cm, "cm")
    if h_cm > 63:
        return 0.0
    return 1.0 if h_cm <= 25 else 25.0 / h_cm


def vertical_multiplier(v_cm: float) -> float:
    v_cm = _check("V (hands above the floor)", v_cm, "cm")
    if v_cm > 175:
        return 0.0
    return 1.0 - 0.003 * abs(v_cm - 75.0)


def distance_multiplier(d_cm: float) -> float:
    d = _check("D (vertical travel)", d_cm, "cm")
    if d > 175:
        return 0.0
    return 1.0 if d < 25 else 0.82 + 4.5 / d


def asymmetric_multiplier(a_deg: float) -> float:
    a = _check("A (asymmetry angle)", a_deg, "deg")
    return 0.0 if a > 135 else 1.0 - 0.0032 * a


def frequency_multiplier(lifts_per_min: float, duration_h: float, v_origin_cm: float) -> float:
    """FM from Table 5; the column from the duration and V **at the origin** (see the module docstring for
    the interpolation rule: linear between non-zero rows, never toward a 0.00 cell)."""
    f = _check("lifting frequency", lifts_per_min, "lifts/min")
    v = _check("V at the origin", v_origin_cm, "cm")
    if f > FM_FREQUENCIES[-1]:
        return 0.0
    col = FM_TABLE[:, 2 * DURATIONS.index(duration_category(duration_h)) + (1 if v >= 75 else 0)]
    f = max(f, FM_FREQUENCIES[0])
    last = int(np.flatnonzero(col > 0).max())  # last row the equation accepts in this column
    if f > FM_FREQUENCIES[last]:
        return 0.0
    return float(np.interp(f, FM_FREQUENCIES[:last + 1], col[:last + 1]))


def coupling_multiplier(coupling: str, v_cm: float) -> float:
    try:
        lo, hi = CM_TABLE[coupling]
    except KeyError:
        raise OptionError(f"coupling must be one of {', '.join(CM_TABLE)}, got {coupling!r}") from None
    return hi if v_cm >= 75 else lo


@dataclass(frozen=True)
class NioshResult:
    """RWL and LI at one end of the lift (origin or destination), with every multiplier."""

    h_cm: float
    v_cm: float
    d_cm: float
    a_deg: float
    frequency_per_min: float
    duration_h: float
    coupling: str
    hm: float
    vm: float
    dm: float
    am: float
    fm: float
    cm: float
    rwl_kg: float
    load_kg: float
    lifting_index: float
    v_origin_cm: float = float("nan")  # V at the origin, which chose the FM column

    def to_dict(self) -> dict:
        return asdict(self)


def lifting_index(load_kg: float, h_cm: float, v_cm: float, d_cm: float, a_deg: float, lifts_per_min: float,
                  duration_h: float, coupling: str, v_origin_cm: float | None = None) -> NioshResult:
    """RWL (kg) and LI = load / RWL at one end of a lift; LI is inf when the RWL is 0.

    ``v_cm`` is the hands' height at this end; ``v_origin_cm`` the height at the origin, which selects
    the FM column (Applications Manual). Leave it out when this call *is* the origin. For the destination
    pass the origin's V: e.g. lowering from V = 100 cm to V = 50 cm (D = 50) at 11 lifts/min for 2 h,
    ``lifting_index(5, 30, 50, 50, 0, 11, 2, "good", v_origin_cm=100).fm`` is 0.23, the V >= 75 column.
    Out-of-range inputs raise :class:`~posture.errors.OptionError` (see the module docstring).
    """
    load_kg = _check("the load", load_kg, "kg")
    v_origin = v_cm if v_origin_cm is None else v_origin_cm
    hm, vm, dm = horizontal_multiplier(h_cm), vertical_multiplier(v_cm), distance_multiplier(d_cm)
    am = asymmetric_multiplier(a_deg)
    fm = frequency_multiplier(lifts_per_min, duration_h, v_origin)
    cm = coupling_multiplier(coupling, v_cm)
    rwl = LOAD_CONSTANT_KG * hm * vm * dm * am * fm * cm
    li = load_kg / rwl if rwl > 0 else float("inf")
    return NioshResult(h_cm=float(h_cm), v_cm=float(v_cm), d_cm=float(d_cm), a_deg=float(a_deg),
                       frequency_per_min=float(lifts_per_min), duration_h=float(duration_h), coupling=coupling,
                       hm=hm, vm=vm, dm=dm, am=am, fm=fm, cm=cm, rwl_kg=rwl, load_kg=load_kg, lifting_index=li,
                       v_origin_cm=float(v_origin))


def li_category(li: float) -> str:
    """Applications Manual: LI <= 1 nominal risk; 1 < LI <= 3 increased risk; LI > 3 high risk."""
    if not np.isfinite(li):
        return "high"
    if li <= 1.0:
        return "nominal"
    return "increased" if li <= 3.0 else "high"
