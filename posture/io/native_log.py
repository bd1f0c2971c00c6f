"""Silence the native (C++) side's start-up chatter on file descriptor 2 (absl/TFLite logs)."""

from __future__ import annotations

import os
import sys
import threading

ENV_NATIVE_LOGS = "POSTURE_NATIVE_LOGS"


class NativeStderrSilenced:
    """Context manager: file descriptor 2 goes to /dev/null while MediaPipe starts up.

    Process-wide and reference-counted: several landmarkers starting at once on
    different threads share one redirection, so the real stderr is always the one
    restored. Python exceptions are unaffected; set POSTURE_NATIVE_LOGS=1 to see the logs.
    """

    _lock = threading.Lock()
    _depth = 0
    _saved: int | None = None

    def __enter__(self) -> None:
        if os.environ.get(ENV_NATIVE_LOGS):
            return
        cls = type(self)
        with cls._lock:
            cls._depth += 1
            if cls._depth > 1:
                return
            try:
                sys.stderr.flush()
                cls._saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            except OSError:
                cls._saved = None

    def __exit__(self, *exc: object) -> None:
        if os.environ.get(ENV_NATIVE_LOGS):
            return
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0 and cls._saved is not None:
                os.dup2(cls._saved, 2)
                os.close(cls._saved)
                cls._saved = None
