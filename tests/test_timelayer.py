"""The date layer sent as edits: what the browser rebuilds equals the frame, and a step of a
slowly changing history costs a small fraction of the frame."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from bench.front import ACTOR, front_claims
from controlmap.dataset import bundled_actors
from controlmap.model import ActorRegistry
from controlmap.render import layers, style, timelayer
from controlmap.resolve import Resolver


class Held:
    """What the page's script (ui/components/timelayer/timelayer.js) holds, in Python: the
    same rules, so a test can check what a browser would draw from the messages."""

    def __init__(self) -> None:
        self.seq = -1
        self.day: str | None = None
        self.items: list[dict[str, Any]] = []
        self.ages: dict[str, str] = {}
        self.prior: tuple[list[dict[str, Any]], dict[str, str]] | None = None
        self.ahead: tuple[int, dict[str, Any]] = (-1, {})
        self.resync_asked = False
        self.predicted: list[str] = []  # the days drawn ahead of the server

    @staticmethod
    def _steps(op: list[int], start: int, last: tuple[int, int], out: list[int]) -> None:
        x, y = last
        for i in range(start, len(op), 2):
            x, y = x + op[i], y + op[i + 1]
            out += [x, y]

    def _patch(self, old: list[int], ops: list[list[int]]) -> list[int]:
        out: list[int] = []
        for op in ops:
            if op[0] == 0:
                out += old[2 * op[1] : 2 * (op[1] + op[2])]
            else:
                self._steps(op, 1, (out[-2], out[-1]) if out else (0, 0), out)
        return out

    def _rings(self, old: list[list[int]], ops: list[Any]) -> list[list[int]]:
        rings: list[list[int]] = []
        for op in ops:
            if op[0] == 0:
                rings += old[op[1] : op[1] + op[2]]
            elif op[0] == 1:
                ring: list[int] = []
                self._steps(op, 1, (0, 0), ring)
                rings.append(ring)
            else:
                rings.append(self._patch(old[op[1]], op[2]))
        return rings

    def _step(self, seq: int, day: str | None, edit: Any) -> None:
        if edit == "prior":
            assert self.prior is not None
            items, ages = self.prior
        else:
            items = []
            for kind, base, props, geometry in edit["items"]:
                was = self.items[base] if base >= 0 else None
                if isinstance(props, dict) and "like" in props:
                    props = {**items[props["like"]]["props"], "style": props["style"]}
                rings = was["rings"] if was else []
                if geometry is not None:
                    rings = [geometry] if kind == "d" else self._rings(rings, geometry)
                items.append({"kind": kind, "props": props or was["props"], "rings": rings})
            ages = edit["ages"] or {}
        self.prior = (self.items, self.ages)
        self.seq, self.day, self.items, self.ages = seq, day, items, ages

    def predict(self, day: str) -> bool:
        """The slider shows ``day``: draw it now if it was given ahead (as the page does)."""
        seq, days = self.ahead
        if seq != self.seq or day not in days:
            return False
        self._step(self.seq + 1, day, days[day])
        self.ahead = (-2, {})
        self.predicted.append(day)
        return True

    def apply(self, msg: dict[str, Any]) -> None:
        if self.predicted and self.day == self.predicted[-1] and msg["seq"] == self.seq:
            assert msg["day"] == self.day and msg["items"] is None, "the server drew otherwise"
            self.ahead = (msg["seq"], msg.get("ahead") or {})
            return
        if msg["seq"] == self.seq:
            self.ahead = (msg["seq"], msg.get("ahead") or {})
            return
        edit: Any = msg
        if msg["base"] not in (-1, self.seq):
            edit = None
        elif msg["items"] is None:
            seq, days = self.ahead
            edit = days.get(msg["day"]) if seq == self.seq else None
        if edit is None:
            self.resync_asked = True
            return
        if msg["base"] == -1:
            self.items, self.prior = [], None
        self._step(msg["seq"], msg.get("day"), edit)
        self.ahead = (msg["seq"], msg.get("ahead") or {})


def _as_lists(frame: timelayer.Frame) -> list[list[list[int]]]:
    return [
        [np.frombuffer(r, dtype=np.int32).astype(int).ravel().tolist() for r in item.rings]
        for item in frame.items
    ]


@pytest.fixture(scope="module")
def front_frames() -> list[timelayer.Frame]:
    claims = front_claims(days=40)
    registry = ActorRegistry([ACTOR])
    resolver = Resolver(claims)
    frames = []
    for claim in claims[-12:]:
        day = claim.observed_on
        features, markers = layers.layer_features(resolver.at(day), registry, day, style.Look())
        frames.append(timelayer.frame(features, markers, day))
    return frames


def test_browser_rebuilds_every_frame_exactly(front_frames):
    held = Held()
    previous = None
    for seq, frame in enumerate(front_frames):
        held.apply(timelayer.message(previous, frame, seq=seq, base_seq=seq - 1))
        assert [[*it["rings"]] for it in held.items] == _as_lists(frame)
        assert [it["props"] for it in held.items] == [it.props for it in frame.items]
        previous = frame
    assert not held.resync_asked


def test_a_step_of_a_moving_front_costs_a_fraction_of_the_frame(front_frames):
    whole = timelayer.payload_bytes(timelayer.message(None, front_frames[-1], seq=0, base_seq=-1))
    vertices = sum(len(r) // 8 for r in front_frames[-1].items[0].rings)
    assert vertices > 2_000  # a real outline, not a toy
    for a, b in zip(front_frames, front_frames[1:], strict=False):
        step = timelayer.payload_bytes(timelayer.message(a, b, seq=1, base_seq=0))
        assert step < whole / 4, (step, whole)
        assert step < 20_000


def test_unchanged_items_travel_as_references(front_frames):
    frame = front_frames[0]
    msg = timelayer.message(frame, frame, seq=1, base_seq=0)
    assert all(entry[2] is None and entry[3] is None for entry in msg["items"])
    assert timelayer.payload_bytes(msg) < 200


def test_evidence_age_is_worded_per_day_so_labels_stay_the_same(front_frames):
    frame = front_frames[-1]
    tooltip = frame.items[0].props["tooltip"]
    since = frame.items[0].props["since"]
    assert f'<cm-age data-since="{since}"></cm-age>' in tooltip
    assert frame.ages[since] == "0 days old"


def test_a_town_dot_borrows_its_area_label(make_claim):
    claim = make_claim("isil", (43.7, 33.3, 43.75, 33.35), "2014-01-02")
    day = dt.date(2014, 1, 20)
    registry = ActorRegistry(bundled_actors())
    pieces = Resolver([claim]).at(day)
    features, markers = layers.layer_features(pieces, registry, day, style.Look())
    assert markers, "a small town gets a dot"
    frame = timelayer.frame(features, markers, day)
    msg = timelayer.message(None, frame, seq=0, base_seq=-1)
    dot = [e for e in msg["items"] if e[0] == "d"][0]
    assert set(dot[2]) == {"style", "like"}
    held = Held()
    held.apply(msg)
    assert held.items[1]["props"]["popup"] == held.items[0]["props"]["popup"]
    assert frame.ages[features[0]["properties"]["since"]] == "18 days old"


def test_a_message_for_another_base_asks_for_the_whole_frame(front_frames):
    held = Held()
    held.apply(timelayer.message(None, front_frames[0], seq=0, base_seq=-1))
    held.apply(timelayer.message(front_frames[1], front_frames[2], seq=5, base_seq=4))
    assert held.resync_asked and held.seq == 0


def test_message_is_plain_json(front_frames):
    msg = timelayer.message(front_frames[0], front_frames[1], seq=1, base_seq=0)
    assert json.loads(json.dumps(msg)) == msg


def test_an_area_smaller_than_the_rounding_is_left_out(front_frames):
    day = dt.date(2014, 1, 2)
    props = {"actor": "isil", "status": "control", "extent": "all", "since": "2014-01-02"}
    speck = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[43.0, 33.0], [43.000001, 33.0], [43.0, 33.000001], [43.0, 33.0]]],
        },
        "properties": props,
    }
    frame = timelayer.frame([speck], [], day)
    assert frame.items == ()
    # Edits from and to such frames still work.
    msg = timelayer.message(front_frames[0], frame, seq=1, base_seq=0)
    assert msg["items"] == []
    timelayer.message(frame, front_frames[0], seq=2, base_seq=1)


def _square_ring(x: int, y: int, size: int, wobble: int = 0) -> list[list[float]]:
    """A closed ring of 40 vertices around a square; ``wobble`` moves one side's middle."""
    side = [(x + size * i / 10, y) for i in range(10)]
    side += [(x + size, y + size * i / 10) for i in range(10)]
    side += [(x + size - size * i / 10, y + size + (wobble if 3 < i < 7 else 0)) for i in range(10)]
    side += [(x, y + size - size * i / 10) for i in range(10)]
    return [[px / 1e4, py / 1e4] for px, py in [*side, side[0]]]


def _many_ring_frame(rings: list[list[list[float]]], day: dt.date) -> timelayer.Frame:
    geometry = {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}
    props = {"actor": "a", "status": "held", "extent": "full", "style": {"color": "#123456"}}
    return timelayer.frame([{"geometry": geometry, "properties": props}], [], day)


def test_an_area_of_many_rings_is_rebuilt_when_rings_come_go_and_move():
    # A grouped overview draws one area of hundreds of rings; from day to day some towns
    # are lost (ring gone), some gained (new ring), and some outlines move.
    rng = np.random.default_rng(7)
    towns = {(int(x), int(y)): 0 for x, y in rng.integers(0, 50_000, size=(300, 2))}
    held, previous = Held(), None
    for seq in range(8):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=seq)
        frame = _many_ring_frame([_square_ring(x, y, 40, w) for (x, y), w in towns.items()], day)
        held.apply(timelayer.message(previous, frame, seq=seq, base_seq=seq - 1))
        assert [[*it["rings"]] for it in held.items] == _as_lists(frame)
        if previous is not None:
            step = timelayer.payload_bytes(timelayer.message(previous, frame, seq=1, base_seq=0))
            whole = timelayer.payload_bytes(timelayer.message(None, frame, seq=0, base_seq=-1))
            assert step < whole / 4, (step, whole)
        previous = frame
        keys = list(towns)
        for k in rng.choice(len(keys), size=5, replace=False):
            del towns[keys[k]]
        for x, y in rng.integers(0, 50_000, size=(5, 2)):
            towns[(int(x), int(y))] = 0
        for k in rng.choice(len(towns), size=5, replace=False):
            towns[list(towns)[k]] = int(rng.integers(1, 15))
    assert not held.resync_asked


def test_at_scale_a_step_leaves_the_groups_it_did_not_touch_alone(make_claim):
    # Past DETAIL_LIMIT pieces a date is drawn grouped by look. A new report in one region
    # must not change the popups of groups elsewhere (as numbering every source on the map
    # did: one more source renumbered the rest), or each step re-sends every group.
    from tests.conftest import citation

    def towns(actor: str, x0: float, count: int, day: str, tag: str) -> list:
        return [
            make_claim(
                actor,
                (
                    x0 + 0.02 * (i % 20),
                    33 + 0.02 * (i // 20),
                    x0 + 0.02 * (i % 20) + 0.01,
                    33 + 0.02 * (i // 20) + 0.01,
                ),
                day,
                citations=(citation(f"{tag} {i}", f"https://example.org/{tag}/{i}"),),
            )
            for i in range(count)
        ]

    half = layers.DETAIL_LIMIT // 2 + 10
    claims = towns("isil", 40.0, half, "2014-01-02", "a") + towns(
        "iraq-gov", 44.0, half, "2014-01-02", "b"
    )
    # On the next date the government gains towns far from the other group ("0 ..." sorts
    # first: every earlier numbering of the sources moved).
    claims += towns("iraq-gov", 46.0, 3, "2014-01-05", "0")
    registry = ActorRegistry(bundled_actors())
    resolver = Resolver(claims)
    frames = []
    for day in (dt.date(2014, 1, 2), dt.date(2014, 1, 5)):
        features, markers = layers.layer_features(resolver.at(day), registry, day, style.Look())
        frames.append(timelayer.frame(features, markers, day))
    msg = timelayer.message(frames[0], frames[1], seq=1, base_seq=0)
    untouched = [
        entry
        for entry, item in zip(msg["items"], frames[1].items, strict=True)
        if item.props["actor"] == "isil"
    ]
    assert untouched, "the other actor's group is drawn"
    assert all(e[1] >= 0 and e[2] is None and e[3] is None for e in untouched), untouched
