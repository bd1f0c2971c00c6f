"""The interface of live (streaming) analysers, fed one frame at a time.

A live analyser is a class whose constructor only stores parameters and whose
``update(frame)`` takes a :class:`~posture.sequence.PoseFrame` (or ``None``
when nobody is in view) and returns a :class:`LiveStatus`. It keeps only a
bounded buffer, guards its state with a lock (the webcam callback runs on a
worker thread while the page reads the status), and runs the same way offline:
:func:`run_offline` feeds it a whole :class:`~posture.sequence.PoseSequence`.

For someone on the floor, :func:`hold_countdown_s` gives the seconds left in a hold (drawn big on the
video) and :class:`CueSpeaker` decides which cue to speak aloud, at most one every few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from posture.sequence import PoseFrame, PoseSequence


@dataclass(frozen=True)
class LiveStatus:
    """What the live view shows after a frame."""

    task: str
    headline: str  # the one line shown big, e.g. "Piriformis stretch (left): 12 / 30 s"
    cue: str | None = None  # the one instruction that matters most right now, or None
    in_form: bool | None = None  # None: cannot judge (say why in ``cue``)
    values: dict[str, Any] = field(default_factory=dict)  # numbers for the side panel
    events: tuple[str, ...] = ()  # things that just happened, e.g. ("rep_completed",)
    timestamp_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "headline": self.headline, "cue": self.cue, "in_form": self.in_form,
                "values": dict(self.values), "events": list(self.events), "timestamp_s": self.timestamp_s}


class LiveAnalyser(Protocol):
    def update(self, frame: PoseFrame | None, timestamp_s: float | None = None) -> LiveStatus: ...

    def summary(self) -> dict[str, Any]: ...


def frames_of(seq: PoseSequence) -> Iterable[tuple[float, PoseFrame | None]]:
    for i in range(seq.n_frames):
        yield float(seq.timestamps_s[i]), seq.frame(i)


def run_offline(analyser: LiveAnalyser, seq: PoseSequence) -> list[LiveStatus]:
    """Feed a whole sequence through a live analyser, frame by frame, as the webcam would."""
    return [analyser.update(frame, t) for t, frame in frames_of(seq)]


# ----------------------------------------------------------------------------- for people on the floor
def hold_countdown_s(values: dict[str, Any] | None) -> float | None:
    """Seconds left in the current hold from a status's values (``hold_in_form_s``, ``hold_target_s``), else None."""
    if not values:
        return None
    held, target = values.get("hold_in_form_s"), values.get("hold_target_s")
    if not isinstance(held, (int, float)) or not isinstance(target, (int, float)) or target <= 0:
        return None
    if values.get("in_pose") is False:
        return None
    return max(0.0, float(target) - float(held))


@dataclass(frozen=True)
class SpeechParams:
    """When the coach speaks. Our choices: one cue every few seconds at most, so speech never piles up."""

    min_gap_s: float = 4.0  # never two utterances closer than this
    repeat_after_s: float = 15.0  # the same sentence again only after this long
    countdown_marks_s: tuple[float, ...] = (10.0, 5.0)  # "10 seconds left", "5 seconds left" during a hold


class CueSpeaker:
    """Decides what to say aloud, given the live status the page sees (at about 1 Hz).

    Priority: a finished hold, then the form cue (when out of form or not judged), then the hold
    countdown. Rate-limited by :class:`SpeechParams`. Plain state, used by the page thread only.
    """

    def __init__(self, params: SpeechParams = SpeechParams()):
        self.params = params
        self._last_t = float("-inf")
        self._said: dict[str, float] = {}
        self._marks_done: set[float] = set()
        self._last_left: float | None = None

    def next(self, status: dict[str, Any] | None, now_s: float, new_events: tuple[str, ...] = ()) -> str | None:
        """The sentence to speak now, or None. ``new_events``: events since the last call (a hold reached
        its target between two looks of the page, for instance)."""
        if not status:
            return None
        values = status.get("values") or {}
        left = hold_countdown_s(values)
        if left is not None and self._last_left is not None and left > self._last_left + 1.0:
            self._marks_done.clear()  # a new hold started: count down again
        self._last_left = left
        candidates: list[tuple[str, float | None]] = []
        if "hold_target_reached" in tuple(status.get("events") or ()) + tuple(new_events):
            candidates.append(("Well done, that's the hold. Relax.", None))
        cue = status.get("cue")
        if cue and status.get("in_form") is not True:
            candidates.append((cue, None))
        if left is not None and left > 0.5 and status.get("in_form") is True:
            mark = next((m for m in sorted(self.params.countdown_marks_s) if left <= m and m not in self._marks_done),
                        None)
            if mark is not None:
                candidates.append((f"{mark:.0f} seconds left.", mark))
        if now_s - self._last_t < self.params.min_gap_s:
            return None
        for text, mark in candidates:
            if now_s - self._said.get(text, float("-inf")) >= self.params.repeat_after_s:
                self._said[text] = now_s
                self._last_t = now_s
                if mark is not None:
                    self._marks_done.update(m for m in self.params.countdown_marks_s if m >= mark)
                return text
        return None
