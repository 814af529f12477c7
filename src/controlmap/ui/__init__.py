"""Streamlit glue shared by the pages: cached handles and cached results keyed on inputs."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import logging
import re
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from controlmap import analysis, auth, dataset, export
from controlmap.auth import ROLES, User
from controlmap.errors import ControlmapError
from controlmap.model import Actor, ActorRegistry, Claim
from controlmap.render.layers import layer_features
from controlmap.render.style import Look
from controlmap.render.timelayer import Frame
from controlmap.render.timelayer import frame as make_frame
from controlmap.resolve import Piece, Resolver
from controlmap.store import Store, default_url

_log = logging.getLogger(__name__)

# Session keys shared by pages: the date the map shows (ISO), kept apart from its slider.
MAP_DAY = "day"


@st.cache_resource(show_spinner="Opening the database ...")
def store(url: str | None = None) -> Store:
    """One Store per URL and process; created (with the demo data) or upgraded on first use."""
    s = Store(url or default_url())
    if not s.is_current():
        dataset.init_store(s, demo=not s.is_initialised())
    return s


# Caches are keyed on the data version, which lives in the database: every process reads it
# once per rerun (one small query), so a write by another process (app or CLI) is drawn on
# the next rerun. The map of one date is keyed on the version at which *that date* last
# changed (``day_version``), so a claim from date D leaves the cached maps before D in place.


@st.cache_resource(max_entries=4, show_spinner="Loading claims ...")
def claims(url: str, data_version: int) -> list[Claim]:
    """Every approved claim: for exports and analysis over the whole history, not the map."""
    return store(url).claims()


@st.cache_resource(max_entries=4)
def registry(url: str, data_version: int) -> ActorRegistry:
    return store(url).actors()


@st.cache_resource(max_entries=4)
def used_actors(url: str, data_version: int) -> frozenset[str]:
    return frozenset(store(url).used_actors())


@st.cache_resource(max_entries=8)
def timeline_days(url: str, data_version: int, include_claimed: bool) -> list[tuple[dt.date, int]]:
    """The change dates with the data version at which each date's map last changed."""
    return store(url).timeline.days(include_claimed)


def dates(url: str, data_version: int) -> list[dt.date]:
    return [day for day, _ in timeline_days(url, data_version, True)]


def day_version(url: str, data_version: int, day: dt.date, include_claimed: bool) -> int:
    """The data version at which the map on ``day`` last changed (0: nothing drawn yet)."""
    days = timeline_days(url, data_version, include_claimed)
    i = bisect.bisect_right(days, (day, sys.maxsize))
    return days[i - 1][1] if i else 0


@st.cache_resource(max_entries=4, show_spinner=False)
def resolver(url: str, data_version: int, include_claimed: bool) -> Resolver:
    return Resolver(claims(url, data_version), include_claimed=include_claimed, checkpoint_every=50)


def resolved(url: str, data_version: int, day: dt.date, include_claimed: bool) -> list[Piece]:
    """The map on ``day``, read from the materialised timeline: no resolution in the app."""
    return _frame(url, day_version(url, data_version, day, include_claimed), day, include_claimed)


# The caches of dated results hold a bounded number of dates, so a process's memory does not
# grow with the length of the history a reader steps through (a date at 10,000 claims holds
# thousands of pieces: tens of MB). Enough for several sessions each with the dates on either
# side of theirs prepared (``prefetch``).
DATES_CACHED = 24


@st.cache_resource(max_entries=DATES_CACHED, show_spinner=False)
def _frame(url: str, day_version: int, day: dt.date, include_claimed: bool) -> list[Piece]:
    return store(url).timeline.frame(day, include_claimed=include_claimed)


def shown(pieces: list[Piece], actors: tuple[str, ...]) -> list[Piece]:
    """The pieces drawn when only ``actors`` are shown (a partial piece shows when either
    the claimed actor or the holder beneath is shown)."""
    wanted = set(actors)
    return [p for p in pieces if p.actor in wanted or wanted & set(p.holding.parties)]


def _drawn(
    url: str,
    day_version: int,
    registry_key: str,
    day: dt.date,
    include_claimed: bool,
    look: Look,
    actors: tuple[str, ...],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    # Not cached itself: the date layer made of it is (``_layer_frame``).
    wanted = set(actors)
    pieces = [
        p
        for p in _frame(url, day_version, day, include_claimed)
        if p.actor in wanted or wanted & set(p.holding.parties)
    ]
    return layer_features(pieces, _registry_of(registry_key), day, look)


def _registry_key(labels: ActorRegistry) -> str:
    return json.dumps([a.to_dict() for a in labels], sort_keys=True)


def _registry_of(key: str) -> ActorRegistry:
    return ActorRegistry(Actor(**{**a, "aliases": tuple(a["aliases"])}) for a in json.loads(key))


def frame(
    url: str,
    data_version: int,
    day: dt.date,
    include_claimed: bool,
    look: Look,
    actors: tuple[str, ...],
) -> Frame:
    """What the map's date layer draws on ``day``, ready to be sent as edits of another
    frame (render/timelayer.py)."""
    key = _frame_key(url, data_version, day, include_claimed, look, actors)
    made = _layer_frame(*key)
    with _READY_LOCK:
        _ready[key] = None
        _ready.move_to_end(key)
        while len(_ready) > DATES_CACHED:
            _ready.popitem(last=False)
    return made


def prepared(url: str, data_version: int, day: dt.date, *rest: Any) -> bool:
    """Whether ``frame`` with these arguments was made recently (the page then shows no
    spinner: on a busy machine starting one took tens of ms of a step)."""
    key = _frame_key(url, data_version, day, *rest)
    with _READY_LOCK:
        return key in _ready


def _frame_key(url: str, data_version: int, day: dt.date, *rest: Any) -> tuple[Any, ...]:
    """The arguments of ``_layer_frame`` for a date (``rest``: evidence, look, actors)."""
    version = day_version(url, data_version, day, rest[0])
    return (url, version, _registry_key(registry(url, data_version)), day, *rest)


# The keys of the date layers made last, as many as are cached (``prepared``).
_ready: OrderedDict[tuple[Any, ...], None] = OrderedDict()
_READY_LOCK = threading.Lock()


@st.cache_resource(max_entries=DATES_CACHED, show_spinner=False)
def _layer_frame(
    url: str,
    day_version: int,
    registry_key: str,
    day: dt.date,
    include_claimed: bool,
    look: Look,
    actors: tuple[str, ...],
) -> Frame:
    features, markers = _drawn(url, day_version, registry_key, day, include_claimed, look, actors)
    return make_frame(features, markers, day)


@st.cache_data(max_entries=8, show_spinner="Drawing the picture ...")
def picture_bytes(
    url: str,
    data_version: int,
    day: dt.date,
    include_claimed: bool,
    look: Look,
    actors: tuple[str, ...],
    extent: tuple[float, float, float, float] | None,
    title: str,
    banner: str,
    fmt: str,
) -> bytes:
    """The picture of what the map shows: the same date, actors, filters and extent."""
    from controlmap.render.image import render_image

    return render_image(
        shown(resolved(url, data_version, day, include_claimed), actors),
        registry(url, data_version),
        day,
        size="a4" if fmt == "pdf" else "1920x1080",
        title=title.strip() or None,
        banner=banner.strip() or None,
        data_version=data_version,
        fmt=fmt,
        look=look,
        extent=extent,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def changes(
    url: str, data_version: int, d1: dt.date, d2: dt.date, include_claimed: bool
) -> list[analysis.Change]:
    return analysis.diff(
        claims(url, data_version),
        d1,
        d2,
        include_claimed=include_claimed,
        resolver=resolver(url, data_version, include_claimed),
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def area_series(url: str, data_version: int, include_claimed: bool) -> list[analysis.StatRow]:
    """km^2 per actor on every change date (the chart of the trends page)."""
    return analysis.stats(
        claims(url, data_version),
        include_claimed=include_claimed,
        registry=registry(url, data_version),
        resolver=resolver(url, data_version, include_claimed),
    )


@st.cache_data(max_entries=16, show_spinner="Making the file ...")
def export_bytes(
    url: str, data_version: int, fmt: str, day: dt.date, include_claimed: bool
) -> bytes:
    """One export file as bytes (for a download button), made on demand and cached."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"controlmap.{fmt}"
        export.write(
            path,
            fmt,
            claims=claims(url, data_version),
            registry=registry(url, data_version),
            day=None if fmt in ("kml", "csv", "geojson") else day,
            include_claimed=include_claimed,
            data_version=data_version,
        )
        return path.read_bytes()


def prefetch(
    url: str,
    data_version: int,
    days: list[dt.date],
    include_claimed: bool,
    look: Look,
    actors: tuple[str, ...],
) -> None:
    """Prepare the neighbouring dates in the background, so a step of the slider or a Play
    tick finds them ready. One thread per process, started once, works through the latest
    request in its order: a reader who steps again before it is done is not kept waiting for
    dates behind (and no thread is started per step: on a busy machine that took 30 ms)."""
    global _wanted, _worker
    with _WANTED:
        _wanted = [(url, data_version, day, include_claimed, look, actors) for day in days]
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_prepare, name="controlmap-prefetch", daemon=True)
            add_script_run_ctx(_worker, get_script_run_ctx())
            _worker.start()
        _WANTED.notify()


def prefetched(timeout: float) -> bool:
    """Wait until the background preparation has nothing left to do (False: timed out)."""
    with _WANTED:
        return _WANTED.wait_for(lambda: not _wanted and not _working, timeout)


def _prepare() -> None:
    global _working
    while True:
        with _WANTED:
            _working = False
            _WANTED.notify_all()
            _WANTED.wait_for(lambda: bool(_wanted))
            job = _wanted.pop(0)
            _working = True
        try:
            frame(*job)
        except Exception:  # noqa: BLE001 - the page shows the error if it draws that date
            _log.exception("preparing the map of %s in the background failed", job[2])


_WANTED = threading.Condition()
_wanted: list[tuple[str, int, dt.date, bool, Look, tuple[str, ...]]] = []
_working = False
_worker: threading.Thread | None = None


def _sso_roles() -> dict[str, str] | None:
    """Roles by e-mail when single sign-on is configured in secrets.toml ([auth] for
    st.login, [controlmap.sso_roles] for roles), else None."""
    try:
        if "auth" not in st.secrets:
            return None
        roles = dict(st.secrets.get("controlmap", {}).get("sso_roles", {}))
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        return None
    return {str(k).lower(): str(v) for k, v in roles.items() if v in ROLES}


@dataclass(frozen=True)
class Data:
    """The database a page reads, at the data version of this run."""

    url: str
    store: Store
    version: int

    @property
    def registry(self) -> ActorRegistry:
        return registry(self.url, self.version)

    @property
    def dates(self) -> list[dt.date]:
        return dates(self.url, self.version)

    @property
    def claims(self) -> list[Claim]:
        return claims(self.url, self.version)

    @property
    def extent(self) -> tuple[float, float, float, float] | None:
        """The box around every approved claim: where a map opens with nothing else to fit."""
        return claims_extent(self.url, self.version)

    @property
    def used_actors(self) -> frozenset[str]:
        """Actors with approved claims (without loading the claims)."""
        return used_actors(self.url, self.version)


@st.cache_resource(max_entries=4)
def claims_extent(url: str, data_version: int) -> tuple[float, float, float, float] | None:
    # From the stored bounding boxes: the map page never loads the whole history.
    return store(url).claims_extent()


def current() -> Data:
    """What every page starts with: the configured database and its data version."""
    url = default_url()
    handle = store(url)
    return Data(url, handle, handle.data_version())


# Layout rules Streamlit has no option for (static text, never data).
PAGE_CSS = """<style>
.st-key-date_controls [data-testid="stHorizontalBlock"] { flex-wrap: nowrap !important; }
.st-key-date_controls [data-testid="stColumn"] { min-width: 0 !important; }
@media (max-width: 640px) {
  .st-key-date_controls [data-testid="stColumn"] {
    width: auto !important; flex: 0 0 auto !important; min-width: 0 !important;
  }
  .st-key-date_controls [data-testid="stColumn"]:nth-child(2) { flex: 1 1 0 !important; }
  .st-key-date_controls [data-testid="stWidgetLabel"] p { font-size: 0.75rem; }
  h1 { font-size: 1.6rem !important; padding: 0.25rem 0 !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem !important; }
}
</style>"""


def page_style() -> None:
    """Layout rules for the pages (one row of date controls on a phone, a compact top)."""
    st.html(PAGE_CSS)


def arrive(page: str) -> str | None:
    """Note that ``page`` is being drawn; returns the page drawn before it in this session.

    Coming from another page, the parts of that page that rerun on their own (fragments)
    are forgotten at once rather than at the end of this run: a report one of its components
    sends as the reader leaves (the map's view, a moment after the map is drawn) then finds
    no part to rerun and is dropped on arrival. Kept, it would run after this page as a run
    of the page left, and the browser, seeing another page's run, clears this one."""
    before = st.session_state.get("_page")
    st.session_state["_page"] = page
    if before is not None and before != page:
        _forget_fragments()
    return before if isinstance(before, str) else None


def _forget_fragments() -> None:
    """Drop the fragments earlier runs registered (Streamlit's own storage; a full run drops
    those it did not register when it ends). Only in a run of a whole page."""
    ctx = get_script_run_ctx()
    storage = getattr(ctx, "fragment_storage", None)
    if ctx is None or storage is None or ctx.fragment_ids_this_run:
        return
    shared = getattr(ctx, "shared", None)
    registered = getattr(shared, "new_fragment_ids", None)  # this run's, kept
    storage.clear(new_fragment_ids=frozenset(registered.snapshot()) if registered else None)


def restore(keys: Sequence[str]) -> None:
    """Put back the values of widgets ``keys`` as :func:`keep` saved them, for the widgets
    Streamlit forgot while another page was shown. Call before the widgets are drawn."""
    for key in keys:
        if key not in st.session_state and f"_kept_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"_kept_{key}"]


def showing(page: str) -> bool:
    """Whether ``page`` is the page this session last started drawing (:func:`arrive`)."""
    return st.session_state.get("_page") == page


def keep(keys: Sequence[str]) -> None:
    """Save the values of widgets ``keys`` where Streamlit does not drop them."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"_kept_{key}"] = st.session_state[key]


def signed_in_user() -> User | None:
    """The account signed in on this browser session: this session's sign-in, else the
    signed session cookie of an earlier one (a page reload), else single sign-on."""
    user = st.session_state.get("user")
    if isinstance(user, User):
        return user
    token = st.context.cookies.get(auth.COOKIE) if not st.session_state.get("signed_out") else None
    if token:
        found = auth.user_from_token(current().store, token)
        if found is not None:
            st.session_state["user"] = found
            return found
    roles = _sso_roles()
    if roles is not None and st.user.is_logged_in:
        email = str(st.user.get("email") or "").lower()
        # Unknown identities may read but not write: the role comes from the server's list.
        return User(email or "sso-user", roles.get(email, "viewer"))
    return None


def _cookie_script(value: str, max_age: int) -> None:
    """Set (or, with max_age 0, clear) the session cookie in the browser. The component's
    frame is same-origin with the app, so it can write the app's cookie."""
    import json

    import streamlit.components.v1 as components

    cookie = json.dumps(
        f"{auth.COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict"
    )  # the token is URL-safe base64 and dots: nothing to escape in a cookie
    components.html(
        "<script>"
        f"var c = {cookie};"
        "if (window.parent.location.protocol === 'https:') { c += '; Secure'; }"
        "window.parent.document.cookie = c;"
        "</script>",
        height=0,
    )


def account_box() -> User | None:
    """Sign-in form (or the signed-in name and a sign-out button) in the sidebar."""
    box = st.sidebar.container(border=True)
    user = signed_in_user()
    if user is not None:
        token = st.session_state.pop("set_cookie", None)
        if token:
            with box:
                _cookie_script(token, auth.SESSION_SECONDS)
        box.markdown(f"Signed in as **{user.name}** ({user.role})")
        if box.button("Sign out", key="sign_out"):
            if "user" in st.session_state:
                del st.session_state["user"]
                st.session_state["signed_out"] = True
                st.session_state["clear_cookie"] = True
                st.rerun()
            st.logout()
        return user
    if st.session_state.pop("clear_cookie", False):
        with box:
            _cookie_script("", 0)
    if _sso_roles() is not None and box.button("Sign in with single sign-on", key="sso"):
        st.login()
    with box.form("sign_in", clear_on_submit=False, border=False):
        st.markdown("**Sign in** to contribute or review")
        name = st.text_input("Name", key="sign_in_name", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="sign_in_password", autocomplete="current-password"
        )
        if st.form_submit_button("Sign in"):
            store = current().store
            try:
                found = auth.authenticate(store, name.strip(), password, address=client_address())
            except ControlmapError as exc:
                st.error(str(exc))
                return None
            if found is None:
                st.error("Unknown name or wrong password.")
            else:
                sign_in_as(found)
    return None


def client_address() -> str:
    """The browser's address as Streamlit reports it, for throttling guesses ("" if unknown)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def sign_in_as(user: User) -> None:
    """Sign this browser in as ``user`` (after a password was checked, or an account was
    just made with one) and rerun: the sidebar then writes the session cookie."""
    st.session_state["user"] = user
    st.session_state.pop("signed_out", None)
    st.session_state["set_cookie"] = auth.session_token(current().store, user)
    st.rerun()


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def plain(text: object) -> str:
    """``text`` (a name, a note: anything someone typed) escaped for Streamlit's Markdown,
    so it shows as typed and can never become a link, an image or formatting."""
    return _MARKDOWN.sub(r"\\\1", str(text))


FIRST_RUN = (
    "No admin yet: open the setup link printed where `controlmap serve` runs, or run "
    "`controlmap user add NAME --role admin`."
)


def how_to_get_an_account(store: Store, role: str) -> str:
    """What a signed-out visitor is told: how the first admin is made on a first run,
    else to ask an admin for an invitation."""
    if auth.needs_first_admin(store):
        return FIRST_RUN
    return (
        f"Sign in with a {role} account to do this (sidebar). No account yet? Ask an admin "
        "for an invitation link."
    )


def bring_into_view(key: str, nonce: object) -> None:
    """Scroll the element with ``key`` into view once this run has finished drawing (a
    message by the button that was clicked, whatever the rerun did to the page above it).
    ``nonce`` changes with each message, so the script runs again for a new one."""
    import streamlit.components.v1 as components

    target = json.dumps(f".st-key-{key}")
    components.html(
        "<script>"
        f"/* {json.dumps(str(nonce))} */"
        "const doc = window.parent.document;"
        "let tries = 0, settled = 0, reader = false;"
        # The reader's own wheel, touch, key or click ends the watch: never fight them.
        "const stop = () => { reader = true; };"
        "for (const t of ['wheel', 'touchstart', 'keydown', 'mousedown'])"
        "  doc.addEventListener(t, stop, {once: true, capture: true});"
        # So does any scroll it did not make once it has looked (a scrollbar dragged, a link
        # followed); its own scroll is let pass for a moment.
        "let looked = false, mine = 0;"
        "doc.addEventListener('scroll', () => {"
        "  if (looked && performance.now() > mine) reader = true;"
        "}, {capture: true, passive: true});"
        "const look = () => {"
        "  if (reader) return;"
        "  const busy = doc.querySelector('[data-testid=\"stStatusWidget\"]');"
        f"  const el = doc.querySelector({target});"
        "  if (el && !busy) {"
        "    const r = el.getBoundingClientRect();"
        "    const h = window.parent.innerHeight;"
        # Room below it too, for the button under a message.
        "    if (r.top < 0 || r.bottom > h - 100) {"
        "      mine = performance.now() + 300;"
        "      el.scrollIntoView({block: 'center'});"
        "    }"
        "    looked = true;"
        # Checked for three seconds after the run ended: a map or chart above it that is
        # still being laid out can push it down after the run is over.
        "    if (++settled > 30) return;"
        "  }"
        "  if (++tries < 300) setTimeout(look, 100);"
        "};"
        "look();"
        "</script>",
        height=0,
    )
