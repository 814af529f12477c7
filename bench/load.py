"""Load test: concurrent browser sessions stepping the slider, against two app processes on
one database, all on loopback (127.0.0.1), with the network blocked.

For 1, 10 and 25 sessions (split between the two processes): each session opens the map,
then steps the slider STEPS times; every step is timed from the key press until the date
layer holds the new frame. Memory per session is the growth of the two servers' resident
memory over their idle size, divided by the number of sessions. Every loop is bounded:
a step that takes longer than STEP_LIMIT counts as failed and the session stops.

    python bench/load.py [--sessions 1 10 25] [--steps 10] [--dataset demo] [--db URL]

``--db`` runs against that database instead of a new SQLite file, for PostgreSQL + PostGIS
(an empty database with the PostGIS extension; the dataset is imported into it once). All
sessions are pages of one headless Chromium (each page its own browser context): 25
browsers do not fit on a 2-core machine, 25 contexts do.

Not a test: the figures go in the README.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import load_average, machine  # noqa: E402
from bench.slider import SEQ_JS, make_db, opening, pctl  # noqa: E402

STEP_LIMIT_MS = 60_000
LOAD_LIMIT_MS = 300_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


ERRORS: list[str] = []  # the first line of each failure, reported with the figures


async def session(browser: object, url: str, steps: int, times: list[float]) -> int:
    """One reader: open the map, step the slider; returns the number of failed steps."""
    from tests.e2e.conftest import LOCAL

    page = await browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]

    async def route(r: object) -> None:
        if r.request.url.startswith(LOCAL):  # type: ignore[attr-defined]
            await r.continue_()  # type: ignore[attr-defined]
        else:
            await r.abort()  # type: ignore[attr-defined]

    await page.route("**/*", route)
    failed = 0
    try:
        await page.goto(url, timeout=LOAD_LIMIT_MS)
        frame = page  # the layer's frame number is read through the page (see SEQ_JS)
        await frame.wait_for_function(f"({SEQ_JS})() >= 0", timeout=LOAD_LIMIT_MS)
        slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
        for _ in range(steps):
            seq = await frame.evaluate(SEQ_JS)
            await slider.focus()
            t0 = time.perf_counter()
            await slider.press("ArrowLeft")
            try:
                await frame.wait_for_function(f"({SEQ_JS})() > {seq}", timeout=STEP_LIMIT_MS)
            except Exception as err:  # a step over the limit: counted, and this reader stops
                ERRORS.append(str(err).splitlines()[0][:120])
                failed += 1
                break
            times.append(time.perf_counter() - t0)
    except Exception as err:  # the page never loaded (or the browser gave up): all steps fail
        ERRORS.append(str(err).splitlines()[0][:120])
        failed += steps
    return failed


async def run_level(bases: list[str], path: str, n: int, steps: int) -> tuple[list[float], int]:
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    times: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        results = await asyncio.gather(
            *(session(browser, f"{bases[i % len(bases)]}{path}", steps, times) for i in range(n))
        )
        await browser.close()
    return times, sum(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--dataset", default="demo", choices=("demo", "front", "generated"))
    parser.add_argument("--db", help="an empty database to use (e.g. postgresql+psycopg://...)")
    args = parser.parse_args()
    from tests.e2e.conftest import Server

    print(
        json.dumps(
            {
                "machine": machine(),
                "load_average_at_start": load_average(),
            }
        ),
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = make_db(args.dataset, tmp, args.db)
        backend = url.split(":", 1)[0].split("+", 1)[0]
        for n in args.sessions:
            # Fresh processes for each level, so memory per session is not muddled by the last.
            servers = [Server(url, f"load-{n}-{i}") for i in range(2)]
            try:
                idle = sum(rss_mb(s.proc.pid) for s in servers)
                load_before = load_average()[0]
                t0 = time.perf_counter()
                times, failed = asyncio.run(
                    run_level([s.base for s in servers], opening(args.dataset), n, args.steps)
                )
                busy = sum(rss_mb(s.proc.pid) for s in servers)
                result = {
                    "dataset": args.dataset,
                    "database": backend,
                    "sessions": n,
                    "steps_done": len(times),
                    "steps_failed": failed,
                    "step_p50_ms": round(statistics.median(times) * 1000) if times else None,
                    "step_p95_ms": round(pctl(times, 0.95) * 1000) if times else None,
                    "servers_idle_mb": round(idle),
                    "servers_after_mb": round(busy),
                    "mb_per_session": round((busy - idle) / n, 1),
                    "wall_s": round(time.perf_counter() - t0, 1),
                    "load_average_before_after": [load_before, load_average()[0]],
                    "errors": sorted(set(ERRORS))[:3],
                }
                ERRORS.clear()
            finally:
                for s in servers:
                    s.stop()
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
