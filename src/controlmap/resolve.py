"""Who controls what at a date: claims painted in evidence order into a planar partition.

Pure: no I/O. The rules are those of DESIGN.md ("Resolution"):
approved, active claims are painted oldest first (assessed before claimed, then by id); each
footprint replaces what lies under it; a partial extent keeps the holder underneath as
``previous``; overlapping claims of the same day by different actors become contested.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from controlmap.geometry import areas_km2, dissolved, polygonal
from controlmap.model import Citation, Claim

# Overlay leaves slivers a few nanodegrees wide where edges nearly coincide; below this area
# (about 1 m^2 at these latitudes) a fragment is noise, not territory.
_SLIVER_DEG2 = 1e-10
_CONFIDENCE_ORDER = {"assessed": 0, "claimed": 1}


@dataclass(frozen=True)
class Holding:
    """The attributes a piece of the map carries; pieces with equal holdings are dissolved."""

    actor: str
    status: str
    extent: str
    since: dt.date
    confidence: str
    claim_ids: tuple[int, ...]
    previous: str | None = None
    previous_status: str | None = None
    previous_claim_ids: tuple[int, ...] = ()
    parties: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return self.extent != "all"


# A resolved piece before its citations are attached: geometry, holding, area in km^2.
Frame = tuple[BaseGeometry, Holding, float]


@dataclass(frozen=True)
class Piece:
    geometry: BaseGeometry
    holding: Holding
    area_km2: float
    citations: tuple[Citation, ...]
    claims: tuple[Claim, ...] = ()  # the claims that set this piece (claim_ids), newest last

    @property
    def actor(self) -> str:
        return self.holding.actor

    @property
    def status(self) -> str:
        return self.holding.status

    @property
    def extent(self) -> str:
        return self.holding.extent

    @property
    def since(self) -> dt.date:
        return self.holding.since

    def age_days(self, day: dt.date) -> int:
        return (day - self.holding.since).days


def evidence_order(claim: Claim) -> tuple[dt.date, int, int]:
    return (claim.observed_on, _CONFIDENCE_ORDER[claim.confidence], claim.id or 0)


def in_evidence(claim: Claim, *, include_claimed: bool = True) -> bool:
    """Approved, not retracted, and (unless left out) possibly one party's claim."""
    return (
        claim.review_state == "approved"
        and not claim.retracted
        and (include_claimed or claim.confidence == "assessed")
    )


def active_claims(
    claims: Iterable[Claim], day: dt.date, *, include_claimed: bool = True
) -> list[Claim]:
    """Step 1 and 2: approved claims in force on ``day``, in the order they are painted."""
    chosen = [c for c in claims if in_evidence(c, include_claimed=include_claimed)]
    return sorted((c for c in chosen if c.active_on(day)), key=evidence_order)


def _holding_for(claim: Claim, under: Holding | None) -> Holding:
    """What ``claim`` makes of ground held as ``under`` (None: nobody claimed it before)."""
    own = Holding(
        actor=claim.actor,
        status=claim.status,
        extent=claim.extent,
        since=claim.observed_on,
        confidence=claim.confidence,
        claim_ids=(claim.id or 0,),
    )
    if claim.extent == "all" or under is None:
        return own
    if under.partial and under.actor == claim.actor:
        # Newer partial evidence for the same actor: the holder beneath is still the old one.
        return replace(
            own,
            previous=under.previous,
            previous_status=under.previous_status,
            previous_claim_ids=under.previous_claim_ids,
        )
    return replace(
        own, previous=under.actor, previous_status=under.status, previous_claim_ids=under.claim_ids
    )


def _contested(claim: Claim, under: Holding) -> Holding:
    parties = tuple(dict.fromkeys((*(under.parties or (under.actor,)), claim.actor)))
    extent = "all" if claim.extent == "all" and under.extent == "all" else "part"
    confidence = "claimed" if "claimed" in (claim.confidence, under.confidence) else "assessed"
    return Holding(
        actor=under.actor,
        status="contested",
        extent=extent,
        since=claim.observed_on,
        confidence=confidence,
        claim_ids=tuple(dict.fromkeys((*under.claim_ids, claim.id or 0))),
        parties=parties,
    )


def _same_day_rival(claim: Claim, under: Holding) -> bool:
    return under.since == claim.observed_on and claim.actor not in (under.actor, *under.parties)


def _paint(claim: Claim, under: Holding | None) -> Holding:
    if under is not None and _same_day_rival(claim, under):
        return _contested(claim, under)
    return _holding_for(claim, under)


class _Canvas:
    """The partition being painted, with a bounding-box index kept in numpy arrays."""

    def __init__(self) -> None:
        self.geoms: list[BaseGeometry | None] = []
        self.holdings: list[Holding] = []
        self.bounds = np.empty((64, 4))
        self.live = 0

    def copy(self) -> _Canvas:
        other = _Canvas()
        other.geoms = list(self.geoms)
        other.holdings = list(self.holdings)
        other.bounds = self.bounds.copy()
        other.live = self.live
        return other

    def add(self, geom: BaseGeometry, holding: Holding) -> None:
        n = len(self.geoms)
        if n == len(self.bounds):
            # Doubling keeps appends amortised O(1); a vstack per piece made painting quadratic.
            self.bounds = np.concatenate([self.bounds, np.empty_like(self.bounds)])
        self.bounds[n] = geom.bounds
        self.geoms.append(geom)
        self.holdings.append(holding)
        self.live += 1

    def candidates(self, box: tuple[float, float, float, float]) -> list[int]:
        b = self.bounds[: len(self.geoms)]
        hit = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
        return [int(i) for i in np.nonzero(hit)[0]]

    def remove(self, index: int) -> None:
        self.geoms[index] = None
        self.bounds[index] = (np.inf, np.inf, -np.inf, -np.inf)
        self.live -= 1

    def replace(self, index: int, geom: BaseGeometry) -> None:
        self.geoms[index] = geom
        self.bounds[index] = geom.bounds

    def paint(self, claim: Claim) -> None:
        footprint = claim.geometry
        idx = self.candidates(footprint.bounds)
        hit: list[int] = []
        if idx:
            under = np.asarray([self.geoms[i] for i in idx], dtype=object)
            touching = shapely.intersects(under, footprint) & ~shapely.touches(under, footprint)
            hit = [i for i, t in zip(idx, touching, strict=True) if t]
        if claim.extent == "all":
            self._paint_whole(claim, hit)
        else:
            self._paint_partial(claim, hit)

    def _paint_whole(self, claim: Claim, hit: list[int]) -> None:
        """Full control replaces whatever lies beneath, so the footprint stays one piece;
        only a rival's claim of the same day needs its overlap cut out (contested)."""
        footprint = claim.geometry
        rivals = [i for i in hit if _same_day_rival(claim, self.holdings[i])]
        contested: list[tuple[BaseGeometry, Holding]] = []
        if rivals:
            overlaps = shapely.intersection(
                np.asarray([self.geoms[i] for i in rivals], dtype=object), footprint
            )
            for i, inner in zip(rivals, overlaps, strict=True):
                inner = _clean(inner)
                if inner is not None:
                    contested.append((inner, _contested(claim, self.holdings[i])))
        if hit:
            outside = shapely.difference(
                np.asarray([self.geoms[i] for i in hit], dtype=object), footprint
            )
            for i, outer in zip(hit, outside, strict=True):
                rest = _clean(outer)
                if rest is None:
                    self.remove(i)
                else:
                    self.replace(i, rest)
        own = footprint
        if contested:
            own = shapely.difference(footprint, shapely.union_all([g for g, _ in contested]))
        for geom, holding in contested:
            self.add(geom, holding)
        rest = _clean(own)
        if rest is not None:
            self.add(rest, _holding_for(claim, None))

    def _paint_partial(self, claim: Claim, hit: list[int]) -> None:
        """A partial claim keeps what it lies over as ``previous``: cut it piece by piece."""
        footprint = claim.geometry
        covered = 0.0
        insides: list[BaseGeometry] = []
        if hit:
            geoms = np.asarray([self.geoms[i] for i in hit], dtype=object)
            inside = shapely.intersection(geoms, footprint)
            outside = shapely.difference(geoms, footprint)
            for i, inner, outer in zip(hit, inside, outside, strict=True):
                old = self.holdings[i]
                rest = _clean(outer)
                if rest is None:
                    self.remove(i)
                else:
                    self.replace(i, rest)
                inner = _clean(inner)
                if inner is not None:
                    self.add(inner, _paint(claim, old))
                    insides.append(inner)
                    covered += inner.area
        if not insides:
            uncovered: BaseGeometry | None = footprint
        elif covered >= footprint.area * (1 - 1e-9):
            # The usual case for a town claimed again: nothing new to add outside old pieces.
            uncovered = None
        else:
            uncovered = shapely.difference(footprint, shapely.union_all(insides))
        rest = _clean(uncovered)
        if rest is not None:
            self.add(rest, _paint(claim, None))

    def pieces(
        self, memo: dict[tuple[int, ...], tuple[list[Any], BaseGeometry | None]] | None = None
    ) -> list[tuple[BaseGeometry, Holding]]:
        """Dissolve by identical holding. ``memo`` carries unions over from an earlier call:
        between two nearby dates most groups are made of the very same fragments."""
        groups: dict[Holding, list[BaseGeometry]] = {}
        for geom, holding in zip(self.geoms, self.holdings, strict=True):
            if geom is not None:
                groups.setdefault(holding, []).append(geom)
        out = []
        for holding, geoms in groups.items():
            if len(geoms) == 1:
                merged: BaseGeometry | None = geoms[0]
            else:
                key = tuple(id(g) for g in geoms)
                hit = memo.get(key) if memo is not None else None
                if hit is None:
                    merged = dissolved(geoms)
                    if memo is not None:
                        # The fragments are kept alive with the result, so ids stay unique.
                        memo[key] = (geoms, merged)
                else:
                    merged = hit[1]
            if merged is not None and not merged.is_empty:
                out.append((merged, holding))
        return out


def _clean(geom: BaseGeometry | None) -> BaseGeometry | None:
    geom = polygonal(geom)
    if geom is None:
        return None
    if geom.geom_type == "MultiPolygon":
        parts = [p for p in geom.geoms if p.area > _SLIVER_DEG2]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return geom if geom.area > _SLIVER_DEG2 else None


@dataclass(frozen=True)
class _Window:
    """The dates on which a checkpoint's canvas is right: every claim it skipped as expired
    must still be expired (``after`` its last day), every claim it painted still in force."""

    after: dt.date | None = None  # latest valid_until among skipped claims
    until: dt.date | None = None  # earliest valid_until among painted claims

    def holds_on(self, day: dt.date) -> bool:
        return (self.after is None or day > self.after) and (
            self.until is None or day <= self.until
        )

    def skipped(self, last_day: dt.date) -> _Window:
        return replace(self, after=last_day if self.after is None else max(self.after, last_day))

    def painted(self, last_day: dt.date) -> _Window:
        return replace(self, until=last_day if self.until is None else min(self.until, last_day))


class Resolver:
    """Resolution at many dates over one set of claims, reusing earlier painting.

    Painting is sequential in evidence order, so the map at a later date is the map at an
    earlier one with the claims observed in between painted on top, as long as nothing
    painted so far expires in between. Canvases are kept every ``checkpoint_every`` claims;
    moving the slider then paints only the claims since the nearest checkpoint.
    Thread-safe: the app shares one Resolver between sessions.
    """

    def __init__(
        self,
        claims: Iterable[Claim],
        *,
        include_claimed: bool = True,
        checkpoint_every: int = 200,
    ):
        self.claims = sorted(
            (c for c in claims if in_evidence(c, include_claimed=include_claimed)),
            key=evidence_order,
        )
        self.observed = [c.observed_on for c in self.claims]
        self.by_id = {c.id or 0: c for c in self.claims}
        self.every = checkpoint_every
        # prefix length n -> canvas after painting the claims of claims[:n] in force then
        self._checkpoints: dict[int, tuple[_Canvas, _Window]] = {}
        self._unions: dict[tuple[int, ...], tuple[list[Any], BaseGeometry | None]] = {}
        self._areas: dict[int, tuple[BaseGeometry, float]] = {}
        self._lock = threading.Lock()

    def _start(self, day: dt.date, stop: int) -> tuple[int, _Canvas, _Window]:
        with self._lock:
            for n in sorted(self._checkpoints, reverse=True):
                if n > stop:
                    continue
                canvas, window = self._checkpoints[n]
                if window.holds_on(day):
                    return n, canvas.copy(), window
        return 0, _Canvas(), _Window()

    def canvas(self, day: dt.date) -> _Canvas:
        stop = bisect.bisect_right(self.observed, day)
        n, canvas, window = self._start(day, stop)
        return self._paint_until(canvas, window, n, stop, day)[0]

    def _paint_until(
        self, canvas: _Canvas, window: _Window, n: int, stop: int, day: dt.date
    ) -> tuple[_Canvas, _Window]:
        """Paint claims[n:stop] as they stand on ``day``, leaving checkpoints behind."""
        for i in range(n, stop):
            claim = self.claims[i]
            if claim.valid_until is not None and claim.valid_until < day:
                window = window.skipped(claim.valid_until)
            else:
                canvas.paint(claim)
                if claim.valid_until is not None:
                    window = window.painted(claim.valid_until)
            done = i + 1
            if done % self.every == 0 and done < stop:
                with self._lock:
                    self._checkpoints.setdefault(done, (canvas.copy(), window))
        return canvas, window

    def frames(self, days: Iterable[dt.date]) -> Iterator[tuple[dt.date, list[Frame]]]:
        """``frame()`` for each of ``days`` (ascending), painting each claim once while
        nothing painted expires: the cost of a whole timeline is about that of its last date."""
        canvas: _Canvas | None = None
        window, done = _Window(), 0
        for day in days:
            stop = bisect.bisect_right(self.observed, day)
            if canvas is not None and window.holds_on(day) and stop >= done:
                canvas, window = self._paint_until(canvas, window, done, stop, day)
            else:
                n, canvas, window = self._start(day, stop)
                canvas, window = self._paint_until(canvas, window, n, stop, day)
            done = stop
            yield day, self._dissolve(canvas)

    def seed(self, day: dt.date, pieces: Iterable[tuple[BaseGeometry, Holding]]) -> None:
        """Start later paintings from the map of ``day`` as painted before (a stored frame):
        dates after it then cost only the claims observed after it, as long as nothing on
        that map expires in between. Painting over dissolved pieces gives the same map as
        painting over the fragments they were dissolved from."""
        stop = bisect.bisect_right(self.observed, day)
        window = _Window()
        for claim in self.claims[:stop]:
            if claim.valid_until is None:
                continue
            if claim.valid_until < day:
                window = window.skipped(claim.valid_until)
            else:
                window = window.painted(claim.valid_until)
        canvas = _Canvas()
        for geom, holding in pieces:
            canvas.add(geom, holding)
        with self._lock:
            self._checkpoints[stop] = (canvas, window)

    def _dissolve(self, canvas: _Canvas) -> list[Frame]:
        with self._lock:
            if len(self._unions) > 50_000:
                self._unions.clear()
            raw = canvas.pieces(self._unions)
        areas = self._area_of([g for g, _ in raw])
        return [(g, h, a) for (g, h), a in zip(raw, areas, strict=True)]

    def frame(self, day: dt.date) -> list[Frame]:
        """The dissolved map on ``day`` as (geometry, holding, km^2), before citations are
        attached: what a store keeps of a date."""
        return self._dissolve(self.canvas(day))

    def at(self, day: dt.date, *, actors: Sequence[str] | None = None) -> list[Piece]:
        """The resolved map on ``day``: a planar partition of pieces, largest first."""
        return assemble(self.frame(day), self.by_id, actors=actors)

    def _area_of(self, geoms: list[BaseGeometry]) -> list[float]:
        with self._lock:
            if len(self._areas) > 100_000:
                self._areas.clear()
            todo = [g for g in geoms if id(g) not in self._areas]
            for g, a in zip(todo, areas_km2(todo) if todo else [], strict=True):
                self._areas[id(g)] = (g, float(a))
            return [self._areas[id(g)][1] for g in geoms]


def resolve(
    claims: Iterable[Claim],
    day: dt.date,
    *,
    include_claimed: bool = True,
    actors: Sequence[str] | None = None,
) -> list[Piece]:
    """The resolved map on ``day``: a planar partition of pieces, largest first.

    ``actors`` filters the pieces shown, after resolution (hiding an actor does not change
    what others hold); ``include_claimed=False`` leaves unconfirmed claims out of the evidence.

    >>> resolve([], dt.date(2014, 1, 3))
    []
    """
    resolver = Resolver(claims, include_claimed=include_claimed, checkpoint_every=10**9)
    return resolver.at(day, actors=actors)


def assemble(
    frame: Iterable[Frame], by_id: Mapping[int, Claim], *, actors: Sequence[str] | None = None
) -> list[Piece]:
    """Pieces with their claims and citations from a frame, largest first; ``actors``
    keeps the pieces held (or contested) by those actors."""
    if actors is not None:
        wanted = set(actors)
        frame = [f for f in frame if f[1].actor in wanted or wanted & set(f[1].parties)]
    pieces = [
        Piece(
            geom,
            holding,
            float(area),
            _citations(holding, by_id),
            tuple(by_id[i] for i in holding.claim_ids if i in by_id),
        )
        for geom, holding, area in frame
    ]
    pieces.sort(key=lambda p: (-p.area_km2, p.holding.actor, p.holding.since))
    return pieces


def _citations(holding: Holding, by_id: Mapping[int, Claim]) -> tuple[Citation, ...]:
    seen: dict[tuple[Any, ...], Citation] = {}
    for cid in (*holding.claim_ids, *holding.previous_claim_ids):
        claim = by_id.get(cid)
        for citation in claim.citations if claim else ():
            seen.setdefault((citation.source.key, citation.excerpt), citation)
    return tuple(seen.values())


def change_dates(claims: Iterable[Claim]) -> list[dt.date]:
    """Every date on which the resolved map can change: starts, and the day after ends."""
    days: set[dt.date] = set()
    for c in claims:
        if not in_evidence(c):
            continue
        days.add(c.observed_on)
        if c.valid_until is not None:
            days.add(c.valid_until + dt.timedelta(days=1))
    return sorted(days)
