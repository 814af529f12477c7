"""The app in headless Chromium with every non-local request blocked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from controlmap import dataset
from controlmap.store import Store
from tests.conftest import REPO
from tests.databases import Databases
from tests.e2e.conftest import Page, Server

pytestmark = pytest.mark.browser

# What the map shows now: the map page's date layer (window.cmTimeLayer, drawn by the
# timelayer component) and, on other pages, streamlit-folium's groups, which it keeps in
# window.feature_group after replacing them, detached from the map: only groups on the map count.
DRAWN_JS = """() => [...(window.feature_group || []), window.cmTimeLayer]
    .filter(g => g && g._map)
    .flatMap(g => Object.values(g._layers))
    .flatMap(l => l._layers ? Object.values(l._layers) : [l])
    .filter(l => l.feature && l.feature.geometry.type !== 'Point')
    .map(l => [l.feature.properties.actor, l.feature.properties.status,
               l.feature.properties.extent, l.feature.properties.since].join(' '))
    .sort()"""


def _frame(p: Page):  # type: ignore[no-untyped-def]
    # Up to 90 s: a fresh server's first page on a loaded machine.
    p.map.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=90_000)
    (frame,) = [f for f in p.page.frames if "streamlit_folium" in f.url]
    return frame


@pytest.fixture(scope="module")
def demo_server(demo_db: str) -> Iterator[Server]:
    server = Server(demo_db, "demo")
    yield server
    server.stop()


def test_streamlit_run_app_py_in_the_checkout_serves_the_same_map(demo_db: str, page: Page) -> None:
    """`streamlit run app.py` at the top of a checkout: the map draws with the locally served
    Leaflet (every other request is blocked), with its legend, and no exception box."""
    server = Server(demo_db, "top-level-app", script=REPO / "app.py")
    try:
        p = page
        p.goto(f"{server.base}/?date=2014-01-03&lat=33.345&lon=43.78&zoom=12")
        frame = _frame(p)
        assert "isil control most 2014-01-02" in frame.evaluate(DRAWN_JS)
        assert "Islamic State" in p.map.locator(".cm-legend").inner_text()
        p.shot("01b-top-level-app-py")
        assert p.blocked == [], p.blocked[:5]
    finally:
        server.stop()


def test_map_slider_popup_offline(demo_server: Server, page: Page) -> None:
    p = page
    p.goto(f"{demo_server.base}/?date=2014-01-03&lat=33.345&lon=43.78&zoom=12")
    frame = _frame(p)
    drawn = frame.evaluate(DRAWN_JS)
    assert "isil control most 2014-01-02" in drawn, drawn
    p.shot("01-fallujah-2014-01-03")

    # Click the middle of the map: central Fallujah. The popup cites the seed report.
    box = p.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box and box["height"] > 300, "the map iframe is collapsed: Leaflet did not load"
    p.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = p.map.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Islamic State" in text and "most of this area" in text
    assert "Al-Qaeda Seizes Parts of Two Major Iraqi Cities" in text
    assert "Antiwar.com" in text
    # Fallujah has no outline in the sources: the popup says its area is approximate.
    assert "Place: Fallujah (approximate area" in text
    # Plain words: no column names from the timeline, and each source numbered once.
    assert "status '" not in text and "extent '" not in text, text
    assert popup.locator("ol").evaluate("e => getComputedStyle(e).listStyleType") == "none"
    assert popup.locator("li").first.inner_text().startswith("[1]")
    link = popup.locator("a", has_text="Al-Qaeda Seizes Parts")
    assert link.get_attribute("href", timeout=2_000).startswith("https://news.antiwar.com/")
    p.shot("02-popup-with-citation")

    # One step right on the slider: the next change of control is drawn, the URL follows.
    slider = p.page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    slider.press("ArrowRight")
    p.page.wait_for_function(
        "() => new URL(location.href).searchParams.get('date') === '2014-01-04'", timeout=20_000
    )
    # Same spelling as JSON.stringify, so "differs" means the drawing changed.
    before = json.dumps(json.dumps(drawn, separators=(",", ":")))
    frame.wait_for_function(f"() => JSON.stringify(({DRAWN_JS})()) !== {before}", timeout=20_000)
    after = _frame(p).evaluate(DRAWN_JS)
    assert after != drawn
    assert "isil control all 2014-01-04" in after, after
    # This claim comes from the reference timeline: its popup speaks plainly too.
    _frame(p).evaluate("() => window.map.closePopup()")
    p.map.locator(".leaflet-popup-content").wait_for(state="detached", timeout=10_000)
    p.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = p.map.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Reference timeline: captured" in text, text
    assert "status '" not in text and "extent '" not in text, text
    p.shot("03-fallujah-2014-01-04")
    assert p.blocked == [], f"requests left the machine: {p.blocked[:5]}"


def test_anbar_overview_is_legible(demo_server: Server, page: Page) -> None:
    p = page
    p.goto(f"{demo_server.base}/?date=2015-05-20")
    frame = _frame(p)
    drawn = frame.evaluate(DRAWN_JS)
    assert any(d.startswith("isil control all 2015-05-17") for d in drawn), drawn  # Ramadi fell
    legend = p.map.locator(".cm-legend")
    assert "Islamic State" in legend.inner_text()
    p.map.locator(".leaflet-container[data-basemap=ready]").wait_for()
    labels = p.map.locator(".cm-label").all_inner_texts()
    assert any("Ramadi" in t for t in labels)
    p.shot("04-anbar-2015-05-20")
    assert p.blocked == []


HOSTILE = [
    '<img src=x onerror="window.__xss=1">',
    "${window.__xss=2}",
    "`+(window.__xss=3)+`",
    "</script><script>window.__xss=4</script>",
    "\\u0060${window.__xss=5}\\",
    "<a href=javascript:window.__xss=6>click</a>",
]


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Server]:
    from shapely.geometry import box, mapping

    url = databases.new(tmp_path_factory.mktemp("hostile"), "hostile")
    store = Store(url)
    dataset.init_store(store, demo=False)
    payload = " | ".join(HOSTILE)
    fc = {
        "type": "FeatureCollection",
        "actors": [
            {
                "id": "evil",
                "name": "Evil " + payload,
                "aliases": [payload],
                "colour": "#CC79A7",
                "kind": "non-state",
            }
        ],
        "features": [
            {
                "type": "Feature",
                "geometry": mapping(box(43.70, 33.30, 43.86, 33.40)),
                "properties": {
                    "actor": "evil",
                    "status": "control",
                    "extent": extent,
                    "observed_on": "2014-01-02",
                    "notes": payload,
                    "citations": [
                        {
                            "title": "Title " + payload,
                            "publisher": "Pub " + payload,
                            "author": payload,
                            "url": "https://example.org/?q=${window.__xss=7}",
                            "published": "2014-01-02",
                            "excerpt": "Excerpt " + payload,
                        }
                    ],
                },
            }
            for extent in ("all",)
        ],
    }
    parsed = dataset.parse_claims(fc, store.actors())
    store.add_claims(parsed.claims, who="test", actors=parsed.actors)
    server = Server(url, "hostile")
    yield server
    server.stop()


def test_hostile_text_is_shown_not_run(hostile_server: Server, page: Page) -> None:
    p = page
    p.goto(f"{hostile_server.base}/?date=2014-01-05&lat=33.35&lon=43.78&zoom=11")
    frame = _frame(p)
    box = p.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box is not None
    p.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = p.map.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=10_000)
    assert "${window.__xss=2}" in tooltip.inner_text()
    p.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = p.map.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    # The payloads are visible as text ...
    assert '<img src=x onerror="window.__xss=1">' in text
    assert "${window.__xss=2}" in text and "</script><script>" in text
    # ... and nothing they ask for happened.
    assert popup.locator("img, script").count() == 0
    hrefs = popup.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(re.match(r"^https?://", h) for h in hrefs), hrefs
    legend = p.map.locator(".cm-legend")
    assert "Evil <img" in legend.inner_text() and legend.locator("img").count() == 0
    p.shot("05-hostile-popup")
    assert frame.evaluate("() => window.__xss") is None
    assert p.page.evaluate("() => window.__xss") is None
    assert p.dialogs == []
    assert p.blocked == []
