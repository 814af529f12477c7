"""Tests for the bundled actor registry and the demo claims (data/)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from controlmap import geo

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
CLAIMS_FILE = DATA / "demo" / "claims.geojson"
REFERENCE = REPO.parent / "shared" / "reference" / "anbar-timeline-2013-2017.csv"
SEED = REPO.parent / "shared" / "seed" / "aqi-seizes-parts-of-two-iraqi-cities.txt"

SEED_URL = "https://news.antiwar.com/2014/01/02/al-qaeda-seizes-parts-of-two-major-iraqi-cities/"
SEED_EXCERPT = (
    "Iraqi military sources now say that AQI controls more than half of Fallujah and a portion "
    "of Ramadi, and their fighters have set up checkpoints in those areas and declared them "
    "part of the \u201cIslamic State of Iraq and the Levant,\u201d which also includes their "
    "territorial possessions in northwest Syria."
)
PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def actors() -> list[dict[str, Any]]:
    return json.loads((DATA / "actors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    return json.loads(CLAIMS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return collection["features"]


def props_of(features: list[dict[str, Any]], place_id: str) -> list[dict[str, Any]]:
    return [f["properties"] for f in features if f["properties"]["place_id"] == place_id]


# --- actors ---------------------------------------------------------------------------------


def test_actor_registry_has_the_expected_actors(actors: list[dict[str, Any]]) -> None:
    by_id = {a["id"]: a for a in actors}
    assert set(by_id) == {"isil", "iraq-gov", "krg", "tribal", "syria-gov", "sdf"}
    assert by_id["isil"]["colour"] == "#D55E00"
    assert by_id["iraq-gov"]["colour"] == "#0072B2"
    assert {"AQI", "ISI", "ISIS", "IS", "Daesh", "Daash"} <= set(by_id["isil"]["aliases"])
    assert by_id["iraq-gov"]["kind"] == "state"
    assert by_id["isil"]["kind"] == "non-state"


def test_actor_colours_are_distinct_hex(actors: list[dict[str, Any]]) -> None:
    colours = [a["colour"] for a in actors]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert len(set(colours)) == len(colours)


def test_no_alias_names_two_actors(actors: list[dict[str, Any]]) -> None:
    owner: dict[str, str] = {}
    for actor in actors:
        for name in (actor["id"], actor["name"], *actor["aliases"]):
            key = re.sub(r"[\W_]+", " ", name.casefold()).strip()  # any script
            assert owner.setdefault(key, actor["id"]) == actor["id"], name


# --- the claim file -------------------------------------------------------------------------


def test_demo_is_a_feature_collection_of_59_claims(collection: dict[str, Any]) -> None:
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 59


def test_every_actor_in_claims_is_registered(
    features: list[dict[str, Any]], actors: list[dict[str, Any]], collection: dict[str, Any]
) -> None:
    registered = {a["id"] for a in actors}
    used = {f["properties"]["actor"] for f in features}
    assert used <= registered
    assert used == {"isil", "iraq-gov", "krg"}
    assert {a["id"] for a in collection["actors"]} == used


def test_properties_follow_the_import_schema(features: list[dict[str, Any]]) -> None:
    for feature in features:
        p = feature["properties"]
        assert p["status"] in ("control", "contested")
        assert p["extent"] in ("all", "most", "part", "unknown")
        assert p["confidence"] in ("assessed", "claimed")
        assert p["date_precision"] in ("day", "month", "year")
        observed = date.fromisoformat(p["observed_on"])
        if p["date_precision"] == "month":
            assert observed.day == 1
        assert p["valid_until"] is None
        assert p["notes"]
        assert p["citations"]
        for c in p["citations"]:
            assert c["title"]
            assert c["url"].startswith(("http://", "https://"))
            assert c["published"] is None or PARTIAL_DATE.match(c["published"])


def test_geometries_are_valid_polygons_in_lon_lat(features: list[dict[str, Any]]) -> None:
    for feature in features:
        geom = shape(feature["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert geom.is_valid
        minx, miny, maxx, maxy = geom.bounds
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
        # Not swapped: everything is in Iraq (lon 38-49 E, lat 29-38 N).
        assert 38 < minx < maxx < 49
        assert 29 < miny < maxy < 38
        coords = shapely.get_coordinates(geom)
        assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all()


def test_features_are_ordered_by_date_then_place(features: list[dict[str, Any]]) -> None:
    keys = [(f["properties"]["observed_on"], f["properties"]["place"]) for f in features]
    assert keys == sorted(keys)


def test_place_ids_resolve_to_footprints(features: list[dict[str, Any]]) -> None:
    for feature in features:
        fp = geo.footprint(feature["properties"]["place_id"])
        claim = shape(feature["geometry"])
        # The geometry is the footprint or a cut of it (compound, east Mosul).
        assert geo.area_km2(claim.difference(fp.geometry)) < 0.01
        if fp.approximate:
            assert "approximate" in feature["properties"]["notes"]


# --- content --------------------------------------------------------------------------------


def test_seed_report_gives_two_claims_with_its_sentence(features: list[dict[str, Any]]) -> None:
    seed = [
        f["properties"]
        for f in features
        if any(c["url"] == SEED_URL for c in f["properties"]["citations"])
    ]
    assert len(seed) == 2
    by_place = {p["place_id"]: p for p in seed}
    fallujah, ramadi = by_place["geonames:99454"], by_place["geonames:98717"]
    for p in (fallujah, ramadi):
        assert p["observed_on"] == "2014-01-02"
        assert (p["actor"], p["status"]) == ("isil", "control")
        (citation,) = p["citations"]
        assert citation["excerpt"] == SEED_EXCERPT
        assert citation["author"] == "Jason Ditz"
        assert citation["publisher"] == "Antiwar.com"
        assert citation["published"] == "2014-01-02"
    assert fallujah["extent"] == "most"
    assert ramadi["extent"] == "part"


@pytest.mark.skipif(not SEED.is_file(), reason="seed report not available")
def test_seed_excerpt_is_quoted_verbatim_from_the_report() -> None:
    assert SEED_EXCERPT in SEED.read_text(encoding="utf-8")


def test_no_other_claim_carries_an_invented_quote(features: list[dict[str, Any]]) -> None:
    for feature in features:
        for c in feature["properties"]["citations"]:
            if c["url"] != SEED_URL:
                assert c["excerpt"] == ""


def test_fallujah_claims_follow_the_timeline(features: list[dict[str, Any]]) -> None:
    history = [
        (p["observed_on"], p["actor"], p["status"], p["extent"])
        for p in props_of(features, "geonames:99454")
    ]
    assert history == [
        ("2013-12-31", "isil", "control", "part"),
        ("2014-01-01", "isil", "control", "part"),
        ("2014-01-02", "isil", "control", "most"),
        ("2014-01-04", "isil", "control", "all"),
        ("2014-05-01", "isil", "control", "all"),
        ("2016-06-17", "iraq-gov", "control", "part"),
        ("2016-06-26", "iraq-gov", "control", "all"),
    ]


def test_month_precision_rows_start_on_the_first(features: list[dict[str, Any]]) -> None:
    ramadi = {p["observed_on"]: p for p in props_of(features, "geonames:98717")}
    assert ramadi["2014-03-01"]["date_precision"] == "month"
    assert ramadi["2014-03-01"]["confidence"] == "claimed"  # "most (claimed)", low
    assert ramadi["2016-02-01"]["date_precision"] == "month"


def test_disputed_and_low_rows_stay_claims(features: list[dict[str, Any]]) -> None:
    qaim = props_of(features, "geonames:92138")
    assert qaim[0]["confidence"] == "claimed"  # "full (disputed)"
    assert "disputed" in qaim[0]["notes"]
    karmah = props_of(features, "extra:karmah")
    assert (karmah[0]["actor"], karmah[0]["confidence"]) == ("isil", "claimed")
    rutba = {p["observed_on"]: p for p in props_of(features, "geonames:98677")}
    withdrawal = rutba["2016-03-13"]
    assert (withdrawal["actor"], withdrawal["extent"], withdrawal["confidence"]) == (
        "isil",
        "all",
        "claimed",
    )
    assert "reversed next day" in withdrawal["notes"]


def test_published_dates_are_never_invented(features: list[dict[str, Any]]) -> None:
    hit = {p["observed_on"]: p for p in props_of(features, "geonames:95788")}
    # "2014-10 (day not shown)" stays a month.
    assert hit["2014-10-02"]["citations"][0]["published"] == "2014-10"
    baiji = {p["observed_on"]: p for p in props_of(features, "geonames:97783")}
    assert baiji["2015-10-22"]["citations"][0]["published"] is None  # "n/a (encyclopedia)"


def test_special_places_use_their_own_geometry(features: list[dict[str, Any]]) -> None:
    by_place = {f["properties"]["place"]: shape(f["geometry"]) for f in features}
    mosul = geo.footprint("geonames:99072").geometry
    east = by_place["Mosul (east bank)"]
    assert 0.3 < geo.area_km2(east) / geo.area_km2(mosul) < 0.9
    assert east.centroid.x > mosul.centroid.x
    compound = by_place["Ramadi (government compound)"]
    assert geo.area_km2(compound) < 10
    refinery = by_place["Baiji oil refinery"]
    assert not refinery.intersects(geo.footprint("geonames:97783").geometry.buffer(-0.001))
    anbar = by_place["Al-Anbar governorate"]
    assert geo.area_km2(anbar) > 100_000


def test_war_declared_over_ends_with_government_control_of_anbar(
    features: list[dict[str, Any]],
) -> None:
    last = features[-1]["properties"]
    assert (last["observed_on"], last["place_id"]) == ("2017-12-09", "iq-adm1:IQG01")
    assert (last["actor"], last["status"], last["extent"]) == ("iraq-gov", "control", "all")


@pytest.mark.skipif(not REFERENCE.is_file(), reason="reference timeline not available")
def test_every_timeline_row_is_a_claim(features: list[dict[str, Any]]) -> None:
    with REFERENCE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    claims = set()
    for feature in features:
        observed, url = (
            feature["properties"]["observed_on"],
            feature["properties"]["citations"][0]["url"],
        )
        claims |= {(observed, url), (observed[:7], url)}  # month rows are dated "YYYY-MM"
    for row in rows:
        assert (row["date"], row["source_url"]) in claims, row
    assert len(features) == len(rows)


@pytest.mark.skipif(not (REFERENCE.is_file() and SEED.is_file()), reason="sources missing")
def test_committed_demo_matches_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "claims.geojson"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_demo.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == CLAIMS_FILE.read_text(encoding="utf-8")
