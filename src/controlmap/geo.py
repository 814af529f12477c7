"""Reference geography: admin units, gazetteer, place footprints and equal-area measures.

Everything here reads the installed geo packs (:mod:`controlmap.packs`: the bundled ones built
by ``scripts/build_geo.py`` and those users add) and never touches the network. The central
question it answers is "what area does a place name stand for?": an admin unit is its
boundary; a town is its urban outline when the sources have a trustworthy one, and otherwise
an honest, population-sized disc flagged as approximate.

Loaders are cached and return shared objects: treat them as read-only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import pi, sqrt
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from controlmap import packs, settings
from controlmap.geometry import area_km2

GRID = 1e-5  # same 5-decimal grid as the files in geo/

# A buffer stands for the built-up core, so it is sized at a dense-city figure: 6,000 people
# per km2, typical of the older cores of towns in arid river valleys.
BUFFER_DENSITY_PER_KM2 = 6000.0
MIN_BUFFER_KM2 = 3.0
MAX_BUFFER_KM2 = 150.0
# With no population figure the size comes from what kind of place it is.
DEFAULT_AREA_KM2: dict[str, float] = {"town": 8.0, "area": 40.0, "facility": 6.0}
FALLBACK_AREA_KM2 = 8.0
BUFFER_SEGMENTS = 16  # per quarter circle: smooth enough, few vertices
MIN_KEPT_FRACTION = 2 / 3  # see _clip_disc
SNAP_DEGREES = 0.02  # about 2 km: see _units_at

# Natural Earth's urban areas come from 2002-03 MODIS imagery and include low-density
# sprawl, so their plausibility test uses a sprawl density, not the buffer's core density.
# An outline more than 4x the area that density implies belongs to something bigger than the
# town (an industrial complex next to a small town, for instance).
URBAN_SPRAWL_DENSITY_PER_KM2 = 1500.0
URBAN_MAX_FACTOR = 4.0

ARTICLE = re.compile(r"^(?:al|el|ar|as|ad|an|at|az|ash|ath|adh)\s+")
ARABIC_ARTICLE = re.compile(r"^ال(?=\S{2,})")
APOSTROPHES = re.compile(r"[’‘`'ʿʾʼ´]")
SEPARATORS = re.compile(r"[\s\-_.,/()]+")
ARABIC_FOLDS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None}
)

Areal: TypeAlias = Polygon | MultiPolygon


class UnknownPlace(LookupError):
    """A place id that is malformed or names nothing in the bundled reference data."""


@dataclass(frozen=True)
class Footprint:
    """The area a place stands for, in EPSG:4326, and how it was obtained."""

    place_id: str
    name: str
    geometry: Areal
    approximate: bool
    method: str  # "admin-boundary" | "urban-area" | "population-buffer" | "hand-placed-buffer"


# --- loaders -------------------------------------------------------------------------------


def geo_dir() -> Path:
    """The folder of bundled packs: the packaged geo/, or ``CONTROLMAP_GEO``."""
    return settings.current().bundled_geo


_seen_packs: object = None


def _sync() -> None:
    """Forget what was read from the packs when a pack was added or replaced since."""
    global _seen_packs
    now = packs.signature()
    if now != _seen_packs:
        for cached in (
            _read_admin,
            _gazetteer,
            _extra_places,
            _urban,
            _footprint,
            _name_index,
            _label_names,
            _place_name,
        ):
            cached.cache_clear()
        _seen_packs = now


def admin_kinds() -> dict[str, tuple[packs.Pack, packs.Layer]]:
    """Admin layers by their place-id prefix, across every installed pack."""
    out: dict[str, tuple[packs.Pack, packs.Layer]] = {}
    for pack, layer in packs.layers("admin"):
        if layer.id_prefix:
            out.setdefault(layer.id_prefix, (pack, layer))
    return out


def admin_layer(kind: str) -> gpd.GeoDataFrame:
    """One admin layer by its place-id prefix (e.g. the pack's ``xx-adm2``), indexed by id."""
    _sync()
    kinds = admin_kinds()
    if kind not in kinds:
        raise UnknownPlace(f"unknown admin layer {kind!r}; expected one of {sorted(kinds)}")
    pack, layer = kinds[kind]
    return _read_admin(str(pack.path(layer.file)), layer.id_field, layer.name_field, layer.level)


@lru_cache(maxsize=32)
def _read_admin(path: str, id_field: str, name_field: str, level: int | None) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path)
    frame["id"] = frame[id_field].astype(str)
    frame["name"] = frame[name_field].astype(str)
    if "level" not in frame.columns:
        frame["level"] = level
    return frame.set_index("id", drop=False)


def _points(path: Path) -> pd.DataFrame:
    """A table of places with lat, lon and population (missing population: 0)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["lat"] = frame["lat"].astype(float)
    frame["lon"] = frame["lon"].astype(float)
    population = pd.to_numeric(frame["population"], errors="coerce").fillna(0)
    frame["population"] = population.astype(int)
    return frame


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


@lru_cache(maxsize=4)
def _gazetteer(signature: tuple[str, ...]) -> pd.DataFrame:
    frame = _concat([_points(Path(p)) for p in signature], ["geonameid", "lat", "lon"])
    frame = frame.drop_duplicates("geonameid")
    return frame.set_index("geonameid", drop=False)


def gazetteer() -> pd.DataFrame:
    """The packs' own place tables (format "controlmap"), indexed by geonameid (as text)."""
    _sync()
    files = tuple(str(path) for _, path, fmt in packs.gazetteers() if fmt == "controlmap")
    return _gazetteer(files)


@lru_cache(maxsize=4)
def _extra_places(signature: tuple[str, ...]) -> pd.DataFrame:
    frame = _concat([_points(Path(p)) for p in signature], ["place_id", "lat", "lon"])
    frame["slug"] = frame["place_id"].str.removeprefix("extra:")
    return frame.set_index("slug", drop=False)


def extra_places() -> pd.DataFrame:
    """Hand-placed places missing from GeoNames, indexed by their slug (after "extra:")."""
    _sync()
    files = tuple(
        str(pack.path(pack.extra_places)) for pack in packs.installed() if pack.extra_places
    )
    return _extra_places(files)


@lru_cache(maxsize=4)
def _urban(signature: tuple[str, ...]) -> gpd.GeoDataFrame:
    frames = [gpd.read_file(p) for p in signature]
    if not frames:
        return gpd.GeoDataFrame({"place_id": [], "area_km2": []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def urban_areas() -> gpd.GeoDataFrame:
    """Built-up outlines of every pack, each labelled with the town inside, detailed first."""
    _sync()
    return _urban(tuple(str(pack.path(layer.file)) for pack, layer in packs.layers("urban")))


# --- measures ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _transformer(source: int | str, target: int | str) -> Transformer:
    return Transformer.from_crs(
        CRS.from_user_input(source), CRS.from_user_input(target), always_xy=True
    )


def _reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


# --- geometry helpers ----------------------------------------------------------------------


def _areal(geom: BaseGeometry | None) -> Areal | None:
    """Only the polygonal parts: intersections can leave slivers of lines and points."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polys: list[Polygon] = []
    for part in getattr(geom, "geoms", []):
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _on_grid(geom: Areal) -> Areal:
    """Snap to the 5-decimal grid of geo/, which keeps the polygon valid."""
    snapped = _areal(shapely.set_precision(geom, GRID))
    return snapped if snapped is not None else geom


def disc(lon: float, lat: float, area: float) -> Polygon:
    """A circle of ``area`` km^2 around a lon/lat point, as an EPSG:4326 polygon.

    Built in an azimuthal equidistant projection centred on the point, where distances from
    the centre are exact, so the disc is round on the ground rather than in degrees.
    """
    local = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs"
    radius_m = sqrt(area / pi) * 1000.0
    circle = Point(0.0, 0.0).buffer(radius_m, quad_segs=BUFFER_SEGMENTS)
    back = _reproject(circle, _transformer(local, 4326))
    if not isinstance(back, Polygon):
        raise TypeError(f"reprojecting a circle gave a {back.geom_type}")
    return back


def buffer_area_km2(population: int, kind: str = "town") -> float:
    """Target area of an approximate footprint: population-scaled, clamped, else by kind."""
    if population > 0:
        return min(max(population / BUFFER_DENSITY_PER_KM2, MIN_BUFFER_KM2), MAX_BUFFER_KM2)
    return DEFAULT_AREA_KM2.get(kind, FALLBACK_AREA_KM2)


def _clip(geom: Areal, container: Areal | None) -> Areal:
    """Clip to the containing admin unit; keep the unclipped shape if nothing would remain."""
    if container is None:
        return geom
    clipped = _areal(geom.intersection(container))
    return clipped if clipped is not None else geom


def _clip_disc(circle: Polygon, units: Sequence[Areal | None]) -> Areal:
    """Clip a disc to the smallest admin unit that keeps most of it.

    A disc centred on a town loses more than a third of itself only when the point lies on
    the unit's edge (within about a quarter of the radius), typically a river that is both
    the sub-district border and the middle of town, with the gazetteer point on the river.
    The point cannot tell which bank the town is on, so the next level up (the district) is
    used instead of keeping half a town on the wrong bank.
    """
    target = area_km2(circle)
    clipped: Areal = circle
    for unit in units:
        if unit is None:
            continue
        clipped = _clip(circle, unit)
        if area_km2(clipped) >= MIN_KEPT_FRACTION * target:
            return clipped
    return clipped


def _units_at(lon: float, lat: float) -> list[Areal | None]:
    """The admin units around a point, smallest first, for _clip_disc.

    Taken from the most detailed pack that has a unit there, its two lowest levels (a
    sub-district, then its district): the world's admin-1 only where no pack has better. A
    point up to SNAP_DEGREES outside every unit of a pack (a coastal or border town against a
    simplified edge) gets the nearest one.
    """
    point = Point(lon, lat)
    by_pack: dict[str, list[tuple[int, Areal]]] = {}
    order: list[str] = []
    for pack, layer in packs.layers("admin"):
        if not layer.id_prefix:
            continue
        frame = admin_layer(layer.id_prefix)
        near = frame.iloc[frame.sindex.query(point.buffer(SNAP_DEGREES), predicate="intersects")]
        if near.empty:
            continue
        inside = near[near.contains(point)]
        nearest = int(np.argmin(shapely.distance(near.geometry.values, point)))
        chosen = inside if not inside.empty else near.iloc[[nearest]]
        if pack.name not in by_pack:
            order.append(pack.name)
        by_pack.setdefault(pack.name, []).append((int(layer.level or 0), chosen.iloc[0].geometry))
    if not order:
        return []
    units = sorted(by_pack[order[0]], key=lambda unit: -unit[0])
    return [geom for _, geom in units[:2]]


def _plausible_urban(place_id: str, lon: float, lat: float, population: int) -> Areal | None:
    """The urban outline of this very town, if the sources have a believable one.

    The polygon must be labelled with this place (so it is not a bigger city's outline the
    point happens to fall in) and not absurdly large for the population.
    """
    urban = urban_areas()
    own = urban[(urban["place_id"] == place_id) & urban.contains(Point(lon, lat))]
    if own.empty or population <= 0:
        return None
    row = own.iloc[0]
    limit = URBAN_MAX_FACTOR * population / URBAN_SPRAWL_DENSITY_PER_KM2
    if float(row["area_km2"]) > limit:
        return None
    return _areal(row.geometry)


# --- footprints ----------------------------------------------------------------------------


def _admin_footprint(place_id: str, kind: str, pcode: str) -> Footprint:
    layer = admin_layer(kind)
    if pcode not in layer.index:
        raise UnknownPlace(f"unknown place id {place_id!r}: no {kind} unit {pcode!r}")
    row = layer.loc[pcode]
    geom = _areal(row["geometry"])
    if geom is None:
        raise UnknownPlace(f"place {place_id!r} has no polygon in {kind}")
    return Footprint(place_id, str(row["name"]), geom, approximate=False, method="admin-boundary")


def _geonames_point(place_id: str, geonameid: str) -> tuple[str, float, float, int]:
    """Name, lon, lat and population of a GeoNames place: from a pack's own place table, else
    from the geocoder's world gazetteer."""
    places = gazetteer()
    if geonameid in places.index:
        row = places.loc[geonameid]
        return str(row["name"]), float(row["lon"]), float(row["lat"]), int(row["population"])
    from controlmap import geocode  # the geocoder indexes every pack's gazetteer

    found = geocode.place(place_id)
    if found is None:
        raise UnknownPlace(f"unknown place id {place_id!r}: in no installed gazetteer")
    return found.name, found.lon, found.lat, found.population


def _geonames_footprint(place_id: str, geonameid: str) -> Footprint:
    name, lon, lat, population = _geonames_point(place_id, geonameid)
    units = _units_at(lon, lat)
    urban = _plausible_urban(place_id, lon, lat, population)
    if urban is not None:
        # A real outline is trimmed to the town's own unit: NE urban areas run on into
        # neighbouring towns along a valley.
        geom = _clip(urban, units[0] if units else None)
        return Footprint(place_id, name, _on_grid(geom), approximate=False, method="urban-area")
    circle = disc(lon, lat, buffer_area_km2(population))
    return Footprint(
        place_id,
        name,
        _on_grid(_clip_disc(circle, units)),
        approximate=True,
        method="population-buffer",
    )


def _extra_footprint(place_id: str, slug: str) -> Footprint:
    places = extra_places()
    if slug not in places.index:
        raise UnknownPlace(f"unknown place id {place_id!r}: in no pack's hand-placed places")
    row = places.loc[slug]
    lon, lat = float(row["lon"]), float(row["lat"])
    units = _units_at(lon, lat)
    circle = disc(lon, lat, buffer_area_km2(int(row["population"]), str(row["kind"])))
    return Footprint(
        place_id,
        str(row["name"]),
        _on_grid(_clip_disc(circle, units)),
        approximate=True,
        method="hand-placed-buffer",
    )


def place_id_forms() -> tuple[str, ...]:
    """The place ids understood, for error messages: admin prefixes come from the packs."""
    return ("geonames:<id>", "extra:<slug>", *(f"{k}:<id>" for k in admin_kinds()))


def footprint(place_id: str) -> Footprint:
    """The polygon a place id stands for. Raises UnknownPlace for anything unresolvable."""
    _sync()
    return _footprint(place_id)


@lru_cache(maxsize=1024)
def _footprint(place_id: str) -> Footprint:
    prefix, sep, key = place_id.partition(":")
    if not sep or not key:
        raise UnknownPlace(
            f"malformed place id {place_id!r}; expected one of {', '.join(place_id_forms())}"
        )
    if prefix == "geonames":
        return _geonames_footprint(place_id, key)
    if prefix == "extra":
        return _extra_footprint(place_id, key)
    if prefix in admin_kinds():
        return _admin_footprint(place_id, prefix, key)
    raise UnknownPlace(
        f"unknown place id prefix {prefix!r} in {place_id!r}; expected one of "
        f"{', '.join(place_id_forms())}"
    )


def place_point(place_id: str) -> Point:
    """The representative point of a place: its gazetteer point, or inside its polygon."""
    prefix, _, key = place_id.partition(":")
    if prefix == "geonames" and key in gazetteer().index:
        row = gazetteer().loc[key]
        return Point(float(row["lon"]), float(row["lat"]))
    if prefix == "extra" and key in extra_places().index:
        row = extra_places().loc[key]
        return Point(float(row["lon"]), float(row["lat"]))
    return footprint(place_id).geometry.representative_point()


# --- name lookup ---------------------------------------------------------------------------


def normalise_name(text: str) -> str:
    """Fold a place name so spelling variants compare equal.

    Drops diacritics, case, apostrophes and ayn marks, hyphens and a leading Arabic article
    (Latin "al-"/"el-"/"ar-" or Arabic "ال"), and folds Arabic alef/ta marbuta/ya variants:
    "Al Mā’ida", "al-Maida" and "Maida" all become "maida" (a made-up example).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    folded = stripped.casefold().translate(ARABIC_FOLDS)
    folded = APOSTROPHES.sub("", folded)
    folded = SEPARATORS.sub(" ", folded).strip()
    folded = ARTICLE.sub("", folded)
    return ARABIC_ARTICLE.sub("", folded)


def _gazetteer_names() -> Iterator[tuple[str, str, bool, int]]:
    """(place id, name, is primary name, population) for every gazetteer spelling."""
    for row in gazetteer().itertuples(index=False):
        place_id = f"geonames:{row.geonameid}"
        for name in (row.name, row.asciiname):
            yield place_id, name, True, row.population
        for name in f"{row.alternatenames}|{row.alternatenames_ar}".split("|"):
            yield place_id, name, False, row.population


def _extra_names() -> Iterator[tuple[str, str, bool, int]]:
    for row in extra_places().itertuples(index=False):
        yield row.place_id, row.name, True, row.population
        for alias in row.aliases.split("|"):
            yield row.place_id, alias, False, row.population


def _admin_names() -> Iterator[tuple[str, str, bool, int]]:
    for kind in admin_kinds():
        frame = admin_layer(kind)
        columns = [c for c in ("name", "name_ar") if c in frame.columns]
        for place_id, *names in zip(frame["id"], *(frame[c] for c in columns), strict=True):
            for name in names:
                if isinstance(name, str) and name:
                    yield f"{kind}:{place_id}", name, True, 0


@lru_cache(maxsize=1)
def _name_index() -> dict[str, list[tuple[tuple[int, int, int], str]]]:
    """Normalised name -> [(rank, place id)], rank sorting places first, then exact names."""
    index: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    sources: tuple[tuple[int, Callable[[], Iterator[tuple[str, str, bool, int]]]], ...] = (
        (0, _gazetteer_names),
        (0, _extra_names),
        (1, _admin_names),
    )
    for tier, names in sources:
        for place_id, name, primary, population in names():
            key = normalise_name(name) if name else ""
            if key:
                rank = (tier, 0 if primary else 1, -population)
                index.setdefault(key, []).append((rank, place_id))
    return index


def find_place(name: str) -> list[str]:
    """Place ids whose name or an alias equals ``name`` after normalisation, best first.

    Populated places come before admin units, a match on the main name before an alias
    match, bigger places before smaller. Exact lookup only: the geocoder does fuzzy search.
    """
    _sync()
    key = normalise_name(name)
    if not key:
        return []
    ranked = sorted(_name_index().get(key, []))
    seen: dict[str, None] = {}
    for _, place_id in ranked:
        seen.setdefault(place_id, None)
    return list(seen)


def label_names(*, timeline_only: bool = False) -> dict[str, str]:
    """The names the basemap labels places with, by place id.

    ``timeline_only`` keeps the places a pack marks as ``timeline`` (those of its dataset,
    whose usual English spelling is preferred over the gazetteer's transliteration)."""
    _sync()
    return _label_names(timeline_only)


@lru_cache(maxsize=2)
def _label_names(timeline_only: bool) -> dict[str, str]:
    names: dict[str, str] = {}
    for pack, layer in packs.layers("places"):
        with pack.path(layer.file).open(encoding="utf-8") as fh:
            data = json.load(fh)
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            if timeline_only and not props.get("timeline"):
                continue
            name = props.get(layer.name_field)
            if props.get("place_id") and name:
                names.setdefault(str(props["place_id"]), str(name))
    return names


def place_name(place_id: str | None) -> str:
    """A readable name for a place id (see :func:`_place_name`)."""
    _sync()
    return _place_name(place_id)


@lru_cache(maxsize=4096)
def _place_name(place_id: str | None) -> str:
    """A readable name for a place id; the id itself when the gazetteer does not know it.

    Parameters
    ----------
    place_id : str or None
        A place id such as ``geonames:<id>`` or ``<admin prefix of a pack>:<unit id>``.

    Returns
    -------
    str
        The label or gazetteer name; ``""`` for None.
    """
    if not place_id:
        return ""
    labels = label_names()
    if place_id in labels:
        return labels[place_id]

    prefix, _, key = place_id.partition(":")
    try:
        if prefix == "geonames":
            return str(gazetteer().loc[key, "name"])
        if prefix == "extra":
            return str(extra_places().loc[key, "name"])
        if prefix in admin_kinds():
            return str(admin_layer(prefix).loc[key, "name"])
    except (KeyError, FileNotFoundError, UnknownPlace):
        pass
    return place_id
