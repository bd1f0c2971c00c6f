"""SQLite history: round trip, trends, delete, transactions, versioning, and clear errors on bad files."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from posture.errors import PostureWarning
from posture.history import SCHEMA_VERSION, History, HistoryError, default_history_path
from tests.test_app_fakes import fake_report, slouching_walker


@pytest.fixture(scope="module")
def rep():
    return fake_report(slouching_walker())


def test_add_list_trend_delete(tmp_path, rep):
    h = History(tmp_path / "sub" / "h.sqlite3")
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    ids = [h.add(rep, "a.mp4", when=t0 + timedelta(days=i)) for i in range(3)]
    entries = h.entries("walk")
    assert [e.id for e in entries] == ids and entries[0].source_name == "a.mp4"
    assert entries[0].flagged == ["slouching"]
    assert entries[0].metrics["trunk.lean_deg"] == pytest.approx(rep.metrics["trunk"]["lean_deg"], abs=1e-3)
    trend = h.trend("walk", "heel_first_share")
    assert [v for _, v in trend] == [0.9, 0.9, 0.9] and trend[0][0].startswith("2024-01-01")
    assert "heel_first_share" in h.metric_names("walk")
    assert h.report_json(ids[0])["task"] == "walk"
    assert h.delete([ids[0], ids[2]]) == 2
    assert [e.id for e in h.entries()] == [ids[1]]
    assert h.entries("lift") == []


def test_env_var_sets_the_default_path(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_HISTORY", str(tmp_path / "x.db"))
    assert default_history_path() == tmp_path / "x.db"
    assert History().path == tmp_path / "x.db"


def test_schema_version_is_stored_and_newer_is_refused(tmp_path, rep):
    p = tmp_path / "h.db"
    History(p).add(rep)
    with sqlite3.connect(p) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer"):
        History(p).entries()


def test_a_file_that_is_no_database_is_kept_and_a_new_history_started(tmp_path, rep):
    p = tmp_path / "h.db"
    junk = b"this is not a database at all" * 100
    p.write_bytes(junk)
    with pytest.raises(HistoryError, match="damaged"):
        History(p).entries()  # reading refuses and leaves the file as it is
    assert p.read_bytes() == junk
    with pytest.warns(PostureWarning, match=r"kept as .*h\.db\.damaged-.*new history was started.*\.recover"):
        new_id = History(p).add(rep, "new.mp4")
    (kept,) = tmp_path.glob("h.db.damaged-*")
    assert kept.read_bytes() == junk  # the old file, byte for byte
    assert [(e.id, e.source_name) for e in History(p).entries()] == [(new_id, "new.mp4")]


def _damage_a_table_page(p):
    raw = bytearray(p.read_bytes())
    leaves = [i for i in range(1, len(raw) // 4096) if raw[i * 4096] == 0x0D]  # b-tree table leaf pages
    i = leaves[len(leaves) // 2]
    raw[i * 4096 + 1: i * 4096 + 8] = b"\xff" * 7
    p.write_bytes(bytes(raw))


def test_a_damaged_database_is_never_written_into(tmp_path, rep):
    # Before: add() wrote into a file whose reads already failed as "damaged".
    p = tmp_path / "h.db"
    h = History(p)
    for i in range(40):
        h.add(rep, f"{i}.mp4")
    _damage_a_table_page(p)
    damaged = p.read_bytes()
    with pytest.raises(HistoryError, match="damaged.*starts a new history"):
        h.entries()
    with pytest.warns(PostureWarning, match="failed its integrity check"):
        h.add(rep, "after.mp4")
    (kept,) = tmp_path.glob("h.db.damaged-*")
    assert kept.read_bytes() == damaged
    assert [e.source_name for e in h.entries()] == ["after.mp4"]


def test_damaged_rows_are_skipped_with_a_warning(tmp_path, rep):
    p = tmp_path / "h.db"
    h = History(p)
    good = h.add(rep, "good.mp4")
    with sqlite3.connect(p) as con:
        con.execute("INSERT INTO analyses (created_utc, task, metrics_json, findings_json, report_json) "
                    "VALUES ('2030-01-01', 'walk', '{not json', '[]', '{not json')")
        con.execute("INSERT INTO analyses (created_utc, task, metrics_json, findings_json, report_json) "
                    "VALUES ('2030-01-02', 'walk', '[1, 2]', '{}', '[]')")
        con.execute("INSERT INTO analyses (created_utc, task, metrics_json, findings_json, report_json) "
                    "VALUES ('2030-01-03', 'walk', CAST(X'FFFE7B7D' AS TEXT), '[]', '{}')")
    with pytest.warns(PostureWarning, match="skipped 3 damaged entries"):
        assert [e.id for e in h.entries()] == [good]
    with pytest.warns(PostureWarning, match="report of entry 2 is damaged"):
        assert h.report_json(2) is None
    with pytest.warns(PostureWarning):
        assert h.trend("walk", "heel_first_share") == [(h.entries()[0].created_utc, 0.9)]
    assert h.report_json(good)["task"] == "walk"


def test_locked_database_gives_a_clear_message_and_loses_nothing(tmp_path, rep, monkeypatch):
    import posture.history as hist

    monkeypatch.setattr(hist, "BUSY_TIMEOUT_S", 0.1)
    p = tmp_path / "h.db"
    h = History(p)
    first = h.add(rep, "first.mp4")
    other = sqlite3.connect(p, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked"):
            h.add(rep, "second.mp4")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [e.id for e in h.entries()] == [first]
    h.add(rep, "third.mp4")
    assert [e.source_name for e in h.entries()] == ["first.mp4", "third.mp4"]


def test_failed_write_is_rolled_back(tmp_path, rep, monkeypatch):
    h = History(tmp_path / "h.db")
    h.add(rep, "ok.mp4")
    import posture.history as hist

    monkeypatch.setattr(hist, "flat_metrics", lambda m: {"bad": object()})  # json.dumps fails mid-transaction
    with pytest.raises(TypeError):
        h.add(rep, "broken.mp4")
    assert [e.source_name for e in h.entries()] == ["ok.mp4"]


def test_unwritable_location_is_explained(tmp_path, rep):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="history database"):
        History(blocker / "h.db").add(rep)


def test_concurrent_writers_all_land(tmp_path, rep):
    h = History(tmp_path / "h.db")
    errors = []

    def work(i):
        try:
            h.add(rep, f"{i}.mp4")
        except HistoryError as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(h.entries()) == 6
