"""Build the demo dataset data/demo/claims.geojson from the reference timeline and seed report.

Every row of ``../shared/reference/anbar-timeline-2013-2017.csv`` becomes one claim in the
import schema of DESIGN.md, except the two rows for the 2 January 2014 Antiwar.com report:
those are replaced by the two claims that report makes, quoted from the seed text in
``../shared/seed/``. The mapping rules are spelled out in data/README.md; the code below is
their single implementation. Geometry comes from ``controlmap.geo.footprint``.

Usage: ``python scripts/build_demo.py [--reference CSV] [--seed TXT] [--out GEOJSON]``
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from math import pi
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, split

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    # The script runs from a checkout whether or not the package is installed.
    sys.path.insert(0, str(REPO / "src"))

from controlmap import geo  # noqa: E402

DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "anbar-timeline-2013-2017.csv"
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "aqi-seizes-parts-of-two-iraqi-cities.txt"
DEFAULT_OUT = REPO / "data" / "demo" / "claims.geojson"
ACTORS_FILE = REPO / "data" / "actors.json"

SEED_URL = "https://news.antiwar.com/2014/01/02/al-qaeda-seizes-parts-of-two-major-iraqi-cities/"
SEED_DATE = "2014-01-02"
SEED_PUBLISHER = "Antiwar.com"
SEED_SENTENCE_START = "Iraqi military sources now say"

RAMADI_CENTRE_RADIUS_KM = 1.5  # the government compound sits in the old city centre
MOSUL_FALLBACK_MERIDIAN = 43.14  # used only if the Tigris line fails to cut the footprint

Areal = Polygon | MultiPolygon


@dataclass(frozen=True)
class PlaceSpec:
    """How a place as worded in the timeline maps to a place id and a geometry."""

    place_id: str
    display: str
    shape: str = "footprint"  # "footprint" | "centre" | "east-bank"


PLACES: dict[str, PlaceSpec] = {
    "Fallujah": PlaceSpec("geonames:99454", "Fallujah"),
    "Ramadi": PlaceSpec("geonames:98717", "Ramadi"),
    "Hit (Heet)": PlaceSpec("geonames:95788", "Hit"),
    "Haditha": PlaceSpec("geonames:96309", "Haditha"),
    "Haditha (Barwana, al-Sakran)": PlaceSpec("geonames:96309", "Haditha"),
    "al-Qaim": PlaceSpec("geonames:92138", "al-Qaim"),
    "Rutba (ar-Rutbah)": PlaceSpec("geonames:98677", "Rutba"),
    "Anah": PlaceSpec("geonames:6765385", "Anah"),
    "Rawa": PlaceSpec("geonames:92004", "Rawa"),
    "Mosul": PlaceSpec("geonames:99072", "Mosul"),
    "Tikrit": PlaceSpec("geonames:90150", "Tikrit"),
    "Baiji": PlaceSpec("geonames:97783", "Baiji"),
    "Sinjar": PlaceSpec("geonames:448149", "Sinjar"),
    "Karmah (al-Karmah / Garma)": PlaceSpec("extra:karmah", "Karmah"),
    "Karmah (al-Karmah / Garma / Karma)": PlaceSpec("extra:karmah", "Karmah"),
    "Garma (Karmah) area and villages north of Fallujah": PlaceSpec(
        "iq-adm3:IQG01Q01N02", "Al-Garma sub-district"
    ),
    "Amiriyat al-Fallujah": PlaceSpec("extra:amiriyat-al-fallujah", "Amiriyat al-Fallujah"),
    "Khalidiya (al-Khalidiyah town)": PlaceSpec("extra:khalidiya", "Khalidiya"),
    "Khalidiya Island": PlaceSpec("extra:khalidiya-island", "Khalidiya Island"),
    "Husaybah (Husseiba, east of Ramadi)": PlaceSpec(
        "extra:husaybah-sharqiyah", "Husaybah al-Sharqiyah"
    ),
    "Ramadi (Husaybah/Hussaibiyah, eastern Ramadi)": PlaceSpec(
        "extra:husaybah-sharqiyah", "Husaybah al-Sharqiyah"
    ),
    "Baiji oil refinery": PlaceSpec("extra:baiji-refinery", "Baiji oil refinery"),
    "Ramadi (government compound)": PlaceSpec(
        "geonames:98717", "Ramadi (government compound)", "centre"
    ),
    "Mosul (east / left bank)": PlaceSpec("geonames:99072", "Mosul (east bank)", "east-bank"),
    "Iraq-Syria border / western Anbar desert": PlaceSpec("iq-adm1:IQG01", "Al-Anbar governorate"),
}

FOOTPRINT_WORDS = {
    "admin-boundary": "the admin unit's boundary",
    "urban-area": "Natural Earth urban outline clipped to its sub-district",
    "population-buffer": "approximate: a population-sized disc clipped to its sub-district",
    "hand-placed-buffer": "approximate: a disc around a hand-placed point, clipped to its "
    "sub-district",
}

# Publishers whose column names a person: split it into publisher and author.
AUTHORS: dict[str, tuple[str, str]] = {
    "Antiwar.com (Jason Ditz)": ("Antiwar.com", "Jason Ditz"),
    "Musings on Iraq (blog, Joel Wing)": ("Musings on Iraq (blog)", "Joel Wing"),
    "Greg Mitchell (blog, summarising NYT)": (
        "Greg Mitchell (blog, summarising NYT)",
        "Greg Mitchell",
    ),
    "AOL (Reuters, Ziad al-Sinjary)": ("AOL (Reuters)", "Ziad al-Sinjary"),
}


@dataclass(frozen=True)
class Override:
    """A per-row judgement the general rules cannot make; the reason goes into the notes."""

    extent: str
    reason: str


OVERRIDES: dict[tuple[str, str], Override] = {
    ("2014-10-05", "Garma (Karmah) area and villages north of Fallujah"): Override(
        "most",
        "The footprint is the whole Al-Garma sub-district, larger than the area the report "
        "names, so the claim is drawn as 'most' (hatched), not as solid control.",
    ),
    ("2017-01-24", "Mosul (east / left bank)"): Override(
        "all",
        "The 'partial (eastern half)' of the timeline is the footprint itself (Mosul east of "
        "the Tigris), so the claim covers all of it.",
    ),
}

# Citations in the timeline that do not match the row they support.
SOURCE_WARNINGS: dict[tuple[str, str], str] = {
    ("2016-02", "Ramadi"): (
        "Caution: the timeline cites a BBC report on Rutba (May 2016) for this row; the "
        "citation looks misattached and should be replaced by a report on Ramadi."
    ),
}

ISIL_WORDS = re.compile(r"\b(?:ISIL|ISIS|AQI|IS|DAESH)\b")
CLAIMED_WORDS = re.compile(r"claimed\)|\(claimed|disputed|reported\)|\(reported")
PERCENT = re.compile(r"([>~]?)\s*(\d{1,3})\s*%")
LEADING_DATE = re.compile(r"^(?:c\.\s*)?(\d{4}(?:-\d{2}(?:-\d{2})?)?)\b")


@dataclass(frozen=True)
class Row:
    """One line of the reference timeline, kept verbatim."""

    date: str
    date_precision: str
    place: str
    admin1: str
    from_actor: str
    to_actor: str
    extent: str
    status: str
    confidence: str
    source_title: str
    source_publisher: str
    source_date: str
    source_url: str


@dataclass
class Claim:
    """A claim feature under construction."""

    actor: str
    status: str
    extent: str
    observed_on: str
    date_precision: str
    confidence: str
    place: PlaceSpec
    geometry: Areal
    notes: list[str]
    citations: list[dict[str, Any]] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    """The timeline rows, in file order."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [Row(**{k: (v or "").strip() for k, v in rec.items()}) for rec in csv.DictReader(fh)]


def read_seed(path: Path) -> tuple[str, str, str]:
    """(title, author, the quoted sentence) from the seed report text."""
    text = path.read_text(encoding="utf-8")
    title = text.strip().splitlines()[0].strip()
    author_match = re.search(r"^Author:\s*(.+)$", text, flags=re.MULTILINE)
    if author_match is None:
        raise SystemExit(f"{path}: no 'Author:' line")
    start = text.find(SEED_SENTENCE_START)
    if start < 0:
        raise SystemExit(f"{path}: the sentence '{SEED_SENTENCE_START} ...' is missing")
    end = text.find(".", text.find("northwest Syria", start))
    if end < 0:
        raise SystemExit(f"{path}: the quoted sentence has no end")
    return title, author_match.group(1).strip(), text[start : end + 1]


# --- mapping rules ---------------------------------------------------------------------------


def actor_of(wording: str) -> tuple[str, bool]:
    """(registry id, whether the attribution itself is uncertain) for a to_actor cell."""
    if "tribal militants /" in wording:
        # "tribal militants / ISIL": the report could not say which; ISIL, as a claim.
        return "isil", True
    if ISIL_WORDS.search(wording):
        return "isil", False
    lowered = wording.lower()
    if lowered.startswith("iraqi government forces"):
        return "iraq-gov", False
    if lowered.startswith("kurdish peshmerga"):
        return "krg", False
    raise SystemExit(f"no actor rule for {wording!r}")


def is_majority(extent: str) -> bool:
    """'most', '>50%' or any share above half ('~60%', '~70%', '~75%', '~90%')."""
    if "most" in extent:
        return True
    for sign, number in PERCENT.findall(extent):
        share = int(number)
        if share > 50 or (sign == ">" and share >= 50):
            return True
    return False


def status_extent_of(row: Row) -> tuple[str, str, str]:
    """(status, extent, remark) from the timeline's status and extent wording."""
    status, extent = row.status.lower(), row.extent.lower()
    if status.startswith("claimed withdrawal"):
        return (
            "control",
            "all",
            (
                "A claimed ISIL withdrawal that was reversed the next day: kept as continued ISIL "
                "control, as a claim."
            ),
        )
    if status.startswith(("held", "context")) or "no change" in status:
        return (
            "control",
            "all",
            (
                "No change of control: recorded as evidence that the named side held the place "
                "on this date."
            ),
        )
    if status == "contested":
        return "contested", ("most" if is_majority(extent) else "part"), ""
    if is_majority(extent):
        return "control", "most", ""
    if extent.startswith(("full", "facility (full")) or extent == "area":
        return "control", "all", ""
    if extent.startswith(("partial", "facility (partial")):
        return "control", "part", ""
    raise SystemExit(f"no extent rule for {row.extent!r} / {row.status!r} ({row.date})")


def confidence_of(row: Row, uncertain_actor: bool) -> str:
    """'claimed' for low confidence or claimed/disputed/reported wording, else 'assessed'."""
    wording = f"{row.extent} {row.status}".lower()
    if uncertain_actor or row.confidence.lower() == "low" or CLAIMED_WORDS.search(wording):
        return "claimed"
    if row.status.lower().startswith("claimed withdrawal"):
        return "claimed"
    return "assessed"


def observed_of(row: Row) -> tuple[str, str]:
    """(observed_on, date_precision); a month becomes its first day, precision 'month'."""
    precision = row.date_precision.split()[0].lower()
    if precision not in ("day", "month", "year"):
        raise SystemExit(f"unknown date precision {row.date_precision!r}")
    parts = [int(p) for p in row.date.split("-")]
    while len(parts) < 3:
        parts.append(1)
    return date(*parts).isoformat(), precision


def published_of(source_date: str) -> str | None:
    """The leading date of the source_date cell, at the precision given; never a new day."""
    if source_date.lower().startswith("n/a"):
        return None
    match = LEADING_DATE.match(source_date)
    return match.group(1) if match else None


def publisher_author(publisher: str) -> tuple[str, str | None]:
    return AUTHORS.get(publisher, (publisher, None))


def citation_of(row: Row, excerpt: str = "") -> dict[str, Any]:
    publisher, author = publisher_author(row.source_publisher)
    return {
        "title": row.source_title,
        "publisher": publisher,
        "author": author,
        "url": row.source_url,
        "published": published_of(row.source_date),
        "excerpt": excerpt,
    }


# --- geometry --------------------------------------------------------------------------------


def areal(geom: BaseGeometry) -> Areal:
    """Polygonal parts only, valid, on the 5-decimal grid."""
    snapped = shapely.set_precision(geom, geo.GRID)
    polys: list[Polygon] = []
    for part in getattr(snapped, "geoms", [snapped]):
        if isinstance(part, Polygon) and not part.is_empty:
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
    if not polys:
        raise SystemExit("a footprint vanished when cut")
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def centre_of(place_id: str) -> Areal:
    """The central part of a town's footprint: a small disc around its gazetteer point."""
    point = geo.place_point(place_id)
    area = pi * RAMADI_CENTRE_RADIUS_KM**2
    core = geo.disc(point.x, point.y, area)
    return areal(core.intersection(geo.footprint(place_id).geometry))


def east_of_tigris(geom: Areal) -> tuple[Areal, str]:
    """The part of a footprint east of the Tigris centreline, and how it was cut."""
    rivers = gpd.read_file(geo.geo_dir() / "iraq-syria" / "basemap" / "rivers.geojson")
    tigris = rivers[rivers["name"] == "Tigris"].geometry.union_all()
    local = tigris.intersection(geom.envelope.buffer(0.05))
    pieces = [p for p in split(geom, local).geoms if isinstance(p, Polygon)]
    if len(pieces) > 1:
        east = [p for p in pieces if _east_of_line(p.representative_point(), local)]
        if east:
            return areal(MultiPolygon(east) if len(east) > 1 else east[0]), (
                "cut along the Natural Earth Tigris centreline (approximate)"
            )
    cut = geom.intersection(box(MOSUL_FALLBACK_MERIDIAN, -90, 180, 90))
    return areal(cut), f"cut at the {MOSUL_FALLBACK_MERIDIAN} E meridian (approximate)"


def _east_of_line(point: Point, line: BaseGeometry) -> bool:
    nearest = nearest_points(line, point)[0]
    return point.x > nearest.x


def geometry_of(spec: PlaceSpec) -> tuple[Areal, str]:
    """The claim geometry for a place, with a sentence on how it was made."""
    fp = geo.footprint(spec.place_id)
    how = f"Footprint: {FOOTPRINT_WORDS[fp.method]}."
    if spec.shape == "centre":
        return centre_of(spec.place_id), (
            f"Footprint: approximate: a {RAMADI_CENTRE_RADIUS_KM:g} km radius disc around the "
            "GeoNames point of Ramadi (city centre, where the government compound is), cut "
            "from the Ramadi footprint."
        )
    if spec.shape == "east-bank":
        east, cut = east_of_tigris(fp.geometry)
        return east, f"{how[:-1]}; east bank only, {cut}."
    return areal(fp.geometry), how


# --- claims ----------------------------------------------------------------------------------


# The timeline's extent column in words a reader of a popup expects.
EXTENT_WORDS = {"full": "all of it", "partial": "part of it", "most": "most of it", "n/a": ""}


def timeline_note(row: Row) -> str:
    """What the timeline says, in a plain sentence: disputed or low-confidence rows stay
    visibly so (its own qualifiers are kept, without its column names)."""
    extent = EXTENT_WORDS.get(row.extent, row.extent)
    what = row.status + (f", {extent}" if extent else "")
    moved = (
        f"held by {row.to_actor}"
        if row.from_actor == row.to_actor
        else f"from {row.from_actor} to {row.to_actor}"
    )
    return f"Reference timeline: {what}, {moved} ({row.confidence} confidence)."


def context_notes(row: Row, spec: PlaceSpec) -> list[str]:
    notes = []
    if row.place != spec.display:
        notes.append(f"Place as worded: '{row.place}'.")
    if row.date_precision.lower() not in ("day", "month", "year"):
        notes.append(f"Date as given: {row.date_precision}.")
    published = published_of(row.source_date)
    if row.source_date != (published or ""):
        notes.append(f"Source date as given: {row.source_date}.")
    return notes


def claim_of(row: Row) -> Claim:
    spec = PLACES.get(row.place)
    if spec is None:
        raise SystemExit(f"no place rule for {row.place!r} ({row.date})")
    actor, uncertain_actor = actor_of(row.to_actor)
    status, extent, remark = status_extent_of(row)
    override = OVERRIDES.get((row.date, row.place))
    observed_on, precision = observed_of(row)
    geometry, how = geometry_of(spec)
    notes = [timeline_note(row), *context_notes(row, spec)]
    if uncertain_actor:
        notes.append("The report could not tell tribal militants from ISIL: ISIL, as a claim.")
    if remark:
        notes.append(remark)
    if override is not None:
        extent = override.extent
        notes.append(override.reason)
    warning = SOURCE_WARNINGS.get((row.date, row.place))
    if warning:
        notes.append(warning)
    notes.append(how)
    return Claim(
        actor=actor,
        status=status,
        extent=extent,
        observed_on=observed_on,
        date_precision=precision,
        confidence=confidence_of(row, uncertain_actor),
        place=spec,
        geometry=geometry,
        notes=notes,
        citations=[citation_of(row)],
    )


def is_seed_row(row: Row) -> bool:
    return row.source_url == SEED_URL and row.date == SEED_DATE


def seed_claims(rows: Iterable[Row], seed: Path) -> list[Claim]:
    """The two claims of the 2 January 2014 report, replacing its two timeline rows."""
    title, author, sentence = read_seed(seed)
    by_place = {row.place: row for row in rows if is_seed_row(row)}
    if set(by_place) != {"Fallujah", "Ramadi"}:
        raise SystemExit(
            f"expected seed-source rows for Fallujah and Ramadi, got {sorted(by_place)}"
        )
    wording = {
        "Fallujah": ("most", "'controls more than half of Fallujah': extent most."),
        "Ramadi": ("part", "'a portion of Ramadi': ISIL control of part of the city."),
    }
    claims = []
    for place, (extent, reading) in wording.items():
        row = by_place[place]
        spec = PLACES[place]
        geometry, how = geometry_of(spec)
        notes = [
            f"Seed report ({SEED_PUBLISHER}, {author}, {SEED_DATE}): {reading}",
            "Replaces the timeline row for the same report. " + timeline_note(row),
            how,
        ]
        citation = {
            "title": title,
            "publisher": SEED_PUBLISHER,
            "author": author,
            "url": SEED_URL,
            "published": SEED_DATE,
            "excerpt": sentence,
        }
        claims.append(
            Claim(
                "isil",
                "control",
                extent,
                SEED_DATE,
                "day",
                "assessed",
                spec,
                geometry,
                notes,
                [citation],
            )
        )
    return claims


# --- output ----------------------------------------------------------------------------------


def rounded_coords(value: Any) -> Any:
    """Round every coordinate to 5 decimals (the geometry is already on that grid)."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [rounded_coords(v) for v in value]
    return value


def feature_of(claim: Claim) -> dict[str, Any]:
    geometry = mapping(claim.geometry)
    return {
        "type": "Feature",
        "geometry": {
            "type": geometry["type"],
            "coordinates": rounded_coords(geometry["coordinates"]),
        },
        "properties": {
            "actor": claim.actor,
            "status": claim.status,
            "extent": claim.extent,
            "observed_on": claim.observed_on,
            "date_precision": claim.date_precision,
            "valid_until": None,
            "confidence": claim.confidence,
            "place_id": claim.place.place_id,
            "place": claim.place.display,
            "notes": " ".join(claim.notes),
            "citations": claim.citations,
        },
    }


def collection(claims: list[Claim]) -> dict[str, Any]:
    ordered = sorted(claims, key=lambda c: (c.observed_on, c.place.display, c.actor))
    actors = json.loads(ACTORS_FILE.read_text(encoding="utf-8"))
    used = {c.actor for c in claims}
    return {
        "type": "FeatureCollection",
        "name": "controlmap demo: Anbar and northern Iraq, December 2013 to December 2017",
        "actors": [a for a in actors if a["id"] in used],
        "features": [feature_of(c) for c in ordered],
    }


def build(reference: Path, seed: Path, out: Path) -> int:
    rows = read_rows(reference)
    claims = [claim_of(row) for row in rows if not is_seed_row(row)]
    claims += seed_claims(rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection(claims), ensure_ascii=False, indent=1)
    out.write_text(text + "\n", encoding="utf-8")
    return len(claims)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="timeline CSV (default: ../shared/reference/...)",
    )
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed report text")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output GeoJSON")
    args = parser.parse_args(argv)
    for path in (args.reference, args.seed):
        if not path.is_file():
            print(f"not found: {path}", file=sys.stderr)
            return 2
    count = build(args.reference, args.seed, args.out)
    print(f"wrote {count} claims to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
