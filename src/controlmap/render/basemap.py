"""The base map: drawn from the installed geo packs with no tiles, so it works with no network.

The pack layers are published as static files (see :mod:`controlmap.render.basemap_data`) and
loaded by the browser by URL, relative to the component iframe like the Leaflet assets, so a
rerun of the page (a slider step) does not send them again."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from controlmap import packs
from controlmap.model import Actor
from controlmap.render import basemap_data, style, vendor
from controlmap.render.vendor import COMPONENT_BASE

SEA = "#cfe0ea"
LAND = "#f4f1ea"
WORLD_VIEW = (20.0, 10.0, 2)  # lat, lon, zoom: when there is nothing to fit
# The static files, relative to the streamlit-folium iframe, like vendor.COMPONENT_BASE.
BASEMAP_URL = "../../app/static/basemap"
ONLINE_TILES = {
    "OpenStreetMap (online)": ("OpenStreetMap", None),
    "Satellite, Esri (online)": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri, Maxar, Earthstar Geographics",
    ),
}


def view_for(
    bounds: tuple[float, float, float, float] | None,
    *,
    largest: int = 9,
    size_px: tuple[int, int] = (900, 580),
) -> tuple[float, float, int]:
    """Centre and zoom that frame ``bounds`` (minx, miny, maxx, maxy) in a map of ``size_px``.

    With no bounds (nothing to show yet), the whole world. ``largest`` keeps some context
    around a single town."""
    if bounds is None:
        return WORLD_VIEW
    minx, miny, maxx, maxy = bounds
    lat = (miny + maxy) / 2
    # Web Mercator stretches latitude by 1 / cos(lat) near the centre of the box.
    stretch = 1 / max(math.cos(math.radians(lat)), 0.2)
    zoom_x = math.log2(size_px[0] * 360 / (256 * max(maxx - minx, 1e-4)))
    zoom_y = math.log2(size_px[1] * 360 / (256 * max((maxy - miny) * stretch, 1e-4)))
    zoom = int(math.floor(min(zoom_x, zoom_y)))
    return (lat, (minx + maxx) / 2, max(2, min(largest, zoom)))


def _view_bounds(view: tuple[float, float, int]) -> tuple[float, float, float, float]:
    """Roughly what a 900 x 600 px map shows at ``view``: whose credits the map carries."""
    lat, lon, zoom = view
    half_w = 450 * 360 / (256 * 2**zoom)
    half_h = 300 * 360 / (256 * 2**zoom) * max(math.cos(math.radians(lat)), 0.2)
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


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
    view: tuple[float, float, int] | None = None,
    tiles: str | None = None,
    legend_title: str = "Control",
    assets: str = COMPONENT_BASE,
    legend: str | None = None,
    inline_extent: tuple[float, float, float, float] | None = None,
) -> folium.Map:
    """Everything that does not change with the date: background layers, legend, patterns.

    ``view`` is (lat, lon, zoom), the whole world when None (see :func:`view_for`).
    ``inline_extent`` puts the basemap around that box into the page instead of loading it
    by URL, for a page saved as one file."""
    lat, lon, zoom = view or WORLD_VIEW
    m = folium.Map(
        location=[lat, lon],
        zoom_start=zoom,
        tiles=None,
        min_zoom=2,
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
        packs.attribution(_view_bounds(view or WORLD_VIEW)),
        f"{assets}/leaflet/images/",
    ).add_to(m)
    if tiles in ONLINE_TILES:
        url, attribution = ONLINE_TILES[tiles]
        folium.TileLayer(url, attr=attribution, name=tiles).add_to(m)
    else:
        _offline_layers(m, inline_extent)
    return m


# Drawing order and look of each basemap layer (see basemap_data for what each holds):
# (key in the tile files, pane, Leaflet path style). Fills sit under the control layer,
# lines over it so the reader keeps their bearings inside a large solid area.
_STYLES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("land", "cm-base", {"stroke": False, "fillColor": LAND, "fillOpacity": 1.0}),
    ("lakes", "cm-base", {"color": "#9cc0d6", "weight": 1, "fillColor": SEA, "fillOpacity": 1.0}),
    (
        "disputed",
        "cm-base",
        {"color": "#b5a27a", "weight": 1, "dashArray": "2 3", "fill": False},
    ),
    ("admin3", "cm-lines", {"color": "#b8b2a6", "weight": 0.5, "fill": False}),
    ("admin2", "cm-lines", {"color": "#a39d90", "weight": 0.6, "fill": False}),
    ("admin1", "cm-lines", {"color": "#8a8579", "weight": 0.8, "fill": False, "dashArray": "4 3"}),
    ("rivers", "cm-lines", {"color": "#6fa3c4", "weight": 1.4, "fill": False}),
    (
        "borders",
        "cm-lines",
        {"color": "#5b5548", "weight": 1.4, "fill": False, "dashArray": "8 3 2 3"},
    ),
)
# At these zooms and below, admin levels 2 and 3 would only be noise.
ADMIN_MIN_ZOOM = {"admin1": 5, "admin2": 8, "admin3": 9}
LABEL_SPACING_PX = 60  # two labels closer than this: only the more important one is drawn
MAX_LABELS = 160  # per view


def _offline_layers(m: folium.Map, inline_extent: tuple[float, float, float, float] | None) -> None:
    """The packs' basemap: fetched by URL from the static files, or inlined for saved pages."""
    if inline_extent is not None:
        source: dict[str, Any] = {"inline": basemap_data.inline_payload(inline_extent)}
    else:
        source = {"url": f"{BASEMAP_URL}/{basemap_data.publish(vendor.STATIC_DIR)}"}
    _PackBasemap(source).add_to(m)


class _PackBasemap(MacroElement):  # type: ignore[misc]
    """Draws the basemap tiles of the band for the current zoom, and the place labels.

    Tiles are fetched once each (the browser caches them); labels are chosen on every move:
    those whose min_zoom the map has reached, most important first, none within
    LABEL_SPACING_PX of one already drawn."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var src = {{ this.source|tojson }};
            var styles = {{ this.styles|tojson }};
            var minZoom = {{ this.admin_min_zoom|tojson }};
            var spacing = {{ this.spacing }}, maxLabels = {{ this.max_labels }};
            ["cm-base", "cm-lines", "cm-labels"].forEach(function (name, i) {
                if (!map.getPane(name)) {
                    var pane = map.createPane(name);
                    pane.style.zIndex = [250, 450, 460][i];
                    pane.style.pointerEvents = "none";
                }
            });
            var groups = {};
            styles.forEach(function (s) {
                groups[s[0]] = L.layerGroup().addTo(map);
            });
            var loaded = {}, index = null, places = [];
            function get(path) {
                return fetch(src.url + "/" + path).then(function (r) {
                    if (!r.ok) { throw new Error(path + ": " + r.status); }
                    return r.json();
                });
            }
            function draw(payload) {
                styles.forEach(function (s) {
                    var geoms = payload[s[0]];
                    if (!geoms || !geoms.length) { return; }
                    var opts = Object.assign({pane: s[1], interactive: false}, s[2]);
                    L.geoJSON(geoms, {style: function () { return opts; },
                                      interactive: false}).addTo(groups[s[0]]);
                });
            }
            function bandFor(zoom) {
                for (var i = 0; i < index.bands.length; i++) {
                    var b = index.bands[i];
                    if (zoom >= b.min_zoom && zoom <= b.max_zoom) { return b; }
                }
                return index.bands[index.bands.length - 1];
            }
            function tilesFor(band) {
                if (band.tile_degrees === null) { return ["all"]; }
                var bb = map.getBounds(), d = band.tile_degrees, out = [];
                var x0 = Math.max(0, Math.floor((bb.getWest() + 180) / d));
                var x1 = Math.min(Math.ceil(360 / d) - 1, Math.floor((bb.getEast() + 180) / d));
                var y0 = Math.max(0, Math.floor((bb.getSouth() + 90) / d));
                var y1 = Math.min(Math.ceil(180 / d) - 1, Math.floor((bb.getNorth() + 90) / d));
                for (var x = x0; x <= x1; x++) {
                    for (var y = y0; y <= y1; y++) { out.push(x + "_" + y); }
                }
                return out;
            }
            var shownBand = null;
            function refreshTiles() {
                var band = bandFor(map.getZoom());
                if (band.name !== shownBand) {
                    Object.keys(groups).forEach(function (k) { groups[k].clearLayers(); });
                    Object.keys(loaded).forEach(function (k) {
                        if (loaded[k] !== "pending") { delete loaded[k]; }
                    });
                    shownBand = band.name;
                }
                var pending = [];
                tilesFor(band).forEach(function (tile) {
                    var key = band.name + "/" + tile;
                    if (loaded[key] || band.tiles.indexOf(tile) < 0) { return; }
                    loaded[key] = "pending";
                    pending.push(get(key + ".json").then(function (payload) {
                        loaded[key] = true;
                        if (shownBand === band.name) { draw(payload); }
                    }).catch(function () { delete loaded[key]; }));
                });
                Object.keys(minZoom).forEach(function (k) {
                    if (!groups[k]) { return; }
                    var on = map.getZoom() >= minZoom[k];
                    if (on && !map.hasLayer(groups[k])) { groups[k].addTo(map); }
                    if (!on && map.hasLayer(groups[k])) { map.removeLayer(groups[k]); }
                });
                return pending;
            }
            var labels = L.layerGroup().addTo(map);
            function refreshLabels() {
                labels.clearLayers();
                var zoom = map.getZoom(), bounds = map.getBounds().pad(0.05), taken = [];
                for (var i = 0; i < places.length && taken.length < maxLabels; i++) {
                    var p = places[i];
                    if (p[3] > zoom) { break; }
                    if (!bounds.contains([p[0], p[1]])) { continue; }
                    var pt = map.latLngToContainerPoint([p[0], p[1]]), free = true;
                    for (var j = 0; j < taken.length; j++) {
                        if (Math.abs(taken[j].x - pt.x) < spacing &&
                            Math.abs(taken[j].y - pt.y) < spacing / 3) { free = false; break; }
                    }
                    if (!free) { continue; }
                    taken.push(pt);
                    var el = document.createElement("div");
                    el.className = "cm-label";
                    var dot = document.createElement("i");
                    dot.className = "cm-dot";
                    el.appendChild(dot);
                    el.appendChild(document.createTextNode(p[2]));
                    L.marker([p[0], p[1]], {
                        interactive: false, keyboard: false, pane: "cm-labels",
                        icon: L.divIcon({className: "", html: el, iconSize: [0, 0],
                                         iconAnchor: [3, 8]}),
                    }).addTo(labels);
                }
            }
            var t0 = performance.now();
            function ready() {
                // Lets a test (or a screenshot) wait until the basemap is on screen, and says
                // how long fetching, parsing and drawing it took.
                var box = map.getContainer();
                box.setAttribute("data-basemap-ms", Math.round(performance.now() - t0));
                box.setAttribute("data-basemap", "ready");
            }
            function start(idx, placeList) {
                index = idx;
                places = placeList;
                var first = refreshTiles();
                refreshLabels();
                Promise.all(first).then(ready);
                map.on("moveend", function () { refreshTiles(); refreshLabels(); });
            }
            if (src.inline) {
                draw(src.inline.data);
                places = src.inline.places;
                refreshLabels();
                ready();
                map.on("moveend", refreshLabels);
            } else {
                Promise.all([get("index.json"), get("places.json")]).then(function (r) {
                    start(r[0], r[1]);
                });
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, source: dict[str, Any]):
        super().__init__()
        self._name = "PackBasemap"
        self.source = source
        self.styles = [list(entry) for entry in _STYLES]
        self.admin_min_zoom = ADMIN_MIN_ZOOM
        self.spacing = LABEL_SPACING_PX
        self.max_labels = MAX_LABELS


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
