"""Evaluate the lifting analysis on every labelled lift against labels/lift.json.

Usage (from the repository root)::

    .venv/bin/python scripts/eval_lift.py [--real ../shared/datasets/real] [--json out.json] [--files a.mp4,b.jpg]

One row per labelled file (clips and photos): the label, repetitions found (and labelled), lift style,
each check's value and severity (value:ok, :N notice, :W warning, - not assessed), the flags against the label,
REBA worst/typical, and whether the lift was judged right:

- every label in ``expected_flags`` is flagged (notice or warning);
- nothing in ``expected_not_flags`` is flagged;
- a lift whose ``form`` is good or correct (the source's own word) gets no notice or warning at all.

A file with none of these (unlabelled, or "incorrect" without the fault named) is listed but not scored.
Landmarks come from the extraction cache (POSTURE_CACHE_DIR, default .pytest_cache/d/posture), with person
masks as the lift task extracts them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHORT = {"knees_not_bent": "knee", "back_bent_forward": "fwd", "back_rounded": "round", "hips_rise_first": "hips1st",
         "feet_too_narrow": "feet", "shoulders_not_over_feet": "shoulder", "heels_lift": "heel", "twisting": "twist",
         "leads_with_shoulders": "lead", "load_far_from_body": "load"}
SEV = {"ok": "ok", "notice": "N", "warning": "W", "not_assessed": "-"}


def is_good_form(label: dict) -> bool:
    form = str(label.get("form", "")).lower()
    return form.startswith("good") or form.startswith("correct")


def judge(label: dict, flagged: set[str]) -> tuple[str | None, list[str], list[str]]:
    """(``"right"``/``"wrong"``/None when unscored, missed flags, false flags)."""
    expected = set(label.get("expected_flags", []))
    not_expected = set(label.get("expected_not_flags", []))
    good = is_good_form(label)
    if not (expected or not_expected or good):
        return None, [], []
    missed = sorted(expected - flagged)
    false = sorted(flagged if good else flagged & not_expected)
    return ("right" if not missed and not false else "wrong"), missed, false


def evaluate_file(real: Path, name: str, label: dict) -> dict:
    from posture.analyses import AnalyzeOptions
    from posture.io.cache import cached_tracks
    from posture.io.extract import ExtractOptions
    from posture.lift.analysis import analyze_lift

    seq = cached_tracks(real / "lift" / name, ExtractOptions(output_masks=True)).select("largest")
    rep = analyze_lift(seq, AnalyzeOptions()).to_dict()
    findings = {f["id"]: f for f in rep["findings"]}
    flagged = {k for k, f in findings.items() if f["severity"] in ("notice", "warning")}
    verdict, missed, false = judge(label, flagged)
    reba = rep.get("reba") or {}
    worst = (reba.get("worst") or {}).get("score")
    typical = (reba.get("typical") or {}).get("score")
    reps = rep.get("repetitions") or []
    styles = sorted({r.get("style") for r in reps if r.get("style")})
    return {"file": name, "label": label.get("form", "?"), "reps_found": rep["metrics"].get("rep_count"),
            "reps_label": label.get("reps"), "style": rep["metrics"].get("lift_style"), "rep_styles": styles,
            "view": rep.get("view"), "checks": {k: {"severity": f["severity"], "value": f.get("value"),
                                                     "reason": f.get("reason")} for k, f in findings.items()},
            "flagged": sorted(flagged), "missed": missed, "false": false, "verdict": verdict,
            "reba_worst": worst, "reba_typical": typical}


def _cell(c: dict | None) -> str:
    if c is None:
        return "?"
    v = c.get("value")
    s = SEV.get(c["severity"], "?")
    if c["severity"] == "not_assessed" or v is None:
        return s
    return f"{v:.2g}:{s}" if abs(v) < 10 else f"{v:.0f}:{s}"


def print_table(rows: list[dict]) -> None:
    ids = list(SHORT)
    hdr = (f"{'file':34s} {'label':18s} {'reps':>5s} {'style':10s} "
           + " ".join(f"{SHORT[i]:>8s}" for i in ids) + f" {'REBA':>5s}  verdict / flags vs label")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        labelled = "?" if r["reps_label"] is None else r["reps_label"]
        reps = "photo" if r["reps_found"] is None else f"{r['reps_found']}/{labelled}"
        reba = f"{r['reba_worst'] or '-'}/{r['reba_typical'] or '-'}"
        cells = " ".join(f"{_cell(r['checks'].get(i)):>8s}" for i in ids)
        verdict = r["verdict"] or "unscored"
        extra = []
        if r["missed"]:
            extra.append("missed " + ",".join(r["missed"]))
        if r["false"]:
            extra.append("false " + ",".join(r["false"]))
        if not extra and r["flagged"]:
            extra.append("flags " + ",".join(r["flagged"]))
        print(f"{r['file'][:34]:34s} {str(r['label'])[:18]:18s} {reps:>5s} {str(r['style'])[:10]:10s} {cells} "
              f"{reba:>5s}  {verdict} {'; '.join(extra)}")
    scored = [r for r in rows if r["verdict"]]
    right = sum(r["verdict"] == "right" for r in scored)
    print(f"\n{right} of {len(scored)} scored lifts right ({100.0 * right / max(len(scored), 1):.0f}%); "
          f"{len(rows) - len(scored)} unscored. Cells: value:ok, :N notice, :W warning, - not assessed.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "datasets" / "real"))
    ap.add_argument("--json", help="also write the rows as JSON to this file")
    ap.add_argument("--files", help="comma-separated subset of the labelled files")
    args = ap.parse_args(argv)
    os.environ.setdefault("POSTURE_CACHE_DIR", str(REPO / ".pytest_cache" / "d" / "posture"))
    import logging

    logging.disable(logging.WARNING)
    real = Path(args.real)
    labels = json.loads((real / "labels" / "lift.json").read_text())
    names = [k for k in labels if not k.startswith("_")]
    if args.files:
        names = [n for n in names if n in args.files.split(",")]
    rows = [evaluate_file(real, n, labels[n]) for n in names]
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
