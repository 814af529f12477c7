"""A real server on a free port and headless Debian Chromium with the network blocked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, REPO, require_browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# Records every Streamlit exception box the moment it enters the page, even one that
# disappears a second later, and reports it to Python (which outlives navigations).
EXCEPTION_WATCH = """(() => {
  const seen = new WeakSet();
  const report = (node) => {
    if (seen.has(node)) return;
    seen.add(node);
    const text = (node.innerText || node.textContent || '').slice(0, 500);
    if (window.__cmException) window.__cmException(location.href + ' :: ' + text);
  };
  const scan = (root) => {
    if (root.nodeType !== 1) return;
    if (root.matches('[data-testid="stException"]')) report(root);
    root.querySelectorAll('[data-testid="stException"]').forEach(report);
  };
  const start = () => {
    scan(document.documentElement);
    new MutationObserver((records) => records.forEach((r) => {
      r.addedNodes.forEach(scan);
      if (r.type === 'attributes') scan(r.target);
    })).observe(document.documentElement, {childList: true, subtree: true,
                                           attributes: true, attributeFilter: ['data-testid']});
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start);
})();"""


MAP_FRAMES_JS = """() => [...document.querySelectorAll(
    'iframe[title="streamlit_folium.st_folium"]')].map((f) => {
  const w = f.contentWindow, d = f.contentDocument;
  if (!w || !d) return {loaded: false};
  return {
    loaded: d.readyState, map: !!w.map, leaflet: !!w.L,
    layers: w.map ? Object.keys(w.map._layers).length : 0,
    paths: d.querySelectorAll('path').length,
    scripts: d.querySelectorAll('script').length,
    height: f.getBoundingClientRect().height,
  };
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_tracebacks(limit: int = 4000) -> str:
    """The last traceback each server wrote to its log, for a failure message: CI prints the
    message, not the logs, and the app's own error box is redacted."""
    found = []
    for log in sorted(ARTIFACTS.glob("server-*.log")):
        text = log.read_text(errors="replace")
        at = text.rfind("Traceback (most recent call last)")
        if at >= 0:
            found.append(f"\n--- {log.name} ---\n{text[at:][-limit:]}")
    return "".join(found) or "\n(no traceback in the server logs)"


class Server:
    def __init__(
        self,
        db_url: str,
        name: str,
        env: dict[str, str] | None = None,
        script: Path = REPO / "src" / "controlmap" / "web" / "app.py",
    ):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = db_url
        self.log = ARTIFACTS / f"server-{name}.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, CONTROLMAP_DB=db_url, **(env or {}))
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(script),
                    "--server.port",
                    str(self.port),
                    "--server.address",
                    "127.0.0.1",
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy()

    def _wait_healthy(self, limit: float = 90.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)  # polling interval, not a wait for an outcome
        raise RuntimeError(f"server not healthy after {limit}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A browser page whose every non-local request is blocked and recorded, and whose
    every Streamlit exception box is recorded the moment it appears."""

    def __init__(self, browser: object, viewport: dict[str, int] | None = None):
        self.page = browser.new_page(viewport=viewport or DESKTOP)  # type: ignore[attr-defined]
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.exceptions: list[str] = []
        # Script errors and console errors of the page and its frames, for failure messages.
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", self._console)
        self.page.expose_function("__cmException", self._exception)
        self.page.add_init_script(EXCEPTION_WATCH)
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)

    def goto(self, url: str) -> None:
        """Open ``url``; the page just left must not have shown an exception box."""
        self.assert_no_exception()
        self.page.goto(url)

    def assert_no_exception(self) -> None:
        boxes = self.page.locator('[data-testid="stException"]')
        if boxes.count():
            raise AssertionError(
                f"exception box on screen: {boxes.first.inner_text()[:500]}{server_tracebacks()}"
            )
        if self.exceptions:
            raise AssertionError(
                f"an exception box appeared: {self.exceptions[0]}{server_tracebacks()}"
            )

    def close(self) -> None:
        """Close the page; fails if an exception box appeared at any moment."""
        try:
            self.assert_no_exception()
        finally:
            self.page.close()

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(LOCAL):
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.blocked.append(url)
            route.abort()  # type: ignore[attr-defined]

    def _console(self, message: object) -> None:
        if message.type in ("error", "warning"):  # type: ignore[attr-defined]
            self.errors.append(f"console {message.type}: {message.text[:300]}")  # type: ignore[attr-defined]

    def map_frames(self) -> list[dict[str, object]]:
        """What each map frame holds: whether Leaflet made its map, and how many layers and
        paths it draws; a failure message's evidence when a map stays blank."""
        return self.page.evaluate(MAP_FRAMES_JS)  # type: ignore[no-any-return]

    def _exception(self, where: str) -> None:
        self.exceptions.append(where)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    @property
    def map(self):  # type: ignore[no-untyped-def]
        # The last map frame: while Streamlit swaps a map for a new one both exist for a
        # moment, and the new one comes last (a locator is resolved again on every retry).
        return self.page.frame_locator('iframe[title="streamlit_folium.st_folium"]').last

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: object) -> Iterator[Page]:
    """A desktop-sized page (1440x900); the test fails if an exception box ever appeared."""
    p = Page(browser)
    yield p
    p.close()


@pytest.fixture
def phone(browser: object) -> Iterator[Page]:
    """A phone-sized page (390x844); the test fails if an exception box ever appeared."""
    p = Page(browser, PHONE)
    yield p
    p.close()
