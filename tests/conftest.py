"""Shared fixtures: claims built in code, an isolated database per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import box

from controlmap import dataset
from controlmap.model import Citation, Claim, Source
from controlmap.store import Store
from tests.databases import ENV_BACKEND, Databases

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"


def citation(title: str = "A report", url: str = "https://example.org/report") -> Citation:
    return Citation(Source(title=title, publisher="Example", url=url, published="2014-01-02"), "")


@pytest.fixture
def make_claim() -> Callable[..., Claim]:
    counter = iter(range(1, 10_000))

    def build(
        actor: str = "isil",
        bounds: tuple[float, float, float, float] = (43.0, 33.0, 43.1, 33.1),
        day: str = "2014-01-02",
        **fields: Any,
    ) -> Claim:
        fields.setdefault("status", "control")
        fields.setdefault("extent", "all")
        fields.setdefault("citations", (citation(),))
        fields.setdefault("id", next(counter))
        return Claim(
            actor=actor,
            geometry=box(*bounds),
            observed_on=dt.date.fromisoformat(day),
            **fields,
        )

    return build


# Fixtures that hand out a database: under ``--backend postgis`` only the tests that use one
# run (the rest ran in the SQLite pass already).
DATABASE_FIXTURES = {"db_url", "demo_db", "empty_store", "databases"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        default=os.environ.get(ENV_BACKEND, "sqlite"),
        choices=("sqlite", "postgis"),
        help="database the store tests run on (PostGIS needs CONTROLMAP_TEST_PG)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--backend") != "postgis":
        return
    keep, drop = [], []
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        (keep if used & DATABASE_FIXTURES else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """In CI a skipped PostGIS test is a failure: CI exists to run them."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and item.config.getoption("--backend") == "postgis":
        report.outcome = "failed"
        report.longrepr = f"skipped in CI on PostGIS: {report.longrepr}"


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest) -> Databases:
    return Databases(request.config.getoption("--backend"))


@pytest.fixture
def db_url(tmp_path: Path, databases: Databases) -> str:
    return databases.new(tmp_path)


@pytest.fixture
def empty_store(db_url: str) -> Store:
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    return store


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> str:
    """A database with the demo dataset, built once per session; tests must not write to it."""
    url = databases.new(tmp_path_factory.mktemp("demo"), "demo")
    dataset.init_store(Store(url), demo=True)
    return url


def chromium_path() -> str | None:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    return found


def require_browser() -> str:
    """The Chromium binary; in CI a missing browser fails the run instead of skipping."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium is not installed (make browser)")
    return path


@pytest.fixture(scope="session", autouse=True)
def published_basemap() -> str:
    """Write the basemap's static files once per checkout, before any page is drawn: the first
    page would do it otherwise (some seconds) and an AppTest or a browser would time out."""
    from controlmap.render import basemap_data, vendor

    return basemap_data.publish(vendor.STATIC_DIR)
