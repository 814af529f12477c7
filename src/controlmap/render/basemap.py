"""The base map: drawn from geo/ with no tiles, so it works with no network at all."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from controlmap import geo
from controlmap.model import Actor
from controlmap.render import safe, style
from controlmap.render.vendor import COMPONENT_BASE

SEA = "#cfe0ea"
LAND = "#f4f1ea"
DEFAULT_VIEW = (34.2, 42.4, 7)  # lat, lon, zoom: Anbar and the Euphrates valley

OFFLINE_ATTRIBUTION = (
    "Boundaries: OCHA COD-AB (CC BY 3.0 IGO) &middot; places: GeoNames (CC BY 4.0) &middot; "
    "basemap: Natural Earth"
)
ONLINE_TILES = {
    "OpenStreetMap (online)": ("OpenStreetMap", None),
    "Satellite, Esri (online)": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri, Maxar, Earthstar Geographics",
    ),
}


@lru_cache(maxsize=16)
def _layer(name: str) -> dict[str, Any]:
    path = geo.geo_dir() / name
    if not path.exists():
        return {"type": "FeatureCollection", "features": []}
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def view_for(
    bounds: tuple[float, float, float, float], *, largest: int = 12
) -> tuple[float, float, int]:
    """Centre and zoom that frame ``bounds`` (minx, miny, maxx, maxy) in a map about 900 px wide."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) * 1.6, 1e-4)
    zoom = int(math.floor(math.log2(900 * 360 / (256 * span)))) - 1
    return ((miny + maxy) / 2, (minx + maxx) / 2, max(4, min(largest, zoom)))


class _Decorations(MacroElement):  # type: ignore[misc]
    """Legend control, hatch patterns and CSS, added by script so any host page gets them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            // Leaflet guesses its marker image folder from the CSS URL and gets it wrong when
            // served from static/vendor; label markers would then request missing images.
            L.Icon.Default.imagePath = {{ this.images|tojson }};
            var doc = document;
            if (!doc.getElementById("cm-defs")) {
                var holder = doc.createElement("div");
                holder.id = "cm-defs";
                holder.innerHTML = {{ this.defs|tojson }};
                doc.body.appendChild(holder);
                var css = doc.createElement("div");
                css.innerHTML = {{ this.css|tojson }};
                doc.head.appendChild(css.firstChild);
            }
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div");
                div.innerHTML = {{ this.legend|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            var map = {{ this._parent.get_name() }};
            legend.addTo(map);
            map.attributionControl.addAttribution({{ this.attribution|tojson }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, defs: str, css: str, legend: str, attribution: str, images: str):
        super().__init__()
        self.images = images
        self.attribution = attribution
        self._name = "Decorations"
        self.defs = defs
        self.css = css
        self.legend = legend


def base_map(
    actors: Sequence[Actor],
    look: style.Look,
    *,
    view: tuple[float, float, int] = DEFAULT_VIEW,
    tiles: str | None = None,
    legend_title: str = "Control",
    assets: str = COMPONENT_BASE,
    legend: str | None = None,
) -> folium.Map:
    """Everything that does not change with the date: background layers, legend, patterns."""
    lat, lon, zoom = view
    m = folium.Map(
        location=[lat, lon],
        zoom_start=zoom,
        tiles=None,
        min_zoom=4,
        max_zoom=14,
        control_scale=True,
        prefer_canvas=False,
        attribution_control=True,
    )
    m.get_root().header.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<style>.leaflet-container {{ background: {SEA}; }}</style>")
    )
    _Decorations(
        style.svg_defs(actors),
        style.css(actors),
        legend if legend is not None else style.legend_html(actors, look, legend_title),
        OFFLINE_ATTRIBUTION,
        f"{assets}/leaflet/images/",
    ).add_to(m)
    if tiles in ONLINE_TILES:
        url, attribution = ONLINE_TILES[tiles]
        folium.TileLayer(url, attr=attribution, name=tiles).add_to(m)
    else:
        _offline_layers(m)
    return m


# (file in geo/, layer name, pane, style): land and lakes below the control layer, lines above.
_BASE_LAYERS: tuple[tuple[str, str, str | None, dict[str, Any]], ...] = (
    (
        "basemap/countries.geojson",
        "Countries",
        None,
        {"color": "#b9b3a6", "weight": 0, "fillColor": LAND, "fillOpacity": 1.0},
    ),
    (
        "basemap/lakes.geojson",
        "Lakes",
        None,
        {"color": "#9cc0d6", "weight": 1, "fillColor": SEA, "fillOpacity": 1.0},
    ),
    (
        "admin/iraq_adm1.geojson",
        "Governorates",
        "cm-lines",
        {"color": "#8a8579", "weight": 0.8, "fill": False, "dashArray": "4 3"},
    ),
    ("basemap/rivers.geojson", "Rivers", "cm-lines", {"color": "#6fa3c4", "weight": 1.6}),
    (
        "basemap/borders.geojson",
        "Borders",
        "cm-lines",
        {"color": "#5b5548", "weight": 1.4, "dashArray": "8 3 2 3"},
    ),
)


def _offline_layers(m: folium.Map) -> None:
    folium.map.CustomPane("cm-lines", z_index=450, pointer_events=False).add_to(m)
    for path, name, pane, look in _BASE_LAYERS:
        folium.GeoJson(
            _layer(path),
            name=name,
            style_function=lambda _f, look=look: look,
            interactive=False,
            smooth_factor=1.0,
            **({"pane": pane} if pane else {}),  # type: ignore[arg-type]
        ).add_to(m)
    _PlaceLabels(_labels()).add_to(m)


@lru_cache(maxsize=1)
def _labels() -> tuple[tuple[float, float, str], ...]:
    out = []
    for feature in _layer("basemap/cities.geojson")["features"]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        out.append((round(lat, 4), round(lon, 4), safe.text(feature["properties"].get("name", ""))))
    return tuple(out)


class _PlaceLabels(MacroElement):  # type: ignore[misc]
    """Town labels made by one loop in the page: a folium Marker each cost a template
    render on every rerun of the page."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            {{ this.labels|tojson }}.forEach(function (p) {
                L.marker([p[0], p[1]], {
                    interactive: false,
                    keyboard: false,
                    icon: L.divIcon({
                        className: "",
                        html: '<div class="cm-label"><i class="cm-dot"></i>' + p[2] + "</div>",
                        iconSize: [0, 0],
                        iconAnchor: [3, 8],
                    }),
                }).addTo(map);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, labels: tuple[tuple[float, float, str], ...]):
        super().__init__()
        self._name = "PlaceLabels"
        # Names are escaped in Python (safe.text); tojson keeps them inert in the script.
        self.labels = [list(label) for label in labels]


class DrawSync(MacroElement):  # type: ignore[misc]
    """Report a finished drawing to streamlit-folium once it is in ``drawnItems``.

    streamlit-folium reads ``drawnItems`` in its own 'draw:created' handler, which runs
    before folium's handler has added the new shape, so the first shape drawn was never
    sent back. Re-announcing it as an edit, a tick later, sends the complete set."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("draw:created", function () {
            var map = {{ this._parent.get_name() }};
            setTimeout(function () { map.fire("draw:edited", {layers: drawnItems}); }, 0);
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "DrawSync"
