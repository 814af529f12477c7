"""Who controls what at a date: claims painted in evidence order into a planar partition.

Pure: no I/O. The rules are those of DESIGN.md ("Resolution"):
approved, active claims are painted oldest first (assessed before claimed, then by id); each
footprint replaces what lies under it; a partial extent keeps the holder underneath as
``previous``; overlapping claims of the same day by different actors become contested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from controlmap.geometry import areas_km2, polygonal
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


@dataclass(frozen=True)
class Piece:
    geometry: BaseGeometry
    holding: Holding
    area_km2: float
    citations: tuple[Citation, ...]

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


def active_claims(
    claims: Iterable[Claim], day: dt.date, *, include_claimed: bool = True
) -> list[Claim]:
    """Step 1 and 2: approved claims in force on ``day``, in the order they are painted."""
    chosen = [
        c
        for c in claims
        if c.review_state == "approved"
        and not c.retracted
        and c.active_on(day)
        and (include_claimed or c.confidence == "assessed")
    ]
    return sorted(chosen, key=evidence_order)


def _holding_for(claim: Claim, under: Holding | None) -> Holding:
    """What ``claim`` makes of ground held as ``under`` (None: nobody claimed it before)."""
    cid = (claim.id or 0,)
    if claim.extent == "all" or under is None:
        return Holding(
            actor=claim.actor,
            status=claim.status,
            extent=claim.extent,
            since=claim.observed_on,
            confidence=claim.confidence,
            claim_ids=cid,
        )
    if under.partial and under.actor == claim.actor:
        # Newer partial evidence for the same actor: the holder beneath is still the old one.
        previous, previous_status, previous_ids = (
            under.previous,
            under.previous_status,
            under.previous_claim_ids,
        )
    else:
        previous, previous_status, previous_ids = under.actor, under.status, under.claim_ids
    return Holding(
        actor=claim.actor,
        status=claim.status,
        extent=claim.extent,
        since=claim.observed_on,
        confidence=claim.confidence,
        claim_ids=cid,
        previous=previous,
        previous_status=previous_status,
        previous_claim_ids=previous_ids,
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


def _paint(claim: Claim, under: Holding | None) -> Holding:
    same_day_rival = (
        under is not None
        and under.since == claim.observed_on
        and claim.actor not in (under.actor, *under.parties)
    )
    if under is not None and same_day_rival:
        return _contested(claim, under)
    return _holding_for(claim, under)


class _Canvas:
    """The partition being painted, with a bounding-box index kept in numpy arrays."""

    def __init__(self) -> None:
        self.geoms: list[BaseGeometry | None] = []
        self.holdings: list[Holding] = []
        self.bounds = np.empty((0, 4))
        self._pending: list[tuple[float, float, float, float]] = []

    def add(self, geom: BaseGeometry, holding: Holding) -> None:
        self.geoms.append(geom)
        self.holdings.append(holding)
        self._pending.append(geom.bounds)

    def candidates(self, box: tuple[float, float, float, float]) -> np.ndarray:
        if self._pending:
            self.bounds = np.vstack([self.bounds, np.asarray(self._pending)])
            self._pending = []
        b = self.bounds
        if not len(b):
            return np.empty(0, dtype=int)
        hit = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
        return np.nonzero(hit)[0]

    def remove(self, index: int) -> None:
        self.geoms[index] = None
        self.bounds[index] = (np.inf, np.inf, -np.inf, -np.inf)

    def replace(self, index: int, geom: BaseGeometry) -> None:
        self.geoms[index] = geom
        self.bounds[index] = geom.bounds

    def paint(self, claim: Claim) -> None:
        footprint = claim.geometry
        idx = [i for i in self.candidates(footprint.bounds) if self.geoms[i] is not None]
        uncovered = footprint
        if idx:
            under = np.asarray([self.geoms[i] for i in idx], dtype=object)
            touching = shapely.intersects(under, footprint) & ~shapely.touches(under, footprint)
            hit = [i for i, t in zip(idx, touching, strict=True) if t]
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
                uncovered = shapely.difference(footprint, shapely.union_all(geoms))
        rest = _clean(uncovered)
        if rest is not None:
            self.add(rest, _paint(claim, None))

    def pieces(self) -> list[tuple[BaseGeometry, Holding]]:
        groups: dict[Holding, list[BaseGeometry]] = {}
        for geom, holding in zip(self.geoms, self.holdings, strict=True):
            if geom is not None:
                groups.setdefault(holding, []).append(geom)
        out = []
        for holding, geoms in groups.items():
            merged = geoms[0] if len(geoms) == 1 else polygonal(shapely.union_all(geoms))
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
    ordered = active_claims(claims, day, include_claimed=include_claimed)
    by_id = {c.id or 0: c for c in ordered}
    canvas = _Canvas()
    for claim in ordered:
        canvas.paint(claim)
    raw = canvas.pieces()
    if actors is not None:
        wanted = set(actors)
        raw = [(g, h) for g, h in raw if h.actor in wanted or wanted & set(h.parties)]
    areas = areas_km2([g for g, _ in raw]) if raw else np.zeros(0)
    pieces = [
        Piece(geom, holding, float(area), _citations(holding, by_id))
        for (geom, holding), area in zip(raw, areas, strict=True)
    ]
    pieces.sort(key=lambda p: (-p.area_km2, p.holding.actor, p.holding.since))
    return pieces


def _citations(holding: Holding, by_id: dict[int, Claim]) -> tuple[Citation, ...]:
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
        if c.review_state != "approved" or c.retracted:
            continue
        days.add(c.observed_on)
        if c.valid_until is not None:
            days.add(c.valid_until + dt.timedelta(days=1))
    return sorted(days)


def with_ids(claims: Sequence[Claim]) -> list[Claim]:
    """Claims numbered 1..n where they have no id yet (for files resolved without a store)."""
    return [c if c.id is not None else replace(c, id=i + 1) for i, c in enumerate(claims)]
