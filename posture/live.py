"""The interface of live (streaming) analysers, fed one frame at a time.

A live analyser is a class whose constructor only stores parameters and whose
``update(frame)`` takes a :class:`~posture.sequence.PoseFrame` (or ``None``
when nobody is in view) and returns a :class:`LiveStatus`. It keeps only a
bounded buffer, guards its state with a lock (the webcam callback runs on a
worker thread while the page reads the status), and runs the same way offline:
:func:`run_offline` feeds it a whole :class:`~posture.sequence.PoseSequence`.
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
