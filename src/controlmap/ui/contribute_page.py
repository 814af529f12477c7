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
from controlmap.render import basemap, interaction, style, vendor

_log = logging.getLogger(__name__)
AREA_SOURCES = ("Place footprint", "Draw on the map", "Upload GeoJSON")
DRAW_LEGEND = (
    '<div class="cm-legend"><h4>Area</h4>'
    '<div><span class="sw" style="background:#CC79A755;border-color:#CC79A7"></span>'
    "Footprint of the named place</div>"
    '<div><span class="sw" style="background:#3388ff55;border-color:#3388ff"></span>'
    "Your drawing</div></div>"
)
# Widgets whose values outlive a visit to another page (Streamlit drops the state of widgets
# that were not drawn; these are copied aside and put back). A file upload cannot be.
KEPT = (
    "r_title",
    "r_publisher",
    "r_url",
    "r_author",
    "r_published",
    "r_text",
    "choice",
    "f_actor",
    "f_status",
    "f_extent",
    "f_observed_on",
    "f_date_precision",
    "f_confidence",
    "f_place",
    "f_excerpt",
    "f_notes",
    "area_source",
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


def _fixed(*names: str) -> None:
    """A field was changed: its error no longer stands (the next submit checks again)."""
    errors = dict(st.session_state.get("form_errors", {}))
    for name in names:
        errors.pop(name, None)
    errors.pop("duplicate", None)
    st.session_state["form_errors"] = errors


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
    st.session_state["submit_presses"] = int(st.session_state.get("submit_presses", 0)) + 1
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
    twin = _near_duplicate(data, result.claim)
    signature = (result.claim.actor, result.claim.place_id, result.claim.observed_on)
    if twin is not None and st.session_state.get("duplicate_ok") != signature:
        st.session_state["duplicate_ok"] = signature
        st.session_state["form_errors"] = {
            "duplicate": (
                f"Claim {twin.id} ({twin.review_state}) already says {twin.actor} "
                f"{twin.status} of {values['place'] or 'this place'} on "
                f"{twin.observed_on.isoformat()}. Press Submit again to add this one anyway."
            )
        }
        return
    try:
        (cid,) = workflow.submit(store, ui.signed_in_user(), [result.claim])
    except ControlmapError as exc:
        st.session_state["form_errors"] = {"claim": str(exc)}
        return
    st.session_state.pop("duplicate_ok", None)
    st.session_state["form_errors"] = {}
    st.session_state["submitted"] = (cid, _label(values, registry))
    # The claim is in: the form starts afresh (the report stays, for its other claims).
    _choose(0)
    st.session_state["choice"] = 0
    st.session_state["drawings"] = None
    # A new drawing map: the old one would still hold the submitted shape.
    st.session_state["draw_round"] = int(st.session_state.get("draw_round", 0)) + 1


def _label(values: dict[str, Any], registry: Any) -> str:
    place = values.get("place") or "the drawn area"
    return (
        f"{registry.name_of(values['actor'])}: {values['status']} ({values['extent']}) of "
        f"{place} on {values['observed_on']}"
    )


def _near_duplicate(data: ui.Data, claim: Any) -> Any:
    """A pending or approved claim with the same actor, place and date, if there is one."""
    for other in data.store.claims(("pending", "approved")):
        if (
            other.actor == claim.actor
            and other.observed_on == claim.observed_on
            and (
                (claim.place_id and other.place_id == claim.place_id)
                or (not claim.place_id and other.geometry.equals(claim.geometry))
            )
        ):
            return other
    return None


def _problem(name: str) -> None:
    message = st.session_state.get("form_errors", {}).get(name)
    if message:
        st.error(message, icon=":material/warning:")


def _report_form() -> None:
    st.subheader("1. The report")
    st.session_state.setdefault("r_published", dt.date.today())
    with st.form("report_form", border=True):
        left, right = st.columns(2)
        left.text_input("Title", key="r_title", max_chars=300)
        right.text_input("Publisher", key="r_publisher", max_chars=200)
        left.text_input("Link (http or https)", key="r_url", max_chars=2000)
        right.text_input("Author", key="r_author", max_chars=200)
        left.date_input(
            "Published",
            key="r_published",
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
        on_change=_fixed,
        args=("actor",),
        index=None,
        placeholder="Choose an actor",
        format_func=registry.name_of,
    )
    with c1:
        _problem("actor")
    c2.selectbox("Status", STATUSES, key="f_status")
    c3.selectbox(
        "Extent",
        EXTENTS,
        key="f_extent",
        help="How much of the area the report covers",
        on_change=_fixed,
        args=("extent",),
    )
    with c3:
        _problem("extent")
    c1.date_input(
        "Date the statement is about",
        key="f_observed_on",
        on_change=_fixed,
        args=("observed_on",),
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
        "Place",
        key="f_place",
        help="A gazetteer name: its footprint is the default area",
        on_change=_fixed,
        args=("place", "geometry"),
    )
    _problem("place")
    st.text_area(
        "Excerpt (the sentence that says so)",
        key="f_excerpt",
        max_chars=5000,
        on_change=_fixed,
        args=("excerpt",),
    )
    _problem("excerpt")
    st.text_input("Notes", key="f_notes", max_chars=2000)
    for name in ("title", "url", "publisher", "published", "source", "claim"):
        _problem(name)


def _area_picker() -> None:
    st.subheader("3. The area")
    how = st.radio(
        "Area from",
        AREA_SOURCES,
        key="area_source",
        horizontal=True,
        on_change=_fixed,
        args=("geometry",),
    )
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
    # The map sits in a long form: the wheel scrolls the form, the scale bar stays above
    # the credits, as on the map page.
    interaction.PageFriendly().add_to(m)
    group = folium.FeatureGroup(name="Place footprint")
    if footprint is not None:
        # Shown whatever the area comes from, so a drawing can be made relative to it.
        chosen = how == AREA_SOURCES[0]
        folium.GeoJson(
            shapely.geometry.mapping(footprint),
            style_function=lambda _f, chosen=chosen: {
                "color": "#CC79A7",
                "weight": 3 if chosen else 2,
                "dashArray": None if chosen else "6 4",
                "fillOpacity": 0.15 if chosen else 0.05,
            },
            interactive=False,
        ).add_to(group)
    kept = st.session_state.get("drawings")
    if how == AREA_SOURCES[1] and kept:
        # A drawing made before a visit to another page: the new map starts empty.
        folium.GeoJson(
            {"type": "FeatureCollection", "features": kept},
            style_function=lambda _f: {"color": "#3388ff", "weight": 3, "fillOpacity": 0.2},
            interactive=False,
        ).add_to(group)
    out = st_folium(
        m,
        key=f"draw_map_{st.session_state.get('draw_round', 0)}",
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
            on_change=_fixed,
            args=("geometry",),
        )
    elif how == AREA_SOURCES[1]:
        # Kept for the submit callback, which runs before the map is drawn again, and for
        # coming back from another page (a new map returns nothing until drawn on).
        returned = (out or {}).get("all_drawings")
        if returned is not None and returned != kept:
            st.session_state["drawings"] = returned
            _fixed("geometry")
        try:
            drawn = forms.geometry_from_drawings(st.session_state.get("drawings"))
        except ControlmapError as exc:
            drawn = None
            st.session_state["form_errors"] = {
                **st.session_state.get("form_errors", {}),
                "geometry": str(exc).removeprefix("geometry: "),
            }
        if drawn is None:
            st.caption("Draw a polygon or rectangle with the tools at the top left of the map.")
        else:
            st.caption(f"Drawn area: {area_km2(drawn):,.1f} km²")
    _problem("geometry")


def render() -> None:
    vendor.use_local_assets()
    ui.arrive("contribute")
    user = ui.account_box()
    st.title("Contribute a claim")
    if user is None or not user.can("contributor"):
        st.info(
            ui.how_to_get_an_account(ui.current().store, "contributor")
            if user is None
            else f"Submitting claims needs a contributor account; yours is a {user.role}: "
            "ask an admin to change its role (Accounts page)."
        )
        return
    registry = ui.current().registry
    ui.restore(KEPT)
    # Kept now as well as at the end: a click on another page can cut this run short, and
    # what the reader typed came with the request that started it.
    ui.keep(KEPT)
    _report_form()
    _claim_form(registry)
    _area_picker()
    _submit_row()
    ui.keep(KEPT)


def _submit_row() -> None:
    """The button, with what happened right next to it."""
    st.button("Submit for review", key="submit_claim", type="primary", on_click=_submit)
    errors = st.session_state.get("form_errors") or {}
    submitted = st.session_state.get("submitted")
    if not (errors or submitted):
        return
    # In view after the press, even when the button sat at the bottom of the window.
    with st.container(key="submit_msg"):
        if errors.get("duplicate"):
            st.warning(errors["duplicate"], icon=":material/warning:")
        elif errors:
            st.error("The claim was not submitted: see the marked fields.")
        else:
            cid, label = st.session_state["submitted"]
            st.success(
                f"Claim {cid} ({label}) was submitted and is pending: a reviewer must approve "
                "it before it appears on the map. The form is cleared for the next claim."
            )
    ui.bring_into_view("submit_msg", st.session_state.get("submit_presses", 0))
