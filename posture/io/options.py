"""Extraction settings: landmarker options, tracking thresholds, and how inference is scheduled."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractOptions:
    """Landmarker and tracking settings. Defaults are MediaPipe's unless noted."""

    num_poses: int = 2  # our choice: follow one subject while noticing a second person
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    output_masks: bool = False
    mask_max_side: int = 256  # our choice: enough for a back outline, ~60 kB a frame
    # decoded frames waiting for inference; bounds memory. Our choice: 2 measured as fast as 6 and
    # 50 MB lighter at 1080p (treadmill_walk_styles.mp4: 566 vs 616 MB peak, 7.4 s either way)
    queue_frames: int = 2
    duplicate_iou: float = 0.5  # our choice: two detections this overlapping are one person
    max_link_distance: float = 0.6  # our choice: centre jump per frame, in body sizes
    max_gap_s: float = 1.0  # our choice: a track lost longer than this ends
    # Landmarker instances run in parallel on alternate frames. Our choice: one instance keeps
    # one core busy, and the machines we target have 2 cores. 1 gives the plain sequential loop.
    inference_workers: int = 2
    # Adaptive people count (see posture.io.extract): the landmarkers track one pose, so MediaPipe
    # skips its person detector (about 10 ms of a 28 ms frame at 960x540, measured) while someone
    # is tracked, and a separate check looks for other people every ``people_check_s``; from the
    # first check that sees two people on, the landmarkers track ``num_poses`` as above.
    # Off by default (on with ``--fast``): the fixed count takes every frame's pose from the detector's box, so
    # its landmarks do not depend on how frames are split between landmarkers or on the frame rate; tracking
    # one pose moves them by 1.1% of body size (median; 5.7% p90 at the feet, watcharapol_gait_normal_01) and
    # by 0.6% between one and two landmarkers. On the labelled walks heel-first landings agree 0.99 (fixed)
    # vs 0.91 (adaptive); see the README's --fast paragraph (issue 15, 2026-11-29).
    adaptive_poses: bool = False
    people_check_s: float = 1.0  # our choice: a newcomer is noticed within a second; ~5% CPU
    # The check looks harder than the trackers (a person it half-sees only makes the clip run again
    # with num_poses: time, never landmarks). Our choice: at 0.3 it sees the man sitting in the back
    # of upfall_sitting_cam2.mp4 in 8 of 44 checks (0 at 0.5), with no false second person in 6
    # one-person clips (watcharapol, yuyoujiang, kth, malikmrllh, treadmill_walk_styles, jurisimo).
    people_check_confidence: float = 0.3

    def cache_fields(self) -> dict[str, object]:
        """Settings that change what extraction produces (the cache key); excludes pure plumbing."""
        d = dataclasses.asdict(self)
        d.pop("queue_frames")
        if not self.adaptive_poses:
            # the fixed-count extraction's key stays what it was before these fields existed
            for name in ("adaptive_poses", "people_check_s", "people_check_confidence"):
                d.pop(name)
        return d

    def landmarker_options(self) -> dict[str, object]:
        return {
            "num_poses": self.num_poses,
            "min_pose_detection_confidence": self.min_pose_detection_confidence,
            "min_pose_presence_confidence": self.min_pose_presence_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "output_segmentation_masks": self.output_masks,
        }
