"""The review page in Chromium, network blocked: actor changes proposed by contributors are
reviewed there (who proposed, what changes, approve or reject with a reason, never by their
proposer), and every decision's message is in view next to the control that made it, at
1440x900 and on a 390x844 phone (issue 11, points 8 and 10)."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from controlmap import auth, dataset
from controlmap.store import Store
from tests.databases import Databases
from tests.e2e.conftest import Page, Server

pytestmark = pytest.mark.browser
PASSWORDS = {"cora": "bright lamp 42", "rex": "quiet river 17", "rita": "silver birch 58"}
FEATURE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[43.70, 33.30], [43.82, 33.30], [43.82, 33.40], [43.70, 33.30]]],
    },
    "properties": {
        "actor": "isil",
        "status": "control",
        "observed_on": "2014-01-02",
        "citations": [{"title": "A report", "url": "https://example.org/a"}],
    },
}


def _file(folder: Path, name: str, days: list[str], actors: list[dict] | None = None) -> Path:
    features = []
    for day in days:
        feature = copy.deepcopy(FEATURE)
        feature["properties"]["observed_on"] = day
        features.append(feature)
    path = folder / name
    data = {"type": "FeatureCollection", "features": features, "actors": actors or []}
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def review_server(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("review")
    url = databases.new(tmp, "review")
    store = Store(url)
    dataset.init_store(store, demo=False)
    auth.add_user(store, "cora", "contributor", PASSWORDS["cora"], who="test")
    auth.add_user(store, "rex", "reviewer", PASSWORDS["rex"], who="test")
    auth.add_user(store, "rita", "reviewer", PASSWORDS["rita"], who="test")
    # Six pending claims from a contributor, enough for four decisions at two sizes.
    days = [f"2014-01-{d:02d}" for d in range(2, 8)]
    dataset.import_file(
        store, _file(tmp, "claims.geojson", days), who="cora", review_state="pending"
    )
    # Two changes to existing actors, proposed by pending files: one by the contributor, one
    # by a reviewer (who must not approve it themselves).
    rename = {
        "id": "isil",
        "name": "Liberators",
        "colour": "#00ff00",
        "aliases": ["Freedom Front"],
    }
    dataset.import_file(
        store,
        _file(tmp, "rename.geojson", ["2014-02-01"], [rename]),
        who="cora",
        review_state="pending",
    )
    recolour = {
        "id": "krg",
        "name": "Kurdistan Regional Government (Peshmerga)",
        "colour": "#222222",
    }
    feature_krg = _file(tmp, "recolour.geojson", ["2014-02-02"], [recolour])
    data = json.loads(feature_krg.read_text())
    data["features"][0]["properties"]["actor"] = "krg"
    feature_krg.write_text(json.dumps(data))
    dataset.import_file(store, feature_krg, who="rex", review_state="pending")
    assert len(store.actor_proposals()) == 2
    server = Server(url, "review", env={"CONTROLMAP_USERS": str(tmp / "users.json")})
    yield server
    server.stop()


def _sign_in(p: Page, name: str) -> None:
    """Sign in from the sidebar (opened first on a phone, and closed again after)."""
    phone = p.page.viewport_size["width"] < 640
    if phone:
        p.page.locator('[data-testid="stExpandSidebarButton"]').click(timeout=30_000)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Sign in to contribute or review").wait_for(timeout=30_000)
    sidebar.get_by_role("textbox", name="Name").fill(name)
    sidebar.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text(f"Signed in as {name}").wait_for(timeout=20_000)
    if phone:
        p.page.locator('[data-testid="stSidebarCollapseButton"] button').click()
        expect(sidebar.get_by_text(f"Signed in as {name}")).not_to_be_in_viewport()


def _idle(p: Page) -> None:
    """The run is over: no running indicator, and no element of the last run left over."""
    p.page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')""",
        timeout=30_000,
    )


def _in_view_near(p: Page, message, control) -> None:  # type: ignore[no-untyped-def]
    """``message`` is inside the window (not a toast: on the page) and close to ``control``."""
    _idle(p)
    height = p.page.viewport_size["height"]
    # A reader sees it within a moment of the run ending (the page brings it into view once
    # what is above it has been laid out).
    with contextlib.suppress(PlaywrightTimeout):
        p.page.wait_for_function(
            """([m, h]) => {
                const r = m.getBoundingClientRect();
                return r.height > 0 && r.top >= 0 && r.bottom <= h;
            }""",
            arg=[message.element_handle(), height],
            timeout=3_000,
        )
    m, c = message.evaluate(
        "(m, o) => [m.getBoundingClientRect().toJSON(), o.getBoundingClientRect().toJSON()]",
        control.element_handle(),
    )
    assert m["height"] > 0 and m["y"] >= 0 and m["y"] + m["height"] <= height, (
        f"message not in view in a {height} px window: {m}"
    )
    assert abs(m["y"] - c["y"]) < 250, f"message far from its control: {m} vs {c}"


def _alert(p: Page, text: str):  # type: ignore[no-untyped-def]
    """An alert on the page (never the toast) holding ``text``."""
    return p.page.locator('[data-testid="stMain"] [data-testid="stAlert"]').filter(has_text=text)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_decision_messages_are_in_view_next_to_their_controls(
    review_server: Server, page: Page, phone: Page, size: str
) -> None:
    p = page if size == "desktop" else phone
    p.goto(f"{review_server.base}/review")
    _sign_in(p, "rex")
    p.page.get_by_text("pending", exact=False).first.wait_for(timeout=20_000)
    p.page.get_by_text("Dashed pink: the pending claim").wait_for(timeout=30_000)
    _idle(p)
    p.shot(f"35-review-top-{size}")

    # Reject without a reason: the message is by the reason field, and in view.
    reject = p.page.get_by_role("button", name="Reject", exact=True)
    reject.scroll_into_view_if_needed()
    reject.click()
    problem = _alert(p, "a rejection needs a reason").first
    problem.wait_for(timeout=20_000)
    _in_view_near(p, problem, p.page.get_by_label("Reason for rejecting", exact=True))
    p.shot(f"35-review-reason-{size}")

    # Approve: the confirmation is on the page by the buttons, in view (not only a toast).
    approve = p.page.get_by_role("button", name="Approve", exact=True)
    approve.scroll_into_view_if_needed()
    approve.click()
    done = _alert(p, "approved: it is now on the map").first
    done.wait_for(timeout=20_000)
    _in_view_near(p, done, p.page.get_by_role("button", name="Approve", exact=True))
    p.shot(f"36-review-approved-{size}")

    # Reject with a reason: told by the buttons too.
    p.page.get_by_label("Reason for rejecting", exact=True).fill("the source says otherwise")
    reject = p.page.get_by_role("button", name="Reject", exact=True)
    reject.scroll_into_view_if_needed()
    reject.click()
    told = _alert(p, "rejected").first
    told.wait_for(timeout=20_000)
    _in_view_near(p, told, p.page.get_by_role("button", name="Reject", exact=True))
    assert p.blocked == [], p.blocked[:5]


def test_actor_changes_are_reviewed_on_the_review_page(review_server: Server, page: Page) -> None:
    p = page
    store = Store(review_server.db_url)
    before = store.actors().get("isil")
    p.goto(f"{review_server.base}/review")
    _sign_in(p, "rex")
    main = p.page.locator('[data-testid="stMain"]')
    main.get_by_text("Actor changes waiting for review").wait_for(timeout=30_000)
    rename = main.locator(".st-key-actor_change_1")
    recolour = main.locator(".st-key-actor_change_2")
    # Who proposed it, and what would change: name, colour, aliases.
    expect(rename).to_contain_text("proposed by cora")
    for text in ("Islamic State (ISIL)", "Liberators", "#D55E00", "#00ff00", "Freedom Front"):
        expect(rename).to_contain_text(text)
    expect(recolour).to_contain_text("proposed by rex")
    expect(recolour).to_contain_text("#222222")
    _idle(p)
    p.shot("37-review-actor-changes")

    # No approval of one's own proposal: refused in one line, by the buttons, nothing changed.
    recolour.get_by_role("button", name="Approve change").click()
    refused = recolour.locator('[data-testid="stAlert"]').filter(has_text="second reviewer")
    refused.wait_for(timeout=20_000)
    _in_view_near(p, refused, recolour.get_by_role("button", name="Approve change"))
    assert store.actors().get("krg").colour == "#009E73"

    # A rejection needs a reason, told by the reason field.
    rename.get_by_role("button", name="Reject change").click()
    needs = rename.locator('[data-testid="stAlert"]').filter(has_text="needs a reason")
    needs.wait_for(timeout=20_000)
    _in_view_near(p, needs, rename.get_by_label("Reason for rejecting this change"))
    assert store.actors().get("isil") == before and len(store.actor_proposals()) == 2
    rename.get_by_label("Reason for rejecting this change").fill("not a real rename")
    rename.get_by_role("button", name="Reject change").click()
    gone = main.get_by_text("Change to Islamic State (ISIL) rejected")
    gone.wait_for(timeout=20_000)
    expect(main.locator(".st-key-actor_change_1")).to_have_count(0)
    assert store.actors().get("isil") == before
    p.shot("38-review-actor-rejected")

    # A second reviewer approves rex's proposal: applied to the public registry.
    p.page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    _sign_in(p, "rita")
    recolour = main.locator(".st-key-actor_change_2")
    recolour.get_by_role("button", name="Approve change").click()
    main.get_by_text("Change to Kurdistan Regional Government (Peshmerga) approved").wait_for(
        timeout=20_000
    )
    assert store.actors().get("krg").colour == "#222222"
    assert store.actor_proposals() == []
    main.get_by_text("No actor changes are waiting").wait_for(timeout=20_000)
    assert p.blocked == [], p.blocked[:5]
