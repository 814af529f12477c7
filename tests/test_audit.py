"""The audit log: append-only, actor and account changes recorded, the command line names
its author honestly (issue 9, point 9)."""

from __future__ import annotations

import getpass
import io
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from controlmap import auth
from controlmap.cli import main
from controlmap.store import Store
from controlmap.store.audit import entries

GOOD = "correct horse battery"
FILE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[43.7, 33.3], [43.8, 33.3], [43.8, 33.4], [43.7, 33.3]]],
            },
            "properties": {
                "actor": "isil",
                "status": "control",
                "observed_on": "2014-01-02",
                "citations": [{"title": "A report", "url": "https://example.org/a"}],
            },
        }
    ],
}


@pytest.fixture
def claim_file(tmp_path):
    path = tmp_path / "claims.geojson"
    path.write_text(json.dumps(FILE))
    return path


def _authors(store: Store) -> list[str]:
    return [r["who"] for r in store.audit()]


def test_the_cli_records_cli_user_not_a_bare_name(capsys, empty_store, db_url, claim_file):
    assert main(["--db", db_url, "import", str(claim_file)]) == 0
    assert _authors(empty_store) == [f"cli:{getpass.getuser()}"]


def test_as_names_an_account_with_the_role_or_is_refused(
    capsys, empty_store, db_url, claim_file, monkeypatch, tmp_path
):
    monkeypatch.setenv("CONTROLMAP_USERS", str(tmp_path / "none.json"))
    auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    auth.add_user(empty_store, "cora", "contributor", GOOD, who="test")
    assert main(["--db", db_url, "--as", "nobody", "import", str(claim_file)]) == 1
    assert "no such account" in capsys.readouterr().err
    assert main(["--db", db_url, "--as", "cora", "import", str(claim_file)]) == 1
    assert "reviewer" in capsys.readouterr().err
    assert empty_store.claim_count("approved") == 0
    assert main(["--db", db_url, "--as", "rita", "import", str(claim_file)]) == 0
    assert _authors(empty_store) == ["rita"]


def test_account_changes_are_recorded(empty_store, monkeypatch, tmp_path, capsys, db_url):
    monkeypatch.setenv("CONTROLMAP_USERS", str(tmp_path / "none.json"))
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    assert main(["--db", db_url, "user", "add", "ada", "--role", "admin", "--password-stdin"]) == 0
    ada = auth.User("ada", "admin")
    auth.add_user(empty_store, "rita", "contributor", GOOD, who="ada")
    auth.set_role(empty_store, ada, "rita", "reviewer")
    with empty_store.engine.connect() as conn:
        log = entries(conn, kind="account")
    assert [(e["who"], e["action"], e["target"]) for e in log] == [
        ("ada", "role changed", "rita"),
        ("ada", "account created", "rita"),
        (f"cli:{getpass.getuser()}", "account created", "ada"),
    ]
    assert log[0]["detail"] == {"role": ["contributor", "reviewer"]}
    assert GOOD not in json.dumps(log)


@pytest.mark.parametrize("table", ["revisions", "audit_log"])
def test_history_cannot_be_changed_with_plain_sql(empty_store, make_claim, table):
    empty_store.add_claims([make_claim()], who="tester")
    auth.add_user(empty_store, "rita", "reviewer", GOOD, who="tester")
    for statement in (f"UPDATE {table} SET who = 'mallory'", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"), empty_store.engine.begin() as conn:
            conn.execute(text(statement))
    with empty_store.engine.connect() as conn:
        whos = {r[0] for r in conn.execute(text(f"SELECT who FROM {table}"))}
    assert "tester" in whos and "mallory" not in whos
