"""Alembic environment: migrations run on the connection the Store hands over (Store.upgrade)."""

from __future__ import annotations

import geoalchemy2  # noqa: F401  (registers the DDL hooks that add GiST indexes on PostGIS)
from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through controlmap (controlmap init), not alembic's CLI")

# render_as_batch: SQLite cannot alter a column or constraint in place; batch mode copies the
# table, so one migration script serves both databases.
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
