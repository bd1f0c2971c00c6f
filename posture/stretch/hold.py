"""Hold timer and repetition counter, fed one frame at a time (live and offline alike).

Each frame says whether the person is in the stretch (``in_pose``), on which
side, and whether their form is good (``in_form``; ``None`` = cannot judge).
A repetition starts when the pose is entered and ends when the person has been
out of it for longer than ``max_dropout_s`` (short dropouts, e.g. a missed
detection or a hand passing in front, do not end it) or has switched to the
other side for as long. Only time in good form counts towards the hold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HoldParams:
    hold_s: float = 30.0  # guidance given to the project (issue 5): hold each stretch 30 s
    reps_per_side: int = 4  # guidance: 4 repetitions per leg
    max_dropout_s: float = 1.0  # issue 5: dropouts shorter than about 1 s are tolerated
    min_hold_s: float = 3.0  # our choice: shorter visits are passing through the pose, not a hold
    max_frame_gap_s: float = 0.5  # our choice: never credit more than this per frame (frame drops)


@dataclass
class Hold:
    """One repetition: when, which side, how long in the pose and in good form, the most common fault."""

    side: str
    start_s: float
    end_s: float
    in_form_s: float = 0.0
    out_of_form_s: float = 0.0
    completed: bool = False
    main_fault: str | None = None
    faults: dict[str, float] = field(default_factory=dict)  # seconds out of form per failing angle

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side, "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3), "in_form_s": round(self.in_form_s, 3),
            "completed": self.completed, "main_fault": self.main_fault,
            "faults_s": {k: round(v, 3) for k, v in self.faults.items()},
        }


class HoldTracker:
    """State machine over frames; :meth:`update` returns the events of that frame.

    Events: ``"hold_started"``, ``"hold_target_reached"`` (in-form time just
    reached ``hold_s``), ``"hold_ended"``, ``"rep_completed"`` (a hold that reached
    the target ended), ``"hold_discarded"`` (shorter than ``min_hold_s``).
    Not thread-safe by itself: the coach guards it with its lock.
    """

    def __init__(self, params: HoldParams = HoldParams()) -> None:
        self.params = params
        self.holds: list[Hold] = []
        self.current: Hold | None = None
        self._last_in_pose_t: float | None = None
        self._prev_t: float | None = None
        self._fault_time: Counter[str] = Counter()

    # ---------------------------------------------------------------- queries
    @property
    def reps_per_side(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for h in self.holds:
            out[h.side] = out.get(h.side, 0) + int(h.completed)
        return out

    def current_in_form_s(self) -> float:
        return self.current.in_form_s if self.current is not None else 0.0

    # ---------------------------------------------------------------- updates
    def update(self, t: float, in_pose: bool | None, side: str | None, in_form: bool | None,
               faults: tuple[str, ...] = ()) -> list[str]:
        p = self.params
        events: list[str] = []
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), p.max_frame_gap_s)
        self._prev_t = t
        side = side or "both"
        posing = bool(in_pose)
        cur = self.current
        if cur is not None and posing and side != cur.side:
            # the other side: treat as out of pose for this rep until the dropout allowance runs out
            if t - self._last_seen(t) > p.max_dropout_s:
                events += self._end(self._last_seen(t))
                cur = None
            else:
                return events
        if cur is None:
            if posing:
                self.current = Hold(side=side, start_s=t, end_s=t)
                self._last_in_pose_t = t
                self._fault_time = Counter()
                events.append("hold_started")
            return events
        if posing:
            self._last_in_pose_t = t
            cur.end_s = t
            if in_form:
                before = cur.in_form_s
                cur.in_form_s += dt
                if before < p.hold_s <= cur.in_form_s:
                    events.append("hold_target_reached")
            elif in_form is False:
                cur.out_of_form_s += dt
                for f in faults:
                    self._fault_time[f] += dt
        elif t - self._last_seen(t) > p.max_dropout_s:
            events += self._end(self._last_seen(t))
        return events

    def _last_seen(self, t: float) -> float:
        return t if self._last_in_pose_t is None else self._last_in_pose_t

    def finish(self) -> list[str]:
        """Close an open repetition (end of video or session)."""
        if self.current is None:
            return []
        return self._end(self.current.end_s)

    def _end(self, end_t: float) -> list[str]:
        cur = self.current
        self.current = None
        if cur is None:
            return []
        cur.end_s = end_t
        if cur.duration_s < self.params.min_hold_s:
            return ["hold_discarded"]
        cur.completed = cur.in_form_s >= self.params.hold_s - 1e-9
        cur.faults = dict(self._fault_time.most_common())
        cur.main_fault = self._fault_time.most_common(1)[0][0] if self._fault_time else None
        self.holds.append(cur)
        return ["hold_ended"] + (["rep_completed"] if cur.completed else [])
