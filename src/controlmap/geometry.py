"""Geometry helpers shared by the core: areas in km^2 and shapes prepared for display."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

# EPSG:6933 (WGS 84 / NSIDC EASE-Grid 2.0 Global) is equal-area everywhere between the poles,
# so areas of pieces anywhere in the world are comparable; degrees are never used for area.
EQUAL_AREA_CRS = "EPSG:6933"


@lru_cache(maxsize=1)
def _to_equal_area() -> Transformer:
    return Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def areas_km2(geoms: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
    """Area of each lon/lat geometry in km^2, computed in an equal-area projection."""
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return np.zeros(0)
    transformer = _to_equal_area()
    projected = shapely.transform(
        arr, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    return np.asarray(shapely.area(projected), dtype=float) / 1e6


def area_km2(geom: BaseGeometry) -> float:
    """Area of one lon/lat geometry in km^2."""
    return float(areas_km2([geom])[0])


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Only the polygon parts of an overlay result (slivers of lines and points dropped)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def dissolved(geoms: Sequence[BaseGeometry]) -> BaseGeometry | None:
    """The union of valid polygons, itself valid.

    GEOS can join valid fragments whose edges nearly coincide into a MultiPolygon with one
    shell nested in another; such a union is repaired, keeping only its polygon parts."""
    merged = polygonal(shapely.union_all(geoms))
    if merged is not None and not merged.is_valid:
        merged = polygonal(shapely.make_valid(merged))
    return merged


def rounded(geom: BaseGeometry, digits: int = 6) -> BaseGeometry:
    """Coordinates rounded, and polygons still valid by OGC rules.

    Rounding alone keeps vertex order (files round-trip unchanged) but can make a thin
    piece cross itself or leave a ring of fewer than four points. Such a result is snapped
    to the grid by GEOS instead, which keeps it valid; a part thinner than the grid is
    dropped, so the result may be empty."""
    return _valid_rounded(np.asarray([geom], dtype=object), digits)[0]


def _round(arr: np.ndarray, digits: int) -> np.ndarray:
    return np.asarray(shapely.transform(arr, lambda xy: np.round(xy, digits)), dtype=object)


def _valid_rounded(arr: np.ndarray, digits: int) -> np.ndarray:
    out = _round(arr, digits)
    polygons = np.isin(shapely.get_type_id(arr), (3, 6))  # Polygon, MultiPolygon
    bad = polygons & ~shapely.is_valid(out)
    if not bad.any():
        return out
    snapped = shapely.set_precision(arr[bad], 10.0**-digits)
    for i, geom in zip(np.flatnonzero(bad), _round(snapped, digits), strict=True):
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        out[i] = polygonal(geom) or shapely.Polygon()
    return out


def for_display(
    geoms: Sequence[BaseGeometry] | np.ndarray, tolerance: float = 0.0005, digits: int = 5
) -> np.ndarray:
    """Simplified (about 50 m by default) and rounded: what a browser needs, not more.

    Vectorised over an array of geometries; polygons stay valid (see ``rounded``)."""
    arr = np.asarray(geoms, dtype=object)
    simple = np.asarray(shapely.simplify(arr, tolerance, preserve_topology=True), dtype=object)
    return _valid_rounded(simple, digits)
