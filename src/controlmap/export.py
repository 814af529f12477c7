"""Writers: the resolved state and the claims as files (GeoJSON now; more formats to come)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely

from controlmap.geometry import rounded
from controlmap.model import ActorRegistry, Citation
from controlmap.resolve import Piece


def source_dict(citation: Citation) -> dict[str, Any]:
    s = citation.source
    return {
        "title": s.title,
        "publisher": s.publisher,
        "url": s.url,
        "published": s.published,
        "excerpt": citation.excerpt,
    }


def piece_properties(piece: Piece, registry: ActorRegistry, day: dt.date) -> dict[str, Any]:
    """The properties of one resolved piece, as ``controlmap state`` prints them."""
    h = piece.holding

    def name(actor_id: str | None) -> str | None:
        if actor_id is None:
            return None
        actor = registry.get(actor_id)
        return actor.name if actor else actor_id

    return {
        "actor": h.actor,
        "actor_name": name(h.actor),
        "status": h.status,
        "extent": h.extent,
        "partial": h.partial,
        "confidence": h.confidence,
        "previous": h.previous,
        "previous_name": name(h.previous),
        "previous_status": h.previous_status,
        "parties": list(h.parties),
        "since": h.since.isoformat(),
        "evidence_age_days": piece.age_days(day),
        "claim_ids": list(h.claim_ids),
        "previous_claim_ids": list(h.previous_claim_ids),
        "sources": [source_dict(c) for c in piece.citations],
        "area_km2": round(piece.area_km2, 3),
    }


def state_collection(
    pieces: Sequence[Piece], registry: ActorRegistry, day: dt.date, *, digits: int = 6
) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(rounded(p.geometry, digits)),
            "properties": piece_properties(p, registry, day),
        }
        for p in pieces
    ]
    return {"type": "FeatureCollection", "date": day.isoformat(), "features": features}


def write_json(data: Any, path: Path | None) -> None:
    """To a file, or to stdout when ``path`` is None; files are replaced, never half-written."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    if path is None:
        import sys

        sys.stdout.write(text + "\n")
        return
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
