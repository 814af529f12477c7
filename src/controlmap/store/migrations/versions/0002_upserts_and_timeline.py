"""Source identity for upserts; the materialised timeline.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlmap.store.schema import source_identity
from controlmap.store.types import Footprint

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("sources", sa.Column("identity", sa.String(64)))
    sources = sa.table(
        "sources",
        sa.column("id", sa.Integer),
        sa.column("title", sa.Text),
        sa.column("publisher", sa.Text),
        sa.column("url", sa.Text),
        sa.column("published", sa.String),
        sa.column("identity", sa.String),
    )
    citations = sa.table("citations", sa.column("source_id", sa.Integer))
    first: dict[str, int] = {}
    rows = bind.execute(
        sa.select(sources.c.id, sources.c.title, sources.c.publisher, sources.c.url)
        .add_columns(sources.c.published)
        .order_by(sources.c.id)
    ).all()
    for row in rows:
        digest = source_identity((row.title, row.publisher, row.url, row.published))
        if digest in first:
            # Two writers raced past the old select-then-insert: keep the first row.
            bind.execute(
                sa.update(citations)
                .where(citations.c.source_id == row.id)
                .values(source_id=first[digest])
            )
            bind.execute(sa.delete(sources).where(sources.c.id == row.id))
        else:
            first[digest] = row.id
            bind.execute(sa.update(sources).where(sources.c.id == row.id).values(identity=digest))
    op.create_index("ux_sources_identity", "sources", ["identity"], unique=True)

    op.create_table(
        "timeline_days",
        sa.Column("evidence", sa.String(8), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "timeline_pieces",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("evidence", sa.String(8), nullable=False),
        sa.Column("from_day", sa.Date, nullable=False),
        sa.Column("to_day", sa.Date),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("extent", sa.String(16), nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("confidence", sa.String(16), nullable=False),
        sa.Column("claim_ids", sa.Text, nullable=False),
        sa.Column("previous", sa.String(64)),
        sa.Column("previous_status", sa.String(16)),
        sa.Column("previous_claim_ids", sa.Text, nullable=False),
        sa.Column("parties", sa.Text, nullable=False),
        sa.Column("area_km2", sa.Float, nullable=False),
        sa.Column("geometry", Footprint, nullable=False),
    )
    op.create_index("ix_timeline_pieces_from", "timeline_pieces", ["evidence", "from_day"])
    op.create_index("ix_timeline_pieces_to", "timeline_pieces", ["evidence", "to_day"])
    # The timeline is filled by the store after the upgrade (it needs the resolver).
    op.execute("DELETE FROM meta WHERE key = 'timeline_version'")
