"""MediaPipe/BlazePose 33-landmark topology, without importing mediapipe.

Indices follow the BlazePose GHUM topology used by MediaPipe Pose
(https://ai.google.dev/edge/mediapipe/solutions/vision/pose_landmarker).
Sides are anatomical: LEFT_* is the person's left.
"""

from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
N_LANDMARKS = len(NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}

NOSE = 0
LEFT_EYE, RIGHT_EYE = 2, 5
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32

# Landmarks that belong to one side, paired with their mirror image. Used by
# left/right swap repair: swapping a sequence exchanges every pair at once.
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = (
    (1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16),
    (17, 18), (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30), (31, 32),
)
LEG_PAIRS: tuple[tuple[int, int], ...] = ((23, 24), (25, 26), (27, 28), (29, 30), (31, 32))



def _swap_permutation() -> tuple[int, ...]:
    perm = list(range(N_LANDMARKS))
    for a, b in LEFT_RIGHT_PAIRS:
        perm[a], perm[b] = b, a
    return tuple(perm)


# Index array that mirrors left and right: ``xy[:, SWAP_PERMUTATION]`` swaps sides.
SWAP_PERMUTATION: tuple[int, ...] = _swap_permutation()

# Skeleton edges for drawing (pairs of landmark indices).
CONNECTIONS: tuple[tuple[int, int], ...] = (
    (0, 2), (0, 5), (2, 7), (5, 8), (9, 10),
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 17), (15, 19), (15, 21), (17, 19), (16, 18), (16, 20), (16, 22), (18, 20),
    (11, 23), (12, 24), (23, 24),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
    (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
)


def side_indices(side: str) -> dict[str, int]:
    """Landmark indices of one body side, keyed by part name without the side prefix.

    ``side_indices("left")["knee"] == LEFT_KNEE``. Raises ValueError on any side
    other than "left" or "right".
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    prefix = side + "_"
    return {name[len(prefix):]: i for i, name in enumerate(NAMES) if name.startswith(prefix)}
