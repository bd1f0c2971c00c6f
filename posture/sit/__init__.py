"""Sitting posture: side-view checks, posture classes, a personal baseline and a live desk monitor.

- :mod:`posture.sit.params`   thresholds, each with its source.
- :mod:`posture.sit.checks`   pure per-frame measures (trunk, forward head, thigh, feet, camera roll).
- :mod:`posture.sit.classify` upright / slouched / reclined / perched with a confidence.
- :mod:`posture.sit.baseline` record a good posture, flag drift from it (JSON on disk).
- :mod:`posture.sit.monitor`  :class:`DeskMonitor`, the live (webcam) analyser.
- :mod:`posture.sit.analysis` ``analyze_sit(seq, options) -> Report``.
"""
