"""Adapters stay at the edges: importing the library pulls in no mediapipe, cv2, av or streamlit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import posture

REPO = Path(__file__).resolve().parent.parent


def _modules() -> list[str]:
    names = []
    for m in pkgutil.walk_packages(posture.__path__, "posture."):
        if m.name.startswith("posture.io") or m.name == "posture.__main__":
            continue
        names.append(m.name)
    return names


def test_library_modules_do_not_import_native_adapters_or_ui():
    code = (
        "import importlib, sys\n"
        f"for n in {_modules()!r}:\n"
        "    importlib.import_module(n)\n"
        "bad = sorted(m for m in ('mediapipe', 'cv2', 'av', 'streamlit', 'streamlit_webrtc') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"imported by posture outside posture.io: {r.stdout.strip()}"


def test_no_streamlit_anywhere_in_the_library():
    offenders = [
        str(p.relative_to(REPO)) for p in (REPO / "posture").rglob("*.py")
        if any(line.lstrip().startswith(("import streamlit", "from streamlit")) for line in p.read_text().splitlines())
    ]
    assert offenders == []


def test_import_has_no_side_effects(tmp_path):
    code = "import logging, posture; print(len(logging.getLogger().handlers))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.stdout.strip() == "0"
