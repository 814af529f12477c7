"""From a pasted report to an approved claim on the map, in the browser, network blocked."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from controlmap import auth, dataset
from controlmap.store import Store
from tests.databases import Databases
from tests.e2e.conftest import Page, Server
from tests.e2e.test_browser import DRAWN_JS, _frame
from tests.e2e.test_map_manners import (
    MAP,
    assert_scale_bar_clear_of_credits,
    assert_wheel_scrolls_the_page,
)

pytestmark = pytest.mark.browser
# ../shared next to the checkout (a worktree may sit one folder deeper).
SEED = next(
    (
        up / "shared" / "seed" / "aqi-seizes-parts-of-two-iraqi-cities.txt"
        for up in Path(__file__).resolve().parents
        if (up / "shared" / "seed").is_dir()
    ),
    Path("../shared/seed/aqi-seizes-parts-of-two-iraqi-cities.txt"),
)
SEED_URL = "https://news.antiwar.com/2014/01/02/al-qaeda-seizes-parts-of-two-major-iraqi-cities/"


@pytest.fixture(scope="module")
def flow_server(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("flow")
    url = databases.new(tmp, "flow")
    dataset.init_store(Store(url), demo=False)
    store = Store(url)
    auth.add_user(store, "cora", "contributor", "bright lamp 42", who="test")
    auth.add_user(store, "rex", "reviewer", "quiet river 17", who="test")
    server = Server(url, "flow", env={"CONTROLMAP_USERS": str(tmp / "users.json")})
    yield server
    server.stop()


def _sign_in(p: Page, name: str, password: str) -> None:
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Sign in to contribute or review").wait_for(timeout=20_000)
    sidebar.get_by_role("textbox", name="Name").fill(name)
    sidebar.get_by_role("textbox", name="Password").fill(password)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text(f"Signed in as {name}").wait_for(timeout=15_000)


def _suggest_from_seed(p: Page):  # type: ignore[no-untyped-def]
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
    return fallujah


def _settled(p: Page) -> None:
    """Wait for the rerun to finish and only the live map to be left."""
    p.page.wait_for_function(
        """() => document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')
            .length <= 1 && !document.querySelector('[data-testid="stStatusWidget"]')""",
        timeout=30_000,
    )


def _choose_area(p: Page, how: str) -> None:
    """Pick where the area comes from, and see the choice taken before going on."""
    choice = p.page.get_by_role("radio", name=how)
    _settled(p)
    p.page.get_by_text(how).click()
    try:
        expect(choice).to_be_checked(timeout=10_000)
    except AssertionError:
        # Seen in CI: a click that landed while the page was rerunning was lost and the
        # place's footprint was submitted instead. A reader sees the radio unchanged and
        # clicks again; so does the test, once.
        _settled(p)
        p.page.get_by_text(how).click()
        expect(choice).to_be_checked(timeout=10_000)


def test_report_to_approved_claim(flow_server: Server, page: Page) -> None:
    p = page
    base = flow_server.base
    p.goto(f"{base}/contribute")
    _sign_in(p, "cora", "bright lamp 42")

    fallujah = _suggest_from_seed(p)
    assert p.page.get_by_text("of Ramadi on 2014-01-02").count() == 1
    fallujah.click()
    _choose_area(p, "Draw on the map")
    p.shot("10-contribute-suggestions")

    # Draw a polygon over Fallujah with leaflet-draw, served locally.
    # While Streamlit swaps a map for a new one, both frames exist for a moment; the new one
    # comes last, so the locators take the last (and are resolved again on every retry).
    frame_loc = p.page.frame_locator('iframe[title="streamlit_folium.st_folium"]').last
    iframe = p.page.locator('iframe[title="streamlit_folium.st_folium"]').last
    # Choosing "Draw" reruns the page; wait until the one map left is the live one.
    _settled(p)
    # The place footprint stays on the map while drawing, to draw relative to it.
    footprint = frame_loc.locator('path[stroke="#CC79A7"]')
    try:
        footprint.first.wait_for(state="attached", timeout=15_000)
    except PlaywrightTimeout:
        # Seen once in CI (PostGIS stage, b9e13b3): the draw map stayed blank; never
        # reproduced alone or under load. Say what the frames held, for the next time.
        p.shot("10-contribute-no-footprint")
        raise AssertionError(
            f"no place footprint on the draw map: frames {p.map_frames()}, errors {p.errors[-8:]}"
        ) from None
    live = p.map_frames()[-1]
    assert live["map"] and live["paths"], live
    # Submitting with nothing drawn says so ...
    p.page.get_by_role("button", name="Submit for review").click()
    p.page.get_by_text("The claim was not submitted").wait_for(timeout=20_000)
    p.page.get_by_text("No area", exact=False).first.wait_for(timeout=5_000)
    _settled(p)
    # The message is brought into view; the reader reads it, then scrolls back to the map
    # (a scroll the page did not make ends its watch, so the map stays where it is put).
    _near(
        p,
        p.page.get_by_text("The claim was not submitted"),
        p.page.get_by_role("button", name="Submit for review"),
    )
    p.page.wait_for_timeout(500)
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
    # ... and once a polygon is drawn, neither message is left.
    expect(p.page.get_by_text("The claim was not submitted")).to_have_count(0, timeout=15_000)
    expect(p.page.get_by_text("No area", exact=False)).to_have_count(0)
    p.shot("11-contribute-drawn")
    p.page.get_by_role("button", name="Submit for review").click()
    p.page.get_by_text("is pending").wait_for(timeout=20_000)
    p.shot("12-contribute-submitted")

    # Pending: the public map has nothing to show yet.
    p.goto(f"{base}/?date=2014-01-02")
    p.page.get_by_text("No approved claims yet").wait_for(timeout=20_000)

    # A reviewer approves it.
    # A new page load keeps the sign-in (a signed cookie); the contributor cannot review.
    p.goto(f"{base}/review")
    p.page.get_by_text("Sign in with a reviewer account").wait_for(timeout=20_000)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as cora").wait_for(timeout=20_000)
    sidebar.get_by_role("button", name="Sign out").click()
    _sign_in(p, "rex", "quiet river 17")
    p.page.get_by_text("1 pending").wait_for(timeout=20_000)
    p.page.get_by_text("Dashed pink: the pending claim").wait_for(timeout=20_000)
    _frame(p)  # the review map, with the approved map beneath
    p.shot("13-review-pending")
    # The pending claim is told in names: actor, place, submitter and area, not ids.
    chooser = p.page.locator('[data-testid="stSelectbox"]').filter(has_text="1 pending")
    label = chooser.evaluate(
        "e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')"
    )
    assert "Islamic State" in label and "of Fallujah" in label, label
    assert "by cora" in label and "km²" in label and "geonames:" not in label, label
    approve = p.page.get_by_role("button", name="Approve")
    approve.scroll_into_view_if_needed()
    approve.click()
    # The confirmation is on the page (not only a toast) and in view, wherever the page was
    # scrolled to reach the button (the last pending claim is gone: no buttons are left).
    done = p.page.locator('[data-testid="stMain"] [data-testid="stAlert"]').filter(
        has_text="approved: it is now on the map"
    )
    done.first.wait_for(timeout=20_000)
    _settled(p)
    expect(done.first).to_be_in_viewport(ratio=1.0)

    p.goto(f"{base}/?date=2014-01-02&lat=33.36&lon=43.78&zoom=12")
    frame = _frame(p)
    drawn = frame.evaluate(DRAWN_JS)
    assert drawn == ["isil control most 2014-01-02"], drawn
    p.shot("14-map-after-approval")
    assert p.blocked == [], p.blocked[:5]


def test_form_outlives_a_visit_to_the_map_and_submit_answers_by_the_button(
    flow_server: Server, page: Page
) -> None:
    p = page
    p.goto(f"{flow_server.base}/contribute")
    _sign_in(p, "cora", "bright lamp 42")
    _suggest_from_seed(p).click()
    nav = p.page.locator('[data-testid="stSidebarNav"]')

    # To the map and back: the report, the suggestions and the chosen one are all there.
    nav.get_by_text("Map", exact=True).click()
    p.page.get_by_role("heading", name="Territorial control over time").or_(
        p.page.get_by_text("No approved claims yet")
    ).first.wait_for(timeout=20_000)
    # as a user does, look at the map once it is drawn: leaving while its first run still
    # resolves the layers waits for that run (CI at 96b8ca4 once found the form blank at 20 s)
    _settled(p)
    # No longer than that: the map's reports a moment after it is drawn used to undo this
    # click (CI at be13109, PostGIS stage: the form showed, then the map page came back);
    # test_map_manners.py clicks in that moment on purpose.
    nav.get_by_text("Contribute", exact=True).click()
    title = p.page.get_by_label("Title")
    # the first return to the form in a fresh clone has taken over 20 s in CI (twice, at
    # 96b8ca4 and 4479474; never when run warm or alone): cause not found, allowance as for the
    # first extraction
    expect(title).to_have_value("Al-Qaeda Seizes Parts of Two Major Iraqi Cities", timeout=60_000)
    expect(p.page.get_by_label("Report text")).not_to_be_empty()
    p.page.get_by_text("suggested from the report").wait_for()
    chosen = p.page.get_by_role("radio", name="of Fallujah on 2014-01-02", exact=False)
    expect(chosen).to_be_checked()
    expect(p.page.get_by_role("textbox", name="Place", exact=True)).to_have_value("Fallujah")
    p.shot("15-contribute-kept")

    # Fallujah on 2014-01-02 by ISIL is already on the map (the test above): a warning by
    # the button, and nothing is added until Submit is pressed again.
    submit = p.page.get_by_role("button", name="Submit for review")
    # Pressed where a reader often finds it, at the bottom edge of the window: the message
    # that appears under it must still be seen (CI at e06625e found it 32 px below the window).
    submit.evaluate("b => b.scrollIntoView({block: 'end'})")
    submit.click()
    warning = p.page.get_by_text("already says", exact=False)
    warning.wait_for(timeout=20_000)
    store = Store(flow_server.db_url)
    before = len(store.claims(("pending", "approved")))
    version = store.data_version()
    _near(p, warning, submit)
    submit.click()
    done = p.page.get_by_text("was submitted and is pending", exact=False)
    done.wait_for(timeout=20_000)
    _near(p, done, submit)
    assert len(store.claims(("pending", "approved"))) == before + 1
    # A pending claim changes nothing the public sees: links keep their data version.
    assert store.data_version() == version
    # The form is cleared for the next claim: a second click adds nothing.
    expect(p.page.get_by_role("radio", name="A blank claim")).to_be_checked()
    expect(p.page.get_by_role("textbox", name="Place", exact=True)).to_have_value("")
    p.shot("16-contribute-submitted")
    assert p.blocked == []


def test_a_rejection_without_reason_is_told_by_the_reason_field(
    flow_server: Server, page: Page
) -> None:
    p = page
    p.goto(f"{flow_server.base}/review")
    _sign_in(p, "rex", "quiet river 17")
    p.page.get_by_text("1 pending").wait_for(timeout=20_000)
    reject = p.page.get_by_role("button", name="Reject")
    reject.scroll_into_view_if_needed()
    reject.click()
    problem = p.page.locator('[data-testid="stAlert"]').filter(has_text="reason")
    problem.first.wait_for(timeout=20_000)
    _near(p, problem.first, p.page.get_by_label("Reason for rejecting"))
    p.shot("17-review-reason")
    assert p.blocked == []


def _near(p: Page, message, other, on_screen: bool = True) -> None:  # type: ignore[no-untyped-def]
    """The message is within a short distance of ``other`` and, unless ``on_screen`` is
    False, inside the window within a moment of the run ending."""
    p.page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    if on_screen:
        # A reader sees it within a moment of the run ending (the page brings it into view
        # once what is above it has been laid out).
        with contextlib.suppress(PlaywrightTimeout):
            p.page.wait_for_function(
                """([m, h]) => {
                    const r = m.getBoundingClientRect();
                    return r.height > 0 && r.top >= 0 && r.bottom <= h;
                }""",
                arg=[message.element_handle(), p.page.viewport_size["height"]],
                timeout=3_000,
            )
    m, b = message.evaluate(
        "(m, o) => [m.getBoundingClientRect().toJSON(), o.getBoundingClientRect().toJSON()]",
        other.element_handle(),
    )
    if on_screen:
        height = p.page.viewport_size["height"]
        assert m["y"] >= 0 and m["y"] + m["height"] <= height, f"message off screen: {m}"
    assert abs(m["y"] - b["y"]) < 200, (m, b)


def test_draw_map_keeps_its_scale_bar_clear_and_the_wheel_scrolls_the_form(
    flow_server: Server, page: Page
) -> None:
    """The area map sits in the middle of a long form: it behaves like the main map."""
    p = page
    p.goto(f"{flow_server.base}/contribute")
    _sign_in(p, "cora", "bright lamp 42")
    p.page.get_by_text("3. The area").wait_for(timeout=30_000)
    p.page.locator(MAP).wait_for(timeout=30_000)
    (frame,) = [f for f in p.page.frames if "streamlit_folium" in f.url]
    assert_scale_bar_clear_of_credits(frame)
    # Scrolling down the form over the map scrolls the page and leaves the map's zoom.
    p.page.locator(MAP).scroll_into_view_if_needed()
    box = p.page.locator(MAP).bounding_box()
    assert box and box["height"] > 300, "the area map did not load"
    assert_wheel_scrolls_the_page(p, frame, box)
    p.shot("18-contribute-area-map")
    assert p.blocked == []
