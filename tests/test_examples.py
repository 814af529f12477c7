"""The second-theatre example in data/examples/: imports, resolves, matches its build."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from controlmap.cli import main
from controlmap.model import ActorRegistry
from controlmap.store import Store

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "sudan-2023-2025.geojson"
SOURCE = REPO / "data" / "examples" / "sudan-2023-2025.source.json"

TOWNS = {  # GeoNames points (lon, lat)
    "Khartoum": (32.53241, 15.55177),
    "Omdurman": (32.47773, 15.64453),
    "Wad Madani": (33.51989, 14.40118),
    "El Fasher": (25.34936, 13.62793),
    "Nyala": (24.88069, 12.04888),
    "El Geneina": (22.44725, 13.45262),
    "Singa": (33.93117, 13.1483),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sudan_db(capsys: pytest.CaptureFixture[str], db_url: str) -> str:
    assert run(capsys, "--db", db_url, "init", "--no-demo")[0] == 0
    code, _, err = run(capsys, "--db", db_url, "import", str(EXAMPLE))
    assert code == 0, err
    assert "imported 20 claims" in err
    return db_url


def holder(capsys: pytest.CaptureFixture[str], db: str, day: str, town: str) -> tuple | None:
    code, out, _ = run(capsys, "--db", db, "state", "--date", day)
    assert code == 0
    point = Point(*TOWNS[town])
    hits = [
        f["properties"] for f in json.loads(out)["features"] if shape(f["geometry"]).contains(point)
    ]
    assert len(hits) <= 1, "resolved pieces must not overlap"
    if not hits:
        return None
    h = hits[0]
    return (h["actor"], h["status"], h["extent"], h["since"])


@pytest.mark.parametrize(
    ("town", "day", "expected"),
    [
        ("Khartoum", "2023-04-14", None),
        ("Khartoum", "2023-04-16", ("rsf", "control", "part", "2023-04-15")),
        ("Khartoum", "2024-07-01", ("rsf", "control", "most", "2024-06-30")),
        ("Khartoum", "2025-03-23", ("saf", "control", "most", "2025-03-21")),
        ("Khartoum", "2025-04-01", ("saf", "control", "all", "2025-03-26")),
        ("Wad Madani", "2023-12-18", ("rsf", "control", "part", "2023-12-18")),
        ("Wad Madani", "2024-06-01", ("rsf", "control", "all", "2023-12-19")),
        ("Wad Madani", "2025-01-12", ("saf", "control", "all", "2025-01-11")),
        ("El Fasher", "2025-10-25", ("saf", "control", "all", "2025-03-21")),
        ("El Fasher", "2025-10-27", ("rsf", "control", "all", "2025-10-26")),
        ("Nyala", "2023-10-27", ("rsf", "control", "all", "2023-10-26")),
        ("El Geneina", "2023-11-05", ("rsf", "control", "all", "2023-11-04")),
        ("Singa", "2024-07-01", ("rsf", "control", "all", "2024-06-29")),
        ("Singa", "2024-11-24", ("saf", "control", "all", "2024-11-23")),
        ("Omdurman", "2024-03-13", ("saf", "control", "part", "2024-03-12")),
        ("Omdurman", "2025-05-21", ("saf", "control", "all", "2025-05-20")),
    ],
)
def test_state_follows_the_sudan_timeline(capsys, sudan_db, town, day, expected) -> None:
    assert holder(capsys, sudan_db, day, town) == expected


def test_state_names_the_actors_and_cites_the_reports(capsys, sudan_db) -> None:
    code, out, _ = run(capsys, "--db", sudan_db, "state", "--date", "2025-10-27")
    assert code == 0
    pieces = [f["properties"] for f in json.loads(out)["features"]]
    fasher = [p for p in pieces if p["since"] == "2025-10-26"]
    assert fasher and fasher[0]["actor_name"] == "Rapid Support Forces (RSF)"
    assert fasher[0]["sources"][0]["publisher"] == "FDD's Long War Journal"
    assert {p["actor"] for p in pieces} == {"rsf", "saf"}


def test_the_file_defines_its_actors_with_arabic_and_cyrillic_aliases(sudan_db) -> None:
    registry = Store(sudan_db).actors()
    assert registry.resolve("الدعم السريع").id == "rsf"
    assert registry.resolve("قوات الدعم السريع").id == "rsf"
    assert registry.resolve("Rapid Support Forces").id == "rsf"
    assert registry.resolve("الجيش السوداني").id == "saf"
    assert registry.resolve("Sudanese army").id == "saf"
    assert registry.resolve("Силы быстрого реагирования").id == "rsf"
    assert registry.resolve("Суданская армия").id == "saf"
    # The Iraq demo's registry is still there, untouched.
    assert registry.resolve("Daesh").id == "isil"


def test_every_claim_is_cited_and_flagged_approximate() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert len(data["features"]) == 20
    for feature in data["features"]:
        props = feature["properties"]
        assert props["citations"], props
        for cited in props["citations"]:
            assert cited["url"].startswith("https://")
            assert cited["title"] and cited["publisher"] and cited["published"]
        assert "approximate disc" in props["notes"]
        assert props["place_id"].startswith("geonames:")
    colours = [a["colour"] for a in data["actors"]]
    assert len(set(colours)) == len(colours)


def test_the_committed_file_is_what_the_build_makes(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_example.py"
    spec = importlib.util.spec_from_file_location("build_example", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_example"] = module
    spec.loader.exec_module(module)
    copy = tmp_path / SOURCE.name
    copy.write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    built = module.build(copy)
    assert json.loads(built.read_text(encoding="utf-8")) == json.loads(
        EXAMPLE.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("text", "actor", "place_id"),
    [
        ("The Rapid Support Forces seized Wad Madani on Monday.", "rsf", "geonames:364103"),
        ("Sudanese army troops recaptured El Fasher on Saturday.", "saf", "geonames:379555"),
        ("سيطرت قوات الدعم السريع على مدينة الفاشر.", "rsf", "geonames:379555"),
        ("Силы быстрого реагирования захватили Эль-Фашер.", "rsf", "geonames:379555"),
    ],
)
def test_extraction_reads_the_example_actors_from_the_registry(
    sudan_db: str, text: str, actor: str, place_id: str
) -> None:
    from controlmap.extract import extract

    registry = Store(sudan_db).actors()
    found = extract(text, published="2023-12-20", registry=registry)
    assert [(s.actor, s.place_id) for s in found] == [(actor, place_id)]
    # Without the file's actors, the same report names no known actor.
    assert extract(text, published="2023-12-20", registry=ActorRegistry()) == []
