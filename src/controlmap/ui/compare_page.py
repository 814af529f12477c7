"""Compare two dates (what changed hands) and the area each actor held over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from controlmap import analysis, ui
from controlmap.geo import place_name
from controlmap.geometry import for_display
from controlmap.model import ActorRegistry
from controlmap.render import basemap, interaction, layers, popups, safe, style, vendor
from controlmap.ui import map_page
from controlmap.words import counted

UNCLAIMED = "#999999"
KINDS = {"full_km2": "full control", "partial_km2": "partial", "contested_km2": "contested"}


def _day(text: str | None, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else fallback
    except ValueError:
        return fallback


def _side(
    registry: ActorRegistry, actor: str | None, status: str | None, extent: str | None
) -> str:
    if actor is None:
        return "no claim"
    detail = status if extent in (None, "all") else f"{status}, {extent}"
    return f"{registry.name_of(actor)} ({detail})"


def _change_features(
    changes: list[analysis.Change], registry: ActorRegistry
) -> list[dict[str, Any]]:
    colours = {a.id: a.colour for a in registry}
    drawn = for_display([c.geometry for c in changes])
    features = []
    for i, (change, geom) in enumerate(zip(changes, drawn, strict=True)):
        places = ", ".join(place_name(p) for p in change.place_ids) or "this area"
        before = _side(registry, change.from_actor, change.from_status, change.from_extent)
        after = _side(registry, change.to_actor, change.to_status, change.to_extent)
        head = f"{places}: {before} → {after}"
        popup = popups.render(
            "change.j2", head=head, area_km2=change.area_km2, citations=change.sources
        )
        new = colours.get(change.to_actor or "", UNCLAIMED)
        old = colours.get(change.from_actor or "", UNCLAIMED)
        features.append(
            {
                "type": "Feature",
                "id": i,
                "geometry": shapely.geometry.mapping(geom),
                "properties": {
                    "actor": safe.text(change.to_actor or ""),
                    "status": change.to_status or "",
                    "extent": change.to_extent or "",
                    "since": "",
                    "tooltip": safe.text(head),
                    "popup": popup,
                    # Filled with the new holder, outlined (dashed) in the old one's colour.
                    "style": {
                        "color": old,
                        "weight": 3,
                        "dashArray": "6 4",
                        "fillColor": new,
                        "fillOpacity": 0.6,
                    },
                },
            }
        )
    return features


def _legend(registry: ActorRegistry, actors: set[str]) -> str:
    rows = [
        f'<div><span class="sw" style="background:{a.colour};opacity:0.75"></span>'
        f"{safe.text(a.name)}</div>"
        for a in registry
        if a.id in actors
    ]
    return (
        '<div class="cm-legend"><h4>Changed hands</h4>'
        "<div>Fill: the new holder; dashed edge: the previous one</div>"
        + "".join(rows)
        + f'<div><span class="sw" style="background:{UNCLAIMED}"></span>No claim</div></div>'
    )


def _balance_table(
    balances: dict[str, analysis.Balance],
    held1: dict[str, float],
    held2: dict[str, float],
    registry: ActorRegistry,
) -> pd.DataFrame:
    rows = []
    for actor in sorted(set(balances) | set(held1) | set(held2)):
        b = balances.get(actor)
        gained, lost = (b.gained_km2, b.lost_km2) if b else (0.0, 0.0)
        firmer, weaker = (b.consolidated_km2, b.weakened_km2) if b else (0.0, 0.0)
        before, after = held1.get(actor, 0.0), held2.get(actor, 0.0)
        rows.append(
            {
                "Actor": registry.name_of(actor),
                "Held at start km²": round(before, 1),
                "Gained km²": round(gained, 1),
                "Lost km²": round(lost, 1),
                "Net km²": round(gained - lost, 1),
                "Held at end km²": round(after, 1),
                "Partial → full km²": round(firmer, 1),
                "Full → partial km²": round(weaker, 1),
                # Gains minus losses must equal the change of area held: shown, not assumed.
                "Sums check": "✓" if abs((gained - lost) - (after - before)) < 0.05 else "✗",
            }
        )
    return pd.DataFrame(rows)


def _places_table(changes: list[analysis.Change], registry: ActorRegistry) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Place": ", ".join(place_name(p) for p in c.place_ids),
                "From": _side(registry, c.from_actor, c.from_status, c.from_extent),
                "To": _side(registry, c.to_actor, c.to_status, c.to_extent),
                "km²": round(c.area_km2, 1),
                "Sources": "; ".join(s.source.title for s in c.sources),
                "Link": next(
                    (s.source.url for s in c.sources if safe.is_web_link(s.source.url)), None
                ),
            }
            for c in changes
        ]
    )


def render() -> None:
    vendor.use_local_assets()
    ui.arrive("compare")
    data = ui.current()
    url, version, registry, dates = data.url, data.version, data.registry, data.dates
    st.title("Compare two dates")
    if len(dates) < 2:
        st.info("Comparing needs approved claims on at least two dates.")
        return
    qp = st.query_params
    if "cmp_from" not in st.session_state:
        # Without dates in the link, compare the map's date with the change before it.
        to = _day(qp.get("to"), _day(st.session_state.get(ui.MAP_DAY), dates[-1]))
        earlier = [d for d in dates if d < to]
        st.session_state["cmp_from"] = _day(qp.get("from"), earlier[-1] if earlier else dates[0])
        st.session_state["cmp_to"] = to
    left, right, third = st.columns([2, 2, 3], vertical_alignment="bottom")
    d1 = left.date_input("From", key="cmp_from", format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1))
    d2 = right.date_input("To", key="cmp_to", format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1))
    include_claimed = third.toggle("Include unconfirmed claims", value=True, key="cmp_claimed")
    qp["from"], qp["to"] = d1.isoformat(), d2.isoformat()
    if d2 < d1:
        st.error("'To' is before 'From': swap them to compare.")
        return
    with st.spinner("Comparing ..."):
        changes = ui.changes(url, version, d1, d2, include_claimed)
        held1 = analysis.held_km2(ui.resolved(url, version, d1, include_claimed))
        held2 = analysis.held_km2(ui.resolved(url, version, d2, include_claimed))
    moved = [c for c in changes if c.changed_hands]
    st.caption(
        f"{counted(len(changes), 'area')} changed between {d1.isoformat()} and {d2.isoformat()} "
        f"({len(moved):,} changed hands; the others changed status or extent)."
    )
    actors = {a for c in changes for a in (c.from_actor, c.to_actor) if a}
    # Open on what changed; with no change, on every claim.
    view = basemap.view_for(
        tuple(shapely.total_bounds([c.geometry for c in changes])) if changes else data.extent
    )
    m = basemap.base_map([], style.Look(), view=view, legend=_legend(registry, actors))
    # As on the map page: the wheel scrolls the page, the scale bar stays above the credits,
    # labels under the legend give way.
    interaction.PageFriendly().add_to(m)
    group = layers.feature_group(_change_features(changes, registry), [])
    st_folium(
        m,
        key="compare_map",
        feature_group_to_add=group,
        returned_objects=[],
        use_container_width=True,
        height=520,
    )
    st.subheader("Gains and losses")
    st.dataframe(
        _balance_table(analysis.gains_losses(changes), held1, held2, registry),
        hide_index=True,
        width="stretch",
        key="balances",
    )
    st.caption(
        "An actor holds every area drawn in its name, partial and contested included; "
        "ground that went from partial to full control under the same actor is not a gain "
        "but is counted under 'Partial → full'."
    )
    st.subheader("Places that changed")
    st.dataframe(
        _places_table(changes, registry),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn(display_text="open")},
        key="changed_places",
    )


def _picked() -> None:
    """A click on the chart: open the map at that date."""
    state = st.session_state.get("area_chart") or {}
    points = (state.get("selection") or {}).get("pick") or []
    if not points:
        return
    value = points[0].get("date")
    if isinstance(value, int | float):
        day = dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
    else:
        day = dt.date.fromisoformat(str(value)[:10])
    st.session_state["goto_date"] = day.isoformat()
    st.session_state["_open_map"] = True


def _chart(rows: list[analysis.StatRow], registry: ActorRegistry) -> alt.LayerChart:
    data = pd.DataFrame(
        [
            {"date": r.date.isoformat(), "actor": r.actor_name, "held as": KINDS[k], "km2": v}
            for r in rows
            for k, v in (
                ("full_km2", r.full_km2),
                ("partial_km2", r.partial_km2),
                ("contested_km2", r.contested_km2),
            )
        ]
    )
    active = data.groupby("actor")["km2"].transform("sum") > 0
    data = data[active]
    names = [a.name for a in registry if a.name in set(data["actor"])]
    colours = [a.colour for a in registry if a.name in set(data["actor"])]
    pick = alt.selection_point(name="pick", fields=["date"], on="click", nearest=True)
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="Date"),
        # Symlog: a town of 30 km² and a governorate of 138,000 km² on one chart.
        y=alt.Y(
            "km2:Q",
            title="Area held (km², symlog scale)",
            scale=alt.Scale(type="symlog"),
            axis=alt.Axis(values=[0, 10, 100, 1_000, 10_000, 100_000], format=",d"),
        ),
        color=alt.Color("actor:N", scale=alt.Scale(domain=names, range=colours), title="Actor"),
    )
    lines = base.mark_line(interpolate="step-after").encode(
        strokeDash=alt.StrokeDash("held as:N", title="Held as")
    )
    points = (
        base.mark_point(filled=True, size=45)
        .encode(
            shape=alt.Shape("held as:N", legend=None),
            tooltip=["date:T", "actor:N", "held as:N", alt.Tooltip("km2:Q", format=",.1f")],
        )
        .add_params(pick)
    )
    return alt.LayerChart(layer=[lines, points])


def render_trends() -> None:
    ui.arrive("trends")
    data = ui.current()
    url, version, registry = data.url, data.version, data.registry
    st.title("Area held over time")
    if st.session_state.pop("_open_map", False):
        st.switch_page(st.Page(map_page.render, title="Map", url_path="map", default=True))
    include_claimed = st.toggle("Include unconfirmed claims", value=True, key="trend_claimed")
    with st.spinner("Measuring every change date ..."):
        rows = ui.area_series(url, version, include_claimed)
    if not rows:
        st.info("No approved claims yet.")
        return
    st.altair_chart(
        _chart(rows, registry),
        key="area_chart",
        on_select=_picked,
        selection_mode="pick",
        width="stretch",
    )
    st.caption("Click a point to open the map at that date. Dashes: partial or contested.")
    st.subheader("Control changes")
    events = analysis.control_changes(data.claims, registry, include_claimed=include_claimed)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Date": e.date.isoformat(),
                    "Place": e.place,
                    "Actor": e.actor_name,
                    "Status": e.status,
                    "Extent": e.extent,
                    "Confidence": e.confidence,
                    "Source": "; ".join(c.source.title for c in e.citations),
                    "Link": next(
                        (c.source.url for c in e.citations if safe.is_web_link(c.source.url)), None
                    ),
                }
                for e in events
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn(display_text="open")},
        key="control_changes",
    )
