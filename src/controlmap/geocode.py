"""Gazetteer search: a place name as reports spell it, to ranked candidates with footprints.

Two kinds of gazetteer are searched together:

* the **packs** in ``geo/``: their GeoNames places, hand-placed extra places and admin units
  (with their COD names and exonyms), held in memory;
* the **world gazetteer** (GeoNames cities500, about 235,000 places with spellings in every
  script), through the SQLite index of :mod:`controlmap.gazetteer`.

A place found in both is one candidate (the pack's record, which knows its admin units).

Reports spell the same town many ways (Al-Kabir, el-Kabeer, الكبير; Березовка, Berezovka,
Berezivka; an old name), so a name is compared by the keys of :mod:`controlmap.names`: exact,
folded, transliterated from Cyrillic, and (from Arabic script) as a consonant skeleton; a fuzzy
comparison of folded keys (rapidfuzz ratio) runs only when nothing closer matched.

Ranking, best first:

1. how well the name matched: a known spelling (exact or folded), else a spelling read across
   scripts (Cyrillic in Latin letters), else a skeleton or fuzzy match; only the best of these
   bands is kept;
2. with ``context`` (the data's extent, or the other places of the same report), nearness to
   it: inside or within 50 km, then within 300 km, then the rest;
   a name given with its article ("الحديدة", "Al Hudaydah") prefers places spelled with it;
3. prominence: an admin unit, a hand-placed place, a seat (capital, province or district
   seat) or a town of 10,000 people or more before a hamlet of the same name; in an installed
   pack (the user's theatre) any place with a population figure or any seat is prominent;
4. the kind of place: a populated place before an admin unit of the same name, a section or
   former place last (a qualifier word such as "province" or "city" overrides this);
5. a place of an installed pack before one only the world gazetteer knows;
6. a spelling exactly as given before a folded one (an old or local name spelled as the report
   spells it, "Saada", says more than another place's name spelled otherwise, "Sada"), then
   its own name before another of its spellings;
7. population, then place id, so the order is deterministic.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from controlmap import gazetteer, geo, names, packs, settings
from controlmap.geometry import rounded

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
LonLat = tuple[float, float]

# Score of a candidate by how its name matched (see the ranking in the module docstring).
SCORES = {
    gazetteer.MATCH_NAME: 1.0,
    gazetteer.MATCH_ALIAS: 0.97,
    gazetteer.MATCH_VARIANT_NAME: 0.93,
    gazetteer.MATCH_VARIANT_ALIAS: 0.9,
    gazetteer.MATCH_TRANSLIT: 0.88,
    gazetteer.MATCH_SKELETON: 0.6,
}
# Bands: a known spelling; a spelling read across scripts; a skeleton or fuzzy match. Only the
# best band found is kept: a looser match never crowds out a closer one.
BAND_KNOWN, BAND_ACROSS, BAND_LOOSE = 0, 1, 2
FUZZY_CEILING = 0.85  # a fuzzy match never outranks a spelling we know
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) below which a name is not a match
FUZZY_CUTOFF_SHORT = 90.0  # keys of 4 letters or fewer: one wrong letter is another town
FUZZY_POOL = 40

NEAR_KM = 50.0
REGION_KM = 300.0

# Kind ranking inside a band: what a bare name in a report most often means.
KIND_RANK: dict[str, int] = {
    "city": 0,
    "town": 0,
    "area": 0,
    "facility": 0,
    "governorate": 1,
    "district": 2,
    "sub-district": 3,
    "section": 4,
    "former place": 5,
}
# Admin units by level, named as the demo's COD layers name them.
LEVEL_KIND = {1: "governorate", 2: "district", 3: "sub-district"}
CITY_POPULATION = 100_000
EXONYMS_FILE = "admin/exonyms.json"  # in a pack folder, when the pack has one
COUNTRIES_FILE = "countries.tsv"  # next to the world gazetteer
ADMIN_NAME_COLUMNS = ("name_ar", "name_ru", "name_local")  # other spellings of a unit
WORLD_SPAN = 300.0  # a pack this wide (degrees of longitude) is the world, not a theatre

# A qualifier word after (or before) a name says which kind of place is meant:
# "Kirkuk province" is the governorate, "the city of Kirkuk" the city.
QUALIFIERS: dict[str, frozenset[str]] = {
    "province": frozenset({"governorate"}),
    "governorate": frozenset({"governorate"}),
    "district": frozenset({"district"}),
    "qadha": frozenset({"district"}),
    "qada": frozenset({"district"}),
    "sub-district": frozenset({"sub-district"}),
    "subdistrict": frozenset({"sub-district"}),
    "nahiya": frozenset({"sub-district"}),
    "city": frozenset({"city", "town"}),
    "town": frozenset({"city", "town"}),
}
_QUALIFIER_AFTER = re.compile(
    r"^(?P<core>.+?)[\s\-]+(?P<q>province|governorate|sub-?district|district|qadha|qada|nahiya"
    r"|city|town)\s*$",
    re.IGNORECASE,
)
_QUALIFIER_BEFORE = re.compile(
    r"^(?:the\s+)?(?P<q>province|governorate|district|city|town)\s+of\s+(?P<core>.+)$",
    re.IGNORECASE,
)

# A town this size, or a seat, ranks before hamlets of the same name (see _prominent).
PROMINENT_POPULATION = 10_000
PACK_SEAT_CODES = frozenset({"PPLA3", "PPLA4"})

# World places worth spotting in running text (see is_mention_key): seats, or this many people.
WORLD_MENTION_POPULATION = 15_000
# a three-letter name is read as a world place only from this size (Ann, Yei; not Ede)
SHORT_MENTION_POPULATION = 100_000
WORLD_MENTION_MIN_CHARS = 4
WORLD_LONGEST_NAME_WORDS = 4


@dataclass(frozen=True)
class Place:
    """One gazetteer entry as the geocoder sees it (no geometry: footprints are lazy)."""

    place_id: str
    name: str
    kind: str
    adm1: str | None
    adm2: str | None
    country: str
    lat: float
    lon: float
    population: int
    notable: bool  # worth finding in running text (see _is_notable)
    detail: int = 0  # 0 a theatre pack's, 1 the world pack's admin unit, 2 a gazetteer place
    prominent: bool = True  # an admin unit, a hand-placed place, a seat or a sizeable town
    capital: bool = False  # a country's capital (GeoNames PPLC): its name also speaks for a state


@dataclass(frozen=True)
class Candidate:
    """A gazetteer place that a name may stand for, with its footprint and match score."""

    place_id: str
    name: str
    kind: str
    adm1: str | None
    adm2: str | None
    country: str
    lat: float
    lon: float
    footprint: BaseGeometry = field(repr=False)
    approximate: bool
    score: float
    matched: str = ""  # the gazetteer spelling that matched

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the footprint as a GeoJSON geometry, coordinates to about 1 m."""
        return {
            "place_id": self.place_id,
            "name": self.name,
            "kind": self.kind,
            "adm1": self.adm1,
            "adm2": self.adm2,
            "country": self.country,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "approximate": self.approximate,
            "score": round(self.score, 3),
            "matched": self.matched,
            "footprint": shapely.geometry.mapping(rounded(self.footprint, 5)),
        }


@dataclass(frozen=True)
class _Entry:
    place_id: str
    spelling: str
    quality: int


@dataclass
class _PackIndex:
    places: dict[str, Place]
    article_keys: dict[str, frozenset[str]]  # place id -> exact keys of spellings with an article
    keys: dict[str, list[_Entry]]  # prefixed keys as in controlmap.gazetteer ("e:", "v:", "s:")
    fuzzy_keys: list[str]
    notable_keys: frozenset[str]
    longest_name_words: int


# Key functions, re-exported: extraction spots places with them.
fold = names.fold
exact_key = names.exact_key


# --- the packs' gazetteers -----------------------------------------------------------------


def _geonames_kind(code: str, population: int) -> str:
    if code in gazetteer.SECTION_CODES:
        return "section"
    if code in gazetteer.FORMER_CODES:
        return "former place"
    if code in ("PPLC", "PPLA") or population >= CITY_POPULATION:
        return "city"
    return "town"


def _prominent(code: str, population: int) -> bool:
    """Seats and towns of 10,000 people or more: what a bare name most likely means.

    Thousands of hamlets share the names of towns and provinces (a province's name is often a
    village's too); they rank after the prominent places of the same name, whatever their kind.
    """
    return population >= PROMINENT_POPULATION or code in gazetteer.SEAT_CODES


def _pack_prominent(code: str, population: int) -> bool:
    """A pack's GeoNames place is prominent with any population figure or as any seat.

    The pack is the user's theatre, so a lower bar than the world's: a sub-district seat with
    no population figure still ranks before the district of the same name,
    while a nameless-looking hamlet of the pack does not outrank a world city.
    """
    return population > 0 or code in gazetteer.SEAT_CODES or code in PACK_SEAT_CODES


def _is_notable(code: str, population: int) -> bool:
    """Places worth spotting in running text: peopled or an admin seat.

    GeoNames carries thousands of hamlets whose names are ordinary words; keeping those with a
    population figure or an admin-seat code avoids matching them while keeping Tal Afar
    (population unknown, district seat).
    """
    return population > 0 or code in ("PPLC", "PPLA", "PPLA2")


def _theatre(pack: packs.Pack) -> int:
    """0 for a theatre pack, 1 for a pack covering the whole world: detail decides ties."""
    minx, miny, maxx, maxy = pack.extent
    return 1 if (maxx - minx) >= WORLD_SPAN and (maxy - miny) >= WORLD_SPAN / 2 else 0


@lru_cache(maxsize=4)
def _unit_names(signature: tuple[str, ...]) -> dict[str, str]:
    """Admin unit name by id, across every admin layer of the packs."""
    table: dict[str, str] = {}
    for prefix in signature:
        frame = geo.admin_layer(prefix)
        table.update(zip(frame["id"].astype(str), frame["name"].astype(str), strict=True))
    return table


def _column(row: Any, name: str) -> str | None:
    value = getattr(row, name, None)
    return str(value) if isinstance(value, str) and value else None


def _containing(lon: float, lat: float) -> tuple[str | None, str | None, str | None]:
    """(adm1 name, adm2 name, country) of the lowest theatre-pack admin unit holding a point."""
    point = Point(lon, lat)
    layers = [
        (int(layer.level or 0), prefix)
        for prefix, (pack, layer) in geo.admin_kinds().items()
        if not _theatre(pack)
    ]
    for level, prefix in sorted(layers, reverse=True):
        frame = geo.admin_layer(prefix)
        hits = frame[frame.contains(point)]
        if hits.empty:
            continue
        row = next(hits.itertuples(index=False))
        name = str(row.name)
        adm1 = name if level == 1 else _column(row, "adm1_name")
        adm2 = name if level == 2 else _column(row, "adm2_name")
        return adm1, adm2, _column(row, "country")
    return None, None, None


def _geonames_places(labels: dict[str, str]) -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    units = _unit_names(tuple(geo.admin_kinds()))
    for row in geo.gazetteer().itertuples(index=False):
        place_id = f"geonames:{row.geonameid}"
        population = int(row.population)
        name = labels.get(place_id) or row.asciiname or row.name
        place = Place(
            place_id,
            name,
            _geonames_kind(row.feature_code, population),
            units.get(row.adm1_id) if row.adm1_id else None,
            units.get(row.adm2_id) if row.adm2_id else None,
            row.country_code,
            float(row.lat),
            float(row.lon),
            population,
            _is_notable(row.feature_code, population),
            prominent=_pack_prominent(row.feature_code, population),
            capital=row.feature_code == "PPLC",
        )
        spellings = [(row.name, True), (row.asciiname, True), (name, True)]
        for alias in f"{row.alternatenames}|{row.alternatenames_ar}".split("|"):
            spellings.append((alias, False))
        yield place, spellings


def _extra_places() -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    for row in geo.extra_places().itertuples(index=False):
        adm1, adm2, country = _containing(float(row.lon), float(row.lat))
        place = Place(
            row.place_id,
            row.name,
            row.kind or "town",
            adm1,
            adm2,
            country or "",
            float(row.lat),
            float(row.lon),
            int(row.population),
            True,
        )
        spellings = [(row.name, True)] + [(a, False) for a in row.aliases.split("|")]
        yield place, spellings


def _exonyms(pack: packs.Pack) -> dict[str, tuple[str, ...]]:
    """English names of a pack's admin units that their official names do not carry."""
    path = pack.path(EXONYMS_FILE)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): tuple(str(n) for n in v) for k, v in data.items()}


def _admin_places() -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    for prefix, (pack, layer) in geo.admin_kinds().items():
        exonyms = _exonyms(pack)
        frame = geo.admin_layer(prefix)
        level = int(layer.level or 0)
        for row in frame.itertuples(index=False):
            place_id = f"{prefix}:{row.id}"
            point = row.geometry.representative_point()
            name = str(row.name)
            place = Place(
                place_id,
                name,
                LEVEL_KIND.get(level, f"admin-{level}"),
                name if level == 1 else _column(row, "adm1_name"),
                name if level == 2 else _column(row, "adm2_name") if level > 2 else None,
                _column(row, "country") or "",
                float(point.y),
                float(point.x),
                0,
                True,
                detail=_theatre(pack),
            )
            spellings: list[tuple[str, bool]] = [(name, True)]
            for column in ADMIN_NAME_COLUMNS:
                other = _column(row, column)
                if other:
                    spellings.append((other, True))
            spellings.extend((alias, False) for alias in exonyms.get(place_id, ()))
            yield place, spellings


def _all_pack_places() -> Iterable[tuple[Place, list[tuple[str, bool]]]]:
    labels = geo.label_names(timeline_only=True)
    yield from _geonames_places(labels)
    yield from _extra_places()
    yield from _admin_places()


def _usable(spelling: str) -> bool:
    """Skip codes (IATA "TQD", "PMS") that would match acronyms in text, and empty names."""
    text = spelling.strip()
    if not text:
        return False
    return not (text.isupper() and text.isascii() and len(text) <= 4)


def _pack_index() -> _PackIndex:
    """The in-memory index of the installed packs, rebuilt when a pack is added or removed."""
    return _pack_index_for(packs.installed())


@lru_cache(maxsize=2)
def _pack_index_for(installed: tuple[packs.Pack, ...]) -> _PackIndex:
    # ``installed`` is the cache key; the loaders below read the same packs.
    places: dict[str, Place] = {}
    keys: dict[str, list[_Entry]] = {}
    notable: set[str] = set()
    longest = 1
    article_keys: dict[str, frozenset[str]] = {}
    for place, spellings in _all_pack_places():
        places[place.place_id] = place
        best: dict[str, tuple[int, str]] = {}
        with_article = {names.article_key(s) for s, _ in spellings if isinstance(s, str)}
        article_keys[place.place_id] = frozenset(with_article - {""})
        for spelling, primary in spellings:
            if not isinstance(spelling, str) or not _usable(spelling):
                continue
            for key, quality in gazetteer.place_keys(spelling, ()).items():
                quality = quality if primary else max(quality, _alias_quality(quality))
                if key not in best or quality < best[key][0]:
                    best[key] = (quality, spelling.strip())
            if place.notable:
                notable.add(fold(spelling))
                longest = max(longest, len(spelling.split()))
        for key, (quality, spelling) in best.items():
            keys.setdefault(key, []).append(_Entry(place.place_id, spelling, quality))
    fuzzy_keys = sorted(k[2:] for k in keys if k.startswith("v:"))
    return _PackIndex(places, article_keys, keys, fuzzy_keys, frozenset(notable), longest)


def _alias_quality(quality: int) -> int:
    """The quality a key has when it comes from another spelling, not the own name."""
    if quality == gazetteer.MATCH_NAME:
        return gazetteer.MATCH_ALIAS
    if quality == gazetteer.MATCH_VARIANT_NAME:
        return gazetteer.MATCH_VARIANT_ALIAS
    return quality


# --- the world gazetteer -------------------------------------------------------------------


def _large_gazetteers() -> list[tuple[packs.Pack, Path, str]]:
    return [g for g in packs.gazetteers() if g[2] in gazetteer.FORMATS]


def ensure_world_index(*, quiet: bool = False) -> list[Path]:
    """Index every large pack gazetteer (the world's) in the data folder if it is missing.

    ``controlmap init`` and ``make setup`` call this; a lookup that finds an index missing
    builds it too, once.
    """
    data_dir = settings.current().data_dir
    shared = settings._user_data_dir()
    paths = []
    for pack, source, fmt in _large_gazetteers():
        # A bundled pack's index built in the default data folder serves any other data
        # folder too (a test's, a second database's): it is the same file, read-only.
        existing = gazetteer.index_path(shared, source, pack.name)
        if pack.bundled and existing.exists():
            paths.append(existing)
        else:
            paths.append(gazetteer.ensure_index(source, fmt, data_dir, pack.name, quiet=quiet))
    return paths


def _world() -> gazetteer.Indexes | None:
    paths = ensure_world_index()
    return gazetteer.Indexes([gazetteer.open_index(p) for p in paths]) if paths else None


@lru_cache(maxsize=4)
def _country_table(paths: tuple[Path, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            code, _, name = line.partition("\t")
            if code and name:
                table.setdefault(exact_key(name), code)
                table.setdefault(exact_key(code), code)
    return table


def _countries() -> dict[str, str]:
    """Country name (any language in the table) or ISO code, folded -> ISO code."""
    paths = [source.parent / COUNTRIES_FILE for _, source, _ in _large_gazetteers()]
    return _country_table(tuple(p for p in paths if p.is_file()))


def country_of(name: str) -> str | None:
    """The ISO code of a country named in full ("Libya", "Sudan"; not a code), else None."""
    key = exact_key(name)
    if not re.fullmatch(r"[a-z][a-z ]{3,}", key):
        return None
    return _countries().get(key)


def country_names(code: str) -> tuple[str, ...]:
    """The names of a country (ISO code) in Latin letters, folded, from the countries table."""
    wanted = code.strip().upper()
    return tuple(
        sorted(
            name
            for name, value in _countries().items()
            if value == wanted and re.fullmatch(r"[a-z][a-z ]{3,}", name)
        )
    )


def _world_place(record: gazetteer.WorldPlace) -> Place:
    notable = _is_notable(record.code, record.population)
    return Place(
        place_id=record.place_id,
        name=record.name,
        kind=_geonames_kind(record.code, record.population),
        adm1=record.admin1,
        adm2=None,
        country=record.country,
        lat=record.lat,
        lon=record.lon,
        population=record.population,
        notable=notable,
        detail=2,
        prominent=_prominent(record.code, record.population),
        capital=record.code == "PPLC",
    )


def warm() -> None:
    """Build the in-memory pack index and open the world index now."""
    _pack_index()
    _world()


# --- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    place_id: str
    band: int  # BAND_KNOWN, BAND_ACROSS or BAND_LOOSE
    primary: bool
    score: float
    matched: str


def _parse_qualifier(name: str) -> tuple[str, frozenset[str]]:
    """Split "X Province" / "the city of X" into the name and the preferred kinds."""
    text = name.strip()
    for pattern in (_QUALIFIER_AFTER, _QUALIFIER_BEFORE):
        match = pattern.match(text)
        if match:
            word = match.group("q").lower().replace("-", "")
            word = "sub-district" if word == "subdistrict" else word
            return match.group("core").strip(), QUALIFIERS.get(word, frozenset())
    return text, frozenset()


def _hit(place_id: str, quality: int, matched: str) -> _Hit:
    if quality <= gazetteer.MATCH_VARIANT_ALIAS:
        band = BAND_KNOWN
    elif quality == gazetteer.MATCH_TRANSLIT:
        band = BAND_ACROSS
    else:
        band = BAND_LOOSE
    primary = quality in (gazetteer.MATCH_NAME, gazetteer.MATCH_VARIANT_NAME)
    return _Hit(place_id, band, primary, SCORES[quality], matched)


def _pack_hits(index: _PackIndex, name: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for key, floor in gazetteer.query_keys(name).items():
        for entry in index.keys.get(key, []):
            hits.append(_hit(entry.place_id, max(entry.quality, floor), entry.spelling))
    return hits


_VOWELS = frozenset("aeiou")


def _pack_fuzzy(index: _PackIndex, name: str) -> list[_Hit]:
    key = fold(name)
    if len(key) < 3:
        return []
    cutoff = FUZZY_CUTOFF_SHORT if len(key) <= 4 else FUZZY_CUTOFF
    # as in the world index: keys of about the same length and the same first letter, so
    # "Tel Keppe" (talkepe) is not Aleppo (alepe); a first vowel may be another ("Edlib" is
    # Idlib, "Efrin" Afrin)
    pool = [
        k
        for k in index.fuzzy_keys
        if (k[:1] == key[:1] or (k[:1] in _VOWELS and key[:1] in _VOWELS))
        and abs(len(k) - len(key)) <= gazetteer.FUZZY_WINDOW
    ]
    found = process.extract(key, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_POOL)
    hits: list[_Hit] = []
    for vkey, ratio, _ in found:
        for entry in index.keys["v:" + vkey]:
            score = FUZZY_CEILING * ratio / 100.0
            hits.append(_Hit(entry.place_id, BAND_LOOSE, False, score, entry.spelling))
    return hits


def _matched_spelling(record: gazetteer.WorldPlace, name: str) -> str:
    """The world place's spelling closest to the query (for the candidate's ``matched``)."""
    wanted = set(gazetteer.query_keys(name))
    for spelling in (record.name, *record.spellings):
        if wanted & set(gazetteer.place_keys(spelling, ())):
            return spelling
    return record.name


def _world_hits(
    world: gazetteer.Indexes, name: str, fuzzy: bool
) -> tuple[list[_Hit], dict[str, Place], dict[str, gazetteer.WorldPlace]]:
    matches = world.matches(name, fuzzy=fuzzy)
    records = world.places(m.geonameid for m in matches)
    hits: list[_Hit] = []
    places: dict[str, Place] = {}
    found: dict[str, gazetteer.WorldPlace] = {}
    for match in matches:
        record = records.get(match.geonameid)
        if record is None:
            continue
        found[record.place_id] = record
        places[record.place_id] = _world_place(record)
        if match.quality == gazetteer.MATCH_FUZZY:
            hit = _Hit(record.place_id, BAND_LOOSE, False, FUZZY_CEILING * match.score, "")
        else:
            hit = _hit(record.place_id, match.quality, "")
        hits.append(hit)
    return hits, places, found


def _best_per_place(hits: Iterable[_Hit]) -> dict[str, _Hit]:
    best: dict[str, _Hit] = {}
    for hit in hits:
        current = best.get(hit.place_id)
        if current is None or (hit.band, not hit.primary, -hit.score) < (
            current.band,
            not current.primary,
            -current.score,
        ):
            best[hit.place_id] = hit
    return best


def _country_code(country: str | None) -> str | None:
    if country is None:
        return None
    code = _countries().get(exact_key(country))
    return code or country.strip().upper()


def _inside(place: Place, bbox: BBox | None) -> bool:
    if bbox is None:
        return True
    min_lon, min_lat, max_lon, max_lat = bbox
    return min_lon <= place.lon <= max_lon and min_lat <= place.lat <= max_lat


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine; plenty for ranking)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


Context = BBox | Sequence[LonLat] | None


def _distance_to(place: Place, context: Context) -> float:
    """km from a place to the context: a bbox (0 inside it) or the nearest of some points."""
    if context is None:
        return 0.0
    values = list(context)
    if len(values) == 4 and all(isinstance(v, int | float) for v in values):
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in cast(BBox, context))
        lon = min(max(place.lon, min_lon), max_lon)
        lat = min(max(place.lat, min_lat), max_lat)
        return _km(place.lon, place.lat, lon, lat)
    points = [cast(LonLat, p) for p in values if isinstance(p, tuple | list) and len(p) == 2]
    if not points:
        return 0.0
    return min(_km(place.lon, place.lat, float(lon), float(lat)) for lon, lat in points)


def _near_rank(place: Place, context: Context) -> int:
    distance = _distance_to(place, context)
    return 0 if distance <= NEAR_KM else 1 if distance <= REGION_KM else 2


_EXACT_SCORES = frozenset({SCORES[gazetteer.MATCH_NAME], SCORES[gazetteer.MATCH_ALIAS]})


def _rank_key(
    hit: _Hit, place: Place, preferred: frozenset[str], context: Context, article: int
) -> tuple[int, int, int, int, int, int, int, int, int, int, str]:
    kind_rank = -1 if place.kind in preferred else KIND_RANK.get(place.kind, 6)
    return (
        hit.band,
        _near_rank(place, context),
        article,
        0 if place.prominent or place.kind in preferred else 1,
        kind_rank,
        place.detail,
        0 if hit.score in _EXACT_SCORES else 1,
        0 if hit.primary else 1,
        -round(hit.score * 1000),
        -place.population,
        place.place_id,
    )


def _has_article_spelling(
    index: _PackIndex, place_id: str, record: gazetteer.WorldPlace | None, key: str
) -> bool:
    """Whether the place has a spelling with the article that matches ``key`` as it is."""
    if key in index.article_keys.get(place_id, frozenset()):
        return True
    if record is None:
        return False
    return any(names.article_key(s) == key for s in (record.name, *record.spellings))


def _ranked(
    name: str,
    *,
    country: str | None = None,
    bbox: BBox | None = None,
    context: Context = None,
    fuzzy: bool = True,
    notable_only: bool = False,
) -> list[tuple[Place, _Hit, gazetteer.WorldPlace | None]]:
    """(place, how it matched, its world record) for a name, best first (see geocode)."""
    if not isinstance(name, str) or not name.strip():
        return []
    index = _pack_index()
    core, preferred = _parse_qualifier(name)
    hits = _pack_hits(index, core)
    if preferred and core != name.strip():
        hits.extend(_pack_hits(index, name))
    places = dict(index.places)
    world_records: dict[str, gazetteer.WorldPlace] = {}
    world = _world()
    if world is not None:
        world_hits, world_places, world_records = _world_hits(world, core, fuzzy)
        for place_id, record in world_places.items():
            places.setdefault(place_id, record)
        hits.extend(world_hits)
    if fuzzy and not any(h.band < BAND_LOOSE for h in hits):
        hits.extend(_pack_fuzzy(index, core))
    if hits:
        best_band = min(h.band for h in hits)
        hits = [h for h in hits if h.band == best_band]
    code = _country_code(country)
    article = names.article_key(core)
    kept: list[tuple[tuple[int | str, ...], Place, _Hit]] = []
    for place_id, hit in _best_per_place(hits).items():
        place = places[place_id]
        if code is not None and place.country != code:
            continue
        if notable_only and not place.notable:
            continue
        if not _inside(place, bbox):
            continue
        disagrees = bool(article) and not _has_article_spelling(
            index, place_id, world_records.get(place_id), article
        )
        kept.append((_rank_key(hit, place, preferred, context, int(disagrees)), place, hit))
    kept.sort(key=lambda item: item[0])
    return [(place, hit, world_records.get(place.place_id)) for _, place, hit in kept]


def _candidate(
    place: Place, hit: _Hit, record: gazetteer.WorldPlace | None, name: str
) -> Candidate:
    shape = geo.footprint(place.place_id)
    matched = hit.matched or (_matched_spelling(record, name) if record else place.name)
    return Candidate(
        place_id=place.place_id,
        name=place.name,
        kind=place.kind,
        adm1=place.adm1,
        adm2=place.adm2,
        country=place.country,
        lat=place.lat,
        lon=place.lon,
        footprint=shape.geometry,
        approximate=shape.approximate,
        score=round(hit.score, 4),
        matched=matched,
    )


def geocode(
    name: str,
    *,
    limit: int = 5,
    country: str | None = None,
    bbox: BBox | None = None,
    context: Context = None,
    fuzzy: bool = True,
) -> list[Candidate]:
    """Gazetteer candidates for a place name, best first.

    ``country`` is an ISO code or a country name ("DE", "Germany", "ألمانيا"); ``bbox`` is (min
    lon, min lat, max lon, max lat) and keeps places whose point lies inside. ``context`` ranks
    by nearness without filtering: the data's extent as a bbox, or the (lon, lat) points of the
    other places of a report. A trailing "province", "district" or "city" (or a leading "city
    of") prefers that kind. ``fuzzy=False`` returns only known spellings. Unknown or empty
    names give [].
    """
    if limit <= 0:
        return []
    ranked = _ranked(name, country=country, bbox=bbox, context=context, fuzzy=fuzzy)
    core, _ = _parse_qualifier(name) if isinstance(name, str) else ("", frozenset())
    return [_candidate(place, hit, record, core) for place, hit, record in ranked[:limit]]


def ranked_ids(
    name: str, *, fuzzy: bool = True, notable_only: bool = False, context: Context = None
) -> list[str]:
    """Place ids for a name, best first, without building footprints.

    ``notable_only`` keeps places worth spotting in running text (peopled places, admin seats,
    admin units and the hand-placed extras), which is what extraction looks for.
    """
    ranked = _ranked(name, fuzzy=fuzzy, notable_only=notable_only, context=context)
    return [place.place_id for place, _, _ in ranked]


def place(place_id: str) -> Place | None:
    """The geocoder's record of a place id (name, kind, admin names), or None."""
    found = _pack_index().places.get(place_id)
    if found is not None:
        return found
    prefix, _, key = place_id.partition(":")
    world = _world()
    if world is None or prefix != "geonames" or not key.isdigit():
        return None
    record = world.place(int(key))
    return _world_place(record) if record is not None else None


def is_mention_key(key: str) -> bool:
    """Whether a folded key names a notable place of the packs (peopled or a seat)."""
    return key in _pack_index().notable_keys


def is_mention(spelled: str) -> bool:
    """Whether a name as written in running text is worth looking up as a place.

    A pack's notable places match by folded key (:func:`is_mention_key`). A world place must be
    spelled exactly as one of its names (case, accents and the article aside) of at least four
    letters, not be a country's name, and be a seat or have at least WORLD_MENTION_POPULATION
    people: folding
    "Monday" meets Mondaí, a town of 10,000 in Brazil, and running text is full of such words.
    """
    if is_mention_key(fold(spelled)):
        return True
    world = _world()
    key = exact_key(spelled)
    if len(key) < WORLD_MENTION_MIN_CHARS or key in _countries():
        # "أن" ("that") is a Belgian town's Arabic name; "Iraq" is a spelling of Arak, Iran.
        return False
    return world is not None and world.has_notable_key(
        "e:" + key, WORLD_MENTION_POPULATION, gazetteer.SEAT_CODES
    )


def is_short_mention(spelled: str) -> bool:
    """Whether a three-letter name as written is a big place's exact spelling (Ann, Yei).

    :func:`is_mention` leaves such names out: most three-letter capitalised words are no place.
    Extraction reads one only inside running text (see ``extract._short_name_ok``).
    """
    world = _world()
    key = exact_key(spelled)
    if world is None or len(key) != 3 or key in _countries() or not spelled[:1].isupper():
        return False
    return world.has_notable_key("e:" + key, SHORT_MENTION_POPULATION, ())


def is_minor_mention(spelled: str) -> bool:
    """Whether a name as written is the exact spelling of any place of the world gazetteer.

    The looser test behind :func:`is_mention`: villages and towns of any size (GeoNames
    cities500 counts places from 500 people, and some without a figure). Extraction keeps
    such a name only where the report's other places or its wording make it a place.
    """
    world = _world()
    key = exact_key(spelled)
    if world is None or len(key) < WORLD_MENTION_MIN_CHARS or key in _countries():
        return False
    if world.has_notable_key("e:" + key, 0, ()):
        return True
    # a name of two words or more also by its variant key ("Ain Issa" for "Ayn Issa")
    return len(key.split()) >= 2 and world.has_notable_key("v:" + fold(spelled), 0, ())


NAMESAKE_KM = 50.0  # how far from an admin unit's middle the town it is named after may lie


def namesake_town(place_id: str) -> str | None:
    """The town a district or sub-district is named after (its seat, as a rule): a populated
    place of the packs within NAMESAKE_KM of the unit whose name differs from the unit's only
    in vowels and articles (the district Al-Shirqat, the town Ash Sharqat). None otherwise."""
    return _namesake_town(place_id, packs.signature())


@lru_cache(maxsize=512)
def _namesake_town(place_id: str, _packs: object) -> str | None:
    unit = place(place_id)
    if unit is None or unit.kind not in ("district", "sub-district"):
        return None
    wanted = _consonants(unit.name)
    best: Place | None = None
    for town in _pack_index().places.values():
        if town.kind not in ("city", "town") or town.country != unit.country:
            continue
        if _consonants(town.name) != wanted:
            continue
        if _km(unit.lon, unit.lat, town.lon, town.lat) > NAMESAKE_KM:
            continue
        if best is None or town.population > best.population:
            best = town
    return best.place_id if best is not None else None


def _consonants(name: str) -> str:
    return re.sub(r"[aeiouy\s]", "", fold(name))


def same_consonants(name: str, other: str) -> bool:
    """Whether two spellings differ only in vowels, articles, case and accents (Derna, Darnah)."""
    return _consonants(name) == _consonants(other)


def distance_km(place_id: str, points: Sequence[LonLat]) -> float | None:
    """km from a place to the nearest of some (lon, lat) points (None: unknown or no points)."""
    record = place(place_id)
    if record is None or not points:
        return None
    return _distance_to(record, points)


def km_between(one: LonLat, other: LonLat) -> float:
    """Great-circle km between two (lon, lat) points."""
    return _km(one[0], one[1], other[0], other[1])


def longest_name_words() -> int:
    """Word count of the longest notable spelling: the widest n-gram worth looking up."""
    longest = _pack_index().longest_name_words
    return max(longest, WORLD_LONGEST_NAME_WORDS) if _world() is not None else longest
