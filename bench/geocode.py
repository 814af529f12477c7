"""Geocoder speed: world gazetteer index build time and query latency (p50 / p95).

Usage: ``python bench/geocode.py [--build]``

* ``--build`` also times building the world index from ``geo/geonames/gazetteer.tsv.xz`` into a
  temporary folder (a minute or more; it is what ``make setup`` / ``controlmap init`` do once).
* Queries: the 40-town list of ``tests/data/geocode_40_towns.csv`` plus Iraq demo spellings and
  typos, each asked several times. ``lookup`` is :func:`controlmap.geocode.ranked_ids` (names to
  ranked place ids: what "a query" is); ``geocode`` adds the footprints of the top five
  candidates (cached per place after their first use).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

from controlmap import gazetteer, geocode, packs  # noqa: E402

EXTRA_QUERIES = [
    "Falluja",
    "Al-Fallujah",
    "الفلوجة",
    "Heet",
    "Al Qaim",
    "Rutbah",
    "Al-Mawsil",
    "Bayji",
    "Karma",
    "Garma",
    "Anbar Province",
    "Fallujha",  # fuzzy
    "Bakhmutt",  # fuzzy, world
    "Artemivsk",
    "Avdiivka",
    "xyzzy",
]
ROUNDS = 5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def queries() -> list[str]:
    with (REPO / "tests" / "data" / "geocode_40_towns.csv").open(encoding="utf-8") as fh:
        towns = [row["query"] for row in csv.DictReader(fh)]
    return towns + EXTRA_QUERIES


def timed(fn, names: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(ROUNDS):
        for name in names:
            started = time.perf_counter()
            fn(name)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="also time an index build")
    args = parser.parse_args()
    large = [(src, fmt) for _, src, fmt in packs.gazetteers() if fmt in gazetteer.FORMATS]
    if not large:
        raise SystemExit("no world gazetteer installed")
    source, fmt = large[0]
    print(f"source: {source} ({source.stat().st_size:,} bytes)")
    if args.build:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            cpu = time.process_time()
            count = gazetteer.build_index(source, fmt, Path(tmp) / "index.sqlite")
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            size = (Path(tmp) / "index.sqlite").stat().st_size
        print(f"index build: {count:,} places, {wall:.0f} s wall, {cpu:.0f} s CPU, {size:,} bytes")
    started = time.perf_counter()
    geocode.warm()
    print(
        "first use (pack index in memory, world index opened): "
        f"{time.perf_counter() - started:.1f} s"
    )
    names = queries()
    geocode.geocode(names[0])
    for label, fn in (
        ("lookup", lambda n: geocode.ranked_ids(n)),
        ("geocode", lambda n: geocode.geocode(n)),
    ):
        times = timed(fn, names)
        print(
            f"{label:8s} {len(times)} queries: p50 {statistics.median(times):.2f} ms, "
            f"p95 {percentile(times, 0.95):.2f} ms, max {max(times):.1f} ms"
        )


if __name__ == "__main__":
    main()
