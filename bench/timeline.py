"""Benchmark: what the materialised timeline costs, and what it saves a page load.

Not a test: it prints figures for the README. For a generated history (bench/run.py's
towns changing hands; 10,000 claims over 1,000 dates by default) on SQLite, and on PostGIS
with ``--pg URL`` (an empty database with the PostGIS extension):
- build: importing the claims with the timeline built in the same transaction, and a full
  rebuild of the timeline on its own;
- size: rows and bytes of the timeline tables;
- incremental: approving one claim observed on the first, the middle and the newest date;
- first page load in a fresh process: the newest date's map read from the timeline, against
  loading every claim and resolving, with the process's peak memory, at two history lengths.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sqlalchemy import text  # noqa: E402

from bench.machine import machine  # noqa: E402
from controlmap import dataset  # noqa: E402
from controlmap.store import Store  # noqa: E402

# Run in a fresh process: what the app does on its first page load, and its peak memory.
FIRST_LOAD = """
import json, resource, sys, time
from controlmap.store import Store
from controlmap.resolve import Resolver
t0 = time.perf_counter()
store = Store(sys.argv[1])
if sys.argv[2] == "timeline":
    days = store.timeline.days()
    pieces = store.timeline.frame(days[-1][0])
else:
    claims = store.claims()
    from controlmap.resolve import change_dates
    days = change_dates(claims)
    pieces = Resolver(claims, checkpoint_every=50).at(days[-1])
took = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"pieces": len(pieces), "seconds": round(took, 2), "peak_mb": round(peak)}))
"""


def _size(store: Store) -> dict[str, object]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM timeline_pieces")).scalar_one()
        days = conn.execute(text("SELECT count(*) FROM timeline_days")).scalar_one()
        if store.dialect == "postgresql":
            size = conn.execute(
                text(
                    "SELECT pg_total_relation_size('timeline_pieces') "
                    "+ pg_total_relation_size('timeline_days')"
                )
            ).scalar_one()
        else:
            size = None
    return {"piece_rows": rows, "day_rows": days, "bytes": size}


def _first_load(url: str, how: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_LOAD, url, how],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(url: str, n_claims: int, n_dates: int, label: str, sqlite_file: Path | None) -> None:
    from run import generated_claims

    store = Store(url)
    dataset.init_store(store, demo=False)
    before = sqlite_file.stat().st_size if sqlite_file else 0
    claims = generated_claims(n_claims, n_dates)
    t0 = time.perf_counter()
    store.add_claims(claims, who="bench")
    imported = time.perf_counter() - t0
    with store.engine.begin() as conn:
        t0 = time.perf_counter()
        store.timeline.update(conn, None, store._data_version(conn))
        rebuilt = time.perf_counter() - t0
    size = _size(store)
    if sqlite_file:
        import sqlite3

        with sqlite3.connect(sqlite_file) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (geometry,) = raw.execute(
                "SELECT sum(length(geometry)) FROM timeline_pieces"
            ).fetchone()
        size["bytes"] = f"{geometry} of WKB in the pieces"
        size["file_growth_with_claims"] = sqlite_file.stat().st_size - before
    print(
        json.dumps(
            {
                "backend": label,
                "claims": n_claims,
                "dates": len(store.timeline.days()),
                "import_with_timeline_s": round(imported, 1),
                "timeline_full_rebuild_s": round(rebuilt, 1),
                **size,
            }
        ),
        flush=True,
    )
    first = claims[0].observed_on
    last = claims[-1].observed_on
    middle = first + (last - first) / 2
    for name, day in (("newest", last), ("middle", middle), ("first", first)):
        probe = claims[0]
        from dataclasses import replace

        # A claim of its own (the store takes a copy of a claim it holds as that claim, and
        # the first date's probe would be claims[0] itself).
        pending = replace(
            probe,
            observed_on=day,
            review_state="pending",
            id=None,
            notes=f"approval probe on the {name} date",
        )
        (cid,) = store.add_claims([pending], who="bench")
        t0 = time.perf_counter()
        store.review(cid, decision="approved", expected_version=1, who="bench-reviewer")
        print(
            json.dumps(
                {
                    "backend": label,
                    "approve_one_claim_on": f"{name} date ({day})",
                    "seconds": round(time.perf_counter() - t0, 2),
                }
            ),
            flush=True,
        )
    for how in ("timeline", "resolve"):
        print(
            json.dumps(
                {"backend": label, "claims": n_claims, "first_load": how, **_first_load(url, how)}
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--dates", type=int, default=1_000)
    parser.add_argument("--pg", help="PostGIS database URL to measure too (must be empty)")
    parser.add_argument("--small", type=int, default=1_000, help="the shorter history")
    args = parser.parse_args()
    print(
        f"machine: {machine()}, {dt.date.today()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.small, args.claims):
            path = Path(tmp) / f"bench-{n}.sqlite"
            measure(f"sqlite:///{path}", n, args.dates * n // args.claims, "sqlite", path)
        if args.pg:
            measure(args.pg, args.claims, args.dates, "postgis", None)


if __name__ == "__main__":
    main()
