"""Contribute: paste a report, take a suggested claim, fix its area, cite, submit for review."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import folium
import folium.plugins
import shapely
import streamlit as st
from streamlit_folium import st_folium

from controlmap import forms, ui, workflow
from controlmap.errors import ControlmapError
from controlmap.extract import extract
from controlmap.geocode import geocode
from controlmap.geometry import area_km2
from controlmap.model import CONFIDENCES, EXTENTS, PRECISIONS, STATUSES
from controlmap.render import basemap, style, vendor

_log = logging.getLogger(__name__)
AREA_SOURCES = ("Place footprint", "Draw on the map", "Upload GeoJSON")
DRAW_LEGEND = (
    '<div class="cm-legend"><h4>Area</h4>'
    '<div><span class="sw" style="background:#CC79A755;border-color:#CC79A7"></span>'
    "Footprint of the named place</div>"
    '<div><span class="sw" style="background:#3388ff55;border-color:#3388ff"></span>'
    "Your drawing</div></div>"
)
FIELDS = (
    "actor",
    "status",
    "extent",
    "observed_on",
    "date_precision",
    "confidence",
    "place",
    "excerpt",
    "notes",
)


def _blank(report: dict[str, Any]) -> dict[str, Any]:
    published = report.get("published") or dt.date.today()
    return {
        "actor": None,
        "status": "control",
        "extent": "all",
        "date": published.isoformat(),
        "date_precision": "day",
        "confidence": "assessed",
        "place": "",
        "place_id": None,
        "excerpt": "",
        "geometry": None,
    }


def _choose(index: int) -> None:
    """Prefill the claim fields from suggestion ``index`` (0: a blank claim)."""
    suggestions = st.session_state.get("suggestions", [])
    report = st.session_state.get("report", {})
    s = suggestions[index - 1] if 0 < index <= len(suggestions) else _blank(report)
    st.session_state.update(
        f_actor=s["actor"],
        f_status=s["status"],
        f_extent=s["extent"],
        f_observed_on=dt.date.fromisoformat(s["date"]),
        f_date_precision=s["date_precision"],
        f_confidence=s["confidence"],
        f_place=s["place"],
        f_excerpt=s["excerpt"],
        f_notes="",
    )
    st.session_state["place_id"] = s["place_id"]
    st.session_state["form_errors"] = {}


def _on_choice() -> None:
    _choose(int(st.session_state["choice"]))


def _suggest() -> None:
    report = {
        k: st.session_state.get(f"r_{k}")
        for k in ("title", "publisher", "author", "url", "published", "text")
    }
    st.session_state["report"] = report
    try:
        found = extract(
            report["text"] or "",
            published=report["published"],
            url=report["url"] or None,
            title=report["title"] or None,
            publisher=report["publisher"] or None,
        )
    except ControlmapError as exc:
        st.session_state["report_error"] = str(exc)
        found = []
    else:
        st.session_state["report_error"] = ""
    st.session_state["suggestions"] = [s.to_dict() for s in found]
    st.session_state["choice"] = 1 if found else 0
    _choose(st.session_state["choice"])


def _place_footprint() -> tuple[Any, str | None]:
    """The footprint of the place named in the form (geocoded when the name was changed)."""
    name = (st.session_state.get("f_place") or "").strip()
    if not name:
        return None, None
    found = geocode(name, limit=5)
    if not found:
        return None, None
    # The suggestion's place when the name still stands for it, else the best match.
    place_id = st.session_state.get("place_id")
    chosen = next((c for c in found if c.place_id == place_id), found[0])
    return chosen.footprint, chosen.place_id


def _area() -> Any:
    how = st.session_state.get("area_source", AREA_SOURCES[0])
    if how == AREA_SOURCES[1]:
        return forms.geometry_from_drawings(st.session_state.get("drawings"))
    if how == AREA_SOURCES[2]:
        upload = st.session_state.get("upload")
        return forms.geometry_from_upload(upload.getvalue()) if upload is not None else None
    return _place_footprint()[0]


def _submit() -> None:
    """Runs before the page is drawn again, so problems appear next to their fields."""
    data = ui.current()
    store, registry = data.store, data.registry
    report = st.session_state.get("report") or {}
    errors: dict[str, str] = {}
    try:
        geometry = _area()
    except ControlmapError as exc:
        geometry, errors["geometry"] = None, str(exc).removeprefix("geometry: ")
    except Exception:  # the boundary: an upload may fail in ways no check foresaw
        _log.exception("reading the area of a contribution failed")
        geometry = None
        errors["geometry"] = "the area could not be read: check that the file is GeoJSON"
    place_geometry, place_id = _place_footprint()
    values = {k: st.session_state.get(f"f_{k}") for k in FIELDS}
    values.update({k: report.get(k) for k in ("title", "publisher", "author", "url", "published")})
    values["place_id"] = place_id
    result = forms.check_claim_form(values, geometry, registry, place_geometry=place_geometry)
    # A problem reading the area says more than the form's "no area".
    errors = {**result.errors, **errors}
    if errors or result.claim is None:
        st.session_state["form_errors"] = errors
        return
    try:
        (cid,) = workflow.submit(store, ui.signed_in_user(), [result.claim])
    except ControlmapError as exc:
        st.session_state["form_errors"] = {"claim": str(exc)}
        return
    st.session_state["form_errors"] = {}
    st.session_state["submitted"] = cid


def _problem(name: str) -> None:
    message = st.session_state.get("form_errors", {}).get(name)
    if message:
        st.error(message, icon="⚠️")


def _report_form() -> None:
    st.subheader("1. The report")
    with st.form("report_form", border=True):
        left, right = st.columns(2)
        left.text_input("Title", key="r_title", max_chars=300)
        right.text_input("Publisher", key="r_publisher", max_chars=200)
        left.text_input("Link (http or https)", key="r_url", max_chars=2000)
        right.text_input("Author", key="r_author", max_chars=200)
        left.date_input(
            "Published",
            key="r_published",
            value=dt.date.today(),
            min_value=dt.date(1900, 1, 1),
            max_value=dt.date.today(),
            format="YYYY-MM-DD",
        )
        st.text_area("Report text", key="r_text", height=200, max_chars=50_000)
        st.form_submit_button("Suggest claims", on_click=_suggest, type="primary")
    if st.session_state.get("report_error"):
        st.error(st.session_state["report_error"])


def _why(suggestions: list[dict[str, Any]], choice: int) -> None:
    """Why the chosen suggestion was made: its evidence, score and reasons (plain text only)."""
    if not 0 < choice <= len(suggestions):
        return
    s = suggestions[choice - 1]
    with st.expander(f"Why this was suggested (score {float(s.get('score', 0)):.2f})"):
        # report text is untrusted: st.text never renders it as Markdown or HTML
        st.text(f"Evidence: {s.get('evidence', '')}")
        st.text("\n".join(str(r) for r in s.get("reasons", [])))


def _claim_form(registry: Any) -> None:
    suggestions = st.session_state.get("suggestions", [])
    st.subheader("2. The claim")
    labels = ["A blank claim"] + [
        f"{s['actor']}: {s['status']} ({s['extent']}) of {s['place']} on {s['date']}"
        for s in suggestions
    ]
    if "choice" not in st.session_state:
        _choose(0)
    st.radio(
        f"{len(suggestions)} suggested from the report" if suggestions else "No suggestions yet",
        options=list(range(len(labels))),
        format_func=lambda i: labels[i],
        key="choice",
        on_change=_on_choice,
    )
    _why(suggestions, int(st.session_state.get("choice") or 0))
    ids = [a.id for a in registry]
    c1, c2, c3 = st.columns(3)
    c1.selectbox(
        "Actor",
        ids,
        key="f_actor",
        index=None,
        placeholder="Choose an actor",
        format_func=registry.name_of,
    )
    with c1:
        _problem("actor")
    c2.selectbox("Status", STATUSES, key="f_status")
    c3.selectbox("Extent", EXTENTS, key="f_extent", help="How much of the area the report covers")
    with c3:
        _problem("extent")
    c1.date_input(
        "Date the statement is about",
        key="f_observed_on",
        format="YYYY-MM-DD",
        min_value=dt.date(1900, 1, 1),
    )
    with c1:
        _problem("observed_on")
    c2.selectbox("Date precision", PRECISIONS, key="f_date_precision")
    c3.selectbox(
        "Confidence",
        CONFIDENCES,
        key="f_confidence",
        help="claimed: one party's claim, not independently confirmed",
    )
    st.text_input(
        "Place", key="f_place", help="A gazetteer name: its footprint is the default area"
    )
    st.text_area("Excerpt (the sentence that says so)", key="f_excerpt", max_chars=5000)
    _problem("excerpt")
    st.text_input("Notes", key="f_notes", max_chars=2000)
    for name in ("title", "url", "publisher", "published", "source", "claim"):
        _problem(name)


def _area_picker() -> None:
    st.subheader("3. The area")
    how = st.radio("Area from", AREA_SOURCES, key="area_source", horizontal=True)
    footprint, _ = _place_footprint()
    look = style.Look()
    view = basemap.view_for(ui.current().extent)
    if footprint is not None:
        c = footprint.representative_point()
        view = (c.y, c.x, 11)
    m = basemap.base_map([], look, view=view, legend=DRAW_LEGEND)
    folium.plugins.Draw(
        export=False,
        draw_options={
            "polyline": False,
            "circle": False,
            "marker": False,
            "circlemarker": False,
            "polygon": {"allowIntersection": False, "showArea": True},
            "rectangle": True,
        },
        edit_options={"edit": True, "remove": True},
    ).add_to(m)
    basemap.DrawSync().add_to(m)
    group = folium.FeatureGroup(name="Place footprint")
    if footprint is not None and how == AREA_SOURCES[0]:
        folium.GeoJson(
            shapely.geometry.mapping(footprint),
            style_function=lambda _f: {"color": "#CC79A7", "weight": 3, "fillOpacity": 0.15},
        ).add_to(group)
    out = st_folium(
        m,
        key="draw_map",
        feature_group_to_add=group,
        returned_objects=["all_drawings"],
        use_container_width=True,
        height=460,
    )
    if how == AREA_SOURCES[2]:
        st.file_uploader(
            "GeoJSON file (Polygon or MultiPolygon, lon/lat)",
            type=["geojson", "json"],
            key="upload",
        )
    elif how == AREA_SOURCES[1]:
        # Kept for the submit callback, which runs before the map is drawn again.
        st.session_state["drawings"] = (out or {}).get("all_drawings")
        drawn = forms.geometry_from_drawings(st.session_state["drawings"])
        if drawn is None:
            st.caption("Draw a polygon or rectangle with the tools at the top left of the map.")
        else:
            st.caption(f"Drawn area: {area_km2(drawn):,.1f} km²")
    _problem("geometry")


def render() -> None:
    vendor.use_local_assets()
    user = ui.account_box()
    st.title("Contribute a claim")
    if user is None or not user.can("contributor"):
        st.info(
            "Sign in with a contributor account to submit claims (sidebar). "
            "Accounts are made with `controlmap user add NAME --role contributor`."
        )
        return
    registry = ui.current().registry
    if st.session_state.get("submitted"):
        st.success(
            f"Claim {st.session_state['submitted']} was submitted. It is pending: a reviewer "
            "must approve it before it appears on the map."
        )
    _report_form()
    _claim_form(registry)
    _area_picker()
    st.button("Submit for review", key="submit_claim", type="primary", on_click=_submit)
    if st.session_state.get("form_errors"):
        st.error("The claim was not submitted: see the marked fields.")
