"""Lifting-form check: repetitions, per-repetition faults, REBA and the revised NIOSH lifting equation.

Entry point: :func:`posture.lift.analysis.analyze_lift`; live coaching:
:class:`posture.lift.live.LiftCoach`.
"""
