"""Tables and the ordered list of schema migrations (the schema upgrades in place)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

actors = Table(
    "actors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("aliases", Text, nullable=False, default="[]"),  # JSON list
    Column("colour", String(7), nullable=False),
    Column("kind", String(32), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
    Column("url", Text),
    Column("published", String(10)),
    Column("accessed", String(10)),
    Column("archive_url", Text),
    Column("language", String(20), nullable=False, default=""),
    Column("grade", String(1)),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_id", String(64), ForeignKey("actors.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("extent", String(16), nullable=False),
    Column("geometry", LargeBinary, nullable=False),  # WKB, EPSG:4326
    # The bounding box lets a database without spatial types pick claims by area.
    Column("minx", Float, nullable=False),
    Column("miny", Float, nullable=False),
    Column("maxx", Float, nullable=False),
    Column("maxy", Float, nullable=False),
    Column("observed_on", String(10), nullable=False),  # ISO dates sort as text
    Column("date_precision", String(8), nullable=False),
    Column("valid_until", String(10)),
    Column("confidence", String(16), nullable=False),
    Column("place_id", String(100)),
    Column("notes", Text, nullable=False, default=""),
    Column("review_state", String(16), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("retracted", Boolean, nullable=False, default=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_claims_observed", "review_state", "observed_on"),
)

citations = Table(
    "citations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("excerpt", Text, nullable=False, default=""),
    Column("locator", String(200), nullable=False, default=""),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("action", String(32), nullable=False),  # create, edit, approve, reject, retract
    Column("who", String(100), nullable=False),
    Column("at", String(32), nullable=False),
    Column("why", Text, nullable=False, default=""),
    Column("snapshot", Text, nullable=False),  # the claim as an import-schema Feature (JSON)
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[meta, actors, sources, claims, citations, revisions])


# Each entry upgrades the schema from version i to i + 1. Append, never edit: databases in
# the field are at every version that was ever released.
MIGRATIONS: list[Callable[[Connection], None]] = [_create_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    row = conn.execute(meta.select().where(meta.c.key == "schema_version")).first()
    return int(row.value) if row else 0
