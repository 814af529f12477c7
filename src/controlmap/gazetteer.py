"""Large gazetteers indexed in SQLite for fast name lookups: the world's, GeoNames dumps.

The ``geonames`` pack's ``geo/geonames/gazetteer.tsv.xz`` (format ``geonames-world``, built by
``scripts/build_gazetteer.py``) holds about 235,000 populated places with their spellings in
every script; a pack a user adds may hold a GeoNames country dump (format ``geonames``).
Reading and folding all of those names takes about a minute, so it is done once per file, by
:func:`ensure_index` (``controlmap init`` and ``make setup`` call it), into a SQLite file in
the data folder; every later process opens that file and answers a lookup with a few indexed
queries.

The index holds one row per (key, place) with how good a match that key is: the place's own
name or one of its other spellings, compared by :func:`controlmap.names.exact_key`,
:func:`~controlmap.names.fold` or :func:`~controlmap.names.skeleton`. A Cyrillic name is also
keyed by its transliteration, so a Latin query finds a place known only in Cyrillic and the
reverse. Fuzzy lookups (one or two letters wrong) compare the query's folded key with the
folded keys of the same first letter and about the same length.
"""

from __future__ import annotations

import fcntl
import gzip
import lzma
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

from rapidfuzz import fuzz, process

from controlmap import names

# Bump when the keys change: the index file name carries it, so an old index is rebuilt.
INDEX_VERSION = 5
ADMIN1_FILE = "admin1.tsv"
LOCK_FILE = "world-gazetteer.lock"

# How a key matched, best first. The geocoder turns these into its match bands.
MATCH_NAME = 0  # exact key of the place's own name
MATCH_ALIAS = 1  # exact key of another spelling
MATCH_VARIANT_NAME = 2  # folded key of the own name
MATCH_VARIANT_ALIAS = 3  # folded key of another spelling
MATCH_TRANSLIT = 4  # across scripts: a Cyrillic spelling read in Latin letters
MATCH_SKELETON = 5  # consonant skeleton, from an Arabic query to Latin spellings
MATCH_FUZZY = 6  # not stored: found by a fuzzy comparison of folded keys

FUZZY_WINDOW = 1  # compare with folded keys this many letters longer or shorter
FUZZY_POOL = 30
FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) below which a name is not a match
FUZZY_CUTOFF_SHORT = 90.0  # keys of 4 letters or fewer: one wrong letter is another town

# Seats and capitals by feature code: GeoNames' own importance of a populated place.
SEAT_CODES = frozenset({"PPLC", "PPLA", "PPLA2", "PPLG"})
SECTION_CODES = frozenset({"PPLX"})
FORMER_CODES = frozenset({"PPLH", "PPLW", "PPLQ"})


@dataclass(frozen=True)
class WorldPlace:
    """One world gazetteer place."""

    geonameid: int
    name: str
    code: str  # GeoNames feature code (PPL, PPLA, PPLC, PPLX ...)
    country: str
    admin1: str | None  # admin-1 name, when GeoNames has it
    population: int
    lat: float
    lon: float
    spellings: tuple[str, ...]

    @property
    def place_id(self) -> str:
        return f"geonames:{self.geonameid}"


@dataclass(frozen=True)
class Match:
    """A place a name may stand for and how well it matched (a MATCH_* value, and a score)."""

    geonameid: int
    quality: int
    score: float  # 1.0 for stored keys; the fuzzy ratio (0-1) for fuzzy matches


# --- where things live ---------------------------------------------------------------------

FORMATS = ("geonames-world", "geonames")  # the compact table of geo/world; a GeoNames dump


def index_path(data_dir: Path, source: Path, pack: str) -> Path:
    """The index file of a pack's gazetteer: a changed source or key version gets a new file.

    Named by pack and source size, not by folder, so every checkout on a machine shares the
    bundled world pack's index.
    """
    stamp = source.stat().st_size
    return data_dir / f"gazetteer-{pack}-v{INDEX_VERSION}-{stamp}.sqlite"


# --- building ------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE places (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT,
    population INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    spellings TEXT NOT NULL
);
CREATE TABLE keys (
    key TEXT NOT NULL,
    geonameid INTEGER NOT NULL,
    quality INTEGER NOT NULL,
    PRIMARY KEY (key, geonameid)
) WITHOUT ROWID;
CREATE TABLE fuzzy_keys (
    head TEXT NOT NULL,
    length INTEGER NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (head, length, key)
) WITHOUT ROWID;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _open_text(source: Path) -> IO[str]:
    if source.suffix == ".xz":
        return lzma.open(source, "rt", encoding="utf-8")
    if source.suffix == ".gz":
        return gzip.open(source, "rt", encoding="utf-8")
    return source.open(encoding="utf-8")


def _read_source(source: Path, fmt: str) -> Iterator[list[str]]:
    """Rows of nine fields (see scripts/build_gazetteer.py) from either format."""
    with _open_text(source) as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if not fields[0].isdigit():
                continue
            if fmt == "geonames-world" and len(fields) == 9:
                yield fields
            elif fmt == "geonames" and len(fields) >= 15:
                # A GeoNames dump: geonameid, name, asciiname, alternatenames (commas), lat,
                # lon, feature class, feature code, country, cc2, admin1 ... population ...
                names_ = [fields[2], *fields[3].split(",")]
                others = "|".join(n.strip().replace("|", " ") for n in names_ if n.strip())
                code = fields[7] or fields[6] or "PPL"
                population = fields[14] if fields[14].isdigit() else "0"
                yield [
                    fields[0], fields[1], code, fields[8], fields[10], population,
                    fields[4], fields[5], others,
                ]  # fmt: skip


def _admin1(source: Path, fmt: str) -> dict[str, str]:
    path = source.parent / ADMIN1_FILE
    table: dict[str, str] = {}
    if fmt == "geonames-world" and path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            code, _, name = line.partition("\t")
            if code and name:
                table[code] = name
    return table


def place_keys(name: str, spellings: Sequence[str]) -> dict[str, int]:
    """Every lookup key of a place with its best MATCH_* quality (keys are prefixed by kind)."""
    keys: dict[str, int] = {}

    def put(key: str, quality: int) -> None:
        if key and quality < keys.get(key, 99):
            keys[key] = quality

    for spelling, own in ((name, True), *((s, False) for s in spellings)):
        exact = names.exact_key(spelling)
        if not exact:
            continue
        put("e:" + exact, MATCH_NAME if own else MATCH_ALIAS)
        variant = MATCH_VARIANT_NAME if own else MATCH_VARIANT_ALIAS
        put("v:" + names.fold(spelling), variant)
        for latin in names.translits(spelling):
            put("v:" + latin, MATCH_TRANSLIT)
        if names.is_latin(spelling):
            put("s:" + names.skeleton(spelling), MATCH_SKELETON)
    keys.pop("e:", None)
    keys.pop("v:", None)
    keys.pop("s:", None)
    return keys


def _rows(source: Path, fmt: str) -> Iterator[tuple[tuple[object, ...], dict[str, int]]]:
    admin1 = _admin1(source, fmt)
    for fields in _read_source(source, fmt):
        gid, name, code, country, adm1, population, lat, lon, alternates = fields
        spellings = [s for s in alternates.split("|") if s]
        row = (
            int(gid),
            name,
            code,
            country,
            admin1.get(f"{country}.{adm1}") if adm1 else None,
            int(population or 0),
            float(lat),
            float(lon),
            "|".join(spellings),
        )
        yield row, place_keys(name, spellings)


def build_index(source: Path, fmt: str, target: Path) -> int:
    """Write the index of a gazetteer file to ``target``; returns the place count.

    Built in a temporary file next to the target and moved into place at the end, so a
    process that dies half-way leaves nothing, and two processes building at once both end
    with a complete file.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    count = 0
    try:
        con = sqlite3.connect(tmp)
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        places: list[tuple[object, ...]] = []
        keys: list[tuple[str, int, int]] = []
        fuzzy: set[str] = set()
        for row, place_keys_ in _rows(source, fmt):
            places.append(row)
            gid = int(row[0])  # type: ignore[call-overload]
            for key, quality in place_keys_.items():
                keys.append((key, gid, quality))
                if key.startswith("v:"):
                    fuzzy.add(key[2:])
            count += 1
            if len(keys) > 200_000:
                _flush(con, places, keys)
        _flush(con, places, keys)
        con.executemany(
            "INSERT INTO fuzzy_keys VALUES (?, ?, ?)", ((k[0], len(k), k) for k in sorted(fuzzy))
        )
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("places", str(count)), ("version", str(INDEX_VERSION))],
        )
        con.commit()
        con.execute("VACUUM")
        con.close()
        os.chmod(tmp, 0o644)  # public data, read by every process of the machine
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _flush(
    con: sqlite3.Connection, places: list[tuple[object, ...]], keys: list[tuple[str, int, int]]
) -> None:
    con.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", places)
    con.executemany("INSERT INTO keys VALUES (?, ?, ?)", keys)
    places.clear()
    keys.clear()


_BUILD_LOCK = threading.Lock()


def ensure_index(source: Path, fmt: str, data_dir: Path, pack: str, *, quiet: bool = False) -> Path:
    """The index file of a pack's gazetteer, built now if it is missing."""
    if fmt not in FORMATS:
        raise ValueError(f"gazetteer format {fmt!r} is not one of {FORMATS}")
    target = index_path(data_dir, source, pack)
    if target.exists():
        return target
    data_dir.mkdir(parents=True, exist_ok=True)
    # One builder at a time, across threads and processes: the others wait, then find it.
    with _BUILD_LOCK, open(data_dir / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                started = time.perf_counter()
                if not quiet:
                    print(f"indexing the world gazetteer into {target} ...", file=sys.stderr)
                count = build_index(source, fmt, target)
                if not quiet:
                    took = time.perf_counter() - started
                    print(f"indexed {count:,} places in {took:.0f} s", file=sys.stderr)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


# --- looking up ----------------------------------------------------------------------------


def query_keys(name: str) -> dict[str, int]:
    """The prefixed keys a query is looked up by, with the worst quality each may give."""
    wanted = {"e:" + names.exact_key(name): 0, "v:" + names.fold(name): 0}
    for latin in names.translits(name):
        wanted.setdefault("v:" + latin, MATCH_TRANSLIT)
    wanted["s:" + names.arabic_skeleton(name)] = 0
    return {k: floor for k, floor in wanted.items() if len(k) > 2}


class WorldIndex:
    """Read-only lookups in a built index; safe to share between threads."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def matches(self, name: str, *, fuzzy: bool = True) -> list[Match]:
        """Places whose spellings match ``name``, each with its best match quality."""
        exact = names.exact_key(name)
        if not exact:
            return []
        wanted = query_keys(name)
        marks = ",".join("?" * len(wanted))
        best: dict[int, int] = {}
        rows = self._con().execute(
            f"SELECT key, geonameid, quality FROM keys WHERE key IN ({marks})", list(wanted)
        )
        for key, gid, quality in rows:
            quality = max(quality, wanted[key])
            if quality < best.get(gid, 99):
                best[gid] = quality
        found = [Match(gid, q, 1.0) for gid, q in best.items()]
        if fuzzy and not any(m.quality <= MATCH_TRANSLIT for m in found):
            found.extend(self._fuzzy(names.fold(name)))
        return found

    def _fuzzy(
        self, key: str, cutoff_long: float = 80.0, cutoff_short: float = 90.0
    ) -> list[Match]:
        if len(key) < 3:
            return []
        cutoff = cutoff_short if len(key) <= 4 else cutoff_long
        pool = [
            row[0]
            for row in self._con().execute(
                "SELECT key FROM fuzzy_keys WHERE head = ? AND length BETWEEN ? AND ?",
                (key[0], len(key) - FUZZY_WINDOW, len(key) + FUZZY_WINDOW),
            )
        ]
        found = process.extract(key, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_POOL)
        if not found:
            return []
        ratios = {k: ratio for k, ratio, _ in found}
        marks = ",".join("?" * len(ratios))
        best: dict[int, float] = {}
        rows = self._con().execute(
            f"SELECT key, geonameid FROM keys WHERE key IN ({marks})",
            ["v:" + k for k in ratios],
        )
        for key, gid in rows:
            score = ratios[key[2:]] / 100.0
            best[gid] = max(best.get(gid, 0.0), score)
        return [Match(gid, MATCH_FUZZY, score) for gid, score in best.items()]

    def places(self, geonameids: Iterable[int]) -> dict[int, WorldPlace]:
        ids = sorted(set(geonameids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._con().execute(f"SELECT * FROM places WHERE geonameid IN ({marks})", ids)
        return {row[0]: _place(row) for row in rows}

    def place(self, geonameid: int) -> WorldPlace | None:
        return self.places([geonameid]).get(geonameid)

    def has_key(self, key: str) -> bool:
        row = self._con().execute("SELECT 1 FROM keys WHERE key = ? LIMIT 1", (key,)).fetchone()
        return row is not None

    def has_notable_key(self, key: str, population: int, seats: Iterable[str]) -> bool:
        """Whether a key names a place that is a seat or has at least ``population`` people."""
        codes = sorted(seats)
        marks = ",".join("?" * len(codes))
        row = (
            self._con()
            .execute(
                "SELECT 1 FROM keys JOIN places USING (geonameid) WHERE key = ? AND "
                f"(population >= ? OR code IN ({marks})) LIMIT 1",
                [key, population, *codes],
            )
            .fetchone()
        )
        return row is not None

    def count(self) -> int:
        row = self._con().execute("SELECT value FROM meta WHERE name = 'places'").fetchone()
        return int(row[0]) if row else 0


def _place(row: Sequence[object]) -> WorldPlace:
    gid, name, code, country, admin1, population, lat, lon, spellings = row
    return WorldPlace(
        geonameid=int(gid),  # type: ignore[call-overload]
        name=str(name),
        code=str(code),
        country=str(country),
        admin1=str(admin1) if admin1 else None,
        population=int(population),  # type: ignore[call-overload]
        lat=float(lat),  # type: ignore[arg-type]
        lon=float(lon),  # type: ignore[arg-type]
        spellings=tuple(s for s in str(spellings).split("|") if s),
    )


@lru_cache(maxsize=16)
def open_index(path: Path) -> WorldIndex:
    return WorldIndex(path)


class Indexes:
    """Several indexed gazetteers searched as one (the world's and any GeoNames dump)."""

    def __init__(self, indexes: Sequence[WorldIndex]):
        self.indexes = tuple(indexes)

    def matches(self, name: str, *, fuzzy: bool = True) -> list[Match]:
        best: dict[int, Match] = {}
        for index in self.indexes:
            for match in index.matches(name, fuzzy=fuzzy):
                current = best.get(match.geonameid)
                if current is None or (match.quality, -match.score) < (
                    current.quality,
                    -current.score,
                ):
                    best[match.geonameid] = match
        return list(best.values())

    def places(self, geonameids: Iterable[int]) -> dict[int, WorldPlace]:
        wanted = set(geonameids)
        found: dict[int, WorldPlace] = {}
        for index in self.indexes:
            for gid, record in index.places(wanted - set(found)).items():
                found[gid] = record
        return found

    def place(self, geonameid: int) -> WorldPlace | None:
        return self.places([geonameid]).get(geonameid)

    def has_notable_key(self, key: str, population: int, seats: Iterable[str]) -> bool:
        codes = tuple(seats)
        return any(index.has_notable_key(key, population, codes) for index in self.indexes)


def main() -> None:
    """``python -m controlmap.gazetteer``: index every installed pack's gazetteer (setup)."""
    from controlmap import packs, settings

    data_dir = settings.current().data_dir
    for pack, source, fmt in packs.gazetteers():
        if fmt in FORMATS:
            print(ensure_index(source, fmt, data_dir, pack.name), file=sys.stderr)


if __name__ == "__main__":
    main()
