"""Fresh databases for tests, on the backend the run selects (``--backend sqlite|postgis``).

PostGIS runs need ``CONTROLMAP_TEST_PG``: the URL of a superuser on a throwaway cluster
(``scripts/with_postgis.sh`` starts one and sets it). Each test database is copied from a
template that already has the PostGIS extension, and is owned by an ordinary role, as a
team's database would be.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

import pytest

ENV_BACKEND = "CONTROLMAP_TEST_BACKEND"
ENV_PG = "CONTROLMAP_TEST_PG"
BACKENDS = ("sqlite", "postgis")
TEMPLATE = "controlmap_template"
OWNER = "controlmap_test"

_counter = itertools.count()


class Databases:
    def __init__(self, backend: str):
        if backend not in BACKENDS:
            raise pytest.UsageError(f"--backend must be one of {', '.join(BACKENDS)}")
        self.backend = backend
        self.admin_url = os.environ.get(ENV_PG, "")
        self._ready = False

    @property
    def postgis(self) -> bool:
        return self.backend == "postgis"

    def new(self, folder: Path, name: str = "test") -> str:
        """The URL of a new, empty database."""
        if not self.postgis:
            return f"sqlite:///{folder / f'{name}.sqlite'}"
        if not self.admin_url:
            pytest.skip(f"PostGIS run without {ENV_PG} (scripts/with_postgis.sh sets it)")
        self._prepare()
        db = f"cm_{name.replace('-', '_')[:20]}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        self._admin(f'CREATE DATABASE "{db}" TEMPLATE {TEMPLATE} OWNER {OWNER}')
        host = self._engine().url.set(username=OWNER, password=OWNER, database=db)
        return host.render_as_string(hide_password=False)

    def _engine(self):  # type: ignore[no-untyped-def]
        from sqlalchemy import create_engine

        return create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def _admin(self, *statements: str, database: str | None = None) -> None:
        from sqlalchemy import create_engine, text

        engine = self._engine()
        if database:
            engine = create_engine(engine.url.set(database=database), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for sql in statements:
                conn.execute(text(sql))
        engine.dispose()

    def _prepare(self) -> None:
        """Once per run: the owner role and a template database with PostGIS."""
        if self._ready:
            return
        from sqlalchemy import text

        engine = self._engine()
        with engine.connect() as conn:
            if not conn.execute(text(f"SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}'")).first():
                conn.execute(text(f"CREATE ROLE {OWNER} LOGIN PASSWORD '{OWNER}'"))
            if not conn.execute(
                text(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE}'")
            ).first():
                conn.execute(text(f"CREATE DATABASE {TEMPLATE}"))
                self._admin("CREATE EXTENSION IF NOT EXISTS postgis", database=TEMPLATE)
        engine.dispose()
        self._ready = True
