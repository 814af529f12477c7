"""Change over time: what changed hands between two dates, and how much each actor held.

Pure apart from cached reads of the gazetteer for place names. Areas are in km^2, measured
in the equal-area projection of :mod:`controlmap.geometry`.

Convention for "held": an actor holds every resolved piece whose ``actor`` is that actor,
whatever its status or extent. A partial piece counts for the claimed actor (not for the
holder underneath) and a contested piece for its ``actor`` (the party that held the ground
before the rival's same-day claim). The same convention is used by :func:`held_km2`,
:func:`gains_losses` and :func:`stats`, so their figures add up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from controlmap.export import source_dict
from controlmap.geo import place_name
from controlmap.geometry import areas_km2, polygonal, rounded
from controlmap.model import ActorRegistry, Citation, Claim
from controlmap.resolve import (
    Holding,
    Piece,
    Resolver,
    change_dates,
    evidence_order,
    in_evidence,
)

# Overlays of the two partitions run on a fixed grid of 1e-9 degrees (0.1 mm): GEOS's
# floating-point overlay can fail silently on the nearly coincident edges two dates share
# (at 10,000 claims, "piece minus the pieces around it" came back whole), snap-rounding
# cannot. The grid is far below the 6-decimal precision of stored coordinates.
GRID_DEG = 1e-9
# Same sliver bound as the resolver: overlaying two partitions whose edges nearly coincide
# leaves fragments nanodegrees wide that are noise, not territory (about 1 m^2).
_SLIVER_DEG2 = 1e-10

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Change:
    """One area whose holder, status or extent differs between two dates.

    ``from_*`` describe the first date and ``to_*`` the second; all three are None on the
    side where nobody claimed the ground. ``claim_ids`` and ``sources`` are the evidence
    for the second date, or for the first when the area became unclaimed.
    """

    geometry: BaseGeometry
    from_actor: str | None
    from_status: str | None
    from_extent: str | None
    to_actor: str | None
    to_status: str | None
    to_extent: str | None
    area_km2: float
    claim_ids: tuple[int, ...]
    sources: tuple[Citation, ...]
    place_ids: tuple[str, ...] = ()
    since: dt.date | None = None

    @property
    def changed_hands(self) -> bool:
        """True when the actor differs (not only status or extent)."""
        return self.from_actor != self.to_actor


@dataclass(frozen=True)
class Balance:
    """Area one actor gained and lost between two dates, in km^2.

    ``consolidated_km2`` is ground the actor held in part or contested and now holds fully;
    ``weakened_km2`` the reverse. Neither moves area between actors, so neither is in
    ``net_km2``.
    """

    actor: str
    gained_km2: float
    lost_km2: float
    consolidated_km2: float = 0.0
    weakened_km2: float = 0.0

    @property
    def net_km2(self) -> float:
        return self.gained_km2 - self.lost_km2


@dataclass(frozen=True)
class StatRow:
    """Area held by one actor on one date, split by how it is held."""

    date: dt.date
    actor: str
    actor_name: str
    full_km2: float
    partial_km2: float
    contested_km2: float

    @property
    def total_km2(self) -> float:
        return self.full_km2 + self.partial_km2 + self.contested_km2


@dataclass(frozen=True)
class ControlEvent:
    """One claim as a line of the list of control changes beside the area chart."""

    date: dt.date
    place: str
    place_id: str | None
    actor: str
    actor_name: str
    status: str
    extent: str
    confidence: str
    claim_id: int
    citations: tuple[Citation, ...]
    valid_until: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "place": self.place,
            "place_id": self.place_id,
            "actor": self.actor,
            "actor_name": self.actor_name,
            "status": self.status,
            "extent": self.extent,
            "confidence": self.confidence,
            "claim_id": self.claim_id,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "citations": [source_dict(c) for c in self.citations],
        }


# --- helpers ---------------------------------------------------------------------------------


def _key(holding: Holding | None) -> Key | None:
    if holding is None:
        return None
    return (holding.actor, holding.status, holding.extent)


def _clean(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Polygonal parts above the sliver bound, or None."""
    geom = polygonal(geom)
    if geom is None:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.area > _SLIVER_DEG2]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _citations_of(ids: Iterable[int], by_id: dict[int, Claim]) -> tuple[Citation, ...]:
    seen: dict[tuple[Any, ...], Citation] = {}
    for cid in ids:
        claim = by_id.get(cid)
        for c in claim.citations if claim else ():
            seen.setdefault((c.source.key, c.excerpt), c)
    return tuple(seen.values())


def _places_of(ids: Iterable[int], by_id: dict[int, Claim]) -> tuple[str, ...]:
    places: dict[str, None] = {}
    for cid in ids:
        claim = by_id.get(cid)
        if claim is not None and claim.place_id:
            places.setdefault(claim.place_id, None)
    return tuple(places)


# --- diff ------------------------------------------------------------------------------------


def _overlay(
    before: Sequence[Piece], after: Sequence[Piece]
) -> list[tuple[BaseGeometry, Holding | None, Holding | None]]:
    """Regions of the two partitions whose (actor, status, extent) differ, with both holdings.

    Both inputs are planar partitions, so the pairwise intersections, the parts of ``after``
    outside every ``before`` piece and the parts of ``before`` outside every ``after`` piece
    never overlap one another.
    """
    out: list[tuple[BaseGeometry, Holding | None, Holding | None]] = []
    b_geoms = np.asarray([p.geometry for p in before], dtype=object)
    a_geoms = np.asarray([p.geometry for p in after], dtype=object)
    pairs = np.empty((2, 0), dtype=int)
    if len(before) and len(after):
        tree = shapely.STRtree(b_geoms)
        pairs = tree.query(a_geoms, predicate="intersects")
    touching_after: dict[int, list[int]] = {}
    touching_before: dict[int, list[int]] = {}
    differing: list[tuple[int, int]] = []
    for ia, ib in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
        touching_after.setdefault(ia, []).append(ib)
        touching_before.setdefault(ib, []).append(ia)
        if _key(after[ia].holding) != _key(before[ib].holding):
            differing.append((ia, ib))
    if differing:
        ia_arr = np.asarray([d[0] for d in differing])
        ib_arr = np.asarray([d[1] for d in differing])
        inters = shapely.intersection(a_geoms[ia_arr], b_geoms[ib_arr], grid_size=GRID_DEG)
        for (ia, ib), geom in zip(differing, inters, strict=True):
            region = _clean(geom)
            if region is not None:
                out.append((region, before[ib].holding, after[ia].holding))
    # Ground claimed on one date and on no piece of the other.
    for own, others, index, is_after in (
        (a_geoms, b_geoms, touching_after, True),
        (b_geoms, a_geoms, touching_before, False),
    ):
        pieces = after if is_after else before
        for i, geom in enumerate(own):
            near = index.get(i)
            rest = (
                geom
                if not near
                else shapely.difference(
                    geom, shapely.union_all(others[near], grid_size=GRID_DEG), grid_size=GRID_DEG
                )
            )
            region = _clean(rest)
            if region is None:
                continue
            holding = pieces[i].holding
            out.append((region, None, holding) if is_after else (region, holding, None))
    return out


def diff(
    claims: Sequence[Claim],
    d1: dt.date,
    d2: dt.date,
    *,
    include_claimed: bool = True,
    resolver: Resolver | None = None,
) -> list[Change]:
    """Areas that changed hands, status or extent between two dates, largest first.

    Parameters
    ----------
    claims : sequence of Claim
        All claims; only approved, unretracted ones count (as in resolution).
    d1, d2 : datetime.date
        The earlier ("from") and later ("to") dates. Swapped dates give the reverse diff.
    include_claimed : bool
        Whether unconfirmed (``claimed``) evidence counts.
    resolver : Resolver, optional
        A resolver over the same claims to reuse (the app keeps one); made here if None.

    Returns
    -------
    list of Change
        Disjoint regions, dissolved by (from, to, evidence); partial to full control, or
        unclaimed to claimed, is a change like any other.
    """
    if resolver is None:
        resolver = Resolver(claims, include_claimed=include_claimed)
    by_id = {c.id or 0: c for c in claims}
    groups: dict[tuple[Any, ...], list[BaseGeometry]] = {}
    first: dict[tuple[Any, ...], tuple[Holding | None, Holding | None]] = {}
    for geom, old, new in _overlay(resolver.at(d1), resolver.at(d2)):
        evidence = new.claim_ids if new is not None else old.claim_ids if old else ()
        group = (_key(old), _key(new), evidence)
        groups.setdefault(group, []).append(geom)
        first.setdefault(group, (old, new))
    merged = [
        polygonal(geoms[0] if len(geoms) == 1 else shapely.union_all(geoms, grid_size=GRID_DEG))
        for geoms in groups.values()
    ]
    areas = areas_km2([g for g in merged if g is not None])
    changes: list[Change] = []
    area_iter = iter(areas.tolist())
    for (old_key, new_key, evidence), geom in zip(groups, merged, strict=True):
        if geom is None:
            continue
        old, new = first[(old_key, new_key, evidence)]
        changes.append(
            Change(
                geometry=geom,
                from_actor=old_key[0] if old_key else None,
                from_status=old_key[1] if old_key else None,
                from_extent=old_key[2] if old_key else None,
                to_actor=new_key[0] if new_key else None,
                to_status=new_key[1] if new_key else None,
                to_extent=new_key[2] if new_key else None,
                area_km2=float(next(area_iter)),
                claim_ids=tuple(evidence),
                sources=_citations_of(evidence, by_id),
                place_ids=_places_of(evidence, by_id),
                since=new.since if new is not None else None,
            )
        )
    changes.sort(key=lambda c: (-c.area_km2, c.to_actor or "", c.claim_ids))
    return changes


def change_properties(change: Change, registry: ActorRegistry) -> dict[str, Any]:
    """The properties of one diff feature, as ``controlmap diff`` prints them."""
    return {
        "from_actor": change.from_actor,
        "from_actor_name": registry.name_of(change.from_actor) if change.from_actor else None,
        "from_status": change.from_status,
        "from_extent": change.from_extent,
        "to_actor": change.to_actor,
        "to_actor_name": registry.name_of(change.to_actor) if change.to_actor else None,
        "to_status": change.to_status,
        "to_extent": change.to_extent,
        "changed_hands": change.changed_hands,
        "since": change.since.isoformat() if change.since else None,
        "area_km2": round(change.area_km2, 3),
        "claim_ids": list(change.claim_ids),
        "places": [place_name(p) for p in change.place_ids],
        "place_ids": list(change.place_ids),
        "sources": [source_dict(c) for c in change.sources],
    }


def diff_collection(
    changes: Sequence[Change],
    registry: ActorRegistry,
    d1: dt.date,
    d2: dt.date,
    *,
    digits: int = 6,
) -> dict[str, Any]:
    """The changes as a GeoJSON FeatureCollection (``from`` and ``to`` dates at the top).

    Parameters
    ----------
    changes : sequence of Change
        From :func:`diff`.
    registry : ActorRegistry
        For actor names.
    d1, d2 : datetime.date
        The dates compared.
    digits : int
        Decimal places kept in coordinates (6 is about 0.1 m).

    Returns
    -------
    dict
        A FeatureCollection whose features carry :func:`change_properties`.
    """
    shapes = [rounded(c.geometry, digits) for c in changes]
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shape),
            "properties": change_properties(c, registry),
        }
        for c, shape in zip(changes, shapes, strict=True)
        if not shape.is_empty  # thinner than the grid: nothing left to draw
    ]
    return {
        "type": "FeatureCollection",
        "from": d1.isoformat(),
        "to": d2.isoformat(),
        "features": features,
    }


def held_km2(pieces: Iterable[Piece]) -> dict[str, float]:
    """Area held per actor (every piece whose ``actor`` it is: full, partial, contested).

    Parameters
    ----------
    pieces : iterable of Piece
        A resolved map.

    Returns
    -------
    dict
        Actor id to km^2.
    """
    out: dict[str, float] = {}
    for p in pieces:
        out[p.actor] = out.get(p.actor, 0.0) + p.area_km2
    return out


def gains_losses(changes: Iterable[Change]) -> dict[str, Balance]:
    """Km^2 each actor gained and lost across the changes of a :func:`diff`.

    Only changes of actor count as gained or lost: a change of status or extent under the
    same actor moves no area between actors (it is reported as consolidated or weakened).
    With the module's convention for "held", for every actor
    ``gained - lost == held_km2(at d2) - held_km2(at d1)``.

    Parameters
    ----------
    changes : iterable of Change

    Returns
    -------
    dict
        Actor id to Balance, for every actor named by a change.
    """
    gained: dict[str, float] = {}
    lost: dict[str, float] = {}
    firmer: dict[str, float] = {}
    weaker: dict[str, float] = {}

    def add(into: dict[str, float], actor: str | None, area: float) -> None:
        if actor is not None:
            into[actor] = into.get(actor, 0.0) + area

    for c in changes:
        if c.changed_hands:
            add(gained, c.to_actor, c.area_km2)
            add(lost, c.from_actor, c.area_km2)
            continue
        was_full = (c.from_status, c.from_extent) == ("control", "all")
        now_full = (c.to_status, c.to_extent) == ("control", "all")
        if now_full and not was_full:
            add(firmer, c.to_actor, c.area_km2)
        elif was_full and not now_full:
            add(weaker, c.to_actor, c.area_km2)
    return {
        a: Balance(a, gained.get(a, 0.0), lost.get(a, 0.0), firmer.get(a, 0.0), weaker.get(a, 0.0))
        for a in sorted({*gained, *lost, *firmer, *weaker})
    }


# --- area over time --------------------------------------------------------------------------


def _slot(holding: Holding) -> int:
    """0 full, 1 partial, 2 contested."""
    return 2 if holding.status == "contested" else 1 if holding.partial else 0


class _FragmentAreas:
    """Area per actor and kind straight from the resolver's canvas, skipping the dissolve.

    The canvas is a planar partition of fragments, so summing fragment areas gives the
    areas of the dissolved pieces; the dissolve, the citations and the sorting that
    ``Resolver.at`` adds cost two thirds of the time and the statistics need none of them.
    Fragments are shared between dates, so their areas are computed once.
    """

    def __init__(self, resolver: Resolver):
        self.resolver = resolver
        # id -> (fragment, km^2); the fragment is kept so its id is not reused.
        self.areas: dict[int, tuple[BaseGeometry, float]] = {}

    def split(self, day: dt.date) -> dict[str, list[float]]:
        canvas = self.resolver.canvas(day)
        live = [(g, h) for g, h in zip(canvas.geoms, canvas.holdings, strict=True) if g is not None]
        todo = [g for g, _ in live if id(g) not in self.areas]
        for g, a in zip(todo, areas_km2(todo).tolist() if todo else [], strict=True):
            self.areas[id(g)] = (g, a)
        out: dict[str, list[float]] = {}
        for g, holding in live:
            out.setdefault(holding.actor, [0.0, 0.0, 0.0])[_slot(holding)] += self.areas[id(g)][1]
        return out


def stats(
    claims: Sequence[Claim],
    *,
    include_claimed: bool = True,
    registry: ActorRegistry | None = None,
    resolver: Resolver | None = None,
) -> list[StatRow]:
    """Km^2 held by each actor on every date the map changes, split full/partial/contested.

    Parameters
    ----------
    claims : sequence of Claim
    include_claimed : bool
        Whether unconfirmed (``claimed``) evidence counts.
    registry : ActorRegistry, optional
        For ``actor_name``; the id is used without it.
    resolver : Resolver, optional
        A resolver over the same claims to reuse; made here if None.

    Returns
    -------
    list of StatRow
        One row per (date, actor) for every actor that holds ground on any date (zeros
        included, so a chart's lines drop to zero instead of stopping), by date then actor.
    """
    counted = [c for c in claims if include_claimed or c.confidence == "assessed"]
    if resolver is None:
        # Checkpoints every 50 claims: each date then paints only the claims since the last.
        resolver = Resolver(counted, include_claimed=include_claimed, checkpoint_every=50)
    fragments = _FragmentAreas(resolver)
    per_day = [(day, fragments.split(day)) for day in change_dates(counted)]
    actors = sorted({a for _, split in per_day for a in split})
    rows = []
    for day, split in per_day:
        for actor in actors:
            full, partial, contested = split.get(actor, (0.0, 0.0, 0.0))
            rows.append(
                StatRow(
                    day,
                    actor,
                    registry.name_of(actor) if registry else actor,
                    *(full, partial, contested),
                )
            )
    return rows


STATS_COLUMNS = (
    "date",
    "actor",
    "actor_name",
    "full_km2",
    "partial_km2",
    "contested_km2",
    "total_km2",
)


def stats_csv(rows: Iterable[StatRow]) -> str:
    """The rows of :func:`stats` as CSV text with a header (``STATS_COLUMNS``), km^2 to 3 dp.

    Parameters
    ----------
    rows : iterable of StatRow

    Returns
    -------
    str
        Lines end in ``\\n`` (friendlier on stdout than the csv module's default ``\\r\\n``).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATS_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.date.isoformat(),
                r.actor,
                r.actor_name,
                f"{r.full_km2:.3f}",
                f"{r.partial_km2:.3f}",
                f"{r.contested_km2:.3f}",
                f"{r.total_km2:.3f}",
            ]
        )
    return out.getvalue()


def control_changes(
    claims: Sequence[Claim], registry: ActorRegistry, *, include_claimed: bool = True
) -> list[ControlEvent]:
    """Every claim that is in the evidence, in the order resolution paints them.

    Parameters
    ----------
    claims : sequence of Claim
        Only approved, unretracted claims are listed.
    registry : ActorRegistry
        For actor names.
    include_claimed : bool
        Whether unconfirmed (``claimed``) claims are listed.

    Returns
    -------
    list of ControlEvent
        By date (then assessed before claimed, then id), each with its citations.
    """
    chosen = sorted(
        (c for c in claims if in_evidence(c, include_claimed=include_claimed)),
        key=evidence_order,
    )
    return [
        ControlEvent(
            date=c.observed_on,
            place=place_name(c.place_id),
            place_id=c.place_id,
            actor=c.actor,
            actor_name=registry.name_of(c.actor),
            status=c.status,
            extent=c.extent,
            confidence=c.confidence,
            claim_id=c.id or 0,
            citations=c.citations,
            valid_until=c.valid_until,
        )
        for c in chosen
    ]
