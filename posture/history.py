"""The user's history of analyses in a local SQLite database, so they can see progress.

- Path: the ``path`` argument, else ``$POSTURE_HISTORY``, else ``history.sqlite3``
  in the user's data folder (platformdirs, e.g. ``~/.local/share/posture``).
- Schema versioned in ``PRAGMA user_version``; an older schema is migrated,
  a newer one is refused (never rewritten).
- Every write is one transaction: an entry is stored whole or not at all.
- A corrupt, locked or unwritable database raises :class:`HistoryError` with a
  plain message; the file is left as it was (nothing else is lost), and the
  app keeps working without history.
Stored per entry: date (UTC), task, source file name (not the video), view,
flat metrics, findings (id, severity, value, unit) and the full JSON report.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from posture.errors import PostureError
from posture.export import flat_metrics
from posture.report import Report

SCHEMA_VERSION = 1
ENV_HISTORY = "POSTURE_HISTORY"
BUSY_TIMEOUT_S = 2.0  # our choice: wait this long for another writer before saying "locked"

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS analyses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_utc TEXT NOT NULL,
    task TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    view TEXT NOT NULL DEFAULT 'unknown',
    metrics_json TEXT NOT NULL DEFAULT '{}',
    findings_json TEXT NOT NULL DEFAULT '[]',
    report_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS analyses_task_time ON analyses (task, created_utc);
"""


class HistoryError(PostureError):
    """The history database cannot be used; the message says why and what to do."""


def default_history_path() -> Path:
    env = os.environ.get(ENV_HISTORY)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("posture", appauthor=False)) / "history.sqlite3"


@dataclass(frozen=True)
class Entry:
    id: int
    created_utc: str
    task: str
    source_name: str
    view: str
    metrics: dict[str, Any]
    findings: list[dict[str, Any]]

    @property
    def flagged(self) -> list[str]:
        return [f["id"] for f in self.findings if f.get("severity") in ("notice", "warning")]


class History:
    """A handle on one history database. Cheap to create; opens a connection per call (thread-safe)."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path else default_history_path()

    # ------------------------------------------------------------------ plumbing
    def _explain(self, e: Exception) -> HistoryError:
        msg = str(e).lower()
        if "locked" in msg or "busy" in msg:
            why = "it is locked by another program (another posture window?). Try again in a moment"
        elif "not a database" in msg or "malformed" in msg or "corrupt" in msg:
            why = ("the file is damaged. It was left untouched; rename or delete it to start a new history "
                   "(your analyses still work, they are just not saved)")
        elif "readonly" in msg or "read-only" in msg or "permission" in msg or "unable to open" in msg:
            why = "it cannot be written here. Choose another history file or check the folder's permissions"
        else:
            why = str(e)
        return HistoryError(f"history database {self.path}: {why}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as e:
            raise self._explain(e) from e
        try:
            self._ensure_schema(con)
            yield con
        except sqlite3.Error as e:
            raise self._explain(e) from e
        finally:
            con.close()

    def _ensure_schema(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history database {self.path} has schema version {version}, newer than this posture "
                f"understands ({SCHEMA_VERSION}); update posture or choose another history file"
            )
        if version < SCHEMA_VERSION:
            con.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA_V1.strip().split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ API
    def add(self, report: Report, source_name: str = "", when: datetime | None = None) -> int:
        """Store one analysis (one transaction); returns its id."""
        d = report.to_dict()
        created = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        findings = [{k: f.get(k) for k in ("id", "severity", "value", "unit")} for f in d["findings"]]
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT INTO analyses (created_utc, task, source_name, view, metrics_json, findings_json, report_json) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (created, report.task, source_name, report.view, json.dumps(flat_metrics(d["metrics"])),
                     json.dumps(findings), json.dumps(d)),
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)

    def entries(self, task: str | None = None) -> list[Entry]:
        """Stored analyses, oldest first, optionally of one task."""
        q = "SELECT id, created_utc, task, source_name, view, metrics_json, findings_json FROM analyses"
        args: tuple = ()
        if task:
            q += " WHERE task = ?"
            args = (task,)
        with self._connect() as con:
            rows = con.execute(q + " ORDER BY created_utc, id", args).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6])) for r in rows]

    def report_json(self, entry_id: int) -> dict[str, Any] | None:
        with self._connect() as con:
            row = con.execute("SELECT report_json FROM analyses WHERE id = ?", (entry_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, entry_ids: int | list[int]) -> int:
        """Delete entries by id (one transaction); returns how many were deleted."""
        ids = [entry_ids] if isinstance(entry_ids, int) else list(entry_ids)
        if not ids:
            return 0
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                n = con.execute(f"DELETE FROM analyses WHERE id IN ({','.join('?' * len(ids))})", ids).rowcount
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(n)

    def trend(self, task: str, metric: str) -> list[tuple[str, float]]:
        """(date, value) of one flat metric (e.g. ``heel_first_share``) over the task's entries."""
        out = []
        for e in self.entries(task):
            v = e.metrics.get(metric)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append((e.created_utc, float(v)))
        return out

    def metric_names(self, task: str) -> list[str]:
        """Numeric metrics seen in the task's entries, most frequent first."""
        counts: dict[str, int] = {}
        for e in self.entries(task):
            for k, v in e.metrics.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    counts[k] = counts.get(k, 0) + 1
        return sorted(counts, key=lambda k: (-counts[k], k))
