"""Hand input checked field by field: each problem is reported next to the field it concerns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from controlmap import safejson
from controlmap.errors import ValidationError
from controlmap.geometry import area_km2
from controlmap.model import ActorRegistry, Citation, Claim, Source, check_geometry

# Hand-drawn or uploaded areas are held to tighter limits than dataset imports.
FORM_MAX_VERTICES = 20_000
FORM_MAX_AREA_KM2 = 200_000.0
FORM_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
NEAR_PLACE_KM = 75.0
_GEOD = Geod(ellps="WGS84")


@dataclass
class Checked:
    """The outcome of a form: a claim when every field passed, else the problems by field."""

    claim: Claim | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.claim is not None and not self.errors


def geometry_from_drawings(drawings: Sequence[Mapping[str, Any]] | None) -> BaseGeometry | None:
    """Polygons drawn with the map's draw tool (st_folium ``all_drawings``), merged."""
    geoms = []
    for feature in drawings or []:
        geom = feature.get("geometry") if isinstance(feature, Mapping) else None
        if isinstance(geom, Mapping) and geom.get("type") in ("Polygon", "MultiPolygon"):
            geoms.append(geom)
    if not geoms:
        return None
    return _merged(geoms, "a drawn shape")


def _merged(geoms: Sequence[Any], what: str) -> BaseGeometry:
    """Each shape checked (closed, finite, valid) before they are merged: GEOS raises on
    NaN, unclosed rings or self-intersections instead of answering."""
    shapes = []
    for geom in geoms:
        try:
            shapes.append(check_geometry(geom))
        except ValidationError as exc:
            reason = str(exc).removeprefix("geometry: ")
            raise ValidationError(f"{what} {reason}", field="geometry") from None
    return shapes[0] if len(shapes) == 1 else shapely.union_all(shapes)


def geometry_from_upload(data: bytes) -> BaseGeometry:
    """The polygons of an uploaded GeoJSON file (geometry, Feature or FeatureCollection)."""
    if len(data) > FORM_MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"the file is {len(data):,} bytes; the form takes up to {FORM_MAX_UPLOAD_BYTES:,} "
            "(import larger datasets with `controlmap import`)",
            field="geometry",
        )
    try:
        obj = safejson.loads(data)
    except ValidationError as exc:
        raise ValidationError(f"the file is not GeoJSON ({exc})", field="geometry") from None
    if not isinstance(obj, Mapping):
        raise ValidationError("the file is not a GeoJSON object", field="geometry")
    if obj.get("type") == "FeatureCollection":
        geoms = [f.get("geometry") for f in obj.get("features") or [] if isinstance(f, Mapping)]
    elif obj.get("type") == "Feature":
        geoms = [obj.get("geometry")]
    else:
        geoms = [obj]
    polygons = [
        g for g in geoms if isinstance(g, Mapping) and g.get("type") in ("Polygon", "MultiPolygon")
    ]
    if not polygons:
        raise ValidationError("the file holds no Polygon or MultiPolygon", field="geometry")
    return _merged(polygons, "a polygon in the file")


def _distance_km(a: BaseGeometry, b: BaseGeometry) -> float:
    pa, pb = a.representative_point(), b.representative_point()
    return float(_GEOD.inv(pa.x, pa.y, pb.x, pb.y)[2]) / 1000


def check_placement(geom: BaseGeometry, place: BaseGeometry | None, place_name: str) -> None:
    """The area must lie near the place the claim names; swapped axes are called out."""
    if place is None:
        return
    if _distance_km(geom, place) <= NEAR_PLACE_KM or geom.intersects(place):
        return
    swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
    if _distance_km(swapped, place) <= NEAR_PLACE_KM:
        raise ValidationError(
            "longitude and latitude look swapped: GeoJSON wants [longitude, latitude]",
            field="geometry",
        )
    raise ValidationError(
        f"lies {_distance_km(geom, place):,.0f} km from {place_name}; draw the area of the "
        "place the claim names, or change the place",
        field="geometry",
    )


def check_claim_form(
    values: Mapping[str, Any],
    geometry: BaseGeometry | None,
    registry: ActorRegistry,
    *,
    place_geometry: BaseGeometry | None = None,
) -> Checked:
    """Validate a contribution form. ``values`` holds the widgets' values by field name:
    actor, status, extent, observed_on, date_precision, confidence, place, place_id, notes,
    title, publisher, author, url, published, excerpt."""
    out = Checked()

    def attempt(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            message = str(exc)
            if exc.field:
                message = message.removeprefix(f"{exc.field}: ")
                # "citation url" is the form's "url" field, "observed_on" its own, ...
                name = exc.field.removeprefix("citation ")
            out.errors[name] = message
            return None

    actor = attempt("actor", lambda: registry.resolve(values.get("actor")))
    source = attempt(
        "source",
        lambda: Source(
            title=values.get("title") or "",
            publisher=values.get("publisher") or "",
            author=values.get("author") or "",
            url=_required_url(values.get("url")),
            published=_iso(values.get("published")),
        ),
    )
    citation = (
        attempt("excerpt", lambda: Citation(source, values.get("excerpt") or ""))
        if source is not None
        else None
    )
    shape = None
    if geometry is None:
        out.errors["geometry"] = "no area: use the place footprint, draw one, or upload GeoJSON"
    else:
        shape = attempt("geometry", lambda: _form_geometry(geometry))
        if shape is not None and values.get("place_id"):
            attempt(
                "geometry",
                lambda: check_placement(shape, place_geometry, values.get("place") or "the place"),
            )
    if out.errors:
        return out
    assert actor is not None and citation is not None and shape is not None
    claim = attempt(
        "claim",
        lambda: Claim(
            actor=actor.id,
            status=values.get("status"),  # type: ignore[arg-type]
            extent=values.get("extent") or "all",
            geometry=shape,
            observed_on=values.get("observed_on"),  # type: ignore[arg-type]
            date_precision=values.get("date_precision") or "day",
            confidence=values.get("confidence") or "assessed",
            place_id=values.get("place_id") or None,
            notes=values.get("notes") or "",
            citations=(citation,),
            review_state="pending",
        ),
    )
    if out.errors:
        return out
    out.claim = claim
    return out


def _required_url(value: Any) -> str:
    if not value or not str(value).strip():
        raise ValidationError("a link to the report (http or https) is required", field="url")
    return str(value).strip()


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or None


def _form_geometry(geometry: BaseGeometry) -> BaseGeometry:
    count = shapely.get_num_coordinates(geometry)
    if count > FORM_MAX_VERTICES:
        raise ValidationError(
            f"has {count:,} vertices; the form takes up to {FORM_MAX_VERTICES:,} "
            "(use `controlmap import` for detailed outlines)",
            field="geometry",
        )
    shape = check_geometry(geometry)
    area = area_km2(shape)
    if area > FORM_MAX_AREA_KM2:
        raise ValidationError(
            f"covers {area:,.0f} km2; the form takes up to {FORM_MAX_AREA_KM2:,.0f} km2",
            field="geometry",
        )
    return shape
