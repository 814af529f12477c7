"""The schema is made and upgraded by Alembic, on SQLite and PostGIS alike."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from controlmap import dataset
from controlmap.resolve import resolve
from controlmap.store import REVISIONS, SCHEMA_VERSION, Store

LEGACY = Path(__file__).with_name("data") / "legacy_schema1.sql"


@pytest.fixture
def legacy_db(tmp_path: Path) -> str:
    """A SQLite database as controlmap made it before Alembic (see the file's header)."""
    path = tmp_path / "legacy.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY.read_text())
    return f"sqlite:///{path}"


def test_a_database_from_before_alembic_upgrades_in_place(legacy_db, make_claim):
    store = Store(legacy_db)
    assert store.schema_version() == 1
    assert store.upgrade() == 1
    assert store.schema_version() == SCHEMA_VERSION
    assert store.data_version() == 4  # links made before the upgrade stay current
    assert "already current" in dataset.init_store(store, demo=False)
    # Everything written before is still there and means the same.
    (fallujah,) = [c for c in store.claims() if c.notes == "legacy"]
    assert (fallujah.actor, fallujah.extent, fallujah.observed_on) == (
        "isil",
        "most",
        dt.date(2014, 1, 2),
    )
    assert [c.review_state for c in store.claims(("pending",))] == ["pending"]
    assert [r["action"] for r in store.revisions(fallujah.id or 0)] == ["create"]
    # The materialised timeline is built by the upgrade and agrees with resolution.
    day = dt.date(2014, 1, 3)
    stored = store.timeline.frame(day)
    assert [(p.actor, p.extent) for p in stored] == [
        (p.actor, p.extent) for p in resolve(store.claims(), day)
    ]
    # New writes reuse the old source row through the identity the upgrade filled in.
    store.add_claims([make_claim(bounds=(44, 33, 44.1, 33.1))], who="t")
    cited = make_claim().citations[0].source
    old = fallujah.citations[0].source
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sources")).scalar_one() == (
            1 if cited.key == old.key else 2
        )
    assert dataset.init_store(store, demo=False).startswith("database already current")


def test_a_fresh_database_has_every_migration(db_url):
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    with store.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            == (REVISIONS[-1])
        )
        tables = set(inspect(conn).get_table_names())
    assert {"claims", "sources", "timeline_days", "timeline_pieces"} <= tables


def test_postgis_keeps_footprints_as_indexed_geometry(db_url, make_claim, databases):
    if not databases.postgis:
        pytest.skip("PostGIS only (run with --backend postgis)")
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    store.add_claims([make_claim(bounds=(43.0, 33.0, 43.5, 33.5))], who="t")
    with store.engine.connect() as conn:
        kind, srid, area = conn.execute(
            text("SELECT GeometryType(geometry), ST_SRID(geometry), ST_Area(geometry) FROM claims")
        ).one()
        assert (kind, srid, round(area, 6)) == ("POLYGON", 4326, 0.25)
        hit = conn.execute(
            text(
                "SELECT count(*) FROM claims WHERE ST_Intersects(geometry, "
                "ST_MakeEnvelope(43.4, 33.4, 44, 34, 4326))"
            )
        ).scalar_one()
        assert hit == 1
        indexes = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = 'claims'"))
        assert any("USING gist (geometry)" in r.indexdef for r in indexes)
        assert (
            conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'claims' AND column_name = 'observed_on'"
                )
            ).scalar_one()
            == "date"
        )
