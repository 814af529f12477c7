"""The dates around the one shown are prepared in the background, for the latest step."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from controlmap import ui
from controlmap.render.style import Look


def test_a_reader_who_steps_again_gets_the_new_neighbours_prepared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two steps in a row: the background thread, busy with a date around the first, goes
    on with the dates around the second (not the rest of the first's), and then stops."""
    prepared: list[dt.date] = []
    busy, go_on = threading.Event(), threading.Event()

    def frame(url: str, version: int, day: dt.date, *rest: Any) -> None:
        prepared.append(day)
        busy.set()
        assert go_on.wait(10)

    monkeypatch.setattr(ui, "frame", frame)
    day = dt.date(2024, 1, 10)
    around = [day + dt.timedelta(days=n) for n in (1, 2, -1, -2)]
    ui.prefetch("sqlite://", 1, around, True, Look(), ("a",))
    assert busy.wait(10)
    # The reader steps back twice before the first date is ready.
    later = [day - dt.timedelta(days=n) for n in (3, 4, 1)]
    ui.prefetch("sqlite://", 1, later, True, Look(), ("a",))
    go_on.set()
    assert ui.prefetched(10), "the background preparation did not finish"
    assert prepared == [around[0], *later]
