"""Accounts from the app (issue 11, point 10): a first run says how the first admin is made,
the setup link printed by `controlmap serve` makes it, and an admin invites people with
one-time links. In Chromium, network blocked, on a server started by `controlmap serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from controlmap import auth, dataset
from controlmap.store import Store
from tests.conftest import ARTIFACTS, REPO
from tests.databases import Databases
from tests.e2e.conftest import PHONE, Page, Server, _free_port

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "copper kettle 93"
SETUP_LINK = re.compile(r"https?://\S+/accounts\?setup=[A-Za-z0-9_-]+")


class Served(Server):
    """`controlmap serve` in its own process group (it starts Streamlit as a child)."""

    def __init__(self, db_url: str, tmp: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = db_url
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log = ARTIFACTS / "server-accounts.log"
        env = dict(os.environ, CONTROLMAP_DB=db_url, CONTROLMAP_USERS=str(tmp / "users.json"))
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "controlmap", "serve", "--port", str(self.port)]
                + ["--address", "127.0.0.1"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def fresh_server(
    tmp_path_factory: pytest.TempPathFactory, databases: Databases
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("accounts")
    url = databases.new(tmp, "accounts")
    dataset.init_store(Store(url), demo=False)  # no accounts at all: a first run
    server = Served(url, tmp)
    yield server
    server.stop()


def _main(p: Page):  # type: ignore[no-untyped-def]
    return p.page.locator('[data-testid="stMain"]')


def _sidebar(p: Page):  # type: ignore[no-untyped-def]
    return p.page.locator('[data-testid="stSidebar"]')


def _idle(p: Page) -> None:
    """The run is over: no running indicator, and no element of the last run left over."""
    p.page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')""",
        timeout=30_000,
    )


def _choose(p: Page, key: str, option: str) -> None:
    """Pick `option` in the select box `key`, as a user would: open it, click the option.

    A rerun that lands while the list is open closes it again; a user would open it once
    more, and so does this (three tries)."""
    box = p.page.locator(f".st-key-{key} input")
    wanted = p.page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        _idle(p)
        box.click()
        try:
            wanted.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            p.page.keyboard.press("Escape")
            continue
        wanted.click()
        expect(box).to_have_value(option, timeout=10_000)
        return
    raise AssertionError(f"the option {option!r} never showed in the select box {key!r}")


def test_a_first_run_says_how_the_first_admin_is_made_and_the_setup_link_makes_one(
    fresh_server: Served, page: Page, browser: object
) -> None:
    p = page
    # The visitor of a fresh server is told how the first admin is made ...
    p.goto(f"{fresh_server.base}/contribute")
    main = _main(p)
    main.get_by_text("No admin yet").wait_for(timeout=30_000)
    text = main.inner_text()
    assert "setup link" in text and "controlmap user add NAME --role admin" in text, text
    _idle(p)
    p.shot("30-contribute-first-run")
    # ... but cannot make themselves admin without the link.
    p.goto(f"{fresh_server.base}/accounts")
    main.get_by_text("No admin yet").wait_for(timeout=30_000)
    expect(main.get_by_role("button", name="Create the admin account")).to_have_count(0)
    p.goto(f"{fresh_server.base}/accounts?setup=guessed-code-123")
    main.get_by_text("This setup link is unknown or used").wait_for(timeout=30_000)
    expect(main.get_by_role("button", name="Create the admin account")).to_have_count(0)

    # `controlmap serve` printed a one-time setup link.
    found = SETUP_LINK.search(fresh_server.output())
    assert found, f"no setup link in the output of controlmap serve:\n{fresh_server.output()}"
    link = found.group(0)
    p.goto(link)
    main.get_by_text("Make the first admin").wait_for(timeout=30_000)
    main.get_by_role("textbox", name="Name", exact=True).fill("ada")
    main.get_by_role("textbox", name="Password", exact=True).fill(ADMIN_PASSWORD)
    main.get_by_role("textbox", name="Password again").fill(ADMIN_PASSWORD + "x")
    main.get_by_role("button", name="Create the admin account").click()
    differ = main.get_by_text("The two passwords differ")
    differ.wait_for(timeout=20_000)
    assert auth.list_users(Store(fresh_server.db_url)) == []  # nothing written
    main.get_by_role("textbox", name="Password again").fill(ADMIN_PASSWORD)
    main.get_by_role("button", name="Create the admin account").click()
    _sidebar(p).get_by_text("Signed in as ada (admin)").wait_for(timeout=20_000)
    _idle(p)
    p.shot("31-accounts-first-admin")
    assert auth.list_users(Store(fresh_server.db_url)) == [auth.User("ada", "admin")]

    # The link worked once: another browser cannot use it again.
    other = Page(browser)
    try:
        other.goto(link)
        _main(other).get_by_text("This setup link is unknown or used").wait_for(timeout=30_000)
        expect(_main(other).get_by_role("button", name="Create the admin account")).to_have_count(0)
    finally:
        other.close()
    assert p.blocked == [], p.blocked[:5]


def test_an_admin_invites_from_the_app_and_the_invited_person_joins(
    fresh_server: Served, page: Page, browser: object
) -> None:
    p = page
    p.goto(f"{fresh_server.base}/accounts")
    sidebar = _sidebar(p)
    sidebar.get_by_text("Sign in to contribute or review").wait_for(timeout=30_000)
    sidebar.get_by_role("textbox", name="Name").fill("ada")
    sidebar.get_by_role("textbox", name="Password").fill(ADMIN_PASSWORD)
    sidebar.get_by_role("button", name="Sign in").click()
    sidebar.get_by_text("Signed in as ada").wait_for(timeout=20_000)
    main = _main(p)
    main.get_by_text("Invite someone").wait_for(timeout=20_000)

    # Two invitations; the second is revoked.
    main.get_by_role("textbox", name="Who it is for").fill("Cora, field researcher")
    main.get_by_role("button", name="Make an invitation link").click()
    made = main.get_by_text(re.compile(r"/accounts\?invite="))
    made.first.wait_for(timeout=20_000)
    invitation = re.search(r"https?://\S+/accounts\?invite=[A-Za-z0-9_-]+", made.first.inner_text())
    assert invitation, made.first.inner_text()
    main.get_by_role("textbox", name="Who it is for").fill("Someone who left")
    main.get_by_role("button", name="Make an invitation link").click()
    main.get_by_text("Someone who left").first.wait_for(timeout=20_000)
    _idle(p)
    p.shot("32-accounts-invitations")
    main.get_by_role("button", name="Revoke").last.click()
    main.get_by_text("Invitation revoked").wait_for(timeout=20_000)
    expect(main.locator(".st-key-open_invitations")).not_to_contain_text("Someone who left")
    expect(main.locator(".st-key-open_invitations")).to_contain_text("Cora, field researcher")
    store = Store(fresh_server.db_url)
    ada = auth.User("ada", "admin")
    assert [i["note"] for i in auth.open_invitations(store, ada)] == ["Cora, field researcher"]

    # Cora opens her link in her own browser, chooses a password, and is signed in.
    cora = Page(browser, PHONE)
    try:
        cora.goto(invitation.group(0))
        form = _main(cora)
        form.get_by_text("You are invited to join as a contributor").wait_for(timeout=30_000)
        form.get_by_role("textbox", name="Name", exact=True).fill("cora")
        form.get_by_role("textbox", name="Password", exact=True).fill("short")
        form.get_by_role("textbox", name="Password again").fill("short")
        form.get_by_role("button", name="Create my account").click()
        form.get_by_text("must be at least 10 characters").wait_for(timeout=20_000)
        form.get_by_role("textbox", name="Password", exact=True).fill("bright lamp 42")
        form.get_by_role("textbox", name="Password again").fill("bright lamp 42")
        form.get_by_role("button", name="Create my account").click()
        form.get_by_text("Welcome, cora").wait_for(timeout=20_000)
        _idle(cora)
        cora.shot("33-accounts-invitation-accepted-phone")
        # She changes her password; this browser stays signed in, across a reload too (its
        # cookie is made again: the change ended every earlier session).
        form.get_by_role("textbox", name="Current password").fill("bright lamp 42")
        form.get_by_role("textbox", name="New password", exact=True).fill("quiet river 77")
        form.get_by_role("textbox", name="New password again").fill("quiet river 77")
        form.get_by_role("button", name="Change password").click()
        form.get_by_text("Password changed").wait_for(timeout=20_000)
        _idle(cora)
        cora.shot("33b-accounts-password-changed-phone")
        assert auth.authenticate(store, "cora", "quiet river 77") is not None
        cora.page.reload()
        form.get_by_text("You are signed in as cora").wait_for(timeout=30_000)
        cora.page.locator('[data-testid="stExpandSidebarButton"]').click()
        _sidebar(cora).get_by_text("Signed in as cora (contributor)").wait_for(timeout=20_000)
    finally:
        cora.close()
    assert auth.get_user(store, "cora") == auth.User("cora", "contributor")
    assert auth.open_invitations(store, ada) == []

    # The admin sees her and makes her a reviewer.
    p.page.reload()
    main.get_by_text("Invite someone").wait_for(timeout=30_000)
    users = main.locator(".st-key-account_list")
    expect(users).to_contain_text("cora", timeout=20_000)
    main.get_by_role("button", name="Change role").wait_for()
    _choose(p, "role_account", "cora")
    _choose(p, "role_new", "reviewer")
    main.get_by_role("button", name="Change role").click()
    main.get_by_text("cora is now a reviewer").wait_for(timeout=20_000)
    assert auth.get_user(store, "cora") == auth.User("cora", "reviewer")
    # The last admin cannot give the role up: one line, nothing changed.
    _choose(p, "role_account", "ada")
    _choose(p, "role_new", "viewer")
    main.get_by_role("button", name="Change role").click()
    main.get_by_text("The last admin cannot give up the role").wait_for(timeout=20_000)
    assert auth.get_user(store, "ada") == ada
    _idle(p)
    p.shot("34-accounts-roles")
    # Cora forgets her password: the admin sets a new one for her (her sessions end).
    _choose(p, "reset_account", "cora")
    p.page.locator(".st-key-reset_new input").fill("amber field 58")
    p.page.locator(".st-key-reset_again input").fill("amber field 58")
    main.get_by_role("button", name="Set password").click()
    main.get_by_text("New password set for cora").wait_for(timeout=20_000)
    assert auth.authenticate(store, "cora", "amber field 58") is not None
    assert auth.authenticate(store, "cora", "quiet river 77") is None
    _idle(p)
    p.shot("35-accounts-password-set-by-admin")
    assert p.blocked == [], p.blocked[:5]
