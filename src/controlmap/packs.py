"""Geo packs: what the map knows about a part of the world, as data.

A pack is a folder with a ``manifest.json``::

    {"name": "...", "title": "...", "extent": [min lon, min lat, max lon, max lat],
     "attribution": "...", "licence": "...",
     "layers": [{"kind": "admin", "level": 1, "file": "adm1.geojson", "id_prefix": "xx-adm1",
                 "name_field": "name", "id_field": "id"}, ...],
     "gazetteer": {"file": "...", "format": "controlmap" | "geonames-world" | "geonames"},
     "extra_places": {"file": "..."}, "files": [...]}

Layer kinds: ``land``, ``lakes``, ``rivers``, ``borders``, ``disputed`` (the basemap),
``admin`` (units with a level, addressed as place ids ``<id_prefix>:<id>``), ``places``
(labelled points with ``name`` and ``population``, optionally ``min_zoom``) and ``urban``
(built-up outlines labelled with the ``place_id`` of the town inside).

Packs come from two folders: the bundled ones (``geo/`` of the package: the world pack and the
demo's detailed pack) and the ones users add with ``controlmap geo import`` (in the data
folder, see :mod:`controlmap.settings`). Every reader of geography goes through
:func:`installed`, so a pack added by a user is used by the basemap, the pictures, the
footprints and the geocoder alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from controlmap import settings
from controlmap.errors import ValidationError

MANIFEST = "manifest.json"
KINDS = ("land", "lakes", "rivers", "borders", "disputed", "admin", "places", "urban")
GAZETTEER_FORMATS = ("controlmap", "geonames-world", "geonames")
ADMIN_LEVELS = (0, 1, 2, 3, 4)


class PackError(ValidationError):
    """A pack whose manifest or files are unusable."""


@dataclass(frozen=True)
class Layer:
    """One file of a pack and what it holds."""

    kind: str
    file: str
    level: int | None = None
    id_prefix: str | None = None
    name_field: str = "name"
    id_field: str = "id"


@dataclass(frozen=True)
class Pack:
    """An installed geo pack (read-only)."""

    name: str
    title: str
    root: Path
    extent: tuple[float, float, float, float]
    attribution: str
    licence: str
    layers: tuple[Layer, ...]
    gazetteer: str | None = None
    gazetteer_format: str | None = None
    extra_places: str | None = None
    bundled: bool = True

    def path(self, relative: str) -> Path:
        return self.root / relative

    def of_kind(self, kind: str) -> tuple[Layer, ...]:
        return tuple(layer for layer in self.layers if layer.kind == kind)

    @property
    def area(self) -> float:
        minx, miny, maxx, maxy = self.extent
        return (maxx - minx) * (maxy - miny)

    def to_dict(self) -> dict[str, Any]:
        """What ``controlmap geo list`` prints."""
        return {
            "name": self.name,
            "title": self.title,
            "extent": list(self.extent),
            "attribution": self.attribution,
            "licence": self.licence,
            "bundled": self.bundled,
            "folder": str(self.root),
            "layers": [
                {k: v for k, v in vars(layer).items() if v is not None} for layer in self.layers
            ],
            "gazetteer": self.gazetteer,
        }


def _extent(value: Any, where: str) -> tuple[float, float, float, float]:
    if not isinstance(value, list) or len(value) != 4:
        raise PackError(f"{where}: extent must be [min lon, min lat, max lon, max lat]")
    try:
        minx, miny, maxx, maxy = (float(v) for v in value)
    except (TypeError, ValueError):
        raise PackError(f"{where}: extent must hold four numbers") from None
    ok = -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90
    if not ok:
        raise PackError(f"{where}: extent {value} is not a lon/lat box")
    return minx, miny, maxx, maxy


def _layer(entry: Any, root: Path, where: str) -> Layer:
    if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
        raise PackError(f"{where}: each layer needs a kind, one of {', '.join(KINDS)}")
    file = entry.get("file")
    if not isinstance(file, str) or not (root / file).is_file():
        raise PackError(f"{where}: layer file {file!r} is missing")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise PackError(f"{where}: layer file {file!r} must lie inside the pack")
    level = entry.get("level")
    prefix = entry.get("id_prefix")
    if entry["kind"] == "admin":
        if level not in ADMIN_LEVELS:
            raise PackError(f"{where}: admin layer {file} needs a level 0-4")
        if not isinstance(prefix, str) or not prefix or ":" in prefix:
            raise PackError(f"{where}: admin layer {file} needs an id_prefix without ':'")
    return Layer(
        kind=entry["kind"],
        file=file,
        level=level,
        id_prefix=prefix,
        name_field=str(entry.get("name_field") or "name"),
        id_field=str(entry.get("id_field") or "id"),
    )


def load(root: Path, *, bundled: bool) -> Pack:
    """Read and check one pack folder; PackError names what is wrong in one line."""
    path = root / MANIFEST
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(f"{where}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise PackError(f"{where}: not a valid JSON manifest") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise PackError(f"{where}: a manifest is an object with a name")
    layers = data.get("layers")
    if not isinstance(layers, list):
        raise PackError(f"{where}: layers must be a list")
    gazetteer = data.get("gazetteer") or {}
    gaz_file = gazetteer.get("file") if isinstance(gazetteer, dict) else None
    gaz_format = gazetteer.get("format") if isinstance(gazetteer, dict) else None
    if gaz_file is not None and gaz_format not in GAZETTEER_FORMATS:
        raise PackError(f"{where}: gazetteer format must be one of {GAZETTEER_FORMATS}")
    extra = data.get("extra_places") or {}
    return Pack(
        name=data["name"],
        title=str(data.get("title") or data["name"]),
        root=root,
        extent=_extent(data.get("extent"), where),
        attribution=str(data.get("attribution") or ""),
        licence=str(data.get("licence") or ""),
        layers=tuple(_layer(entry, root, where) for entry in layers),
        gazetteer=gaz_file if gaz_file and (root / gaz_file).is_file() else None,
        gazetteer_format=gaz_format if gaz_file else None,
        extra_places=extra.get("file") if isinstance(extra, dict) else None,
        bundled=bundled,
    )


def _folders(parent: Path) -> Iterator[Path]:
    if parent.is_dir():
        for child in sorted(parent.iterdir()):
            # Dot-folders are packs being written or replaced by ``geo import``.
            if not child.name.startswith(".") and (child / MANIFEST).is_file():
                yield child


def signature() -> tuple[tuple[str, bool, int], ...]:
    """Which manifests exist and when they changed: the cache key of :func:`installed`."""
    now = settings.current()
    out = []
    for parent, bundled in ((now.bundled_geo, True), (now.packs_dir, False)):
        for folder in _folders(parent):
            out.append((str(folder), bundled, (folder / MANIFEST).stat().st_mtime_ns))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_all(signature: tuple[tuple[str, bool, int], ...]) -> tuple[Pack, ...]:
    packs = [load(Path(folder), bundled=bundled) for folder, bundled, _ in signature]
    # Most detailed first: a theatre pack's units and places win over the world's.
    return tuple(sorted(packs, key=lambda p: (p.area, p.name)))


def installed() -> tuple[Pack, ...]:
    """Every pack, bundled and user-installed, the smallest extent (most detailed) first."""
    return _load_all(signature())


def layers(kind: str) -> list[tuple[Pack, Layer]]:
    """Every layer of one kind across the installed packs, most detailed pack first."""
    return [(pack, layer) for pack in installed() for layer in pack.of_kind(kind)]


def gazetteers() -> list[tuple[Pack, Path, str]]:
    """(pack, file, format) of every installed gazetteer: for the geocoder's index."""
    out = []
    for pack in installed():
        if pack.gazetteer and pack.gazetteer_format:
            out.append((pack, pack.path(pack.gazetteer), pack.gazetteer_format))
    return out


def attribution(bounds: tuple[float, float, float, float] | None = None) -> str:
    """The credit line of every installed pack (whose extent meets ``bounds``, if given)."""
    seen: dict[str, None] = {}
    for pack in installed():
        if bounds is not None:
            minx, miny, maxx, maxy = pack.extent
            if minx > bounds[2] or maxx < bounds[0] or miny > bounds[3] or maxy < bounds[1]:
                continue
        for credit in pack.attribution.split("&middot;"):
            if credit.strip():
                seen.setdefault(credit.strip(), None)
    return " &middot; ".join(seen)
