"""``controlmap geo import``: a theatre pack from the files analysts have, all or nothing.

Reads boundaries (OCHA COD-AB or geoBoundaries shapefiles, zipped or not, GeoPackage,
GeoJSON), built-up outlines, labelled points, and GeoNames country dumps (``XX.txt``), and
writes them as a pack (see :mod:`controlmap.packs`) in the data folder. Adding a layer to an
existing pack rebuilds the pack in a new folder and swaps it in, so a bad file leaves every
installed pack as it was.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from controlmap import packs, settings
from controlmap.packs import PackError

LEVELS = ("adm1", "adm2", "adm3", "urban", "places")
VECTOR_SUFFIXES = (".shp", ".zip", ".gpkg", ".geojson", ".json")
MAX_FILE_BYTES = 1024 * 1024 * 1024
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
GEONAMES_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "lat",
    "lon",
    "feature_class",
    "feature_code",
    "country_code",
    "cc2",
    "admin1",
    "admin2",
    "admin3",
    "admin4",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modified",
)
# Columns of a pack's own place table (the "controlmap" gazetteer format of geo.gazetteer).
GAZETTEER_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "alternatenames_ar",
    "lat",
    "lon",
    "feature_code",
    "country_code",
    "admin1_name",
    "admin2_name",
    "population",
    "adm1_id",
    "adm2_id",
    "adm3_id",
    "population_src",
)
_ARABIC = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True)
class Imported:
    pack: str
    kind: str
    count: int
    folder: Path


def _fail(path: Path, message: str) -> PackError:
    return PackError(f"{path.name}: {message}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _is_geonames_dump(path: Path) -> bool:
    return path.suffix.lower() == ".txt"


def _read_vector(path: Path) -> gpd.GeoDataFrame:
    """Any vector file pyogrio reads, in EPSG:4326; a zip may hold one shapefile."""
    import pyogrio

    source: str | Path = path
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                shapes = [n for n in archive.namelist() if n.lower().endswith(".shp")]
        except zipfile.BadZipFile:
            raise _fail(path, "not a readable zip archive") from None
        if len(shapes) != 1:
            raise _fail(path, f"the zip must hold exactly one .shp file, it holds {len(shapes)}")
        source = f"/vsizip/{path}/{shapes[0]}"
    try:
        frame = gpd.read_file(source)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        kind = "a shapefile, GeoPackage or GeoJSON file that GDAL can read"
        raise _fail(path, f"is not {kind}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot read it ({type(exc).__name__})") from None
    if frame.empty:
        raise _fail(path, "holds no features")
    if frame.crs is None:
        raise _fail(path, "has no coordinate reference system (add a .prj or use EPSG:4326)")
    try:
        frame = frame.to_crs(4326)
    except Exception:  # pyproj raises several types for unusable CRSs
        raise _fail(path, f"cannot convert {frame.crs.name!r} to longitude/latitude") from None
    return frame


def _column(frame: pd.DataFrame, *patterns: str) -> str | None:
    """The first column whose name matches one of ``patterns`` (regexes, case-insensitive)."""
    for pattern in patterns:
        for column in frame.columns:
            if re.fullmatch(pattern, str(column), flags=re.IGNORECASE):
                return str(column)
    return None


def guess_level(frame: gpd.GeoDataFrame) -> str | None:
    """adm1/adm2/adm3 from COD-AB (ADMn_PCODE) or geoBoundaries (shapeType) fields."""
    for n in (3, 2, 1):
        if _column(frame, f"adm{n}_pcode"):
            return f"adm{n}"
    if "shapeType" in frame.columns:
        kinds = set(frame["shapeType"].astype(str).str.upper())
        for n in (1, 2, 3):
            if kinds == {f"ADM{n}"}:
                return f"adm{n}"
    kinds_of_geometry = set(frame.geom_type)
    if kinds_of_geometry <= {"Point", "MultiPoint"}:
        return "places"
    return None


def _polygons(frame: gpd.GeoDataFrame, path: Path) -> np.ndarray:
    geoms = frame.geometry.values
    if any(g is None or g.is_empty for g in geoms):
        row = next(i for i, g in enumerate(geoms) if g is None or g.is_empty)
        raise _fail(path, f"feature {row + 1} has no geometry")
    geoms = shapely.make_valid(np.asarray(geoms, dtype=object))
    out = []
    for i, geom in enumerate(geoms):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        if not parts:
            raise _fail(path, f"feature {i + 1} is a {geom.geom_type}, not an area")
        out.append(shapely.multipolygons(parts) if len(parts) > 1 else parts[0])
    arr = np.asarray(out, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(arr)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise _fail(path, "coordinates fall outside longitude/latitude")
    return np.asarray(shapely.set_precision(arr, 1e-5), dtype=object)


def _admin(frame: gpd.GeoDataFrame, level: int, path: Path) -> gpd.GeoDataFrame:
    id_col = _column(
        frame, f"adm{level}_pcode", "shapeid", "pcode", r"gid_\d", "id", "code", r"adm\d_pcode"
    )
    name_col = _column(
        frame, f"adm{level}_en", "shapename", f"name_{level}", "name_en", "name", f"adm{level}_name"
    )
    if name_col is None:
        raise _fail(path, "no name field (looked for ADMn_EN, shapeName, NAME_n, name)")
    names = frame[name_col].fillna("").astype(str).str.strip()
    if (names == "").any():
        raise _fail(path, f"feature {int(np.argmax(names == '')) + 1} has an empty {name_col}")
    ids = frame[id_col].astype(str) if id_col else pd.Series(range(1, len(frame) + 1)).astype(str)
    if ids.duplicated().any():
        raise _fail(path, f"id {ids[ids.duplicated()].iloc[0]!r} is used twice in {id_col}")
    out = gpd.GeoDataFrame(
        {"id": ids.values, "name": names.values, "level": level},
        geometry=_polygons(frame, path),
        crs=4326,
    )
    local = _column(frame, f"adm{level}_ar", f"adm{level}_local", "name_local", "shapename_local")
    if local:
        out["name_local"] = frame[local].fillna("").astype(str).values
    for parent in range(1, level):
        column = _column(frame, f"adm{parent}_pcode")
        if column:
            out[f"adm{parent}_id"] = frame[column].astype(str).values
    return out


def _urban(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    from controlmap import geo

    out = gpd.GeoDataFrame(geometry=_polygons(frame, path), crs=4326)
    out["area_km2"] = (out.to_crs(6933).area / 1e6).round(1)
    # Label each outline with the most populous known place inside it (for footprints).
    places = geo.gazetteer()
    out["place_id"] = ""
    out["place"] = ""
    out["population"] = 0
    if not places.empty:
        points = gpd.GeoDataFrame(
            places[["geonameid", "name", "population"]],
            geometry=gpd.points_from_xy(places["lon"], places["lat"]),
            crs=4326,
        )
        joined = gpd.sjoin(points, out[["geometry"]], predicate="within")
        best = joined.sort_values("population", ascending=False).drop_duplicates("index_right")
        for _, row in best.iterrows():
            i = int(row["index_right"])
            out.loc[i, ["place_id", "place", "population"]] = [
                f"geonames:{row['geonameid']}",
                row["name"],
                int(row["population"]),
            ]
    out["id"] = [f"urban:{i}" for i in range(len(out))]
    return out


def _points(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    if not set(frame.geom_type) <= {"Point"}:
        raise _fail(path, "a places layer must hold points")
    name_col = _column(frame, "name", "name_en", "label", "shapename")
    if name_col is None:
        raise _fail(path, "no name field for the places (looked for name, name_en, label)")
    pop_col = _column(frame, "population", "pop", "pop_max")
    population = (
        pd.to_numeric(frame[pop_col], errors="coerce").fillna(0).astype(int)
        if pop_col
        else pd.Series(0, index=frame.index)
    )
    return gpd.GeoDataFrame(
        {
            "name": frame[name_col].fillna("").astype(str).values,
            "population": population.values,
            "place_id": "",
        },
        geometry=frame.geometry.values,
        crs=4326,
    )


def _geonames(path: Path) -> pd.DataFrame:
    """A GeoNames country dump: the populated places (feature class P), checked row by row."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(path, "is not UTF-8 text (a GeoNames dump is)") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(GEONAMES_COLUMNS):
            raise _fail(
                path,
                f"line {number} has {len(cells)} tab-separated columns, a GeoNames dump has 19",
            )
        row = dict(zip(GEONAMES_COLUMNS, cells, strict=True))
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
            int(row["geonameid"])
        except ValueError:
            reason = f"line {number}: geonameid, latitude or longitude is not a number"
            raise _fail(path, reason) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not np.isfinite([lat, lon]).all():
            raise _fail(path, f"line {number}: coordinates {lat}, {lon} are out of range")
        if row["feature_class"] == "P":
            rows.append(row)
    if not rows:
        raise _fail(path, "holds no populated places (feature class P)")
    frame = pd.DataFrame(rows)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").fillna(0)
    frame["population"] = frame["population"].astype(int)
    return frame


def _gazetteer_table(dump: pd.DataFrame) -> pd.DataFrame:
    names = dump["alternatenames"].str.split(",")
    return pd.DataFrame(
        {
            "geonameid": dump["geonameid"],
            "name": dump["name"],
            "asciiname": dump["asciiname"],
            "alternatenames": names.map(lambda v: "|".join(n for n in v if n)),
            "alternatenames_ar": names.map(lambda v: "|".join(n for n in v if _ARABIC.search(n))),
            "lat": dump["lat"].astype(float).round(5),
            "lon": dump["lon"].astype(float).round(5),
            "feature_code": dump["feature_code"],
            "country_code": dump["country_code"],
            "admin1_name": "",
            "admin2_name": "",
            "population": dump["population"],
            "adm1_id": "",
            "adm2_id": "",
            "adm3_id": "",
            "population_src": "geonames",
        },
        columns=list(GAZETTEER_COLUMNS),
    )


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    data = json.loads(frame.to_json(drop_id=True, to_wgs84=False))
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _manifest(folder: Path, name: str) -> dict[str, Any]:
    path = folder / packs.MANIFEST
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"name": name, "title": name, "attribution": "", "licence": "", "layers": []}


def _extent(folder: Path, manifest: dict[str, Any]) -> list[float]:
    boxes = []
    for layer in manifest["layers"]:
        with (folder / layer["file"]).open(encoding="utf-8") as fh:
            data = json.load(fh)
        geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"] if f["geometry"]]
        if geoms:
            boxes.append(shapely.total_bounds(geoms))
    if not boxes:
        raise PackError("the pack would hold no geometry")
    stacked = np.vstack(boxes)
    minx, miny = stacked[:, 0].min(), stacked[:, 1].min()
    maxx, maxy = stacked[:, 2].max(), stacked[:, 3].max()
    # A single town has a zero-size box; a pack's extent must have an area.
    pad = 0.01
    return [
        round(max(float(minx) - pad, -180.0), 5),
        round(max(float(miny) - pad, -90.0), 5),
        round(min(float(maxx) + pad, 180.0), 5),
        round(min(float(maxy) + pad, 90.0), 5),
    ]


def import_pack(
    path: Path, *, name: str | None = None, level: str | None = None, attribution: str | None = None
) -> Imported:
    """Add one file to a pack (created if new); PackError with a one-line reason otherwise.

    Parameters
    ----------
    path : Path
        Shapefile (or a zip holding one), GeoPackage, GeoJSON, or a GeoNames ``XX.txt`` dump.
    name : str, optional
        The pack to create or extend; from the file name when None.
    level : str, optional
        ``adm1``, ``adm2``, ``adm3``, ``urban`` or ``places``; guessed from COD-AB and
        geoBoundaries fields (and from points or a GeoNames dump) when None.
    attribution : str, optional
        Credit line shown on maps; for a GeoNames dump, GeoNames CC BY 4.0 when None.
    """
    path = Path(path)
    if not path.is_file():
        raise PackError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _fail(path, f"is larger than {MAX_FILE_BYTES:,} bytes")
    if level is not None and level not in LEVELS:
        raise PackError(f"--level must be one of {', '.join(LEVELS)}")
    pack_name = name or _slug(re.sub(r"_?(adm\d|admbnda).*$", "", path.stem, flags=re.I))
    if not _SLUG.fullmatch(pack_name or ""):
        raise PackError(f"pack name {pack_name!r}: use 1-40 lower-case letters, digits and '-'")
    if any(p.bundled and p.name == pack_name for p in packs.installed()):
        raise PackError(f"{pack_name!r} is a bundled pack; choose another --name")

    gazetteer: pd.DataFrame | None = None
    if _is_geonames_dump(path):
        if level not in (None, "places"):
            raise _fail(path, "a GeoNames dump holds places; use --level places")
        dump = _geonames(path)
        gazetteer = _gazetteer_table(dump)
        kind, file_level = "places", None
        labelled = dump[dump["population"] > 0]
        layer = gpd.GeoDataFrame(
            {
                "name": labelled["name"].values,
                "population": labelled["population"].values,
                "place_id": ("geonames:" + labelled["geonameid"]).values,
            },
            geometry=gpd.points_from_xy(
                labelled["lon"].astype(float), labelled["lat"].astype(float)
            ),
            crs=4326,
        )
        attribution = attribution or "GeoNames, CC BY 4.0"
    else:
        if path.suffix.lower() not in VECTOR_SUFFIXES:
            raise _fail(
                path,
                "unknown file type; use a shapefile (.shp or .zip), GeoPackage, GeoJSON or a "
                "GeoNames XX.txt dump",
            )
        frame = _read_vector(path)
        level = level or guess_level(frame)
        if level is None:
            raise _fail(path, "cannot tell which layer this is; give --level adm1|adm2|adm3|urban")
        if level == "urban":
            kind, file_level, layer = "urban", None, _urban(frame, path)
        elif level == "places":
            kind, file_level, layer = "places", None, _points(frame, path)
        else:
            n = int(level[-1])
            kind, file_level, layer = "admin", n, _admin(frame, n, path)

    target = settings.current().packs_dir / pack_name
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{pack_name}-", dir=target.parent))
    try:
        if target.is_dir():
            shutil.copytree(target, work, dirs_exist_ok=True)
        manifest = _manifest(work, pack_name)
        file = f"{level}.geojson"
        _write_geojson(layer, work / file)
        entry: dict[str, Any] = {"kind": kind, "file": file}
        if kind == "admin":
            entry.update(level=file_level, id_prefix=f"{pack_name}-{level}")
        manifest["layers"] = [e for e in manifest["layers"] if e["file"] != file] + [entry]
        if gazetteer is not None:
            buffer = io.StringIO()
            gazetteer.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            (work / "gazetteer.csv").write_text(buffer.getvalue(), encoding="utf-8")
            manifest["gazetteer"] = {"file": "gazetteer.csv", "format": "controlmap"}
        credits = [c for c in (manifest.get("attribution"), attribution) if c]
        manifest["attribution"] = " &middot; ".join(dict.fromkeys(credits)) or f"{path.name}"
        sources = manifest.setdefault("sources", [])
        sources.append({"file": path.name, "layer": level})
        manifest["extent"] = _extent(work, manifest)
        manifest["files"] = sorted(
            str(p.relative_to(work)) for p in work.rglob("*") if p.is_file()
        ) + [packs.MANIFEST]
        (work / packs.MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        packs.load(work, bundled=False)  # the new pack must load before it replaces the old
        old = target.with_name(f".{pack_name}-old")
        if target.exists():
            target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Imported(pack_name, level or kind, len(layer), target)
