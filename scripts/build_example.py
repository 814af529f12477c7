"""Build an example claim file in data/examples/ from its hand-written source table.

The source table (``data/examples/<name>.source.json``) lists the actors, the places with
their GeoNames id, point and population, and one entry per claim with its citations. This
script turns each claim into a Feature of the import schema of DESIGN.md whose geometry is
an approximate disc around the place's point, sized by population at the table's density
and clamped to its bounds. The discs are flagged as approximate in every claim's notes: no
surveyed outline lies behind them.

Usage: ``python scripts/build_example.py [SOURCE.json ...]`` (default: every source table in
data/examples/). Each writes ``<name>.geojson`` next to its source; the output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

from controlmap.geo import disc  # noqa: E402
from controlmap.geometry import rounded  # noqa: E402

EXAMPLES = REPO / "data" / "examples"
SOURCE_SUFFIX = ".source.json"


def disc_area(population: int, table: dict[str, Any]) -> float:
    """km^2 of the disc standing for a place of this population."""
    area = population / float(table["disc_density_per_km2"])
    return max(float(table["disc_min_km2"]), min(float(table["disc_max_km2"]), area))


def feature(claim: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    place = table["places"][claim["place"]]
    area = disc_area(int(place["population"]), table)
    shape = rounded(disc(float(place["lon"]), float(place["lat"]), area), 5)
    footprint = (
        f"Footprint: approximate disc of {area:.0f} km2 around the GeoNames point of "
        f"{place['name']} (geonameid {place['geonameid']}, population {place['population']:,}); "
        "not a surveyed outline."
    )
    citations = [
        {
            "title": c["title"],
            "publisher": c["publisher"],
            "author": c.get("author"),
            "url": c["url"],
            "published": c["published"],
            "excerpt": c.get("excerpt", ""),
        }
        for c in claim["citations"]
    ]
    return {
        "type": "Feature",
        "geometry": mapping(shape),
        "properties": {
            "actor": claim["actor"],
            "status": claim["status"],
            "extent": claim["extent"],
            "observed_on": claim["observed_on"],
            "date_precision": claim.get("date_precision", "day"),
            "valid_until": None,
            "confidence": claim["confidence"],
            "place_id": f"geonames:{place['geonameid']}",
            "place": place["name"],
            "notes": f"{claim['notes']} {footprint}",
            "citations": citations,
        },
    }


def build(source: Path) -> Path:
    table = json.loads(source.read_text(encoding="utf-8"))
    claims = sorted(table["claims"], key=lambda c: (c["observed_on"], c["place"], c["actor"]))
    collection = {
        "type": "FeatureCollection",
        "name": table["name"],
        "actors": table["actors"],
        "features": [feature(c, table) for c in claims],
    }
    out = source.with_name(source.name.removesuffix(SOURCE_SUFFIX) + ".geojson")
    text = json.dumps(collection, ensure_ascii=False, indent=1)
    out.write_text(text + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path)
    args = parser.parse_args(argv)
    sources = args.sources or sorted(EXAMPLES.glob(f"*{SOURCE_SUFFIX}"))
    for source in sources:
        out = build(source)
        print(f"wrote {out.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
