"""Geo packs: the bundled ones, `controlmap geo import` / `geo list`, and what packs feed."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from controlmap import geo, packs
from controlmap.cli import main
from controlmap.geometry import area_km2
from controlmap.render import basemap_data

# A made-up theatre in open desert (no real names needed): two provinces split at 30.5 E,
# the western one cut into two districts at 14.5 N.
WEST, EAST = box(29.0, 13.0, 30.5, 16.0), box(30.5, 13.0, 32.0, 16.0)
NORTH, SOUTH = box(29.0, 14.5, 30.5, 16.0), box(29.0, 13.0, 30.5, 14.5)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_DATA_DIR", str(tmp_path / "data"))
    # The web map's files for these throwaway packs would only fill static/ (tested apart).
    monkeypatch.setattr("controlmap.cli._publish_basemap", lambda: None)
    return tmp_path / "data"


def _cod_adm1(path: Path) -> Path:
    gpd.GeoDataFrame(
        {"ADM1_EN": ["West Province", "East Province"], "ADM1_PCODE": ["XX01", "XX02"]},
        geometry=[WEST, EAST],
        crs=4326,
    ).to_file(path, driver="GeoJSON")
    return path


def _geoboundaries_adm2_zip(folder: Path) -> Path:
    shp = folder / "gb_adm2.shp"
    gpd.GeoDataFrame(
        {
            "shapeName": ["North District", "South District"],
            "shapeID": ["G1", "G2"],
            "shapeType": ["ADM2", "ADM2"],
        },
        geometry=[NORTH, SOUTH],
        crs=4326,
    ).to_file(shp)
    out = folder / "gb_adm2.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for part in folder.glob("gb_adm2.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    return out


def _geonames_dump(path: Path) -> Path:
    rows = [
        # id, name, ascii, alternates, lat, lon, class, code, cc, ..., population
        ("9900001", "Qaryat Test", "Qaryat Test", "Testville,قرية", 14.52, 29.8, "P", "PPL", "XX"),
        ("9900002", "Second Town", "Second Town", "", 15.2, 31.2, "P", "PPLA", "XX"),
        ("9900003", "Some Hill", "Some Hill", "", 15.0, 31.0, "T", "HLL", "XX"),
    ]
    lines = []
    for gid, name, ascii_, alt, lat, lon, cls, code, cc in rows:
        cells = [gid, name, ascii_, alt, str(lat), str(lon), cls, code, cc, "", "01", "", "", ""]
        cells += ["60000" if cls == "P" else "0", "", "400", "Africa/Test", "2024-01-01"]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its content: to prove nothing changed."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_packs_are_the_world_and_the_demo_theatre():
    installed = {p.name: p for p in packs.installed()}
    assert {"world", "iraq-syria"} <= set(installed)
    world = installed["world"]
    assert world.extent == (-180.0, -90.0, 180.0, 90.0)
    assert "Natural Earth" in world.attribution
    assert {layer.kind for layer in world.layers} >= {
        "land",
        "lakes",
        "rivers",
        "borders",
        "disputed",
        "admin",
        "places",
        "urban",
    }
    # The detailed pack comes first: its units and places win where both have one.
    order = [p.name for p in packs.installed()]
    assert order.index("iraq-syria") < order.index("world")


def test_geo_list_prints_every_pack_with_extent_and_attribution(capsys, data_dir):
    code, out, _ = run(capsys, "geo", "list")
    assert code == 0
    listed = {p["name"]: p for p in json.loads(out)}
    assert listed["world"]["extent"] == [-180.0, -90.0, 180.0, 90.0]
    assert listed["iraq-syria"]["attribution"]


def test_import_boundaries_and_places_makes_a_pack_the_map_uses(capsys, data_dir, tmp_path):
    code, _, err = run(
        capsys,
        "geo",
        "import",
        str(_cod_adm1(tmp_path / "xx_admbnda_adm1.geojson")),
        "--name",
        "testland",
        "--attribution",
        "Test boundaries, CC BY 4.0",
    )
    assert code == 0, err
    assert "pack testland: 2 features as adm1" in err
    code, _, err = run(
        capsys, "geo", "import", str(_geoboundaries_adm2_zip(tmp_path)), "--name", "testland"
    )
    assert code == 0 and "as adm2" in err, err  # level guessed from shapeType
    dump = _geonames_dump(tmp_path / "XX.txt")
    code, _, err = run(capsys, "geo", "import", str(dump), "--name", "testland")
    assert code == 0 and "as places" in err, err

    code, out, _ = run(capsys, "geo", "list")
    pack = next(p for p in json.loads(out) if p["name"] == "testland")
    assert pack["bundled"] is False and Path(pack["folder"]).parent == data_dir / "packs"
    assert pack["extent"][0] == pytest.approx(28.99) and pack["extent"][3] == pytest.approx(16.01)
    assert "Test boundaries" in pack["attribution"] and "GeoNames" in pack["attribution"]

    # Footprints: the admin unit by its id; a town as a disc clipped to the lowest unit.
    assert geo.footprint("testland-adm1:XX02").geometry.equals(EAST)
    town = geo.footprint("geonames:9900001")
    assert town.approximate and town.method == "population-buffer"
    assert NORTH.buffer(1e-4).contains(town.geometry)  # 14.52 N: clipped to North District
    assert area_km2(town.geometry) < 10.0  # 60,000 people: 10 km2 disc, cut at 14.5 N
    assert geo.place_name("testland-adm2:G2") == "South District"

    # The basemap and its labels draw from the new pack.
    admin = [g for g, p in basemap_data.features("admin") if p.get("level") == 2]
    assert any(g.equals(SOUTH) for g in admin)
    names = {label.name for label in basemap_data.labels()}
    assert {"Qaryat Test", "Second Town"} <= names and "Some Hill" not in names


BAD_FILES = {
    "garbage.geojson": b"{not json at all",
    "lines.geojson": json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"ADM1_EN": "A", "ADM1_PCODE": "A1"},
                    "geometry": {"type": "LineString", "coordinates": [[30, 14], [31, 15]]},
                }
            ],
        }
    ).encode(),
    "nameless.geojson": json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"ADM1_PCODE": "A1"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[30, 14], [31, 14], [31, 15], [30, 14]]],
                    },
                }
            ],
        }
    ).encode(),
    "empty.zip": b"PK\x05\x06" + b"\x00" * 18,
    "XX.txt": b"12\tshort line\n",
    "table.csv": b"name,lat,lon\nA,1,2\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_gets_one_line_and_changes_nothing(capsys, data_dir, tmp_path, name):
    code, _, _ = run(
        capsys, "geo", "import", str(_cod_adm1(tmp_path / "ok.geojson")), "--name", "testland"
    )
    assert code == 0
    before = _tree(data_dir)
    bad = tmp_path / name
    bad.write_bytes(BAD_FILES[name])
    code, out, err = run(capsys, "geo", "import", str(bad), "--name", "testland")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("controlmap geo: ") and name in err, err
    assert "Traceback" not in err
    assert _tree(data_dir) == before


def test_bundled_names_are_not_taken_and_names_are_checked(capsys, data_dir, tmp_path):
    path = _cod_adm1(tmp_path / "a.geojson")
    code, _, err = run(capsys, "geo", "import", str(path), "--name", "world")
    assert code == 1 and "bundled pack" in err
    code, _, err = run(capsys, "geo", "import", str(path), "--name", "../escape")
    assert code == 1 and "pack name" in err
    assert _tree(data_dir / "packs") == {}


def test_world_pack_gives_a_town_outside_every_theatre_an_admin_clipped_disc(monkeypatch):
    # A point in the world pack only: clipped to its Natural Earth admin-1 unit.
    units = geo._units_at(32.53, 15.55)
    assert len(units) == 1 and units[0].contains(Point(32.53, 15.55))


def test_labels_are_ordered_by_importance_and_one_per_place():
    labels = basemap_data.labels()
    zooms = [label.min_zoom for label in labels]
    assert zooms == sorted(zooms)
    assert labels[0].population > 1_000_000  # the first label is a big city
    names = [label.name for label in labels if label.name == "Baghdad"]
    assert len(names) == 1  # in both bundled packs, drawn once


def test_basemap_is_published_per_band_and_loaded_by_url(tmp_path):
    from controlmap.render import basemap, style

    version = basemap_data.publish(tmp_path)
    index = json.loads((tmp_path / "basemap" / version / "index.json").read_text())
    assert [b["name"] for b in index["bands"]] == ["b0", "b1", "b2"]
    assert index["bands"][0]["tiles"] == ["all"] and len(index["bands"][2]["tiles"]) > 100
    places = json.loads((tmp_path / "basemap" / version / "places.json").read_text())
    assert len(places) > 5000  # world places plus the demo pack's towns
    # The page's script names the files; it does not carry them (a step would resend them).
    html = basemap.base_map([], style.Look(), view=(15.5, 32.5, 6)).get_root().render()
    assert "static/basemap/" in html and len(html) < 100_000
    assert basemap_data.publish(tmp_path) == version  # a second call writes nothing new


def test_a_world_town_takes_its_natural_earth_outline_else_an_approximate_disc():
    # Wad Madani lies inside a Natural Earth urban area named after it: its real outline.
    medani = geo.footprint("geonames:364103")
    assert medani.method == "urban-area" and not medani.approximate
    assert medani.geometry.contains(Point(33.52, 14.40))
    # El Fasher has no outline in the sources: a population disc, flagged as approximate.
    fasher = geo.footprint("geonames:379555")
    assert fasher.method == "population-buffer" and fasher.approximate
    assert fasher.geometry.contains(Point(25.34936, 13.62793))
