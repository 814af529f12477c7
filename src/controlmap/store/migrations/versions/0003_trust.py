"""Accounts, sign-in throttling, invitations and the audit log; actors under review; claims
stored once (content hash); sources kept with every detail; append-only history.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlmap.store.audit import APPEND_ONLY, make_append_only
from controlmap.store.schema import source_identity

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Source.identity: every field of Source.to_dict(), in sorted order.
SOURCE_FIELDS = sorted(
    ("title", "publisher", "author", "url", "published", "accessed", "archive_url")
    + ("language", "grade")
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("actors") as batch:
        batch.add_column(
            sa.Column("review_state", sa.String(16), nullable=False, server_default="approved")
        )
        batch.add_column(sa.Column("changed_by", sa.String(100)))
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("content_hash", sa.String(64)))
    op.create_index("ux_claims_content", "claims", ["content_hash"], unique=True)

    # A source row is now shared only by citations that agree on every detail: the identity
    # covers them all. Rows merged before keep the details they had.
    sources = sa.table(
        "sources",
        sa.column("id", sa.Integer),
        sa.column("identity", sa.String),
        *(sa.column(f) for f in SOURCE_FIELDS),
    )
    rows = bind.execute(sa.select(sources)).all()
    for row in rows:
        key = tuple(getattr(row, f) for f in SOURCE_FIELDS)
        bind.execute(
            sa.update(sources).where(sources.c.id == row.id).values(identity=source_identity(key))
        )

    op.create_table(
        "accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_sign_in_failures_name", "sign_in_failures", ["name"])
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address"])
    op.create_table(
        "invitations",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_by", sa.String(64)),
        sa.Column("used_at", sa.Float),
    )
    op.create_table(
        "actor_proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor_id", sa.String(64), sa.ForeignKey("actors.id"), nullable=False),
        sa.Column("proposed", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", sa.String(32), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.String(32)),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    for table in APPEND_ONLY:
        make_append_only(bind, table)
