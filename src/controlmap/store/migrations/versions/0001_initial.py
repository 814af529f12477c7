"""The first schema (what `controlmap init` created before Alembic: meta schema_version 1).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlmap.store.types import Footprint, Timestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        installed = bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
        ).first()
        if not installed:
            available = bind.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).first()
            if not available:
                raise RuntimeError(
                    "PostGIS is not installed on this PostgreSQL server "
                    "(Debian: apt-get install postgresql-15-postgis-3)"
                )
            # Needs a superuser (or the database owner on a trusted install).
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "actors",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aliases", sa.Text, nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.String(10)),
        sa.Column("accessed", sa.String(10)),
        sa.Column("archive_url", sa.Text),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("grade", sa.String(1)),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor_id", sa.String(64), sa.ForeignKey("actors.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("extent", sa.String(16), nullable=False),
        sa.Column("geometry", Footprint, nullable=False),
        sa.Column("minx", sa.Float, nullable=False),
        sa.Column("miny", sa.Float, nullable=False),
        sa.Column("maxx", sa.Float, nullable=False),
        sa.Column("maxy", sa.Float, nullable=False),
        sa.Column("observed_on", sa.Date, nullable=False),
        sa.Column("date_precision", sa.String(8), nullable=False),
        sa.Column("valid_until", sa.Date),
        sa.Column("confidence", sa.String(16), nullable=False),
        sa.Column("place_id", sa.String(100)),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("review_state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("retracted", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )
    op.create_index("ix_claims_observed", "claims", ["review_state", "observed_on"])
    op.create_table(
        "citations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("excerpt", sa.Text, nullable=False),
        sa.Column("locator", sa.String(200), nullable=False),
    )
    op.create_index("ix_citations_claim_id", "citations", ["claim_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),
    )
    op.create_index("ix_revisions_claim_id", "revisions", ["claim_id"])
