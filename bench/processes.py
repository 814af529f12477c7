"""Two app processes on one database: how soon a reader on one draws what the other wrote.

    python bench/processes.py [--repeat 5] [--backend sqlite postgis] [--rerun step|reload]
                              [--approve-with page|library] [--pg SUPERUSER_URL]

For each backend: the demo in a new database (SQLite file, or a database on a throwaway
PostGIS cluster, bench/pg.py), and two app processes A and B, ``controlmap --db URL serve``
on two free loopback ports. A reader's page is open on B in headless Debian Chromium with
every non-local request blocked, at the demo's last change date, at the map's opening view
(the squares are in it). Then REPEAT rounds of each:

- app: a contributor submits a claim (a 5 km square east of Samarra, dated before the dates
  shown) by the library call the Contribute page makes (``workflow.submit``), in this bench
  process: the bench does not draw and fill A's form. After it commits, the reader steps
  the slider once and the square must NOT be drawn (pending). Then a reviewer signed in on
  A's Review page (a second page of the same Chromium) presses Approve (with
  ``--approve-with library``: the library call ``workflow.review`` instead); the approval's
  commit is seen by polling the data version every 10 ms, and the reader steps the slider;
- cli: ``controlmap import FILE`` (approved) in a process of its own; the commit is seen by
  polling the data version every 10 ms, and the reader steps the slider as soon as it moves;
- cli-pending (after the rounds above, as the Review page shows the oldest pending claim
  first): ``controlmap import FILE --status pending``; once the process exits the reader
  steps the slider and the square must not be drawn.

The reader's rerun is a slider step (arrow key on the focused slider; left from the last
change date, right from the one before, both of which show the squares), or with
``--rerun reload`` a reload of the page (a new session of B). Measured: commit
to the new square drawn on B's page (its Leaflet layer holds a polygon with the square's
bounds), and key press to drawn; and whether it came with the first rerun after the commit.
Every wait is bounded (DRAW_LIMIT_S); a square not drawn in time counts as not seen.

Not a test: figures go in the README.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import pg  # noqa: E402
from bench.machine import load_average, machine  # noqa: E402
from bench.slider import SEQ_JS, pctl  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, LOCAL, Server, _free_port  # noqa: E402

DRAW_LIMIT_S = 60.0  # commit to drawn, at most
PAGE_LIMIT_MS = 300_000  # first page load on a loaded 2-core machine
PROCESS_LIMIT_S = 300
NEW_DAY = dt.date(2017, 6, 15)  # before the demo's last two change dates: drawn on both
SIDE = 0.05  # degrees: a square of about 5 km

# The run is over: no running indicator, no element of the last run left over.
IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')"""

# Whether B's date layer holds a polygon with these bounds [west, south, east, north].
DRAWN_JS = """(b) => {
    const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const w = f && f.contentWindow;
    const g = w && w.cmTimeLayer;
    if (!g) return false;
    const near = (x, y) => Math.abs(x - y) < 0.005;
    return g.getLayers().some((l) => {
        // A polygon of the layer that Leaflet rendered (it leaves out what is out of view).
        if (!(l instanceof w.L.Polygon) || !(l._parts && l._parts.length)) return false;
        const k = l.getBounds();
        return near(k.getWest(), b[0]) && near(k.getSouth(), b[1])
            && near(k.getEast(), b[2]) && near(k.getNorth(), b[3]);
    });
}"""


def square(k: int) -> tuple[float, float, float, float]:
    """The k-th square: small, apart from each other, in the map's opening view, where no
    demo claim lies (east of the Tigris between Samarra and Khanaqin)."""
    west, south = 44.4 + 0.1 * (k % 10), 33.9 + 0.1 * (k // 10)
    return (round(west, 5), round(south, 5), round(west + SIDE, 5), round(south + SIDE, 5))


def claim(k: int, kind: str) -> Any:
    from shapely.geometry import box

    from controlmap.model import Citation, Claim, Source

    source = Source(
        title=f"Bench report {k}", publisher="bench", url=f"https://example.org/bench/{k}"
    )
    return Claim(
        actor="krg",
        status="control",
        extent="all",
        geometry=box(*square(k)),
        observed_on=NEW_DAY,
        citations=(Citation(source, ""),),
        notes=f"bench/processes.py {kind} write {k}",
    )


def offline_page(browser: Any) -> Any:
    """A page of ``browser`` whose every request off this machine is blocked."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    return page


class Reader:
    """B's reader: one page, network blocked, stepping the slider between two dates."""

    def __init__(self, browser: Any, url: str, rerun: str = "step"):
        self.rerun = rerun
        self.page = offline_page(browser)
        self.page.goto(url, timeout=PAGE_LIMIT_MS)
        self.page.wait_for_function(f"({SEQ_JS})() >= 0", timeout=PAGE_LIMIT_MS)
        self.slider = self.page.locator('[data-testid="stSlider"] input[type="range"]').first

    def seq(self) -> int:
        return int(self.page.evaluate(SEQ_JS))

    def drawn(self, k: int) -> bool:
        return bool(self.page.evaluate(DRAWN_JS, list(square(k))))

    def step(self) -> tuple[float, int]:
        """Press the arrow key (or reload the page, with ``--rerun reload``); the time of the
        press and the frame number before it (-1 after a reload: a new page holds none)."""
        if self.rerun == "reload":
            t = time.perf_counter()
            self.page.reload(timeout=PAGE_LIMIT_MS)
            return t, -1
        seq = self.seq()
        # Left from the last date, right from the one before: read from the slider itself,
        # so a step that did not take cannot send the next one off the end of the range.
        at_end = self.slider.evaluate(
            """(el) => Number(el.value ?? el.getAttribute('aria-valuenow'))
                >= Number(el.max ?? el.getAttribute('aria-valuemax'))"""
        )
        self.slider.focus()
        t = time.perf_counter()
        self.slider.press("ArrowLeft" if at_end else "ArrowRight")
        return t, seq

    def wait_frame(self, seq: int) -> bool:
        """Until the layer holds a frame after ``seq``; False if none came in time."""
        try:
            self.page.wait_for_function(f"({SEQ_JS})() > {seq}", timeout=int(DRAW_LIMIT_S * 1000))
        except Exception:
            return False
        return True

    def wait_drawn(self, k: int, seq: int) -> tuple[float | None, bool]:
        """Until square k is drawn: the time it was, and whether it came with the first
        frame after ``seq`` (the rerun the step started)."""
        deadline = time.perf_counter() + DRAW_LIMIT_S
        first_frame_without = False
        while time.perf_counter() < deadline:
            now_seq, has = self.page.evaluate(
                f"(b) => [({SEQ_JS})(), ({DRAWN_JS})(b)]", list(square(k))
            )
            if has:
                return time.perf_counter(), not first_frame_without
            if now_seq > seq:
                first_frame_without = True
            self.page.wait_for_timeout(10)  # polling interval, bounded by the deadline
        return None, False


class Serve(Server):
    """``controlmap serve`` on a free loopback port, on the database ``url`` (the tests'
    Server starts ``streamlit run`` instead; waiting and stopping are the same)."""

    def __init__(self, url: str, log: Path):  # no super().__init__(): see above
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url, self.log = url, log
        command = [sys.executable, "-m", "controlmap", "--db", url, "serve"]
        command += ["--port", str(self.port), "--address", "127.0.0.1"]
        with log.open("w") as out:
            # serve hands its process to Streamlit: stopping this process stops the server
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            self._wait_healthy(limit=180.0)
        except RuntimeError:
            self.stop()
            raise


class Reviewer:
    """A reviewer's page on A, signed in from the sidebar: approves from the Review page."""

    def __init__(self, browser: Any, base: str, name: str, password: str):
        self.base, self.name, self.password = base, name, password
        self.page = offline_page(browser)

    def approve(self, store: Any, limit_s: float = DRAW_LIMIT_S) -> float | None:
        """Open the Review page, press Approve on the claim it shows; the moment the data
        version moved (the approval committed, seen by polling), or None."""
        page = self.page
        page.goto(f"{self.base}/review", timeout=PAGE_LIMIT_MS)
        sidebar = page.locator('[data-testid="stSidebar"]')
        signed = sidebar.get_by_text(f"Signed in as {self.name}")
        sidebar.get_by_text("Sign in to contribute or review").or_(signed).first.wait_for(
            timeout=PAGE_LIMIT_MS
        )
        if not signed.count():
            sidebar.get_by_role("textbox", name="Name").fill(self.name)
            sidebar.get_by_role("textbox", name="Password").fill(self.password)
            sidebar.get_by_role("button", name="Sign in").click()
            signed.wait_for(timeout=PAGE_LIMIT_MS)
        page.get_by_text("Dashed pink: the pending claim").wait_for(timeout=PAGE_LIMIT_MS)
        page.wait_for_function(IDLE_JS, timeout=PAGE_LIMIT_MS)
        button = page.get_by_role("button", name="Approve", exact=True)
        button.scroll_into_view_if_needed(timeout=PAGE_LIMIT_MS)
        before = store.data_version()
        button.click(timeout=PAGE_LIMIT_MS)
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() < deadline:
            if store.data_version() != before:
                return time.perf_counter()
            time.sleep(0.01)  # polling interval, bounded by the deadline
        return None


def import_file(path: Path, url: str, *claims: Any) -> list[str]:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [c.to_feature() for c in claims]})
    )
    return [sys.executable, "-m", "controlmap", "--db", url, "import", str(path)]


def run_backend(
    url: str, repeat: int, folder: Path, backend: str, approve_with: str, rerun: str = "step"
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from controlmap import auth, dataset, workflow
    from controlmap.store import Store
    from tests.conftest import ARTIFACTS

    store = Store(url)
    dataset.init_store(store, demo=True)
    passwords = {"bench-cora": secrets.token_hex(12), "bench-remi": secrets.token_hex(12)}
    contributor = auth.add_user(
        store, "bench-cora", "contributor", passwords["bench-cora"], who="bench"
    )
    reviewer = auth.add_user(store, "bench-remi", "reviewer", passwords["bench-remi"], who="bench")
    last = store.timeline.days()[-1][0].isoformat()
    servers = [Serve(url, folder / f"serve-{backend}-{name}.log") for name in ("A", "B")]
    results: dict[str, Any] = {
        "backend": backend,
        "rerun": rerun,
        "approve_with": approve_with,
        "load_average_before": load_average(),
    }
    rows: dict[str, dict[str, list[Any]]] = {
        kind: {"commit_to_drawn": [], "press_to_drawn": [], "first_rerun": []}
        for kind in ("app", "cli")
    }
    pending_checked = pending_hidden = 0
    plain_steps: list[float] = []  # steps after a pending write: the data version did not move
    no_frame: list[int] = []  # steps after a pending write that brought no frame in time
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            reader = Reader(browser, f"{servers[1].base}/?date={last}", rerun)
            k = 0

            def pending_step(square_k: int) -> None:
                nonlocal pending_checked, pending_hidden
                pressed, seq = reader.step()
                if not reader.wait_frame(seq):
                    no_frame.append(square_k)
                else:
                    plain_steps.append(time.perf_counter() - pressed)
                    pending_checked += 1
                    pending_hidden += not reader.drawn(square_k)

            def seen(kind: str, square_k: int, committed: float) -> None:
                pressed, seq = reader.step()
                drawn_at, first = reader.wait_drawn(square_k, seq)
                row = rows[kind]
                row["first_rerun"].append(first)
                if drawn_at is not None:
                    row["commit_to_drawn"].append(drawn_at - committed)
                    row["press_to_drawn"].append(drawn_at - pressed)

            approver = Reviewer(browser, servers[0].base, reviewer.name, passwords[reviewer.name])
            for _ in range(repeat):
                # app: submit (pending, must stay off the public map), then approve.
                k += 1
                (cid,) = workflow.submit(store, contributor, [claim(k, "app")])
                pending_step(k)
                if approve_with == "page":
                    committed = approver.approve(store)
                else:
                    version = store.claim(cid).version
                    workflow.review(
                        store, reviewer, cid, decision="approved", expected_version=version
                    )
                    committed = time.perf_counter()
                if committed is not None and store.claim(cid).review_state == "approved":
                    seen("app", k, committed)
                else:
                    rows["app"]["first_rerun"].append(False)
            with contextlib.suppress(Exception):  # only for the picture: the run may go on
                approver.page.wait_for_function(IDLE_JS, timeout=30_000)
            approver.page.screenshot(path=str(ARTIFACTS / f"bench-processes-{backend}-review.png"))

            for _ in range(repeat):
                # cli: an approved import in a third process; its commit moves the version.
                k += 1
                before = store.data_version()
                command = import_file(folder / f"cli-{k}.geojson", url, claim(k, "cli"))
                proc = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO
                )
                committed = None
                deadline = time.perf_counter() + PROCESS_LIMIT_S
                while time.perf_counter() < deadline:
                    if store.data_version() != before:
                        committed = time.perf_counter()
                        break
                    if proc.poll() is not None and store.data_version() == before:
                        break
                    time.sleep(0.01)  # polling interval, bounded by the deadline
                if committed is not None:
                    seen("cli", k, committed)
                else:
                    rows["cli"]["first_rerun"].append(False)
                try:
                    proc.wait(timeout=PROCESS_LIMIT_S)
                finally:
                    if proc.returncode != 0:
                        print(f"import failed: {proc.stderr.read() if proc.stderr else ''}")

            for _ in range(repeat):
                # cli-pending: a pending import must not reach the reader. (After the app
                # rounds: the Review page shows the oldest pending claim first.)
                k += 1
                command = import_file(folder / f"pending-{k}.geojson", url, claim(k, "pending"))
                subprocess.run(
                    [*command, "--status", "pending"],
                    check=True,
                    capture_output=True,
                    timeout=PROCESS_LIMIT_S,
                    cwd=REPO,
                )
                pending_step(k)

            reader.page.screenshot(path=str(ARTIFACTS / f"bench-processes-{backend}.png"))
            browser.close()
    finally:
        for s in servers:
            s.stop()

    for kind, row in rows.items():
        seen_n = len(row["commit_to_drawn"])
        results[kind] = {
            "writes": len(row["first_rerun"]),
            "seen": seen_n,
            "seen_on_the_first_rerun": sum(row["first_rerun"]),
            "commit_to_drawn_p50_ms": _ms(statistics.median, row["commit_to_drawn"]),
            "commit_to_drawn_p95_ms": _ms(lambda v: pctl(v, 0.95), row["commit_to_drawn"]),
            "press_to_drawn_p50_ms": _ms(statistics.median, row["press_to_drawn"]),
        }
    results["rerun_without_new_data_p50_ms"] = _ms(statistics.median, plain_steps)
    results["pending_submissions_checked"] = pending_checked
    results["steps_without_a_frame"] = len(no_frame)
    results["pending_submissions_not_drawn"] = pending_hidden
    results["load_average_after"] = load_average()
    return results


def _ms(f: Any, values: list[float]) -> int | None:
    return round(f(values) * 1000) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgis"])
    parser.add_argument(
        "--approve-with",
        choices=("page", "library"),
        default="page",
        help="approve on A's Review page in the browser (default), or by the library call",
    )
    parser.add_argument(
        "--rerun",
        choices=("step", "reload"),
        default="step",
        help="how the reader reruns B's page after a write: a slider step (default) or a reload",
    )
    parser.add_argument("--pg", help="superuser URL of a PostGIS cluster (default: start one)")
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "machine": machine(),
                "load_average_at_start": load_average(),
            }
        ),
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp) / "work"
        folder.mkdir()
        for backend in args.backend:
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'processes.sqlite'}"
            else:
                admin = args.pg or stack.enter_context(pg.cluster())
                url = pg.new_database(admin, f"bench_processes_{os.getpid()}")
            result = run_backend(url, args.repeat, folder, backend, args.approve_with, args.rerun)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
