"""The README's "Adding a theatre" commands, run as written on small files made here."""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from controlmap.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"

# A made-up country in open desert: two districts split at 30.5 E, one town in the west.
WEST, EAST = box(29.0, 13.0, 30.5, 16.0), box(30.5, 13.0, 32.0, 16.0)
TOWN = ("9911001", "Qaryat Nadir", "Qaryat Nadir", "Karyat Nader,قرية نادر", 14.6, 29.7)


def theatre_commands() -> list[list[str]]:
    """The indented `controlmap ...` lines of the README's "Adding a theatre" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Adding a theatre\n", 1)[1].split("\n## ", 1)[0]
    return [
        shlex.split(line, comments=True)
        for line in section.splitlines()
        if line.startswith("    controlmap ")
    ]


def _boundaries(path: Path) -> None:
    """A COD-AB style admin-2 layer at ``path`` (zipped shapefile or any vector file)."""
    frame = gpd.GeoDataFrame(
        {"ADM2_EN": ["West District", "East District"], "ADM2_PCODE": ["XX0101", "XX0102"]},
        geometry=[WEST, EAST],
        crs=4326,
    )
    if path.suffix != ".zip":
        frame.to_file(path)
        return
    shp = path.with_suffix(".shp")
    frame.to_file(shp)
    with zipfile.ZipFile(path, "w") as archive:
        for part in path.parent.glob(f"{path.stem}.*"):
            if part != path:
                archive.write(part, part.name)


def _geonames(path: Path) -> None:
    """A GeoNames country dump (the 19 tab-separated columns) with one town."""
    gid, name, ascii_, alternates, lat, lon = TOWN
    cells = [gid, name, ascii_, alternates, str(lat), str(lon), "P", "PPLA2", "XX", "", "01"]
    cells += ["", "", "", "45000", "", "400", "Africa/Test", "2024-01-01"]
    path.write_text("\t".join(cells) + "\n", encoding="utf-8")


def _claims(path: Path) -> None:
    """Two claims of two new actors on the two districts."""
    actors = [
        {"id": "north-front", "name": "North Front", "aliases": ["NF"], "colour": "#882255"},
        {"id": "south-army", "name": "South Army", "aliases": ["SA"], "colour": "#56B4E9"},
    ]
    features = [
        {
            "type": "Feature",
            "geometry": geometry.__geo_interface__,
            "properties": {
                "actor": actor,
                "status": "control",
                "extent": "all",
                "observed_on": "2024-03-01",
                "citations": [{"title": "A field report", "url": "https://example.org/r"}],
            },
        }
        for actor, geometry in (("north-front", WEST), ("south-army", EAST))
    ]
    collection = {"type": "FeatureCollection", "actors": actors, "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")


def _make_input(argv: list[str]) -> None:
    """Write the file a command names, at the path it names (relative to the working folder)."""
    if argv[:2] == ["geo", "import"]:
        path = Path(argv[2])
        write = _geonames if path.suffix == ".txt" else _boundaries
    elif argv[0] == "import":
        path, write = Path(argv[1]), _claims
    else:
        raise AssertionError(f"the test does not know what file {argv} reads")
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path)


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_readme_adds_a_theatre_in_at_most_three_commands(capsys, tmp_path, monkeypatch):
    commands = theatre_commands()
    assert 1 <= len(commands) <= 3, commands
    assert all(c[0] == "controlmap" for c in commands)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLMAP_DB", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("CONTROLMAP_DATA_DIR", str(tmp_path / "data"))
    # The web map's files for this throwaway pack would only fill static/ (tested apart).
    monkeypatch.setattr("controlmap.cli._publish_basemap", lambda: None)

    names = set()
    for command in commands:
        argv = command[1:]
        _make_input(argv)
        if "--name" in argv:
            names.add(argv[argv.index("--name") + 1])
        code, _, err = run(capsys, argv)
        assert code == 0, f"{shlex.join(command)}: {err}"
    assert len(names) == 1, names  # the boundaries and the places go to one pack
    (pack_name,) = names

    # geo list shows the new pack, outside the repository, on the extent of its files.
    code, out, _ = run(capsys, ["geo", "list"])
    pack = next(p for p in json.loads(out) if p["name"] == pack_name)
    assert pack["bundled"] is False
    assert Path(pack["folder"]).parent == tmp_path / "data" / "packs"
    assert pack["extent"][0] == pytest.approx(29.0, abs=0.05)
    assert pack["extent"][2] == pytest.approx(32.0, abs=0.05)
    assert "GeoNames" in pack["attribution"]

    # state returns the imported claims: each district held by its actor.
    code, out, err = run(capsys, ["state", "--date", "2024-03-02"])
    assert code == 0, err
    held = {f["properties"]["actor"] for f in json.loads(out)["features"]}
    assert {"north-front", "south-army"} <= held

    # geocode finds the town of the dump, by another of its spellings too.
    for spelling in ("Qaryat Nadir", "Karyat Nader", "قرية نادر"):
        code, out, err = run(capsys, ["geocode", spelling, "--limit", "3"])
        assert code == 0, err
        found = json.loads(out)
        assert found and found[0]["place_id"] == f"geonames:{TOWN[0]}", (spelling, found[:1])
        assert found[0]["lat"] == pytest.approx(14.6) and found[0]["lon"] == pytest.approx(29.7)
