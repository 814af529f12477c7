"""Bytes and time per slider step, in headless Chromium with the network blocked.

For each dataset: start the app, open the map, then press the slider's arrow key N times.
Per step it records the bytes Streamlit sent over its websocket (every frame received, from
the key press until the connection has been quiet for QUIET seconds), any HTTP request made,
and slider-to-map time: key press until the date layer in the map holds the new frame.

    python bench/slider.py demo front generated     # prints one JSON line per dataset
    python bench/slider.py demo front --db-dir var/bench --src /tmp/old/src --src src --rounds 3

With ``--src`` (repeatable) the app runs from that source folder instead of this checkout's
(its ``controlmap/web/static/vendor`` must hold Leaflet), and with several, the runs of each
dataset alternate between them, ``--rounds`` times, so before and after are measured
interleaved, in the same conditions. ``--db-dir`` keeps the databases made between runs.
``--profile DIR`` runs the server's script runs under cProfile and writes one file of
statistics per run in DIR (named by its order and whether it was a fragment's run), summed
up after the steps (``--profile-top``).

``--server-only`` measures, in this process and without a browser, what the server does for
a step to a date nobody prepared: it calls the functions the map page calls (stored frame,
date layer, message) for the newest date (a process's first date), then for N dates stepping
back from it, each a date never read before, and prints the time of each part per step.

Not a test: the figures go in the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import machine  # noqa: E402
from controlmap import dataset  # noqa: E402
from controlmap.store import Store  # noqa: E402

QUIET = 0.6  # seconds without a websocket frame: the step's messages are all in
# The frame the map's date layer shows, read from the page (so a map made again is followed).
SEQ_JS = """() => {
    const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const w = f && f.contentWindow;
    return w && w.cmTimeLayer ? w.cmTimeLayer.cmSeq : -1;
}"""
# Slider-to-map as the page itself sees it, without the test driver's round trips: from the
# key's keydown event to the date layer holding a new frame, polled every millisecond.
IN_PAGE_JS = (
    """() => {
    window.cmStepTimes = [];
    const seq = """
    + SEQ_JS
    + """;
    document.addEventListener("keydown", () => {
        const t0 = performance.now();
        const s0 = seq();
        const poll = () => {
            if (seq() !== s0) window.cmStepTimes.push(performance.now() - t0);
            else if (performance.now() - t0 < 60000) setTimeout(poll, 1);
        };
        setTimeout(poll, 0);
    }, true);
}"""
)
# How many steps the page drew from what it was given ahead, confirmed by the server.
AHEAD_JS = SEQ_JS.replace("w.cmTimeLayer.cmSeq : -1", "w.cmTimeLayer.cmAhead || 0 : 0")


# Loaded by the app server when ``--profile`` is given (through PYTHONPATH): every script
# run of Streamlit under cProfile, its statistics written to CM_PROFILE_DIR.
PROFILE_HOOK = """
import cProfile, itertools, os, time
from streamlit.runtime.scriptrunner import script_runner as _sr

_runs = itertools.count()
_plain = _sr.ScriptRunner._run_script


def _profiled(self, rerun_data):
    what = "fragment" if rerun_data.fragment_id_queue else "page"
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    try:
        return _plain(self, rerun_data)
    finally:
        prof.disable()
        wall = time.perf_counter() - t0
        name = f"{next(_runs):04d}-{what}-{wall * 1000:.0f}ms.prof"
        prof.dump_stats(os.path.join(os.environ["CM_PROFILE_DIR"], name))


_sr.ScriptRunner._run_script = _profiled
"""


def profile_env(folder: Path, tmp: str) -> dict[str, str]:
    """Environment for a server whose script runs are profiled into ``folder``."""
    hook = Path(tmp) / "profile_hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(PROFILE_HOOK)
    folder.mkdir(parents=True, exist_ok=True)
    return {"CM_PROFILE_DIR": str(folder), "PYTHONPATH": str(hook)}


def profile_summary(folder: Path, top: int) -> None:
    """The fragment runs' statistics summed (cumulative time), and each run's wall time."""
    import pstats

    runs = sorted(folder.glob("*-fragment-*.prof"))
    if not runs:
        return
    print("fragment runs (ms):", [int(r.stem.rsplit("-", 1)[1][:-2]) for r in runs])
    stats = pstats.Stats(str(runs[0]))
    for r in runs[1:]:
        stats.add(str(r))
    stats.sort_stats("cumulative").print_stats(top)


def make_db(kind: str, folder: str, url: str | None = None) -> str:
    """The dataset ``kind`` in a new SQLite file in ``folder``, or in the empty database
    ``url`` (PostGIS: the extension made)."""
    url = url or f"sqlite:///{folder}/{kind}.sqlite"
    store = Store(url)
    if kind == "demo":
        dataset.init_store(store, demo=True)
    elif kind == "front":
        from bench.front import ACTOR, front_claims

        dataset.init_store(store, demo=False)
        store.add_claims(front_claims(), who="bench", actors=[ACTOR])
    elif kind == "generated":
        from bench.run import generated_claims

        dataset.init_store(store, demo=False)
        store.add_claims(generated_claims(10_000, 1_000), who="bench")
    else:
        raise SystemExit(f"unknown dataset {kind!r}")
    return url


def pctl(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def kind_of(payload: bytes) -> str:
    """What a websocket frame from Streamlit carries: the element for a delta (our date layer
    is ``layer``), else the message type (``ref_hash`` is an element the browser holds)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg: count it apart
        return "other"
    kind = msg.WhichOneof("type") or "other"
    if kind == "delta":
        delta = msg.delta.WhichOneof("type") or "other"
        if delta != "new_element":
            return delta
        element = msg.delta.new_element.WhichOneof("type") or "other"
        if element == "component_instance":
            name = msg.delta.new_element.component_instance.component_name
            return "layer" if "timelayer" in name else name.rsplit(".", 1)[-1]
        return element
    return kind


class Wire:
    """Every websocket frame the page receives, with its time, size and kind."""

    def __init__(self, page: object):
        self.frames: list[tuple[float, int]] = []
        self.kinds: list[str] = []
        self.http: list[str] = []
        page.on("websocket", self._socket)  # type: ignore[attr-defined]
        page.on("request", lambda r: self.http.append(r.url))  # type: ignore[attr-defined]

    def _socket(self, ws: object) -> None:
        def received(payload: object) -> None:
            size = len(payload) if isinstance(payload, bytes | str) else 0
            self.frames.append((time.perf_counter(), size))
            self.kinds.append(kind_of(payload) if isinstance(payload, bytes) else "text")

        ws.on("framereceived", received)  # type: ignore[attr-defined]

    def quiet(self, page: object, limit: float = 120.0) -> None:
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            last = self.frames[-1][0] if self.frames else 0.0
            if time.perf_counter() - last >= QUIET:
                return
            page.wait_for_timeout(100)  # type: ignore[attr-defined]

    def since(self, t0: float) -> int:
        return sum(size for t, size in self.frames if t >= t0)

    def first(self, t0: float, kind: str) -> float | None:
        """Seconds from ``t0`` to the first frame of ``kind`` after it."""
        for (t, _), k in zip(self.frames, self.kinds, strict=True):
            if t >= t0 and k == kind:
                return t - t0
        return None

    def by_kind(self, t0: float) -> dict[str, int]:
        out: dict[str, int] = {}
        for (t, size), k in zip(self.frames, self.kinds, strict=True):
            if t >= t0:
                out[k] = out.get(k, 0) + size
        return out


def opening(kind: str) -> str:
    """The link the browser opens: the front's last snapshot (the day after it is empty)."""
    if kind == "front":
        from bench.front import START

        return f"/?date={(START + dt.timedelta(days=768)).isoformat()}"
    return "/"


def step_map(
    server_base: str, steps: int, path: str = "/", key: str = "ArrowLeft"
) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, LOCAL

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        blocked: list[str] = []

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(LOCAL):
                r.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        # A script error in the page would stall a step: say it where the figures are read.
        page.on("pageerror", lambda e: print(f"page error: {e}", file=sys.stderr, flush=True))
        wire = Wire(page)
        page.goto(f"{server_base}{path}")
        frame = page  # the layer's frame number is read through the page (see SEQ_JS)
        frame.wait_for_function(f"({SEQ_JS})() >= 0", timeout=300_000)
        wire.quiet(page)
        first_load = wire.since(0.0)
        slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
        times, sizes, requests = [], [], 0
        # Where a step's time goes: key press to the first message of the rerun (the server
        # picked it up), to the date layer's message (the server's work before it), to the
        # layer drawn (the browser's); and to the end of the rerun.
        started, layer_sent, finished = [], [], []
        kinds: dict[str, int] = {}
        load_before = os.getloadavg()[0]
        ahead_before = frame.evaluate(AHEAD_JS)
        page.evaluate(IN_PAGE_JS)
        for _ in range(steps):
            seq = frame.evaluate(SEQ_JS)
            requests_before = len(wire.http)
            slider.focus()
            t0 = time.perf_counter()
            slider.press(key)
            frame.wait_for_function(f"({SEQ_JS})() > {seq}", timeout=300_000)
            times.append(time.perf_counter() - t0)
            # The map may be drawn before the server answers (a step sent ahead): the step's
            # bytes are counted once its run has ended and the connection is quiet again.
            deadline = time.perf_counter() + 60
            while wire.first(t0, "script_finished") is None and time.perf_counter() < deadline:
                page.wait_for_timeout(20)
            wire.quiet(page)
            sizes.append(wire.since(t0))
            requests += len(wire.http) - requests_before
            for out, kind in ((started, "session_status_changed"), (layer_sent, "layer")):
                out.append(wire.first(t0, kind) or float("nan"))
            finished.append(wire.first(t0, "script_finished") or float("nan"))
            for k, n in wire.by_kind(t0).items():
                kinds[k] = kinds.get(k, 0) + n
        drawn_ahead = frame.evaluate(AHEAD_JS) - ahead_before
        in_page = [t / 1000 for t in page.evaluate("() => window.cmStepTimes")]
        browser.close()

    def ms(values: list[float]) -> int | None:
        # A step may lack a kind of message (no layer message when the frame did not change).
        known = [v for v in values if v == v]
        return round(statistics.median(known) * 1000) if known else None

    top = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
    return {
        "first_load_kb": round(first_load / 1024, 1),
        "steps": steps,
        "bytes_per_step_p50_kb": round(statistics.median(sizes) / 1024, 1),
        "bytes_per_step_p95_kb": round(pctl(sizes, 0.95) / 1024, 1),
        "bytes_per_step_max_kb": round(max(sizes) / 1024, 1),
        "bytes_per_step_kb": [round(b / 1024, 1) for b in sizes],
        "steps_drawn_ahead": drawn_ahead,
        "in_page_p50_ms": ms(in_page),
        "in_page_max_ms": round(max(in_page) * 1000) if in_page else None,
        "slider_to_map_ms": [round(t * 1000) for t in times],
        "slider_to_map_p50_ms": round(statistics.median(times) * 1000),
        "slider_to_map_p95_ms": round(pctl(times, 0.95) * 1000),
        "rerun_started_ms_p50": ms(started),
        "layer_message_ms_p50": ms(layer_sent),
        "browser_draw_ms_p50": ms([t - lt for t, lt in zip(times, layer_sent, strict=True)]),
        "rerun_finished_ms_p50": ms(finished),
        "bytes_per_step_by_kind": {k: round(n / steps) for k, n in top},
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "http_requests_during_steps": requests,
        "blocked_requests": len(blocked),
    }


def server_steps(url: str, steps: int) -> dict[str, object]:
    """Seconds per step to a date not prepared yet, as the map page does it (no browser)."""
    from controlmap import ui
    from controlmap.render import timelayer
    from controlmap.render.style import Look

    store = Store(url)
    version = store.data_version()
    actors = tuple(a.id for a in store.actors())
    days = [day for day, _ in store.timeline.days(True)][::-1][: steps + 1]
    held, rows = None, []
    for n, day in enumerate(days):
        t0 = time.perf_counter()
        pieces = ui.resolved(url, version, day, True)
        t1 = time.perf_counter()
        frame = ui.frame(url, version, day, True, Look(), actors)
        t2 = time.perf_counter()
        timelayer.message(held, frame, seq=n, base_seq=n - 1)
        t3 = time.perf_counter()
        held = frame
        rows.append((len(pieces), t1 - t0, t2 - t1, t3 - t2, t3 - t0))

    def med(i: int) -> float:
        return round(statistics.median(r[i] for r in rows[1:]), 2)

    return {
        "first_date_s": {
            "read": round(rows[0][1], 2),
            "layer": round(rows[0][2], 2),
            "message": round(rows[0][3], 2),
            "total": round(rows[0][4], 2),
        },
        "steps": len(rows) - 1,
        "pieces_median": int(statistics.median(r[0] for r in rows[1:])),
        "step_s_median": {"read": med(1), "layer": med(2), "message": med(3), "total": med(4)},
        "step_s_max": round(max(r[4] for r in rows[1:]), 2),
        "step_s_all": [round(r[4], 2) for r in rows[1:]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("datasets", nargs="*", default=["demo", "front", "generated"])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--db-dir", help="keep the databases here and reuse them")
    parser.add_argument(
        "--src", action="append", help="run the app from this source folder (repeatable)"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", help="profile the server's script runs into this folder")
    parser.add_argument("--profile-top", type=int, default=40)
    parser.add_argument("--server-only", action="store_true", help="no browser (see above)")
    args = parser.parse_args()
    if args.server_only:
        with tempfile.TemporaryDirectory() as tmp:
            folder = str(Path(args.db_dir or tmp).resolve())
            for kind in args.datasets:
                kept = Path(folder) / f"{kind}.sqlite"
                url = f"sqlite:///{kept}" if kept.is_file() else make_db(kind, folder)
                load = round(os.getloadavg()[0], 2)
                result = server_steps(url, args.steps)
                after = round(os.getloadavg()[0], 2)
                out = {"dataset": kind, **result, "load_average_1min_before_after": [load, after]}
                print(json.dumps(out), flush=True)
        return
    from tests.e2e import conftest
    from tests.e2e.conftest import Server

    print(
        json.dumps({"machine": machine()}),
        flush=True,
    )
    sources = [Path(s).resolve() for s in args.src or []] or [None]
    with tempfile.TemporaryDirectory() as tmp:
        folder = str(Path(args.db_dir or tmp).resolve())
        Path(folder).mkdir(parents=True, exist_ok=True)
        for kind in args.datasets:
            t0 = time.perf_counter()
            kept = Path(folder) / f"{kind}.sqlite"
            url = f"sqlite:///{kept}" if kept.is_file() else make_db(kind, folder)
            built = time.perf_counter() - t0
            for _ in range(args.rounds):
                for src in sources:
                    extra: dict[str, Any] = {"env": {}}
                    if args.profile:
                        extra["env"] = profile_env(Path(args.profile), tmp)
                    if src is not None:
                        paths = [str(src), extra["env"].get("PYTHONPATH")]
                        extra["env"]["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
                        extra["script"] = src / "controlmap" / "web" / "app.py"
                    # The server runs in the checkout it comes from, with its Streamlit
                    # settings (.streamlit/ there).
                    conftest.REPO = src.parent if src is not None else REPO
                    server = Server(url, f"bench-slider-{kind}", **extra)
                    try:
                        steps = min(args.steps, 12) if kind == "demo" else args.steps
                        result = step_map(server.base, steps, opening(kind))
                    finally:
                        server.stop()
                    head = {"dataset": kind, "db_built_s": round(built, 1)}
                    if src is not None:
                        head["src"] = str(src)
                    print(json.dumps({**head, **result}), flush=True)
    if args.profile:
        profile_summary(Path(args.profile), args.profile_top)


if __name__ == "__main__":
    main()
