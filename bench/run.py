"""Benchmark: resolution time, bytes sent per date, slider-to-map time in headless Chromium.

Not a test: it prints figures for the README. Run with `make bench` (about two minutes).
Datasets: the bundled demo, and a generated one of 10,000 claims over 1,000 dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from shapely.geometry import Point

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import machine  # noqa: E402
from controlmap import dataset  # noqa: E402
from controlmap.model import Citation, Claim, Source  # noqa: E402
from controlmap.render import basemap, layers, style, vendor  # noqa: E402
from controlmap.resolve import Resolver, change_dates, resolve  # noqa: E402
from controlmap.store import Store  # noqa: E402


def generated_claims(n_claims: int, n_dates: int, seed: int = 7) -> list[Claim]:
    """Towns scattered over Iraq, changing hands between four actors, ten claims a day."""
    rng = random.Random(seed)
    actors = ["isil", "iraq-gov", "krg", "tribal"]
    towns = [(rng.uniform(39.5, 47.5), rng.uniform(29.5, 37.0)) for _ in range(n_claims // 5)]
    start = dt.date(2014, 1, 1)
    source = Source(title="Generated report", publisher="bench", url="https://example.org/b")
    claims = []
    for i in range(n_claims):
        lon, lat = rng.choice(towns)
        radius_km = rng.uniform(2, 8)
        # 51 vertices, as real town outlines have; buffer(quad_segs=12) gives 49 + closing.
        geom = Point(lon, lat).buffer(radius_km / 100, quad_segs=12)
        claims.append(
            Claim(
                actor=rng.choice(actors),
                status="control" if rng.random() > 0.1 else "contested",
                extent=rng.choice(["all", "all", "all", "most", "part"]),
                geometry=geom,
                observed_on=start + dt.timedelta(days=i * n_dates // n_claims),
                citations=(Citation(source, f"claim {i}"),),
                confidence="assessed" if rng.random() > 0.2 else "claimed",
            )
        )
    return claims


def measure_python(store: Store, label: str, sample_days: int = 5) -> dict[str, object]:
    t0 = time.perf_counter()
    claims = store.claims()
    load = time.perf_counter() - t0
    days = change_dates(claims)
    picks = [days[int(i * (len(days) - 1) / max(1, sample_days - 1))] for i in range(sample_days)]
    registry = store.actors()
    look = style.Look()
    resolver = Resolver(claims, checkpoint_every=50)
    resolver.at(days[-1])  # the first page load: a full paint, leaving checkpoints behind
    steps = []
    for day in days[-2 : -2 - sample_days : -1]:  # the slider moved left, one change at a time
        t0 = time.perf_counter()
        resolver.at(day)
        steps.append(time.perf_counter() - t0)
    cold, warm, sizes, pieces_n = [], [], [], []
    for day in picks:
        t0 = time.perf_counter()
        pieces = resolve(claims, day)
        cold.append(time.perf_counter() - t0)
        memo = {(day,): pieces}  # what the app's cache holds: a lookup
        t0 = time.perf_counter()
        _ = memo[(day,)]
        warm.append(time.perf_counter() - t0)
        group = layers.state_layer(pieces, registry, day, look)
        m = basemap.base_map(list(registry), look)
        from streamlit_folium import _get_feature_group_string

        sizes.append(len(_get_feature_group_string(group, m).encode()))
        pieces_n.append(len(pieces))
    return {
        "dataset": label,
        "claims": len(claims),
        "dates": len(days),
        "load_claims_s": round(load, 3),
        "resolve_cold_s_median": round(statistics.median(cold), 3),
        "resolve_cold_s_max": round(max(cold), 3),
        "resolve_step_s_median": round(statistics.median(steps), 3),
        "resolve_cached_s": f"{statistics.median(warm) * 1e6:.1f} us",
        "pieces_median": statistics.median(pieces_n),
        "bytes_per_date_median": int(statistics.median(sizes)),
        "bytes_per_date_max": max(sizes),
    }


def measure_browser(db_url: str, label: str, steps: int = 6) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, Server
    from tests.e2e.test_browser import DRAWN_JS

    server = Server(db_url, f"bench-{label}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.base}/")
            page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(
                "path.leaflet-interactive"
            ).first.wait_for(state="attached", timeout=120_000)
            (frame,) = [f for f in page.frames if "streamlit_folium" in f.url]
            slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
            times = []
            for _ in range(steps):
                # Same spelling as JSON.stringify, so "differs" means the drawing changed.
                before = json.dumps(frame.evaluate(DRAWN_JS), separators=(",", ":"))
                slider.focus()
                t0 = time.perf_counter()
                slider.press("ArrowLeft")
                frame.wait_for_function(
                    f"() => JSON.stringify(({DRAWN_JS})()) !== {json.dumps(before)}",
                    timeout=120_000,
                )
                times.append(time.perf_counter() - t0)
            browser.close()
    finally:
        server.stop()
    return {
        "dataset": label,
        "slider_to_map_s_median": round(statistics.median(times), 2),
        "slider_to_map_s_max": round(max(times), 2),
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--dates", type=int, default=1_000)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--only", choices=("demo", "generated"), help="measure one dataset")
    args = parser.parse_args()
    vendor.use_local_assets()
    print(
        f"machine: {machine()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        demo_url = f"sqlite:///{tmp}/demo.sqlite"
        dataset.init_store(Store(demo_url), demo=True)
        big_url = f"sqlite:///{tmp}/big.sqlite"
        big = Store(big_url)
        dataset.init_store(big, demo=False)
        t0 = time.perf_counter()
        big.add_claims(generated_claims(args.claims, args.dates), who="bench")
        print(
            f"generated and stored {args.claims} claims in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        runs = [(demo_url, "demo"), (big_url, f"generated-{args.claims}")]
        if args.only:
            runs = [r for r in runs if r[1].startswith(args.only)]
        for url, label in runs:
            print(json.dumps(measure_python(Store(url), label)), flush=True)
            if not args.no_browser:
                print(json.dumps(measure_browser(url, label)), flush=True)


if __name__ == "__main__":
    main()
