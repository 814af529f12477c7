"""The database behind one interface: embedded SQLite by default, PostgreSQL + PostGIS for teams.

The schema is created and upgraded by the Alembic migrations in ``migrations/`` (the same
scripts for both databases). Every write is one transaction; a write that changes what the
public map shows (approved claims, actors) moves the data version, which lives in the
database so that every process sees it, and brings the materialised timeline up to date
from the first date the change touches.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Row,
    Text,
    cast,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from controlmap import settings
from controlmap.errors import ConflictError, PermissionDenied, StoreError
from controlmap.model import Actor, ActorRegistry, Citation, Claim, Source
from controlmap.store import schema as t
from controlmap.store.audit import record
from controlmap.store.timeline import Timeline

# The states a claim must be in for each change: decisions are final, a retraction stays.
# The author ``controlmap init`` writes the bundled registry as.
INIT_WHO = "controlmap init"
TRANSITIONS = {
    "approve": ("pending",),
    "reject": ("pending",),
    "retract": ("approved",),
    "edit": ("pending", "approved"),
}
ACTION_WORDS = {
    "approve": "approved",
    "reject": "rejected",
    "retract": "retracted",
    "edit": "edited",
}

ENV_DB = "CONTROLMAP_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
# Rows per statement when ids are looked up in bulk (SQLite allows 32,766 parameters).
_CHUNK = 5000


def default_url() -> str:
    """``CONTROLMAP_DB`` if set, else a SQLite file in the user's data folder (never the repo)."""
    return settings.current().database_url


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _trusted(cls: type, **values: Any) -> Any:
    """Rebuild a record the store validated on the way in, without validating it again."""
    obj: Any = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(obj, name, value)
    return obj


def _alembic(conn: Connection | None = None) -> Any:
    from alembic.config import Config  # imported when migrating: an app start needs none of it

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


@functools.cache
def revisions() -> list[str]:
    """Migration ids from the first to the newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic())
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def __getattr__(name: str) -> Any:
    # REVISIONS and SCHEMA_VERSION read the migrations folder on first use only.
    if name == "REVISIONS":
        return revisions()
    if name == "SCHEMA_VERSION":
        return len(revisions())
    raise AttributeError(name)


# Databases made before Alembic carry ``meta.schema_version`` = 1: the first migration.
_LEGACY_FIRST = 1


def _owner_only(path: Path) -> None:
    """Create the SQLite file readable by its owner only; SQLite gives its -wal and -shm
    files the same mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create the database file {path}: {exc.strerror}") from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        _owner_only(Path(url.removeprefix("sqlite:///").split("?")[0]).expanduser())
    try:
        engine = create_engine(
            url, connect_args={"timeout": 30} if url.startswith("sqlite") else {}
        )
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from None
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise StoreError(
            f"database URL {url!r}: controlmap runs on SQLite and PostgreSQL (with PostGIS), "
            f"not {engine.dialect.name}"
        )
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Autocommit at the driver level so that BEGIN below is ours: IMMEDIATE takes
            # the write lock up front, so two writers queue instead of failing mid-way.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Readers take no lock: a long write (a timeline rebuild) never blocks them.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("cm_write") else "BEGIN")

    return engine


def _insert(conn: Connection, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT (both databases spell it the same way)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class Store:
    """Claims, actors and sources; every write is one transaction."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = _make_engine(self.url)
        self.timeline = Timeline(self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction. Writers say what the public can see change through
        ``_public(conn, since)``; at the end the data version moves once and the timeline is
        brought up to date from the earliest date touched."""
        try:
            with self.engine.connect() as conn, _writing(conn), conn.begin():
                conn.info["cm_public"] = False
                conn.info["cm_since"] = None
                yield conn
                public = conn.info.pop("cm_public", False)
                since = conn.info.pop("cm_since", None)
                if public:
                    version = self._bump(conn)
                    if since is not None:
                        self.timeline.update(conn, None if since is _ALL else since, version)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"database write failed, nothing was changed: {reason}") from None

    @staticmethod
    def _public(conn: Connection, since: dt.date | None = None, *, redraw: bool = False) -> None:
        """Mark the transaction as changing the public map: from ``since`` on (None: only how
        it is labelled, e.g. an actor's name), or every date when ``redraw``."""
        conn.info["cm_public"] = True
        if redraw:
            conn.info["cm_since"] = _ALL
            return
        current = conn.info.get("cm_since")
        if since is not None and current is not _ALL:
            conn.info["cm_since"] = since if current is None else min(current, since)

    # -- schema -----------------------------------------------------------------------------
    def _revision(self, conn: Connection) -> tuple[int, str | None]:
        """(position in ``revisions()`` counting from 1, revision id); 0 for an empty database."""
        known = revisions()
        rev = self._alembic_revision(conn)
        if rev is None:
            legacy = self._legacy_version(conn)
            if legacy == 0:
                return 0, None
            if legacy != _LEGACY_FIRST:
                return len(known) + 1, f"schema {legacy}"
            rev = known[0]
        if rev not in known:
            return len(known) + 1, rev
        return known.index(rev) + 1, rev

    @staticmethod
    def _alembic_revision(conn: Connection) -> str | None:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])

    def _legacy_version(self, conn: Connection) -> int:
        if not inspect(conn).has_table("meta"):
            return 0
        row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "schema_version")).first()
        return int(row.value) if row else 0

    def schema_version(self) -> int:
        """How many migrations the database has had (0: none; see ``REVISIONS``)."""
        with self.engine.connect() as conn:
            return self._revision(conn)[0]

    def upgrade(self) -> int:
        """Bring the schema to the newest migration; returns the version it started from."""
        from alembic import command

        newest = len(revisions())
        with self._write() as conn:
            start, rev = self._revision(conn)
            if start > newest:
                raise StoreError(
                    f"the database is at {rev}, newer than this controlmap "
                    f"(schema {newest}): upgrade controlmap"
                )
            cfg = _alembic(conn)
            if start and self._alembic_revision(conn) is None:
                # Made before Alembic: the tables are those of the first migration.
                command.stamp(cfg, revisions()[start - 1])
                conn.execute(t.meta.delete().where(t.meta.c.key == "schema_version"))
            if start < newest:
                try:
                    command.upgrade(cfg, "head")
                except RuntimeError as exc:
                    raise StoreError(str(exc)) from None
            if not self.timeline.is_current(conn):
                self.timeline.update(conn, None, self._data_version(conn))
        return start

    def is_initialised(self) -> bool:
        return self.schema_version() > 0

    def is_current(self) -> bool:
        return self.schema_version() == len(revisions())

    # -- meta -------------------------------------------------------------------------------
    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        stmt = _insert(conn, t.meta).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    def _get_meta(self, conn: Connection, key: str) -> str | None:
        row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).first()
        return None if row is None else str(row.value)

    def _bump(self, conn: Connection) -> int:
        """Move the data version by one, atomically (two processes never get the same)."""
        stmt = _insert(conn, t.meta).values(key="data_version", value="1")
        bumped = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": cast(cast(t.meta.c.value, Integer) + 1, Text)},
        ).returning(t.meta.c.value)
        return int(conn.execute(bumped).scalar_one())

    def _data_version(self, conn: Connection) -> int:
        if not inspect(conn).has_table("meta"):
            return 0
        value = self._get_meta(conn, "data_version")
        return int(value) if value else 0

    def data_version(self) -> int:
        """Moves with every change the public can see (approved claims, actors), in any
        process: the key for caches of anything derived from the public data."""
        with self.engine.connect() as conn:
            return self._data_version(conn)

    # -- actors -----------------------------------------------------------------------------
    def actors(self, *, include_pending: bool = False) -> ActorRegistry:
        """The public registry; with ``include_pending``, also actors that wait for review
        with the pending file that defined them."""
        query = select(t.actors).order_by(t.actors.c.id)
        if not include_pending:
            query = query.where(t.actors.c.review_state == "approved")
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return ActorRegistry(
            _trusted(
                Actor,
                id=r.id,
                name=r.name,
                colour=r.colour,
                kind=r.kind,
                aliases=tuple(json.loads(r.aliases)),
            )
            for r in rows
        )

    def put_actors(
        self,
        actors: Iterable[Actor],
        conn: Connection | None = None,
        *,
        who: str = INIT_WHO,
        review_state: str = "approved",
    ) -> None:
        """Add actors, or change existing ones, as ``who``.

        From a pending file (``review_state="pending"``) a new actor is stored pending, and
        a change to an existing one becomes a proposal for a reviewer. ``init`` (who is
        INIT_WHO) never overwrites an actor somebody else changed. Every change is in the
        audit log."""
        if conn is None:
            with self._write() as c:
                self.put_actors(actors, c, who=who, review_state=review_state)
            return
        for actor in actors:
            values = _actor_values(actor)
            row = conn.execute(select(t.actors).where(t.actors.c.id == actor.id)).first()
            if row is None:
                conn.execute(
                    t.actors.insert().values(
                        id=actor.id, **values, review_state=review_state, changed_by=who
                    )
                )
                action = "actor added" if review_state == "approved" else "actor proposed"
                record(
                    conn,
                    who=who,
                    action=action,
                    kind="actor",
                    target=actor.id,
                    detail={"after": actor.to_dict()},
                )
                if review_state == "approved":
                    self._public(conn)
                continue
            if all(getattr(row, k) == v for k, v in values.items()):
                continue
            if who == INIT_WHO and row.changed_by not in (None, INIT_WHO):
                continue  # changed by someone since: the bundled registry does not undo it
            if review_state == "pending":
                self._propose_actor(conn, actor, who)
                continue
            self._apply_actor(conn, row, actor, who)

    def _apply_actor(self, conn: Connection, row: Any, actor: Actor, who: str) -> None:
        conn.execute(
            update(t.actors)
            .where(t.actors.c.id == actor.id)
            .values(**_actor_values(actor), review_state="approved", changed_by=who)
        )
        record(
            conn,
            who=who,
            action="actor changed",
            kind="actor",
            target=actor.id,
            detail={"before": _actor_dict(row), "after": actor.to_dict()},
        )
        self._public(conn)

    def _propose_actor(self, conn: Connection, actor: Actor, who: str) -> None:
        proposed = json.dumps(actor.to_dict(), ensure_ascii=False, sort_keys=True)
        p = t.actor_proposals.c
        same = conn.execute(
            select(p.id).where(p.actor_id == actor.id, p.proposed == proposed, p.state == "pending")
        ).first()
        if same is not None:
            return
        conn.execute(
            t.actor_proposals.insert().values(
                actor_id=actor.id,
                proposed=proposed,
                proposed_by=who,
                proposed_at=_now(),
                state="pending",
            )
        )
        record(
            conn,
            who=who,
            action="actor change proposed",
            kind="actor",
            target=actor.id,
            detail={"after": actor.to_dict()},
        )

    def actor_proposals(self) -> list[dict[str, Any]]:
        """Changes to existing actors that wait for a reviewer, oldest first."""
        p = t.actor_proposals.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.actor_proposals).where(p.state == "pending").order_by(p.id)
            ).all()
        return [{**dict(r._mapping), "proposed": json.loads(r.proposed)} for r in rows]

    def decide_actor_proposal(
        self, proposal_id: int, *, decision: str, who: str, why: str = "", allow_self: bool = False
    ) -> None:
        """Apply (``approved``) or drop (``rejected``) a proposed actor change; like a
        claim's, a rejection needs a reason."""
        if decision not in ("approved", "rejected"):
            raise StoreError(f"{decision!r} is not a review decision (approved, rejected)")
        if decision == "rejected" and not why.strip():
            raise StoreError("a rejection needs a reason")
        p = t.actor_proposals.c
        with self._write() as conn:
            prop = conn.execute(select(t.actor_proposals).where(p.id == proposal_id)).first()
            if prop is None or prop.state != "pending":
                raise ConflictError(f"actor change {proposal_id} is not waiting for review")
            if decision == "approved" and prop.proposed_by == who and not allow_self:
                raise PermissionDenied(
                    f"{who} proposed this actor change: approval needs a second reviewer"
                )
            done = conn.execute(
                update(t.actor_proposals)
                .where(p.id == proposal_id, p.state == "pending")
                .values(state=decision, decided_by=who, decided_at=_now())
            )
            if done.rowcount != 1:
                raise ConflictError(f"actor change {proposal_id} was decided at the same moment")
            if decision == "approved":
                row = conn.execute(select(t.actors).where(t.actors.c.id == prop.actor_id)).one()
                self._apply_actor(conn, row, Actor.from_dict(json.loads(prop.proposed)), who)
            else:
                record(
                    conn,
                    who=who,
                    action="actor change rejected",
                    kind="actor",
                    target=prop.actor_id,
                    detail={"why": why},
                )

    # -- claims -----------------------------------------------------------------------------
    def add_claims(
        self,
        claims: Sequence[Claim],
        *,
        who: str,
        why: str = "",
        actors: Sequence[Actor] = (),
    ) -> list[int]:
        """Insert claims (and any new actors) in one transaction: all are written or none."""
        state = "pending" if any(c.review_state == "pending" for c in claims) else "approved"
        with self._write() as conn:
            self.put_actors(actors, conn, who=who, review_state=state)
            known = {r.id for r in conn.execute(select(t.actors.c.id))}
            missing = sorted({c.actor for c in claims} - known)
            if missing:
                raise StoreError(f"unknown actor(s) {', '.join(missing)}: nothing was written")
            if not claims:
                return Added()
            at = _now()
            # A claim already stored (imported before, or earlier in this file) keeps its id.
            values = [_claim_values(c) for c in claims]
            seen = _existing_hashes(conn, [v["content_hash"] for v in values])
            fresh: list[tuple[Claim, dict[str, Any]]] = []
            for claim, value in zip(claims, values, strict=True):
                if value["content_hash"] not in seen:
                    seen[value["content_hash"]] = 0  # placeholder: inserted below
                    fresh.append((claim, value))
            claims = [c for c, _ in fresh]
            rows = [{**v, "review_state": c.review_state} for c, v in fresh]
            for row in rows:
                row.update(
                    version=1,
                    retracted=False,
                    created_by=who,
                    created_at=at,
                    updated_by=who,
                    updated_at=at,
                )
            ids = (
                list(
                    conn.execute(
                        t.claims.insert().returning(t.claims.c.id, sort_by_parameter_order=True),
                        rows,
                    ).scalars()
                )
                if rows
                else []
            )
            for (_, value), cid in zip(fresh, ids, strict=True):
                seen[value["content_hash"]] = cid
            if not ids:
                result = Added(seen[v["content_hash"]] for v in values)
                return result
            _write_citations(conn, list(zip(ids, claims, strict=True)))
            conn.execute(
                t.revisions.insert(),
                [
                    {
                        "claim_id": cid,
                        "version": 1,
                        "action": "create",
                        "who": who,
                        "at": at,
                        "why": why,
                        "snapshot": _snapshot(claim, version=1, retracted=False),
                    }
                    for cid, claim in zip(ids, claims, strict=True)
                ],
            )
            public = [c.observed_on for c in claims if c.review_state == "approved"]
            if public:
                self._public(conn, min(public))
            result = Added(seen[v["content_hash"]] for v in values)
            result.new = len(ids)
        return result

    def _select_claims(
        self,
        conn: Connection,
        states: Sequence[str] = ("approved",),
        *,
        ids: Sequence[int] | None = None,
    ) -> list[Claim]:
        where = [t.claims.c.review_state.in_(states)]
        if ids is not None:
            where.append(t.claims.c.id.in_(sorted(set(ids))))
        rows = conn.execute(
            select(t.claims).where(*where).order_by(t.claims.c.observed_on, t.claims.c.id)
        ).all()
        cites = conn.execute(
            select(t.citations, t.sources)
            .join(t.sources, t.sources.c.id == t.citations.c.source_id)
            .join(t.claims, t.claims.c.id == t.citations.c.claim_id)
            .where(*where)
            .order_by(t.citations.c.claim_id, t.citations.c.position)
        ).all()
        by_claim: dict[int, list[Citation]] = {}
        sources: dict[int, Source] = {}
        for r in cites:
            source = sources.get(r.source_id)
            if source is None:
                source = sources[r.source_id] = _trusted(
                    Source,
                    title=r.title,
                    publisher=r.publisher,
                    author=r.author,
                    url=r.url,
                    published=r.published,
                    accessed=r.accessed,
                    archive_url=r.archive_url,
                    language=r.language,
                    grade=r.grade,
                )
            by_claim.setdefault(r.claim_id, []).append(
                _trusted(Citation, source=source, excerpt=r.excerpt, locator=r.locator)
            )
        return [_claim_from_row(r, tuple(by_claim.get(r.id, ()))) for r in rows]

    def claims(
        self, states: Sequence[str] = ("approved",), *, ids: Sequence[int] | None = None
    ) -> list[Claim]:
        """Claims in the given review states, oldest evidence first, with their citations."""
        with self.engine.connect() as conn:
            if ids is not None and len(ids) > _CHUNK:
                wanted = sorted(set(ids))
                found = [
                    c
                    for i in range(0, len(wanted), _CHUNK)
                    for c in self._select_claims(conn, states, ids=wanted[i : i + _CHUNK])
                ]
                return sorted(found, key=lambda c: (c.observed_on, c.id or 0))
            return self._select_claims(conn, states, ids=ids)

    def claim(self, claim_id: int) -> Claim:
        """One claim in any review state."""
        found = self.claims(("approved", "pending", "rejected"), ids=[claim_id])
        if not found:
            raise StoreError(f"there is no claim {claim_id}")
        return found[0]

    def used_actors(self) -> set[str]:
        """Actors named by at least one approved claim."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.claims.c.actor_id).where(t.claims.c.review_state == "approved").distinct()
            )
            return {r.actor_id for r in rows}

    def claims_extent(self) -> tuple[float, float, float, float] | None:
        """The box around every approved claim (None when there is none)."""
        c = t.claims.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.min(c.minx), func.min(c.miny), func.max(c.maxx), func.max(c.maxy)
                ).where(c.review_state == "approved")
            ).one()
        if row[0] is None:
            return None
        return float(row[0]), float(row[1]), float(row[2]), float(row[3])

    def _change(
        self,
        conn: Connection,
        claim_id: int,
        expected_version: int,
        values: dict[str, Any],
        *,
        action: str,
        who: str,
        why: str,
    ) -> int:
        """Update a claim only if nobody changed it since it was read; returns the new version."""
        at = _now()
        c = t.claims.c
        before = conn.execute(
            select(c.review_state, c.retracted, c.observed_on).where(c.id == claim_id)
        ).first()
        result = conn.execute(
            update(t.claims)
            .where(c.id == claim_id, c.version == expected_version)
            .values(**values, version=expected_version + 1, updated_by=who, updated_at=at)
        )
        if result.rowcount != 1 or before is None:
            row = conn.execute(
                select(c.version, c.updated_by, c.updated_at).where(c.id == claim_id)
            ).first()
            if row is None:
                raise StoreError(f"there is no claim {claim_id}")
            raise ConflictError(
                f"claim {claim_id} was changed by {row.updated_by} at {row.updated_at} "
                f"(now version {row.version}, you had {expected_version}); "
                "your change was not saved: reload and apply it again"
            )
        new_version = expected_version + 1
        (claim,) = self._select_claims(conn, ("approved", "pending", "rejected"), ids=[claim_id])
        if _public_state(before.review_state, before.retracted) or _public_state(
            claim.review_state, claim.retracted
        ):
            self._public(conn, min(before.observed_on, claim.observed_on))
        conn.execute(
            t.revisions.insert().values(
                claim_id=claim_id,
                version=new_version,
                action=action,
                who=who,
                at=at,
                why=why,
                snapshot=_snapshot(claim, version=new_version, retracted=claim.retracted),
            )
        )
        return new_version

    def _transition(
        self,
        conn: Connection,
        claim_id: int,
        expected_version: int,
        action: str,
        who: str,
        *,
        allow_self: bool = True,
    ) -> None:
        """Refuse a change the claim's current state does not allow (see TRANSITIONS), and an
        approval by someone who wrote or edited the claim unless ``allow_self``. A stale
        ``expected_version`` is left to ``_change``, which names who changed it."""
        c = t.claims.c
        row = conn.execute(
            select(c.review_state, c.retracted, c.version).where(c.id == claim_id)
        ).first()
        if row is None or row.version != expected_version:
            return
        state = "retracted" if row.retracted else row.review_state
        if state not in TRANSITIONS[action]:
            allowed = " or ".join(TRANSITIONS[action])
            raise ConflictError(
                f"claim {claim_id} is {state}: only a {allowed} claim can be "
                f"{ACTION_WORDS[action]}; nothing was changed"
            )
        if action == "approve" and not allow_self:
            r = t.revisions.c
            authored = conn.execute(
                select(r.id).where(
                    r.claim_id == claim_id, r.who == who, r.action.in_(("create", "edit"))
                )
            ).first()
            if authored is not None:
                raise PermissionDenied(
                    f"{who} wrote or edited claim {claim_id}: approval needs a second reviewer"
                )

    def _approve_actor_of(self, conn: Connection, claim_id: int, who: str) -> None:
        """A new actor from a pending file becomes public with its first approved claim."""
        a = t.actors.c
        actor_id = conn.execute(
            select(t.claims.c.actor_id).where(t.claims.c.id == claim_id)
        ).scalar_one_or_none()
        done = conn.execute(
            update(t.actors)
            .where(a.id == actor_id, a.review_state == "pending")
            .values(review_state="approved", changed_by=who)
        )
        if done.rowcount == 1:
            record(
                conn,
                who=who,
                action="actor approved",
                kind="actor",
                target=str(actor_id),
                detail={"with_claim": claim_id},
            )
            self._public(conn)

    def review(
        self,
        claim_id: int,
        *,
        decision: str,
        expected_version: int,
        who: str,
        why: str = "",
        allow_self: bool = False,
    ) -> int:
        """Approve or reject a pending claim; a rejection needs a reason. By default nobody
        approves a claim they wrote or edited (``allow_self`` lifts that)."""
        if decision not in ("approved", "rejected"):
            raise StoreError(f"{decision!r} is not a review decision (approved, rejected)")
        if decision == "rejected" and not why.strip():
            raise StoreError("a rejection needs a reason")
        action = "approve" if decision == "approved" else "reject"
        with self._write() as conn:
            self._transition(conn, claim_id, expected_version, action, who, allow_self=allow_self)
            if decision == "approved":
                self._approve_actor_of(conn, claim_id, who)
            return self._change(
                conn,
                claim_id,
                expected_version,
                {"review_state": decision},
                action="approve" if decision == "approved" else "reject",
                who=who,
                why=why,
            )

    def retract(self, claim_id: int, *, expected_version: int, who: str, why: str) -> int:
        """Withdraw a claim from the map; kept, with the reason, in its history."""
        if not why.strip():
            raise StoreError("a retraction needs a reason")
        with self._write() as conn:
            self._transition(conn, claim_id, expected_version, "retract", who)
            return self._change(
                conn,
                claim_id,
                expected_version,
                {"retracted": True},
                action="retract",
                who=who,
                why=why,
            )

    def edit(
        self, claim_id: int, claim: Claim, *, expected_version: int, who: str, why: str = ""
    ) -> int:
        """Replace a claim's content (an edit is a new revision; the old one stays in history)."""
        with self._write() as conn:
            self._transition(conn, claim_id, expected_version, "edit", who)
            conn.execute(t.citations.delete().where(t.citations.c.claim_id == claim_id))
            _write_citations(conn, [(claim_id, claim)])
            return self._change(
                conn,
                claim_id,
                expected_version,
                _claim_values(claim),
                action="edit",
                who=who,
                why=why,
            )

    def audit(self, limit: int = 200) -> list[dict[str, Any]]:
        """Who did what to which claim, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.revisions.c.at,
                    t.revisions.c.who,
                    t.revisions.c.action,
                    t.revisions.c.claim_id,
                    t.revisions.c.version,
                    t.revisions.c.why,
                )
                .order_by(t.revisions.c.id.desc())
                .limit(limit)
            ).all()
        return [dict(r._mapping) for r in rows]

    def claim_count(self, state: str = "approved") -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(t.claims)
                    .where(t.claims.c.review_state == state)
                ).scalar_one()
            )

    def revisions(self, claim_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.revisions)
                .where(t.revisions.c.claim_id == claim_id)
                .order_by(t.revisions.c.version, t.revisions.c.id)
            ).all()
        return [dict(r._mapping) for r in rows]


@contextmanager
def _writing(conn: Connection) -> Iterator[None]:
    """Mark a connection as a writer's (SQLite then takes the write lock at BEGIN)."""
    conn.info["cm_write"] = True
    try:
        yield
    finally:
        conn.info.pop("cm_write", None)


class _All:
    """Sentinel: a change that touches every date."""


_ALL: Any = _All()


def _public_state(review_state: str, retracted: bool) -> bool:
    return review_state == "approved" and not retracted


def _claim_values(claim: Claim) -> dict[str, Any]:
    """The columns a claim's content fills (not its review state or bookkeeping)."""
    minx, miny, maxx, maxy = claim.geometry.bounds
    return {
        "actor_id": claim.actor,
        "status": claim.status,
        "extent": claim.extent,
        "geometry": claim.geometry,
        "minx": minx,
        "miny": miny,
        "maxx": maxx,
        "maxy": maxy,
        "observed_on": claim.observed_on,
        "date_precision": claim.date_precision,
        "valid_until": claim.valid_until,
        "confidence": claim.confidence,
        "place_id": claim.place_id,
        "notes": claim.notes,
        "content_hash": claim.content_hash,
    }


def _claim_from_row(r: Row[Any], citations: tuple[Citation, ...]) -> Claim:
    return _trusted(
        Claim,
        id=r.id,
        actor=r.actor_id,
        status=r.status,
        extent=r.extent,
        geometry=r.geometry,
        observed_on=r.observed_on,
        date_precision=r.date_precision,
        valid_until=r.valid_until,
        confidence=r.confidence,
        place_id=r.place_id,
        notes=r.notes,
        citations=citations,
        review_state=r.review_state,
        version=r.version,
        retracted=bool(r.retracted),
    )


def _snapshot(claim: Claim, *, version: int, retracted: bool) -> str:
    """The claim as a revision keeps it: an import-schema Feature with its review state."""
    props = {
        "actor": claim.actor,
        "status": claim.status,
        "extent": claim.extent,
        "observed_on": claim.observed_on.isoformat(),
        "date_precision": claim.date_precision,
        "valid_until": claim.valid_until.isoformat() if claim.valid_until else None,
        "confidence": claim.confidence,
        "place_id": claim.place_id,
        "notes": claim.notes,
        "review_state": claim.review_state,
        "version": version,
        "retracted": retracted,
        "citations": [
            {
                "title": c.source.title,
                "publisher": c.source.publisher,
                "author": c.source.author,
                "url": c.source.url,
                "published": c.source.published,
                "excerpt": c.excerpt,
                "locator": c.locator,
            }
            for c in claim.citations
        ],
    }
    feature = {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(claim.geometry),
        "properties": props,
    }
    return json.dumps(feature, ensure_ascii=False)


class Added(list[int]):
    """Claim ids of a write, one per claim given (an earlier id for a claim already stored);
    ``new`` counts the claims this write added."""

    new: int = 0


def _existing_hashes(conn: Connection, hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    unique = sorted(set(hashes))
    for i in range(0, len(unique), 500):
        rows = conn.execute(
            select(t.claims.c.content_hash, t.claims.c.id).where(
                t.claims.c.content_hash.in_(unique[i : i + 500])
            )
        )
        found.update({r.content_hash: r.id for r in rows})
    return found


def _actor_values(actor: Actor) -> dict[str, Any]:
    return {
        "name": actor.name,
        "aliases": json.dumps(list(actor.aliases), ensure_ascii=False),
        "colour": actor.colour,
        "kind": actor.kind,
    }


def _actor_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "aliases": json.loads(row.aliases),
        "colour": row.colour,
        "kind": row.kind,
    }


def _write_citations(conn: Connection, claims: Sequence[tuple[int, Claim]]) -> None:
    """Citation rows for claims already written. Two claims share a source row only when
    their citations agree on every detail (Source.identity), so no claim's citation (an
    unreviewed author, an archive link, a grade) changes another's; the row is inserted
    once whatever other writers do at the same time."""
    by_identity: dict[str, Source] = {}
    for _, claim in claims:
        for citation in claim.citations:
            by_identity.setdefault(t.source_identity(citation.source.identity), citation.source)
    if not by_identity:
        return
    stmt = _insert(conn, t.sources).on_conflict_do_nothing(index_elements=["identity"])
    conn.execute(stmt, [{**s.to_dict(), "identity": k} for k, s in by_identity.items()])
    keys = list(by_identity)
    ids: dict[str, int] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i : i + _CHUNK]
        rows = conn.execute(
            select(t.sources.c.identity, t.sources.c.id).where(t.sources.c.identity.in_(chunk))
        )
        ids.update({r.identity: r.id for r in rows})
    conn.execute(
        t.citations.insert(),
        [
            {
                "claim_id": cid,
                "source_id": ids[t.source_identity(citation.source.identity)],
                "position": pos,
                "excerpt": citation.excerpt,
                "locator": citation.locator,
            }
            for cid, claim in claims
            for pos, citation in enumerate(claim.citations)
        ],
    )


__all__ = ["REVISIONS", "SCHEMA_VERSION", "Store", "default_url", "revisions"]
