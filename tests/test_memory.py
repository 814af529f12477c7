"""A process's memory does not grow with the length of the history a reader steps through:
the app's caches of dated results hold a bounded number of dates."""

from __future__ import annotations

import gc
import tracemalloc

from bench.front import ACTOR, front_claims
from controlmap import dataset, ui
from controlmap.render import timelayer
from controlmap.render.style import Look
from controlmap.store import Store


def _traced_after(db_url: str, steps: list[int]) -> dict[int, int]:
    """Step back through every date as the map page does (the stored map, the date layer,
    the message to the browser); bytes held by Python after each count of ``steps``."""
    version = Store(db_url).data_version()
    days = [day for day, _ in Store(db_url).timeline.days(True)]
    held: timelayer.Frame | None = None
    out: dict[int, int] = {}
    tracemalloc.start()
    try:
        for n, day in enumerate(reversed(days), 1):
            ui.resolved(db_url, version, day, True)
            frame = ui.frame(db_url, version, day, True, Look(), (ACTOR.id,))
            timelayer.message(held, frame, seq=n, base_seq=n - 1)
            held = frame
            if n in steps:
                gc.collect()
                out[n] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return out


def test_stepping_through_three_times_the_dates_holds_no_more_memory(db_url):
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    store.add_claims(front_claims(days=3 * ui.DATES_CACHED + 10), who="test", actors=[ACTOR])
    first, last = ui.DATES_CACHED + 5, 3 * ui.DATES_CACHED + 5
    held = _traced_after(db_url, [first, last])
    # Once the caches are full, more dates replace cached ones instead of adding to them:
    # two thirds more of the history stepped through, at most a tenth more memory.
    assert held[last] - held[first] < held[first] / 10, held
