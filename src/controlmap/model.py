"""The domain: actors, sources, citations and claims, validated on construction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import urlparse

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from controlmap.errors import UnknownActor, ValidationError
from controlmap.geometry import area_km2, rounded

Status = Literal["control", "contested"]
Extent = Literal["all", "most", "part", "unknown"]
Confidence = Literal["assessed", "claimed"]
Precision = Literal["day", "month", "year"]
ReviewState = Literal["pending", "approved", "rejected"]

STATUSES: tuple[Status, ...] = ("control", "contested")
EXTENTS: tuple[Extent, ...] = ("all", "most", "part", "unknown")
CONFIDENCES: tuple[Confidence, ...] = ("assessed", "claimed")
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")
REVIEW_STATES: tuple[ReviewState, ...] = ("pending", "approved", "rejected")
ACTOR_KINDS = ("state", "non-state", "tribal", "coalition", "other")
GRADES = ("A", "B", "C", "D", "E", "F")

# Import must take real datasets (a whole country, 100,000+ vertices); these bounds only stop
# the absurd (a planet-sized polygon, a file that would exhaust memory).
MAX_VERTICES = 2_000_000
MAX_AREA_KM2 = 20_000_000.0
MAX_TEXT = 2_000
MAX_EXCERPT = 5_000
EARLIEST = dt.date(1900, 1, 1)

# Used with fullmatch: "$" alone would let a trailing newline through.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Characters that change how text around them is shown: C0/C1 controls (tab and newline
# excepted), line and paragraph separators, and bidirectional embeddings, overrides and
# isolates (U+202E turns "\u202egnp.exe" into "exe.png" on screen).
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"must be text, got {type(value).__name__}", field=name)
    value = value.strip()
    if required and not value:
        raise ValidationError("is required", field=name)
    if len(value) > limit:
        raise ValidationError(f"is longer than {limit} characters", field=name)
    hidden = _HIDDEN.search(value)
    if hidden:
        raise ValidationError(
            f"contains control characters (U+{ord(hidden.group()):04X}): type the text again",
            field=name,
        )
    if _SURROGATE.search(value):
        raise ValidationError("contains a lone UTF-16 surrogate", field=name)
    return value


def parse_date(value: Any, name: str, *, allow_future: bool = False) -> dt.date:
    """An ISO date (YYYY-MM-DD) between 1900 and today."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                f"{value!r} is not a date in YYYY-MM-DD form", field=name
            ) from None
    else:
        raise ValidationError("is required (YYYY-MM-DD)", field=name)
    if day < EARLIEST:
        raise ValidationError(f"{day.isoformat()} is before 1900", field=name)
    if not allow_future and day > dt.date.today():
        raise ValidationError(f"{day.isoformat()} is in the future", field=name)
    return day


def _partial_date(value: Any, name: str) -> str | None:
    """A publication date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value, name)
    if re.fullmatch(r"\d{4}", text) or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        year = int(text[:4])
        if not EARLIEST.year <= year <= dt.date.today().year:
            raise ValidationError(
                f"{text} is not a year between {EARLIEST.year} and this year", field=name
            )
        return text
    return parse_date(text, name).isoformat()


def check_url(value: Any, name: str, *, required: bool = False) -> str | None:
    """Only absolute http(s) links are kept: anything else could run script when clicked."""
    text = _text(value, name, required=required)
    if not text:
        return None
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise ValidationError(f"{text[:80]!r} is not an http(s) URL", field=name)
    if any(c.isspace() for c in text) or any(c in text for c in "<>\"'`"):
        raise ValidationError("contains characters not allowed in a URL", field=name)
    return text


def _choice(value: Any, name: str, options: Sequence[str], default: str | None = None) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in options:
        raise ValidationError(f"{value!r} is not one of {', '.join(options)}", field=name)
    return cast(str, value)


def normalise_alias(name: str) -> str:
    """Case- and punctuation-insensitive key for actor aliases, in any script.

    Letters, digits and combining marks of every script are kept (Arabic, Cyrillic ...), so
    two aliases written in a script other than Latin never collapse into the same empty key.
    """
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in name.casefold())
    return " ".join(kept.split())


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    colour: str
    kind: str = "other"
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _SLUG.fullmatch(self.id):
            raise ValidationError(
                f"{self.id!r} must be a lowercase slug (letters, digits, '-')", field="actor id"
            )
        object.__setattr__(self, "name", _text(self.name, "actor name", required=True, limit=200))
        if not isinstance(self.colour, str) or not _COLOUR.fullmatch(self.colour):
            raise ValidationError(f"{self.colour!r} is not a #rrggbb colour", field="actor colour")
        object.__setattr__(self, "kind", _choice(self.kind, "actor kind", ACTOR_KINDS, "other"))
        aliases = tuple(_text(a, "actor alias", limit=200) for a in self.aliases)
        object.__setattr__(self, "aliases", tuple(a for a in aliases if a))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Actor:
        if not isinstance(data, Mapping):
            raise ValidationError("an actor must be an object with id, name, colour")
        aliases = data.get("aliases") or ()
        if isinstance(aliases, str) or not isinstance(aliases, Iterable):
            raise ValidationError("must be a list of names", field="actor aliases")
        return cls(
            id=data.get("id", ""),
            name=data.get("name", ""),
            colour=data.get("colour") or data.get("color") or "",
            kind=data.get("kind") or "other",
            aliases=tuple(aliases),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "colour": self.colour,
            "kind": self.kind,
        }


class ActorRegistry:
    """Actors by id, findable by any alias (a group's acronym, name and nickname: one actor)."""

    def __init__(self, actors: Iterable[Actor] = ()):
        self._by_id: dict[str, Actor] = {}
        self._by_alias: dict[str, str] = {}
        for actor in actors:
            self.add(actor)

    def add(self, actor: Actor) -> None:
        self._by_id[actor.id] = actor
        for name in (actor.id, actor.name, *actor.aliases):
            key = normalise_alias(name)
            if key:
                self._by_alias.setdefault(key, actor.id)

    def resolve(self, name: Any) -> Actor:
        if isinstance(name, str):
            key = self._by_alias.get(normalise_alias(name))
            if key is not None:
                return self._by_id[key]
        raise UnknownActor(
            f"{name!r} is neither a registered actor nor defined in the file's 'actors' list",
            field="actor",
        )

    def get(self, actor_id: str) -> Actor | None:
        return self._by_id.get(actor_id)

    def name_of(self, actor_id: str) -> str:
        """The display name, or the id itself for an actor the registry does not know."""
        actor = self._by_id.get(actor_id)
        return actor.name if actor else actor_id

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str = ""
    author: str = ""
    url: str | None = None
    published: str | None = None
    accessed: str | None = None
    archive_url: str | None = None
    language: str = ""
    grade: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _text(self.title, "citation title", required=True))
        object.__setattr__(self, "publisher", _text(self.publisher, "citation publisher"))
        object.__setattr__(self, "author", _text(self.author, "citation author"))
        object.__setattr__(self, "url", check_url(self.url, "citation url"))
        object.__setattr__(self, "archive_url", check_url(self.archive_url, "citation archive_url"))
        object.__setattr__(self, "published", _partial_date(self.published, "citation published"))
        object.__setattr__(self, "accessed", _partial_date(self.accessed, "citation accessed"))
        object.__setattr__(self, "language", _text(self.language, "citation language", limit=20))
        if self.grade not in (None, ""):
            object.__setattr__(self, "grade", _choice(self.grade, "citation grade", GRADES))
        else:
            object.__setattr__(self, "grade", None)

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        """The document cited: citations with the same key are listed once on the map."""
        return (self.title, self.publisher, self.url, self.published)

    @property
    def identity(self) -> tuple[str | None, ...]:
        """Everything recorded about the source: a stored row is shared only by citations
        that agree on all of it, so no claim's details (an unreviewed author, an archive
        link, a grade) ever change another claim's citation."""
        d = self.to_dict()
        return tuple(d[k] for k in sorted(d))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "publisher": self.publisher,
            "author": self.author,
            "url": self.url,
            "published": self.published,
            "accessed": self.accessed,
            "archive_url": self.archive_url,
            "language": self.language,
            "grade": self.grade,
        }


@dataclass(frozen=True)
class Citation:
    source: Source
    excerpt: str = ""
    locator: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "excerpt", _text(self.excerpt, "citation excerpt", limit=MAX_EXCERPT)
        )
        object.__setattr__(self, "locator", _text(self.locator, "citation locator", limit=200))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        if not isinstance(data, Mapping):
            raise ValidationError("each citation must be an object with at least a title")
        source = Source(
            title=data.get("title", ""),
            publisher=data.get("publisher") or "",
            author=data.get("author") or "",
            url=data.get("url"),
            published=data.get("published"),
            accessed=data.get("accessed"),
            archive_url=data.get("archive_url"),
            language=data.get("language") or "",
            grade=data.get("grade"),
        )
        return cls(source, data.get("excerpt") or "", data.get("locator") or "")

    def to_dict(self) -> dict[str, Any]:
        out = self.source.to_dict()
        out["excerpt"] = self.excerpt
        out["locator"] = self.locator
        # Optional fields that are empty are left out so exported files stay readable.
        return {k: v for k, v in out.items() if v not in (None, "") or k in ("title", "url")}


def check_geometry(geom: Any, name: str = "geometry") -> BaseGeometry:
    """Polygon or MultiPolygon in lon/lat, valid, inside the world, within size limits."""
    if isinstance(geom, Mapping):
        try:
            geom = shapely.geometry.shape(geom)
        except Exception as exc:  # shapely raises several types for malformed GeoJSON
            raise ValidationError(f"is not valid GeoJSON geometry ({exc})", field=name) from None
    if not isinstance(geom, BaseGeometry):
        raise ValidationError("is missing", field=name)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            f"must be a Polygon or MultiPolygon, not {geom.geom_type}", field=name
        )
    if geom.is_empty:
        raise ValidationError("is empty", field=name)
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    count = shapely.get_num_coordinates(geom)
    if count > MAX_VERTICES:
        raise ValidationError(f"has {count:,} vertices, more than {MAX_VERTICES:,}", field=name)
    # Checked before any GEOS operation: NaN makes GEOS raise instead of answering.
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise ValidationError("has coordinates that are not numbers", field=name)
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ValidationError(
            f"lies outside the world (bounds {minx:.2f},{miny:.2f},{maxx:.2f},{maxy:.2f}); "
            "coordinates must be [longitude, latitude]",
            field=name,
        )
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        repaired = shapely.make_valid(geom)
        polygons = shapely.get_parts(repaired)
        kept = [p for p in polygons if p.geom_type in ("Polygon", "MultiPolygon")]
        # make_valid may turn a bow-tie into lines and points; accept the repair only when
        # the polygonal area survives, otherwise the user must fix the shape.
        if not kept or abs(shapely.union_all(kept).area - geom.buffer(0).area) > 1e-9 + 0.01 * abs(
            geom.buffer(0).area
        ):
            raise ValidationError(f"is not a valid polygon ({reason})", field=name)
        geom = shapely.union_all(kept)
    area = area_km2(geom)
    if area > MAX_AREA_KM2:
        raise ValidationError(
            f"covers {area:,.0f} km2, more than the {MAX_AREA_KM2:,.0f} km2 limit", field=name
        )
    return geom


@dataclass(frozen=True)
class Claim:
    """One cited statement about control of an area at a date."""

    actor: str
    status: Status
    extent: Extent
    geometry: BaseGeometry
    observed_on: dt.date
    citations: tuple[Citation, ...]
    date_precision: Precision = "day"
    valid_until: dt.date | None = None
    confidence: Confidence = "assessed"
    place_id: str | None = None
    notes: str = ""
    id: int | None = None
    review_state: ReviewState = "approved"
    version: int = 1
    retracted: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.actor, str) or not _SLUG.fullmatch(self.actor):
            raise ValidationError(f"{self.actor!r} is not an actor id", field="actor")
        object.__setattr__(self, "status", _choice(self.status, "status", STATUSES))
        object.__setattr__(self, "extent", _choice(self.extent, "extent", EXTENTS, "all"))
        object.__setattr__(
            self, "confidence", _choice(self.confidence, "confidence", CONFIDENCES, "assessed")
        )
        object.__setattr__(
            self,
            "date_precision",
            _choice(self.date_precision, "date_precision", PRECISIONS, "day"),
        )
        object.__setattr__(
            self, "review_state", _choice(self.review_state, "review_state", REVIEW_STATES)
        )
        object.__setattr__(self, "observed_on", parse_date(self.observed_on, "observed_on"))
        if self.valid_until is not None:
            until = parse_date(self.valid_until, "valid_until", allow_future=True)
            if until < self.observed_on:
                raise ValidationError(
                    f"{until.isoformat()} is before observed_on {self.observed_on.isoformat()}",
                    field="valid_until",
                )
            object.__setattr__(self, "valid_until", until)
        object.__setattr__(self, "geometry", check_geometry(self.geometry))
        if not self.citations:
            raise ValidationError("at least one citation is required", field="citations")
        object.__setattr__(self, "citations", tuple(self.citations))
        object.__setattr__(self, "notes", _text(self.notes, "notes"))
        if self.place_id is not None:
            object.__setattr__(
                self, "place_id", _text(self.place_id, "place_id", limit=100) or None
            )

    def active_on(self, day: dt.date) -> bool:
        if self.observed_on > day:
            return False
        return self.valid_until is None or day <= self.valid_until

    @classmethod
    def from_feature(
        cls, feature: Any, registry: ActorRegistry, *, review_state: ReviewState = "approved"
    ) -> Claim:
        """Build a claim from a GeoJSON Feature of the import schema (see DESIGN.md)."""
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise ValidationError("is not a GeoJSON Feature")
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            raise ValidationError("has no properties object")
        actor = registry.resolve(props.get("actor"))
        citations = props.get("citations")
        if not isinstance(citations, list) or not citations:
            raise ValidationError("at least one citation is required", field="citations")

        def given(key: str, default: Any) -> Any:
            # Only a missing or null value takes the default: [] or 0 is an error, not "all".
            value = props.get(key)
            return default if value is None or value == "" else value

        return cls(
            actor=actor.id,
            status=props.get("status"),  # type: ignore[arg-type]
            extent=given("extent", "all"),
            geometry=check_geometry(feature.get("geometry")),
            observed_on=parse_date(props.get("observed_on"), "observed_on"),
            date_precision=given("date_precision", "day"),
            valid_until=given("valid_until", None),
            confidence=given("confidence", "assessed"),
            place_id=given("place_id", None),
            notes=given("notes", ""),
            citations=tuple(Citation.from_dict(c) for c in citations),
            review_state=review_state,
        )

    @property
    def content_hash(self) -> str:
        """A digest of what the claim says (not its review state or id): the same claim
        imported twice, or twice in one file, has the same hash."""
        feature = self.to_feature()
        text = json.dumps(feature, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_feature(self, *, precision: int = 6) -> dict[str, Any]:
        """The import schema: ``import`` of this output gives the same claim back."""
        geometry = shapely.geometry.mapping(rounded(self.geometry, precision))
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "actor": self.actor,
                "status": self.status,
                "extent": self.extent,
                "observed_on": self.observed_on.isoformat(),
                "date_precision": self.date_precision,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "confidence": self.confidence,
                "place_id": self.place_id,
                "notes": self.notes,
                "citations": [c.to_dict() for c in self.citations],
            },
        }
