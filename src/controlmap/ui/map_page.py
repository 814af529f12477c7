"""The map page: who held what on a date, on what evidence."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import folium
import pandas as pd
import shapely
import streamlit as st
import streamlit_folium
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_folium import st_folium

from controlmap import ui
from controlmap.model import ActorRegistry
from controlmap.render import basemap, interaction, layers, style, vendor
from controlmap.render.timelayer import Frame
from controlmap.resolve import Piece
from controlmap.ui import timelayer
from controlmap.words import counted

PLAY_SECONDS = 1.5
# The Play timer looks this often whether a step is due, so steps keep to PLAY_SECONDS
# as long as the page draws in less than that.
PLAY_POLL_SECONDS = 0.25
# The date shown lives under a key of its own, not the slider's: Play, the step buttons and
# links from other pages change it, and Streamlit forbids changing a widget's value once the
# widget is on the page (the slider is re-synchronised from it before each draw).
DAY = ui.MAP_DAY
# Where the reader left the map (lat, lon, zoom) and what it showed (lon/lat bounds).
VIEW = "map_view"
BOUNDS = "map_bounds"
OFFLINE = "Offline basemap (bundled)"
SIDEBAR_KEYS = ("actors", "claimed", "fade", "stale_days", "tiles")
# The two parts of the page that rerun on their own: the date controls and map, and the
# tables under the map.
DATED = "map_dated"
TABLES = "map_tables"
# Whether the Play timer was set up ticking by the last run of the whole page.
_PLAYER_ON = "_player_on"
# The view a map made again opens on (where the reader left it), for the next draw only.
_REOPEN_AT = "_map_reopen_at"
# The view the map on screen was made with (kept until it is made again).
_OPENED_AT = "_map_opened_at"
# The date the last run showed: which way the reader is stepping.
_LAST_DAY = "_map_last_day"
_DRAWN_DAY = "_map_drawn_day"  # the date the date part last drew
# Presentation mode: no toolbar and less space above the title, so the map and its legend
# fit the screen.
PRESENT_CSS = (
    '<style>[data-testid="stMainBlockContainer"] { padding-top: 1.5rem !important; }'
    ' [data-testid="stHeader"] { display: none; }</style>'
)
# The map page: the title just under the toolbar, so the whole map, its scale bar and
# credits included, is on a 1440x900 screen without scrolling.
MAP_CSS = (
    '<style>[data-testid="stMainBlockContainer"] { padding-top: 3.75rem !important; }'
    " h1 { padding-top: 0.25rem !important; }</style>"
)
MAP_HEIGHT = 600
# The arguments st_folium last gave its component in this session, and what they were made of.
_MAP_ELEMENT = "_map_element"
_made = threading.local()


def _recording_component(**kwargs: Any) -> Any:
    """st_folium's component call, noting its arguments (per thread: one script run)."""
    _made.kwargs = kwargs
    assert _folium_component is not None  # installed only when there is one
    return _folium_component(**kwargs)


# st_folium renders the whole folium map on every call (its script, from a few dozen
# templates compiled each time: 20-60 ms); the map is the same from step to step, so the
# arguments it gave its component are kept and given again. Noting them is the only change
# to the call; the other pages' maps go through it unchanged.
# A streamlit-folium without this private name: the map is made on every run, as before.
_folium_component = getattr(streamlit_folium, "_component_func", None)
if _folium_component is not None:
    streamlit_folium._component_func = _recording_component


def _map_element(made: Callable[[], folium.Map], inputs: tuple[Any, ...], **options: Any) -> Any:
    """``st_folium(made(), **options)``, made again only when ``inputs`` (everything the map
    is made of) or ``options`` changed since the last run of this session."""
    same = (inputs, tuple(sorted(options.items())))
    kept = st.session_state.get(_MAP_ELEMENT)
    if kept is not None and kept[0] == same and _folium_component is not None:
        return _folium_component(**kept[1])
    _made.kwargs = None
    out = st_folium(made(), **options)
    if _made.kwargs is not None:
        st.session_state[_MAP_ELEMENT] = (same, _made.kwargs)
        _made.kwargs = None
    return out


def _parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _initial_state(dates: Sequence[dt.date], actor_ids: Sequence[str]) -> None:
    """On a session's first run, take the view from the URL query (a shared link)."""
    if DAY in st.session_state:
        return
    qp = st.query_params
    wanted = _parse_day(qp.get("date"))
    if qp.get("date") and wanted is None:
        # Link values are untrusted: never echoed, since toasts render Markdown (links, images).
        st.toast("Ignored the date in the link: it is not a YYYY-MM-DD date")
    st.session_state[DAY] = (wanted or dates[-1]).isoformat()
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


def _bounds(raw: object) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) from the bounds Leaflet reports, if usable."""
    try:
        sw, ne = raw["_southWest"], raw["_northEast"]  # type: ignore[index]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
    except (KeyError, TypeError, ValueError):
        return None
    return box if box[0] < box[2] and box[1] < box[3] else None


def _step(options: Sequence[str], delta: int) -> None:
    _stepped(st.session_state, options, delta)


def _stepped(state: MutableMapping[Any, Any], options: Sequence[str], delta: int) -> None:
    current = state[DAY]
    i = options.index(current) if current in options else 0
    state[DAY] = options[max(0, min(len(options) - 1, i + delta))]


def _left() -> bool:
    """Whether the reader opened another page since the map page was last drawn. The map's
    components report a moment after they are drawn (its view, a frame drawn), so a report
    can reach the server after the click that opens another page, and it runs as a run of
    the map page: the widget values it carries then all look changed, so every callback of
    the page fires. Acting on it would draw the map page again over the one chosen."""
    return not ui.showing("map")


def _slid() -> None:
    if _left():
        return
    st.session_state[DAY] = st.session_state["date_slider"]


def play_tick(state: MutableMapping[Any, Any], options: Sequence[str], now: float) -> bool:
    """One look of the Play timer at time ``now`` (seconds): step when a step is due, stop
    at the last date. True when the date changed or Play stopped (the page must redraw)."""
    if not state.get("playing"):
        return False
    due = state.get("_next_step")
    if due is None:
        # First look after Play was turned on: the first step comes one period later.
        state["_next_step"] = now + PLAY_SECONDS
        return False
    if now < due:
        return False
    # The next step is due one period after this one was due, not after it happened, so
    # the polling delay does not add up; after a stall (a slow page), start afresh.
    state["_next_step"] = due + PLAY_SECONDS if now - due < PLAY_SECONDS / 2 else now + PLAY_SECONDS
    if state[DAY] == options[-1]:
        state["playing"] = False
        state.pop("_next_step", None)
    else:
        _stepped(state, options, 1)
    return True


def _toggled() -> None:
    if _left():
        return
    st.session_state["playing"] = st.session_state["play_toggle"]
    st.session_state.pop("_next_step", None)
    # The toggle sits in the date part of the page, but the Play timer is set up by a run of
    # the whole page: from a callback, this makes the click's rerun one of the whole page.
    st.rerun()


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
        disabled=st.session_state[DAY] == options[0],
    )
    # Set only when it differs: a slider the reader moved is already there, and a slider
    # element without a value set is the same from step to step, so Streamlit sends a short
    # reference to it instead of its options (9 KB of dates on a 769-day history).
    if st.session_state.get("date_slider") != st.session_state[DAY]:
        st.session_state["date_slider"] = st.session_state[DAY]
    slider_col.select_slider(
        "Date (snaps to the dates where something changed)",
        options=options,
        key="date_slider",
        on_change=_slid,
    )
    next_col.button(
        "▶",
        key="next",
        help="Next change",
        on_click=_step,
        args=(options, 1),
        disabled=st.session_state[DAY] == options[-1],
    )
    # Like the date, "playing" is kept apart from its toggle: Play stops itself at the end.
    st.session_state["play_toggle"] = bool(st.session_state.get("playing"))
    play_col.toggle(
        "Play",
        key="play_toggle",
        help=f"Step through the changes, one every {PLAY_SECONDS} s (longer when the "
        "machine takes longer than that to draw a step)",
        on_change=_toggled,
    )


def _player(options: list[str]) -> None:
    """The Play timer: a part of the page that reruns on its own every PLAY_POLL_SECONDS
    while playing, and reruns the page when a step is due."""

    @st.fragment(run_every=PLAY_POLL_SECONDS if st.session_state[_PLAYER_ON] else None)
    def tick() -> None:
        if _left():
            return  # a last look of the timer, sent as the reader left the page
        # A step due before the next look waits for its time here, so it is not up to a
        # look late.
        wait = st.session_state.get("_next_step", 0.0) - time.monotonic()
        if st.session_state.get("playing") and 0 < wait < PLAY_POLL_SECONDS:
            time.sleep(wait)
        if play_tick(st.session_state, options, time.monotonic()):
            st.rerun()

    tick()


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
    st.caption(
        "Files of the map on this date (claims files hold every approved claim). The "
        "picture of what is on screen: **Download picture**, by the date controls."
    )
    kinds = [
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


def _picture(
    url: str,
    version: int,
    day: dt.date,
    include_claimed: bool,
    look: style.Look,
    shown: list[str],
) -> None:
    """Title, banner and a button for a picture of exactly what the map shows."""
    with st.popover("Download picture", icon=":material/image:", width="stretch"):
        title = st.text_input("Title", key="picture_title", max_chars=120)
        banner = st.text_input(
            "Banner (handling text, e.g. UNCLASSIFIED)", key="picture_banner", max_chars=120
        )
        fmt = st.radio(
            "Format",
            ["png", "pdf"],
            format_func={"png": "PNG, 1920x1080 (slides)", "pdf": "PDF, A4"}.get,
            key="picture_format",
            horizontal=True,
        )
        st.caption("Same date, actors, filters and extent as the map on screen.")
        wanted = (
            version,
            day,
            include_claimed,
            look,
            tuple(shown),
            st.session_state.get(BOUNDS),
            title,
            banner,
            fmt,
        )
        # Made on request, then offered as a file: a file made only when its button is
        # pressed goes stale if the page reran in between (a title just typed reruns it).
        if st.button("Make the picture", key="make_picture", type="primary"):
            st.session_state["picture_wanted"] = wanted
        if st.session_state.get("picture_wanted") != wanted:
            return
        picture = ui.picture_bytes(url, *wanted)
        st.download_button(
            "Download picture",
            data=picture,
            file_name=f"controlmap-{day.isoformat()}.{fmt}",
            mime="application/pdf" if fmt == "pdf" else "image/png",
            key="download_picture",
            on_click="ignore",
            type="primary",
        )


def _leave_presentation() -> None:
    del st.query_params["present"]


def render() -> None:
    vendor.use_local_assets()
    ui.page_style()
    came_from = ui.arrive("map")
    data = ui.current()
    registry, dates = data.registry, data.dates
    present = st.query_params.get("present") == "1"
    if not dates:
        st.title("Territorial control over time")
        st.info("No approved claims yet. Import a dataset with `controlmap import FILE`.")
        return
    used = data.used_actors
    actor_ids = [a.id for a in registry if a.id in used]
    _initial_state(dates, actor_ids)
    # Streamlit forgets the sidebar's widgets while another page is shown: put them back.
    ui.restore(SIDEBAR_KEYS)
    if "goto_date" in st.session_state:
        st.session_state[DAY] = st.session_state.pop("goto_date")
    if present:
        look, include_claimed, tiles = _settings_without_sidebar()
    else:
        look, include_claimed, tiles = _sidebar(registry, actor_ids)
        ui.keep(SIDEBAR_KEYS)
    _version_warning(data.version)

    options = sorted({d.isoformat() for d in dates} | {st.session_state[DAY]})
    if present:
        # No date controls in presentation mode: the date changes only by a new link.
        day = dt.date.fromisoformat(st.session_state[DAY])
        st.html(PRESENT_CSS)
        heading, leave = st.columns([5, 1], vertical_alignment="center")
        heading.header(f"Territorial control as of {day.strftime('%d %B %Y').lstrip('0')}")
        leave.button(
            "Leave presentation mode",
            key="leave_present",
            icon=":material/close:",
            on_click=_leave_presentation,
            width="stretch",
        )
    else:
        st.html(MAP_CSS)
        st.title("Territorial control over time")
    # A new legend or basemap makes a new map (its script changed), and so does coming back
    # from another page: it opens where the reader last left the map, not at the opening
    # view. Otherwise the view is left alone, so it never fights a reader's pan or zoom.
    identity = (tuple(st.session_state["actors"]), look, tiles)
    rebuilt = came_from != "map" or st.session_state.get("map_identity") != identity
    st.session_state["map_identity"] = identity
    st.session_state[_REOPEN_AT] = st.session_state.get(VIEW) if rebuilt else None
    st.session_state[_PLAYER_ON] = bool(st.session_state.get("playing")) and not present
    _dated(data.version, options, look, include_claimed, tiles, present)
    _tables(data.version, look, include_claimed, present)
    if not present:
        _player(options)


def _rerun_parts(scope: str | list[str]) -> None:
    """Rerun only these parts of the map page, when the request is itself a rerun of a part.
    A map's last change can reach the server with the click that leaves the page, or with a
    change that reruns the whole page: narrowing that run would lose the click (the reader
    stayed on the map) or the change; it draws a whole page anyway, so there is nothing to do."""
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run or _left():
        return
    try:
        st.rerun(scope=scope)
    except StreamlitAPIException:
        return


def _tables_follow() -> None:
    """The browser drew a new date (or the reader moved the map): bring the tables under the
    map (sources, areas, export and link) up to it. A widget callback: only that part reruns,
    unless the slider moved since the date part last ran. The browser sends every widget's
    value with the report, so a step the reader took meanwhile arrives with it, and rerunning
    only the tables would lose it (the map, caption and link stayed on the date before).
    The date layer must be on that date too, and drawn: a run of the date part stopped after
    it sent the layer leaves the map on a date the part never recorded, and a layer sent
    just before this report's run began may have been dropped unsent (timelayer.drawn_last);
    a run of the date part sends it again."""
    drawn = st.session_state.get(_DRAWN_DAY)
    day = st.session_state.get(DAY)
    if (
        drawn in (day, None)
        and timelayer.sent_day() in (day, None)
        and timelayer.drawn_last()
        and st.session_state.get("date_slider") in (drawn, None)
    ):
        _rerun_parts(TABLES)
    else:
        _rerun_parts([DATED, TABLES])


def _view_moved() -> None:
    """The reader panned or zoomed: the date part records the view, the link panel follows."""
    _rerun_parts([DATED, TABLES])


@st.fragment(key=DATED)
def _dated(
    version: int,
    options: list[str],
    look: style.Look,
    include_claimed: bool,
    tiles: str,
    present: bool,
) -> None:
    """The date controls and the map: a slider step reruns only this part (the sidebar, the
    title and the map element stay as they are in the browser). The tables under the map
    follow once the browser has drawn the new date (``_tables``): sent in the same run, the
    browser would lay them out before drawing the map."""
    if _left():
        return  # a report of the map's, arrived after the reader opened another page
    data = ui.current()
    if data.version != version:
        # The data changed since the page was drawn (another process wrote): redraw it all,
        # so the dates, actors and legend follow.
        st.rerun()
    url, registry = data.url, data.registry
    day = dt.date.fromisoformat(st.session_state[DAY])
    if not present:
        with st.container(key="date_controls"):
            _date_controls(options)
    shown = list(st.session_state["actors"])
    ready = ui.prepared(url, version, day, include_claimed, look, tuple(shown))
    with (
        contextlib.nullcontext()
        if ready
        else st.spinner(f"Resolving control on {day.isoformat()} ...")
    ):
        pieces = ui.shown(ui.resolved(url, version, day, include_claimed), tuple(shown))
        drawn = ui.frame(url, version, day, include_claimed, look, tuple(shown))

    if pieces:
        newest = max(p.since for p in pieces)
        oldest = min(p.since for p in pieces)
        about = (
            f"As of **{day.isoformat()}**: {counted(len(pieces), 'area')} drawn; evidence dated "
            + (
                oldest.isoformat()
                if oldest == newest
                else f"{oldest.isoformat()} to {newest.isoformat()}"
            )
            + f"; data version {version}."
            + ("" if present else " Click an area for its sources.")
        )
    else:
        about = f"As of **{day.isoformat()}**: no approved claim covers this date."
    if present:
        st.caption(about)
    else:
        with st.container(key="picture_row"):
            caption, picture = st.columns([4, 1], vertical_alignment="center")
            caption.caption(about)
            with picture:
                _picture(url, version, day, include_claimed, look, shown)

    legend_actors = [a for a in registry if a.id in shown]
    if "initial_view" not in st.session_state:
        # No view in the link: open on what is drawn at the opening date, else on every claim.
        drawn_at_open = [p.geometry for p in ui.resolved(url, version, day, include_claimed)]
        bounds = tuple(shapely.total_bounds(drawn_at_open)) if drawn_at_open else data.extent
        st.session_state["initial_view"] = basemap.view_for(bounds)
        # The browser then fits the box to its own screen, clear of the legend.
        st.session_state["initial_fit"] = bounds
    # A map made again opens where the reader left the last one, not at the opening view
    # and then moved (it would report the opening view first, and the link would follow it).
    kept = st.session_state.pop(_REOPEN_AT, None)
    if kept:
        st.session_state[_OPENED_AT] = kept
    view = st.session_state.get(_OPENED_AT) or st.session_state["initial_view"]
    fit = st.session_state.get("initial_fit")

    def made() -> folium.Map:
        m = basemap.base_map(
            legend_actors, look, view=view, tiles=None if tiles == OFFLINE else tiles
        )
        interaction.PageFriendly(fit=fit).add_to(m)
        return m

    # The map itself stays the same from step to step (Streamlit then sends only a reference
    # to it); the date layer travels on its own, and first, so a step shows without waiting
    # for the map to be made again on the server.
    map_slot = st.container()
    out: dict[str, Any] | None = None
    if vendor.assets_present():
        timelayer.show(
            drawn,
            day=day.isoformat(),
            ahead={} if present else _ahead(options, day, url, version, include_claimed, look),
            watch=".st-key-date_slider input[aria-valuetext]",
            on_drawn=_tables_follow,
        )
        with map_slot:
            out = _map_element(
                made,
                (version, tuple(legend_actors), look, view, tiles, fit),
                key="map",
                on_change=_view_moved,
                returned_objects=["center", "zoom", "bounds"],
                use_container_width=True,
                # Presentation mode: the map and its legend fit 1440x900 under the title.
                height=580 if present else MAP_HEIGHT,
                center=kept[:2] if kept else None,
                zoom=kept[2] if kept else None,
            )
    else:
        # Without Leaflet the map would be an empty frame: say what is missing and how to fix it.
        map_slot.error(f"The map cannot be drawn: {vendor.MISSING}")
    if out and out.get("center") and out.get("zoom"):
        st.session_state[VIEW] = (out["center"]["lat"], out["center"]["lng"], int(out["zoom"]))
        st.session_state[BOUNDS] = _bounds(out.get("bounds"))
    where: dict[str, str] = {}
    if VIEW in st.session_state or "initial_view" in st.session_state:
        lat, lon, zoom = st.session_state.get(VIEW) or st.session_state["initial_view"]
        where = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}", "zoom": str(zoom)}
    link = _link(day, shown, look, include_claimed, version, where, present)
    query = dict(parse_qsl(urlsplit(link).query))
    for key, value in query.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    # Only a run that got this far drew the day (a run cut short by the next request did not).
    st.session_state[_DRAWN_DAY] = day.isoformat()

    if not present:
        # The two dates on either side, nearest first, the way the reader last stepped first.
        i = options.index(day.isoformat())
        later, earlier = options[i + 1 : i + 3], options[max(0, i - 2) : i][::-1]
        backwards = st.session_state.get(_LAST_DAY, "") > day.isoformat()
        st.session_state[_LAST_DAY] = day.isoformat()
        ahead = earlier + later if backwards else later + earlier
        neighbours = [dt.date.fromisoformat(d) for d in ahead]
        ui.prefetch(url, version, neighbours, include_claimed, look, tuple(shown))


def _ahead(
    options: list[str],
    day: dt.date,
    url: str,
    version: int,
    include_claimed: bool,
    look: style.Look,
) -> dict[str, Frame]:
    """The layers of the dates one step either side, when they are ready (prepared in the
    background after the last step): the browser then draws a step without waiting for the
    server. A date not ready is not waited for; that step goes the usual way."""
    i = options.index(day.isoformat())
    shown = tuple(st.session_state["actors"])
    out: dict[str, Frame] = {}
    for other in options[max(0, i - 1) : i] + options[i + 1 : i + 2]:
        when = dt.date.fromisoformat(other)
        if ui.prepared(url, version, when, include_claimed, look, shown):
            out[other] = ui.frame(url, version, when, include_claimed, look, shown)
    return out


@st.fragment(key=TABLES)
def _tables(version: int, look: style.Look, include_claimed: bool, present: bool) -> None:
    """Sources, area by actor, export and link, for the date and view the map shows."""
    if _left():
        return  # as in _dated
    data = ui.current()
    if data.version != version:
        st.rerun()
    url, registry = data.url, data.registry
    day = dt.date.fromisoformat(st.session_state[DAY])
    shown = list(st.session_state["actors"])
    pieces = ui.shown(ui.resolved(url, version, day, include_claimed), tuple(shown))
    where: dict[str, str] = {}
    if VIEW in st.session_state or "initial_view" in st.session_state:
        lat, lon, zoom = st.session_state.get(VIEW) or st.session_state["initial_view"]
        where = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}", "zoom": str(zoom)}
    link = _link(day, shown, look, include_claimed, version, where, present)
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
            f"List every source behind the {counted(len(pieces), 'area')} drawn", key="all_sources"
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
