"""The map page under Streamlit's AppTest: what is drawn follows the date and the URL."""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from controlmap import dataset
from controlmap.store import Store
from tests.test_timelayer import Held

APP = str(Path(__file__).resolve().parents[1] / "src" / "controlmap" / "web" / "app.py")


@pytest.fixture
def app_db(db_url, make_claim, monkeypatch):
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    store.add_claims(
        [
            make_claim("iraq-gov", (43.7, 33.3, 43.85, 33.4), "2013-12-30"),
            make_claim("isil", (43.72, 33.32, 43.82, 33.38), "2014-01-02", extent="most"),
            make_claim("isil", (42.8, 33.6, 42.9, 33.7), "2014-10-13"),
        ],
        who="test",
    )
    monkeypatch.setenv("CONTROLMAP_DB", db_url)
    return db_url


def _components(at: AppTest, name: str) -> list:
    return [
        e
        for e in at.main
        if getattr(e, "type", None) == "component_instance" and name in e.proto.component_name
    ]


def _map(at: AppTest):
    (component,) = _components(at, "st_folium")
    return component, json.loads(component.proto.json_args)


def _layer_message(at: AppTest) -> dict:
    (component,) = _components(at, "timelayer")
    return json.loads(component.proto.json_args)["msg"]


# What each AppTest's "browser" holds. Keyed by the AppTest itself, weakly: a key of id(at)
# was reused by a later AppTest once the first was collected, which then started from the
# dead one's frame and drew its items twice.
_HELD: weakref.WeakKeyDictionary[AppTest, Held] = weakref.WeakKeyDictionary()


def _drawn(at: AppTest) -> str:
    """What a browser holding every earlier message of this session draws now (labels)."""
    held = _HELD.setdefault(at, Held())
    held.apply(_layer_message(at))
    assert not held.resync_asked
    return json.dumps([it["props"] for it in held.items], ensure_ascii=False)


def test_slider_moves_change_what_is_drawn(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    slider = at.select_slider(key="date_slider")
    assert slider.options == ["2013-12-30", "2014-01-02", "2014-10-13"]
    assert slider.value == "2014-10-13"  # opens on the newest change
    assert "cm-partial" in _drawn(at)  # ISIL's partial hold over Fallujah, hatched
    slider.set_value("2013-12-30").run()
    first = _drawn(at)
    assert "cm-partial" not in first
    assert "Iraqi government forces: control" in first
    assert "Islamic State" not in first
    assert at.query_params["date"] == ["2013-12-30"] or at.query_params["date"] == "2013-12-30"


def test_the_status_line_counts_areas_in_plain_words(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.select_slider(key="date_slider").set_value("2013-12-30").run()
    line = next(c.value for c in at.caption if "drawn" in c.value)
    # One area, one date of evidence: no "1 areas", no "2013-12-30 to 2013-12-30".
    assert "1 area drawn; evidence dated 2013-12-30;" in line
    at.select_slider(key="date_slider").set_value("2014-10-13").run()
    line = next(c.value for c in at.caption if "drawn" in c.value)
    assert re.search(r"\b[2-9] areas drawn; evidence dated 2013-12-30 to 2014-10-13;", line)


def test_a_slider_step_sends_only_the_date_layer(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    _, map_before = _map(at)
    first = _layer_message(at)
    assert first["base"] == -1  # a new page gets the whole frame
    at.select_slider(key="date_slider").set_value("2014-01-02").run()
    _, map_after = _map(at)
    step = _layer_message(at)
    # The map (basemap, legend, patterns) is the same element: Streamlit sends a reference.
    assert map_after == map_before
    assert "cm-legend" in map_before["script"]
    # The step is an edit of the frame the browser holds, with no basemap and no legend.
    assert step["base"] == first["seq"] and step["seq"] == first["seq"] + 1
    text = json.dumps(step)
    assert "cm-legend" not in text and "basemap" not in text and "L.map" not in text
    assert len(text) < len(json.dumps(map_before)) / 4


def test_step_buttons_walk_through_changes(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.button(key="prev").click().run()
    assert at.select_slider(key="date_slider").value == "2014-01-02"
    at.button(key="next").click().run()
    assert at.select_slider(key="date_slider").value == "2014-10-13"
    assert at.button(key="next").disabled


def test_query_parameters_restore_the_view(app_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["date"] = "2014-01-05"
    at.query_params["actors"] = "isil"
    at.query_params.update(lat="33.4", lon="43.7", zoom="10")
    at.run()
    assert not at.exception
    assert at.select_slider(key="date_slider").value == "2014-01-05"
    assert at.multiselect(key="actors").value == ["isil"]
    _, args = _map(at)
    drawn = _drawn(at)
    assert "Islamic State" in drawn and "Iraqi government forces: control" not in drawn
    assert re.search(r"center: \[33\.4,\s*43\.7\]", args["script"])
    assert re.search(r"\"zoom\": 10\b", args["script"])


def test_map_assets_are_all_local(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    _, args = _map(at)
    links = args["js_links"] + args["css_links"]
    assert links, "the map must load Leaflet"
    assert all(not link.startswith(("http:", "https:", "//")) for link in links), links
    assert "http://" not in args["header"] and "https://" not in args["header"]


def test_sources_panel_lists_the_citations_drawn(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    frames = [d.value for d in at.dataframe]
    titles = {t for f in frames if "Title" in f for t in f["Title"]}
    assert titles == {"A report"}


def _compare_app() -> None:
    from controlmap.ui import compare_page

    compare_page.render()


def _trends_app() -> None:
    from controlmap.ui import compare_page

    compare_page.render_trends()


def test_compare_page_sums_check_and_ramadi(demo_db, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DB", demo_db)
    at = AppTest.from_function(_compare_app, default_timeout=60)
    at.query_params["from"] = "2015-05-01"
    at.query_params["to"] = "2015-06-01"
    at.run()
    assert not at.exception
    balances, places = at.dataframe[0].value, at.dataframe[1].value
    assert set(balances["Sums check"]) == {"✓"}
    ramadi = places[places["Place"].str.contains("Ramadi")]
    assert not ramadi.empty and ramadi.iloc[0]["To"].startswith("Islamic State")


def test_presentation_mode_has_no_controls(demo_db, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DB", demo_db)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(date="2015-05-20", present="1")
    at.run()
    assert not at.exception
    assert "20 May 2015" in at.header[0].value
    assert len(at.select_slider) == 0 and len(at.sidebar.multiselect) == 0
    assert "Islamic State" in _drawn(at)


def test_link_carries_the_view_and_warns_when_data_changed(app_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(date="2014-01-02", v="1", claimed="0", stale="90")
    at.run()
    assert not at.exception
    assert any("data has changed since" in w.value for w in at.warning)
    link = [c.value for c in at.code][0]
    for part in ("date=2014-01-02", "claimed=0", "stale=90", "actors=", "v="):
        assert part in link, link
    assert at.toggle(key="claimed").value is False


def test_trends_page_charts_every_change_date(demo_db, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DB", demo_db)
    at = AppTest.from_function(_trends_app, default_timeout=60).run()
    assert not at.exception
    (chart,) = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]
    spec = json.loads(chart.proto.spec)
    assert spec["params"][0]["name"] == "pick"
    changes = at.dataframe[0].value
    assert len(changes) == 59 and changes.iloc[0]["Date"] == "2013-12-30"


def _contribute_app() -> None:
    from controlmap.ui import contribute_page

    contribute_page.render()


def _signed_in(at: AppTest, name: str, role: str) -> AppTest:
    from controlmap.auth import User

    at.session_state["user"] = User(name, role)
    return at


def test_contribution_form_with_a_faked_drawing_submits_a_pending_claim(app_db):
    import datetime as dt

    from controlmap.store import Store

    at = _signed_in(
        AppTest.from_function(_contribute_app, default_timeout=60), "cora", "contributor"
    )
    at.run()
    assert not at.exception
    at.text_input(key="r_title").input("Al-Qaeda Seizes Parts of Two Major Iraqi Cities")
    at.text_input(key="r_url").input("https://news.antiwar.com/2014/01/02/x/")
    at.date_input(key="r_published").set_value(dt.date(2014, 1, 2))
    at.text_area(key="r_text").input(
        "Iraqi military sources now say that AQI controls more than half of Fallujah."
    )
    at.button[0].click().run()  # the form's "Suggest claims"
    assert at.radio(key="choice").value == 1
    assert at.selectbox(key="f_extent").value == "most"
    at.radio(key="area_source").set_value("Draw on the map").run()
    drawn = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[43.74, 33.33], [43.82, 33.33], [43.82, 33.38], [43.74, 33.38], [43.74, 33.33]]
            ],
        },
    }
    # As TOOLCHAIN.md describes: the map component's state stands in for a real drawing.
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    at.session_state[component.key] = {"all_drawings": [drawn]}
    at.run()
    assert any("Drawn area" in c.value for c in at.caption)
    at.button(key="submit_claim").click().run()
    assert not at.exception
    assert any("is pending" in s.value for s in at.success), [e.value for e in at.error]
    (claim,) = Store(app_db).claims(("pending",))
    assert (claim.actor, claim.extent, claim.review_state) == ("isil", "most", "pending")
    assert claim.geometry.bounds == (43.74, 33.33, 43.82, 33.38)
    assert len(Store(app_db).claims()) == 3  # the approved ones are unchanged


def test_the_form_shows_why_a_claim_was_suggested_as_plain_text(app_db):
    import datetime as dt

    at = _signed_in(
        AppTest.from_function(_contribute_app, default_timeout=60), "cora", "contributor"
    )
    at.run()
    at.date_input(key="r_published").set_value(dt.date(2014, 1, 2))
    at.text_area(key="r_text").input(
        "**Bold** [link](https://evil.example) ISIS fighters seized Hit on Monday."
    )
    at.button[0].click().run()
    assert not at.exception
    (why,) = [e for e in at.expander if "Why this was suggested" in e.label]
    shown = "\n".join(t.value for t in why.text)
    assert "Evidence: ISIS fighters seized Hit" in shown
    assert "statement: 'seized'" in shown and "is Hit (geonames:95788)" in shown
    assert "date: 'on Monday' is 2013-12-30" in shown
    assert not any("evil.example" in m.value for m in at.markdown)


def test_contribution_errors_show_next_to_their_fields(app_db):
    at = _signed_in(
        AppTest.from_function(_contribute_app, default_timeout=60), "cora", "contributor"
    )
    at.run()
    at.button(key="submit_claim").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "link to the report" in errors and "no area" in errors
    assert "not submitted" in errors


def test_contribute_and_review_pages_refuse_the_wrong_role(app_db):
    at = AppTest.from_function(_contribute_app, default_timeout=60).run()
    # A first run (no admin yet) says how the first admin is made.
    assert any("No admin yet" in i.value for i in at.info), [i.value for i in at.info]
    assert all(b.key != "submit_claim" for b in at.button)  # no submit button at all
    at = _signed_in(AppTest.from_function(_contribute_app, default_timeout=60), "vic", "viewer")
    at.run()
    assert any("needs a contributor account" in i.value for i in at.info)
    assert all(b.key != "submit_claim" for b in at.button)

    def review_app() -> None:
        from controlmap.ui import review_page

        review_page.render()

    at = AppTest.from_function(review_app, default_timeout=60).run()
    assert any("No admin yet" in i.value for i in at.info)
    at = _signed_in(AppTest.from_function(review_app, default_timeout=60), "cora", "contributor")
    at.run()
    assert any("reviewer account" in i.value for i in at.info)


def test_second_reviewer_gets_a_conflict_and_keeps_the_reason(app_db, make_claim):
    from controlmap.store import Store

    Store(app_db).add_claims([make_claim(review_state="pending")], who="cora")

    def review_app() -> None:
        from controlmap.ui import review_page

        review_page.render()

    first = _signed_in(AppTest.from_function(review_app, default_timeout=60), "rex", "reviewer")
    second = _signed_in(AppTest.from_function(review_app, default_timeout=60), "rita", "reviewer")
    first.run()
    second.run()
    (cid,) = [c.id for c in Store(app_db).claims(("pending",))]
    first.button(key=f"approve_{cid}").click().run()
    assert any("approved" in s.value for s in first.success)
    second.text_input(key=f"reason_{cid}").input("duplicate of an older claim")
    second.button(key=f"reject_{cid}").click().run()
    assert any("changed by rex" in e.value for e in second.error), [e.value for e in second.error]
    # The claim left the pending list, so its form is gone: the message repeats the reason.
    assert any("duplicate of an older claim" in e.value for e in second.error)
    assert Store(app_db).claim(cid).review_state == "approved"
    audit = second.dataframe[-1].value
    assert list(audit["action"][:2]) == ["approve", "create"]


def test_missing_browser_assets_are_named_instead_of_a_blank_map(app_db, monkeypatch):
    from controlmap.render import vendor

    monkeypatch.setattr(vendor, "assets_present", lambda: False)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert not _components(at, "st_folium") and not _components(at, "timelayer")
    (error,) = [e.value for e in at.error if "cannot be drawn" in e.value]
    assert "Leaflet" in error and "make setup" in error and "fetch_vendor.sh" in error


def test_play_steps_at_the_period_its_help_text_promises():
    from controlmap.ui import map_page

    options = [f"2014-01-{d:02d}" for d in range(1, 11)]
    state = {"playing": True, map_page.DAY: options[0]}
    period, poll = map_page.PLAY_SECONDS, map_page.PLAY_POLL_SECONDS
    steps = []
    now = 100.0
    while state.get("playing") and now < 200:
        day = state[map_page.DAY]
        if map_page.play_tick(state, options, now) and state[map_page.DAY] != day:
            steps.append(now)
        now += poll
    gaps = [round(b - a, 6) for a, b in zip(steps, steps[1:], strict=False)]
    # Looked at every poll, it steps every period (to the poll's grain), never drifting.
    assert len(steps) == len(options) - 1
    assert all(abs(g - period) <= poll for g in gaps), gaps
    assert abs((steps[-1] - steps[0]) / len(gaps) - period) <= poll / 2
    assert state["playing"] is False  # it stops at the last date


def _accounts_app() -> None:
    from controlmap.ui import accounts_page

    accounts_page.render()


def test_accounts_page_makes_the_first_admin_only_with_the_setup_code(app_db):
    from controlmap import auth
    from controlmap.store import Store

    store = Store(app_db)
    code = auth.setup_code(store)
    assert code
    at = AppTest.from_function(_accounts_app, default_timeout=60).run()
    assert any("No admin yet" in i.value for i in at.info)
    assert not at.main.text_input  # nothing to fill in without the link
    at = AppTest.from_function(_accounts_app, default_timeout=60)
    at.query_params["setup"] = "guess"
    at.run()
    assert any("setup link is unknown" in e.value for e in at.error)
    assert all(t.key != "first_admin_name" for t in at.text_input)
    at = AppTest.from_function(_accounts_app, default_timeout=60)
    at.query_params["setup"] = code
    at.run()
    at.text_input(key="first_admin_name").input("ada")
    at.text_input(key="first_admin_password").input("copper kettle 93")
    at.text_input(key="first_admin_again").input("copper kettle 93")
    (create,) = [b for b in at.main.button if b.label == "Create the admin account"]
    create.click().run()
    assert not at.exception
    assert auth.list_users(store) == [auth.User("ada", "admin")]
    assert not auth.setup_code_valid(store, code)


def test_the_map_page_draws_from_the_stored_timeline_without_resolving(app_db, monkeypatch):
    # A first page load and slider steps read the materialised timeline: nothing loads every
    # claim or resolves the history (which at 10,000 claims took most of a minute).
    from controlmap import resolve
    from controlmap.store import Store as StoreClass

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the map page resolved the history")

    monkeypatch.setattr(resolve.Resolver, "__init__", refuse)
    monkeypatch.setattr(resolve, "resolve", refuse)
    monkeypatch.setattr(StoreClass, "claims", refuse)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "Islamic State" in _drawn(at)
    at.select_slider(key="date_slider").set_value("2013-12-30").run()
    assert not at.exception
    assert "Iraqi government forces: control" in _drawn(at)


def _leave_the_map_app() -> None:
    import streamlit as st

    from controlmap.ui import map_page

    # The map's last pan reaches the server with the click that opens another page: its
    # callback runs before that page's run, where the map's parts were never drawn.
    st.button("Contribute", on_click=map_page._view_moved)
    st.button("Contribute again", on_click=map_page._tables_follow)
    st.write("another page")


def test_a_map_move_that_arrives_as_the_reader_leaves_the_map_does_not_crash() -> None:
    at = AppTest.from_function(_leave_the_map_app, default_timeout=30).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    at.button[1].click().run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "another page"


def _fresh_drawing(day: str) -> str:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["date"] = day
    at.run()
    assert at.select_slider(key="date_slider").value == day
    return _drawn(at)


def test_steps_given_ahead_are_drawn_before_the_server_answers_and_match_it(app_db):
    from controlmap import ui

    at = AppTest.from_file(APP, default_timeout=30).run()
    held = _HELD.setdefault(at, Held())
    held.apply(_layer_message(at))
    slider = at.select_slider(key="date_slider")
    for day in ["2014-01-02", "2013-12-30", "2014-01-02", "2014-10-13"]:
        assert ui.prefetched(30), "the neighbouring dates were not prepared"
        at.run()  # the page now sends the steps either side ahead (they are ready)
        held.apply(_layer_message(at))
        # The slider shows the day: the browser draws the step it was given, at once...
        assert held.predict(day), f"{day} was not sent ahead"
        slider.set_value(day).run()
        step = _layer_message(at)
        # ...and the server's run only confirms it: no items travel again.
        assert step["items"] is None and step["day"] == day
        held.apply(step)
        drawn = json.dumps([it["props"] for it in held.items], ensure_ascii=False)
        assert drawn == _fresh_drawing(day), f"the step to {day} drew something else"
    # Going back to the date shown before costs nothing: the browser still holds it.
    assert any(v == "prior" for v in step["ahead"].values())
    assert held.predicted == ["2014-01-02", "2013-12-30", "2014-01-02", "2014-10-13"]


def test_no_steps_are_sent_ahead_of_a_very_large_frame(app_db, monkeypatch):
    from controlmap import ui
    from controlmap.ui import timelayer

    at = AppTest.from_file(APP, default_timeout=30).run()
    assert ui.prefetched(30)
    at.run()
    assert _layer_message(at)["ahead"], "the steps either side were not sent ahead"
    # A date of thousands of areas: two edits of it ahead would cost every step more.
    monkeypatch.setattr(timelayer, "AHEAD_MAX_VERTICES", 3)
    at.select_slider(key="date_slider").set_value("2014-01-02").run()
    assert _layer_message(at)["ahead"] == {}


def test_steps_made_ready_later_do_not_send_the_drawn_frame_again(app_db):
    from controlmap import ui

    def opened(reported: bool) -> tuple[dict, dict]:
        """The first message of a new page, and the next run's once the steps are ready."""
        # a preparation an earlier test started must not finish after the clearing below
        assert ui.prefetched(60), "an earlier preparation never finished"
        with ui._READY_LOCK:
            ui._ready.clear()  # nothing prepared: the first run has no steps ahead
        at = AppTest.from_file(APP, default_timeout=30).run()
        first = _layer_message(at)
        assert first["items"] and first["ahead"] == {}
        if reported:
            at.session_state["timelayer"] = {"drawn": first["seq"]}
        assert ui.prefetched(30), "the neighbouring dates were not prepared"
        at.run()
        return first, _layer_message(at)

    # Not reported as drawn: the frame goes along with the steps (the first message may never
    # have reached the browser).
    first, again = opened(reported=False)
    assert again["ahead"] and again["seq"] == first["seq"] and again["items"] == first["items"]
    # Once the browser says it drew the frame, the steps made ready later travel without it.
    first, later = opened(reported=True)
    assert later["ahead"] and later["seq"] == first["seq"] and later["items"] is None
    held = Held()
    held.apply(first)
    drawn = [it["props"] for it in held.items]
    held.apply(later)
    assert not held.resync_asked and held.ahead[1] == later["ahead"]
    assert [it["props"] for it in held.items] == drawn
    assert len(json.dumps(later)) < len(json.dumps(again)) - len(json.dumps(first["items"])) / 2


def _sent_day(at: AppTest) -> str:
    from controlmap.ui import timelayer

    return str(at.session_state[timelayer._HELD]["msg"]["day"])


class _Stopped(Exception):
    """A run stopped at a Streamlit call: the reader's next step, or the browser's report of a
    frame drawn, came in meanwhile."""


def test_a_run_stopped_before_the_layer_left_leaves_the_next_step_an_edit_of_what_was_sent(
    app_db, monkeypatch
):
    from controlmap.ui import map_page, timelayer

    sends = timelayer._component
    stop = {"send": False}

    def component(**kwargs):  # type: ignore[no-untyped-def]
        if stop["send"]:
            raise _Stopped
        return sends(**kwargs)

    def map_element(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise _Stopped

    monkeypatch.setattr(timelayer, "_component", component)
    at = AppTest.from_file(APP, default_timeout=30).run()
    held = Held()
    held.apply(_layer_message(at))
    slider = at.select_slider(key="date_slider")
    # A step whose run sends the layer and is then stopped before its end (at the map).
    with monkeypatch.context() as m:
        m.setattr(map_page, "_map_element", map_element)
        slider.set_value("2014-01-02").run()
    step = _layer_message(at)
    held.apply(step)
    assert held.day == "2014-01-02"
    assert _sent_day(at) == "2014-01-02"
    # The step back is stopped as it sends the layer: nothing reaches the browser.
    stop["send"] = True
    at.select_slider(key="date_slider").set_value("2013-12-30").run()
    stop["send"] = False
    # The server still holds what it sent, not what it meant to send: the browser's map is
    # on 2014-01-02 (the date part must run again), and the next step is an edit of that.
    assert _sent_day(at) == "2014-01-02"
    at.select_slider(key="date_slider").set_value("2014-10-13").run()
    last = _layer_message(at)
    held.apply(last)
    assert not held.resync_asked, "the step was an edit of a frame the browser never got"
    drawn = json.dumps([it["props"] for it in held.items], ensure_ascii=False)
    assert drawn == _fresh_drawing("2014-10-13")


def _report_after(sent: tuple[int, str], report: int, drawn: str) -> None:
    """The browser reports frame ``report`` drawn; the date layer last sent frame ``sent``
    (number, date); the date part's last whole run drew ``drawn``; slider and date are on
    2013-12-30. Writes the parts the report reruns."""
    import streamlit as st

    from controlmap.ui import map_page, timelayer

    for key, value in [
        (map_page.DAY, "2013-12-30"),
        (map_page._DRAWN_DAY, drawn),
        ("date_slider", "2013-12-30"),
        (timelayer._HELD, {"seq": sent[0], "msg": {"seq": sent[0], "day": sent[1]}}),
        ("timelayer", {"drawn": report}),
    ]:
        st.session_state[key] = value
    reruns: list[object] = []
    map_page._rerun_parts = reruns.append  # type: ignore[assignment]
    map_page._tables_follow()
    st.write(repr(reruns))


@pytest.mark.parametrize(
    ("sent", "report", "drawn", "dated"),
    [
        # All on one date and drawn: the tables follow alone.
        ((8, "2013-12-30"), 8, "2013-12-30", False),
        # A run of the date part sent the layer of 2014-01-02 and was stopped before its end.
        ((8, "2014-01-02"), 8, "2013-12-30", True),
        # Frame 8 was sent, but this report's run began before it left: Streamlit dropped it.
        ((8, "2013-12-30"), 7, "2013-12-30", True),
    ],
)
def test_a_report_reruns_the_date_part_unless_the_map_is_on_the_date(
    monkeypatch, sent, report, drawn, dated
) -> None:
    from controlmap.ui import map_page

    monkeypatch.setattr(map_page, "_rerun_parts", map_page._rerun_parts)  # restored after
    at = AppTest.from_function(_report_after, args=(sent, report, drawn), default_timeout=30).run()
    assert not at.exception, at.exception
    want = [[map_page.DATED, map_page.TABLES]] if dated else [map_page.TABLES]
    assert at.markdown[0].value == repr(want)


def _password_form(
    account: tuple[str, str],
    fields: dict[str, str],
    button: str,
    before: Callable[[AppTest], None] | None = None,
) -> AppTest:
    """Sign in as ``account`` (name, role), fill one password form on the Accounts page (text
    inputs by key) and press its ``button``; the page must show no exception."""
    at = _signed_in(AppTest.from_function(_accounts_app, default_timeout=60), *account)
    at.run()
    if before is not None:
        before(at)
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    (pressed,) = [b for b in at.main.button if b.label == button]
    pressed.click().run()
    assert not at.exception
    return at


def test_an_admin_sets_a_forgotten_password_on_the_accounts_page(app_db):
    from controlmap import auth
    from controlmap.store import Store

    store = Store(app_db)
    auth.add_user(store, "ada", "admin", "brass lantern 17", who="test")
    auth.add_user(store, "rita", "contributor", "copper kettle 93", who="test")
    old_token = auth.session_token(store, auth.User("rita", "contributor"))

    def reset(new: str, again: str) -> AppTest:
        def choose(at: AppTest) -> None:
            # an admin's own name is not offered: their own password is changed further down
            assert at.selectbox(key="reset_account").options == ["rita"]
            at.selectbox(key="reset_account").select("rita")

        fields = {"reset_new": new, "reset_again": again}
        return _password_form(("ada", "admin"), fields, "Set password", before=choose)

    at = reset("silver teapot 42", "silver teapot 4")
    assert any("two new passwords differ" in e.value for e in at.error)
    at = reset("short", "short")
    assert any("at least" in e.value for e in at.error)
    assert auth.authenticate(store, "rita", "copper kettle 93") is not None  # nothing changed
    at = reset("silver teapot 42", "silver teapot 42")
    assert any("New password set for rita;" in s.value for s in at.success)
    assert auth.authenticate(store, "rita", "silver teapot 42") is not None
    assert auth.authenticate(store, "rita", "copper kettle 93") is None
    assert auth.user_from_token(store, old_token) is None  # her sessions ended


def test_a_signed_in_account_changes_its_own_password(app_db):
    from controlmap import auth
    from controlmap.store import Store

    store = Store(app_db)
    auth.add_user(store, "ada", "admin", "brass lantern 17", who="test")
    auth.add_user(store, "rita", "contributor", "copper kettle 93", who="test")
    old_token = auth.session_token(store, auth.User("rita", "contributor"))

    def change(current: str, new: str, again: str) -> AppTest:
        fields = {
            "own_password_current": current,
            "own_password_new": new,
            "own_password_again": again,
        }
        return _password_form(("rita", "contributor"), fields, "Change password")

    at = change("wrong guess 11", "silver teapot 42", "silver teapot 42")
    assert any("current password is wrong" in e.value for e in at.error)
    at = change("copper kettle 93", "silver teapot 42", "silver teapot 4")
    assert any("two new passwords differ" in e.value for e in at.error)
    at = change("copper kettle 93", "short", "short")
    assert any("at least" in e.value for e in at.error)
    assert auth.authenticate(store, "rita", "copper kettle 93") is not None  # nothing changed
    at = change("copper kettle 93", "silver teapot 42", "silver teapot 42")
    assert any("Password changed" in s.value for s in at.success)
    assert auth.authenticate(store, "rita", "silver teapot 42") is not None
    assert auth.authenticate(store, "rita", "copper kettle 93") is None
    assert auth.user_from_token(store, old_token) is None  # other sessions ended
