"""The command-line contract of DESIGN.md, checked against the demo dataset's timeline."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, shape

from controlmap.cli import main
from controlmap.store import Store

PLACES = {  # GeoNames points of the towns the reference timeline follows
    "Fallujah": (43.77951, 33.35806),
    "Ramadi": (43.30123, 33.42056),
    "Mosul": (43.11889, 36.335),
    "Hit": (42.82589, 33.64219),
    "Rutba": (40.28586, 33.03718),
    "Tikrit": (43.67969, 34.61581),
    "Sinjar": (41.87656, 36.3209),
    "al-Qaim": (40.98945, 34.39251),
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def holder(capsys, db: str, day: str, place: str) -> tuple[str, str, str] | None:
    code, out, _ = run(capsys, "--db", db, "state", "--date", day)
    assert code == 0
    point = Point(*PLACES[place])
    hits = [
        f["properties"] for f in json.loads(out)["features"] if shape(f["geometry"]).contains(point)
    ]
    assert len(hits) <= 1, "resolved pieces must not overlap"
    if not hits:
        return None
    h = hits[0]
    return (h["actor"], h["status"], h["extent"])


def test_seed_report_puts_isil_partially_in_fallujah(capsys, demo_db):
    code, out, _ = run(capsys, "--db", demo_db, "state", "--date", "2014-01-03")
    assert code == 0
    data = json.loads(out)
    point = Point(*PLACES["Fallujah"])
    (piece,) = [f["properties"] for f in data["features"] if shape(f["geometry"]).contains(point)]
    assert (piece["actor"], piece["status"], piece["extent"]) == ("isil", "control", "most")
    assert piece["since"] == "2014-01-02" and piece["actor_name"].startswith("Islamic State")
    seed = [
        s
        for s in piece["sources"]
        if s["title"] == "Al-Qaeda Seizes Parts of Two Major Iraqi Cities"
    ]
    assert seed and seed[0]["publisher"] == "Antiwar.com"
    assert seed[0]["url"].startswith("https://news.antiwar.com/2014/01/02/")
    for f in data["features"]:
        for key in (
            "actor",
            "actor_name",
            "status",
            "extent",
            "since",
            "claim_ids",
            "sources",
            "area_km2",
        ):
            assert key in f["properties"]
    assert 5 < piece["area_km2"] < 100


@pytest.mark.parametrize(
    ("place", "day", "expected"),
    [
        ("Fallujah", "2013-12-29", None),
        ("Fallujah", "2014-01-05", ("isil", "control", "all")),
        ("Fallujah", "2016-06-20", ("iraq-gov", "control", "part")),
        ("Fallujah", "2016-07-01", ("iraq-gov", "control", "all")),
        ("Ramadi", "2014-01-03", ("isil", "control", "part")),
        ("Ramadi", "2015-05-18", ("isil", "control", "all")),
        ("Ramadi", "2016-02-15", ("iraq-gov", "control", "all")),
        ("Mosul", "2014-06-09", None),
        ("Mosul", "2014-06-11", ("isil", "control", "all")),
        ("Mosul", "2017-07-11", ("iraq-gov", "control", "all")),
        ("Hit", "2014-10-14", ("isil", "control", "all")),
        ("Hit", "2016-04-15", ("iraq-gov", "control", "all")),
        ("Rutba", "2014-06-23", ("isil", "control", "all")),
        ("Rutba", "2016-05-20", ("iraq-gov", "control", "all")),
        ("Rutba", "2016-10-26", ("iraq-gov", "control", "all")),
        ("Tikrit", "2014-06-12", ("isil", "control", "all")),
        ("Tikrit", "2015-04-01", ("iraq-gov", "control", "all")),
        ("Sinjar", "2014-08-04", ("isil", "control", "all")),
        ("Sinjar", "2015-11-14", ("krg", "control", "all")),
        ("al-Qaim", "2014-06-21", ("isil", "control", "all")),
        ("al-Qaim", "2017-11-04", ("iraq-gov", "control", "all")),
    ],
)
def test_state_follows_the_reference_timeline(capsys, demo_db, place, day, expected):
    assert holder(capsys, demo_db, day, place) == expected


def test_actor_filter_accepts_aliases(capsys, demo_db):
    code, out, _ = run(capsys, "--db", demo_db, "state", "--date", "2015-06-01", "--actor", "Daesh")
    assert code == 0
    actors = {f["properties"]["actor"] for f in json.loads(out)["features"]}
    assert actors == {"isil"}


def test_bad_input_exits_non_zero_with_one_line_and_writes_nothing(capsys, db_url, tmp_path):
    assert run(capsys, "--db", db_url, "init", "--no-demo")[0] == 0
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    code, out, err = run(capsys, "--db", db_url, "import", str(bad))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "feature 1" in err
    assert Store(db_url).claim_count() == 0
    code, _, err = run(capsys, "--db", db_url, "import", str(tmp_path / "missing.geojson"))
    assert code == 1 and "cannot read" in err


def test_init_no_demo_knows_the_registry_but_has_no_claims(capsys, db_url):
    code, _, err = run(capsys, "--db", db_url, "init", "--no-demo")
    assert code == 0 and "created" in err
    store = Store(db_url)
    assert store.claim_count() == 0 and store.actors().resolve("ISIS").id == "isil"


def test_export_then_import_round_trips(capsys, demo_db, db_url, tmp_path):
    first = tmp_path / "claims.geojson"
    assert run(capsys, "--db", demo_db, "export", str(first))[0] == 0
    assert run(capsys, "--db", db_url, "init", "--no-demo")[0] == 0
    assert run(capsys, "--db", db_url, "import", str(first))[0] == 0
    second = tmp_path / "again.geojson"
    assert run(capsys, "--db", db_url, "export", str(second))[0] == 0
    assert json.loads(first.read_text()) == json.loads(second.read_text())
    assert len(json.loads(first.read_text())["features"]) == Store(demo_db).claim_count()


def test_env_variable_selects_the_database(capsys, db_url, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DB", db_url)
    assert run(capsys, "init", "--no-demo")[0] == 0
    assert Store(db_url).is_initialised()


def test_user_add_stores_an_argon2_hash_in_the_database(capsys, tmp_path, monkeypatch, db_url):
    import io

    from sqlalchemy import text

    from controlmap import auth

    path = tmp_path / "users.json"
    monkeypatch.setenv("CONTROLMAP_USERS", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    code, _, err = run(
        capsys, "--db", db_url, "user", "add", "rita", "--role", "reviewer", "--password-stdin"
    )
    assert code == 0 and "rita (reviewer)" in err
    assert not path.exists()  # accounts live in the database now
    store = Store(db_url)
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM accounts")).scalar_one()
    assert "correct horse" not in stored and stored.startswith("$argon2id$")
    assert auth.authenticate(store, "rita", "correct horse") == auth.User("rita", "reviewer")
    assert auth.authenticate(store, "rita", "wrong password") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(
        capsys, "--db", db_url, "user", "add", "sam", "--role", "viewer", "--password-stdin"
    )
    assert code == 1 and "at least 10" in err
    code, out, _ = run(capsys, "--db", db_url, "user", "list")
    assert json.loads(out) == [{"name": "rita", "role": "reviewer"}]


def test_extract_on_the_seed_report_gives_exactly_the_two_claims(capsys, db_url):
    from pathlib import Path

    seed = Path(__file__).resolve().parents[2] / "shared" / "seed"
    path = seed / "aqi-seizes-parts-of-two-iraqi-cities.txt"
    code, out, _ = run(capsys, "--db", db_url, "extract", str(path), "--published", "2014-01-02")
    assert code == 0
    got = {(s["actor"], s["status"], s["extent"], s["place"], s["date"]) for s in json.loads(out)}
    assert got == {
        ("isil", "control", "most", "Fallujah", "2014-01-02"),
        ("isil", "control", "part", "Ramadi", "2014-01-02"),
    }
    for s in json.loads(out):
        assert s["excerpt"].startswith("Iraqi military sources now say that AQI controls")
        assert s["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize(
    ("name", "place_id"),
    [
        ("Falluja", "geonames:99454"),
        ("الفلوجة", "geonames:99454"),
        ("Heet", "geonames:95788"),
        ("Al-Qa'im", "geonames:92138"),
        ("Al-Mawsil", "geonames:99072"),
        ("Bayji", "geonames:97783"),
        ("Garma", "extra:karmah"),
    ],
)
def test_geocode_prints_candidates_best_first(capsys, name, place_id):
    code, out, _ = run(capsys, "geocode", name, "--limit", "3")
    assert code == 0
    found = json.loads(out)
    assert found[0]["place_id"] == place_id and len(found) <= 3
    assert {"name", "kind", "lat", "lon", "footprint", "approximate", "score"} <= set(found[0])


def test_geocode_rejects_a_bad_bbox(capsys):
    code, _, err = run(capsys, "geocode", "Hit", "--bbox", "1,2,3")
    assert code == 1 and "--bbox" in err


def test_diff_shows_ramadi_taken_by_isil_in_may_2015(capsys, demo_db):
    code, out, _ = run(
        capsys, "--db", demo_db, "diff", "--from", "2015-05-01", "--to", "2015-06-01"
    )
    assert code == 0
    point = Point(*PLACES["Ramadi"])
    (change,) = [
        f["properties"] for f in json.loads(out)["features"] if shape(f["geometry"]).contains(point)
    ]
    assert (change["to_actor"], change["to_status"], change["to_extent"]) == (
        "isil",
        "control",
        "all",
    )
    assert change["from_actor"] == "isil" and change["from_extent"] != "all"
    assert change["sources"] and change["area_km2"] > 100
    code, _, err = run(
        capsys, "--db", demo_db, "diff", "--from", "2015-06-01", "--to", "2015-05-01"
    )
    assert code == 1 and "--to" in err


def test_stats_prints_a_csv_series(capsys, demo_db):
    code, out, _ = run(capsys, "--db", demo_db, "stats")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "date,actor,actor_name,full_km2,partial_km2,contested_km2,total_km2"
    row = [r for r in lines if r.startswith("2014-01-02,isil,")][0].split(",")
    assert float(row[4]) > 0  # partial holdings in Fallujah and Ramadi


def test_export_png_is_a_1920x1080_picture(capsys, demo_db, tmp_path):
    from PIL import Image

    path = tmp_path / "anbar.png"
    code, _, err = run(capsys, "--db", demo_db, "export", str(path), "--date", "2015-05-20")
    assert code == 0 and "wrote" in err
    assert Image.open(path).size == (1920, 1080)
    code, _, err = run(capsys, "--db", demo_db, "export", str(tmp_path / "x.docx"))
    assert code == 1 and "geojson" in err
