"""Sign-in survives a page reload (issue 8 item 2), and signing out ends it, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from controlmap import auth, dataset
from controlmap.store import Store
from tests.e2e.conftest import Page, Server

pytestmark = pytest.mark.browser
PASSWORD = "bright lamp 42"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{tmp / 'signin.sqlite'}"
    store = Store(url)
    dataset.init_store(store, demo=False)
    auth.add_user(store, "cora", "contributor", PASSWORD, who="test")
    server = Server(url, "signin", env={"CONTROLMAP_USERS": str(tmp / "users.json")})
    yield server
    server.stop()


def _sidebar(p: Page):  # type: ignore[no-untyped-def]
    return p.page.locator('[data-testid="stSidebar"]')


def test_sign_in_survives_a_reload_and_sign_out_ends_it(accounts_server: Server, page: Page):
    p = page
    p.page.goto(f"{accounts_server.base}/contribute")
    sidebar = _sidebar(p)
    sidebar.get_by_text("Sign in to contribute or review").wait_for(timeout=30_000)
    sidebar.get_by_role("textbox", name="Name").fill("cora")
    sidebar.get_by_role("textbox", name="Password").fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text("Signed in as cora").wait_for(timeout=20_000)
    # The cookie is written by the page after the sign-in: wait until the browser has it.
    p.page.wait_for_function(f"document.cookie.includes('{auth.COOKIE}=')", timeout=20_000)
    cookies = {c["name"]: c for c in p.page.context.cookies()}
    assert cookies[auth.COOKIE]["sameSite"] == "Strict"
    assert PASSWORD not in cookies[auth.COOKIE]["value"]

    p.page.reload()
    _sidebar(p).get_by_text("Signed in as cora").wait_for(timeout=30_000)
    p.shot("30-signed-in-after-reload")

    _sidebar(p).get_by_role("button", name="Sign out").click()
    _sidebar(p).get_by_text("Sign in to contribute or review").wait_for(timeout=20_000)
    p.page.wait_for_function(f"!document.cookie.includes('{auth.COOKIE}=')", timeout=20_000)
    p.page.reload()
    _sidebar(p).get_by_text("Sign in to contribute or review").wait_for(timeout=30_000)
    assert p.page.locator('[data-testid="stException"]').count() == 0
    assert p.blocked == []
