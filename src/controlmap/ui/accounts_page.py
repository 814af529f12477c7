"""Accounts: the first admin from the setup link, invitations, and roles (admins only)."""

from __future__ import annotations

import urllib.parse

import pandas as pd
import streamlit as st

from controlmap import auth, ui
from controlmap.auth import ROLES, User
from controlmap.errors import ControlmapError
from controlmap.store import Store

MESSAGE = "accounts_message"  # (kind, text, where): shown once, by the control that made it


def _say(kind: str, text: str, where: str) -> None:
    text = text[:1].upper() + text[1:]
    st.session_state[MESSAGE] = (kind, text, where, st.session_state.get("_accounts_n", 0) + 1)
    st.session_state["_accounts_n"] = st.session_state[MESSAGE][3]


def _message(message: object, where: str) -> None:
    if not isinstance(message, tuple) or message[2] != where:
        return
    kind, text, _where, nonce = message
    with st.container(key=f"accounts_msg_{where}"):
        (st.error if kind == "error" else st.success)(
            text, icon=":material/warning:" if kind == "error" else ":material/check_circle:"
        )
    ui.bring_into_view(f"accounts_msg_{where}", nonce)


def _link(**params: str) -> str:
    """A link to this page on the server the admin is using."""
    base = urllib.parse.urlsplit(st.context.url or "http://localhost:8501/")
    query = urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit((base.scheme, base.netloc, "/accounts", query, ""))


def _new_account_form(key: str, button: str) -> tuple[str, str] | None:
    """Name and password (typed twice); the pair when submitted and the two match."""
    with st.form(key, border=True):
        name = st.text_input("Name", key=f"{key}_name", autocomplete="username", max_chars=64)
        password, again = _password_twice("Password", f"{key}_password", f"{key}_again")
        if not st.form_submit_button(button, type="primary"):
            return None
    if password != again:
        st.error("The two passwords differ: type the same password twice. Nothing was saved.")
        return None
    return name.strip(), password


def _signed_in(store: Store, code: str, name: str, password: str, *, first: bool) -> None:
    """Make the account (first admin, or from an invitation) and sign this browser in."""
    try:
        if first:
            user = auth.create_first_admin(store, code, name, password)
        else:
            user = auth.accept_invitation(store, code, name, password)
    except ControlmapError as exc:
        st.error(ui.plain(f"{str(exc)[:1].upper()}{str(exc)[1:]}. Nothing was saved."))
        return
    st.query_params.clear()  # the code is used up: keep it out of the address bar
    _say("success", f"Welcome, {ui.plain(user.name)}: you are signed in as {user.role}.", "top")
    ui.sign_in_as(user)


def _setup(store: Store, code: str) -> None:
    if not auth.setup_code_valid(store, code):
        st.error(
            "This setup link is unknown or used, or has expired. If no admin exists yet, "
            "start `controlmap serve` again for a new link, or run "
            "`controlmap user add NAME --role admin`."
        )
        return
    st.subheader("Make the first admin")
    st.write(
        "This link was printed where `controlmap serve` runs. It works once: the account made "
        "here is the first admin, who can then invite everyone else."
    )
    made = _new_account_form("first_admin", "Create the admin account")
    if made:
        _signed_in(store, code, *made, first=True)


def _join(store: Store, code: str) -> None:
    offer = auth.invitation(store, code)
    if offer is None:
        st.error(
            "This invitation link is unknown, used, revoked or expired: ask an admin for a new one."
        )
        return
    st.subheader(f"You are invited to join as a {offer['role']}")
    st.write(
        f"Invited by {ui.plain(offer['created_by'])}. Choose a name and a password; the link "
        "then stops working."
    )
    made = _new_account_form("join", "Create my account")
    if made:
        _signed_in(store, code, *made, first=False)


def _people(store: Store, admin: User, message: object) -> None:
    st.subheader("People")
    users = auth.list_users(store)
    with st.container(key="account_list"):
        index = pd.Index([u.name for u in users], name="Name")
        st.table(pd.DataFrame({"Role": [u.role for u in users]}, index=index))
    names = [u.name for u in users]
    current = {u.name: u.role for u in users}
    left, right = st.columns(2)
    left.selectbox("Account", names, key="role_account")
    right.selectbox("New role", ROLES, key="role_new", index=ROLES.index("contributor"))
    if st.button("Change role", key="change_role"):
        name, role = st.session_state["role_account"], st.session_state["role_new"]
        try:
            if current.get(name) == role:
                raise ControlmapError(f"{name} is already a {role}: nothing to change")
            auth.set_role(store, admin, name, role)
        except ControlmapError as exc:
            _say("error", ui.plain(f"{exc}."), "roles")
        else:
            _say(
                "success",
                f"Role changed: {ui.plain(name)} is now a {role}; their open sessions ended.",
                "roles",
            )
        st.rerun()
    _message(message, "roles")


def _password_twice(label: str, key: str, again_key: str) -> tuple[str, str]:
    """A new password typed twice, inside a form: the field ``label`` and "``label`` again"."""
    first = st.text_input(
        label,
        type="password",
        key=key,
        autocomplete="new-password",
        help=f"At least {auth.MIN_PASSWORD} characters.",
    )
    again = st.text_input(
        f"{label} again", type="password", key=again_key, autocomplete="new-password"
    )
    return first, again


def _reset_password(store: Store, admin: User, message: object) -> None:
    """An admin sets a new password for someone who forgot theirs (never their own here)."""
    others = [u.name for u in auth.list_users(store) if u.name != admin.name]
    st.subheader("Set a forgotten password")
    _message(message, "reset")
    if not others:
        st.caption("No other account yet: make an invitation link below.")
        return
    with st.form("reset_password", border=True, clear_on_submit=True):
        name = st.selectbox("Account", others, key="reset_account")
        new, again = _password_twice("New password", "reset_new", "reset_again")
        if not st.form_submit_button("Set password"):
            st.caption(
                "For someone who forgot theirs: their sessions end, and you tell them the new "
                "password yourself. They can then change it under 'Your password'."
            )
            return
    if new != again:
        _say("error", "The two new passwords differ: nothing was changed.", "reset")
        st.rerun()
    try:
        auth.reset_password(store, admin, name, new)
    except ControlmapError as exc:
        _say("error", ui.plain(f"{exc}."), "reset")
    else:
        _say(
            "success",
            f"New password set for {ui.plain(name)}; their open sessions ended. Tell them the "
            "password yourself.",
            "reset",
        )
    st.rerun()


def _invitations(store: Store, admin: User, message: object) -> None:
    st.subheader("Invite someone")
    st.caption(
        f"An invitation link works once, for {auth.INVITE_SECONDS // 86400} days. Send it to "
        "the person yourself: whoever opens it chooses a name and password."
    )
    left, right = st.columns([3, 1])
    left.text_input("Who it is for", key="invite_note", max_chars=200, placeholder="a note")
    right.selectbox("Role", ROLES, key="invite_role", index=ROLES.index("contributor"))
    if st.button("Make an invitation link", key="make_invitation", type="primary"):
        note = st.session_state.get("invite_note", "").strip()
        role = st.session_state["invite_role"]
        try:
            if not note:
                raise ControlmapError("say who the invitation is for, so it can be told apart")
            code = auth.invite(store, admin, role, note=note)
        except ControlmapError as exc:
            _say("error", ui.plain(f"{exc}."), "invite")
            st.session_state.pop("invitation_link", None)
        else:
            st.session_state["invitation_link"] = (note, role, _link(invite=code))
            _say(
                "success",
                f"Invitation for {ui.plain(note)} ({role}) made: copy the link now.",
                "invite",
            )
        st.rerun()
    _message(message, "invite")
    made = st.session_state.get("invitation_link")
    if made:
        note, role, link = made
        st.caption(
            f"The link for {ui.plain(note)} ({role}); it is shown only here, until you make "
            "another:"
        )
        st.code(link, language=None, wrap_lines=True)

    st.subheader("Open invitations")
    _message(message, "revoke")
    with st.container(key="open_invitations"):
        _open_invitations(store, admin)


def _open_invitations(store: Store, admin: User) -> None:
    waiting = auth.open_invitations(store, admin)
    if not waiting:
        st.caption("None: every invitation was used, revoked or has expired.")
    for inv in waiting:
        with st.container(border=True, key=f"invitation_{inv['id'][:16]}"):
            text, button = st.columns([4, 1], vertical_alignment="center")
            text.text(
                f"{inv['note'] or '(no note)'}: {inv['role']}, made by {inv['created_by']}, "
                f"works until {inv['expires'].replace('T', ' ').removesuffix('+00:00')} UTC"
            )
            if button.button("Revoke", key=f"revoke_{inv['id'][:16]}"):
                try:
                    auth.revoke_invitation(store, admin, inv["id"])
                except ControlmapError as exc:
                    _say("error", ui.plain(f"{exc}."), "revoke")
                else:
                    _say(
                        "success",
                        f"Invitation revoked: {ui.plain(inv['note'])} can no longer join.",
                        "revoke",
                    )
                    made = st.session_state.get("invitation_link")
                    if made and made[0] == inv["note"] and made[1] == inv["role"]:
                        st.session_state.pop("invitation_link", None)
                st.rerun()


def _own_password(store: Store, user: User, message: object) -> None:
    """Any signed-in account changes its own password (the current one is asked first)."""
    st.subheader("Your password")
    _message(message, "password")
    with st.form("own_password", border=True, clear_on_submit=True):
        current = st.text_input(
            "Current password",
            type="password",
            key="own_password_current",
            autocomplete="current-password",
        )
        new, again = _password_twice("New password", "own_password_new", "own_password_again")
        if not st.form_submit_button("Change password"):
            st.caption(
                "A forgotten password is set anew by an admin on this page, or by someone with "
                "access to the server: `controlmap user add NAME --role ROLE`."
            )
            return
    if new != again:
        _say("error", "The two new passwords differ: nothing was changed.", "password")
        st.rerun()
    try:
        changed = auth.change_password(store, user, current, new, address=ui.client_address())
    except ControlmapError as exc:
        _say("error", ui.plain(f"{exc}."), "password")
        st.rerun()
    _say(
        "success",
        "Password changed. Every other session of this account has ended; this one goes on.",
        "password",
    )
    ui.sign_in_as(changed)


def render() -> None:
    ui.arrive("accounts")
    user = ui.account_box()
    st.title("Accounts")
    store = ui.current().store
    message = st.session_state.pop(MESSAGE, None)
    _message(message, "top")
    invite, setup = st.query_params.get("invite"), st.query_params.get("setup")
    if invite:
        _join(store, invite)
        return
    if setup:
        _setup(store, setup)
        return
    if auth.needs_first_admin(store):
        st.info(ui.FIRST_RUN)
        return
    if user is None or not user.can("admin"):
        if user is None:
            st.info(ui.how_to_get_an_account(store, "admin"))
        else:
            st.info(
                f"You are signed in as {user.name} ({user.role}). Accounts are managed by "
                "admins: ask one to change your role."
            )
            _own_password(store, user, message)
        return
    _people(store, user, message)
    _reset_password(store, user, message)
    _invitations(store, user, message)
    _own_password(store, user, message)
