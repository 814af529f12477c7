"""Review: pending claims against the map at their date; approve, reject with a reason, edit."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any

import folium
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from controlmap import geo, ui, workflow
from controlmap.errors import ControlmapError
from controlmap.geometry import area_km2
from controlmap.model import EXTENTS, STATUSES, Actor, ActorRegistry, Claim
from controlmap.render import basemap, interaction, layers, safe, style, vendor
from controlmap.store import Store

PENDING_COLOUR = "#CC79A7"


def _act(action: str, claim_id: int, version: int) -> None:
    """Button callbacks: the version read when the page was drawn guards against conflicts."""
    store = ui.current().store
    user = ui.signed_in_user()
    try:
        if action == "approve":
            workflow.review(store, user, claim_id, decision="approved", expected_version=version)
            message = f"Claim {claim_id} approved: it is now on the map."
        elif action == "reject":
            reason = st.session_state.get(f"reason_{claim_id}", "")
            workflow.review(
                store, user, claim_id, decision="rejected", expected_version=version, why=reason
            )
            message = f"Claim {claim_id} rejected."
        else:
            claim = store.claim(claim_id)
            # replace() runs the same checks as any new claim.
            edited = dataclasses.replace(
                claim,
                status=st.session_state[f"e_status_{claim_id}"],
                extent=st.session_state[f"e_extent_{claim_id}"],
                observed_on=st.session_state[f"e_date_{claim_id}"],
                notes=st.session_state[f"e_notes_{claim_id}"],
            )
            workflow.edit(
                store,
                user,
                claim_id,
                edited,
                expected_version=version,
                why=st.session_state.get(f"e_why_{claim_id}", ""),
            )
            message = f"Claim {claim_id} edited (a new revision; the old one is kept)."
    except ControlmapError as exc:
        # The claim may have left the pending list: repeat what the reviewer typed, so
        # nothing is lost even when its widgets are gone.
        fields = {"reject": ("reason",), "edit": ("e_notes", "e_why")}.get(action, ())
        typed = {f: st.session_state.get(f"{f}_{claim_id}", "") for f in fields}
        kept = "; ".join(f"your {k}: {v!r}" for k, v in typed.items() if v)
        text = f"{exc}" + (f" ({kept})" if kept else "")
        # A missing reason is told by the reason field; other failures by the buttons.
        still_pending = any(c.id == claim_id for c in store.claims(("pending",)))
        where = action if still_pending else "actions"
        _say("error", text, where, claim_id)
    else:
        _say("success", message, "actions", claim_id)


def _say(kind: str, text: str, where: str, about: int) -> None:
    """Keep a decision's message for the next run, where it is shown by its control."""
    n = int(st.session_state.get("_review_n", 0)) + 1
    st.session_state["_review_n"] = n
    st.session_state["review_message"] = (kind, text, where, about, n)


def _act_on_actor(decision: str, proposal_id: int, name: str) -> None:
    """Button callback: approve or reject a proposed change to an existing actor."""
    store = ui.current().store
    reason = st.session_state.get(f"actor_reason_{proposal_id}", "")
    try:
        workflow.review_actor_change(
            store, ui.signed_in_user(), proposal_id, decision=decision, why=reason
        )
    except ControlmapError as exc:
        waiting = any(p["id"] == proposal_id for p in store.actor_proposals())
        where = ("actor_reject" if decision == "rejected" else "actor_approve") if waiting else ""
        kept = f" (your reason: {reason!r})" if reason and not waiting else ""
        _say("error", f"{exc}{kept}", where or "actor_actions", proposal_id)
    else:
        done = "approved: the map shows it now" if decision == "approved" else "rejected"
        _say("success", f"Change to {name} {done}.", "actor_actions", proposal_id)


_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _swatch(colour: str) -> str:
    shown = html.escape(colour)
    if not _COLOUR.fullmatch(colour):
        return shown
    return (
        f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{colour};'
        f'border:1px solid #555;vertical-align:middle;margin-right:0.3em"></span>{shown}'
    )


def _change_table(now: Actor | None, proposed: dict[str, Any]) -> str:
    """What would change, as HTML of escaped text: name and colour now and proposed, then
    the aliases added and dropped."""
    cell = 'style="text-align:left;padding:0.15rem 1.5rem 0.15rem 0;vertical-align:top"'
    rows = []
    for field, was, will, show in (
        ("Name", now.name if now else "", str(proposed.get("name", "")), html.escape),
        ("Colour", now.colour if now else "", str(proposed.get("colour", "")), _swatch),
    ):
        after = show(will) if will != was else "<i>unchanged</i>"
        rows.append(
            f"<tr><th {cell}>{field}</th><td {cell}>{show(was)}</td><td {cell}>{after}</td></tr>"
        )
    old_aliases = list(now.aliases) if now else []
    new_aliases = [str(a) for a in proposed.get("aliases") or []]
    lines = []
    for label, names in (
        ("Aliases added", [a for a in new_aliases if a not in old_aliases]),
        ("Aliases dropped", [a for a in old_aliases if a not in new_aliases]),
    ):
        if names:
            listed = html.escape(", ".join(names))
            lines.append(f'<p style="margin:0.3rem 0"><b>{label} ({len(names)}):</b> {listed}</p>')
    if not lines:
        lines.append('<p style="margin:0.3rem 0"><b>Aliases:</b> <i>unchanged</i></p>')
    return (
        '<table style="border-collapse:collapse;margin:0.2rem 0">'
        f"<tr><th {cell}></th><th {cell}>Now</th><th {cell}>Proposed</th></tr>"
        + "".join(rows)
        + "</table>"
        + "".join(lines)
    )


def _actor_changes(store: Store, registry: ActorRegistry, message: Any) -> bool:
    """Changes to existing actors proposed by pending files: who, what, approve or reject.
    False when there are none to show."""
    proposals = store.actor_proposals()
    decided = message and message[2].startswith("actor")
    if not proposals and not decided:
        return False
    st.subheader("Actor changes waiting for review")
    _message(message, "actor_actions")
    if not proposals:
        st.caption("No actor changes are waiting.")
        return True
    st.caption(
        "A pending file proposed these changes to actors on the public map. Approving one "
        "changes that actor's name, colour and aliases on every map at once."
    )
    for prop in proposals:
        pid, actor_id = int(prop["id"]), str(prop["actor_id"])
        now = registry.get(actor_id) if actor_id in registry else None
        name = now.name if now else actor_id
        with st.container(border=True, key=f"actor_change_{pid}"):
            why = f": {prop['why']}" if prop.get("why") else ""
            head = (
                f"<p style='margin:0'><b>{html.escape(name)}</b> ({html.escape(actor_id)}), "
                f"proposed by {html.escape(str(prop['proposed_by']))} on "
                f"{html.escape(str(prop['proposed_at'])[:10])}{html.escape(why)}</p>"
            )
            st.html(head + _change_table(now, prop["proposed"]))
            a, r = st.columns(2)
            a.button(
                "Approve change",
                key=f"actor_approve_{pid}",
                type="primary",
                on_click=_act_on_actor,
                args=("approved", pid, name),
            )
            with a:
                _message(message, "actor_approve", pid)
            r.text_input("Reason for rejecting this change", key=f"actor_reason_{pid}")
            with r:
                _message(message, "actor_reject", pid)
            r.button(
                "Reject change",
                key=f"actor_reject_{pid}",
                on_click=_act_on_actor,
                args=("rejected", pid, name),
            )
    return True


def _submitter(store: Store, claim_id: int) -> str:
    """Who submitted a claim: the author of its first revision."""
    history = store.revisions(claim_id)
    return str(history[0].get("who") or "") if history else ""


def _place(claim: Claim) -> str:
    return geo.place_name(claim.place_id) or "a drawn area"


def _summary(claim: Claim, registry: ActorRegistry, who: str) -> str:
    """One line a reviewer can choose from: what, where, when, by whom, how large."""
    return (
        f"{registry.name_of(claim.actor)}: {claim.status} ({claim.extent}) of {_place(claim)} "
        f"on {claim.observed_on.isoformat()}, by {who or 'unknown'}, "
        f"{area_km2(claim.geometry):,.0f} km² (claim {claim.id})"
    )


def _claim_table(claim: Claim, registry: ActorRegistry, who: str) -> pd.DataFrame:
    rows = {
        "Claim": claim.id,
        "Submitted by": who,
        "Actor": registry.name_of(claim.actor),
        "Status": claim.status,
        "Extent": claim.extent,
        "Date": f"{claim.observed_on.isoformat()} ({claim.date_precision})",
        "Confidence": claim.confidence,
        "Place": _place(claim),
        "Area": f"{area_km2(claim.geometry):,.1f} km²",
        "Notes": claim.notes,
        "Version": claim.version,
    }
    return pd.DataFrame({"Field": list(rows), "Value": [str(v) for v in rows.values()]})


def _citations(claim: Claim) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Title": c.source.title,
                "Publisher": c.source.publisher,
                "Published": c.source.published or "",
                "Link": c.source.url if safe.is_web_link(c.source.url) else None,
                "Excerpt": c.excerpt,
            }
            for c in claim.citations
        ]
    )


def _map(claim: Claim, url: str, version: int) -> None:
    registry = ui.registry(url, version)
    pieces = ui.resolved(url, version, claim.observed_on, True)
    look = style.Look()
    view = basemap.view_for(claim.geometry.bounds)
    m = basemap.base_map(list(registry), look, view=view, legend_title="Approved map")
    interaction.PageFriendly().add_to(m)
    group = layers.state_layer(pieces, registry, claim.observed_on, look)
    folium.GeoJson(
        shapely.geometry.mapping(claim.geometry),
        name="Pending claim",
        style_function=lambda _f: {
            "color": PENDING_COLOUR,
            "weight": 4,
            "dashArray": "8 6",
            "fillOpacity": 0.1,
            "fillColor": PENDING_COLOUR,
        },
        tooltip=safe.text(f"Pending claim {claim.id}: {_place(claim)}"),
    ).add_to(group)
    st_folium(
        m,
        key="review_map",
        feature_group_to_add=group,
        returned_objects=[],
        use_container_width=True,
        height=420,
    )
    st.caption(
        f"Dashed pink: the pending claim. Beneath: the approved map on "
        f"{claim.observed_on.isoformat()}."
    )


def _message(message: Any, where: str, claim_id: int | None = None) -> None:
    """Show the last decision's message if it belongs at ``where`` (for ``claim_id``)."""
    if not message:
        return
    kind, text, place, about, nonce = message
    if place != where or (claim_id is not None and about != claim_id):
        return
    # In view whatever the rerun did to the page above it (it may be shorter now).
    key = f"review_msg_{where}"
    with st.container(key=key):
        # Plain text: a message may repeat a name or a reason someone typed.
        if kind == "error":
            st.error(ui.plain(text), icon=":material/warning:")
        else:
            st.success(ui.plain(text), icon=":material/check_circle:")
    ui.bring_into_view(key, nonce)


def render() -> None:
    vendor.use_local_assets()
    ui.arrive("review")
    user = ui.account_box()
    st.title("Review pending claims")
    if user is None:
        st.info(ui.how_to_get_an_account(ui.current().store, "reviewer"))
        return
    if not user.can("reviewer"):
        st.info("Sign in with a reviewer account to review claims (sidebar).")
        return
    data = ui.current()
    url, store, version, registry = data.url, data.store, data.version, data.registry
    message = st.session_state.pop("review_message", None)
    if _actor_changes(store, registry, message):
        st.subheader("Claims waiting for review")
    pending = store.claims(("pending",))
    if not pending:
        _message(message, "actions")
        st.success("No claims are waiting for review.")
    else:
        by_id = {c.id: c for c in pending}
        who = {i: _submitter(store, i or 0) for i in by_id}
        chosen = st.selectbox(
            f"{len(pending)} pending",
            list(by_id),
            key="review_choice",
            format_func=lambda i: _summary(by_id[i], registry, who[i]),
        )
        claim = by_id[chosen]
        cid, cv = claim.id or 0, claim.version
        left, right = st.columns([2, 3])
        left.dataframe(_claim_table(claim, registry, who[chosen]), hide_index=True, width="stretch")
        right.dataframe(
            _citations(claim),
            hide_index=True,
            width="stretch",
            column_config={"Link": st.column_config.LinkColumn(display_text="open")},
        )
        _map(claim, url, version)
        a, r = st.columns(2)
        a.button(
            "Approve",
            key=f"approve_{cid}",
            type="primary",
            on_click=_act,
            args=("approve", cid, cv),
        )
        with a:
            # What the last decision did, by the buttons that made it.
            _message(message, "actions")
            _message(message, "approve", cid)
        r.text_input("Reason for rejecting", key=f"reason_{cid}", max_chars=2000)
        with r:
            _message(message, "reject", cid)
        r.button("Reject", key=f"reject_{cid}", on_click=_act, args=("reject", cid, cv))
        with st.expander("Edit this claim"):
            st.selectbox(
                "Status", STATUSES, index=STATUSES.index(claim.status), key=f"e_status_{cid}"
            )
            st.selectbox(
                "Extent", EXTENTS, index=EXTENTS.index(claim.extent), key=f"e_extent_{cid}"
            )
            st.date_input("Date", value=claim.observed_on, key=f"e_date_{cid}", format="YYYY-MM-DD")
            st.text_input("Notes", value=claim.notes, key=f"e_notes_{cid}")
            st.text_input("Why the edit", key=f"e_why_{cid}")
            _message(message, "edit", cid)
            st.button("Save edit", key=f"edit_{cid}", on_click=_act, args=("edit", cid, cv))
    st.subheader("Audit log")
    st.dataframe(pd.DataFrame(store.audit(200)), hide_index=True, width="stretch", key="audit")
