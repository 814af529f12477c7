"""Claim files in, claim files out: the import schema of DESIGN.md and the bundled data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlmap import safejson, settings
from controlmap.errors import ControlmapError, ValidationError
from controlmap.model import Actor, ActorRegistry, Claim, ReviewState
from controlmap.store import Store

ACTORS_FILE = settings.data_file("actors.json")
DEMO_FILE = settings.data_file("demo/claims.geojson")
# A claim file is parsed whole in memory; this bounds what one import may ask of it.
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ClaimFile:
    actors: tuple[Actor, ...]
    claims: tuple[Claim, ...]


def bundled_actors() -> list[Actor]:
    """The registry shipped in data/actors.json."""
    data = _read_json(ACTORS_FILE)
    if not isinstance(data, list):
        raise ValidationError(f"{ACTORS_FILE} must hold a list of actors")
    return [Actor.from_dict(a) for a in data]


def _read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ControlmapError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ValidationError(f"{path} is {size:,} bytes, more than the {MAX_FILE_BYTES:,} limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ControlmapError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return safejson.loads(data)
    except ValidationError as exc:
        raise ValidationError(f"{path}: {exc}") from None


def parse_claims(
    data: Any, registry: ActorRegistry, *, review_state: ReviewState = "approved"
) -> ClaimFile:
    """Validate a whole FeatureCollection; the first bad feature rejects the file."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError("the file is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ValidationError("the FeatureCollection has no 'features' list")
    _check_crs(data.get("crs"))
    defined = data.get("actors") or []
    if not isinstance(defined, list):
        raise ValidationError("'actors' must be a list of {id, name, aliases, colour, kind}")
    new_actors = []
    for i, raw in enumerate(defined, start=1):
        try:
            actor = Actor.from_dict(raw)
        except ValidationError as exc:
            raise ValidationError(f"actors[{i}]: {exc}") from None
        new_actors.append(actor)
    merged = ActorRegistry(registry)
    for actor in new_actors:
        merged.add(actor)
    claims = []
    for i, feature in enumerate(features, start=1):
        try:
            claims.append(Claim.from_feature(feature, merged, review_state=review_state))
        except ValidationError as exc:
            raise exc.at_feature(i) from None
    if not claims:
        raise ValidationError("the FeatureCollection has no features")
    return ClaimFile(tuple(new_actors), tuple(claims))


# The names GeoJSON writers give WGS 84 longitude/latitude (RFC 7946 and the 2008 spec).
WGS84_NAMES = frozenset(
    {
        "epsg:4326",
        "urn:ogc:def:crs:epsg::4326",
        "urn:ogc:def:crs:epsg:6.6:4326",
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
        "ogc:crs84",
        "crs84",
        "http://www.opengis.net/def/crs/ogc/1.3/crs84",
        "http://www.opengis.net/def/crs/epsg/0/4326",
    }
)


def _check_crs(crs: Any) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or name.strip().lower() not in WGS84_NAMES:
        raise ValidationError(
            "coordinates must be WGS 84 longitude/latitude (EPSG:4326 or CRS84); "
            "reproject the file first"
        )


def import_file(
    store: Store, path: Path, *, who: str, review_state: ReviewState = "approved"
) -> list[int]:
    """Import a claim file all-or-nothing; returns one claim id per feature (a claim
    already stored keeps its id: importing twice adds nothing); ``.new`` counts the new."""
    # A pending file may name actors another pending file defined; an approved one may not.
    registry = store.actors(include_pending=review_state == "pending")
    parsed = parse_claims(_read_json(path), registry, review_state=review_state)
    return store.add_claims(
        parsed.claims, who=who, why=f"imported from {path.name}", actors=parsed.actors
    )


def init_store(store: Store, *, demo: bool = True, who: str = "controlmap init") -> str:
    """Create or upgrade the schema, register the bundled actors, load the demo once."""
    start = store.upgrade()
    store.put_actors(bundled_actors())
    loaded = 0
    if demo and store.claim_count("approved") == 0 and store.claim_count("pending") == 0:
        loaded = len(import_file(store, DEMO_FILE, who=who))
    if start == 0:
        action = "created"
    elif start < store.schema_version():
        action = f"upgraded from schema {start}"
    else:
        action = "already current"
    suffix = f"; loaded {loaded} demo claims" if loaded else ""
    return f"database {action} (schema {store.schema_version()}){suffix}"


def feature_collection(
    claims: Sequence[Claim], registry: ActorRegistry, **extra: Any
) -> dict[str, Any]:
    """Claims as an import-schema FeatureCollection, with the actors they name."""
    used = sorted({c.actor for c in claims})
    actors = [a.to_dict() for a in (registry.get(i) for i in used) if a is not None]
    ordered = sorted(claims, key=lambda c: (c.observed_on, c.actor, c.place_id or "", c.id or 0))
    return {
        "type": "FeatureCollection",
        **extra,
        "actors": actors,
        "features": [c.to_feature() for c in ordered],
    }
