"""A slide-ready picture of the map at a date, drawn on the server with matplotlib.

No browser and no screenshot: the resolved pieces are drawn over the offline basemap of geo/
with a title, the "as of" date, a legend, a scale bar, a north arrow, the numbered sources of
what is shown and an optional handling banner. The map is drawn in Web Mercator (EPSG:3857)
so shapes look as they do in the app; the scale bar is corrected for the latitude.

Only the object-oriented matplotlib API is used (a Figure with its own Agg canvas), never
pyplot: the app renders pictures from several sessions at once.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from controlmap import packs
from controlmap.errors import ControlmapError
from controlmap.model import ActorRegistry, Source
from controlmap.render import basemap_data, style
from controlmap.resolve import Piece

SEA = "#cfe0ea"
LAND = "#f4f1ea"
INK = "#222222"
MUTED = "#555555"
FONT = "DejaVu Sans"

WORLD = (-170.0, -60.0, 170.0, 75.0)  # shown when nothing is drawn and no extent is given
MIN_SPAN_DEG = 2.0
PAD_FRACTION = 0.12
MARKER_BELOW_KM2 = 400.0  # as on the web map: a dot keeps small towns visible
MARKER_PT = 11.0
MAX_MARKERS = 150
SIZES: dict[str, tuple[float, float, int]] = {
    # name: (width in, height in, dpi)
    "1920x1080": (19.2, 10.8, 100),
    "a4": (11.69, 8.27, 200),  # landscape; 2338 x 1654 px as PNG, vector as PDF
}
MAX_PIXELS = 8000
FORMATS = ("png", "pdf")


@dataclass(frozen=True)
class _Box:
    """A rectangle in figure fractions."""

    left: float
    bottom: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.bottom + self.height

    def rect(self) -> tuple[float, float, float, float]:
        return (self.left, self.bottom, self.width, self.height)


@dataclass(frozen=True)
class _Layout:
    map: _Box
    panel: _Box
    header: _Box
    footer: _Box
    banner_height: float


# --- sizes, projection, data -----------------------------------------------------------------


def figure_size(size: str) -> tuple[float, float, int]:
    """Width and height in inches and the dpi for ``size``.

    Parameters
    ----------
    size : str
        ``"1920x1080"``, ``"a4"`` (landscape) or any ``WIDTHxHEIGHT`` in pixels.

    Returns
    -------
    tuple
        (width_in, height_in, dpi).

    Raises
    ------
    ControlmapError
        For anything else, or sizes outside 640 to 8000 pixels.
    """
    key = size.strip().lower()
    if key in SIZES:
        return SIZES[key]
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", key)
    if not match:
        raise ControlmapError(f"size {size!r} is not 1920x1080, a4 or WIDTHxHEIGHT in pixels")
    width, height = int(match.group(1)), int(match.group(2))
    if not (640 <= width <= MAX_PIXELS and 480 <= height <= MAX_PIXELS):
        raise ControlmapError(f"size {size!r} must be 640x480 to {MAX_PIXELS}x{MAX_PIXELS}")
    # Text is sized in points; scaling dpi with the width keeps the layout the same.
    dpi = max(100, round(width / 19.2))
    return width / dpi, height / dpi, dpi


@lru_cache(maxsize=1)
def _mercator() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)


def _project(geoms: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return arr
    t = _mercator()
    return np.asarray(
        shapely.transform(arr, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))),
        dtype=object,
    )


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _mercator().transform(lon, lat)
    return float(x), float(y)


def _clipped(kind: str, bbox: BaseGeometry) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    """The packs' features of one kind cut to ``bbox`` (lon/lat) and projected; clipping first
    keeps drawing fast and avoids projecting the whole world for one province."""
    features = basemap_data.features(kind)
    if not features:
        return []
    geoms = np.asarray([g for g, _ in features], dtype=object)
    hit = shapely.intersects(geoms, bbox)
    if not hit.any():
        return []
    minx, miny, maxx, maxy = bbox.bounds
    cut = shapely.clip_by_rect(geoms[hit], minx, miny, maxx, maxy)
    props = [p for (_, p), h in zip(features, hit, strict=True) if h]
    projected = _project(cut)
    return [(g, p) for g, p in zip(projected, props, strict=True) if not g.is_empty]


def _attribution(bbox: BaseGeometry) -> str:
    """Credits of the packs whose extent the picture shows, as plain text."""
    credits = packs.attribution(bbox.bounds).replace("&middot;", "·")
    return f"{credits}." if credits else ""


def map_extent(pieces: Sequence[Piece]) -> tuple[float, float, float, float]:
    """The lon/lat box to show: the drawn pieces padded, at least ~2 degrees, else the world.

    Parameters
    ----------
    pieces : sequence of Piece

    Returns
    -------
    tuple
        (min lon, min lat, max lon, max lat).
    """
    if not pieces:
        return WORLD
    minx, miny, maxx, maxy = shapely.total_bounds([p.geometry for p in pieces])
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max((maxx - minx) * (1 + 2 * PAD_FRACTION), MIN_SPAN_DEG) / 2
    half_h = max((maxy - miny) * (1 + 2 * PAD_FRACTION), MIN_SPAN_DEG) / 2
    return (
        max(cx - half_w, -180.0),
        max(cy - half_h, -85.0),
        min(cx + half_w, 180.0),
        min(cy + half_h, 85.0),
    )


def _fit(
    extent: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """The projected box around ``extent`` widened or heightened to the axes' aspect
    (width / height), so the map fills its frame without stretching."""
    x0, y0 = _xy(extent[0], extent[1])
    x1, y1 = _xy(extent[2], extent[3])
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


# --- drawing helpers -------------------------------------------------------------------------


def _path(geom: BaseGeometry) -> MplPath | None:
    """A compound path (rings and holes) for a projected polygonal geometry."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _line_path(geom: BaseGeometry) -> MplPath | None:
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            lines: Iterable[Any] = (part.exterior, *part.interiors)
        elif part.geom_type in ("LineString", "LinearRing"):
            lines = (part,)
        else:
            continue
        for line in lines:
            xy = np.asarray(line.coords)[:, :2]
            if len(xy) < 2:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0] = MplPath.MOVETO
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _fill(ax: Axes, geom: BaseGeometry, **kwargs: Any) -> PathPatch | None:
    path = _path(geom)
    if path is None:
        return None
    patch = PathPatch(path, **kwargs)
    ax.add_patch(patch)
    return patch


def _stroke(ax: Axes, geom: BaseGeometry, **kwargs: Any) -> None:
    path = _line_path(geom)
    if path is not None:
        ax.add_patch(PathPatch(path, fill=False, **kwargs))


def _halo(width: float = 3.0) -> list[Any]:
    return [patheffects.withStroke(linewidth=width, foreground="white", alpha=0.9)]


# --- the map ---------------------------------------------------------------------------------


def _draw_basemap(ax: Axes, bbox: BaseGeometry) -> None:
    ax.set_facecolor(SEA)
    for geom, _ in _clipped("land", bbox):
        _fill(ax, geom, facecolor=LAND, edgecolor="none", zorder=1)
    for geom, _ in _clipped("lakes", bbox):
        _fill(ax, geom, facecolor=SEA, edgecolor="#9cc0d6", linewidth=0.8, zorder=2)


def _draw_lines(ax: Axes, bbox: BaseGeometry) -> None:
    """Boundaries and rivers, drawn over the pieces as on the web map, so the reader keeps
    their bearings inside a large solid area."""
    for geom, props in _clipped("admin", bbox):
        if props.get("level") == 1:
            _stroke(ax, geom, edgecolor="#8a8579", linewidth=0.9, linestyle=(0, (4, 3)), zorder=6)
    for geom, _ in _clipped("rivers", bbox):
        _stroke(ax, geom, edgecolor="#6fa3c4", linewidth=1.8, zorder=6, capstyle="round")
    for geom, _ in _clipped("borders", bbox):
        _stroke(ax, geom, edgecolor="#5b5548", linewidth=1.6, linestyle=(0, (8, 3, 2, 3)), zorder=7)


@dataclass(frozen=True)
class _Drawn:
    """What the legend must explain."""

    actors: tuple[str, ...]
    partial: bool
    contested: bool
    claimed: bool
    stale: bool
    markers: bool


@dataclass(frozen=True)
class _PieceLook:
    """How one piece is drawn; pieces that look alike are drawn as one compound path."""

    base: str
    base_alpha: float
    hatch: str | None
    hatch_colour: str | None
    edge: str
    edge_style: Any
    stale: bool


def _piece_look(
    piece: Piece, colours: dict[str, str], day: dt.date, look: style.Look
) -> _PieceLook:
    colour = colours.get(piece.actor, "#999999")
    stale = look.fade_stale and piece.age_days(day) > look.stale_days
    fade = 0.45 if stale else 1.0
    dotted = piece.holding.confidence == "claimed"
    edge_style: Any = (0, (1, 2)) if dotted else (0, (5, 3)) if stale else "solid"
    if piece.status == "contested":
        return _PieceLook(
            "#ffffff",
            0.5 * fade,
            "xx",
            style.CONTESTED_COLOUR,
            style.CONTESTED_COLOUR,
            edge_style,
            stale,
        )
    if piece.holding.partial:
        under = piece.holding.previous
        # The earlier holder shows between the stripes, as on the web map.
        base = colours.get(under, "#999999") if under else "#ffffff"
        return _PieceLook(
            base, (0.45 if under else 0.3) * fade, "///", colour, colour, edge_style, stale
        )
    return _PieceLook(colour, 0.55 * fade, None, None, colour, edge_style, stale)


def _compound(paths: Sequence[MplPath]) -> MplPath:
    return MplPath(
        np.concatenate([p.vertices for p in paths]), np.concatenate([p.codes for p in paths])
    )


def _draw_pieces(
    ax: Axes,
    pieces: Sequence[Piece],
    colours: dict[str, str],
    day: dt.date,
    look: style.Look,
    tolerance: float,
) -> _Drawn:
    """Fill, stripes and edge of every piece, one compound path per look: thousands of
    pieces draw as fast as a dozen."""
    # Simplified to about half a pixel before projecting: detail finer than that is lost
    # in the picture anyway and only costs time.
    simple = shapely.simplify(
        np.asarray([p.geometry for p in pieces], dtype=object), tolerance, preserve_topology=True
    )
    projected = _project(simple)
    groups: dict[_PieceLook, list[MplPath]] = {}
    for piece, geom in zip(pieces, projected, strict=True):
        path = _path(geom)
        if path is not None:
            groups.setdefault(_piece_look(piece, colours, day, look), []).append(path)
    for spec, paths in groups.items():
        path = _compound(paths)
        alpha = 0.45 if spec.stale else 1.0
        ax.add_patch(
            PathPatch(path, facecolor=spec.base, alpha=spec.base_alpha, edgecolor="none", zorder=3)
        )
        if spec.hatch:
            stripes = PathPatch(path, facecolor="none", edgecolor="none", zorder=4)
            stripes.set_hatch(spec.hatch)
            stripes.set_hatchcolor(spec.hatch_colour)
            stripes.set_hatch_linewidth(1.6)
            stripes.set_alpha(0.9 * alpha)
            ax.add_patch(stripes)
        ax.add_patch(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=spec.edge,
                linewidth=1.4,
                linestyle=spec.edge_style,
                alpha=0.95 * alpha,
                zorder=5,
            )
        )
    actors: dict[str, None] = {}
    for piece in pieces:
        for actor in (piece.actor, piece.holding.previous, *piece.holding.parties):
            if actor:
                actors.setdefault(actor, None)
    specs = list(groups)
    markers = _draw_markers(ax, pieces, projected, colours, day, look)
    return _Drawn(
        actors=tuple(actors),
        partial=any(p.holding.partial and p.status != "contested" for p in pieces),
        contested=any(p.status == "contested" for p in pieces),
        claimed=any(p.holding.confidence == "claimed" for p in pieces),
        stale=any(s.stale for s in specs),
        markers=markers,
    )


def _draw_markers(
    ax: Axes,
    pieces: Sequence[Piece],
    projected: np.ndarray,
    colours: dict[str, str],
    day: dt.date,
    look: style.Look,
) -> bool:
    """A dot on every small piece (filled: full control; ring: partial; grey ring:
    contested), one plot call per kind of dot."""
    small = [i for i, p in enumerate(pieces) if p.area_km2 < MARKER_BELOW_KM2]
    if len(small) > MAX_MARKERS:
        # Hundreds of dots hide the map they are meant to clarify.
        return False
    groups: dict[tuple[str, str, float], list[tuple[float, float]]] = {}
    for i in small:
        piece, geom = pieces[i], projected[i]
        if geom.is_empty:
            continue
        point = geom.representative_point()
        colour = colours.get(piece.actor, "#999999")
        stale = look.fade_stale and piece.age_days(day) > look.stale_days
        face, edge = colour, "white"
        if piece.status == "contested":
            face, edge = "white", style.CONTESTED_COLOUR
        elif piece.holding.partial:
            face, edge = "white", colour
        groups.setdefault((face, edge, 0.5 if stale else 1.0), []).append((point.x, point.y))
    for (face, edge, alpha), points in groups.items():
        xs, ys = zip(*points, strict=True)
        ax.plot(
            xs,
            ys,
            marker="o",
            markersize=MARKER_PT,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=2.6 if face == "white" else 1.4,
            alpha=alpha,
            linestyle="none",
            zorder=8,
        )
    return bool(groups)


# Label positions tried in turn: right, left, above, below the town's dot.
_LABEL_SPOTS = (
    ("left", "center", 1, 0),
    ("right", "center", -1, 0),
    ("center", "bottom", 0, 1),
    ("center", "top", 0, -1),
)
MAX_LABELS = 28
MAX_REF_TRIES = 80
# Source numbers go diagonally off the piece's marker, clear of the town name beside it.
_REF_SPOTS = (
    ("left", "top", 0.7, -0.7),
    ("right", "top", -0.7, -0.7),
    ("left", "bottom", 0.7, 0.7),
    ("right", "bottom", -0.7, 0.7),
)


def _draw_places(
    ax: Axes, bbox: BaseGeometry, renderer: Any, fontsize: float, pieces: Sequence[Piece]
) -> list[Any]:
    """Town names without overlaps: the towns of the reference timeline first, then the
    biggest; each tries four positions around its dot and is left out if none is free."""
    x0, x1 = ax.get_xlim()
    # The web map's zoom for this width: labels are chosen by zoom and importance as there.
    lon_span = (x1 - x0) / (2 * math.pi * 6378137.0) * 360.0
    zoom = math.log2(ax.get_window_extent(renderer).width * 360.0 / (256.0 * lon_span))
    minx, miny, maxx, maxy = bbox.bounds
    chosen = [
        lb
        for lb in basemap_data.labels()
        if lb.min_zoom <= zoom + 0.5 and minx <= lb.lon <= maxx and miny <= lb.lat <= maxy
    ]
    # The towns the map is about first: those under a drawn area, then the pack's own
    # priority (the places of its dataset), then by importance.
    lonlat = np.asarray([shapely.Point(lb.lon, lb.lat) for lb in chosen], dtype=object)
    near = np.zeros(len(chosen), dtype=bool)
    if pieces and len(chosen):
        areas = shapely.STRtree([p.geometry.buffer(0.02) for p in pieces])
        near[np.unique(areas.query(lonlat, predicate="within")[0])] = True
    order = sorted(range(len(chosen)), key=lambda i: (not near[i], chosen[i].priority, i))
    chosen = [chosen[i] for i in order]
    points = _project([lonlat[i] for i in order])
    cities = [(g, {"name": lb.name}) for g, lb in zip(points, chosen, strict=True)]
    y0, y1 = ax.get_ylim()
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    gap = fontsize * 0.45 * ax.figure.dpi / 72  # pixels between dot and text
    for geom, props in cities:
        name = str(props.get("name") or "")
        if not name or not (x0 < geom.x < x1 and y0 < geom.y < y1) or len(placed) >= MAX_LABELS:
            continue
        for ha, va, dx, dy in _LABEL_SPOTS:
            text = ax.annotate(
                name,
                (geom.x, geom.y),
                xytext=(dx * gap, dy * gap),
                textcoords="offset pixels",
                fontsize=fontsize,
                fontweight="bold",
                color=INK,
                ha=ha,
                va=va,
                zorder=10,
                annotation_clip=True,
                path_effects=_halo(3.2),
            )
            text.set_parse_math(False)
            extent = text.get_window_extent(renderer).expanded(1.08, 1.25)
            inside = frame.contains(extent.x0, extent.y0) and frame.contains(extent.x1, extent.y1)
            if inside and not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                break
            text.remove()
        else:
            continue
        # The dot sits under the piece markers, so a town's control marker stays readable.
        ax.plot([geom.x], [geom.y], "o", color=INK, markersize=3.5, zorder=7.5)
    return placed


def _draw_refs(
    ax: Axes,
    pieces: Sequence[Piece],
    numbers: dict[tuple[Any, ...], int],
    listed: int,
    renderer: Any,
    placed: list[Any],
    fontsize: float,
) -> None:
    """The footer numbers of each piece's sources beside it (``[3, 7]``), where there is
    room: the reader can tell which report stands behind which area. Only the largest
    ``MAX_REF_TRIES`` pieces are tried: past that, numbers would be clutter, not help."""
    top = sorted(pieces, key=lambda p: -p.area_km2)[:MAX_REF_TRIES]
    projected = _project([p.geometry for p in top])
    frame = ax.get_window_extent(renderer)
    done: set[str] = set()
    # Clear of the marker on the piece: half its size plus a little, along the diagonal.
    gap = (MARKER_PT / 2 + 2) / 0.7 * ax.figure.dpi / 72
    for i, piece in enumerate(top):
        refs = sorted({numbers[c.source.key] for c in piece.citations})
        if not refs or refs[-1] > listed:
            # A number the footer does not list would send the reader nowhere.
            continue
        label = "[" + ", ".join(map(str, refs[:4])) + ("\u2026" if len(refs) > 4 else "") + "]"
        if label in done:
            continue
        point = projected[i].representative_point()
        for ha, va, dx, dy in _REF_SPOTS:
            text = ax.annotate(
                label,
                (point.x, point.y),
                xytext=(dx * gap, dy * gap),
                textcoords="offset pixels",
                fontsize=fontsize * 0.85,
                color="#1f3b57",
                ha=ha,
                va=va,
                zorder=10,
                path_effects=_halo(2.6),
            )
            text.set_parse_math(False)
            extent = text.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.contains(extent.x0, extent.y0) and frame.contains(extent.x1, extent.y1)
            if inside and not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                done.add(label)
                break
            text.remove()


def _nice_length(km: float) -> float:
    """The largest 1, 2 or 5 x 10^n not above ``km``."""
    exponent = math.floor(math.log10(km))
    for step in (5, 2, 1):
        if step * 10**exponent <= km:
            return float(step * 10**exponent)
    return float(10**exponent)


def _scale_bar(ax: Axes, centre_lat: float, fontsize: float) -> None:
    """A bar of a round number of km at the bottom left, true at the map's centre latitude
    (Web Mercator stretches distances by 1 / cos(latitude))."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    stretch = 1 / math.cos(math.radians(centre_lat))
    km = _nice_length((x1 - x0) / stretch / 1000 * 0.22)
    length = km * 1000 * stretch
    left = x0 + (x1 - x0) * 0.03
    base = y0 + (y1 - y0) * 0.045
    height = (y1 - y0) * 0.011
    ax.add_patch(
        Rectangle(
            (left - (x1 - x0) * 0.012, base - (y1 - y0) * 0.025),
            length + (x1 - x0) * 0.045,
            (y1 - y0) * 0.085,
            facecolor="white",
            edgecolor="#999999",
            alpha=0.9,
            linewidth=0.8,
            zorder=11,
        )
    )
    for k in range(4):
        ax.add_patch(
            Rectangle(
                (left + k * length / 4, base),
                length / 4,
                height,
                facecolor=INK if k % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=1,
                zorder=12,
            )
        )
    for frac, label in ((0.0, "0"), (0.5, f"{km / 2:g}"), (1.0, f"{km:g}")):
        ax.text(
            left + frac * length,
            base + height * 1.6,
            label,
            fontsize=fontsize,
            ha="center",
            va="bottom",
            color=INK,
            zorder=12,
        )
    ax.text(
        left + length + (x1 - x0) * 0.008,
        base + height / 2,
        "km",
        fontsize=fontsize,
        ha="left",
        va="center",
        color=INK,
        zorder=12,
    )


def _north_arrow(ax: Axes, fontsize: float) -> None:
    ax.annotate(
        "N",
        xy=(0.965, 0.955),
        xytext=(0.965, 0.855),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=fontsize * 1.3,
        fontweight="bold",
        color=INK,
        arrowprops={"facecolor": INK, "edgecolor": "white", "width": 5, "headwidth": 16},
        path_effects=_halo(3),
        zorder=12,
    )


# --- panel, header, footer -------------------------------------------------------------------


def _swatch(ax: Axes, y: float, h: float, **kwargs: Any) -> None:
    hatch = kwargs.pop("hatch", None)
    hatch_colour = kwargs.pop("hatch_colour", None)
    ax.add_patch(Rectangle((0.0, y), 0.13, h, **kwargs))
    if hatch:
        over = Rectangle((0.0, y), 0.13, h, facecolor="none", edgecolor="none", hatch=hatch)
        over.set_hatchcolor(hatch_colour)
        over.set_hatch_linewidth(1.6)
        ax.add_patch(over)
        ax.add_patch(Rectangle((0.0, y), 0.13, h, facecolor="none", edgecolor=hatch_colour))


def _legend(
    fig: Figure,
    where: _Box,
    drawn: _Drawn,
    registry: ActorRegistry,
    held: dict[str, tuple[float, float]],
    look: style.Look,
    fontsize: float,
) -> None:
    """Swatches for what is on the map, then the area each actor holds."""
    ax = fig.add_axes(where.rect())
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    panel_px = fig.get_figheight() * fig.dpi * where.height
    line = fontsize * 1.5 * fig.dpi / 72 / panel_px  # one text line, as a fraction
    # Characters per line beside a swatch: the panel's width in points over an average
    # DejaVu Sans glyph (about 0.6 em).
    chars = max(12, int(fig.get_figwidth() * 72 * where.width * 0.8 / (fontsize * 0.6)))
    sw = line * 0.9
    y = 1.0

    def heading(text: str) -> None:
        nonlocal y
        y -= line * 1.3
        ax.text(0, y, text, fontsize=fontsize * 1.15, fontweight="bold", color=INK, va="bottom")
        y -= line * 0.5

    def row(label: str, note: str = "", **swatch: Any) -> float:
        """One legend row; returns the height of its middle (for a symbol drawn on top)."""
        nonlocal y
        lines = textwrap.wrap(label, chars)[:2] or [""]
        block = line * len(lines)
        y -= max(block, sw) + line * 0.45
        middle = y + max(block, sw) / 2
        _swatch(ax, middle - sw / 2, sw, **swatch)
        ax.text(
            0.17,
            middle,
            "\n".join(lines),
            fontsize=fontsize,
            va="center",
            color=INK,
            linespacing=1.15,
            parse_math=False,
        )
        for extra in textwrap.wrap(note, int(chars / 0.85))[:2]:
            y -= line * 0.95
            ax.text(0.17, y, extra, fontsize=fontsize * 0.85, va="bottom", color=MUTED)
        return middle

    heading("Legend")
    for actor_id in drawn.actors:
        actor = registry.get(actor_id)
        colour = actor.colour if actor else "#999999"
        row(registry.name_of(actor_id), facecolor=colour, alpha=0.7, edgecolor=colour)
    if drawn.partial or not drawn.actors:
        example = registry.get(drawn.actors[0]) if drawn.actors else None
        row(
            "Partial control (most / part)",
            "claimed actor's stripes over the earlier holder",
            facecolor="#ffffff",
            edgecolor="none",
            hatch="///",
            hatch_colour=example.colour if example else "#999999",
        )
    if drawn.contested or not drawn.actors:
        row(
            "Contested",
            facecolor="#ffffff",
            edgecolor="none",
            hatch="xx",
            hatch_colour=style.CONTESTED_COLOUR,
        )
    if drawn.claimed:
        row(
            "Unconfirmed claim (dotted edge)",
            facecolor="none",
            edgecolor=INK,
            linestyle=(0, (1, 2)),
            linewidth=1.6,
        )
    if drawn.stale:
        row(
            f"Evidence over {look.stale_days} days old",
            "faded, dashed edge",
            facecolor="#999999",
            alpha=0.35,
            edgecolor="#666666",
            linestyle=(0, (5, 3)),
        )
    if drawn.markers:
        middle = row(
            "Small area: dot (full control) or ring (partial)", facecolor="none", edgecolor="none"
        )
        ax.plot([0.065], [middle], "o", ms=MARKER_PT, mfc=MUTED, mec="white", mew=1.2)
    if not held:
        return
    heading("Area held (km\u00b2)")
    for actor_id, (total, vague) in sorted(held.items(), key=lambda kv: -kv[1][0]):
        if y < line * 2:
            break
        actor = registry.get(actor_id)
        y -= line * 1.1
        ax.text(
            0,
            y,
            _shorten(registry.name_of(actor_id), chars - 6),
            fontsize=fontsize,
            color=INK,
            parse_math=False,
        )
        ax.text(1.0, y, f"{total:,.0f}", fontsize=fontsize, color=INK, ha="right")
        if vague >= 0.5:
            y -= line * 0.95
            ax.text(
                0.03,
                y,
                f"of which {vague:,.0f} partial or contested",
                fontsize=fontsize * 0.85,
                color=MUTED,
            )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _fits(text: Any, renderer: Any, max_px: float) -> bool:
    return bool(text.get_window_extent(renderer).width <= max_px)


def number_sources(pieces: Sequence[Piece]) -> list[tuple[int, Source]]:
    """Every document cited by the pieces, numbered once in the order pieces are listed.

    Unlike the web map's popups (one entry per quoted excerpt), a picture's footer lists
    documents: two excerpts of one report are one source.
    """
    seen: dict[tuple[Any, ...], Source] = {}
    for piece in pieces:
        for c in piece.citations:
            seen.setdefault(c.source.key, c.source)
    return list(enumerate(seen.values(), start=1))


def _source_text(number: int, s: Source, cut: int | None = None) -> str:
    """``[n] Title · Publisher, date``; with ``cut``, the title is cut to that many
    characters (the publisher and date are what a reader needs to find the report)."""
    meta = ", ".join(x for x in (_shorten(s.publisher, 32), s.published or "") if x)
    title = " ".join(s.title.split())
    if cut is not None and cut < len(title):
        title = title[:cut].rstrip(" .,;:") + "\u2026"
    return f"[{number}] {title}" + (f" \u00b7 {meta}" if meta else "")


def _footer(
    fig: Figure,
    where: _Box,
    sources: Sequence[tuple[int, Source]],
    columns: int,
    rows: int,
    data_version: int | None,
    fontsize: float,
    renderer: Any,
    attribution: str,
) -> None:
    """Numbered sources in columns, each on one line cut to its column; what does not fit
    is counted ("+N more"), never silently dropped."""
    ax = fig.add_axes(where.rect())
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axhline(1.0, color="#bbbbbb", linewidth=1)
    line_frac = fontsize * 1.55 * fig.dpi / 72 / (fig.get_figheight() * fig.dpi * where.height)
    y = 1.0 - line_frac * 1.1
    head = "Sources" if sources else "Sources: no area is claimed on this date"
    ax.text(0, y, head, fontsize=fontsize * 1.05, fontweight="bold", color=INK, va="bottom")
    capacity = columns * rows
    shown = list(sources)
    more = 0
    if len(shown) > capacity:
        more = len(shown) - (capacity - 1)
        shown = shown[: capacity - 1]
    col_w = 1.0 / columns
    max_px = col_w * fig.get_figwidth() * fig.dpi * where.width - fontsize * 1.5
    for k, (number, source) in enumerate(shown):
        col, r = divmod(k, rows)
        text = ax.text(
            col * col_w,
            y - (r + 1) * line_frac,
            _source_text(number, source),
            fontsize=fontsize,
            color=INK,
            va="bottom",
            parse_math=False,
        )
        cut = len(source.title)
        while not _fits(text, renderer, max_px) and cut > 8:
            cut = int(cut * 0.92)
            text.set_text(_source_text(number, source, cut))
    if more:
        col, r = divmod(len(shown), rows)
        ax.text(
            col * col_w,
            y - (r + 1) * line_frac,
            f"+{more} more: export the data (GeoPackage, CSV) for every source",
            fontsize=fontsize,
            color=INK,
            fontstyle="italic",
            va="bottom",
        )
    version = f"Data version {data_version}. " if data_version is not None else ""
    made = dt.date.today().isoformat()
    ax.text(
        0,
        0.02,
        f"{version}Made with controlmap on {made}. {attribution}",
        fontsize=fontsize * 0.9,
        color=MUTED,
        va="bottom",
    )


def _banner(fig: Figure, text: str, bottom: float, height: float, fontsize: float) -> None:
    ax = fig.add_axes((0, bottom, 1, height))
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#3a3a3a", transform=ax.transAxes))
    ax.text(
        0.5,
        0.5,
        _shorten(text.upper(), 120),
        ha="center",
        va="center",
        fontsize=fontsize,
        fontweight="bold",
        color="white",
        parse_math=False,
        transform=ax.transAxes,
    )


def _layout(banner: bool, n_sources: int, fig: Figure, fontsize: float) -> tuple[_Layout, int, int]:
    """Where everything goes, in figure fractions, with the footer's columns and rows."""
    px_h = fig.get_figheight() * fig.dpi
    pt = fig.dpi / 72 / px_h  # one point as a fraction of the height
    banner_h = fontsize * 2.2 * pt if banner else 0.0
    columns = 1 if n_sources <= 3 else 2 if n_sources <= 10 else 3
    rows = max(1, min(math.ceil(n_sources / columns), 6))
    footer_h = (rows + 2.9) * fontsize * 1.55 * pt
    header_h = fontsize * 5.2 * pt
    margin = 0.012
    footer = _Box(margin, banner_h + margin * 0.6, 1 - 2 * margin, footer_h)
    header = _Box(margin, 1 - banner_h - header_h - margin * 0.8, 1 - 2 * margin, header_h)
    body_bottom = footer.top + margin
    body_h = header.bottom - body_bottom - margin * 0.5
    map_box = _Box(margin, body_bottom, 0.735, body_h)
    panel = _Box(map_box.left + map_box.width + 0.018, body_bottom, 0.22, body_h)
    return _Layout(map_box, panel, header, footer, banner_h), columns, rows


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _header(
    fig: Figure, where: _Box, title: str, day: dt.date, pieces: Sequence[Piece], fontsize: float
) -> None:
    ax = fig.add_axes(where.rect())
    ax.set_axis_off()
    ax.text(
        0,
        0.98,
        _shorten(title, 90),
        fontsize=fontsize * 2.0,
        fontweight="bold",
        color=INK,
        va="top",
        parse_math=False,
    )
    newest = max((p.since for p in pieces), default=None)
    detail = f"As of {_long_date(day)}"
    if newest is not None:
        oldest = min(p.since for p in pieces)
        detail += f"  \u00b7  evidence dated {oldest.isoformat()} to {newest.isoformat()}"
    ax.text(0, 0.12, detail, fontsize=fontsize * 1.3, color="#333333", va="bottom")


# --- entry point -----------------------------------------------------------------------------


def render_image(
    pieces: Sequence[Piece],
    registry: ActorRegistry,
    day: dt.date,
    *,
    size: str = "1920x1080",
    title: str | None = None,
    banner: str | None = None,
    data_version: int | None = None,
    fmt: str = "png",
    look: style.Look | None = None,
    extent: tuple[float, float, float, float] | None = None,
) -> bytes:
    """The resolved map at ``day`` as a slide-ready PNG or PDF.

    Parameters
    ----------
    pieces : sequence of Piece
        The resolved map (already filtered to the actors to show).
    registry : ActorRegistry
        Actor names and colours.
    day : datetime.date
        The "as of" date.
    size : str
        ``"1920x1080"`` (default), ``"a4"`` (landscape) or ``WIDTHxHEIGHT`` in pixels.
    title : str, optional
        The heading; "Territorial control" when None.
    banner : str, optional
        Handling text (e.g. "UNCLASSIFIED") shown in a bar at the top and the bottom.
    data_version : int, optional
        The database's data version, printed in the footer so the picture can be traced.
    fmt : str
        ``"png"`` or ``"pdf"``.
    look : Look, optional
        Staleness settings (which evidence is drawn faded).
    extent : tuple, optional
        (min lon, min lat, max lon, max lat) to show; :func:`map_extent` when None.

    Returns
    -------
    bytes
        The encoded picture.
    """
    if fmt not in FORMATS:
        raise ControlmapError(f"picture format {fmt!r} is not one of {', '.join(FORMATS)}")
    look = look or style.Look()
    width, height, dpi = figure_size(size)
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    fig.set_canvas(canvas)
    # 11 pt is 15 px at 100 dpi on a 1920 px slide, comfortably above the 11 px floor; on
    # paper, 9 pt is the usual size of a map's small print and keeps A4 uncrowded.
    fontsize = 11.0 if width >= 15 else 9.0
    import matplotlib

    with matplotlib.rc_context({"font.family": FONT, "font.size": fontsize, "pdf.fonttype": 42}):
        sources = number_sources(pieces)
        layout, columns, rows = _layout(bool(banner), len(sources), fig, fontsize)
        renderer = canvas.get_renderer()
        ax = fig.add_axes(layout.map.rect())
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#888888")
        lonlat = extent or map_extent(pieces)
        map_px = (layout.map.width * width, layout.map.height * height)
        x0, y0, x1, y1 = _fit(lonlat, map_px[0] / map_px[1])
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        t = _mercator()
        lon0, lat0 = t.transform(x0, y0, direction="INVERSE")
        lon1, lat1 = t.transform(x1, y1, direction="INVERSE")
        bbox = box(lon0 - 0.2, lat0 - 0.2, lon1 + 0.2, lat1 + 0.2)
        _draw_basemap(ax, bbox)
        colours = {a.id: a.colour for a in registry}
        # Half a pixel, in degrees of longitude, at the map's width.
        tolerance = (lon1 - lon0) / (layout.map.width * width * dpi) / 2
        drawn = _draw_pieces(ax, pieces, colours, day, look, tolerance)
        _draw_lines(ax, bbox)
        placed = _draw_places(ax, bbox, renderer, fontsize, pieces)
        numbers = {source.key: n for n, source in sources}
        listed = columns * rows - (1 if len(sources) > columns * rows else 0)
        _draw_refs(ax, pieces, numbers, listed, renderer, placed, fontsize)
        _scale_bar(ax, (lat0 + lat1) / 2, fontsize)
        _north_arrow(ax, fontsize)
        held = _held(pieces)
        _legend(fig, layout.panel, drawn, registry, held, look, fontsize)
        _header(fig, layout.header, title or "Territorial control", day, pieces, fontsize)
        _footer(
            fig,
            layout.footer,
            sources,
            columns,
            rows,
            data_version,
            fontsize,
            renderer,
            _attribution(bbox),
        )
        if banner and banner.strip():
            for bottom in (0.0, 1 - layout.banner_height):
                _banner(fig, banner, bottom, layout.banner_height, fontsize * 1.1)
        out = io.BytesIO()
        metadata = (
            {
                "Title": f"{title or 'Territorial control'}, {day.isoformat()}",
                "Creator": "controlmap",
            }
            if fmt == "pdf"
            else {
                "Software": "controlmap",
                "Title": f"{title or 'Territorial control'}, {day.isoformat()}",
                # What the picture covers, so a copy can be traced to the view it came from.
                "Description": (
                    f"extent {lon0:.4f},{lat0:.4f},{lon1:.4f},{lat1:.4f}; "
                    f"actors {','.join(sorted({p.actor for p in pieces}))}"
                ),
            }
        )
        fig.savefig(out, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    return out.getvalue()


def _held(pieces: Iterable[Piece]) -> dict[str, tuple[float, float]]:
    """Actor -> (km^2 held, of which partial or contested), by the convention of analysis."""
    out: dict[str, tuple[float, float]] = {}
    for p in pieces:
        total, vague = out.get(p.actor, (0.0, 0.0))
        is_vague = p.holding.partial or p.status == "contested"
        out[p.actor] = (total + p.area_km2, vague + (p.area_km2 if is_vague else 0.0))
    return out
