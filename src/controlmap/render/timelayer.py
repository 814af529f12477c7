"""The date layer as small messages: each slider step sends only what changed since the frame
the browser already holds.

A *frame* is what the map draws on one date: areas and town dots, each an :class:`Item` with
its look (style, tooltip, popup) and its rings. :func:`changes` compares two frames and writes
the newer one as edits of the older: an item that did not change is a reference, a ring that
did not change is a reference, a ring that moved a little is sent as the runs of vertices that
differ. Coordinates travel as integers of 1e-5 degree (about a metre), each vertex as the step
from the one before, so a slowly moving front line costs a few hundred bytes a day instead of
its whole outline. The browser side is ``ui/timelayer/timelayer.js``; ``ui/timelayer.py`` keeps,
per browser session, which frame the browser holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from controlmap.render.layers import age_phrase

SCALE = 100_000  # integers of 1e-5 degree: the precision for_display rounds to
COPY, NEW, PATCH = 0, 1, 2  # ring and vertex operations


@dataclass(frozen=True, eq=False)
class Item:
    """One drawn thing: ``kind`` "a" (area, any number of rings) or "d" (a town dot)."""

    kind: str
    ident: str  # what it shows (actor, status, extent): how it is found again next frame
    props: dict[str, Any]
    rings: tuple[bytes, ...]  # int32 (x, y) pairs, unclosed, starting at the smallest vertex
    key: str = field(init=False)  # props as JSON: equal keys draw alike

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "key", json.dumps(self.props, sort_keys=True, separators=(",", ":"))
        )


@dataclass(frozen=True, eq=False)
class Frame:
    """Everything the date layer draws on one date, areas first, then dots. ``ages`` words
    the evidence age of each ``since`` date on this day: labels carry an ``<cm-age>`` mark in
    its place, so a piece that did not change keeps the same label from day to day."""

    items: tuple[Item, ...]
    ages: dict[str, str]


def _age_mark(since: str) -> str:
    return f'<cm-age data-since="{since}"></cm-age>'


def _unaged(props: dict[str, Any], day: dt.date) -> tuple[dict[str, Any], str, str]:
    """``props`` with its evidence age replaced by a mark, with the since date and wording."""
    since = str(props.get("since", ""))
    try:
        phrase = age_phrase((day - dt.date.fromisoformat(since)).days)
    except ValueError:
        return props, since, ""
    out = dict(props)
    for name in ("tooltip", "popup"):
        if isinstance(out.get(name), str):
            out[name] = out[name].replace(f"evidence {phrase}", f"evidence {_age_mark(since)}")
    return out, since, phrase


def _ring(coords: Sequence[Sequence[float]]) -> bytes | None:
    arr = np.rint(np.asarray(coords, dtype=float)[:, :2] * SCALE).astype(np.int32)
    if len(arr) < 3:
        return None
    # Rounding can make neighbours equal: keep each vertex once (the closing one included).
    keep = np.empty(len(arr), dtype=bool)
    keep[0] = (arr[0] != arr[-1]).any()
    keep[1:] = (arr[1:] != arr[:-1]).any(axis=1)
    arr = arr[keep]
    if len(arr) < 3:
        return None
    # The same ring always starts at the same vertex, so unchanged stretches line up.
    start = int(np.lexsort((arr[:, 1], arr[:, 0]))[0])
    return np.concatenate((arr[start:], arr[:start])).tobytes()


def _rings(geometry: dict[str, Any]) -> tuple[bytes, ...]:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"not an area: {geometry['type']}")
    rings = [r for poly in polygons for coords in poly if (r := _ring(coords)) is not None]
    # Holes need no marking: the browser fills with the even-odd rule. A stable order lets
    # the next frame refer to runs of unchanged rings.
    return tuple(sorted(rings))


def _ident(kind: str, props: dict[str, Any]) -> str:
    return "|".join(
        [kind, str(props.get("actor")), str(props.get("status")), str(props.get("extent"))]
    )


# The rings of the geometries of the last frame made, by the geometry's identity (the dict is
# held too, so an identity is never reused while in here): the grouped overview hands the same
# outline dict for a group that did not change (layers._merged_outline), and its rings need
# not be worked out again. One frame's worth: it does not grow with the dates drawn.
_last_rings: dict[int, tuple[dict[str, Any], tuple[bytes, ...]]] = {}


def frame(
    features: Sequence[dict[str, Any]], markers: Sequence[dict[str, Any]], day: dt.date
) -> Frame:
    """The frame drawn on ``day`` by ``layers.layer_features`` output (areas and dots)."""
    global _last_rings
    known, made = _last_rings, {}
    ages: dict[str, str] = {}
    items = []
    for kind, feature in [("a", f) for f in features] + [("d", m) for m in markers]:
        props, since, phrase = _unaged(feature["properties"], day)
        if phrase:
            ages[since] = phrase
        if kind == "a":
            geometry = feature["geometry"]
            hit = known.get(id(geometry))
            rings = hit[1] if hit is not None and hit[0] is geometry else _rings(geometry)
            made[id(geometry)] = (geometry, rings)
            if not rings:
                continue  # smaller than the rounding: nothing to draw (its dot stays)
        else:
            x, y = feature["geometry"]["coordinates"][:2]
            rings = (np.rint(np.array([[x, y]]) * SCALE).astype(np.int32).tobytes(),)
        items.append(Item(kind, _ident(kind, props), props, rings))
    _last_rings = made
    return Frame(tuple(items), ages)


def _vertices(ring: bytes) -> np.ndarray:
    return np.frombuffer(ring, dtype=np.int32).reshape(-1, 2)


def _steps(arr: np.ndarray, last: tuple[int, int]) -> list[int]:
    """Vertices as steps from ``last`` and then from each other: small numbers, short JSON."""
    if len(arr) == 0:
        return []
    d = np.diff(arr.astype(np.int64), axis=0, prepend=np.array([last], dtype=np.int64))
    return [int(v) for v in d.ravel()]


def _keys(v: np.ndarray) -> np.ndarray:
    """One int64 per vertex, equal for equal vertices."""
    return (v[:, 0].astype(np.int64) << 32) | (v[:, 1].astype(np.int64) & 0xFFFFFFFF)


def _patch(old: bytes, new: bytes) -> list[list[int]]:
    """``new`` as runs copied from ``old`` ([0, start, count]) and runs of new vertices
    ([1, steps...], each step from the vertex before it).

    Each vertex of ``new`` is looked up in ``old`` (a ring's vertices are distinct after
    rounding, so a vertex found is the same point); consecutive vertices found at
    consecutive places make one copied run. A sorted lookup, not a general sequence diff:
    a 3,000-vertex ring is patched in well under a millisecond."""
    a, b = _vertices(old), _vertices(new)
    if len(b) == 0:
        return []
    ka, kb = _keys(a), _keys(b)
    order = np.argsort(ka, kind="stable")
    where = np.minimum(np.searchsorted(ka[order], kb), max(len(a) - 1, 0))
    found = ka[order][where] == kb if len(a) else np.zeros(len(b), dtype=bool)
    at = np.where(found, order[where], -1)
    # A run ends where found-ness changes or a found vertex does not follow its neighbour.
    cut = (found[1:] != found[:-1]) | (found[1:] & (at[1:] != at[:-1] + 1))
    starts = [0, *(np.flatnonzero(cut) + 1).tolist(), len(b)]
    runs: list[tuple[bool, int, int]] = []  # (copied, first vertex of new, end)
    for s, e in zip(starts[:-1], starts[1:], strict=True):
        copied = bool(found[s]) and e - s >= 2  # a lone copied vertex costs more than a step
        if runs and not copied and not runs[-1][0]:
            runs[-1] = (False, runs[-1][1], e)
        else:
            runs.append((copied, s, e))
    ops: list[list[int]] = []
    last = (0, 0)
    for copied, s, e in runs:
        if copied:
            ops.append([COPY, int(at[s]), e - s])
        else:
            ops.append([NEW, *_steps(b[s:e], last)])
        last = (int(b[e - 1, 0]), int(b[e - 1, 1]))
    return ops


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def _ring_ops(old: Sequence[bytes], new: Sequence[bytes]) -> list[Any]:
    """``new`` rings from ``old``: [0, start, count] copies rings, [1, steps...] is a new ring,
    [2, index, patch] is ring ``index`` of ``old`` edited by a vertex patch.

    Both are sorted, so a ring that did not change is found by lookup, and a changed ring is
    paired with an old ring that vanished between the same unchanged neighbours."""
    where = {ring: i for i, ring in enumerate(old)}
    at = [where.get(ring, -1) for ring in new]
    ops: list[Any] = []
    j, previous = 0, -1  # previous: index in old of the last ring copied
    while j < len(new):
        if at[j] >= 0:
            run = 1
            while j + run < len(new) and at[j + run] == at[j] + run:
                run += 1
            ops.append([COPY, at[j], run])
            previous = at[j] + run - 1
            j += run
            continue
        end = j
        while end < len(new) and at[end] < 0:
            end += 1
        following = at[end] if end < len(new) else len(old)
        gone = list(range(previous + 1, following))  # sorted: none of these was copied
        for n, ring in enumerate(new[j:end]):
            ops.append(_changed_ring(old, gone[min(n, len(gone) - 1)] if gone else -1, ring))
        j = end
    return ops


def _changed_ring(old: Sequence[bytes], k: int, ring: bytes) -> list[Any]:
    """A new ring as an edit of ring ``k`` of ``old`` (-1: none), or whole if that is smaller."""
    if k >= 0:
        vertex_ops = _patch(old[k], ring)
        patched: list[Any] = [PATCH, k, vertex_ops]
        fresh = sum(len(op) - 1 for op in vertex_ops if op[0] == NEW) // 2
        if 2 * fresh < len(ring) // 8:
            return patched  # under half the vertices are new: the patch is the smaller
    full = [NEW, *_steps(_vertices(ring), (0, 0))]
    return patched if k >= 0 and _size(patched) < _size(full) else full


def _centre(item: Item) -> tuple[float, float]:
    if not item.rings:
        return (0.0, 0.0)
    first = _vertices(item.rings[0])
    return float(first[:, 0].mean()), float(first[:, 1].mean())


def _match(base: Frame, new: Frame) -> list[int]:
    """For each new item, the index of the base item it continues (-1: none)."""
    free = set(range(len(base.items)))
    exact: dict[tuple[str, tuple[bytes, ...]], list[int]] = {}
    for i, item in enumerate(base.items):
        exact.setdefault((item.key, item.rings), []).append(i)
    out = [-1] * len(new.items)
    for j, item in enumerate(new.items):
        same = exact.get((item.key, item.rings))
        if same:
            out[j] = same.pop(0)
            free.discard(out[j])
    centres = {i: _centre(base.items[i]) for i in free}
    by_ident: dict[str, list[int]] = {}
    for i in sorted(free):
        by_ident.setdefault(base.items[i].ident, []).append(i)
    for j, item in enumerate(new.items):
        if out[j] >= 0:
            continue
        candidates = [i for i in by_ident.get(item.ident, []) if i in free]
        if not candidates:
            candidates = [i for i in free if base.items[i].kind == item.kind]
        if candidates:
            cx, cy = _centre(item)
            i = min(candidates, key=lambda i: (centres[i][0] - cx) ** 2 + (centres[i][1] - cy) ** 2)
            out[j] = i
            free.discard(i)
    return out


@lru_cache(maxsize=32)  # holds its frames: bounded, like the app's caches of dates
def changes(base: Frame | None, new: Frame) -> list[list[Any]]:
    """``new`` as edits of ``base`` (None: from nothing), one entry per item in draw order:
    ``[kind, base index or -1, props or None if unchanged, geometry or None if unchanged]``;
    props ``{"style": ..., "like": k}`` are those of item ``k`` of this frame with that style.
    Geometry is a ring-operation list for areas, ``[x, y]`` for dots. Cached: every session
    stepping between the same two frames gets the same answer."""
    matches = _match(base, new) if base is not None else [-1] * len(new.items)
    entries: list[list[Any]] = []
    labels: dict[str, int] = {}  # a town's dot says what its area says: send that once
    for j, (item, i) in enumerate(zip(new.items, matches, strict=True)):
        was = base.items[i] if base is not None and i >= 0 else None
        props: Any = None if was is not None and was.key == item.key else item.props
        label = json.dumps({k: v for k, v in item.props.items() if k != "style"}, sort_keys=True)
        if props is not None and label in labels:
            props = {"style": item.props.get("style"), "like": labels[label]}
        labels.setdefault(label, j)
        geometry: Any
        if was is not None and was.rings == item.rings:
            geometry = None
        elif item.kind == "d":
            x, y = _vertices(item.rings[0])[0]
            geometry = [int(x), int(y)]
        else:
            geometry = _ring_ops(was.rings if was is not None else (), item.rings)
        entries.append([item.kind, i if was is not None else -1, props, geometry])
    return entries


def message(base: Frame | None, new: Frame, *, seq: int, base_seq: int) -> dict[str, Any]:
    """What the browser gets for one step: apply ``items`` to frame ``base`` (-1: none)."""
    return {
        "seq": seq,
        "base": base_seq if base is not None else -1,
        "items": changes(base, new),
        "ages": new.ages,
    }


def payload_bytes(msg: dict[str, Any]) -> int:
    """The size of ``msg`` as JSON, as it travels."""
    return _size(msg)
