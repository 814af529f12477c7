"""Accounts and roles in the database (issue 8 item 2; issue 9 point 8).

argon2 hashes with their parameters, rehash on sign-in, throttled guessing per account and
per address, session tokens that survive a reload and expire, users.json migrated once, the
first admin and invitations, and no lost accounts under concurrent writers.
"""

from __future__ import annotations

import json
import threading

import argon2
import pytest
from sqlalchemy import text

from controlmap import auth
from controlmap.cli import main
from controlmap.errors import ControlmapError, PermissionDenied, ValidationError
from controlmap.store import Store

GOOD = "correct horse battery"


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    return now


@pytest.fixture(autouse=True)
def no_users_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_USERS", str(tmp_path / "users.json"))


def _hash_of(store: Store, name: str) -> str:
    with store.engine.connect() as conn:
        return conn.execute(
            text("SELECT password_hash FROM accounts WHERE name = :n"), {"n": name}
        ).scalar_one()


def test_passwords_are_argon2_with_parameters_and_rehashed_on_sign_in(empty_store):
    auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    stored = _hash_of(empty_store, "rita")
    assert stored.startswith("$argon2id$") and "m=" in stored and "t=" in stored
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(GOOD)
    with empty_store.engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET password_hash = :h"), {"h": weak})
    assert auth.authenticate(empty_store, "rita", GOOD) == auth.User("rita", "reviewer")
    assert _hash_of(empty_store, "rita") != weak
    assert not argon2.PasswordHasher().check_needs_rehash(_hash_of(empty_store, "rita"))


@pytest.mark.parametrize("password", [" " * 8, " " * 12, "short", "aaaaaaaaaaaa", "rita" * 3])
def test_weak_passwords_are_refused(empty_store, password):
    with pytest.raises(ValidationError, match="password"):
        auth.add_user(empty_store, "rita", "reviewer", password, who="test")
    assert auth.list_users(empty_store) == []


def test_names_with_a_trailing_newline_are_refused(empty_store):
    with pytest.raises(ValidationError, match="user name"):
        auth.add_user(empty_store, "rita\n", "reviewer", GOOD, who="test")


def test_concurrent_user_add_loses_no_account(db_url, empty_store):
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            auth.add_user(Store(db_url), f"user{i:02d}", "contributor", GOOD, who="test")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(auth.list_users(empty_store)) == 12


def test_guessing_is_throttled_per_account(empty_store, clock):
    auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    for _ in range(auth.MAX_FAILURES_PER_ACCOUNT):
        assert auth.authenticate(empty_store, "rita", "wrong guess!", address="10.0.0.1") is None
    # Locked: even the right password is not looked at, from any address.
    with pytest.raises(auth.Throttled, match="try again in"):
        auth.authenticate(empty_store, "rita", GOOD, address="10.0.0.2")
    clock[0] += auth.WINDOW_SECONDS + 1
    assert auth.authenticate(empty_store, "rita", GOOD, address="10.0.0.2") is not None


def test_guessing_is_throttled_per_address(empty_store, clock):
    auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    for i in range(auth.MAX_FAILURES_PER_ADDRESS):
        assert (
            auth.authenticate(empty_store, f"name{i}", "wrong guess!", address="10.0.0.9") is None
        )
    with pytest.raises(auth.Throttled):
        auth.authenticate(empty_store, "rita", GOOD, address="10.0.0.9")
    assert auth.authenticate(empty_store, "rita", GOOD, address="10.0.0.3") is not None


def test_session_token_survives_a_reload_and_expires(empty_store, clock):
    user = auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    token = auth.session_token(empty_store, user)
    # Another app process (another Store on the same database) accepts it.
    assert auth.user_from_token(Store(empty_store.url), token) == user
    assert auth.user_from_token(empty_store, token[:-2] + "xx") is None
    assert auth.user_from_token(empty_store, "garbage") is None
    clock[0] += auth.SESSION_SECONDS + 10
    assert auth.user_from_token(empty_store, token) is None


def test_a_new_password_or_role_ends_old_sessions(empty_store):
    user = auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    admin = auth.add_user(empty_store, "ada", "admin", GOOD, who="test")
    token = auth.session_token(empty_store, user)
    auth.set_role(empty_store, admin, "rita", "contributor")
    assert auth.user_from_token(empty_store, token) is None
    token = auth.session_token(empty_store, auth.User("rita", "contributor"))
    auth.add_user(empty_store, "rita", "contributor", "another good one", who="test")
    assert auth.user_from_token(empty_store, token) is None


def _legacy_file(path, entries) -> None:
    """users.json as the earlier release wrote it (salted scrypt)."""
    import base64
    import hashlib

    data = {}
    for name, role, password in entries:
        salt = b"0123456789abcdef"
        digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
        data[name] = {
            "role": role,
            "salt": base64.b64encode(salt).decode(),
            "hash": base64.b64encode(digest).decode(),
        }
    path.write_text(json.dumps(data))


def test_users_json_is_migrated_once(empty_store, tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    _legacy_file(
        path, [("rex", "reviewer", "old password 1"), ("cora", "contributor", "pw 2 long enough")]
    )
    before = path.read_bytes()
    assert auth.list_users(empty_store) == [
        auth.User("cora", "contributor"),
        auth.User("rex", "reviewer"),
    ]
    assert auth.authenticate(empty_store, "rex", "old password 1") == auth.User("rex", "reviewer")
    assert _hash_of(empty_store, "rex").startswith("$argon2id$")  # rehashed at sign-in
    assert path.read_bytes() == before  # the file is read, never written
    _legacy_file(path, [("mallory", "admin", "added to the file later")])
    assert [u.name for u in auth.list_users(empty_store)] == ["cora", "rex"]


@pytest.mark.parametrize("content", ["{not json", "[1, 2, 3]", '{"x": [1]}'])
def test_a_corrupt_or_foreign_accounts_file_is_refused_in_one_line(
    empty_store, tmp_path, capsys, content, db_url
):
    path = tmp_path / "users.json"
    path.write_text(content)
    with pytest.raises(ControlmapError) as info:
        auth.list_users(empty_store)
    assert "\n" not in str(info.value) and "nothing was copied" in str(info.value)
    assert path.read_text() == content  # never overwritten
    assert main(["--db", db_url, "user", "list"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_first_admin_once_then_invitations(empty_store, clock):
    assert auth.needs_first_admin(empty_store)
    code = auth.setup_code(empty_store)
    assert code is not None and auth.setup_code_valid(empty_store, code)
    with pytest.raises(PermissionDenied, match="setup link is unknown"):
        auth.create_first_admin(empty_store, "guess-" + code[6:], "eve", GOOD)
    ada = auth.create_first_admin(empty_store, code, "ada", GOOD)
    assert ada.role == "admin" and not auth.needs_first_admin(empty_store)
    assert not auth.setup_code_valid(empty_store, code)
    assert auth.setup_code(empty_store) is None  # no new code once an admin exists
    with pytest.raises(PermissionDenied, match="already exists"):
        auth.create_first_admin(empty_store, code, "eve", GOOD)
    with pytest.raises(PermissionDenied):
        auth.invite(empty_store, auth.User("rex", "reviewer"), "reviewer")
    code = auth.invite(empty_store, ada, "contributor", note="for Cora")
    assert [i["role"] for i in auth.open_invitations(empty_store, ada)] == ["contributor"]
    assert auth.invitation(empty_store, code) == {"role": "contributor", "created_by": "ada"}
    assert auth.invitation(empty_store, "not-a-code") is None
    cora = auth.accept_invitation(empty_store, code, "cora", "a good password of hers")
    assert cora == auth.User("cora", "contributor")
    assert auth.authenticate(empty_store, "cora", "a good password of hers") == cora
    with pytest.raises(PermissionDenied, match="used or expired"):
        auth.accept_invitation(empty_store, code, "cora2", "another good password")
    late = auth.invite(empty_store, ada, "reviewer")
    clock[0] += auth.INVITE_SECONDS + 1
    with pytest.raises(PermissionDenied, match="used or expired"):
        auth.accept_invitation(empty_store, late, "rex", "a good password of his")


def test_cli_user_add_and_list(db_url, empty_store, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    assert (
        main(["--db", db_url, "user", "add", "rita", "--role", "reviewer", "--password-stdin"]) == 0
    )
    capsys.readouterr()
    assert main(["--db", db_url, "user", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "rita", "role": "reviewer"}]
    monkeypatch.setattr("sys.stdin", io.StringIO(" " * 8 + "\n"))
    assert main(["--db", db_url, "user", "add", "eve", "--role", "admin", "--password-stdin"]) == 1
    assert "password" in capsys.readouterr().err


def test_every_serve_s_setup_link_works_until_one_makes_the_admin_and_each_expires(
    empty_store, clock
):
    # Two app processes of a team each print a link: both work (before, the second replaced
    # the first, so only the last printed link worked).
    first = auth.setup_code(empty_store)
    clock[0] += 60
    second = auth.setup_code(empty_store)
    assert first and second
    assert auth.setup_code_valid(empty_store, first) and auth.setup_code_valid(empty_store, second)
    assert not auth.setup_code_valid(empty_store, "made-up")
    # The first expires a minute before the second.
    clock[0] += auth.SETUP_SECONDS - 30
    assert not auth.setup_code_valid(empty_store, first)
    with pytest.raises(PermissionDenied, match="expired"):
        auth.create_first_admin(empty_store, first, "ada", GOOD)
    assert auth.setup_code_valid(empty_store, second)
    clock[0] += 31
    with pytest.raises(PermissionDenied, match="expired"):
        auth.create_first_admin(empty_store, second, "ada", GOOD)
    assert auth.list_users(empty_store) == []
    # Once one link made the admin, no other link works any more.
    third, fourth = auth.setup_code(empty_store), auth.setup_code(empty_store)
    assert third and fourth
    auth.create_first_admin(empty_store, fourth, "ada", GOOD)
    assert not auth.setup_code_valid(empty_store, third)
    with pytest.raises(PermissionDenied, match="admin already exists"):
        auth.create_first_admin(empty_store, third, "eve", GOOD)


def test_an_admin_revokes_an_invitation(empty_store, clock):
    ada = auth.create_first_admin(empty_store, auth.setup_code(empty_store) or "", "ada", GOOD)
    code = auth.invite(empty_store, ada, "reviewer", note="for Rex")
    (open_one,) = auth.open_invitations(empty_store, ada)
    with pytest.raises(PermissionDenied):
        auth.revoke_invitation(empty_store, auth.User("rex", "reviewer"), open_one["id"])
    auth.revoke_invitation(empty_store, ada, open_one["id"])
    assert auth.open_invitations(empty_store, ada) == []
    with pytest.raises(PermissionDenied, match="used or expired"):
        auth.accept_invitation(empty_store, code, "rex", "a good password of his")
    with pytest.raises(ValidationError, match="already revoked"):
        auth.revoke_invitation(empty_store, ada, open_one["id"])


def test_serve_prints_a_setup_link_only_while_no_admin_exists(db_url, empty_store, capsys):
    import argparse

    from controlmap.cli import _print_setup_link

    args = argparse.Namespace(db=db_url, address="0.0.0.0", port=8611)
    _print_setup_link(args)
    err = capsys.readouterr().err
    link = err.split()[-1]
    assert link.startswith("http://localhost:8611/accounts?setup="), err
    assert auth.setup_code_valid(empty_store, link.split("setup=")[1])
    auth.create_first_admin(empty_store, link.split("setup=")[1], "ada", GOOD)
    _print_setup_link(args)
    assert capsys.readouterr().err == ""


def test_changing_ones_own_password_checks_the_current_one_and_ends_sessions(empty_store):
    rita = auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    token = auth.session_token(empty_store, rita)
    with pytest.raises(PermissionDenied, match="current password is wrong"):
        auth.change_password(empty_store, rita, "not it at all", "another good one")
    with pytest.raises(ValidationError):
        auth.change_password(empty_store, rita, GOOD, GOOD)  # the same one again
    with pytest.raises(ValidationError):
        auth.change_password(empty_store, rita, GOOD, "rita rita rita")  # holds the name
    assert auth.user_from_token(empty_store, token) == rita  # nothing changed so far
    assert auth.change_password(empty_store, rita, GOOD, "another good one") == rita
    assert auth.authenticate(empty_store, "rita", "another good one") == rita
    assert auth.authenticate(empty_store, "rita", GOOD) is None
    assert auth.user_from_token(empty_store, token) is None
    with empty_store.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_log"))]
    assert "password changed" in actions


def test_an_admin_sets_a_forgotten_password_and_the_old_sessions_end(empty_store):
    ada = auth.add_user(empty_store, "ada", "admin", GOOD, who="test")
    rita = auth.add_user(empty_store, "rita", "reviewer", GOOD, who="test")
    token = auth.session_token(empty_store, rita)
    with pytest.raises(PermissionDenied):
        auth.reset_password(empty_store, rita, "ada", "another good one")  # not an admin
    with pytest.raises(ValidationError, match="Your password"):
        auth.reset_password(empty_store, ada, "ada", "another good one")  # own: asks current
    with pytest.raises(ValidationError, match="no account"):
        auth.reset_password(empty_store, ada, "nobody", "another good one")
    with pytest.raises(ValidationError):
        auth.reset_password(empty_store, ada, "rita", "short")
    assert auth.user_from_token(empty_store, token) == rita  # nothing changed so far
    assert auth.reset_password(empty_store, ada, "rita", "another good one") == rita
    assert auth.authenticate(empty_store, "rita", "another good one") == rita
    assert auth.authenticate(empty_store, "rita", GOOD) is None
    assert auth.user_from_token(empty_store, token) is None
    with empty_store.engine.connect() as conn:
        rows = list(conn.execute(text("SELECT who, action, target FROM audit_log")))
    assert ("ada", "password reset", "rita") in [tuple(r) for r in rows]
