"""Exports read back by GDAL (pyogrio) and by the standard library, hostile text included."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pyogrio
import pytest
import shapely
from PIL import Image

from controlmap import dataset, export
from controlmap.errors import ControlmapError
from controlmap.model import ActorRegistry, Citation, Claim, Source
from controlmap.render import vendor
from controlmap.resolve import resolve
from controlmap.store import Store

D = dt.date.fromisoformat
DAY = D("2015-05-20")
KML = "{http://www.opengis.net/kml/2.2}"
HOSTILE = "<script>alert('x')</script> ]]> & \"quoted\" `${1+1}` </Placemark>"


@pytest.fixture(scope="module")
def demo(demo_db: str) -> tuple[list[Claim], ActorRegistry, int]:
    store = Store(demo_db)
    return store.claims(), store.actors(), store.data_version()


@pytest.fixture
def hostile(make_claim, demo) -> list[Claim]:
    """Two claims whose every free text is an attack on some format."""
    source = Source(
        title=HOSTILE, publisher='=HYPERLINK("http://evil")', url="https://example.org/a?b=1&c=2"
    )
    cite = (Citation(source, excerpt=HOSTILE),)
    return [
        make_claim("isil", (43.0, 33.0, 43.2, 33.2), "2015-05-01", citations=cite, notes=HOSTILE),
        make_claim("iraq-gov", (43.1, 33.1, 43.3, 33.3), "2015-05-02", citations=cite),
    ]


# --- GeoPackage ------------------------------------------------------------------------------


def test_geopackage_has_claims_state_and_sources(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "out.gpkg"
    summary = export.write(path, claims=claims, registry=registry, day=DAY)
    assert "2015-05-20" in summary
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers == {"claims": "MultiPolygon", "state": "MultiPolygon", "sources": None}

    info = pyogrio.read_info(path, layer="claims")
    assert info["crs"] == "EPSG:4326"
    frame = pyogrio.read_dataframe(path, layer="claims")
    assert len(frame) == len(claims)
    assert set(frame["claim_id"]) == {c.id for c in claims}
    first = frame.sort_values("claim_id").iloc[0]
    claim = min(claims, key=lambda c: c.id or 0)
    assert first["observed_on"] == claim.observed_on.isoformat()
    assert first["actor_name"] == registry.get(claim.actor).name
    citations = json.loads(first["citations"])
    assert citations == [c.to_dict() for c in claim.citations]
    assert first["sources"] == len(claim.citations)
    for column in frame.columns.drop("geometry"):
        # QGIS needs plain columns: text, numbers, booleans; lists only as JSON text.
        assert not frame[column].map(lambda v: isinstance(v, list | dict)).any(), column

    state = pyogrio.read_dataframe(path, layer="state")
    pieces = resolve(claims, DAY)
    assert len(state) == len(pieces)
    assert set(state["date"]) == {"2015-05-20"}
    assert sorted(state["area_km2"]) == pytest.approx(sorted(p.area_km2 for p in pieces), abs=1e-3)
    assert all(isinstance(json.loads(v), list) for v in state["claim_ids"])

    sources = pyogrio.read_dataframe(path, layer="sources")
    keys = {c.source.key for claim in claims for c in claim.citations}
    assert len(sources) == len(keys)
    cited = {i for ids in sources["claim_ids"] for i in json.loads(ids)}
    assert cited == {c.id for c in claims}
    assert {"title", "publisher", "author", "url", "published"} <= set(sources.columns)


def test_geopackage_without_a_date_shows_today(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "today.gpkg"
    export.write(path, claims=claims, registry=registry)
    state = pyogrio.read_dataframe(path, layer="state")
    assert set(state["date"]) == {export.default_day(claims).isoformat()}


def test_empty_database_exports_empty_layers(tmp_path: Path, empty_store: Store):
    path = tmp_path / "empty.gpkg"
    export.write(path, claims=[], registry=empty_store.actors())
    assert [n for n, _ in pyogrio.list_layers(path)] == ["claims", "state", "sources"]
    assert len(pyogrio.read_dataframe(path, layer="claims")) == 0


# --- KML -------------------------------------------------------------------------------------


def placemarks(data: bytes) -> list[ET.Element]:
    return list(ET.fromstring(data).iter(f"{KML}Placemark"))


def test_kml_has_a_folder_per_actor_and_a_timespan_on_every_claim(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "claims.kml"
    export.write(path, claims=claims, registry=registry)
    root = ET.parse(path).getroot()
    folders = root.findall(f"{KML}Document/{KML}Folder")
    names = {f.findtext(f"{KML}name") for f in folders}
    assert names == {registry.get(a).name for a in {c.actor for c in claims}}
    marks = placemarks(path.read_bytes())
    assert len(marks) == len(claims)
    by_id = {f"claim-{c.id}": c for c in claims}
    for mark in marks:
        claim = by_id[mark.get("id")]
        span = mark.find(f"{KML}TimeSpan")
        assert span is not None
        assert span.findtext(f"{KML}begin") == claim.observed_on.isoformat()
        end = span.findtext(f"{KML}end")
        assert end == (claim.valid_until.isoformat() if claim.valid_until else None)
        assert mark.findtext(f"{KML}styleUrl", "").startswith(f"#{claim.actor}-")
        assert mark.find(f".//{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates") is not None
    styles = {s.get("id") for s in root.iter(f"{KML}Style")}
    colour = root.find(f".//{KML}Style[@id='isil-full']/{KML}PolyStyle/{KML}color")
    assert "isil-partial" in styles and colour is not None
    assert colour.text == export.kml_colour(registry.get("isil").colour, export.FULL_ALPHA)

    # GDAL reads it back: one layer per folder, every claim, with its attributes.
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert set(layers) == names
    frames = [pyogrio.read_dataframe(path, layer=name) for name in layers]
    assert sum(len(f) for f in frames) == len(claims)
    isil = pyogrio.read_dataframe(path, layer=registry.get("isil").name)
    assert set(isil["actor"]) == {"isil"}
    assert set(isil["observed_on"]) == {
        c.observed_on.isoformat() for c in claims if c.actor == "isil"
    }


def test_kml_of_a_date_stamps_every_piece(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "state.kml"
    export.write(path, claims=claims, registry=registry, day=DAY)
    marks = placemarks(path.read_bytes())
    assert len(marks) == len(resolve(claims, DAY))
    for mark in marks:
        assert mark.findtext(f"{KML}TimeStamp/{KML}when") == "2015-05-20"
    frames = [pyogrio.read_dataframe(path, layer=n) for n, _ in pyogrio.list_layers(path)]
    assert sum(len(f) for f in frames) == len(marks)


def test_kml_holes_are_inner_boundaries(make_claim, demo):
    _, registry, _ = demo
    ring = make_claim("isil", (0, 0, 3, 3), "2014-01-01")
    holed = replace(ring, geometry=shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2)))
    mark = placemarks(export.kml_claims([holed], registry))[0]
    assert len(mark.findall(f".//{KML}innerBoundaryIs")) == 1


def test_hostile_text_is_escaped_in_kml(hostile, demo):
    _, registry, _ = demo
    for data in (
        export.kml_claims(hostile, registry),
        export.kml_state(resolve(hostile, DAY), registry, DAY),
    ):
        assert b"<script" not in data
        assert b"</Placemark> ]]>" not in data
        marks = placemarks(data)  # parses: nothing broke out of its element
        assert len(marks) == 2
        for mark in marks:
            description = mark.findtext(f"{KML}description") or ""
            # Google Earth renders the description as HTML: data must stay HTML-escaped.
            assert "<script" not in description
            assert "&lt;script&gt;" in description
            assert "${" not in description
            assert 'href="https://example.org/a?b=1&amp;c=2"' in description


# --- CSV -------------------------------------------------------------------------------------


def test_csv_has_one_row_per_claim_with_wkt(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "claims.csv"
    export.write(path, claims=claims, registry=registry)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(claims)
    assert rows[0]["WKT"].startswith(("POLYGON", "MULTIPOLYGON"))
    by_id = {c.id: c for c in claims}
    for row in rows:
        claim = by_id[int(row["claim_id"])]
        assert shapely.from_wkt(row["WKT"]).equals_exact(claim.geometry, 1e-6) or (
            shapely.from_wkt(row["WKT"]).symmetric_difference(claim.geometry).area < 1e-9
        )
        assert row["observed_on"] == claim.observed_on.isoformat()
    frame = pyogrio.read_dataframe(path)  # GDAL finds the WKT column by itself
    assert len(frame) == len(claims) and frame.geometry.notna().all()


def test_csv_of_a_date_has_one_row_per_piece(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "state.csv"
    export.write(path, "csv", claims=claims, registry=registry, day=DAY)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == len(resolve(claims, DAY))
    assert {r["date"] for r in rows} == {"2015-05-20"}


def test_csv_defuses_spreadsheet_formulas(hostile, demo):
    _, registry, _ = demo
    rows = list(csv.DictReader(io.StringIO(export.csv_claims(hostile, registry))))
    citations = json.loads(rows[0]["citations"])
    assert citations[0]["publisher"].startswith("=HYPERLINK")  # inside JSON: inert
    assert rows[0]["notes"] == HOSTILE
    assert export._csv_cell("=1+1") == "'=1+1"
    assert export._csv_cell("-3 km") == "'-3 km"
    assert export._csv_cell(-3) == -3


# --- GeoJSON and the round trip --------------------------------------------------------------


def test_geojson_claims_and_state_read_back(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "claims.geojson"
    export.write(path, claims=claims, registry=registry)
    assert len(pyogrio.read_dataframe(path)) == len(claims)
    state = tmp_path / "state.json"
    export.write(state, claims=claims, registry=registry, day=DAY)
    frame = pyogrio.read_dataframe(state)
    assert len(frame) == len(resolve(claims, DAY))
    assert {"actor", "actor_name", "status", "extent", "since", "area_km2"} <= set(frame.columns)


def test_claims_exported_then_imported_export_identically(tmp_path: Path, demo, db_url):
    claims, registry, _ = demo
    first = tmp_path / "first.geojson"
    export.write(first, claims=claims, registry=registry)
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    ids = dataset.import_file(store, first, who="test")
    assert len(ids) == len(claims)
    second = tmp_path / "second.geojson"
    export.write(second, claims=store.claims(), registry=store.actors())
    assert second.read_bytes() == first.read_bytes()


# --- HTML ------------------------------------------------------------------------------------

needs_vendor = pytest.mark.skipif(
    not vendor.assets_present(),
    reason="Leaflet is missing from controlmap/web/static (make setup fetches it)",
)


@needs_vendor
def test_html_stands_alone_offline(tmp_path: Path, demo):
    claims, registry, version = demo
    path = tmp_path / "map.html"
    export.write(path, claims=claims, registry=registry, day=DAY, data_version=version)
    html = path.read_text(encoding="utf-8")
    assert "L.map(" in html and "2015-05-20" in html
    # Leaflet is inside the page; nothing is fetched from elsewhere.
    assert "<script src=" not in html and "<link " not in html
    assert not re.search(r"""src=\\?["']?https?:""", html)  # no remote script or image
    assert "url(images/" not in html


@needs_vendor
def test_hostile_text_is_escaped_in_html(hostile, demo):
    _, registry, _ = demo
    html = export.standalone_html(resolve(hostile, DAY), registry, DAY, title=HOSTILE)
    assert "<script>alert" not in html
    assert "${1+1}" not in html
    assert "</Placemark>" not in html


def test_html_without_leaflet_fails_clearly(monkeypatch, tmp_path: Path, demo):
    claims, registry, _ = demo
    monkeypatch.setattr(vendor, "VENDOR_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(vendor, "assets_present", lambda: False)
    target = tmp_path / "map.html"
    with pytest.raises(ControlmapError, match="make setup"):
        export.write(target, claims=claims, registry=registry, day=DAY)
    assert not target.exists()


# --- pictures --------------------------------------------------------------------------------


def test_png_is_a_1920x1080_picture(tmp_path: Path, demo):
    claims, registry, version = demo
    path = tmp_path / "anbar.png"
    export.write(
        path, claims=claims, registry=registry, day=DAY, data_version=version, banner="UNCLASSIFIED"
    )
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1920, 1080)
        # Not blank: the basemap, the pieces and the text make many colours.
        assert len(image.convert("RGB").getcolors(1_000_000) or []) > 50


def test_pdf_and_a4(tmp_path: Path, demo):
    claims, registry, _ = demo
    path = tmp_path / "anbar.pdf"
    export.write(path, claims=claims, registry=registry, day=DAY, size="a4")
    assert path.read_bytes().startswith(b"%PDF")
    png = tmp_path / "a4.png"
    export.write(png, claims=claims, registry=registry, day=DAY, size="a4")
    with Image.open(png) as image:
        width, height = image.size
    assert width > height > 1500


def test_picture_of_an_empty_map_and_hostile_titles(hostile, demo):
    from controlmap.render.image import render_image

    _, registry, _ = demo
    empty = render_image([], registry, D("2010-01-01"), title=HOSTILE)
    assert empty.startswith(b"\x89PNG")
    # "$" in data must not be read as matplotlib math (which would fail or mangle it).
    drawn = render_image(resolve(hostile, DAY), registry, DAY, title="$x_1$ costs $5")
    assert drawn.startswith(b"\x89PNG")


def test_bad_picture_size_is_refused(tmp_path: Path, demo):
    claims, registry, _ = demo
    with pytest.raises(ControlmapError, match="size"):
        export.write(tmp_path / "x.png", claims=claims, registry=registry, size="huge")


# --- the dispatcher --------------------------------------------------------------------------


def test_unknown_format_lists_the_supported_ones(tmp_path: Path, demo):
    claims, registry, _ = demo
    with pytest.raises(ControlmapError) as err:
        export.write(tmp_path / "x.shp", claims=claims, registry=registry)
    for fmt in export.FORMATS:
        assert fmt in str(err.value)
    with pytest.raises(ControlmapError, match="xlsx"):
        export.write(tmp_path / "x.geojson", "xlsx", claims=claims, registry=registry)
    assert export.format_for(Path("a.JSON")) == "geojson"
    assert export.format_for(Path("a.txt"), "KML") == "kml"


def test_a_failed_export_leaves_the_old_file_alone(tmp_path: Path, demo, monkeypatch):
    claims, registry, _ = demo
    path = tmp_path / "claims.kml"
    path.write_text("old", encoding="utf-8")

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "kml_claims", broken)
    with pytest.raises(RuntimeError):
        export.write(path, claims=claims, registry=registry)
    assert path.read_text(encoding="utf-8") == "old"

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    gpkg = tmp_path / "x.gpkg"
    with pytest.raises(RuntimeError):
        export.write(gpkg, claims=claims, registry=registry)
    assert not gpkg.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.kml"]
