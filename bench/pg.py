"""A throwaway PostgreSQL + PostGIS cluster for the benchmarks, on a free loopback port.

Unlike ``scripts/with_postgis.sh`` (which turns fsync off to speed the test suite up), the
cluster keeps PostgreSQL's default durability settings, so a commit costs what it would on
a team's server. The database is owned by an ordinary role, as a team's would be; the
PostGIS extension is made by the superuser. Everything is removed on exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
ROLE = "bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    # The server refuses to run as root: as root the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def version() -> str:
    out = subprocess.run(
        [str(BIN / "postgres"), "--version"], capture_output=True, text=True, timeout=30
    )
    return out.stdout.strip()


@contextmanager
def cluster() -> Iterator[str]:
    """Yields the superuser URL of a new cluster; stops and removes it afterwards."""
    if not (BIN / "pg_ctl").exists():
        raise SystemExit(
            f"no PostgreSQL at {BIN}: apt-get install postgresql-15 postgresql-15-postgis-3"
        )
    folder = Path(tempfile.mkdtemp(prefix="controlmap-bench-pg."))
    folder.chmod(0o755)
    run = _as_server_user()
    superuser = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    if run:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        subprocess.run(
            [*run, str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", superuser],
            check=True,
            capture_output=True,
            timeout=120,
        )
        port = _free_port()
        subprocess.run(
            [
                *run,
                str(BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )
        yield f"postgresql+psycopg://{superuser}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run, str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_database(admin_url: str, name: str) -> str:
    """An empty database with the PostGIS extension, owned by an ordinary role; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'")).first():
            conn.execute(text(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE}'"))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {ROLE}'))
    admin.dispose()
    inside = create_engine(make_url(admin_url).set(database=name), isolation_level="AUTOCOMMIT")
    with inside.connect() as conn:
        conn.execute(text("CREATE EXTENSION postgis"))
    inside.dispose()
    url = make_url(admin_url).set(username=ROLE, password=ROLE, database=name)
    return url.render_as_string(hide_password=False)
