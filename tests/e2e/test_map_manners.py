"""The map inside a scrolling page: wheel, first click, view kept, legend, labels, phone."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import Page, Server
from tests.e2e.test_browser import _frame

pytestmark = pytest.mark.browser
MAP = 'iframe[title="streamlit_folium.st_folium"]'
# Streamlit scrolls its main area, not the window.
SCROLL_TOP = """() => { const m = document.querySelector('[data-testid="stMain"]');
    return Math.round((m ? m.scrollTop : 0) + window.scrollY); }"""


@pytest.fixture(scope="module")
def manners_server(demo_db: str) -> Iterator[Server]:
    server = Server(demo_db, "manners")
    yield server
    server.stop()


# Clicks the page ``name`` in the navigation the moment the map's date layer has drawn its
# first area: polled in the page itself, a few ms apart, since a click sent from Python
# lands a good while after the area shows. Gives up after 90 s (a map that never draws).
CLICK_ONCE_DRAWN = """(name) => new Promise((done, fail) => {
  const until = Date.now() + 90000;
  const look = () => {
    const drawn = [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')]
      .some((f) => f.contentDocument
                   && f.contentDocument.querySelector('path.leaflet-interactive'));
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
      .find((a) => a.textContent.trim() === name);
    if (drawn && link) { link.click(); done(); }
    else if (Date.now() > until) fail(new Error('the map drew no area in 90 s'));
    else setTimeout(look, 5);
  };
  look();
})"""


def _one_map(p: Page) -> None:
    """Wait until a rebuilt map has replaced the old one (both are on the page a moment)."""
    p.page.wait_for_function(
        f"""() => document.querySelectorAll('{MAP}').length === 1
            && !document.querySelector('[data-testid="stStatusWidget"]')""",
        timeout=20_000,
    )


def _zoom(p: Page) -> int:
    return int(_frame(p).evaluate("() => window.map.getZoom()"))


def _map_box(p: Page) -> dict[str, float]:
    box = p.page.locator(MAP).bounding_box()
    assert box and box["height"] > 300, "the map did not load"
    return box


def test_wheel_scrolls_the_page_until_the_map_is_clicked(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20&lat=33.6&lon=42.9&zoom=8")
    _frame(p)
    box = _map_box(p)
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200)
    p.page.mouse.move(x, y)
    before = p.page.evaluate(SCROLL_TOP)
    p.page.mouse.wheel(0, 300)
    p.page.wait_for_function(f"() => ({SCROLL_TOP})() > {before}", timeout=10_000)
    assert _zoom(p) == 8, "the wheel zoomed the map instead of scrolling the page"
    p.map.get_by_text("Click the map to zoom with the wheel").wait_for(timeout=5_000)

    # After a click on the map, the wheel zooms it.
    box = _map_box(p)
    x, y = box["x"] + box["width"] / 2, box["y"] + max(box["height"] / 3, 40)
    p.page.mouse.click(x, y)
    scrolled = p.page.evaluate(SCROLL_TOP)
    p.page.mouse.wheel(0, -300)
    _frame(p).wait_for_function("() => window.map.getZoom() > 8", timeout=10_000)
    assert p.page.evaluate(SCROLL_TOP) == scrolled, "the wheel zoomed and scrolled the page too"
    assert p.blocked == []


def test_first_click_on_the_map_does_not_scroll_the_page(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2014-01-03&lat=33.345&lon=43.78&zoom=12")
    _frame(p)
    # Scroll so the top of the map is above the window, as after reading the controls.
    box = _map_box(p)
    p.page.evaluate(
        f"""() => document.querySelector('[data-testid="stMain"]')
            .scrollBy(0, {box["y"] + 60})"""
    )
    p.page.wait_for_function(f"() => ({SCROLL_TOP})() > 0", timeout=5_000)
    before = p.page.evaluate(SCROLL_TOP)
    box = _map_box(p)
    p.page.mouse.click(box["x"] + box["width"] / 2, max(box["y"], 0) + 150)
    p.map.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert p.page.evaluate(SCROLL_TOP) == before, "the click scrolled the page"
    assert p.blocked == []


def test_view_is_kept_when_the_map_is_rebuilt(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20")
    _frame(p)
    start = _zoom(p)
    zoom_in = p.map.locator(".leaflet-control-zoom-in")
    zoom_in.click()
    _frame(p).wait_for_function(f"() => window.map.getZoom() === {start + 1}")
    # Leaflet drops a zoom asked for while one is animating: wait until the first has ended
    # (the link follows the view on moveend) before asking for the second.
    p.page.wait_for_function(
        f"() => new URL(location.href).searchParams.get('zoom') === '{start + 1}'",
        timeout=20_000,
    )
    zoom_in.click()
    _frame(p).wait_for_function(f"() => window.map.getZoom() === {start + 2}")
    p.page.wait_for_function(
        f"() => new URL(location.href).searchParams.get('zoom') === '{start + 2}'",
        timeout=20_000,
    )
    centre = _centre(p)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    # Turning off fading changes the legend, so the whole map is built again.
    sidebar.get_by_text("Fade stale evidence").click()
    # The new map (its legend no longer speaks of fading) replaces the old one.
    _rebuilt(p, "!l.textContent.includes('Faded')")
    assert _zoom(p) == start + 2, "turning off fading reset the zoom"
    assert _near(_centre(p), centre), ("turning off fading moved the centre", centre, _centre(p))
    # Removing an actor from the filter drops it from the legend: built again too.
    remove = sidebar.locator('[data-testid="stMultiSelect"] button[aria-label^="Remove "]').last
    name = str(remove.get_attribute("aria-label")).removeprefix("Remove ")
    legend_has = f"l.textContent.includes({json.dumps(name)})"
    shown = f"() => {{ const l = document.querySelector('.cm-legend'); return {legend_has}; }}"
    assert _frame(p).evaluate(shown), f"{name} is not in the legend"
    remove.click()
    _rebuilt(p, f"!{legend_has}")
    assert _zoom(p) == start + 2, f"removing {name} from the actors reset the zoom"
    assert _near(_centre(p), centre), (f"removing {name} moved the centre", centre, _centre(p))
    assert p.blocked == []


def _centre(p: Page) -> tuple[float, float]:
    lat, lon = _frame(p).evaluate(
        "() => { const c = window.map.getCenter(); return [c.lat, c.lng]; }"
    )
    return float(lat), float(lon)


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) < 0.01


def _rebuilt(p: Page, legend_test: str) -> None:
    """Wait until a single map whose legend ``l`` passes ``legend_test`` is on the page."""
    p.page.wait_for_function(
        f"""() => {{ const maps = document.querySelectorAll('{MAP}');
            if (maps.length !== 1) return false;
            const d = maps[0].contentDocument, l = d && d.querySelector('.cm-legend');
            return l && {legend_test} && maps[0].contentWindow.map; }}""",
        timeout=30_000,
    )
    _one_map(p)


OVERLAPS = """(sel) => {
    const rects = [...document.querySelectorAll(sel)]
        .filter(e => getComputedStyle(e).visibility !== 'hidden')
        .map(e => { const b = e.getBoundingClientRect(), w = Math.max(b.width, e.scrollWidth);
                    return {left: b.left, right: b.left + w, top: b.top, bottom: b.bottom}; })
        .filter(r => r.right > r.left);
    const legend = document.querySelector('.cm-legend');
    const l = legend && legend.getBoundingClientRect();
    const hit = (a, b) => a.left < b.right && b.left < a.right
        && a.top < b.bottom && b.top < a.bottom;
    let pairs = 0, onLegend = 0;
    rects.forEach((a, i) => { rects.slice(i + 1).forEach(b => { if (hit(a, b)) pairs++; });
                              if (l && hit(a, l)) onLegend++; });
    return {shown: rects.length, pairs, onLegend};
}"""


def test_labels_do_not_collide_or_hide_under_the_legend(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20")
    frame = _frame(p)
    frame.wait_for_function("() => document.querySelector('.cm-legend-toggle')", timeout=10_000)
    frame.wait_for_function("() => document.querySelectorAll('.cm-label').length >= 8")
    _settle(p, frame)
    found = frame.evaluate(OVERLAPS, ".cm-label")
    assert found["shown"] >= 8, found
    assert found["pairs"] == 0 and found["onLegend"] == 0, found
    p.shot("30-desktop-map")
    assert p.blocked == []


def test_phone_layout(manners_server: Server, phone: Page):
    p = phone
    p.goto(f"{manners_server.base}/?date=2015-05-20")
    frame = _frame(p)
    # The date controls share one row.
    rows = [
        p.page.get_by_role("button", name="◀").bounding_box(),
        p.page.locator('[data-testid="stSlider"]').bounding_box(),
        p.page.get_by_role("button", name="▶").bounding_box(),
        p.page.locator('[data-testid="stCheckbox"]', has_text="Play").bounding_box(),
    ]
    assert all(rows), rows
    middles = [b["y"] + b["height"] / 2 for b in rows if b]
    assert max(middles) - min(middles) < 40, rows
    # The legend starts folded and opens from its heading.
    legend = frame.locator(".cm-legend")
    frame.wait_for_function("() => document.querySelector('.cm-legend.cm-folded')", timeout=10_000)
    folded = legend.bounding_box()
    assert folded and folded["height"] < 40, folded
    p.shot("31-phone-map")
    frame.locator(".cm-legend-toggle").click()
    frame.wait_for_function("() => !document.querySelector('.cm-legend.cm-folded')")
    opened = legend.bounding_box()
    assert opened and opened["height"] > 100, opened
    p.shot("32-phone-legend-open")
    # The attribution does not sit on the scale bar; labels do not collide.
    scale = frame.locator(".leaflet-control-scale").bounding_box()
    credit = frame.locator(".leaflet-control-attribution").bounding_box()
    assert scale and credit
    apart = (
        scale["x"] + scale["width"] <= credit["x"]
        or scale["y"] + scale["height"] <= credit["y"]
        or credit["y"] + credit["height"] <= scale["y"]
    )
    assert apart, (scale, credit)
    assert frame.evaluate(OVERLAPS, ".cm-label")["pairs"] == 0
    assert p.blocked == []


def test_presentation_mode_fits_the_screen_and_can_be_left(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20&present=1&lat=33.6&lon=42.9&zoom=8")
    frame = _frame(p)
    box = _map_box(p)
    legend = frame.locator(".cm-legend").bounding_box()
    assert legend, "no legend"
    assert box["y"] + legend["y"] + legend["height"] <= 900, (box, legend)
    p.shot("33-presentation-1440x900")
    p.page.get_by_role("button", name="Leave presentation mode").click()
    p.page.locator('[data-testid="stSlider"]').wait_for(timeout=20_000)
    assert "present" not in p.page.url
    assert p.blocked == []


def test_compare_starts_from_the_map_date(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20")
    _frame(p)
    p.page.locator('[data-testid="stSidebarNav"]').get_by_text("Compare dates").click()
    # The compare page writes its dates into the address, as a link to it would carry them.
    p.page.wait_for_url("**/compare?**", timeout=30_000)
    p.page.wait_for_function(
        "() => new URL(location.href).searchParams.get('to') === '2015-05-20'", timeout=30_000
    )
    start = p.page.evaluate("() => new URL(location.href).searchParams.get('from')")
    assert start < "2015-05-20", start
    p.page.get_by_text("changed between", exact=False).wait_for(timeout=30_000)
    assert p.blocked == []


def test_picture_is_what_the_map_shows(manners_server: Server, page: Page):
    from PIL import Image

    p = page
    p.goto(f"{manners_server.base}/?date=2015-05-20&actors=isil&lat=33.4&lon=43.4&zoom=9")
    frame = _frame(p)
    # Zoom in once on screen: the picture must follow the view, not the link's.
    p.map.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function("() => window.map.getZoom() === 10")
    p.page.wait_for_function(
        "() => new URL(location.href).searchParams.get('zoom') === '10'", timeout=20_000
    )
    west, south, east, north = frame.evaluate(
        "() => { const b = window.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
    )
    # The button sits by the date controls, above the map.
    opener = p.page.get_by_role("button", name="Download picture")
    assert opener.bounding_box()["y"] < _map_box(p)["y"]  # type: ignore[index]
    opener.click()
    p.page.get_by_label("Title").fill("Anbar for the morning brief")
    p.page.get_by_label("Banner (handling text, e.g. UNCLASSIFIED)").fill("Unclassified")
    p.page.get_by_label("Banner (handling text, e.g. UNCLASSIFIED)").press("Enter")
    p.page.get_by_role("button", name="Make the picture").click()
    button = p.page.locator('[data-testid="stDownloadButton"]', has_text="Download picture")
    button.wait_for(timeout=90_000)
    with p.page.expect_download(timeout=90_000) as info:
        button.click()
    path = info.value.path()
    picture = Image.open(path)
    meta = dict(picture.text)  # type: ignore[attr-defined]
    assert meta["Title"] == "Anbar for the morning brief, 2015-05-20", meta
    # Only the actor shown on screen, over the extent shown on screen.
    assert meta["Description"].endswith("actors isil"), meta
    x0, y0, x1, y1 = (float(v) for v in meta["Description"].split()[1].rstrip(";").split(","))
    assert x0 <= west + 0.05 and x1 >= east - 0.05 and y0 <= south + 0.05 and y1 >= north - 0.05
    assert (x1 - x0) < (east - west) * 2 and (y1 - y0) < (north - south) * 2
    # The banner: a dark bar across the top of the picture.
    top = picture.convert("RGB").getpixel((picture.width // 4, 2))
    assert max(top) < 80, top
    p.shot("34-picture-popover")
    assert p.blocked == []


# Where each area drawn for the date sits on screen, against the map and its legend
# (pixel boxes in the map frame).
AREAS_ON_SCREEN = """() => {
    const map = window.map, c = map.getContainer().getBoundingClientRect();
    const legend = document.querySelector('.cm-legend').getBoundingClientRect();
    const hit = (a, b) => a.left < b.right && b.left < a.right
        && a.top < b.bottom && b.top < a.bottom;
    const areas = Object.values(window.cmTimeLayer._layers)
        .flatMap(l => l._layers ? Object.values(l._layers) : [l])
        .filter(l => l.feature);
    const out = [], under = [];
    areas.forEach(l => {
        // An area too small to draw at this zoom is shown as a dot.
        const b = l.getBounds ? l.getBounds() : L.latLngBounds([l.getLatLng()]);
        const nw = map.latLngToContainerPoint(b.getNorthWest());
        const se = map.latLngToContainerPoint(b.getSouthEast());
        const r = {left: c.left + nw.x, top: c.top + nw.y, right: c.left + se.x,
                   bottom: c.top + se.y};
        const name = l.feature.properties.actor + ' ' + l.feature.properties.since;
        if (r.left < c.left || r.right > c.right || r.top < c.top || r.bottom > c.bottom)
            out.push(name);
        else if (hit(r, legend)) under.push(name);
    });
    return {areas: areas.length, out, under};
}"""


SETTLED = f"""() => {{ const f = document.querySelector('{MAP}'), m = f && f.contentWindow.map;
    if (!m) return false;
    const q = new URL(location.href).searchParams, c = m.getCenter();
    return q.get('zoom') === String(m.getZoom()) && Math.abs(+q.get('lat') - c.lat) < 0.01
        && Math.abs(+q.get('lon') - c.lng) < 0.01; }}"""


def _opening_view(p: Page, base: str) -> dict[str, object]:
    """Open the map as a first visitor does (no link: the last date, no view); where its
    areas are once the view settles."""
    p.goto(f"{base}/")
    frame = _frame(p)
    frame.wait_for_function("() => document.querySelector('.cm-legend-toggle')", timeout=10_000)
    _settle(p, frame)
    return frame.evaluate(AREAS_ON_SCREEN)  # type: ignore[no-any-return]


def _settle(p: Page, frame) -> None:  # type: ignore[no-untyped-def]
    """Wait until the view has settled (unchanged over three looks a second apart; a map
    opened without a view in the link fits itself to the screen) and the link follows it."""
    looks: list[object] = []
    while len(looks) < 40 and (len(looks) < 3 or len({str(v) for v in looks[-3:]}) > 1):
        p.page.wait_for_timeout(1_000)  # polling interval, not a wait for an outcome
        p.page.wait_for_function(SETTLED, timeout=20_000)
        _one_map(p)
        looks.append(frame.evaluate("() => [window.map.getZoom(), window.map.getCenter()]"))


def test_opening_view_shows_every_area_clear_of_the_legend(manners_server: Server, page: Page):
    p = page
    found = _opening_view(p, manners_server.base)
    assert found["areas"] >= 10, found
    assert found["out"] == [] and found["under"] == [], found
    # The whole map, scale bar and credits included, is on screen without scrolling.
    box = _map_box(p)
    assert box["y"] + box["height"] <= 900, box
    p.shot("35-desktop-opening-view")
    assert p.blocked == []


def test_opening_view_on_a_phone_shows_every_area(manners_server: Server, phone: Page):
    p = phone
    found = _opening_view(p, manners_server.base)
    assert found["areas"] >= 10, found
    assert found["out"] == [] and found["under"] == [], found
    p.shot("36-phone-opening-view")
    assert p.blocked == []


APART = """() => {
    const s = document.querySelector('.leaflet-control-scale').getBoundingClientRect();
    const c = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
    return s.right <= c.left || s.bottom <= c.top || c.bottom <= s.top;
}"""


def assert_scale_bar_clear_of_credits(frame) -> None:  # type: ignore[no-untyped-def]
    """The credits may run over two lines: the scale bar stays readable above them."""
    frame.wait_for_function("() => document.querySelector('.leaflet-control-scale')")
    with contextlib.suppress(PlaywrightTimeout):
        frame.wait_for_function(APART, timeout=10_000)
    assert frame.evaluate(APART), "the credits cover the scale bar"


def assert_wheel_scrolls_the_page(p: Page, frame, box: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """A wheel over a map nobody clicked scrolls the page and leaves the map's zoom."""
    p.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = p.page.evaluate(SCROLL_TOP)
    zoom = int(frame.evaluate("() => window.map.getZoom()"))
    p.page.mouse.wheel(0, 300)
    p.page.wait_for_function(f"() => ({SCROLL_TOP})() > {before}", timeout=10_000)
    assert int(frame.evaluate("() => window.map.getZoom()")) == zoom


def test_compare_map_keeps_its_scale_bar_clear_of_the_credits(manners_server: Server, page: Page):
    p = page
    p.goto(f"{manners_server.base}/compare?from=2017-11-17&to=2017-12-09")
    frame = _frame(p)
    p.page.get_by_text("changed between", exact=False).wait_for(timeout=30_000)
    assert_scale_bar_clear_of_credits(frame)
    # And the wheel scrolls the page past the map to the tables, as on the map page.
    assert_wheel_scrolls_the_page(p, frame, _map_box(p))
    p.shot("37-compare-desktop")
    assert p.blocked == []


def test_credits_take_one_line_on_a_phone_and_open_on_a_tap(manners_server: Server, phone: Page):
    p = phone
    p.goto(f"{manners_server.base}/?date=2015-05-20&present=1")
    frame = _frame(p)
    credits = p.map.locator(".leaflet-control-attribution")
    frame.wait_for_function(
        "() => document.querySelector('.leaflet-control-attribution').textContent"
        ".includes('GeoNames')"
    )
    _one_map(p)
    folded = credits.bounding_box()
    # Four lines of credits covered the bottom of the map; one line is left.
    assert folded and folded["height"] < 26, folded
    p.shot("38-phone-credits-folded")
    credits.click(position={"x": folded["width"] - 12, "y": folded["height"] / 2})
    frame.wait_for_function(
        "() => document.querySelector('.leaflet-control-attribution')"
        ".getBoundingClientRect().height > 40"
    )
    assert "GeoNames" in credits.inner_text()
    p.shot("39-phone-credits-open")
    assert p.blocked == []


def test_a_page_opened_as_the_map_draws_stays_open(manners_server: Server, page: Page):
    """The map's components report to the server a moment after the map is drawn (its view,
    the frame drawn): a page opened in that moment must stay open, not give way to the map
    page again (CI at be13109 showed the form, then the map page), nor go blank."""
    p = page
    p.goto(f"{manners_server.base}/contribute")
    title = p.page.get_by_role("heading", name="Contribute a claim")
    map_title = p.page.get_by_role("heading", name="Territorial control over time")
    title.wait_for(timeout=60_000)
    nav = p.page.locator('[data-testid="stSidebarNav"]')
    # Three times: the report lands in the moment after the click only now and then.
    for visit in range(3):
        nav.get_by_text("Map", exact=True).click()
        p.page.evaluate(CLICK_ONCE_DRAWN, "Contribute")
        p.page.wait_for_url("**/contribute**", timeout=30_000)
        # A fixed look, not a poll: what is checked is that nothing comes back in the time
        # the map's last reports take to arrive and be run (under a second when it happened).
        p.page.wait_for_timeout(3_000)
        where = f"visit {visit + 1}: {p.page.url}"
        assert map_title.count() == 0, f"the map page came back ({where})"
        try:
            title.wait_for(timeout=20_000)
        except PlaywrightTimeout:
            p.shot("40-page-opened-as-the-map-draws-blank")
            raise AssertionError(f"the Contribute page is not on screen ({where})") from None
        assert p.page.locator(MAP).count() == 0, f"a map is on the Contribute page ({where})"
        assert p.page.url.split("?")[0].endswith("/contribute"), where
        p.assert_no_exception()
    p.shot("40-page-opened-as-the-map-draws")
    assert p.blocked == []
