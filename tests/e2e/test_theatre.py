"""A second theatre end to end in the browser: it opens on its own extent, drawn offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely

from controlmap import dataset
from controlmap.store import Store
from tests.e2e.conftest import REPO, Page, Server

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "data" / "examples" / "sudan-2023-2025.geojson"

# The Leaflet map of the component and its view, in the map's own frame.
VIEW_JS = """() => {
    const name = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
    const b = window[name].getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth(), window[name].getZoom()];
}"""


@pytest.fixture(scope="module")
def theatre_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('theatre') / 'sudan.sqlite'}"
    store = Store(url)
    dataset.init_store(store, demo=False)
    dataset.import_file(store, EXAMPLE, who="test")
    server = Server(url, "theatre")
    yield server
    server.stop()


def _claims_box() -> tuple[float, float, float, float]:
    import json

    data = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms))
    return minx, miny, maxx, maxy


def test_second_theatre_opens_on_its_extent_with_basemap_and_labels(
    theatre_server: Server, page: Page
) -> None:
    p = page
    p.page.goto(theatre_server.base)  # no date, no view in the link
    p.map.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60_000)
    p.map.locator(".leaflet-container[data-basemap=ready]").wait_for(timeout=60_000)
    (frame,) = [f for f in p.page.frames if "streamlit_folium" in f.url]

    west, south, east, north, zoom = frame.evaluate(VIEW_JS)
    minx, miny, maxx, maxy = _claims_box()
    # The view holds the data's middle and is not the whole world.
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    assert west < cx < east and south < cy < north, (west, south, east, north)
    assert zoom >= 4 and east - west < 60

    # Land and water under the claims, borders and admin lines over them, all from the packs.
    assert p.map.locator(".leaflet-cm-base-pane path").count() > 0
    assert p.map.locator(".leaflet-cm-lines-pane path").count() > 0
    labels = " | ".join(p.map.locator(".cm-label").all_inner_texts())
    assert "Khartoum" in labels, labels
    # Nothing Streamlit would show as a crash, and nothing left the machine.
    assert p.page.locator('[data-testid="stException"]').count() == 0
    p.shot("30-second-theatre-opens-on-its-extent")
    assert p.blocked == []

    # Zoomed in on the capital: the finer band's tiles load and smaller towns are named.
    before = set(p.map.locator(".cm-label").all_inner_texts())
    frame.evaluate(
        """() => { const n = Object.keys(window).find(k => k.startsWith('map_')
                     && window[k] instanceof L.Map);
                   window[n].setView([15.2, 32.8], 8); }"""
    )
    frame.wait_for_function(
        """names => [...document.querySelectorAll('.cm-label')]
                     .some(e => !names.includes(e.innerText))""",
        arg=sorted(before),
        timeout=30_000,
    )
    frame.wait_for_function(
        "() => document.querySelectorAll('.leaflet-cm-lines-pane path').length > 0"
    )
    after = set(p.map.locator(".cm-label").all_inner_texts())
    assert after - before, after
    p.shot("31-second-theatre-zoomed-in")
    assert p.blocked == []
