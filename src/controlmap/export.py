"""Writers: the claims and the resolved state as GeoJSON, GeoPackage, KML, CSV, HTML, PNG, PDF.

Every file is written to a temporary name beside the target and renamed into place, so a
reader never sees a half-written file and a failed export leaves the old file untouched.
Text from the data is untrusted: KML descriptions and HTML are built from escaped text, and
CSV cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from controlmap.errors import ControlmapError
from controlmap.geo import place_name
from controlmap.geometry import rounded
from controlmap.model import ActorRegistry, Citation, Claim
from controlmap.render import popups, safe
from controlmap.resolve import Piece, change_dates, resolve
from controlmap.words import counted


def source_dict(citation: Citation) -> dict[str, Any]:
    s = citation.source
    return {
        "title": s.title,
        "publisher": s.publisher,
        "url": s.url,
        "published": s.published,
        "excerpt": citation.excerpt,
    }


def piece_properties(piece: Piece, registry: ActorRegistry, day: dt.date) -> dict[str, Any]:
    """The properties of one resolved piece, as ``controlmap state`` prints them."""
    h = piece.holding

    return {
        "actor": h.actor,
        "actor_name": registry.name_of(h.actor),
        "status": h.status,
        "extent": h.extent,
        "partial": h.partial,
        "confidence": h.confidence,
        "previous": h.previous,
        "previous_name": registry.name_of(h.previous) if h.previous else None,
        "previous_status": h.previous_status,
        "parties": list(h.parties),
        "since": h.since.isoformat(),
        "evidence_age_days": piece.age_days(day),
        "claim_ids": list(h.claim_ids),
        "previous_claim_ids": list(h.previous_claim_ids),
        "sources": [source_dict(c) for c in piece.citations],
        "area_km2": round(piece.area_km2, 3),
    }


def state_collection(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, *, digits: int = 6
) -> dict[str, Any]:
    shapes = [rounded(p.geometry, digits) for p in pieces]
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shape),
            "properties": piece_properties(p, registry, day),
        }
        for p, shape in zip(pieces, shapes, strict=True)
        if not shape.is_empty  # thinner than the grid: nothing left to draw
    ]
    return {"type": "FeatureCollection", "date": day.isoformat(), "features": features}


def write_json(data: Any, path: Path | None) -> None:
    """To a file, or to stdout when ``path`` is None; files are replaced, never half-written."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    if path is None:
        import sys

        sys.stdout.write(text + "\n")
        return
    write_text(text + "\n", path)


# --- shared ----------------------------------------------------------------------------------

FORMATS = ("geojson", "gpkg", "kml", "csv", "html", "png", "pdf")
# What a saved map shows around when nothing is drawn: the inhabited world.
WORLD = (-170.0, -60.0, 170.0, 75.0)

SUFFIXES = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".kml": "kml",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".png": "png",
    ".pdf": "pdf",
}


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path`` (same suffix, so drivers recognise it), renamed
    onto ``path`` when the block succeeds and removed when it fails.

    Parameters
    ----------
    path : Path
        The file to create or replace.

    Yields
    ------
    Path
        Where to write. It does not exist yet (GDAL will not write into an empty file).
    """
    path = Path(path)
    if path.is_dir():
        raise ControlmapError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ControlmapError(f"cannot write {path}: folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.part{path.suffix}")
    try:
        yield tmp
        # Exports hold unpublished analysis: readable by their owner only, like the database.
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(data: bytes, path: Path) -> None:
    """Replace ``path`` with ``data`` all at once."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(text: str, path: Path) -> None:
    """Replace ``path`` with UTF-8 ``text`` all at once."""
    write_bytes(text.encode("utf-8"), path)


def default_day(claims: Sequence[Claim], today: dt.date | None = None) -> dt.date:
    """The date a state export shows when none is given: the map as it stands today, dated
    by the latest change on or before today (today itself when nothing is dated yet)."""
    today = today or dt.date.today()
    past = [d for d in change_dates(claims) if d <= today]
    return past[-1] if past else today


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def claim_record(claim: Claim, registry: ActorRegistry) -> dict[str, Any]:
    """One claim as flat columns (text, numbers, ISO dates; lists as JSON text).

    Parameters
    ----------
    claim : Claim
    registry : ActorRegistry
        For ``actor_name``.

    Returns
    -------
    dict
        Columns for table formats (GeoPackage, CSV); ``citations`` is the JSON list of the
        import schema and ``sources`` its length.
    """
    return {
        "claim_id": claim.id,
        "actor": claim.actor,
        "actor_name": registry.name_of(claim.actor),
        "status": claim.status,
        "extent": claim.extent,
        "observed_on": claim.observed_on.isoformat(),
        "date_precision": claim.date_precision,
        "valid_until": claim.valid_until.isoformat() if claim.valid_until else None,
        "confidence": claim.confidence,
        "place_id": claim.place_id,
        "place_name": place_name(claim.place_id) or None,
        "notes": claim.notes,
        "review_state": claim.review_state,
        "retracted": bool(claim.retracted),
        "version": claim.version,
        "sources": len(claim.citations),
        "citations": _json([c.to_dict() for c in claim.citations]),
    }


def piece_record(piece: Piece, registry: ActorRegistry, day: dt.date) -> dict[str, Any]:
    """One resolved piece as flat columns: :func:`piece_properties` with lists as JSON text."""
    props = piece_properties(piece, registry, day)
    flat: dict[str, Any] = {"date": day.isoformat()}
    for key, value in props.items():
        flat[key] = _json(value) if isinstance(value, list | dict) else value
    flat["source_count"] = len(piece.citations)
    return flat


# --- GeoPackage ------------------------------------------------------------------------------


def _frame(records: list[dict[str, Any]], geoms: list[BaseGeometry], columns: Sequence[str]) -> Any:
    import geopandas as gpd
    import pandas as pd

    data = pd.DataFrame.from_records(records, columns=list(columns))
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


_CLAIM_COLUMNS = (
    "claim_id",
    "actor",
    "actor_name",
    "status",
    "extent",
    "observed_on",
    "date_precision",
    "valid_until",
    "confidence",
    "place_id",
    "place_name",
    "notes",
    "review_state",
    "retracted",
    "version",
    "sources",
    "citations",
)
_PIECE_COLUMNS = (
    "date",
    "actor",
    "actor_name",
    "status",
    "extent",
    "partial",
    "confidence",
    "previous",
    "previous_name",
    "previous_status",
    "parties",
    "since",
    "evidence_age_days",
    "claim_ids",
    "previous_claim_ids",
    "sources",
    "area_km2",
    "source_count",
)
_SOURCE_COLUMNS = (
    "title",
    "publisher",
    "author",
    "url",
    "published",
    "accessed",
    "archive_url",
    "language",
    "grade",
    "claim_ids",
    "claim_count",
)


def source_records(claims: Sequence[Claim]) -> list[dict[str, Any]]:
    """One row per cited document, with the ids of the claims that cite it (JSON text).

    Parameters
    ----------
    claims : sequence of Claim

    Returns
    -------
    list of dict
        In order of first citation (claims by date), columns ``_SOURCE_COLUMNS``.
    """
    rows: dict[tuple[Any, ...], tuple[dict[str, Any], list[int]]] = {}
    for claim in sorted(claims, key=lambda c: (c.observed_on, c.id or 0)):
        for c in claim.citations:
            row, ids = rows.setdefault(c.source.key, (c.source.to_dict(), []))
            if (claim.id or 0) not in ids:
                ids.append(claim.id or 0)
    return [{**row, "claim_ids": _json(ids), "claim_count": len(ids)} for row, ids in rows.values()]


def write_gpkg(
    path: Path,
    claims: Sequence[Claim],
    registry: ActorRegistry,
    day: dt.date | None = None,
    *,
    include_claimed: bool = True,
) -> dt.date:
    """A GeoPackage with layers ``claims``, ``state`` (at ``day``) and ``sources`` (no geometry).

    Opens in QGIS as is: EPSG:4326, MultiPolygon layers, only text and number columns (lists
    as JSON text, dates as ISO text).

    Parameters
    ----------
    path : Path
        The ``.gpkg`` file to create or replace.
    claims : sequence of Claim
        The claims for the ``claims`` and ``sources`` layers; the state is resolved from
        them by the usual rules (approved, unretracted).
    registry : ActorRegistry
        For actor names.
    day : datetime.date, optional
        The date of the ``state`` layer; :func:`default_day` when None.
    include_claimed : bool
        Whether unconfirmed claims count in the state.

    Returns
    -------
    datetime.date
        The date of the ``state`` layer.
    """
    import pandas as pd
    import pyogrio

    day = day or default_day(claims)
    pieces = resolve(claims, day, include_claimed=include_claimed)
    ordered = sorted(claims, key=lambda c: (c.observed_on, c.id or 0))
    claim_frame = _frame(
        [claim_record(c, registry) for c in ordered], [c.geometry for c in ordered], _CLAIM_COLUMNS
    )
    state_frame = _frame(
        [piece_record(p, registry, day) for p in pieces],
        [p.geometry for p in pieces],
        _PIECE_COLUMNS,
    )
    sources = pd.DataFrame.from_records(source_records(claims), columns=list(_SOURCE_COLUMNS))
    with atomic_path(path) as tmp:
        options: dict[str, Any] = {"driver": "GPKG", "promote_to_multi": True}
        pyogrio.write_dataframe(
            claim_frame, tmp, layer="claims", geometry_type="MultiPolygon", **options
        )
        pyogrio.write_dataframe(
            state_frame, tmp, layer="state", geometry_type="MultiPolygon", **options
        )
        pyogrio.write_dataframe(sources, tmp, layer="sources", driver="GPKG")
    return day


# --- KML -------------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"
FULL_ALPHA = 0x99  # 60 %: the basemap stays readable under solid control
PARTIAL_ALPHA = 0x40  # 25 %: vaguer evidence is drawn fainter
CONTESTED_KML = "#444444"


def kml_colour(hex_colour: str, alpha: int = 0xFF) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``.

    >>> kml_colour("#D55E00", 0x99)
    '99005ed5'
    """
    rgb = hex_colour.lstrip("#").lower()
    return f"{alpha:02x}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    # ElementTree escapes text and attribute values when it serialises, so data strings
    # are always XML-escaped, whatever they contain (<, &, quotes, "]]>").
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _coords(ring: Any) -> str:
    return " ".join(f"{x:.6f},{y:.6f}".replace(".000000", "") for x, y in ring.coords)


def _kml_polygon(parent: ET.Element, polygon: Polygon) -> None:
    # KML wants outer rings counter-clockwise and holes clockwise.
    polygon = orient(polygon, 1.0)
    el = _sub(parent, "Polygon")
    _sub(el, "tessellate", "1")
    ring = _sub(_sub(el, "outerBoundaryIs"), "LinearRing")
    _sub(ring, "coordinates", _coords(polygon.exterior))
    for hole in polygon.interiors:
        inner = _sub(_sub(el, "innerBoundaryIs"), "LinearRing")
        _sub(inner, "coordinates", _coords(hole))


def _kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if len(polygons) == 1:
        _kml_polygon(parent, polygons[0])
        return
    multi = _sub(parent, "MultiGeometry")
    for p in polygons:
        _kml_polygon(multi, p)


def _kml_styles(doc: ET.Element, registry: ActorRegistry, actors: Sequence[str]) -> None:
    for actor_id in actors:
        actor = registry.get(actor_id)
        colour = actor.colour if actor else "#999999"
        for kind, fill, line_alpha in (
            ("full", FULL_ALPHA, 0xFF),
            ("partial", PARTIAL_ALPHA, 0xFF),
            ("contested", PARTIAL_ALPHA, 0xFF),
        ):
            style = _sub(doc, "Style", id=f"{actor_id}-{kind}")
            line = _sub(style, "LineStyle")
            # A contested area is outlined in the contested grey, so it reads apart from the
            # actor's partial hold even though KML has no hatching.
            edge = CONTESTED_KML if kind == "contested" else colour
            _sub(line, "color", kml_colour(edge, line_alpha))
            _sub(line, "width", "3" if kind == "contested" else "2")
            poly = _sub(style, "PolyStyle")
            _sub(poly, "color", kml_colour(colour, fill))


def _style_kind(status: str, extent: str) -> str:
    if status == "contested":
        return "contested"
    return "full" if extent == "all" else "partial"


def _claim_description(claim: Claim, registry: ActorRegistry) -> str:
    """HTML for Google Earth's balloon, from the popup templates (the balloon renders HTML,
    so data is HTML-escaped there before ElementTree XML-escapes the whole)."""
    return popups.render(
        "kml_claim.j2",
        claim=claim,
        actor_name=registry.name_of(claim.actor),
        place=place_name(claim.place_id) or "drawn area",
        until=claim.valid_until.isoformat() if claim.valid_until else "newer evidence replaces it",
        citations=claim.citations,
    )


def _extended(parent: ET.Element, values: dict[str, Any]) -> None:
    data = _sub(parent, "ExtendedData")
    for key, value in values.items():
        if value is None:
            continue
        field = _sub(data, "Data", name=key)
        _sub(field, "value", str(value).lower() if isinstance(value, bool) else str(value))


def kml_claims(claims: Sequence[Claim], registry: ActorRegistry, *, name: str = "") -> bytes:
    """Claims as KML: a Folder per actor, a Placemark per claim with its TimeSpan, so Google
    Earth's time slider shows each claim from ``observed_on`` (to ``valid_until``).

    Retracted claims are left out: they are not on the map.

    Parameters
    ----------
    claims : sequence of Claim
    registry : ActorRegistry
        Names and colours.
    name : str
        The document's name.

    Returns
    -------
    bytes
        UTF-8 KML 2.2.
    """
    shown = sorted((c for c in claims if not c.retracted), key=lambda c: (c.observed_on, c.id or 0))
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", name or "controlmap claims")
    _sub(
        doc,
        "description",
        f"{counted(len(shown), 'claim')} of territorial control, with citations.",
    )
    actors = sorted({c.actor for c in shown}, key=lambda a: registry.name_of(a))
    _kml_styles(doc, registry, actors)
    folders = _kml_folders(doc, registry, actors)
    for claim in shown:
        mark = _sub(folders[claim.actor], "Placemark", id=f"claim-{claim.id or 0}")
        place = place_name(claim.place_id)
        title = f"{registry.name_of(claim.actor)}: {claim.status} ({claim.extent})"
        _sub(mark, "name", f"{title}, {place}" if place else title)
        _sub(mark, "description", _claim_description(claim, registry))
        span = _sub(mark, "TimeSpan")
        _sub(span, "begin", claim.observed_on.isoformat())
        if claim.valid_until is not None:
            _sub(span, "end", claim.valid_until.isoformat())
        _sub(mark, "styleUrl", f"#{claim.actor}-{_style_kind(claim.status, claim.extent)}")
        _extended(mark, _kml_fields(claim_record(claim, registry)))
        _kml_geometry(mark, rounded(claim.geometry, 6))
    return _kml_bytes(root)


def kml_state(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, *, name: str = ""
) -> bytes:
    """The resolved state at ``day`` as KML: a Folder per actor, a Placemark per piece
    stamped with the date (TimeStamp).

    Parameters
    ----------
    pieces : sequence of Piece
    registry : ActorRegistry
    day : datetime.date
    name : str
        The document's name.

    Returns
    -------
    bytes
        UTF-8 KML 2.2.
    """
    from controlmap.render import layers  # layers imports this module: a late import

    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", name or f"controlmap state on {day.isoformat()}")
    _sub(doc, "description", f"Territorial control as of {day.isoformat()}.")
    actors = sorted({p.actor for p in pieces}, key=lambda a: registry.name_of(a))
    _kml_styles(doc, registry, actors)
    folders = _kml_folders(doc, registry, actors)
    for i, piece in enumerate(pieces, start=1):
        props = piece_properties(piece, registry, day)
        mark = _sub(folders[piece.actor], "Placemark", id=f"piece-{i}")
        _sub(mark, "name", layers.summary(props, registry).split(" (since")[0])
        desc = popups.render(
            "kml_piece.j2",
            summary=layers.summary(props, registry),
            props=props,
            citations=piece.citations,
        )
        _sub(mark, "description", desc)
        _sub(_sub(mark, "TimeStamp"), "when", day.isoformat())
        _sub(mark, "styleUrl", f"#{piece.actor}-{_style_kind(piece.status, piece.extent)}")
        _extended(mark, _kml_fields(piece_record(piece, registry, day)))
        _kml_geometry(mark, rounded(piece.geometry, 6))
    return _kml_bytes(root)


def _kml_fields(record: dict[str, Any]) -> dict[str, Any]:
    # The citations are in the description already; as a field they would only be noise.
    return {k: v for k, v in record.items() if k not in ("citations", "sources")}


def _kml_folders(
    doc: ET.Element, registry: ActorRegistry, actors: Sequence[str]
) -> dict[str, ET.Element]:
    folders = {}
    for actor_id in actors:
        folder = _sub(doc, "Folder", id=f"actor-{actor_id}")
        _sub(folder, "name", registry.name_of(actor_id))
        folders[actor_id] = folder
    return folders


def _kml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue()


# --- CSV -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (``=HYPERLINK(...)``) gets a leading quote,
    the usual defence; numbers, dates and JSON never start with these characters."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_text(
    records: list[dict[str, Any]], geoms: list[BaseGeometry], columns: Sequence[str]
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # "WKT" is the column name GDAL's CSV driver and QGIS pick up as geometry by themselves.
    writer.writerow([*columns, "WKT"])
    for record, geom in zip(records, geoms, strict=True):
        wkt = shapely.to_wkt(rounded(geom, 6), rounding_precision=6, trim=True)
        writer.writerow([*(_csv_cell(record.get(c)) for c in columns), wkt])
    return out.getvalue()


def csv_claims(claims: Sequence[Claim], registry: ActorRegistry) -> str:
    """One row per claim, columns of :func:`claim_record` and the geometry as ``WKT``."""
    ordered = sorted(claims, key=lambda c: (c.observed_on, c.id or 0))
    return _csv_text(
        [claim_record(c, registry) for c in ordered], [c.geometry for c in ordered], _CLAIM_COLUMNS
    )


def csv_state(pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date) -> str:
    """One row per resolved piece, columns of :func:`piece_record` and ``WKT``."""
    return _csv_text(
        [piece_record(p, registry, day) for p in pieces],
        [p.geometry for p in pieces],
        _PIECE_COLUMNS,
    )


# --- HTML ------------------------------------------------------------------------------------


def _inline_css(css: str, images: Path) -> str:
    """Leaflet's CSS with its image references turned into data URIs (the file stands alone)."""

    def data_uri(match: re.Match[str]) -> str:
        file = images / Path(match.group(1)).name
        if not file.is_file():
            return match.group(0)
        encoded = base64.b64encode(file.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\(\s*['\"]?images/([^'\")]+)['\"]?\s*\)", data_uri, css)


def _marker_images_script(images: Path) -> str:
    """Script that serves Leaflet's default marker images from data URIs: folium creates
    every marker with the default icon before giving it ours, and a file that stands alone
    must not ask for images beside it."""
    urls = {}
    for name in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        file = images / name
        if file.is_file():
            urls[name] = "data:image/png;base64," + base64.b64encode(file.read_bytes()).decode()
    return (
        f"(function () {{ var inline = {json.dumps(urls)};"
        " L.Icon.Default.prototype._getIconUrl = function (name) {"
        " var url = L.Icon.prototype._getIconUrl.call(this, name);"
        " return inline[url] || url; }; })();"
    )


def standalone_html(
    pieces: Sequence[Piece],
    registry: ActorRegistry,
    day: dt.date,
    *,
    title: str | None = None,
    data_version: int | None = None,
) -> str:
    """The map at ``day`` as one HTML file with Leaflet inlined: it opens offline, alone.

    Parameters
    ----------
    pieces : sequence of Piece
    registry : ActorRegistry
    day : datetime.date
    title : str, optional
        Shown on the map and as the page title (escaped).
    data_version : int, optional
        The database's data version, shown beside the date.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    ControlmapError
        When ``controlmap/web/static/vendor`` (fetched by ``make setup``) has no Leaflet.
    """
    import folium

    from controlmap.render import basemap, layers, style, vendor  # see above

    leaflet = vendor.VENDOR_DIR / "leaflet"
    if not vendor.assets_present() or not (leaflet / "leaflet.css").is_file():
        raise ControlmapError(
            f"Leaflet is missing from {vendor.VENDOR_DIR}: run `make setup` to fetch it"
        )
    shown = {a for p in pieces for a in (p.actor, p.holding.previous, *p.holding.parties) if a}
    # The legend lists who is on this map; with nothing drawn it explains every actor.
    actors = [a for a in registry if a.id in shown] or list(registry)
    look = style.Look()
    bounds = None
    if pieces:
        minx, miny, maxx, maxy = (
            float(v) for v in shapely.total_bounds([p.geometry for p in pieces])
        )
        bounds = (minx, miny, maxx, maxy)
    # A saved page cannot fetch the basemap files: the basemap around the data goes inside it.
    m = basemap.base_map(
        actors, look, assets=".", view=basemap.view_for(bounds), inline_extent=bounds or WORLD
    )
    layers.state_layer(pieces, registry, day, look).add_to(m)
    if bounds:
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(30, 30), max_zoom=11)
    # Instance attributes shadow folium's CDN lists: no request may leave the machine.
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    heading = title or "Territorial control"
    root.title = safe.text(f"{heading}, {day.isoformat()}")  # type: ignore[attr-defined]
    js = (leaflet / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _inline_css((leaflet / "leaflet.css").read_text(encoding="utf-8"), leaflet / "images")
    css = css.replace("</style", "<\\/style")
    header = root.header  # type: ignore[attr-defined]
    header.add_child(folium.Element(f"<style>{css}</style>"))
    header.add_child(folium.Element(f"<script>{js}</script>"))
    header.add_child(
        folium.Element(f"<script>{_marker_images_script(leaflet / 'images')}</script>")
    )
    version = f" &middot; data version {int(data_version)}" if data_version is not None else ""
    box = (
        '<div style="position:fixed;top:10px;left:50px;z-index:1000;background:#fffffff0;'
        "padding:6px 12px;border-radius:4px;box-shadow:0 1px 4px #0004;"
        'font:14px/1.35 system-ui,sans-serif;color:#222">'
        f"<b>{safe.text(heading)}</b><br>As of {safe.text(day.isoformat())}{version}</div>"
    )
    root.html.add_child(folium.Element(box))  # type: ignore[attr-defined]
    html: str = root.render()
    return html


# --- dispatcher ------------------------------------------------------------------------------


def format_for(path: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` when given, else from the file's suffix.

    Raises
    ------
    ControlmapError
        For an unknown format or suffix, listing the supported ones.
    """
    chosen = (fmt or SUFFIXES.get(Path(path).suffix.lower(), "")).lower()
    if chosen == "json":
        chosen = "geojson"
    if chosen not in FORMATS:
        what = f"format {fmt!r}" if fmt else f"file suffix {Path(path).suffix or '(none)'!r}"
        raise ControlmapError(
            f"{what} is not supported; use one of {', '.join(FORMATS)} "
            "(--format, or a .geojson/.gpkg/.kml/.csv/.html/.png/.pdf file name)"
        )
    return chosen


def write(
    path: Path,
    fmt: str | None = None,
    *,
    claims: Sequence[Claim],
    registry: ActorRegistry,
    day: dt.date | None = None,
    include_claimed: bool = True,
    title: str | None = None,
    banner: str | None = None,
    data_version: int | None = None,
    size: str = "1920x1080",
) -> str:
    """Write an export of ``claims`` (or their state at ``day``) to ``path``, all or nothing.

    Parameters
    ----------
    path : Path
        The file to create or replace.
    fmt : str, optional
        One of ``FORMATS``; guessed from the suffix when None.
    claims : sequence of Claim
        The claims to export; the caller chooses the review states. State exports resolve
        them by the usual rules (approved, unretracted only).
    registry : ActorRegistry
    day : datetime.date, optional
        geojson, kml, csv: the state at ``day`` instead of the claims. gpkg: the date of the
        ``state`` layer. html, png, pdf: the date shown. When None, the claims (geojson, kml,
        csv) or :func:`default_day` (the others).
    include_claimed : bool
        Whether unconfirmed claims count in the state.
    title, banner, data_version, size
        For pictures (see :func:`controlmap.render.image.render_image`); ``title`` and
        ``data_version`` also label the HTML map.

    Returns
    -------
    str
        What was written, for a message ("59 claims", "state on 2015-05-20 (12 areas)").
    """
    path = Path(path)
    fmt = format_for(path, fmt)
    if fmt == "gpkg":
        when = write_gpkg(path, claims, registry, day, include_claimed=include_claimed)
        return f"{counted(len(claims), 'claim')} and the state on {when.isoformat()}"
    if day is None and fmt in ("geojson", "kml", "csv"):
        writers: dict[str, Callable[[], Any]] = {
            "geojson": lambda: write_json(_claims_geojson(claims, registry), path),
            "kml": lambda: write_bytes(kml_claims(claims, registry), path),
            "csv": lambda: write_text(csv_claims(claims, registry), path),
        }
        writers[fmt]()
        return counted(len(claims), "claim")
    day = day or default_day(claims)
    pieces = resolve(claims, day, include_claimed=include_claimed)
    if fmt == "geojson":
        write_json(state_collection(pieces, registry, day), path)
    elif fmt == "kml":
        write_bytes(kml_state(pieces, registry, day), path)
    elif fmt == "csv":
        write_text(csv_state(pieces, registry, day), path)
    elif fmt == "html":
        write_text(
            standalone_html(pieces, registry, day, title=title, data_version=data_version), path
        )
    else:
        from controlmap.render.image import render_image

        picture = render_image(
            pieces,
            registry,
            day,
            size=size,
            title=title,
            banner=banner,
            data_version=data_version,
            fmt=fmt,
        )
        write_bytes(picture, path)
    return f"state on {day.isoformat()} ({counted(len(pieces), 'area')})"


def _claims_geojson(claims: Sequence[Claim], registry: ActorRegistry) -> dict[str, Any]:
    from controlmap.dataset import feature_collection

    return feature_collection(claims, registry)
