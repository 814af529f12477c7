"""The map page's date layer as a small Streamlit component: per slider step it sends only
what changed since the frame this browser holds (render/timelayer.py), and draws it into the
streamlit-folium map, which itself stays the same from step to step (sent once, then only
referred to by Streamlit's message cache)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components
from streamlit.runtime.scriptrunner import get_script_run_ctx

from controlmap.render import timelayer
from controlmap.render.timelayer import Frame

_component = components.declare_component(
    "controlmap_timelayer",
    path=str(Path(str(files("controlmap.ui") / "components" / "timelayer"))),
)
AHEAD_MAX_VERTICES = 50_000  # no steps sent ahead of a frame larger than this
_HELD = "_cm_timelayer_held"  # per session: the frame the browser holds, and the last message


def show(
    frame: Frame,
    *,
    day: str,
    ahead: dict[str, Frame] | None = None,
    watch: str | None = None,
    key: str = "timelayer",
    on_drawn: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Draw ``frame`` (the map on ``day``) on the page's map; returns the message sent (for
    tests and the bench). ``on_drawn`` is called (as a widget callback) when the browser says
    it drew a frame.

    ``ahead``: frames of the dates a reader may step to next, sent as edits of this one. The
    browser draws one the moment the slider (the element matching the CSS selector ``watch``)
    shows its date, without waiting for the server; the next run then only confirms it. A
    date whose frame is the one the browser held before this one is sent as "prior": the
    browser still has it, so stepping back costs no bytes either."""
    if ahead and _vertices(frame) > AHEAD_MAX_VERTICES:
        # A date of thousands of areas: an edit of it is tens of KB and takes the server a
        # while to write; two of them ahead would cost every step more than they save.
        ahead = {}
    # One dict per session, changed in place and only once the message is on its way: a run
    # is stopped (by the reader's next step, or the browser's report of a frame drawn) at
    # any Streamlit call, so a frame written down before the call that sends it may never
    # leave, and the next message would then be made as an edit of a frame the browser never
    # got. Nothing between that call and the update below can stop the run.
    box: dict[str, Any] = st.session_state.setdefault(_HELD, {})
    held: dict[str, Any] | None = box or None
    value = st.session_state.get(key)
    # A request for the whole frame: the frame number the page could not apply, and a mark
    # that makes a second request for the same number a new one (after a script error).
    wants = (
        (value["resync"], value.get("again"))
        if isinstance(value, dict) and "resync" in value
        else None
    )
    # The steps ahead that are not this frame itself.
    steps = {d: f for d, f in (ahead or {}).items() if f is not frame and d != day}
    # Not on the page in the previous run: a new component starts with nothing drawn.
    fresh = key not in st.session_state
    resync = wants is not None and (held is None or wants != held["resynced"])
    sent: dict[str, Any] | None = None  # what the browser holds once this message is sent
    if held is not None and not fresh and not resync and held["frame"] is frame:
        msg = held["msg"]  # nothing changed: the same message, which the browser skips
        if steps.keys() != held["ahead"].keys():
            # Dates prepared since: the same frame, with the steps now ready given ahead. When
            # the browser said it drew this frame, its items do not travel again (it skips a
            # frame it holds); otherwise they go along, in case the first message never left.
            msg = {**msg, "ahead": _edits(frame, held["base"], steps)}
            if isinstance(value, dict) and value.get("drawn") == held["seq"]:
                msg = {**msg, "items": None, "ages": None}
            sent = {**held, "msg": msg, "ahead": steps}
    else:
        base = None if held is None or fresh or resync else held["frame"]
        seq = held["seq"] + 1 if held is not None else 0
        if base is not None and held is not None and held["ahead"].get(day) is frame:
            # The browser was given this step with the last message: it may have drawn it
            # already; this says it is right (or to draw it now).
            msg = {"seq": seq, "base": held["seq"], "items": None, "ages": None}
        else:
            msg = timelayer.message(base, frame, seq=seq, base_seq=held["seq"] if held else -1)
        msg["day"] = day
        msg["watch"] = watch
        # Only a frame sent by a run of part of the page is reported drawn: a run of the
        # whole page drew the tables that follow the frame itself, and a report sent as the
        # map first shows is one the reader's click on another page can overtake.
        msg["report"] = _part_run()
        msg["ahead"] = _edits(frame, base, steps)
        sent = {
            "seq": seq,
            "frame": frame,
            "base": base,
            "msg": msg,
            "ahead": steps,
            "resynced": wants if resync else (held or {}).get("resynced"),
        }

    def reported() -> None:
        value = st.session_state.get(key)
        if on_drawn is not None and isinstance(value, dict) and "drawn" in value:
            on_drawn()

    _component(msg=msg, key=key, default=None, on_change=reported)
    if sent is not None:
        box.clear()
        box.update(sent)
    return msg


def sent_day() -> str | None:
    """The date of the last frame sent to this session's browser (None: none yet)."""
    held = st.session_state.get(_HELD)
    return held["msg"]["day"] if held else None


def drawn_last(key: str = "timelayer") -> bool:
    """Whether the browser's last report is of the last frame sent. A frame sent is not yet
    a frame received: Streamlit drops the messages of a part of the page still waiting to
    leave when a new run of that part starts, as the run a report starts does."""
    held = st.session_state.get(_HELD)
    value = st.session_state.get(key)
    return not held or (isinstance(value, dict) and value.get("drawn") == held["seq"])


def _part_run() -> bool:
    """Whether this script run draws only part of the page (fragments)."""
    ctx = get_script_run_ctx()
    return ctx is not None and bool(ctx.fragment_ids_this_run)


def _edits(frame: Frame, prior: Frame | None, ahead: dict[str, Frame]) -> dict[str, Any]:
    """The steps ``ahead`` as edits of ``frame``; "prior" for the frame the browser held
    before ``frame`` (it still has it)."""
    return {
        day: "prior"
        if prior is not None and other is prior
        else {"items": timelayer.changes(frame, other), "ages": other.ages}
        for day, other in ahead.items()
    }


def _vertices(frame: Frame) -> int:
    """How many vertices ``frame`` draws (each ring is int32 pairs)."""
    return sum(len(ring) for item in frame.items for ring in item.rings) // 8
