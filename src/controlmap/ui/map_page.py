"""The map page: who held what on a date, on what evidence."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from controlmap import ui
from controlmap.model import ActorRegistry
from controlmap.render import basemap, layers, style, vendor
from controlmap.resolve import Piece
from controlmap.ui import timelayer

PLAY_SECONDS = 1.5
OFFLINE = "Offline basemap (bundled)"


def _parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _initial_state(dates: Sequence[dt.date], actor_ids: Sequence[str]) -> None:
    """On a session's first run, take the view from the URL query (a shared link)."""
    if "date" in st.session_state:
        return
    qp = st.query_params
    wanted = _parse_day(qp.get("date"))
    if qp.get("date") and wanted is None:
        # Link values are untrusted: never echoed, since toasts render Markdown (links, images).
        st.toast("Ignored the date in the link: it is not a YYYY-MM-DD date")
    st.session_state["date"] = (wanted or dates[-1]).isoformat()
    if qp.get("actors"):
        chosen = [a for a in qp.get("actors", "").split(",") if a in actor_ids]
        st.session_state["actors"] = chosen or list(actor_ids)
    else:
        st.session_state["actors"] = list(actor_ids)
    try:
        view = (float(qp["lat"]), float(qp["lon"]), int(qp["zoom"]))
        if -90 <= view[0] <= 90 and -180 <= view[1] <= 180 and 1 <= view[2] <= 18:
            st.session_state["initial_view"] = view
    except (KeyError, ValueError):
        pass
    st.session_state["claimed"] = qp.get("claimed", "1") != "0"
    st.session_state["fade"] = qp.get("fade", "1") != "0"
    stale = qp.get("stale", "")
    st.session_state["stale_days"] = (
        int(stale) if stale.isdigit() and 0 < int(stale) <= 3650 else 180
    )
    # The data version the link was made from, to warn if the data changed since.
    st.session_state["link_version"] = qp.get("v")


def _step(options: Sequence[str], delta: int) -> None:
    current = st.session_state["date"]
    i = options.index(current) if current in options else 0
    st.session_state["date"] = options[max(0, min(len(options) - 1, i + delta))]


def _date_controls(options: list[str]) -> None:
    prev_col, slider_col, next_col, play_col = st.columns(
        [1, 12, 1, 2], vertical_alignment="bottom"
    )
    prev_col.button(
        "◀",
        key="prev",
        help="Previous change",
        on_click=_step,
        args=(options, -1),
        disabled=st.session_state["date"] == options[0],
    )
    slider_col.select_slider(
        "Date (snaps to the dates where something changed)",
        options=options,
        key="date",
    )
    next_col.button(
        "▶",
        key="next",
        help="Next change",
        on_click=_step,
        args=(options, 1),
        disabled=st.session_state["date"] == options[-1],
    )
    play_col.toggle("Play", key="playing", help=f"Step through the changes every {PLAY_SECONDS} s")

    @st.fragment(run_every=PLAY_SECONDS if st.session_state.get("playing") else None)
    def _player() -> None:
        if not st.session_state.get("playing"):
            return
        now = time.monotonic()
        if now - st.session_state.get("_last_step", 0.0) < PLAY_SECONDS * 0.9:
            return
        st.session_state["_last_step"] = now
        current = st.session_state["date"]
        if current == options[-1]:
            st.session_state["playing"] = False
        else:
            _step(options, 1)
        st.rerun()

    _player()


def _sidebar(registry: ActorRegistry, actor_ids: list[str]) -> tuple[style.Look, bool, str]:
    sb = st.sidebar
    sb.header("Layers")
    sb.multiselect(
        "Actors",
        options=actor_ids,
        format_func=registry.name_of,
        key="actors",
    )
    include_claimed = sb.toggle(
        "Include unconfirmed claims",
        key="claimed",
        help="Claims made by one party and not independently confirmed (drawn with dotted edges)",
    )
    fade = sb.toggle("Fade stale evidence", key="fade")
    stale_days = sb.number_input(
        "Stale after (days)",
        min_value=1,
        max_value=3650,
        step=30,
        key="stale_days",
        disabled=not fade,
    )
    tiles = sb.radio(
        "Basemap",
        [OFFLINE, *basemap.ONLINE_TILES],
        key="tiles",
        help="Online tiles send requests to their provider; the bundled basemap sends none.",
    )
    return style.Look(stale_days=int(stale_days), fade_stale=fade), include_claimed, tiles


def _areas_table(pieces: Sequence[Piece], registry: ActorRegistry) -> pd.DataFrame:
    rows: dict[str, dict[str, float]] = {}
    for p in pieces:
        name = registry.name_of(p.actor)
        kind = (
            "contested" if p.status == "contested" else ("partial" if p.holding.partial else "full")
        )
        rows.setdefault(name, {"full": 0.0, "partial": 0.0, "contested": 0.0})[kind] += p.area_km2
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Actor"
    return table.rename(
        columns={"full": "Full control km²", "partial": "Partial km²", "contested": "Contested km²"}
    ).round(1)


def _sources_table(pieces: Sequence[Piece], registry: ActorRegistry) -> pd.DataFrame:
    numbered = layers.number_sources(pieces, registry)
    return pd.DataFrame(
        [
            {
                "#": n.number,
                "Title": n.citation.source.title,
                "Publisher": n.citation.source.publisher,
                "Published": n.citation.source.published or "",
                "Link": n.citation.source.url
                if layers.safe.is_web_link(n.citation.source.url)
                else None,
                "Excerpt": n.citation.excerpt,
                "Backs": ", ".join(n.actors),
            }
            for n in numbered
        ]
    )


def _settings_without_sidebar() -> tuple[style.Look, bool, str]:
    """Presentation mode shows no controls: the view comes from the link alone."""
    look = style.Look(
        stale_days=int(st.session_state["stale_days"]), fade_stale=st.session_state["fade"]
    )
    return look, bool(st.session_state["claimed"]), OFFLINE


def _version_warning(version: int) -> None:
    made = st.session_state.get("link_version")
    if made and made != str(version):
        # Only a plain number from the link is repeated: warnings render Markdown.
        was = f"data version {int(made)}" if made.isdigit() and len(made) < 12 else "other data"
        st.warning(
            f"This link was made from {was}; the data has changed since "
            f"(now version {version}), so the map may differ from what was shared."
        )


def _link(
    day: dt.date,
    shown: list[str],
    look: style.Look,
    include_claimed: bool,
    version: int,
    view: dict[str, str],
    present: bool,
) -> str:
    """A URL that reopens this exact view, stamped with the data version it shows."""
    query = {
        "date": day.isoformat(),
        "actors": ",".join(shown),
        "claimed": "1" if include_claimed else "0",
        "fade": "1" if look.fade_stale else "0",
        "stale": str(look.stale_days),
        **view,
        "v": str(version),
    }
    if present:
        query["present"] = "1"
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(query)}"


def _sources_table_view(pieces: Sequence[Piece], registry: ActorRegistry, key: str) -> None:
    st.dataframe(
        _sources_table(pieces, registry),
        hide_index=True,
        width="stretch",
        column_config={
            "#": st.column_config.NumberColumn(width="small"),
            "Link": st.column_config.LinkColumn(display_text="open"),
        },
        key=key,
    )


def _exports(url: str, version: int, day: dt.date, include_claimed: bool) -> None:
    """Download buttons; each file is made only when its button is pressed."""
    st.caption("Files of the map as shown on this date (claims files hold every approved claim).")
    kinds = [
        ("Picture (PNG, 1920x1080)", "png", f"controlmap-{day.isoformat()}.png"),
        ("Picture (PDF, A4)", "pdf", f"controlmap-{day.isoformat()}.pdf"),
        ("GeoPackage (QGIS)", "gpkg", f"controlmap-{day.isoformat()}.gpkg"),
        ("KML (Google Earth)", "kml", "controlmap-claims.kml"),
        ("CSV with WKT", "csv", "controlmap-claims.csv"),
        ("GeoJSON claims", "geojson", "controlmap-claims.geojson"),
        ("Standalone HTML map", "html", f"controlmap-{day.isoformat()}.html"),
    ]
    columns = st.columns(4)
    for i, (label, fmt, name) in enumerate(kinds):
        columns[i % 4].download_button(
            label,
            data=partial(ui.export_bytes, url, version, fmt, day, include_claimed),
            file_name=name,
            key=f"download_{fmt}",
            on_click="ignore",
        )


def render() -> None:
    vendor.use_local_assets()
    data = ui.current()
    url, version, registry, dates = data.url, data.version, data.registry, data.dates
    present = st.query_params.get("present") == "1"
    if not dates:
        st.title("Territorial control over time")
        st.info("No approved claims yet. Import a dataset with `controlmap import FILE`.")
        return
    used = data.used_actors
    actor_ids = [a.id for a in registry if a.id in used]
    _initial_state(dates, actor_ids)
    if "goto_date" in st.session_state:
        st.session_state["date"] = st.session_state.pop("goto_date")
    if present:
        look, include_claimed, tiles = _settings_without_sidebar()
    else:
        look, include_claimed, tiles = _sidebar(registry, actor_ids)
    _version_warning(version)

    options = sorted({d.isoformat() for d in dates} | {st.session_state["date"]})
    day = dt.date.fromisoformat(st.session_state["date"])
    if present:
        st.title(f"Territorial control as of {day.strftime('%d %B %Y').lstrip('0')}")
    else:
        st.title("Territorial control over time")
        _date_controls(options)
        day = dt.date.fromisoformat(st.session_state["date"])
    shown = list(st.session_state["actors"])

    with st.spinner(f"Resolving control on {day.isoformat()} ..."):
        pieces_all = ui.resolved(url, version, day, include_claimed)
        pieces = [p for p in pieces_all if p.actor in shown or set(shown) & set(p.holding.parties)]
        drawn = ui.frame(url, version, day, include_claimed, look, tuple(shown))

    if pieces:
        newest = max(p.since for p in pieces)
        oldest = min(p.since for p in pieces)
        st.caption(
            f"As of **{day.isoformat()}**: {len(pieces)} areas drawn; evidence dated "
            f"{oldest.isoformat()} to {newest.isoformat()}; data version {version}."
            + ("" if present else " Click an area for its sources.")
        )
    else:
        st.caption(f"As of **{day.isoformat()}**: no approved claim covers this date.")

    legend_actors = [a for a in registry if a.id in shown]
    if "initial_view" not in st.session_state:
        # No view in the link: open on what is drawn at the opening date, else on every claim.
        drawn_at_open = [p.geometry for p in pieces_all]
        bounds = tuple(shapely.total_bounds(drawn_at_open)) if drawn_at_open else data.extent
        st.session_state["initial_view"] = basemap.view_for(bounds)
    view = st.session_state["initial_view"]
    m = basemap.base_map(legend_actors, look, view=view, tiles=None if tiles == OFFLINE else tiles)
    # The map itself stays the same from step to step (Streamlit then sends only a reference
    # to it); the date layer travels on its own, and first, so a step shows without waiting
    # for the map to be made again on the server.
    map_slot = st.container()
    out: dict[str, Any] | None = None
    if vendor.assets_present():
        timelayer.show(drawn)
        with map_slot:
            out = st_folium(
                m,
                key="map",
                returned_objects=["center", "zoom"],
                use_container_width=True,
                height=760 if present else 620,
            )
    else:
        # Without Leaflet the map would be an empty frame: say what is missing and how to fix it.
        map_slot.error(f"The map cannot be drawn: {vendor.MISSING}")
    where: dict[str, str] = {}
    if out and out.get("center") and out.get("zoom"):
        where = {
            "lat": f"{out['center']['lat']:.4f}",
            "lon": f"{out['center']['lng']:.4f}",
            "zoom": str(out["zoom"]),
        }
    elif "initial_view" in st.session_state:
        lat, lon, zoom = st.session_state["initial_view"]
        where = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}", "zoom": str(zoom)}
    link = _link(day, shown, look, include_claimed, version, where, present)
    query = dict(parse_qsl(urlsplit(link).query))
    for key, value in query.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value

    if not present:
        i = options.index(day.isoformat())
        neighbours = [
            dt.date.fromisoformat(d) for d in options[i + 1 : i + 3] + options[max(0, i - 2) : i]
        ]
        ui.prefetch(url, version, neighbours, include_claimed, look, tuple(shown))

    if not pieces:
        return
    if present:
        st.subheader("Sources")
        _sources_table_view(pieces, registry, "sources")
        return
    sources_tab, area_tab, export_tab = st.tabs(["Sources", "Area by actor", "Export and link"])
    with sources_tab:
        # At scale the full list costs every slider step; it is one click away instead.
        if len(pieces) <= layers.DETAIL_LIMIT or st.toggle(
            f"List every source behind the {len(pieces):,} areas drawn", key="all_sources"
        ):
            _sources_table_view(pieces, registry, "sources")
    with area_tab:
        st.dataframe(_areas_table(pieces, registry), width="stretch")
    with export_tab:
        _exports(url, version, day, include_claimed)
        st.markdown("**Link to this view** (date, actors, filters, centre, zoom, data version)")
        st.code(link, language=None)
        st.markdown("**Presentation mode** (full-width map, no controls)")
        st.code(_link(day, shown, look, include_claimed, version, where, True), language=None)
