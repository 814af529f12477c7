"""The date-dependent layer: resolved pieces with their popups, as one folium FeatureGroup."""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
import shapely

from controlmap import geo
from controlmap.export import piece_properties
from controlmap.geo import place_name
from controlmap.geometry import for_display, polygonal
from controlmap.model import ActorRegistry, Citation, Claim
from controlmap.render import popups, safe, style
from controlmap.resolve import Piece
from controlmap.words import counted

# Pieces smaller than this also get a dot, so a town stays visible when zoomed out.
MARKER_BELOW_KM2 = 400.0
# Past this many pieces a date is drawn grouped by look (see _grouped_items).
DETAIL_LIMIT = 600
GROUPED_TOLERANCE = 0.005  # degrees, about 500 m: under a pixel at province scale
GROUPED_DIGITS = 3
GROUP_SOURCES_SHOWN = 8
# Merged outlines of groups kept, by their members: from one date to the next most groups
# keep every member, so their outline is not simplified and merged again. Bounded (about two
# dates' groups at 10,000 claims), so memory does not grow with the dates drawn.
GROUPS_CACHED = 1024
_merged: OrderedDict[tuple[int, ...], dict[str, Any]] = OrderedDict()
_merged_lock = threading.Lock()
# A group is merged in two steps: its members in each cell of this grid (degrees, about
# 50 km), then those blocks. A step that changes one member of a group of a thousand merges
# again only its cell's block (cached, bounded like the groups) and the blocks; merging by
# cells is also about four times faster than merging all members at once, same outline.
GROUP_CELL = 0.5
BLOCKS_CACHED = 8192
_blocks: OrderedDict[tuple[int, ...], Any] = OrderedDict()
# Group popups, by what they say with the evidence age left out (it goes in its place).
_popups: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_AGE = "\x00age\x00"
EXTENT_WORDS = {
    "all": "all of this area",
    "most": "most of this area",
    "part": "part of this area",
    "unknown": "an unknown share of this area",
}


@dataclass(frozen=True)
class NumberedSource:
    number: int
    citation: Citation
    actors: tuple[str, ...]


def number_sources(pieces: Sequence[Piece], registry: ActorRegistry) -> list[NumberedSource]:
    """Every citation behind the drawn pieces, numbered once, in the order pieces are listed."""
    order: dict[tuple[Any, ...], tuple[Citation, list[str]]] = {}
    for piece in pieces:
        for c in piece.citations:
            key = (c.source.key, c.excerpt)
            entry = order.setdefault(key, (c, []))
            name = registry.name_of(piece.actor)
            if name not in entry[1]:
                entry[1].append(name)
    return [
        NumberedSource(i, c, tuple(names)) for i, (c, names) in enumerate(order.values(), start=1)
    ]


def _holder(registry: ActorRegistry, actor_id: str | None) -> str:
    return registry.name_of(actor_id) if actor_id else "no earlier claim"


def _area_note(claim: Claim) -> str:
    """Say so when the area drawn is the gazetteer's approximate footprint of the place."""
    try:
        footprint = geo.footprint(claim.place_id or "")
    except (geo.UnknownPlace, FileNotFoundError, KeyError):
        return ""
    if footprint.approximate and claim.geometry.equals_exact(footprint.geometry, 1e-4):
        return " (approximate area: the place has no outline in the sources)"
    return ""


def age_phrase(days: int) -> str:
    """How old evidence is, in words: "5 days old", "3 months old (95 days)"."""
    if days < 0:
        return "dated after this day"
    if days < 60:
        return f"{counted(days, 'day')} old"
    if days < 730:
        return f"{days // 30} months old ({days} days)"
    return f"{days / 365.25:.1f} years old ({days} days)"


def summary(props: dict[str, Any], registry: ActorRegistry) -> str:
    """One line: who, what, since when (plain text, escaped by the caller)."""
    name = props["actor_name"]
    if props["status"] == "contested":
        parties = " and ".join(registry.name_of(a) for a in props["parties"]) or name
        head = f"Contested: {parties}"
    elif props["partial"]:
        head = f"{name}: {props['status']} of {EXTENT_WORDS[props['extent']]}"
    else:
        head = f"{name}: {props['status']}"
    return f"{head} (since {props['since']}, evidence {age_phrase(props['evidence_age_days'])})"


def popup_html(
    props: dict[str, Any],
    piece: Piece,
    numbers: dict[tuple[Any, ...], int],
    registry: ActorRegistry,
) -> str:
    actor = registry.get(props["actor"])
    return popups.render(
        "piece.j2",
        props=props,
        colour=actor.colour if actor else "#999999",
        parties=", ".join(registry.name_of(a) for a in props["parties"]),
        extent_words=EXTENT_WORDS.get(props["extent"], props["extent"]),
        holder=_holder(registry, props["previous"]),
        age=age_phrase(props["evidence_age_days"]),
        confidence=(
            "claimed by one party, not independently confirmed"
            if props["confidence"] == "claimed"
            else "assessed"
        ),
        claims=[
            {"place": place_name(c.place_id), "area_note": _area_note(c), "notes": c.notes}
            for c in piece.claims[-2:]
        ],
        citations=[(numbers[(c.source.key, c.excerpt)], c) for c in piece.citations],
    )


def _detail_items(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, look: style.Look
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One feature per piece with its own popup, and a dot on every small piece."""
    colours = {a.id: a.colour for a in registry}
    numbers = {
        (n.citation.source.key, n.citation.excerpt): n.number
        for n in number_sources(pieces, registry)
    }
    features, markers = [], []
    drawn = for_display([p.geometry for p in pieces])
    for i, piece in enumerate(pieces):
        props = piece_properties(piece, registry, day)
        shown = {
            # Only escaped text reaches the page; raw data stays in Python.
            "actor": safe.text(props["actor"]),
            "status": props["status"],
            "extent": props["extent"],
            "since": props["since"],
            "tooltip": safe.text(summary(props, registry)),
            "popup": popup_html(props, piece, numbers, registry),
        }
        features.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": shapely.geometry.mapping(drawn[i]),
                "properties": {**shown, "style": style.piece_style(props, colours, look)},
            }
        )
        if piece.area_km2 < MARKER_BELOW_KM2:
            # A town is a few pixels wide at province scale: a dot keeps it visible.
            point = piece.geometry.representative_point()
            markers.append(
                {
                    "type": "Feature",
                    "id": f"m{i}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(point.x, 5), round(point.y, 5)],
                    },
                    "properties": {**shown, "style": style.marker_style(props, colours, look)},
                }
            )
    return features, markers


def _grouped_items(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, look: style.Look
) -> list[dict[str, Any]]:
    """Past DETAIL_LIMIT pieces, one feature per way of looking: what scales in a browser is
    fewer, simpler shapes. Each popup summarises its group; the sources panel lists all.

    A group's popup names its newest sources without their numbers in the sources panel:
    those move whenever a citation anywhere on the map comes or goes, which would change
    every group's popup, and so the date layer sent, on every slider step."""
    colours = {a.id: a.colour for a in registry}
    groups: dict[tuple[Any, ...], list[Piece]] = {}
    for piece in pieces:
        # The look of a piece straight from its holding: the full properties (with every
        # source) are worked out once per group, not for each of thousands of pieces.
        h = piece.holding
        stale = look.fade_stale and piece.age_days(day) > look.stale_days
        key = (h.actor, h.status, h.extent, h.previous, h.confidence, tuple(h.parties), stale)
        groups.setdefault(key, []).append(piece)
    features = []
    for i, members in enumerate(groups.values()):
        first = piece_properties(members[0], registry, day)
        since = sorted(piece.since.isoformat() for piece in members)
        ages = [piece.age_days(day) for piece in members]
        props = {**first, "since": since[-1], "evidence_age_days": min(ages)}
        area = sum(piece.area_km2 for piece in members)
        citations: dict[tuple[Any, ...], Citation] = {}
        for piece in sorted(members, key=lambda m: m.since, reverse=True):
            for c in piece.citations:
                citations.setdefault((c.source.key, c.excerpt), c)
        head = summary({**props, "since": since[-1]}, registry)
        listed = tuple(c for _, c in list(citations.items())[:GROUP_SOURCES_SHOWN])
        # Made once per group and look: only the evidence age changes from day to day.
        phrase = f"evidence {age_phrase(props['evidence_age_days'])}"
        more = len(citations) - len(listed)
        wanted = (head.replace(phrase, _AGE), len(members), area, since[0], since[-1], listed, more)
        popup = _cached(_popups, wanted)
        if popup is None:
            popup = popups.render(
                "group.j2",
                head=wanted[0],
                count=len(members),
                area_km2=area,
                first=since[0],
                last=since[-1],
                citations=listed,
                more=more,
            )
            _keep(_popups, wanted, popup, GROUPS_CACHED)
        popup = popup.replace(_AGE, phrase)
        features.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": _merged_outline([piece.geometry for piece in members]),
                "properties": {
                    "actor": safe.text(first["actor"]),
                    "status": first["status"],
                    "extent": first["extent"],
                    "since": since[-1],
                    "tooltip": safe.text(f"{head}; {len(members):,} areas"),
                    "popup": popup,
                    "style": style.piece_style(props, colours, look),
                },
            }
        )
    return features


def _merged_outline(geoms: list[Any]) -> dict[str, Any]:
    """The GeoJSON outline of a group: its members simplified, rounded and merged. The same
    members give the same dict (cached), which the date layer then finds unchanged."""
    hashes = [hash(wkb) for wkb in shapely.to_wkb(geoms)]
    key = tuple(sorted(hashes))
    found = _cached(_merged, key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    cells: dict[tuple[int, int], list[tuple[int, Any]]] = {}
    for h, geom, (x, y) in zip(hashes, geoms, shapely.bounds(geoms)[:, :2], strict=True):
        cell = (math.floor(x / GROUP_CELL), math.floor(y / GROUP_CELL))
        cells.setdefault(cell, []).append((h, geom))
    blocks = _blocks_of(list(cells.values()))
    # Neighbours of one look share edges: a MultiPolygon of them is not valid, their union
    # snapped to the display grid is. (A union in floating point, then snapped, is about
    # three times faster than a union on the grid, with the same outline.)
    merged = polygonal(shapely.set_precision(shapely.union_all(blocks), 10.0**-GROUPED_DIGITS))
    # to_geojson runs in GEOS; building the dict in Python was the slow step here.
    outline: dict[str, Any] = json.loads(shapely.to_geojson(merged or shapely.MultiPolygon()))
    _keep(_merged, key, outline, GROUPS_CACHED)
    return outline


def _blocks_of(cells: list[list[tuple[int, Any]]]) -> list[Any]:
    """The merged members of each cell (cached by members), the missing ones simplified and
    rounded in one call: most cells of a scattered group hold one or two members, and a
    call per cell cost more than the work."""
    keys = [tuple(sorted(h for h, _ in members)) for members in cells]
    blocks = [_cached(_blocks, key) for key in keys]
    todo = [i for i, block in enumerate(blocks) if block is None]
    if not todo:
        return blocks
    shown = for_display([g for i in todo for _, g in cells[i]], GROUPED_TOLERANCE, GROUPED_DIGITS)
    at = 0
    for i in todo:
        parts = shapely.get_parts(shown[at : at + len(cells[i])])
        at += len(cells[i])
        polygons = [g for g in parts if g.geom_type == "Polygon" and not g.is_empty]
        # Merged in floating point: the group's outline is snapped to the grid once its
        # blocks are merged.
        blocks[i] = polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)
        _keep(_blocks, keys[i], blocks[i], BLOCKS_CACHED)
    return blocks


def _cached(cache: OrderedDict[Any, Any], key: tuple[Any, ...]) -> Any:
    with _merged_lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
        return found


def _keep(cache: OrderedDict[Any, Any], key: tuple[Any, ...], value: Any, n: int) -> None:
    with _merged_lock:
        cache[key] = value
        while len(cache) > n:
            cache.popitem(last=False)


def layer_features(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, look: style.Look
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The GeoJSON features (areas, town dots) that draw ``pieces``: the costly part of a
    layer, kept apart so the app can cache and prefetch it."""
    if len(pieces) > DETAIL_LIMIT:
        return _grouped_items(pieces, registry, day, look), []
    return _detail_items(pieces, registry, day, look)


def feature_group(
    features: list[dict[str, Any]], markers: list[dict[str, Any]], *, name: str = "Control"
) -> folium.FeatureGroup:
    """A FeatureGroup for ``st_folium(feature_group_to_add=)``, built from layer_features."""
    group = folium.FeatureGroup(name=name)
    if markers:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": markers},
            name=f"{name} (markers)",
            marker=folium.CircleMarker(radius=7),
            style_function=lambda f: f["properties"]["style"],
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=380),
        ).add_to(group)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=name,
            style_function=lambda f: f["properties"]["style"],
            highlight_function=lambda _f: {"weight": 4},
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=380),
            smooth_factor=0.5,
        ).add_to(group)
    return group


def state_layer(
    pieces: Sequence[Piece],
    registry: ActorRegistry,
    day: dt.date,
    look: style.Look,
    *,
    name: str = "Control",
) -> folium.FeatureGroup:
    """The resolved map of ``day`` as a FeatureGroup for ``st_folium(feature_group_to_add=)``."""
    features, markers = layer_features(pieces, registry, day, look)
    return feature_group(features, markers, name=name)
