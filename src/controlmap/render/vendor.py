"""Point folium at the Leaflet copies served by Streamlit, so no request leaves the machine."""

from __future__ import annotations

import folium
import folium.plugins

from controlmap import settings

# Relative to the streamlit-folium iframe (<base>/component/streamlit_folium.st_folium/index.html),
# which keeps working under --server.baseUrlPath.
COMPONENT_BASE = "../../app/static/vendor"
# Streamlit serves the static/ folder next to the app's script (controlmap/web/app.py); Leaflet
# is fetched there from the npm registry and the basemap files are published there at start.
STATIC_DIR = settings.packaged(settings.WEB_PACKAGE) / "static"
VENDOR_DIR = STATIC_DIR / "vendor"


def use_local_assets(base: str = COMPONENT_BASE) -> None:
    """Replace folium's CDN links (Leaflet, jQuery, Bootstrap, ...) by the local Leaflet."""
    folium.Map.default_js = [("leaflet", f"{base}/leaflet/leaflet.js")]
    folium.Map.default_css = [("leaflet_css", f"{base}/leaflet/leaflet.css")]
    folium.plugins.Draw.default_js = [("leaflet_draw_js", f"{base}/leaflet-draw/leaflet.draw.js")]
    folium.plugins.Draw.default_css = [
        ("leaflet_draw_css", f"{base}/leaflet-draw/leaflet.draw.css")
    ]


MISSING = (
    f"the map's browser library (Leaflet) is missing from {VENDOR_DIR}. In a source checkout "
    "run `make setup`; otherwise run `bash scripts/fetch_vendor.sh "
    f"{VENDOR_DIR}` from a checkout (it needs npm), or install a wheel built with npm at hand."
)


def assets_present() -> bool:
    return (VENDOR_DIR / "leaflet" / "leaflet.js").is_file()
