"""The database behind one interface: embedded SQLite by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError

from controlmap import settings
from controlmap.errors import ConflictError, PermissionDenied, StoreError
from controlmap.model import Actor, ActorRegistry, Citation, Claim, Source
from controlmap.store import schema as t

# The states a claim must be in for each change: decisions are final, a retraction stays.
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
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """Claims, actors and sources; every write is one transaction and bumps the data version."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = _make_engine(self.url)

    # -- schema -----------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                conn.info["cm_changed"] = False
                yield conn
                # Only a real change moves the data version: caches and shared links that
                # name it stay valid across a restart (`init` rewrites nothing that is equal).
                if conn.info.pop("cm_changed", False):
                    self._bump(conn)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"database write failed, nothing was changed: {reason}") from None

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return t.current_version(conn)

    def upgrade(self) -> int:
        """Bring the schema to the current version; returns the version it started from."""
        with self._write() as conn:
            start = t.current_version(conn)
            if start > t.SCHEMA_VERSION:
                raise StoreError(
                    f"the database is at schema {start}, newer than this controlmap "
                    f"({t.SCHEMA_VERSION}): upgrade controlmap"
                )
            for step in t.MIGRATIONS[start:]:
                step(conn)
                conn.info["cm_changed"] = True
            if start < t.SCHEMA_VERSION:
                self._set_meta(conn, "schema_version", str(t.SCHEMA_VERSION))
        return start

    def is_initialised(self) -> bool:
        return self.schema_version() > 0

    # -- meta -------------------------------------------------------------------------------
    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        if conn.execute(select(t.meta.c.key).where(t.meta.c.key == key)).first():
            conn.execute(update(t.meta).where(t.meta.c.key == key).values(value=value))
        else:
            conn.execute(t.meta.insert().values(key=key, value=value))

    def _bump(self, conn: Connection) -> None:
        if not self._has_meta(conn):
            return
        row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "data_version")).first()
        self._set_meta(conn, "data_version", str(int(row.value) + 1 if row else 1))

    def _has_meta(self, conn: Connection) -> bool:
        return inspect(conn).has_table("meta")

    def data_version(self) -> int:
        """Changes with every write: the key for caches of anything derived from the data."""
        with self.engine.connect() as conn:
            if not self._has_meta(conn):
                return 0
            row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "data_version")).first()
            return int(row.value) if row else 0

    # -- actors -----------------------------------------------------------------------------
    def actors(self) -> ActorRegistry:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.actors).order_by(t.actors.c.id)).all()
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

    def put_actors(self, actors: Iterable[Actor], conn: Connection | None = None) -> None:
        """Add actors, or update those with the same id."""
        if conn is None:
            with self._write() as c:
                self.put_actors(actors, c)
            return
        for actor in actors:
            values = {
                "name": actor.name,
                "aliases": json.dumps(list(actor.aliases), ensure_ascii=False),
                "colour": actor.colour,
                "kind": actor.kind,
            }
            row = conn.execute(select(t.actors).where(t.actors.c.id == actor.id)).first()
            if row is None:
                conn.execute(t.actors.insert().values(id=actor.id, **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                conn.execute(update(t.actors).where(t.actors.c.id == actor.id).values(**values))
            else:
                continue
            conn.info["cm_changed"] = True

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
        with self._write() as conn:
            self.put_actors(actors, conn)
            known = {r.id for r in conn.execute(select(t.actors.c.id))}
            missing = sorted({c.actor for c in claims} - known)
            if missing:
                raise StoreError(f"unknown actor(s) {', '.join(missing)}: nothing was written")
            source_ids = _SourceIds(conn)
            ids = []
            at = _now()
            conn.info["cm_changed"] = bool(claims)
            for claim in claims:
                cid = self._insert_claim(conn, claim, who, at)
                _write_citations(conn, cid, claim.citations, source_ids)
                conn.execute(
                    t.revisions.insert().values(
                        claim_id=cid,
                        version=1,
                        action="create",
                        who=who,
                        at=at,
                        why=why,
                        snapshot=self._snapshot(conn, cid),
                    )
                )
                ids.append(cid)
        return ids

    def _insert_claim(self, conn: Connection, claim: Claim, who: str, at: str) -> int:
        minx, miny, maxx, maxy = claim.geometry.bounds
        result = conn.execute(
            t.claims.insert().values(
                actor_id=claim.actor,
                status=claim.status,
                extent=claim.extent,
                geometry=shapely.to_wkb(claim.geometry),
                minx=minx,
                miny=miny,
                maxx=maxx,
                maxy=maxy,
                observed_on=claim.observed_on.isoformat(),
                date_precision=claim.date_precision,
                valid_until=claim.valid_until.isoformat() if claim.valid_until else None,
                confidence=claim.confidence,
                place_id=claim.place_id,
                notes=claim.notes,
                review_state=claim.review_state,
                version=1,
                retracted=False,
                created_by=who,
                created_at=at,
                updated_by=who,
                updated_at=at,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def claims(
        self, states: Sequence[str] = ("approved",), *, ids: Sequence[int] | None = None
    ) -> list[Claim]:
        """Claims in the given review states, oldest evidence first, with their citations."""
        where = [t.claims.c.review_state.in_(states)]
        if ids is not None:
            where.append(t.claims.c.id.in_(list(ids)))
        with self.engine.connect() as conn:
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
        geoms = shapely.from_wkb([r.geometry for r in rows]) if rows else []
        return [
            _trusted(
                Claim,
                id=r.id,
                actor=r.actor_id,
                status=r.status,
                extent=r.extent,
                geometry=g,
                observed_on=dt.date.fromisoformat(r.observed_on),
                date_precision=r.date_precision,
                valid_until=dt.date.fromisoformat(r.valid_until) if r.valid_until else None,
                confidence=r.confidence,
                place_id=r.place_id,
                notes=r.notes,
                citations=tuple(by_claim.get(r.id, ())),
                review_state=r.review_state,
                version=r.version,
                retracted=bool(r.retracted),
            )
            for r, g in zip(rows, geoms, strict=True)
        ]

    def claim(self, claim_id: int) -> Claim:
        """One claim in any review state."""
        found = self.claims(("approved", "pending", "rejected"), ids=[claim_id])
        if not found:
            raise StoreError(f"there is no claim {claim_id}")
        return found[0]

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
        result = conn.execute(
            update(t.claims)
            .where(t.claims.c.id == claim_id, t.claims.c.version == expected_version)
            .values(**values, version=expected_version + 1, updated_by=who, updated_at=at)
        )
        if result.rowcount != 1:
            row = conn.execute(
                select(t.claims.c.version, t.claims.c.updated_by, t.claims.c.updated_at).where(
                    t.claims.c.id == claim_id
                )
            ).first()
            if row is None:
                raise StoreError(f"there is no claim {claim_id}")
            raise ConflictError(
                f"claim {claim_id} was changed by {row.updated_by} at {row.updated_at} "
                f"(now version {row.version}, you had {expected_version}); "
                "your change was not saved: reload and apply it again"
            )
        new_version = expected_version + 1
        conn.info["cm_changed"] = True
        snapshot = self._snapshot(conn, claim_id)
        conn.execute(
            t.revisions.insert().values(
                claim_id=claim_id,
                version=new_version,
                action=action,
                who=who,
                at=at,
                why=why,
                snapshot=snapshot,
            )
        )
        return new_version

    def _snapshot(self, conn: Connection, claim_id: int) -> str:
        """The claim as it now stands in this transaction, in the import schema."""
        row = conn.execute(select(t.claims).where(t.claims.c.id == claim_id)).one()
        cites = conn.execute(
            select(t.citations, t.sources)
            .join(t.sources, t.sources.c.id == t.citations.c.source_id)
            .where(t.citations.c.claim_id == claim_id)
            .order_by(t.citations.c.position)
        ).all()
        props = {
            "actor": row.actor_id,
            **{
                k: getattr(row, k)
                for k in (
                    "status",
                    "extent",
                    "observed_on",
                    "date_precision",
                    "valid_until",
                    "confidence",
                    "place_id",
                    "notes",
                    "review_state",
                    "version",
                )
            },
            "retracted": bool(row.retracted),
            "citations": [
                {
                    k: getattr(c, k)
                    for k in (
                        "title",
                        "publisher",
                        "author",
                        "url",
                        "published",
                        "excerpt",
                        "locator",
                    )
                }
                for c in cites
            ],
        }
        feature = {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shapely.from_wkb(row.geometry)),
            "properties": props,
        }
        return json.dumps(feature, ensure_ascii=False)

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
        minx, miny, maxx, maxy = claim.geometry.bounds
        values = {
            "actor_id": claim.actor,
            "status": claim.status,
            "extent": claim.extent,
            "geometry": shapely.to_wkb(claim.geometry),
            "minx": minx,
            "miny": miny,
            "maxx": maxx,
            "maxy": maxy,
            "observed_on": claim.observed_on.isoformat(),
            "date_precision": claim.date_precision,
            "valid_until": claim.valid_until.isoformat() if claim.valid_until else None,
            "confidence": claim.confidence,
            "place_id": claim.place_id,
            "notes": claim.notes,
        }
        with self._write() as conn:
            self._transition(conn, claim_id, expected_version, "edit", who)
            version = self._change(
                conn, claim_id, expected_version, values, action="edit", who=who, why=why
            )
            conn.execute(t.citations.delete().where(t.citations.c.claim_id == claim_id))
            _write_citations(conn, claim_id, claim.citations, _SourceIds(conn))
            return version

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


def _write_citations(
    conn: Connection, claim_id: int, citations: Sequence[Citation], source_ids: _SourceIds
) -> None:
    for pos, citation in enumerate(citations):
        conn.execute(
            t.citations.insert().values(
                claim_id=claim_id,
                source_id=source_ids.get(citation.source),
                position=pos,
                excerpt=citation.excerpt,
                locator=citation.locator,
            )
        )


class _SourceIds:
    """Source rows by their identity, so two claims citing one report share a row."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.cache: dict[tuple[Any, ...], int] = {}

    def get(self, source: Source) -> int:
        key = source.key
        if key in self.cache:
            return self.cache[key]
        s = t.sources.c
        query = select(s.id).where(
            s.title == source.title,
            s.publisher == source.publisher,
            s.url.is_(None) if source.url is None else s.url == source.url,
            s.published.is_(None) if source.published is None else s.published == source.published,
        )
        row = self.conn.execute(query).first()
        if row is None:
            inserted = self.conn.execute(t.sources.insert().values(**source.to_dict()))
            row_id = inserted.inserted_primary_key[0]  # type: ignore[index]
        else:
            row_id = row.id
        self.cache[key] = int(row_id)
        return int(row_id)
