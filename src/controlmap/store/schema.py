"""The tables as the newest migration leaves them (migrations/ creates and upgrades them)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from controlmap.store.types import Footprint, Timestamp

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
    # "pending": defined by a pending file, public once a claim naming it is approved.
    Column("review_state", String(16), nullable=False, default="approved"),
    # Who last changed it: ``init`` updates only actors it wrote itself.
    Column("changed_by", String(100)),
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
    # A digest of what makes two citations the same document (Source.key): unique, so that
    # writers insert with ON CONFLICT instead of racing between a select and an insert.
    Column("identity", String(64)),
    Index("ux_sources_identity", "identity", unique=True),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_id", String(64), ForeignKey("actors.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("extent", String(16), nullable=False),
    Column("geometry", Footprint, nullable=False),
    # The bounding box lets a database without spatial types pick claims by area.
    Column("minx", Float, nullable=False),
    Column("miny", Float, nullable=False),
    Column("maxx", Float, nullable=False),
    Column("maxy", Float, nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("date_precision", String(8), nullable=False),
    Column("valid_until", Date),
    Column("confidence", String(16), nullable=False),
    Column("place_id", String(100)),
    Column("notes", Text, nullable=False, default=""),
    Column("review_state", String(16), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("retracted", Boolean, nullable=False, default=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    # sha256 of the claim's content (Claim.content_hash): the same claim is stored once.
    Column("content_hash", String(64)),
    Index("ix_claims_observed", "review_state", "observed_on"),
    Index("ux_claims_content", "content_hash", unique=True),
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
    Column("at", Timestamp, nullable=False),
    Column("why", Text, nullable=False, default=""),
    Column("snapshot", Text, nullable=False),  # the claim as an import-schema Feature (JSON)
)

# The materialised timeline: the resolved map of every change date, kept by the store and
# updated from the date a change applies to. ``evidence`` is "all" (claimed included) or
# "assessed". A piece that stays the same over several change dates is one row, valid from
# ``from_day`` until the day before ``to_day`` (NULL: still on the newest date).
timeline_days = Table(
    "timeline_days",
    metadata,
    Column("evidence", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    # The data version at which this day's map last changed: the key for caches of it.
    Column("version", Integer, nullable=False),
)

timeline_pieces = Table(
    "timeline_pieces",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("evidence", String(8), nullable=False),
    Column("from_day", Date, nullable=False),
    Column("to_day", Date),
    Column("actor", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("extent", String(16), nullable=False),
    Column("since", Date, nullable=False),
    Column("confidence", String(16), nullable=False),
    Column("claim_ids", Text, nullable=False),  # JSON lists
    Column("previous", String(64)),
    Column("previous_status", String(16)),
    Column("previous_claim_ids", Text, nullable=False, default="[]"),
    Column("parties", Text, nullable=False, default="[]"),
    Column("area_km2", Float, nullable=False),
    Column("geometry", Footprint, nullable=False),
    Index("ix_timeline_pieces_from", "evidence", "from_day"),
    Index("ix_timeline_pieces_to", "evidence", "to_day"),
)


def source_identity(key: tuple[object, ...]) -> str:
    """The ``sources.identity`` of a Source.identity (every detail): equal, equal digests."""
    return hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()


# -- accounts, sign-in throttling, invitations, the audit log ----------------------
accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id, parameters inside
    # Moves when the password or role changes: session tokens carry it, so old ones fail.
    Column("epoch", Integer, nullable=False, default=0),
    Column("created_by", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False),  # seconds since the epoch
)

invitations = Table(
    "invitations",
    metadata,
    Column("digest", String(64), primary_key=True),  # sha256 of the code; the code is not kept
    Column("role", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_by", String(64)),
    Column("used_at", Float),
)

# A change to an existing actor proposed by a pending file: applied only when a reviewer
# approves it.
actor_proposals = Table(
    "actor_proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor_id", String(64), ForeignKey("actors.id"), nullable=False),
    Column("proposed", Text, nullable=False),  # the actor as an import-schema object (JSON)
    Column("proposed_by", String(100), nullable=False),
    Column("proposed_at", String(32), nullable=False),
    Column("why", Text, nullable=False, default=""),
    Column("state", String(16), nullable=False, default="pending"),
    Column("decided_by", String(100)),
    Column("decided_at", String(32)),
)

# Append-only (triggers refuse UPDATE and DELETE, as on revisions): actor and account changes.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("who", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # actor, account
    Column("target", String(200), nullable=False),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
)
