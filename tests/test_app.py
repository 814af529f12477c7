"""The map page under Streamlit's AppTest: what is drawn follows the date and the URL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from controlmap import dataset
from controlmap.store import Store

APP = str(Path(__file__).resolve().parents[1] / "app.py")


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


def _map(at: AppTest):
    (component,) = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    return component, json.loads(component.proto.json_args)


def _drawn(args) -> str:
    return args["feature_group"] or ""


def test_slider_moves_change_what_is_drawn(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    slider = at.select_slider(key="date")
    assert slider.options == ["2013-12-30", "2014-01-02", "2014-10-13"]
    assert slider.value == "2014-10-13"  # opens on the newest change
    _, latest = _map(at)
    assert "cm-partial" in _drawn(latest)  # ISIL's partial hold over Fallujah, hatched
    slider.set_value("2013-12-30").run()
    _, first = _map(at)
    assert "cm-partial" not in _drawn(first)
    assert "Iraqi government forces: control" in _drawn(first)
    assert "Islamic State" not in _drawn(first)
    assert at.query_params["date"] == ["2013-12-30"] or at.query_params["date"] == "2013-12-30"


def test_step_buttons_walk_through_changes(app_db):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.button(key="prev").click().run()
    assert at.select_slider(key="date").value == "2014-01-02"
    at.button(key="next").click().run()
    assert at.select_slider(key="date").value == "2014-10-13"
    assert at.button(key="next").disabled


def test_query_parameters_restore_the_view(app_db):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["date"] = "2014-01-05"
    at.query_params["actors"] = "isil"
    at.query_params.update(lat="33.4", lon="43.7", zoom="10")
    at.run()
    assert not at.exception
    assert at.select_slider(key="date").value == "2014-01-05"
    assert at.multiselect(key="actors").value == ["isil"]
    _, args = _map(at)
    drawn = _drawn(args)
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
    assert "20 May 2015" in at.title[0].value
    assert len(at.select_slider) == 0 and len(at.sidebar.multiselect) == 0
    _, args = _map(at)
    assert "Islamic State" in _drawn(args)


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
