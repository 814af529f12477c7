"""The demo dataset on SQLite and on PostgreSQL + PostGIS: same answers, and what each costs.

    python bench/backends.py [--repeat 5] [--pg SUPERUSER_URL]

Without ``--pg`` a throwaway PostGIS cluster is started on a free loopback port (bench/pg.py,
PostgreSQL's default durability settings) and removed at the end. On each backend:

- ``controlmap init`` (the demo) in a process of its own, on a new database;
- ``controlmap state --date D`` for every change date of the demo (in this process, through
  the command's own entry point, so Python's start-up is left out; a few dates are also run
  as separate processes to show what the start-up adds);
- the same dates read as an app process reads them (one ``Store`` kept, its stored frame),
  second pass over the dates;
- ``controlmap export`` of every claim (GeoJSON) and of one date's state;
- the demo checks of ``tests/test_cli.py`` that read the demo database (the reference
  timeline at 21 town-dates, the seed report's piece, the alias filter, the Ramadi diff, the
  stats series, the PNG export), called as they are, with their own assertions.

Then, for every change date, the resolved state on PostGIS is compared with SQLite's: the
same pieces (actor, status, extent, since, claims), the same area in km2 (to 1e-6), the same
outline (symmetric difference under 1e-6 of the piece's area).

Prints one JSON object per backend and one for the comparison. Not a test: figures go in
the README. Every subprocess has a timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import inspect
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import pg  # noqa: E402
from bench.machine import load_average, machine  # noqa: E402
from bench.slider import pctl  # noqa: E402

LIMIT_S = 600  # any one command


class _Capture:
    """Stands in for pytest's ``capsys`` when the demo checks are called from here."""

    def __init__(self) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> _Capture:
        self._stack.enter_context(contextlib.redirect_stdout(self.out))
        self._stack.enter_context(contextlib.redirect_stderr(self.err))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def readouterr(self) -> tuple[str, str]:
        out, err = self.out.getvalue(), self.err.getvalue()
        self.out.seek(0), self.out.truncate()
        self.err.seek(0), self.err.truncate()
        return out, err


def cli(*args: str) -> tuple[float, str]:
    """``controlmap ARGS`` in this process: seconds and stdout."""
    from controlmap.cli import main

    with _Capture() as cap:
        t0 = time.perf_counter()
        code = main(list(args))
        took = time.perf_counter() - t0
        out, err = cap.readouterr()
    if code != 0:
        raise RuntimeError(f"controlmap {' '.join(args)}: {err.strip()[-300:]}")
    return took, out


def cli_process(*args: str) -> float:
    """``controlmap ARGS`` as a process of its own: wall seconds."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "controlmap", *args],
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise RuntimeError(f"controlmap {' '.join(args)}: {done.stderr.strip()[-300:]}")
    return time.perf_counter() - t0


def change_dates(url: str) -> list[str]:
    from controlmap.store import Store

    return [d.isoformat() for d, _ in Store(url).timeline.days()]


def demo_checks(url: str, folder: Path) -> tuple[int, int, list[str]]:
    """The checks of tests/test_cli.py that read the demo database, run against ``url``:
    passed, total, and the first line of each failure."""
    import pytest

    from tests import test_cli

    passed, failures = 0, []
    runs: list[tuple[str, Any, dict[str, Any]]] = []
    for name, fn in sorted(vars(test_cli).items()):
        if not (name.startswith("test_") and callable(fn)):
            continue
        params = set(inspect.signature(fn).parameters)
        fixed = {"capsys", "demo_db", "tmp_path"}
        marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
        if "demo_db" not in params:
            continue  # checks of the command line that do not read the demo
        if marks:
            (mark,) = marks
            names = (
                [n.strip() for n in mark.args[0].split(",")]
                if isinstance(mark.args[0], str)
                else list(mark.args[0])
            )
            for values in mark.args[1]:
                values = values.values if hasattr(values, "values") else values
                runs.append((f"{name}{list(values)}", fn, dict(zip(names, values, strict=True))))
        elif params <= fixed:
            runs.append((name, fn, {}))
    for i, (label, fn, given) in enumerate(runs):
        kwargs = dict(given)
        params = inspect.signature(fn).parameters
        if "tmp_path" in params:
            kwargs["tmp_path"] = folder / f"check-{i}"
            kwargs["tmp_path"].mkdir(parents=True)
        with _Capture() as cap:
            try:
                fn(capsys=cap, demo_db=url, **kwargs)
                passed += 1
            except pytest.skip.Exception:
                failures.append(f"{label}: skipped")
            except Exception as err:  # a failed check is reported, and the others still run
                failures.append(f"{label}: {traceback.format_exception_only(err)[-1].strip()}")
    return passed, len(runs), failures


def measure(url: str, spare: str, folder: Path, repeat: int, name: str) -> dict[str, Any]:
    """The figures of one backend; ``spare`` is a second empty database of the same kind."""
    from controlmap import dataset
    from controlmap.store import Store

    load_before = load_average()
    init_s = cli_process("--db", url, "init")
    # What of that is the store's work (schema, registry, 59 claims, the timeline), without
    # Python's start-up, the gazetteer index check and the basemap files:
    t0 = time.perf_counter()
    dataset.init_store(Store(spare), demo=True)
    store_init_s = time.perf_counter() - t0
    dates = change_dates(url)
    states: dict[str, Any] = {}
    times = []
    for day in dates:
        took, out = cli("--db", url, "state", "--date", day)
        times.append(took)
        states[day] = json.loads(out)
    again = [cli("--db", url, "state", "--date", day)[0] for day in dates]  # second pass
    # What an app process does to draw a date: one Store (engine and connection pool) kept
    # for the life of the process, reading the stored frame.
    kept = Store(url)
    frame_s = []
    for day in dates * 2:
        t0 = time.perf_counter()
        kept.timeline.frame(dt.date.fromisoformat(day))
        frame_s.append(time.perf_counter() - t0)
    picked = [dates[0], dates[len(dates) // 2], dates[-1]]
    process_s = [cli_process("--db", url, "state", "--date", day) for day in picked]
    export_all = [cli("--db", url, "export", str(folder / f"{name}-all.geojson"))[0]]
    export_day = [
        cli("--db", url, "export", str(folder / f"{name}-day.geojson"), "--date", dates[-1])[0]
    ]
    for _ in range(repeat - 1):
        export_all.append(cli("--db", url, "export", str(folder / f"{name}-all.geojson"))[0])
        export_day.append(
            cli("--db", url, "export", str(folder / f"{name}-day.geojson"), "--date", dates[-1])[0]
        )
    passed, total, failures = demo_checks(url, folder / f"{name}-checks")

    def ms(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(pctl(values, 0.95) * 1000, 1),
            "n": len(values),
        }

    return {
        "backend": name,
        "init_demo_process_s": round(init_s, 2),
        "init_demo_store_only_s": round(store_init_s, 2),
        "change_dates": len(dates),
        "state_every_change_date_first_pass": ms(times),
        "state_every_change_date_second_pass": ms(again),
        "frame_through_a_kept_store_second_pass": ms(frame_s[len(dates) :]),
        "state_as_a_process_first_middle_last_s": [round(t, 2) for t in process_s],
        "export_all_claims_geojson": ms(export_all),
        "export_state_of_last_date_geojson": ms(export_day),
        "demo_checks_passed": f"{passed}/{total}",
        "demo_check_failures": failures,
        "load_average_before_after": [load_before, load_average()],
        "_states": states,
    }


def _key(feature: dict[str, Any]) -> tuple[Any, ...]:
    p = feature["properties"]
    return (
        p["actor"],
        p["status"],
        p["extent"],
        p["since"],
        tuple(p["claim_ids"]),
        json.dumps(p.get("previous"), sort_keys=True),
    )


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Where two ``state`` collections of one date differ; empty when they agree."""
    from shapely.geometry import shape

    fa = sorted(a["features"], key=_key)
    fb = sorted(b["features"], key=_key)
    if [_key(f) for f in fa] != [_key(f) for f in fb]:
        return [f"pieces differ: {[_key(f) for f in fa]} vs {[_key(f) for f in fb]}"]
    out = []
    for x, y in zip(fa, fb, strict=True):
        ka, kb = x["properties"]["area_km2"], y["properties"]["area_km2"]
        if abs(ka - kb) > 1e-6 * max(abs(ka), 1.0):
            out.append(f"{_key(x)}: area {ka} vs {kb} km2")
        ga, gb = shape(x["geometry"]), shape(y["geometry"])
        if ga.symmetric_difference(gb).area > 1e-6 * max(ga.area, 1e-12):
            out.append(f"{_key(x)}: outlines differ")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="export runs per backend")
    parser.add_argument("--pg", help="superuser URL of a PostGIS cluster (default: start one)")
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "machine": machine(),
                "postgres": pg.version(),
                "load_average_at_start": load_average(),
            }
        ),
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        admin = args.pg or stack.enter_context(pg.cluster())
        tag = os.getpid()
        urls = {
            "sqlite": (f"sqlite:///{folder / 'demo.sqlite'}", f"sqlite:///{folder / 'b.sqlite'}"),
            "postgis": (
                pg.new_database(admin, f"bench_demo_{tag}"),
                pg.new_database(admin, f"bench_spare_{tag}"),
            ),
        }
        results = {}
        for name, (url, spare) in urls.items():
            results[name] = measure(url, spare, folder, args.repeat, name)
            shown = {k: v for k, v in results[name].items() if not k.startswith("_")}
            print(json.dumps(shown), flush=True)
        sqlite_states, postgis_states = results["sqlite"]["_states"], results["postgis"]["_states"]
        differences = {}
        for day in sorted(set(sqlite_states) | set(postgis_states)):
            if day not in sqlite_states or day not in postgis_states:
                differences[day] = ["a change date of one backend only"]
                continue
            found = compare(sqlite_states[day], postgis_states[day])
            if found:
                differences[day] = found
        pieces = sum(len(s["features"]) for s in sqlite_states.values())
        print(
            json.dumps(
                {
                    "comparison": "postgis vs sqlite, state at every change date",
                    "dates": len(sqlite_states),
                    "dates_equal": len(sqlite_states) - len(differences),
                    "pieces_compared": pieces,
                    "differences": dict(list(differences.items())[:5]),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
