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


def rounded(geom: BaseGeometry, digits: int = 6) -> BaseGeometry:
    """Coordinates rounded in place: vertex order kept, so files round-trip unchanged."""
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


def for_display(
    geoms: Sequence[BaseGeometry] | np.ndarray, tolerance: float = 0.0005, digits: int = 5
) -> np.ndarray:
    """Simplified (about 50 m by default) and rounded: what a browser needs, not more.

    Vectorised over an array of geometries; the result is for drawing only (rounding may
    leave a ring touching itself, which Leaflet draws without complaint)."""
    arr = np.asarray(geoms, dtype=object)
    simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    return np.asarray(shapely.transform(simple, lambda xy: np.round(xy, digits)), dtype=object)
