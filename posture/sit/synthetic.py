"""Seated poses with known angles, for tests and demos (built on :func:`posture.synthetic.pose_from_angles`).

Angles are given in the sitting measures' own conventions (see
:mod:`posture.sit.checks`), so a test can assert that what goes in comes out:

- ``trunk_deg``: trunk from vertical, positive forward (negative reclined).
- ``forward_head_deg``: shoulder-to-ear line from vertical, positive ear ahead.
- ``head_pitch_deg``: positive looking down.
- ``thigh_deg``: thigh from horizontal, positive with the hip higher than the knee.
- ``shin_deg``: shin from vertical, positive with the ankle ahead of the knee.
- ``foot_pitch_deg``: positive toes up.
- ``yaw_deg``: the body turned this far about the vertical axis from a side view
  (a three-quarter view at 30-55 deg); the world landmarks turn with it.
- ``roll_deg``: the camera's roll: the whole image is rotated by this angle about
  the image centre (:func:`posture.sit.checks.rotate_points_px` with ``-roll_deg``),
  so a correct roll estimate from vertical shins is ``+roll_deg`` in shin-tilt terms.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from posture import landmarks as L
from posture.sequence import PoseSequence
from posture.sit.checks import rotate_points_px
from posture.synthetic import make_sequence, pose_from_angles


def seated_landmarks(n: int = 1, *, trunk_deg: float | np.ndarray = 0.0, forward_head_deg: float | np.ndarray = 5.0,
                     head_pitch_deg: float | np.ndarray = 10.0, thigh_deg: float | np.ndarray = 0.0,
                     shin_deg: float | np.ndarray = 0.0, foot_pitch_deg: float | np.ndarray = 0.0,
                     facing: float = 1.0, roll_deg: float = 0.0, width: int = 1280, height: int = 720,
                     pelvis_xy_px: tuple[float, float] = (600.0, 420.0), px_per_m: float = 250.0,
                     view: str = "side", yaw_deg: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xy_px (n,33,2), world_m (n,33,3), depth_px (n,33)) of a person sitting with these angles."""
    hip = 90.0 - np.asarray(thigh_deg, float)  # pose_from_angles: thigh from vertical, knee forward
    knee = hip - np.asarray(shin_deg, float)  # pose_from_angles: shank at (hip - knee) from vertical, forward positive
    trunk = np.asarray(trunk_deg, float)
    xy, world, depth = pose_from_angles(
        n, pelvis_xy_px=pelvis_xy_px, px_per_m=px_per_m, facing=facing, view=view,
        trunk_deg=trunk, neck_deg=forward_head_deg, head_pitch_deg=head_pitch_deg,
        hip_deg=(hip, hip), knee_deg=(knee, knee), foot_pitch_deg=(foot_pitch_deg, foot_pitch_deg),
        shoulder_deg=(20.0 + trunk, 20.0 + trunk), elbow_deg=(70.0, 70.0),
    )
    if yaw_deg:
        # turn the body about the vertical axis (a three-quarter view), then look at it again (orthographic camera)
        a = np.radians(yaw_deg)
        c, s_ = np.cos(a), np.sin(a)
        w = np.array(world)
        world = w.copy()
        world[..., 0] = c * w[..., 0] + s_ * w[..., 2]
        world[..., 2] = -s_ * w[..., 0] + c * w[..., 2]
        xy = np.asarray(pelvis_xy_px, float) + world[..., :2] * px_per_m
        depth = world[..., 2] * px_per_m
    if roll_deg:
        xy = rotate_points_px(xy, -roll_deg, (width / 2.0, height / 2.0))
    return xy, world, depth


def seated_sequence(n: int = 1, *, fps: float = 30.0, width: int = 1280, height: int = 720,
                    visibility: float | np.ndarray = 0.99, hide: Sequence[int] = (), is_image: bool | None = None,
                    **angles) -> PoseSequence:
    """A :class:`PoseSequence` of a seated person (see :func:`seated_landmarks`); ``hide`` landmarks get visibility 0.05.

    With ``n == 1`` (or ``is_image=True``) it is marked as a photo, as a decoded image would be.
    """
    xy, world, depth = seated_landmarks(n, width=width, height=height, **angles)
    vis = np.array(np.broadcast_to(np.asarray(visibility, float), (n, L.N_LANDMARKS)))
    for i in hide:
        vis[:, i] = 0.05
    seq = make_sequence(xy, world, fps=fps, width=width, height=height, visibility=vis, depth_px=depth, name="seated")
    if is_image if is_image is not None else n == 1:
        import dataclasses

        seq = seq.replace(video=dataclasses.replace(seq.video, is_image=True, fps=0.0))
    return seq


def posture_angles(name: str) -> dict[str, float]:
    """Typical angles of each class, for streams and demos (our choice, well inside each class's limits)."""
    table = {
        "upright": dict(trunk_deg=-5.0, forward_head_deg=8.0, head_pitch_deg=10.0, thigh_deg=5.0),
        "slouched": dict(trunk_deg=35.0, forward_head_deg=35.0, head_pitch_deg=40.0, thigh_deg=5.0),
        "reclined": dict(trunk_deg=-35.0, forward_head_deg=-5.0, head_pitch_deg=5.0, thigh_deg=5.0),
        "perched": dict(trunk_deg=0.0, forward_head_deg=8.0, head_pitch_deg=10.0, thigh_deg=38.0),
        "standing": dict(trunk_deg=0.0, forward_head_deg=5.0, head_pitch_deg=5.0, thigh_deg=88.0, shin_deg=0.0),
    }
    try:
        return dict(table[name])
    except KeyError:
        raise ValueError(f"unknown posture {name!r}; expected one of {', '.join(table)}") from None


def seated_stream(plan: Sequence[tuple[str | None, float]], fps: float = 2.0, width: int = 1280, height: int = 720,
                  t0_s: float = 0.0) -> list[tuple[float, np.ndarray | None, np.ndarray | None]]:
    """A long webcam-like stream, cheaply: ``plan`` is [(posture name or None for nobody, duration_s), ...].

    Returns [(timestamp_s, xy_px (33,2) or None, world_m (33,3) or None)] at ``fps``; build frames with
    :class:`posture.sequence.PoseFrame`. Timestamps are fake (no sleeping), so hours of stream take milliseconds.
    """
    out: list[tuple[float, np.ndarray | None, np.ndarray | None]] = []
    t = t0_s
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, duration_s in plan:
        k = int(round(duration_s * fps))
        if name is not None and name not in cache:
            xy, world, _ = seated_landmarks(1, width=width, height=height, **posture_angles(name))
            cache[name] = (xy[0], world[0])
        for _ in range(k):
            if name is None:
                out.append((t, None, None))
            else:
                out.append((t, *cache[name]))
            t += 1.0 / fps
    return out


def desk_session(fps: float = 10.0) -> PoseSequence:
    """A 20 s side-view clip with known answers: 8 s upright, 6 s slouched (trunk 35 deg), 6 s reclined (-35 deg)."""
    parts = [("upright", 8.0), ("slouched", 6.0), ("reclined", 6.0)]
    cols: dict[str, list[np.ndarray]] = {}
    for name, dur in parts:
        k = int(round(dur * fps))
        for key, value in posture_angles(name).items():
            cols.setdefault(key, []).append(np.full(k, value))
    angles = {k: np.concatenate(v) for k, v in cols.items()}
    n = len(angles["trunk_deg"])
    return seated_sequence(n, fps=fps, **angles)


def sample_report_subset(report_dict: dict) -> dict:
    """The version-independent part of a sitting report, as stored in the golden sample."""
    keep = ("id", "severity", "value", "unit", "threshold", "time_ranges_s")
    return {
        "view": report_dict["view"],
        "sitting": report_dict["sitting"],
        "metrics": report_dict["metrics"],
        "findings": [{k: f[k] for k in keep} for f in report_dict["findings"]],
    }


def make_samples(out_dir) -> list:
    """Write samples/sit/: a synthetic desk session (.npz) with its golden report subset, an upright photo (.csv)
    and a side-view baseline (.json). Regenerate with ``python -m posture.sit samples samples/sit``."""
    import json
    from pathlib import Path

    from posture.files import save
    from posture.sit.analysis import analyze_sit
    from posture.sit.baseline import record_baseline, save_baseline

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    session = desk_session()
    written = [save(session, out / "desk_session_synthetic.npz")]
    golden = sample_report_subset(analyze_sit(session).to_dict())
    p = out / "desk_session_synthetic.golden.json"
    p.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    written.append(p)
    written.append(save(seated_sequence(1, **posture_angles("upright")), out / "upright_photo_synthetic.csv"))
    good = seated_sequence(30, fps=10.0, **posture_angles("upright"))
    written.append(save_baseline(record_baseline(good), out / "baseline_side_synthetic.json"))
    return written
