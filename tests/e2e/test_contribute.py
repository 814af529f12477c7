"""From a pasted report to an approved claim on the map, in the browser, network blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controlmap import auth, dataset
from controlmap.store import Store
from tests.databases import Databases
from tests.e2e.conftest import Page, Server
from tests.e2e.test_browser import DRAWN_JS, _frame

pytestmark = pytest.mark.browser
SEED = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "seed"
    / "aqi-seizes-parts-of-two-iraqi-cities.txt"
)
SEED_URL = "https://news.antiwar.com/2014/01/02/al-qaeda-seizes-parts-of-two-major-iraqi-cities/"


@pytest.fixture(scope="module")
def flow_server(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("flow")
    url = databases.new(tmp, "flow")
    dataset.init_store(Store(url), demo=False)
    users = tmp / "users.json"
    auth.add_user("cora", "contributor", "cora-password", users)
    auth.add_user("rex", "reviewer", "rex-password", users)
    server = Server(url, "flow", env={"CONTROLMAP_USERS": str(users)})
    yield server
    server.stop()


def _sign_in(p: Page, name: str, password: str) -> None:
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Sign in to contribute or review").wait_for(timeout=20_000)
    sidebar.get_by_role("textbox", name="Name").fill(name)
    sidebar.get_by_role("textbox", name="Password").fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text(f"Signed in as {name}").wait_for(timeout=15_000)


def test_report_to_approved_claim(flow_server: Server, page: Page) -> None:
    p = page
    base = flow_server.base
    p.page.goto(f"{base}/contribute")
    _sign_in(p, "cora", "cora-password")

    p.page.get_by_label("Title").fill("Al-Qaeda Seizes Parts of Two Major Iraqi Cities")
    p.page.get_by_label("Publisher").fill("Antiwar.com")
    p.page.get_by_label("Link (http or https)").fill(SEED_URL)
    # A segmented date field: type each part, as a keyboard user would.
    for part, value in (("year", "2014"), ("month", "01"), ("day", "02")):
        p.page.get_by_role("spinbutton", name=f"{part}, Published").type(value)
    p.page.get_by_label("Report text").fill(SEED.read_text(encoding="utf-8"))
    p.page.get_by_role("button", name="Suggest claims").click()
    fallujah = p.page.get_by_text("of Fallujah on 2014-01-02")
    fallujah.wait_for(timeout=60_000)  # the first extraction builds the gazetteer index
    assert p.page.get_by_text("of Ramadi on 2014-01-02").count() == 1
    fallujah.click()
    p.page.get_by_text("Draw on the map").click()
    p.shot("10-contribute-suggestions")

    # Draw a polygon over Fallujah with leaflet-draw, served locally.
    frame_loc = p.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    iframe = p.page.locator('iframe[title="streamlit_folium.st_folium"]')
    # Choosing "Draw" reruns the page; wait until the one map left is the live one.
    p.page.wait_for_function(
        """() => document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')
            .length === 1 && !document.querySelector('[data-testid="stStatusWidget"]')""",
        timeout=20_000,
    )
    iframe.scroll_into_view_if_needed()
    frame_loc.locator(".leaflet-draw-draw-polygon").click(timeout=15_000)
    box = iframe.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-60, -50), (60, -50), (70, 40), (-50, 50)]
    vertices = frame_loc.locator(".leaflet-editing-icon")
    for k, (dx, dy) in enumerate(corners, start=1):
        p.page.mouse.move(cx + dx, cy + dy, steps=4)
        p.page.mouse.down()
        p.page.mouse.up()
        # Wait for leaflet-draw to take the vertex before placing the next one.
        p.page.wait_for_function(
            f"""() => document.querySelector('iframe[title="streamlit_folium.st_folium"]')
                .contentDocument.querySelectorAll('.leaflet-editing-icon').length >= {k}""",
            timeout=10_000,
        )
    assert vertices.count() == len(corners)
    frame_loc.get_by_text("Finish").click()
    p.shot("11-contribute-drawn")
    p.page.get_by_text("Drawn area:").wait_for(timeout=15_000)
    p.shot("11-contribute-drawn")
    p.page.get_by_role("button", name="Submit for review").click()
    p.page.get_by_text("is pending").wait_for(timeout=20_000)
    p.shot("12-contribute-submitted")

    # Pending: the public map has nothing to show yet.
    p.page.goto(f"{base}/?date=2014-01-02")
    p.page.get_by_text("No approved claims yet").wait_for(timeout=20_000)

    # A reviewer approves it.
    # A new page load is a new session: signed out. The contributor cannot review.
    p.page.goto(f"{base}/review")
    p.page.get_by_text("Sign in with a reviewer account").wait_for(timeout=20_000)
    _sign_in(p, "rex", "rex-password")
    p.page.get_by_text("1 pending").wait_for(timeout=20_000)
    p.page.get_by_text("Dashed pink: the pending claim").wait_for(timeout=20_000)
    _frame(p)  # the review map, with the approved map beneath
    p.shot("13-review-pending")
    p.page.get_by_role("button", name="Approve").click()
    p.page.get_by_text("approved: it is now on the map").wait_for(timeout=20_000)

    p.page.goto(f"{base}/?date=2014-01-02&lat=33.36&lon=43.78&zoom=12")
    frame = _frame(p)
    drawn = frame.evaluate(DRAWN_JS)
    assert drawn == ["isil control most 2014-01-02"], drawn
    p.shot("14-map-after-approval")
    assert p.blocked == [], p.blocked[:5]
