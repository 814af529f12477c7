"""The audit log: who changed which actor or account, and when (claims keep revisions).

Both ``audit_log`` and ``revisions`` are append-only: triggers on SQLite and PostgreSQL
refuse UPDATE and DELETE (see migration 0003), so history cannot be edited with plain SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, select

from controlmap.store import schema as t


def record(
    conn: Connection, *, who: str, action: str, kind: str, target: str, detail: Any = None
) -> None:
    """Append one entry, in the caller's transaction (so it exists exactly if the change does)."""
    conn.execute(
        t.audit_log.insert().values(
            at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            who=who[:100],
            action=action[:64],
            kind=kind,
            target=target[:200],
            detail=json.dumps(detail if detail is not None else {}, ensure_ascii=False),
        )
    )


def entries(conn: Connection, *, kind: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The newest entries first."""
    query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(t.audit_log.c.kind == kind)
    return [{**dict(r._mapping), "detail": json.loads(r.detail)} for r in conn.execute(query).all()]


APPEND_ONLY = ("revisions", "audit_log")


def make_append_only(conn: Connection, table: str) -> None:
    """Triggers that refuse UPDATE and DELETE on ``table`` (and TRUNCATE on PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION controlmap_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = "
            "TG_TABLE_NAME || ' is append-only: history is never changed'; "
            "END $$ LANGUAGE plpgsql"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION controlmap_append_only()"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION controlmap_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        conn.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: history is never changed'); END"
        )
