"""How pieces look: solid for control, hatched for partial, cross-hatched for contested,
faded and dashed for stale evidence, dotted outlines for unconfirmed claims."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controlmap.model import Actor
from controlmap.render import safe

CONTESTED_COLOUR = "#444444"
UNCLAIMED_FILL = "#ffffff"
_ID_SAFE = re.compile(r"[^a-z0-9-]")


@dataclass(frozen=True)
class Look:
    """Display settings the analyst can change."""

    stale_days: int = 180
    fade_stale: bool = True


def pattern_id(actor: str, under: str | None) -> str:
    """The SVG pattern for ``actor``'s partial hold over ``under`` (None: nobody)."""
    return "cm-hatch-" + _ID_SAFE.sub("", actor) + "--" + _ID_SAFE.sub("", under or "none")


def piece_style(props: dict[str, Any], colours: dict[str, str], look: Look) -> dict[str, Any]:
    """Leaflet path options for one resolved piece (from its state properties)."""
    colour = colours.get(props["actor"], "#999999")
    stale = look.fade_stale and props["evidence_age_days"] > look.stale_days
    style: dict[str, Any] = {
        "color": colour,
        "weight": 2,
        "opacity": 0.9,
        "fillColor": colour,
        "fillOpacity": 0.55,
    }
    if props["status"] == "contested":
        style.update(color=CONTESTED_COLOUR, fillColor=CONTESTED_COLOUR, className="cm-contested")
        style["fillOpacity"] = 0.9
    elif props["partial"]:
        # className survives into the SVG path because Leaflet reads it when the layer is
        # added; the CSS rule for it fills the path with the actor's stripes.
        style["className"] = "cm-partial " + pattern_id(props["actor"], props["previous"])
        style["fillOpacity"] = 0.9
    if props["confidence"] == "claimed":
        style["dashArray"] = "2 4"
    if stale:
        style["fillOpacity"] = style["fillOpacity"] * 0.45
        style["opacity"] = 0.5
        style["dashArray"] = style.get("dashArray", "6 4")
    return style


def marker_style(props: dict[str, Any], colours: dict[str, str], look: Look) -> dict[str, Any]:
    """The dot drawn on small pieces: filled for full control, ring for partial, grey contested."""
    colour = colours.get(props["actor"], "#999999")
    stale = look.fade_stale and props["evidence_age_days"] > look.stale_days
    fill = colour
    if props["status"] == "contested":
        colour = fill = CONTESTED_COLOUR
    elif props["partial"]:
        fill = "#ffffff"
    return {
        "radius": 7 if not props["partial"] else 6,
        "color": colour,
        "weight": 3 if props["partial"] else 1.5,
        "opacity": 0.5 if stale else 1.0,
        "fillColor": fill,
        "fillOpacity": 0.5 if stale else 0.95,
        "dashArray": "2 3" if props["confidence"] == "claimed" else None,
    }


def svg_defs(actors: Sequence[Actor]) -> str:
    """Hatch patterns for every (actor over previous holder) pair, and the contested one."""
    colours = {a.id: a.colour for a in actors}
    parts = []
    for actor in actors:
        for under in [None, *colours]:
            if under == actor.id:
                continue
            back = colours.get(under or "", UNCLAIMED_FILL)
            back_opacity = 0.45 if under else 0.15
            parts.append(
                f'<pattern id="{pattern_id(actor.id, under)}" patternUnits="userSpaceOnUse" '
                f'width="10" height="10" patternTransform="rotate(45)">'
                f'<rect width="10" height="10" fill="{back}" fill-opacity="{back_opacity}"/>'
                f'<rect width="5" height="10" fill="{actor.colour}"/></pattern>'
            )
    parts.append(
        '<pattern id="cm-cross" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<rect width="8" height="8" fill="#ffffff" fill-opacity="0.5"/>'
        f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{CONTESTED_COLOUR}" stroke-width="1.6"/>'
        "</pattern>"
    )
    return (
        '<svg aria-hidden="true" width="0" height="0" style="position:absolute">'
        f"<defs>{''.join(parts)}</defs></svg>"
    )


def css(actors: Sequence[Actor]) -> str:
    rules = [
        f"path.{pattern_id(a.id, u)} {{ fill: url(#{pattern_id(a.id, u)}); }}"
        for a in actors
        for u in [None, *(b.id for b in actors)]
        if u != a.id
    ]
    rules.append("path.cm-contested { fill: url(#cm-cross); }")
    # Chrome draws a focus box around a clicked SVG path; the popup already shows the choice.
    rules.append("path.leaflet-interactive:focus { outline: none; }")
    rules.append(
        ".cm-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;"
        " font: 12px/1.35 system-ui, sans-serif; color: #222; box-shadow: 0 1px 4px #0004;"
        " max-width: 260px; }"
        " .cm-legend h4 { margin: 0 0 4px; font-size: 13px; }"
        " .cm-legend .sw { display: inline-block; width: 18px; height: 12px;"
        " vertical-align: middle; margin-right: 6px; border: 1px solid #555; }"
        " .cm-label { font: 600 12px system-ui, sans-serif; color: #222; white-space: nowrap;"
        " text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }"
        " .cm-dot { display: inline-block; width: 5px; height: 5px; border-radius: 50%;"
        " background: #555; margin: 0 6px 1px 0; vertical-align: middle; }"
        " .cm-popup { font: 13px/1.4 system-ui, sans-serif; max-width: 340px; }"
        # Sources are numbered in the text ([1]) to match the sources table: no list numbers.
        " .cm-popup ol { list-style: none; padding-left: 0; margin: 4px 0; }"
        " .cm-popup .ex { color: #444; font-style: italic; }"
    )
    return "<style>" + "\n".join(rules) + "</style>"


def legend_html(actors: Sequence[Actor], look: Look, title: str = "Control") -> str:
    rows = [f"<h4>{safe.text(title)}</h4>"]
    for a in actors:
        rows.append(
            f'<div><span class="sw" style="background:{a.colour};opacity:0.75"></span>'
            f"{safe.text(a.name)}</div>"
        )
    example = actors[0] if actors else None
    if example is not None:
        rows.append(
            '<div><svg class="sw" width="18" height="12"><rect width="18" height="12" '
            f'fill="url(#{pattern_id(example.id, None)})"/></svg>'
            "Partial control (most / part): stripes of the claimed actor over the earlier "
            "holder</div>"
        )
    rows.append(
        '<div><svg class="sw" width="18" height="12"><rect width="18" height="12" '
        'fill="url(#cm-cross)"/></svg>Contested</div>'
    )
    rows.append(
        '<div><span class="sw" style="border:2px dotted #333;background:none"></span>'
        "Unconfirmed claim (dotted edge)</div>"
    )
    if look.fade_stale:
        rows.append(
            '<div><span class="sw" style="border:1px dashed #666;background:#99999940"></span>'
            f"Faded: evidence over {look.stale_days} days old</div>"
        )
    return '<div class="cm-legend" role="region" aria-label="Legend">' + "".join(rows) + "</div>"
