"""Live stretch coach: recognise the stretch and side, check form, time holds, count reps, say what to change.

Implements the live protocol of :mod:`posture.live`: the constructor only
stores parameters; :meth:`StretchCoach.update` takes one
:class:`~posture.sequence.PoseFrame` (or None) and returns a
:class:`~posture.live.LiveStatus`. All state sits behind one lock because the
webcam callback (worker thread) calls ``update`` while the page thread reads
``summary``. The offline report runs the very same object over a file
(:func:`posture.live.run_offline`), so live and offline agree.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from posture.checks import grade_value
from posture.live import LiveStatus
from posture.sequence import PoseFrame
from posture.stretch.angles import AngleParams, measures_of_frame, resolve_side
from posture.stretch.form import DEFAULT_FORM, FormParams, FormTracker, check_form
from posture.stretch.hold import HoldParams, HoldTracker
from posture.stretch.recognise import (
    DEFAULT_RECOGNISE,
    Match,
    RecogniseParams,
    recognise_values,
    recognition_view,
    view_width_ratio,
    window_stats_2d,
)
from posture.stretch.reference import Reference, load_all, load_reference, pose_phrase
from posture.stretch.specs import STRETCH_SPECS, for_reference
from posture.view import frame_view


@dataclass(frozen=True)
class CoachParams:
    recognise: RecogniseParams = DEFAULT_RECOGNISE
    form: FormParams = DEFAULT_FORM
    angles: AngleParams = AngleParams()
    # our choice: when the user has picked the stretch, keep judging (and cueing) further from the target
    fixed_key_tolerance_factor: float = 2.0
    max_dropout_s: float = HoldParams.max_dropout_s
    min_hold_s: float = HoldParams.min_hold_s
    max_buffer_frames: int = 300  # bound on the recognition window buffer (10 s at 30 fps)
    still_image: bool = False  # a single photo: judge the one frame, no stillness window


DEFAULT_COACH = CoachParams()


@dataclass
class _State:
    refs: dict[str, Reference]
    buffer: deque = field(default_factory=deque)  # (t, values, width_ratio, view name)
    holds: dict[str, HoldTracker] = field(default_factory=dict)
    forms: dict[str, FormTracker] = field(default_factory=dict)
    last_t: float | None = None
    frames: int = 0
    pose_time_s: dict[tuple[str, str | None], float] = field(default_factory=dict)
    pose_score_sum: dict[tuple[str, str | None], float] = field(default_factory=dict)
    last_match: Match | None = None


class StretchCoach:
    """Live stretch coach (see module docstring).

    ``stretch``: a reference id to check against (None: recognise it);
    ``affected_side``: "left"/"right" (None: recognise it); ``reference``: a
    :class:`Reference`, dict or path (a custom pose, e.g. from :mod:`posture.stretch.build`).
    """

    task = "stretch"

    def __init__(self, stretch: str | None = None, affected_side: str | None = None, reference=None,
                 params: CoachParams = DEFAULT_COACH) -> None:
        self.stretch = stretch
        self.affected_side = affected_side
        self.reference = reference
        self.params = params
        self._lock = threading.Lock()  # webcam worker thread calls update(); the page thread reads summary()
        self._state: _State | None = None

    # ------------------------------------------------------------------ setup
    def _init(self) -> _State:
        if self.affected_side not in (None, "left", "right"):
            raise ValueError(f"affected_side must be 'left', 'right' or None, got {self.affected_side!r}")
        if self.reference is not None:
            ref = load_reference(self.reference)
            refs = {ref.id: ref}
        elif self.stretch is not None:
            ref = load_reference(self.stretch)
            refs = {ref.id: ref}
        else:
            refs = load_all()
        st = _State(refs=refs)
        for rid, ref in refs.items():
            st.holds[rid] = HoldTracker(HoldParams(hold_s=ref.hold_s, reps_per_side=ref.reps_per_side,
                                                   max_dropout_s=self.params.max_dropout_s, min_hold_s=self.params.min_hold_s))
            st.forms[rid] = FormTracker(self.params.form)
        return st

    @property
    def fixed(self) -> bool:
        return self.reference is not None or self.stretch is not None

    def _recognise(self, st: _State, values: dict[str, float], width_ratio: float, spread: dict[str, float],
                   view_name: str | None = None) -> Match:
        p = self.params.recognise
        if self.fixed:
            p = replace(p, key_tolerance_factor=self.params.fixed_key_tolerance_factor, min_score=1e-6)
        refs = st.refs
        m = recognise_values(values, width_ratio, refs, p, spread, view_name=view_name)
        if self.affected_side is not None:
            cands = [c for c in m.candidates if c[1] in (None, self.affected_side)]
            if cands and cands[0][2] >= p.min_score:
                return Match(cands[0][0], cands[0][1], cands[0][2], tuple(cands))
            return Match(None, None, 0.0, tuple(cands))
        return m

    def _nearest_fault(self, ref: Reference, values: dict[str, float]) -> str | None:
        """Cue of the worst key measure, for the side that is closest to the pose (None if nothing measurable)."""
        best = None
        sides = (self.affected_side,) if self.affected_side else (("left", "right") if ref.sided else (None,))
        for side in sides:
            res = check_form(values, ref, side)
            if not res.judgeable:
                continue
            keys = [c for c in res.checks if c.within is False and ref.angle(c.name).key]
            cost = sum(abs(c.deviation) / c.tolerance for c in keys)
            if keys and (best is None or cost < best[0]):
                worst = max(keys, key=lambda c: abs(c.deviation) / c.tolerance)
                best = (cost, worst.cue)
        return None if best is None else best[1]

    # ----------------------------------------------------------------- update
    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus:
        with self._lock:
            if self._state is None:
                self._state = self._init()
            return self._update(self._state, frame, timestamp_s)

    def _update(self, st: _State, frame: PoseFrame | None, timestamp_s: float | None) -> LiveStatus:
        if timestamp_s is None:
            timestamp_s = frame.timestamp_s if frame is not None else (st.last_t or 0.0) + 1 / 30
        t = float(timestamp_s)
        dt = 0.0 if st.last_t is None else min(max(t - st.last_t, 0.0), 0.5)
        st.last_t = t
        st.frames += 1
        window_s = self.params.recognise.window_s
        while st.buffer and (t - st.buffer[0][0] > window_s or len(st.buffer) >= self.params.max_buffer_frames):
            st.buffer.popleft()
        if frame is None:
            for tracker in st.holds.values():
                tracker.update(t, None, None, None)
            return LiveStatus(self.task, "No one in view", cue="Step into the camera's view.", in_form=None,
                              values={"in_pose": False}, timestamp_s=t)
        values = measures_of_frame(frame, self.params.angles)
        ratio = float(view_width_ratio(frame.xy_px[None])[0])
        names = sorted(values)
        st.buffer.append((t, np.array([values[k] for k in names]), ratio, frame_view(frame)))
        win = np.stack([b[1] for b in st.buffer])
        p50, p90_10 = window_stats_2d(win)
        med = dict(zip(names, p50.tolist(), strict=True))
        spread = dict(zip(names, p90_10.tolist(), strict=True))
        span = st.buffer[-1][0] - st.buffer[0][0]
        if not self.params.still_image and span < self.params.recognise.min_span_s - 1e-9:
            spread = {k: float("inf") for k in spread}  # too early to tell a held pose from movement
        med_ratio = _nanmedian([b[2] for b in st.buffer])
        seen = Counter(b[3] for b in st.buffer if b[3] != "unknown")
        view_name = seen.most_common(1)[0][0] if seen else "unknown"  # the window's view (posture.view, per frame)
        match = self._recognise(st, med, med_ratio, spread, view_name)
        st.last_match = match
        view = str(recognition_view(view_name)[0])

        events: list[str] = []
        in_form = None
        form = None
        for rid, tracker in st.holds.items():
            in_pose = match.id == rid
            faults: tuple[str, ...] = ()
            flag = None
            if in_pose:
                ref = st.refs[rid]
                flag, form = st.forms[rid].update(values, ref, match.side, view if view != "unknown" else "side")
                faults = form.failing
                in_form = flag
                key = (rid, match.side)
                st.pose_time_s[key] = st.pose_time_s.get(key, 0.0) + dt
                st.pose_score_sum[key] = st.pose_score_sum.get(key, 0.0) + match.score * dt
            else:
                st.forms[rid].reset()
            events += tracker.update(t, in_pose, match.side, flag, faults)

        values_out: dict[str, Any] = {"stretch": match.id, "side": match.side, "score": round(match.score, 3),
                                      "in_pose": match.id is not None, "view": view}
        if match.id is None:
            if self.fixed and len(st.refs) == 1:
                ref = next(iter(st.refs.values()))
                headline = f"Get into {pose_phrase(ref.name)}"
                cue = ref.instructions[0] if ref.instructions else ref.description
                if view == "front_or_back" and "side" in ref.views:
                    cue = ref.view_cue
                else:  # close but not there yet: say what to change most (the worst key measure)
                    near = self._nearest_fault(ref, values)
                    if near is not None:
                        cue = near
            elif match.setup is not None:  # in the set-up position: say the last step
                sref = st.refs[match.setup[0]]
                side_txt = f" ({match.setup[1]})" if match.setup[1] else ""
                headline = f"Getting into {pose_phrase(sref.name)}{side_txt}"
                cue = sref.setup_cue
                values_out["setup"] = match.setup[0]
                values_out["setup_side"] = match.setup[1]
            else:
                headline = "No stretch recognised"
                cue = "Turn side-on to the camera and get into your stretch." if view != "side" else None
            return LiveStatus(self.task, headline, cue=cue, in_form=None, values=values_out,
                              events=tuple(events), timestamp_s=t)

        ref = st.refs[match.id]
        tracker = st.holds[match.id]
        held = tracker.current_in_form_s()
        reps = tracker.reps_per_side
        side_key = match.side or "both"
        side_txt = f" ({match.side})" if match.side else ""
        headline = (f"{ref.name}{side_txt}: {held:.0f} / {ref.hold_s:.0f} s, "
                    f"rep {min(reps.get(side_key, 0) + 1, ref.reps_per_side)} of {ref.reps_per_side}")
        if "hold_target_reached" in events:
            cue = ("Well done, that's the hold. Relax, then repeat." if ref.reps_per_side > 1
                   else "Well done. Keep breathing slowly.")
        elif form is not None and not form.judgeable:
            cue = form.cue
        elif in_form is False:
            cue = form.cue if form is not None else None
        else:
            cue = None
        values_out.update({
            "in_form": in_form, "hold_in_form_s": round(held, 2), "hold_target_s": ref.hold_s,
            "reps_per_side": reps, "target_reps_per_side": ref.reps_per_side,
            "failing": list(form.failing) if form is not None else [],
            "deviations": {k: (None if v is None else round(v, 1)) for k, v in (form.deviations if form else {}).items()},
            "values": {a.name: _round(values.get(resolve_side(a.name, match.side))) for a in ref.angles},
            "reason": form.reason if form is not None else None,
            "grades": _live_grades(ref, tracker),
        })
        return LiveStatus(self.task, headline, cue=cue, in_form=in_form, values=values_out, events=tuple(events), timestamp_s=t)

    # ---------------------------------------------------------------- results
    def finish(self) -> list[str]:
        """Close any open hold (end of the video or the session)."""
        with self._lock:
            if self._state is None:
                return []
            events: list[str] = []
            for tracker in self._state.holds.values():
                events += tracker.finish()
            return events

    def summary(self) -> dict[str, Any]:
        """The stretch block: main stretch and side, mean score, every hold, reps per side (open hold included as is)."""
        with self._lock:
            st = self._state
            if st is None:
                return {"name": None, "side": None, "score": None, "holds": [], "reps_per_side": {}}
            if not st.pose_time_s:
                name = side = score = None
            else:
                by_id: dict[str, float] = {}
                for (rid, _), v in st.pose_time_s.items():
                    by_id[rid] = by_id.get(rid, 0.0) + v
                holds_time = {rid: sum(h.duration_s for h in tr.holds) for rid, tr in st.holds.items()}
                name = max(by_id, key=lambda r: (holds_time.get(r, 0.0), by_id[r]))
                sides = {s: v for (rid, s), v in st.pose_time_s.items() if rid == name}
                side = max(sides, key=sides.get)
                total = sum(sides.values())
                score = sum(v for (rid, _), v in st.pose_score_sum.items() if rid == name) / total if total > 0 else None
            if (score is None or name is None) and st.last_match is not None and st.last_match.id is not None:
                name, side, score = st.last_match.id, st.last_match.side, st.last_match.score  # a single photo
            holds = []
            for rid, tracker in st.holds.items():
                holds += [dict(h.to_dict(), stretch=rid) for h in tracker.holds]
            holds.sort(key=lambda h: h["start_s"])
            ref = st.refs.get(name) if name else None
            reps: dict[str, int] = {}
            if ref is not None:
                reps = {s: 0 for s in (("left", "right") if ref.sided else ("both",))}
                reps.update(st.holds[name].reps_per_side)
            return {
                "name": name, "side": side, "score": None if score is None else round(float(score), 3),
                "holds": holds, "reps_per_side": reps,
                "target_reps_per_side": ref.reps_per_side if ref else None,
                "hold_target_s": ref.hold_s if ref else None,
            }


def _live_grades(ref: Reference, tracker: HoldTracker) -> dict[str, str]:
    """The running hold graded with the report's own specs (posture.stretch.specs) via ``grade_value``: the share
    of this hold spent out of form, and (once the hold ends short) its in-form time against the target."""
    cur = tracker.current
    out: dict[str, str] = {}
    if cur is not None:
        judged = cur.in_form_s + cur.out_of_form_s
        if judged > 0:
            out["out_of_form"] = grade_value(STRETCH_SPECS["out_of_form"], 100.0 * cur.out_of_form_s / judged)
    if tracker.holds:
        out["hold_too_short"] = grade_value(for_reference("hold_too_short", ref), tracker.holds[-1].in_form_s)
    return out


def _nanmedian(xs: list[float]) -> float:
    a = np.asarray(xs, float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else float("nan")


def _round(v: float | None) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), 1)
