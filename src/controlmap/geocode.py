"""Gazetteer search: a place name as reports spell it, to ranked candidates with footprints.

Reports spell the same town many ways (Falluja, Al-Fallujah, الفلوجة; Heet and Hit; Bayji,
Baiji and Beiji), so a name is compared at two strengths:

* **exact**: after :func:`controlmap.geo.normalise_name` (case, diacritics, apostrophes and
  ayn marks, a leading article, Arabic letter forms);
* **variant**: after :func:`fold`, which also drops every article, doubled letters and a final
  -h, and merges the usual transliteration swaps (q/k/g, ee/i, ou/oo/u, ay/ei/ai).

Exact and variant matches form one quality band; a fuzzy match (rapidfuzz ratio on the folded
key) is a lower band used only when nothing matched. Within a band candidates are ordered by
kind (a populated place before a governorate, district or sub-district of the same name), then a
main name before an alias, then population, then place id, so the order is deterministic.

The index is built once per process (about a second) and a lookup takes well under a
millisecond; footprints are computed only for the candidates returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from controlmap import geo
from controlmap.geometry import rounded

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

# Score of a candidate by how its name matched (documented in the module docstring).
SCORE_EXACT = 1.0
SCORE_EXACT_ALIAS = 0.97
SCORE_VARIANT = 0.93
SCORE_VARIANT_ALIAS = 0.9
FUZZY_CEILING = 0.85  # a fuzzy match never outranks a spelling we know
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) below which a name is not a match
FUZZY_CUTOFF_SHORT = 90.0  # keys of 4 letters or fewer: one wrong letter is another town
FUZZY_POOL = 40

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
ADMIN_KIND = {
    "iq-adm1": "governorate",
    "iq-adm2": "district",
    "iq-adm3": "sub-district",
    "sy-adm1": "governorate",
}
CITY_POPULATION = 100_000

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

# English exonyms of governorates that the COD names (Ninewa, Salah Al-Din...) and GeoNames do
# not carry; reports use these far more than the official transliterations.
EXONYMS: dict[str, tuple[str, ...]] = {
    "iq-adm1:IQG01": ("Anbar", "Anbar Province"),
    "iq-adm1:IQG02": ("Basra", "Basrah"),
    "iq-adm1:IQG04": ("Najaf",),
    "iq-adm1:IQG05": ("Qadisiyah", "Qadisiya", "Diwaniyah province"),
    "iq-adm1:IQG06": ("Sulaymaniyah", "Sulaimaniya", "Sulaimani", "Slemani"),
    "iq-adm1:IQG07": ("Babylon", "Babel"),
    "iq-adm1:IQG09": ("Dohuk", "Dahuk"),
    "iq-adm1:IQG11": ("Arbil", "Irbil", "Hawler"),
    "iq-adm1:IQG12": ("Karbala",),
    "iq-adm1:IQG15": ("Nineveh", "Nineva", "Ninawa", "Ninevah"),
    "iq-adm1:IQG16": ("Salahuddin", "Salahaddin", "Salah ad-Din", "Salah al-Din", "Saladin"),
    "iq-adm1:IQG17": ("Dhi Qar",),
    "iq-adm1:IQG18": ("Wasit",),
    "sy-adm1:SY06": ("Latakia",),
    "sy-adm1:SY07": ("Idlib",),
    "sy-adm1:SY08": ("Hasakah", "Hasaka", "Al-Hasakah"),
    "sy-adm1:SY09": ("Deir al-Zour", "Deir ez-Zor", "Deir Ezzor"),
    "sy-adm1:SY10": ("Tartus",),
    "sy-adm1:SY11": ("Raqqa", "Raqqah"),
    "sy-adm1:SY12": ("Daraa", "Deraa"),
    "sy-adm1:SY13": ("Sweida", "Suwayda"),
}

COUNTRY_NAMES = {"iraq": "IQ", "iq": "IQ", "irq": "IQ", "syria": "SY", "sy": "SY", "syr": "SY"}

# Extra Arabic-script folds beyond geo.normalise_name: Persian/Kurdish letter forms that
# appear in Arabic-script spellings of Iraqi names (الگرمة for Garma).
_ARABIC_EXTRA = str.maketrans({"گ": "ك", "ک": "ك", "ی": "ي", "ؤ": "و", "ئ": "ي", "ڤ": "ف"})
_ARTICLE_WORDS = frozenset(
    {"al", "el", "ar", "as", "ad", "an", "at", "az", "ash", "ath", "adh", "ul", "il"}
)
# Ordered: digraph merges first, then single-letter swaps, then doubled letters and endings.
_LATIN_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ee"), "i"),
    (re.compile(r"(?:ou|oo)"), "u"),
    (re.compile(r"(?:ay|ei|ey)(?![aeiou])"), "ai"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"[qg]"), "k"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=[aeiouy])h\b"), ""),
)
_LATIN = re.compile(r"[a-z]")


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
    primary: bool


@dataclass
class _Index:
    places: dict[str, Place]
    exact: dict[str, list[_Entry]]
    variant: dict[str, list[_Entry]]
    fuzzy_keys: list[str]
    notable_keys: frozenset[str]
    longest_name_words: int


# --- normalisation -------------------------------------------------------------------------


def _fold_word(word: str) -> str:
    if word.startswith("ال") and len(word) > 3:
        return word[2:]
    if not _LATIN.search(word):
        return word
    for pattern, replacement in _LATIN_FOLDS:
        word = pattern.sub(replacement, word)
    return word


def fold(text: str) -> str:
    """The variant key of a name: spelling variants of one place share it.

    >>> fold("Al-Fallujah") == fold("Falluja") == fold("fallouja")
    True
    """
    key = geo.normalise_name(text).translate(_ARABIC_EXTRA)
    words = key.split()
    kept = [w for w in words if w not in _ARTICLE_WORDS] or words
    return "".join(_fold_word(w) for w in kept)


def exact_key(text: str) -> str:
    """The exact key of a name (geo.normalise_name plus the extra Arabic letter folds)."""
    return geo.normalise_name(text).translate(_ARABIC_EXTRA)


# --- index ---------------------------------------------------------------------------------


def _geonames_kind(code: str, population: int) -> str:
    if code == "PPLX":
        return "section"
    if code in ("PPLH", "PPLW", "PPLQ"):
        return "former place"
    if code in ("PPLC", "PPLA") or population >= CITY_POPULATION:
        return "city"
    return "town"


def _is_notable(code: str, population: int) -> bool:
    """Places worth spotting in running text: peopled or an admin seat.

    GeoNames carries thousands of hamlets whose names are ordinary words; keeping those with a
    population figure or an admin-seat code avoids matching them while keeping Tal Afar
    (population unknown, district seat).
    """
    return population > 0 or code in ("PPLC", "PPLA", "PPLA2")


def _unit_name(kind: str, pcode: str) -> str | None:
    """COD name of an admin unit by pcode, or None when the pcode is empty or unknown."""
    if not pcode:
        return None
    layer = geo.admin_layer(kind)
    return str(layer.loc[pcode, "name"]) if pcode in layer.index else None


def _unit_names(adm1_id: str, adm2_id: str, country: str) -> tuple[str | None, str | None]:
    if country == "IQ":
        return _unit_name("iq-adm1", adm1_id), _unit_name("iq-adm2", adm2_id)
    return _unit_name("sy-adm1", adm1_id), None


def _geonames_places(labels: dict[str, str]) -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    for row in geo.gazetteer().itertuples(index=False):
        place_id = f"geonames:{row.geonameid}"
        population = int(row.population)
        adm1, adm2 = _unit_names(row.adm1_id, row.adm2_id, row.country_code)
        name = labels.get(place_id) or row.asciiname or row.name
        place = Place(
            place_id,
            name,
            _geonames_kind(row.feature_code, population),
            adm1,
            adm2,
            row.country_code,
            float(row.lat),
            float(row.lon),
            population,
            _is_notable(row.feature_code, population),
        )
        spellings = [(row.name, True), (row.asciiname, True), (name, True)]
        for alias in f"{row.alternatenames}|{row.alternatenames_ar}".split("|"):
            spellings.append((alias, False))
        yield place, spellings


def _containing(lon: float, lat: float) -> tuple[str | None, str | None]:
    layer = geo.admin_layer("iq-adm3")
    hits = layer[layer.contains(Point(lon, lat))]
    if hits.empty:
        return None, None
    return str(hits.iloc[0]["adm1_name"]), str(hits.iloc[0]["adm2_name"])


def _extra_places() -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    for row in geo.extra_places().itertuples(index=False):
        adm1, adm2 = _containing(float(row.lon), float(row.lat))
        place = Place(
            row.place_id,
            row.name,
            row.kind or "town",
            adm1,
            adm2,
            "IQ",
            float(row.lat),
            float(row.lon),
            int(row.population),
            True,
        )
        spellings = [(row.name, True)] + [(a, False) for a in row.aliases.split("|")]
        yield place, spellings


def _admin_places() -> Iterator[tuple[Place, list[tuple[str, bool]]]]:
    for layer_kind, kind in ADMIN_KIND.items():
        layer = geo.admin_layer(layer_kind)
        for row in layer.itertuples(index=False):
            place_id = f"{layer_kind}:{row.id}"
            point = row.geometry.representative_point()
            level = int(row.level)
            adm1 = str(row.name) if level == 1 else str(row.adm1_name)
            adm2 = None if level == 1 else str(row.name) if level == 2 else str(row.adm2_name)
            place = Place(
                place_id,
                str(row.name),
                kind,
                adm1,
                adm2,
                str(row.country),
                float(point.y),
                float(point.x),
                0,
                True,
            )
            spellings: list[tuple[str, bool]] = [(str(row.name), True)]
            if isinstance(row.name_ar, str):
                spellings.append((row.name_ar, True))
            spellings.extend((alias, False) for alias in EXONYMS.get(place_id, ()))
            yield place, spellings


def _all_places() -> Iterable[tuple[Place, list[tuple[str, bool]]]]:
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


@lru_cache(maxsize=1)
def _index() -> _Index:
    places: dict[str, Place] = {}
    exact: dict[str, list[_Entry]] = {}
    variant: dict[str, list[_Entry]] = {}
    notable: set[str] = set()
    longest = 1
    for place, spellings in _all_places():
        places[place.place_id] = place
        seen: set[tuple[str, bool]] = set()
        for spelling, primary in spellings:
            if not isinstance(spelling, str) or not _usable(spelling):
                continue
            ekey, vkey = exact_key(spelling), fold(spelling)
            if not ekey or not vkey or (ekey, primary) in seen:
                continue
            seen.add((ekey, primary))
            entry = _Entry(place.place_id, spelling.strip(), primary)
            exact.setdefault(ekey, []).append(entry)
            variant.setdefault(vkey, []).append(entry)
            if place.notable:
                notable.add(vkey)
                longest = max(longest, len(spelling.split()))
    return _Index(places, exact, variant, sorted(variant), frozenset(notable), longest)


def warm() -> None:
    """Build the index now (the first lookup otherwise pays for it)."""
    _index()


# --- search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    place_id: str
    band: int  # 0 exact or variant spelling, 1 fuzzy
    primary: bool
    score: float
    matched: str


def _parse_qualifier(name: str) -> tuple[str, frozenset[str]]:
    """Split "Anbar Province" / "the city of Mosul" into the name and the preferred kinds."""
    text = name.strip()
    for pattern in (_QUALIFIER_AFTER, _QUALIFIER_BEFORE):
        match = pattern.match(text)
        if match:
            word = match.group("q").lower().replace("-", "")
            word = "sub-district" if word == "subdistrict" else word
            return match.group("core").strip(), QUALIFIERS.get(word, frozenset())
    return text, frozenset()


def _spelled_hits(index: _Index, name: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for entry in index.exact.get(exact_key(name), []):
        score = SCORE_EXACT if entry.primary else SCORE_EXACT_ALIAS
        hits.append(_Hit(entry.place_id, 0, entry.primary, score, entry.spelling))
    for entry in index.variant.get(fold(name), []):
        score = SCORE_VARIANT if entry.primary else SCORE_VARIANT_ALIAS
        hits.append(_Hit(entry.place_id, 0, entry.primary, score, entry.spelling))
    return hits


def _fuzzy_hits(index: _Index, name: str) -> list[_Hit]:
    key = fold(name)
    if len(key) < 3:
        return []
    cutoff = FUZZY_CUTOFF_SHORT if len(key) <= 4 else FUZZY_CUTOFF
    found = process.extract(
        key, index.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_POOL
    )
    hits: list[_Hit] = []
    for vkey, ratio, _ in found:
        for entry in index.variant[vkey]:
            score = FUZZY_CEILING * ratio / 100.0
            hits.append(_Hit(entry.place_id, 1, entry.primary, score, entry.spelling))
    return hits


def _best_per_place(hits: Iterable[_Hit]) -> dict[str, _Hit]:
    best: dict[str, _Hit] = {}
    for hit in hits:
        current = best.get(hit.place_id)
        if current is None or (hit.band, -hit.score) < (current.band, -current.score):
            best[hit.place_id] = hit
    return best


def _country_code(country: str | None) -> str | None:
    if country is None:
        return None
    code = COUNTRY_NAMES.get(country.strip().lower())
    return code or country.strip().upper()


def _inside(place: Place, bbox: BBox | None) -> bool:
    if bbox is None:
        return True
    min_lon, min_lat, max_lon, max_lat = bbox
    return min_lon <= place.lon <= max_lon and min_lat <= place.lat <= max_lat


def _rank_key(
    hit: _Hit, place: Place, preferred: frozenset[str]
) -> tuple[int, int, int, int, int, str]:
    kind_rank = -1 if place.kind in preferred else KIND_RANK.get(place.kind, 6)
    return (
        hit.band,
        kind_rank,
        0 if hit.primary else 1,
        -round(hit.score * 1000),
        -place.population,
        place.place_id,
    )


def _candidate(place: Place, hit: _Hit) -> Candidate:
    shape = geo.footprint(place.place_id)
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
        matched=hit.matched,
    )


def _ranked(
    name: str,
    *,
    country: str | None = None,
    bbox: BBox | None = None,
    fuzzy: bool = True,
    notable_only: bool = False,
) -> list[tuple[str, _Hit]]:
    """(place id, how it matched) for a name, best first (see geocode)."""
    if not isinstance(name, str) or not name.strip():
        return []
    index = _index()
    core, preferred = _parse_qualifier(name)
    hits = _spelled_hits(index, core)
    if preferred and core != name.strip():
        hits.extend(_spelled_hits(index, name))
    if not hits and fuzzy:
        hits = _fuzzy_hits(index, core)
    code = _country_code(country)
    kept: list[tuple[tuple[int, int, int, int, int, str], str, _Hit]] = []
    for place_id, hit in _best_per_place(hits).items():
        place = index.places[place_id]
        if code is not None and place.country != code:
            continue
        if notable_only and not place.notable:
            continue
        if not _inside(place, bbox):
            continue
        kept.append((_rank_key(hit, place, preferred), place_id, hit))
    kept.sort(key=lambda item: item[0])
    return [(place_id, hit) for _, place_id, hit in kept]


def geocode(
    name: str,
    *,
    limit: int = 5,
    country: str | None = None,
    bbox: BBox | None = None,
    fuzzy: bool = True,
) -> list[Candidate]:
    """Gazetteer candidates for a place name, best first.

    ``country`` is an ISO code or name ("IQ", "Syria"); ``bbox`` is (min lon, min lat, max lon,
    max lat) and keeps places whose point lies inside. A trailing "province", "district" or
    "city" (or a leading "city of") prefers that kind. ``fuzzy=False`` returns only known
    spellings. Unknown or empty names give [].
    """
    if limit <= 0:
        return []
    index = _index()
    ranked = _ranked(name, country=country, bbox=bbox, fuzzy=fuzzy)[:limit]
    return [_candidate(index.places[place_id], hit) for place_id, hit in ranked]


def ranked_ids(name: str, *, fuzzy: bool = True, notable_only: bool = False) -> list[str]:
    """Place ids for a name, best first, without building footprints.

    ``notable_only`` keeps places worth spotting in running text (peopled places, admin seats,
    admin units and the hand-placed extras), which is what extraction looks for.
    """
    return [place_id for place_id, _ in _ranked(name, fuzzy=fuzzy, notable_only=notable_only)]


def place(place_id: str) -> Place | None:
    """The geocoder's record of a place id (name, kind, admin names), or None."""
    return _index().places.get(place_id)


def is_mention_key(key: str) -> bool:
    """Whether a folded key names a notable place (for spotting places in running text)."""
    return key in _index().notable_keys


def longest_name_words() -> int:
    """Word count of the longest notable spelling: the widest n-gram worth looking up."""
    return _index().longest_name_words
