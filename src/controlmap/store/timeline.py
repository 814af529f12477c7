"""The materialised timeline: the resolved map of every change date, kept in the database.

A claim observed on D changes the map on D and later dates only, so a write recomputes the
dates from D on (resolve.py does the painting; this module stores what it paints). A piece
that stays the same from one change date to the next is one row with a validity interval,
so the table grows with what changes, not with dates times pieces. Reading the map at a date
is one indexed query: no process needs the whole history in memory to draw a date.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import Connection, Row, and_, bindparam, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from controlmap.model import Claim
from controlmap.resolve import Frame, Holding, Piece, Resolver, assemble, change_dates
from controlmap.store import schema as t

if TYPE_CHECKING:
    from controlmap.store import Store

EVIDENCE = {"all": True, "assessed": False}  # timeline name -> claimed evidence included


def evidence_name(include_claimed: bool) -> str:
    return "all" if include_claimed else "assessed"


@dataclass
class _Run:
    """A piece while the dates are walked: an existing row, or one to insert."""

    holding: Holding
    row_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    to_day: dt.date | None = None
    geometry: Any = None  # keeps the shapely object alive: its id() is the key


# How many of the frames read last a Timeline keeps the decoded rows and claims of, by id:
# the frame of a neighbouring date shares most of them, so a slider step decodes only what
# changed. The app's caches hold these frames anyway (ui.DATES_CACHED).
RECENT_FRAMES = 4
_CHUNK = 5000


class Timeline:
    """Reads and maintains ``timeline_days`` and ``timeline_pieces`` for one Store."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: int | None = None  # the data version the recent rows were read at
        self._recent: OrderedDict[
            tuple[str, dt.date], tuple[dict[int, Frame], dict[int, Claim]]
        ] = OrderedDict()

    # -- reading ------------------------------------------------------------------------------
    def days(self, include_claimed: bool = True) -> list[tuple[dt.date, int]]:
        """Every change date with the data version at which its map last changed."""
        d = t.timeline_days.c
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(d.day, d.version)
                .where(d.evidence == evidence_name(include_claimed))
                .order_by(d.day)
            ).all()
        return [(r.day, r.version) for r in rows]

    def frame(
        self,
        day: dt.date,
        *,
        include_claimed: bool = True,
        actors: Sequence[str] | None = None,
    ) -> list[Piece]:
        """The resolved map on ``day`` as stored: the same pieces as ``resolve()``. Rows and
        claims already read for a recent frame (same data version) are not read again."""
        p = t.timeline_pieces.c
        name = evidence_name(include_claimed)
        # One transaction: the version, the rows and the claims are of one state of the store.
        with self.store.engine.connect() as conn, conn.begin():
            version = self.store._data_version(conn)
            ids = list(
                conn.execute(
                    select(p.id).where(p.evidence == name, _valid_on(day)).order_by(p.id)
                ).scalars()
            )
            known_rows, known_claims = self._known(version)
            rows = {i: known_rows[i] for i in ids if i in known_rows}
            missing = [i for i in ids if i not in rows]
            if len(missing) > len(ids) // 2:
                # Mostly new (a first date, or a jump): one scan of the date, not id lists.
                query = select(t.timeline_pieces).where(p.evidence == name, _valid_on(day))
                chunks = [query]
            else:
                chunks = [
                    select(t.timeline_pieces).where(p.id.in_(missing[i : i + _CHUNK]))
                    for i in range(0, len(missing), _CHUNK)
                ]
            for query in chunks:
                for r in conn.execute(query):
                    if r.id not in rows:
                        rows[r.id] = (r.geometry, _holding(r), r.area_km2)
            frame = [rows[i] for i in ids]
            wanted = sorted({c for _, h, _ in frame for c in (*h.claim_ids, *h.previous_claim_ids)})
            by_id = {c: known_claims[c] for c in wanted if c in known_claims}
            unread = [c for c in wanted if c not in by_id]
            for i in range(0, len(unread), _CHUNK):
                for claim in self.store._select_claims(conn, ids=unread[i : i + _CHUNK]):
                    by_id[claim.id or 0] = claim
        self._remember(version, (name, day), rows, by_id)
        return assemble(frame, by_id, actors=actors)

    def _known(self, version: int) -> tuple[dict[int, Frame], dict[int, Claim]]:
        """The rows and claims of the recent frames, if read at ``version``."""
        rows: dict[int, Frame] = {}
        claims: dict[int, Claim] = {}
        with self._lock:
            if version == self._version:
                for seen_rows, seen_claims in self._recent.values():
                    rows.update(seen_rows)
                    claims.update(seen_claims)
        return rows, claims

    def _remember(
        self,
        version: int,
        key: tuple[str, dt.date],
        rows: dict[int, Frame],
        claims: dict[int, Claim],
    ) -> None:
        with self._lock:
            if version != self._version:
                self._recent.clear()
                self._version = version
            self._recent[key] = (rows, claims)
            self._recent.move_to_end(key)
            while len(self._recent) > RECENT_FRAMES:
                self._recent.popitem(last=False)

    def is_current(self, conn: Connection) -> bool:
        return self.store._get_meta(conn, "timeline_version") == str(self.store._data_version(conn))

    # -- writing ------------------------------------------------------------------------------
    def update(self, conn: Connection, since: dt.date | None, version: int) -> None:
        """Recompute the change dates from ``since`` on (None: all), inside the writer's
        transaction, and label them with the data version ``version``."""
        claims = self.store._select_claims(conn, ("approved",))
        for name, include_claimed in EVIDENCE.items():
            resolver = Resolver(claims, include_claimed=include_claimed, checkpoint_every=50)
            days = change_dates(resolver.claims)
            self._update(conn, name, resolver, days, since, version)
        self.store._set_meta(conn, "timeline_version", str(version))

    def _update(
        self,
        conn: Connection,
        name: str,
        resolver: Resolver,
        days: list[dt.date],
        since: dt.date | None,
        version: int,
    ) -> None:
        p, d = t.timeline_pieces.c, t.timeline_days.c
        todo = [day for day in days if since is None or day >= since]
        runs: dict[Any, _Run] = {}
        if since is None:
            conn.execute(delete(t.timeline_pieces).where(p.evidence == name))
            conn.execute(delete(t.timeline_days).where(d.evidence == name))
        else:
            before = conn.execute(
                select(d.day).where(d.evidence == name, d.day < since).order_by(d.day.desc())
            ).first()
            conn.execute(delete(t.timeline_pieces).where(p.evidence == name, p.from_day >= since))
            conn.execute(delete(t.timeline_days).where(d.evidence == name, d.day >= since))
            if before is not None:
                # The pieces of the last date kept go on until something changes them.
                for r in conn.execute(
                    select(t.timeline_pieces).where(p.evidence == name, _valid_on(before.day))
                ):
                    stored = _holding(r)
                    runs[(stored, shapely.to_wkb(r.geometry))] = _Run(
                        stored, row_id=r.id, geometry=r.geometry
                    )
                # Paint the dates from ``since`` on over that stored map, not from scratch.
                resolver.seed(before.day, [(run.geometry, run.holding) for run in runs.values()])
        if todo:
            conn.execute(
                t.timeline_days.insert(),
                [{"evidence": name, "day": day, "version": version} for day in todo],
            )
        done: list[_Run] = []
        by_wkb = True  # the first date is matched to stored rows by content, then by object
        for day, frame in resolver.frames(todo):
            current: dict[Any, _Run] = {}
            for geom, holding, area in frame:
                key = (holding, shapely.to_wkb(geom) if by_wkb else id(geom))
                found = runs.pop(key, None)
                if found is None:
                    found = _Run(holding, values=_row(name, day, geom, holding, area))
                found.geometry = geom
                current[(holding, id(geom))] = found
            for ended in runs.values():
                ended.to_day = day
                done.append(ended)
            runs, by_wkb = current, False
        done.extend(runs.values())  # still open on the newest date
        self._write(conn, done)

    def _write(self, conn: Connection, runs: list[_Run]) -> None:
        fresh = [{**r.values, "to_day": r.to_day} for r in runs if r.row_id is None]
        if fresh:
            for i in range(0, len(fresh), 2000):
                conn.execute(t.timeline_pieces.insert(), fresh[i : i + 2000])
        kept = [{"rid": r.row_id, "until": r.to_day} for r in runs if r.row_id is not None]
        if kept:
            conn.execute(
                update(t.timeline_pieces)
                .where(t.timeline_pieces.c.id == bindparam("rid"))
                .values(to_day=bindparam("until")),
                kept,
            )


def _valid_on(day: dt.date) -> ColumnElement[bool]:
    p = t.timeline_pieces.c
    return and_(p.from_day <= day, or_(p.to_day.is_(None), p.to_day > day))


def _row(name: str, day: dt.date, geom: Any, h: Holding, area: float) -> dict[str, Any]:
    return {
        "evidence": name,
        "from_day": day,
        "actor": h.actor,
        "status": h.status,
        "extent": h.extent,
        "since": h.since,
        "confidence": h.confidence,
        "claim_ids": json.dumps(list(h.claim_ids)),
        "previous": h.previous,
        "previous_status": h.previous_status,
        "previous_claim_ids": json.dumps(list(h.previous_claim_ids)),
        "parties": json.dumps(list(h.parties)),
        "area_km2": float(area),
        "geometry": geom,
    }


def _holding(r: Row[Any]) -> Holding:
    return Holding(
        actor=r.actor,
        status=r.status,
        extent=r.extent,
        since=r.since,
        confidence=r.confidence,
        claim_ids=tuple(json.loads(r.claim_ids)),
        previous=r.previous,
        previous_status=r.previous_status,
        previous_claim_ids=tuple(json.loads(r.previous_claim_ids)),
        parties=tuple(json.loads(r.parties)),
    )
