"""The database and exports are readable by their owner only (issue 9, point 10)."""

from __future__ import annotations

import os
import stat

import pytest

from controlmap.cli import main


@pytest.fixture
def open_umask():
    """The usual umask (022), under which new files would be world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_files_are_owner_only(open_umask, tmp_path, capsys):
    db = tmp_path / "new" / "cm.sqlite"
    assert main(["--db", f"sqlite:///{db}", "init", "--no-demo"]) == 0
    assert _mode(db) == 0o600
    for extra in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if extra.exists():
            assert _mode(extra) == 0o600, extra


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "kml", "csv", "html"])
def test_exports_are_owner_only(open_umask, demo_db, tmp_path, capsys, fmt):
    out = tmp_path / f"export.{fmt}"
    assert main(["--db", demo_db, "export", str(out), "--date", "2015-06-01"]) == 0
    assert _mode(out) == 0o600
