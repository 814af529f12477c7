"""Column types that read and write the same Python values on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import DateTime, Dialect, LargeBinary, String
from sqlalchemy.types import TypeDecorator, TypeEngine

SRID = 4326


class Footprint(TypeDecorator[BaseGeometry]):
    """A polygon in EPSG:4326: a PostGIS ``geometry`` column (GiST-indexed) on PostgreSQL,
    WKB in a blob elsewhere (the embedded SQLite needs no spatial extension). Python sees
    shapely geometries either way."""

    impl = LargeBinary
    cache_ok = True
    # Read by GeoAlchemy2 when it creates the table: one GiST index per footprint column.
    spatial_index = True
    use_N_D_index = False

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        # GeoAlchemy2 asks without a dialect while it sorts columns: a blob then.
        if dialect is not None and dialect.name == "postgresql":
            from geoalchemy2 import Geometry  # only PostGIS needs GeoAlchemy2

            return dialect.type_descriptor(Geometry(srid=SRID, spatial_index=False))
        return LargeBinary() if dialect is None else dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        wkb = shapely.to_wkb(value)
        if dialect.name == "postgresql":
            from geoalchemy2 import WKBElement

            return WKBElement(wkb, srid=SRID)
        return wkb

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        if dialect.name == "postgresql" and not isinstance(value, bytes | memoryview | str):
            value = value.data  # a GeoAlchemy2 WKBElement
        return shapely.from_wkb(bytes(value) if isinstance(value, memoryview) else value)


class Timestamp(TypeDecorator[str]):
    """A moment, kept by Python as an ISO 8601 string with its offset: ``timestamptz`` on
    PostgreSQL, the ISO text itself on SQLite (as databases made before this type hold)."""

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: str | dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat(timespec="seconds")
        return value
