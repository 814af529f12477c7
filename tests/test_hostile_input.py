"""Hostile and careless input: a one-line refusal, nothing written (issue 9, points 5 and 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controlmap import forms
from controlmap.cli import main
from controlmap.errors import ValidationError
from controlmap.model import Actor, Source, check_geometry
from controlmap.store import Store

SQUARE = [[[43.7, 33.3], [43.8, 33.3], [43.8, 33.4], [43.7, 33.4], [43.7, 33.3]]]


def feature(**props) -> dict:
    base = {
        "actor": "isil",
        "status": "control",
        "extent": "all",
        "observed_on": "2014-01-02",
        "citations": [{"title": "A report", "url": "https://example.org/a"}],
    }
    base.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
        "properties": base,
    }


def collection(*features: dict, **top) -> dict:
    return {"type": "FeatureCollection", **top, "features": list(features) or [feature()]}


def _import(capsys, db_url: str, path: Path) -> tuple[int, str]:
    code = main(["--db", db_url, "import", str(path)])
    _, err = capsys.readouterr()
    return code, err


def _refused(capsys, db_url: str, path: Path, *words: str) -> str:
    before = Store(db_url).claim_count()
    code, err = _import(capsys, db_url, path)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    assert Store(db_url).claim_count() == before
    return err


NAN_FILE = json.dumps(collection()).replace("43.7, 33.3]", "NaN, 33.3]", 1)
HOSTILE_FILES = {
    "nan": (NAN_FILE, "number"),
    "deep": (
        '{"type": "FeatureCollection", "features": ' + "[" * 20_000 + "]" * 20_000 + "}",
        "deep",
    ),
    "digits": (
        json.dumps(collection(feature(notes=1))).replace('"notes": 1', '"notes": ' + "9" * 5000),
        "digits",
    ),
    "surrogate": (
        json.dumps(collection(feature(notes="x"))).replace('"notes": "x"', '"notes": "\\ud800"'),
        "surrogate",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_hostile_files_are_refused_in_one_line(capsys, empty_store, db_url, tmp_path, name):
    text, word = HOSTILE_FILES[name]
    path = tmp_path / f"{name}.geojson"
    path.write_text(text, encoding="utf-8")
    _refused(capsys, db_url, path, word)


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_hostile_uploads_are_refused_by_the_form(name):
    text, _ = HOSTILE_FILES[name]
    with pytest.raises(ValidationError) as info:
        forms.geometry_from_upload(text.encode("utf-8"))
    assert "\n" not in str(info.value)


def test_nan_coordinates_are_refused():
    with pytest.raises(ValidationError, match="not numbers"):
        check_geometry(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, float("nan")], [1, 1], [0, 0]]]}
        )


BAD_FEATURES = {
    "empty extent list": (feature(extent=[]), "extent"),
    "extent zero": (feature(extent=0), "extent"),
    "year 0001": (feature(citations=[{"title": "t", "published": "0001"}]), "published"),
    "year 2099": (feature(citations=[{"title": "t", "published": "2099-01"}]), "published"),
    "bidi override": (feature(citations=[{"title": "\u202egnp.exe"}]), "title"),
    "line separator": (feature(notes="one\u2028two"), "notes"),
    "control character": (feature(notes="bell\x07"), "notes"),
    "C1 control": (feature(notes="x\x9b31m"), "notes"),
}


@pytest.mark.parametrize("name", list(BAD_FEATURES))
def test_bad_values_are_refused(capsys, empty_store, db_url, tmp_path, name):
    bad, word = BAD_FEATURES[name]
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection(bad)), encoding="utf-8")
    _refused(capsys, db_url, path, "feature 1", word)


@pytest.mark.parametrize(
    "actor, word",
    [
        ({"id": "new-actor\n", "name": "New", "colour": "#112233"}, "actor id"),
        ({"id": "new-actor", "name": "New", "colour": "#112233\n"}, "actor colour"),
    ],
)
def test_actor_id_or_colour_with_a_trailing_newline_is_refused(
    capsys, empty_store, db_url, tmp_path, actor, word
):
    path = tmp_path / "actors.geojson"
    path.write_text(
        json.dumps(collection(feature(actor="new-actor"), actors=[actor])), encoding="utf-8"
    )
    _refused(capsys, db_url, path, word)
    with pytest.raises(ValidationError):
        Actor.from_dict(actor)


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "name", "properties": {"name": "EPSG:43260"}},
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32643"}},
        {"type": "name", "properties": {"name": "not 4326 at all"}},
    ],
)
def test_a_crs_that_merely_contains_4326_is_refused(capsys, empty_store, db_url, tmp_path, crs):
    path = tmp_path / "crs.geojson"
    path.write_text(json.dumps(collection(crs=crs)), encoding="utf-8")
    _refused(capsys, db_url, path, "EPSG:4326")


@pytest.mark.parametrize(
    "name", ["EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:OGC:1.3:CRS84"]
)
def test_wgs84_crs_names_are_accepted(capsys, empty_store, db_url, tmp_path, name):
    path = tmp_path / "crs.geojson"
    path.write_text(json.dumps(collection(crs={"type": "name", "properties": {"name": name}})))
    code, err = _import(capsys, db_url, path)
    assert code == 0, err


def test_publication_years_in_range_are_kept():
    assert Source("t", published="1990").published == "1990"
    assert Source("t", published="2014-06").published == "2014-06"


def _contribute_app() -> None:
    from controlmap.ui import contribute_page

    contribute_page.render()


def test_the_form_upload_shows_a_one_line_error_and_no_traceback(empty_store, db_url, monkeypatch):
    """Whatever goes wrong reading an area, the page shows no traceback and no file paths."""
    from streamlit.testing.v1 import AppTest

    from controlmap.auth import User
    from controlmap.ui import contribute_page

    def broken() -> None:
        raise RecursionError("maximum recursion depth exceeded in /srv/secret/forms.py")

    monkeypatch.setenv("CONTROLMAP_DB", db_url)
    monkeypatch.setattr(contribute_page, "_area", broken)
    at = AppTest.from_function(_contribute_app, default_timeout=60)
    at.session_state["user"] = User("cora", "contributor")
    at.run()
    at.radio(key="area_source").set_value("Upload GeoJSON").run()
    at.button(key="submit_claim").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("could not be read" in e for e in errors), errors
    assert not [e for e in errors if "/srv/secret" in e or "recursion" in e]
