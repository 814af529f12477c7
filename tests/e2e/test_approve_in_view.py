"""Issue 11.8c: after Approve, the confirmation is in view, with a queue of pending claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from shapely.geometry import box

from controlmap import auth, dataset, workflow
from controlmap.auth import User
from controlmap.model import Claim
from controlmap.store import Store
from tests.conftest import citation
from tests.databases import Databases
from tests.e2e.conftest import Page, Server

pytestmark = pytest.mark.browser
MAIN_SCROLL = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"


@pytest.fixture(scope="module")
def queue_server(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Server]:
    """Two pending claims: after the first is approved the second and its map are shown, so
    the page stays long, as a reviewer with a queue sees it."""
    url = databases.new(tmp_path_factory.mktemp("queue"), "queue")
    dataset.init_store(Store(url), demo=False)
    store = Store(url)
    auth.add_user(store, "rex", "reviewer", "quiet river 17", who="test")
    for day, west in (("2014-01-02", 43.7), ("2014-01-03", 43.9)):
        claim = Claim(
            actor="isil",
            geometry=box(west, 33.3, west + 0.1, 33.4),
            observed_on=dt.date.fromisoformat(day),
            status="control",
            extent="most",
            citations=(citation(),),
        )
        workflow.submit(store, User("cora", "contributor"), [claim])
    server = Server(url, "queue")
    yield server
    server.stop()


def test_approve_message_is_in_view_with_a_queue(queue_server: Server, page: Page) -> None:
    p = page
    p.goto(f"{queue_server.base}/review")
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("textbox", name="Name").fill("rex")
    sidebar.get_by_role("textbox", name="Password").fill("quiet river 17")
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text("Signed in as rex").wait_for(timeout=30_000)
    p.page.get_by_text("2 pending").wait_for(timeout=30_000)
    # The review map drawn (the page at its full length), then down to the button.
    p.map.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=90_000)
    approve = p.page.get_by_role("button", name="Approve")
    approve.scroll_into_view_if_needed()
    p.page.wait_for_function(f"() => ({MAIN_SCROLL})() > 0", timeout=10_000)
    approve.click()
    done = p.page.locator('[data-testid="stMain"] [data-testid="stAlert"]').filter(
        has_text="approved: it is now on the map"
    )
    done.first.wait_for(timeout=30_000)
    # The next claim and its map are drawn: the page is long again. (While Streamlit swaps
    # the maps two frames can exist for a moment: wait for one, drawn, the run finished.)
    p.page.get_by_text("1 pending").wait_for(timeout=30_000)
    p.page.wait_for_function(
        """() => {
            const maps = document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]');
            if (maps.length !== 1 || document.querySelector('[data-testid="stStatusWidget"]'))
                return false;
            const doc = maps[0].contentDocument;
            return !!(doc && doc.querySelector('path.leaflet-interactive'));
        }""",
        timeout=90_000,
    )
    expect(done.first).to_be_in_viewport(ratio=1.0)
    p.shot("18-review-approved-with-queue")
    assert p.blocked == []
