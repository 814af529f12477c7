"""The basemap of every installed pack, merged, simplified per zoom band and cut into tiles.

Both the web map and the server-side pictures draw from here, so they show the same land,
water, borders and names. Where a more detailed pack has a physical layer (land, lakes,
rivers, borders), the coarser packs' features of that kind are cut away inside its extent, so
the two never draw the same river twice.

The web map loads the result as static files (:func:`publish`): one JSON file per zoom band and
tile, fetched by URL once per session and cached by the browser, so the basemap is not sent
again on every slider step. Files live under a folder named by a hash of the installed packs,
so adding a pack gives new URLs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

from controlmap import packs

Signature = tuple[tuple[str, bool, int], ...]  # packs.signature(): the caches' key
PHYSICAL = ("land", "lakes", "rivers", "borders")
DRAWN = ("land", "lakes", "disputed", "admin", "rivers", "borders")
WORLD_BOX = (-180.0, -85.0, 180.0, 85.0)
MAX_LABEL_ZOOM = 10.0
FILES_FORMAT = 2  # bump when what publish() writes changes, so browsers fetch new files
ADMIN_SNAP = 0.02
KEEP_VERSIONS = 3  # degrees: unit edges of two packs this close are the same edge


@dataclass(frozen=True)
class Band:
    """A range of zoom levels drawn from one simplification of the layers."""

    name: str
    min_zoom: int
    max_zoom: int
    tile_degrees: float | None  # None: one file for the world
    tolerance: float  # degrees; 0 keeps the pack's own detail
    decimals: int
    admin_levels: tuple[int, ...]


BANDS: tuple[Band, ...] = (
    Band("b0", 0, 4, None, 0.06, 2, ()),
    Band("b1", 5, 6, 30.0, 0.012, 3, (1,)),
    Band("b2", 7, 18, 10.0, 0.0, 4, (1, 2, 3, 4)),
)


@dataclass(frozen=True)
class Label:
    lon: float
    lat: float
    name: str
    min_zoom: float
    population: int
    priority: int  # 0: a place the pack marks as its dataset's (``timeline``), else 1


def _signature() -> Signature:
    return packs.signature()


def _read(path: Path) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for feature in data.get("features", []):
        if feature.get("geometry"):
            geom = shapely.geometry.shape(feature["geometry"])
            if not geom.is_empty:
                out.append((geom, feature.get("properties") or {}))
    return out


@lru_cache(maxsize=4)
def _merged(signature: Signature) -> dict[str, list[tuple[BaseGeometry, dict]]]:
    """Kind -> [(geometry, properties)], with coarser packs cut away under detailed ones."""
    installed = packs.installed()
    out: dict[str, list[tuple[BaseGeometry, dict[str, Any]]]] = {k: [] for k in DRAWN}
    covered: dict[str, list[BaseGeometry]] = {k: [] for k in (*PHYSICAL, "admin")}
    for pack in installed:  # most detailed first
        admin_start = len(out["admin"])
        for layer in pack.layers:
            if layer.kind not in DRAWN:
                continue
            features = _read(pack.path(layer.file))
            if layer.kind == "admin":
                features = [(g, {**p, "level": layer.level}) for g, p in features]
            # Parts, not multi-geometries: a tile then touches only the parts inside it.
            features = [(part, p) for g, p in features for part in shapely.get_parts(g)]
            mask = covered.get(layer.kind)
            if mask:
                features = _cut_away(features, shapely.union_all(mask))
            out[layer.kind].extend(features)
        for kind in PHYSICAL:
            if pack.of_kind(kind):
                covered[kind].append(box(*pack.extent))
        # Admin units: a coarser pack's units give way only where this pack has units.
        units = [g for g, _ in out["admin"][admin_start:]]
        if units:
            covered["admin"].append(shapely.union_all(units).buffer(ADMIN_SNAP))
    return out


def _cut_away(
    features: list[tuple[BaseGeometry, dict[str, Any]]], hole: BaseGeometry
) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    """The features with ``hole`` removed (only those touching it are cut)."""
    out = []
    for geom, props in features:
        if geom.intersects(hole):
            geom = geom.difference(hole)
        for part in shapely.get_parts(geom):
            if not part.is_empty and part.geom_type in ("Polygon", "LineString"):
                out.append((part, props))
    return out


def features(kind: str) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    """Every installed pack's features of one kind (see the module docstring)."""
    return _merged(_signature())[kind]


def _min_zoom(props: dict[str, Any]) -> float:
    """NE places carry their own min_zoom; other packs' places get one from population."""
    if props.get("min_zoom") not in (None, ""):
        return float(props["min_zoom"])
    population = int(props.get("population") or 0)
    if props.get("timeline"):
        return 6.0
    for threshold, zoom in ((2_000_000, 4.0), (500_000, 5.0), (100_000, 6.0)):
        if population >= threshold:
            return zoom
    return 7.0


@lru_cache(maxsize=4)
def _labels(signature: Signature) -> tuple[Label, ...]:
    seen: set[str] = set()
    out: list[Label] = []
    for pack, layer in packs.layers("places"):
        for geom, props in _read(pack.path(layer.file)):
            name = str(props.get(layer.name_field) or "")
            place_id = str(props.get("place_id") or "")
            if not name or geom.geom_type != "Point" or (place_id and place_id in seen):
                continue
            if place_id:
                seen.add(place_id)
            out.append(
                Label(
                    round(geom.x, 4),
                    round(geom.y, 4),
                    name,
                    min(_min_zoom(props), MAX_LABEL_ZOOM),
                    int(props.get("population") or 0),
                    0 if props.get("timeline") else 1,
                )
            )
    # Importance order: what shows at the lowest zoom first, then the most populous.
    out.sort(key=lambda lb: (lb.min_zoom, lb.priority, -lb.population))
    return tuple(out)


def labels() -> tuple[Label, ...]:
    """Place labels of every pack, most important first, one per place."""
    return _labels(_signature())


# --- zoom bands and tiles ----------------------------------------------------------------------


def _keep(kind: str, props: dict[str, Any], band: Band) -> bool:
    if kind == "admin":
        return int(props.get("level") or 0) in band.admin_levels
    min_zoom = props.get("min_zoom")
    if kind in ("lakes", "rivers") and min_zoom not in (None, ""):
        return float(min_zoom) <= band.max_zoom + 1
    return True


def _geometry_json(geom: BaseGeometry, decimals: int) -> dict[str, Any] | None:
    grid = 10.0**-decimals
    snapped = shapely.set_precision(geom, grid, mode="pointwise")
    if snapped.is_empty:
        return None
    return mapping(snapped)


@dataclass(frozen=True)
class _Kept:
    """One kind's features kept for a band, pre-simplified, with a spatial index."""

    geoms: np.ndarray
    props: list[dict[str, Any]]
    tree: shapely.STRtree


@lru_cache(maxsize=16)
def _kept(band: Band, kind: str, signature: Signature) -> _Kept | None:
    rows = [(g, p) for g, p in _merged(signature)[kind] if _keep(kind, p, band)]
    if not rows:
        return None
    geoms = np.asarray([g for g, _ in rows], dtype=object)
    if band.tolerance:
        geoms = shapely.simplify(geoms, band.tolerance, preserve_topology=True)
    return _Kept(geoms, [p for _, p in rows], shapely.STRtree(geoms))


def _band_payload(band: Band, rect: tuple[float, float, float, float]) -> dict[str, list]:
    """Kind -> GeoJSON geometries (admin: keyed "admin<level>") inside ``rect``."""
    out: dict[str, list[dict[str, Any]]] = {}
    area = box(*rect)
    for kind in DRAWN:
        kept = _kept(band, kind, _signature())
        if kept is None:
            continue
        hit = kept.tree.query(area, predicate="intersects")
        if not len(hit):
            continue
        hit = np.sort(hit)
        cut = shapely.clip_by_rect(kept.geoms[hit], *rect)
        props = [kept.props[i] for i in hit]
        for geom, p in zip(cut, props, strict=True):
            if geom is None or geom.is_empty:
                continue
            if kind in ("land", "lakes", "disputed", "admin") and geom.area < band.tolerance**2:
                continue
            data = _geometry_json(geom, band.decimals)
            if data is None:
                continue
            key = f"admin{p.get('level')}" if kind == "admin" else kind
            out.setdefault(key, []).append(data)
    return out


def tile_keys(band: Band) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(file key, lon/lat rectangle) of every tile of a band."""
    if band.tile_degrees is None:
        return [("all", WORLD_BOX)]
    size = band.tile_degrees
    keys = []
    for ix in range(math.ceil(360 / size)):
        for iy in range(math.ceil(180 / size)):
            x0, y0 = -180 + ix * size, -90 + iy * size
            keys.append((f"{ix}_{iy}", (x0, y0, min(x0 + size, 180.0), min(y0 + size, 90.0))))
    return keys


def version() -> str:
    """A short hash of the installed packs (folder, manifest time): names the published files."""
    digest = hashlib.sha256()
    for pack in packs.installed():
        manifest = pack.root / packs.MANIFEST
        digest.update(
            f"{pack.root}:{manifest.stat().st_mtime_ns}:{manifest.stat().st_size}".encode()
        )
    digest.update(json.dumps([FILES_FORMAT, *(vars(b) for b in BANDS)]).encode())
    return digest.hexdigest()[:12]


def _write(path: Path, payload: Any) -> int:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def labels_payload(labels_: Sequence[Label]) -> list[list[Any]]:
    return [[lb.lat, lb.lon, lb.name, lb.min_zoom] for lb in labels_]


def publish(static_dir: Path) -> str:
    """Write the basemap files under ``static_dir/basemap/<version>/`` once; return the version.

    Written into a temporary folder and renamed into place, so two app processes starting at
    once never serve half a basemap.
    """
    key = version()
    target = static_dir / "basemap" / key
    if (target / "index.json").is_file():
        return key
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    try:
        index: dict[str, Any] = {"bands": [], "bytes": 0}
        total = 0
        for band in BANDS:
            (work / band.name).mkdir()
            tiles = []
            for tile, rect in tile_keys(band):
                payload = _band_payload(band, rect)
                if payload:
                    total += _write(work / band.name / f"{tile}.json", payload)
                    tiles.append(tile)
            index["bands"].append({**vars(band), "tiles": tiles})
        total += _write(work / "places.json", labels_payload(labels()))
        index["bytes"] = total
        _write(work / "index.json", index)
        os.chmod(work, 0o755)
        try:
            work.rename(target)
        except OSError:  # another process published the same version first
            shutil.rmtree(work, ignore_errors=True)
        _prune(target.parent, keep=KEEP_VERSIONS)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return key


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest published versions (pages open on an older one
    fetch the new one at their next load)."""
    versions = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime_ns,
        reverse=True,
    )
    for old in versions[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def inline_payload(extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """The basemap around ``extent`` as one band, for a page that cannot fetch (a saved file)."""
    minx, miny, maxx, maxy = extent
    pad = max(maxx - minx, maxy - miny, 2.0)
    rect = (max(minx - pad, -180), max(miny - pad, -90), min(maxx + pad, 180), min(maxy + pad, 90))
    # Detail to suit the area: the world band for a continent, the finest for a province.
    coarse = BANDS[0] if pad > 40 else BANDS[1] if pad > 8 else BANDS[2]
    band = Band("inline", 0, 18, None, coarse.tolerance, coarse.decimals, (1, 2, 3, 4))
    inside = [
        lb for lb in labels() if rect[0] <= lb.lon <= rect[2] and rect[1] <= lb.lat <= rect[3]
    ]
    return {"data": _band_payload(band, rect), "places": labels_payload(inside)}
