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

from controlmap.render import timelayer
from controlmap.render.timelayer import Frame

_component = components.declare_component(
    "controlmap_timelayer",
    path=str(Path(str(files("controlmap.ui") / "components" / "timelayer"))),
)
_HELD = "_cm_timelayer_held"  # per session: the frame the browser holds, and the last message


def show(
    frame: Frame, *, key: str = "timelayer", on_drawn: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Draw ``frame`` on the page's map; returns the message sent (for tests and the bench).
    ``on_drawn`` is called (as a widget callback) when the browser says it drew a frame."""
    held: dict[str, Any] | None = st.session_state.get(_HELD)
    value = st.session_state.get(key)
    wants = value.get("resync") if isinstance(value, dict) else None
    # Not on the page in the previous run: a new component starts with nothing drawn.
    fresh = key not in st.session_state
    resync = wants is not None and (held is None or wants != held["resynced"])
    if held is not None and not fresh and not resync and held["frame"] is frame:
        msg = held["msg"]  # nothing changed: the same message, which the browser skips
    else:
        base = None if held is None or fresh or resync else held["frame"]
        seq = held["seq"] + 1 if held is not None else 0
        msg = timelayer.message(base, frame, seq=seq, base_seq=held["seq"] if held else -1)
        st.session_state[_HELD] = {
            "seq": seq,
            "frame": frame,
            "msg": msg,
            "resynced": wants if resync else (held or {}).get("resynced"),
        }

    def reported() -> None:
        value = st.session_state.get(key)
        if on_drawn is not None and isinstance(value, dict) and "drawn" in value:
            on_drawn()

    _component(msg=msg, key=key, default=None, on_change=reported)
    return msg
