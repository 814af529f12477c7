"""Accounts and roles in the database, shared by every app process and the command line.

Passwords are hashed with argon2id (argon2-cffi); the parameters travel in the hash, and a
hash made with older parameters (or an scrypt hash migrated from users.json) is replaced at
the next sign-in. Failed sign-ins are counted per account and per address, in the database,
so several app processes throttle together. A sign-in survives a page reload through a
signed, expiring session token (kept by the browser as a cookie); changing an account's
password or role makes its old tokens worthless.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
import itsdangerous
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from controlmap import safejson
from controlmap.errors import ControlmapError, PermissionDenied, StoreError, ValidationError
from controlmap.store import Store
from controlmap.store import schema as t
from controlmap.store.audit import record

ROLES = ("viewer", "contributor", "reviewer", "admin")
MIN_PASSWORD = 10
# Throttling: this many failures inside the window lock an account, or an address.
WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SESSION_SECONDS = 14 * 24 * 3600
INVITE_SECONDS = 7 * 24 * 3600
COOKIE = "controlmap_session"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}")
_HASHER = argon2.PasswordHasher()  # argon2id with the library's current recommended settings
# A hash to verify against when the account does not exist: the same work either way.
_DUMMY = _HASHER.hash("not a password of anyone")
# Tests and the clock: everything time-dependent reads this.
clock: Callable[[], float] = time.time


class Throttled(PermissionDenied):
    """Too many failed sign-ins for this account or from this address."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above (admin > reviewer > contributor)."""
        return ROLES.index(self.role) >= ROLES.index(role)


ANONYMOUS = User("anonymous", "viewer")


def require(user: User | None, role: str) -> User:
    """The server-side check every write path makes, whatever the page showed."""
    if user is None or not user.can(role):
        who = user.name if user else "nobody"
        raise PermissionDenied(f"{who} is not allowed to do this: it needs the {role} role")
    return user


# -- checks ------------------------------------------------------------------------------------
def check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(
            "must be 2-64 characters: letters, digits or . _ @ -", field="user name"
        )
    return name


def check_role(role: Any) -> str:
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not one of {', '.join(ROLES)}", field="role")
    return str(role)


def check_password(password: Any, name: str = "") -> str:
    """At least MIN_PASSWORD characters, not blank-padded, not one character repeated, not
    the account name."""
    if not isinstance(password, str):
        raise ValidationError("is required", field="password")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"must be at least {MIN_PASSWORD} characters", field="password")
    if password != password.strip() and len(password.strip()) < MIN_PASSWORD:
        raise ValidationError("must not be mostly spaces", field="password")
    if len(set(password)) < 4:
        raise ValidationError("must use at least 4 different characters", field="password")
    if len(name) >= 3 and name.casefold() in password.casefold():
        raise ValidationError("must not contain the account name", field="password")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "contains characters that cannot be typed", field="password"
        ) from None
    return password


# -- hashing -----------------------------------------------------------------------------------
def _legacy_scrypt(password: str, stored: str) -> bool:
    """users.json hashes (salted scrypt, n=2**14): checked once, then replaced by argon2."""
    try:
        _, salt, digest = stored.split("$", 2)
        candidate = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=2**14, r=8, p=1, dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(base64.b64encode(candidate).decode(), digest)


def _verify(stored: str, password: str) -> tuple[bool, bool]:
    """(matches, needs a new hash)."""
    if stored.startswith("scrypt$"):
        return _legacy_scrypt(password, stored), True
    try:
        _HASHER.verify(stored, password)
    except argon2.exceptions.VerificationError:
        return False, False
    except argon2.exceptions.InvalidHashError:
        return False, False
    return True, _HASHER.check_needs_rehash(stored)


# -- the database ------------------------------------------------------------------------------
@contextmanager
def _write(store: Store) -> Iterator[Connection]:
    """One write transaction; database errors become one-line StoreErrors."""
    try:
        with store.engine.connect() as conn:
            # The store's SQLite engine then begins with BEGIN IMMEDIATE: writers queue for
            # the lock instead of failing when a read turns into a write.
            conn.info["cm_write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("cm_write", None)
    except IntegrityError:
        raise StoreError("that account was changed at the same moment: try again") from None
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"database write failed, nothing was changed: {reason}") from None


def _row(conn: Connection, name: str) -> Any:
    return conn.execute(select(t.accounts).where(t.accounts.c.name == name)).first()


def _now_iso() -> str:
    return dt.datetime.fromtimestamp(clock(), dt.UTC).isoformat(timespec="seconds")


def _put(conn: Connection, name: str, role: str, password: str, who: str) -> User:
    hashed = _HASHER.hash(password)
    at = _now_iso()
    row = _row(conn, name)
    if row is None:
        conn.execute(
            t.accounts.insert().values(
                name=name,
                role=role,
                password_hash=hashed,
                epoch=0,
                created_by=who,
                created_at=at,
                updated_at=at,
            )
        )
        record(
            conn,
            who=who,
            action="account created",
            kind="account",
            target=name,
            detail={"role": role},
        )
    else:
        conn.execute(
            update(t.accounts)
            .where(t.accounts.c.name == name)
            .values(role=role, password_hash=hashed, epoch=row.epoch + 1, updated_at=at)
        )
        record(
            conn,
            who=who,
            action="account changed",
            kind="account",
            target=name,
            detail={"role": [row.role, role], "password": "changed"},
        )
    return User(name, role)


def add_user(store: Store, name: str, role: str, password: str, *, who: str) -> User:
    """Create an account, or set an existing one's role and password (the command line's
    ``user add``). Every change is in the audit log, with ``who`` made it."""
    name, role = check_name(name), check_role(role)
    check_password(password, name)
    migrate_users_file(store)
    with _write(store) as conn:
        return _put(conn, name, role, password, who)


def list_users(store: Store) -> list[User]:
    migrate_users_file(store)
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.accounts.c.name, t.accounts.c.role).order_by(t.accounts.c.name)
        )
        return [User(r.name, r.role) for r in rows]


def get_user(store: Store, name: str) -> User | None:
    with store.engine.connect() as conn:
        row = _row(conn, name)
    return User(row.name, row.role) if row else None


def set_role(store: Store, admin: User | None, name: str, role: str) -> User:
    """An admin changes someone's role; their sessions end (their tokens name the old role)."""
    who = require(admin, "admin")
    role = check_role(role)
    with _write(store) as conn:
        row = _row(conn, name)
        if row is None:
            raise ValidationError(f"there is no account {name!r}", field="user name")
        if row.role == "admin" and role != "admin" and _admins(conn) == 1:
            raise PermissionDenied("the last admin cannot give up the role: make another first")
        conn.execute(
            update(t.accounts)
            .where(t.accounts.c.name == name)
            .values(role=role, epoch=row.epoch + 1, updated_at=_now_iso())
        )
        record(
            conn,
            who=who.name,
            action="role changed",
            kind="account",
            target=name,
            detail={"role": [row.role, role]},
        )
    return User(name, role)


def _admins(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(t.accounts).where(t.accounts.c.role == "admin")
        ).scalar_one()
    )


# -- first admin and invitations (the app's own sign-up) -----------------------------------------
def needs_first_admin(store: Store) -> bool:
    """True while the database has no admin: the app then offers to create one."""
    migrate_users_file(store)
    with store.engine.connect() as conn:
        return _admins(conn) == 0


SETUP_SECONDS = 24 * 3600
SETUP_CODES = 20  # setup codes kept at once (one per `serve` start within SETUP_SECONDS)
_SETUP_KEY = "first_admin_setup"


def setup_code(store: Store) -> str | None:
    """A one-time code that lets whoever holds it make the first admin from the app, valid
    SETUP_SECONDS; None once an admin exists. ``controlmap serve`` prints it as a link where
    only the person who started the server sees it (an anonymous visitor of the site cannot
    make themselves admin). Only digests are kept. Each ``serve`` adds its own code, so the
    link printed by every app process of a team works, until one of them makes the first
    admin; expired codes are dropped, and at most SETUP_CODES are kept."""
    migrate_users_file(store)
    code = secrets.token_urlsafe(24)
    with _write(store) as conn:
        if _admins(conn):
            return None
        live = [c for c in _setup_codes(conn) if c["expires_at"] > clock()]
        live = [*live, {"digest": _digest(code), "expires_at": clock() + SETUP_SECONDS}]
        conn.execute(delete(t.meta).where(t.meta.c.key == _SETUP_KEY))
        conn.execute(t.meta.insert().values(key=_SETUP_KEY, value=json.dumps(live[-SETUP_CODES:])))
    return code


def _setup_codes(conn: Connection) -> list[dict[str, Any]]:
    """The setup codes kept (digest, expiry); a damaged entry is left out, never trusted."""
    row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == _SETUP_KEY)).first()
    if row is None:
        return []
    try:
        kept = json.loads(row.value)
    except ValueError:
        return []
    entries = kept if isinstance(kept, list) else [kept]  # one code: the earlier format
    codes = []
    for entry in entries:
        try:
            codes.append({"digest": str(entry["digest"]), "expires_at": float(entry["expires_at"])})
        except (KeyError, TypeError, ValueError):
            continue
    return codes


def _setup_matches(conn: Connection, code: str) -> bool:
    if not code:
        return False
    digest = _digest(code)
    return any(
        hmac.compare_digest(c["digest"], digest) and c["expires_at"] > clock()
        for c in _setup_codes(conn)
    )


def setup_code_valid(store: Store, code: str) -> bool:
    """True when ``code`` is the current setup code and no admin exists yet."""
    with store.engine.connect() as conn:
        return not _admins(conn) and _setup_matches(conn, code)


def create_first_admin(store: Store, code: str, name: str, password: str) -> User:
    """The first admin, made from the app with the setup code; refused once any admin exists
    (checked inside the write, so two browsers cannot both become the first). The code then
    stops working."""
    name = check_name(name)
    check_password(password, name)
    with _write(store) as conn:
        if _admins(conn):
            raise PermissionDenied("an admin already exists: ask them for an invitation")
        if not _setup_matches(conn, code):
            raise PermissionDenied(
                "this setup link is unknown, used or expired: start controlmap serve again "
                "for a new one"
            )
        conn.execute(delete(t.meta).where(t.meta.c.key == _SETUP_KEY))
        return _put(conn, name, "admin", password, "first admin (setup link)")


def invite(store: Store, admin: User | None, role: str, *, note: str = "") -> str:
    """A one-time invitation code for a new account with ``role``; valid INVITE_SECONDS.
    Only its digest is stored: the code itself is shown once, to the admin."""
    who = require(admin, "admin")
    role = check_role(role)
    code = secrets.token_urlsafe(24)
    now = clock()
    with _write(store) as conn:
        conn.execute(
            t.invitations.insert().values(
                digest=_digest(code),
                role=role,
                note=note[:200],
                created_by=who.name,
                created_at=now,
                expires_at=now + INVITE_SECONDS,
            )
        )
        record(
            conn,
            who=who.name,
            action="invitation made",
            kind="account",
            target=f"invitation:{role}",
            detail={"note": note[:200]},
        )
    return code


def open_invitations(store: Store, admin: User | None) -> list[dict[str, Any]]:
    """Invitations not used yet and not expired (role, note, who made them, when they end)."""
    require(admin, "admin")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.invitations)
            .where(t.invitations.c.used_by.is_(None), t.invitations.c.expires_at > clock())
            .order_by(t.invitations.c.created_at)
        ).all()
    return [
        {
            "id": r.digest,
            "role": r.role,
            "note": r.note,
            "created_by": r.created_by,
            "expires": dt.datetime.fromtimestamp(r.expires_at, dt.UTC).isoformat(
                timespec="minutes"
            ),
        }
        for r in rows
    ]


def invitation(store: Store, code: str) -> dict[str, Any] | None:
    """The role an unused, unexpired invitation code offers (for its form), else None."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(t.invitations).where(t.invitations.c.digest == _digest(code or ""))
        ).first()
    if row is None or row.used_by is not None or row.expires_at <= clock():
        return None
    return {"role": row.role, "created_by": row.created_by}


def revoke_invitation(store: Store, admin: User | None, invitation_id: str) -> None:
    """An admin withdraws an open invitation (``id`` from open_invitations): its link stops
    working."""
    who = require(admin, "admin")
    with _write(store) as conn:
        row = conn.execute(
            select(t.invitations).where(t.invitations.c.digest == str(invitation_id))
        ).first()
        if row is None or row.used_by is not None:
            raise ValidationError("this invitation is used or already revoked", field="invitation")
        conn.execute(delete(t.invitations).where(t.invitations.c.digest == row.digest))
        record(
            conn,
            who=who.name,
            action="invitation revoked",
            kind="account",
            target=f"invitation:{row.role}",
            detail={"note": row.note},
        )


def accept_invitation(store: Store, code: str, name: str, password: str) -> User:
    """Create the account an invitation allows; the code then stops working."""
    name = check_name(name)
    check_password(password, name)
    with _write(store) as conn:
        row = conn.execute(
            select(t.invitations).where(t.invitations.c.digest == _digest(code or ""))
        ).first()
        if row is None or row.used_by is not None or row.expires_at <= clock():
            raise PermissionDenied("this invitation is unknown, used or expired: ask for a new one")
        if _row(conn, name) is not None:
            raise ValidationError("is taken: choose another name", field="user name")
        used = conn.execute(
            update(t.invitations)
            .where(t.invitations.c.digest == row.digest, t.invitations.c.used_by.is_(None))
            .values(used_by=name, used_at=clock())
        )
        if used.rowcount != 1:
            raise PermissionDenied("this invitation was used at the same moment")
        return _put(conn, name, row.role, password, f"invitation from {row.created_by}")


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


# -- signing in ----------------------------------------------------------------------------------
def authenticate(store: Store, name: str, password: str, *, address: str = "") -> User | None:
    """The account when the password matches, else None. Raises Throttled, before looking
    at the password, once an account or an address has too many recent failures.

    Each attempt is written down as a failure before the password is checked, and struck
    out when it matches: guesses sent all at once are counted too."""
    migrate_users_file(store)
    name = (name or "").strip()[:64]
    address = (address or "unknown")[:64]
    now = clock()
    f = t.sign_in_failures.c
    with _write(store) as conn:
        conn.execute(delete(t.sign_in_failures).where(f.at < now - WINDOW_SECONDS))
        for column, value, limit in (
            (f.name, name, MAX_FAILURES_PER_ACCOUNT),
            (f.address, address, MAX_FAILURES_PER_ADDRESS),
        ):
            count, first = conn.execute(
                select(func.count(), func.min(f.at)).where(column == value)
            ).one()
            if count >= limit:
                wait = max(1, int((first + WINDOW_SECONDS - now) // 60) + 1)
                raise Throttled(f"too many failed sign-ins: try again in {wait} minutes")
        attempt = conn.execute(
            t.sign_in_failures.insert().values(name=name, address=address, at=now)
        ).inserted_primary_key
        row = _row(conn, name) if _NAME.fullmatch(name) else None
    ok, stale = _verify(row.password_hash if row else _DUMMY, password or "")
    if row is None or not ok:
        return None
    with _write(store) as conn:
        conn.execute(delete(t.sign_in_failures).where(f.name == name))
        if attempt is not None:
            conn.execute(delete(t.sign_in_failures).where(f.id == attempt[0]))
        if stale:  # older parameters, or a migrated scrypt hash: replaced now that we can
            conn.execute(
                update(t.accounts)
                .where(t.accounts.c.name == name, t.accounts.c.password_hash == row.password_hash)
                .values(password_hash=_HASHER.hash(password))
            )
    return User(row.name, row.role)


def _secret(store: Store) -> str:
    """The key that signs session tokens: CONTROLMAP_SECRET, else one made once and kept in
    the database, so every app process accepts the others' tokens."""
    from controlmap import settings

    if settings.current().secret:
        return settings.current().secret
    with store.engine.connect() as conn:
        row = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "session_secret")).first()
    if row is not None:
        return str(row.value)
    made = secrets.token_urlsafe(32)
    try:
        with store.engine.begin() as conn:
            if (
                conn.execute(select(t.meta.c.key).where(t.meta.c.key == "session_secret")).first()
                is None
            ):
                conn.execute(t.meta.insert().values(key="session_secret", value=made))
    except IntegrityError:
        pass  # another process made it first: use theirs
    return _secret(store)


def _signer(store: Store) -> itsdangerous.URLSafeSerializer:
    return itsdangerous.URLSafeSerializer(_secret(store), salt="controlmap-session")


def session_token(store: Store, user: User) -> str:
    """A signed token naming ``user``, for a cookie; see ``user_from_token``."""
    with store.engine.connect() as conn:
        row = _row(conn, user.name)
    if row is None:
        raise PermissionDenied(f"there is no account {user.name!r}")
    return str(_signer(store).dumps({"u": row.name, "e": row.epoch, "t": int(clock())}))


def user_from_token(
    store: Store, token: str | None, *, max_age: int = SESSION_SECONDS
) -> User | None:
    """The account a session token names, if the signature holds, it is younger than
    ``max_age`` seconds, and the account's password and role have not changed since."""
    if not token or len(token) > 1000:
        return None
    try:
        data = _signer(store).loads(token)
    except itsdangerous.BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    if not 0 <= clock() - data["t"] <= max_age:
        return None
    with store.engine.connect() as conn:
        row = _row(conn, str(data.get("u", "")))
    if row is None or row.epoch != data.get("e"):
        return None
    return User(row.name, row.role)


def change_password(store: Store, user: User, current: str, new: str, *, address: str = "") -> User:
    """``user`` sets a new password, giving the current one (checked and throttled like a
    sign-in). Every session of theirs ends; the caller signs this browser in again."""
    check_password(new, user.name)
    if new == current:
        raise ValidationError("must differ from the current one", field="password")
    if authenticate(store, user.name, current, address=address) is None:
        raise PermissionDenied("the current password is wrong: nothing was changed")
    with _write(store) as conn:
        row = _row(conn, user.name)
        if row is None:
            raise PermissionDenied(f"there is no account {user.name!r}")
        _set_password(conn, row, new, who=user.name, action="password changed")
    return User(row.name, row.role)


def reset_password(store: Store, admin: User | None, name: str, new: str) -> User:
    """An admin sets a new password for someone else's account (one forgotten): every session
    of that account ends, and the audit log says who did it. An admin's own password is
    changed with :func:`change_password`, which asks for the current one."""
    who = require(admin, "admin")
    if name == who.name:
        raise ValidationError(
            "change your own password under 'Your password', which asks for the current one",
            field="account",
        )
    check_password(new, name)
    with _write(store) as conn:
        row = _row(conn, name)
        if row is None:
            raise ValidationError(f"there is no account {name!r}", field="account")
        _set_password(conn, row, new, who=who.name, action="password reset")
    return User(row.name, row.role)


def _set_password(conn: Connection, row: Any, new: str, *, who: str, action: str) -> None:
    """Store ``new`` as the password of the account in ``row``, end its sessions (a new epoch)
    and say in the audit log who did it: the account's owner, or an admin for them."""
    conn.execute(
        update(t.accounts)
        .where(t.accounts.c.name == row.name)
        .values(password_hash=_HASHER.hash(new), epoch=row.epoch + 1, updated_at=_now_iso())
    )
    by = "the account's owner" if who == row.name else who
    record(conn, who=who, action=action, kind="account", target=row.name, detail={"by": by})


def sign_out_everywhere(store: Store, user: User) -> None:
    """End every session of ``user`` (their tokens stop working)."""
    with _write(store) as conn:
        conn.execute(
            update(t.accounts)
            .where(t.accounts.c.name == user.name)
            .values(epoch=t.accounts.c.epoch + 1)
        )


# -- users.json, once ------------------------------------------------------------------------------
def users_file() -> Path:
    """Where accounts were kept before they moved into the database."""
    from controlmap import settings

    return settings.current().users_file


def migrate_users_file(store: Store, path: Path | None = None) -> int:
    """Copy the accounts of users.json into the database, once per database; returns how
    many were copied. The file is read, never written; a file that is not an accounts file
    is refused with a one-line reason and nothing is copied."""
    path = path or users_file()
    with store.engine.connect() as conn:
        done = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "users_migrated")).first()
    if done is not None or not path.exists():
        return 0
    try:
        data = safejson.loads(path.read_bytes())
    except OSError as exc:
        raise ControlmapError(f"cannot read the accounts file {path}: {exc.strerror}") from None
    except ValidationError as exc:
        raise ValidationError(
            f"the accounts file {path} is damaged ({exc}); nothing was copied"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValidationError(
            f"{path} is not an accounts file (an object of name: {{role, salt, hash}}); "
            "nothing was copied"
        )
    copied = 0
    with _write(store) as conn:
        if conn.execute(select(t.meta.c.key).where(t.meta.c.key == "users_migrated")).first():
            return 0
        for name, entry in sorted(data.items()):
            if not _NAME.fullmatch(name) or entry.get("role") not in ROLES:
                raise ValidationError(
                    f"{path}: account {name[:64]!r} has no valid name and role; nothing was copied"
                )
            if _row(conn, name) is not None:
                continue
            stored = f"scrypt${entry.get('salt', '')}${entry.get('hash', '')}"
            at = _now_iso()
            conn.execute(
                t.accounts.insert().values(
                    name=name,
                    role=entry["role"],
                    password_hash=stored,
                    epoch=0,
                    created_by=f"migrated from {path.name}",
                    created_at=at,
                    updated_at=at,
                )
            )
            record(
                conn,
                who="controlmap",
                action="account migrated",
                kind="account",
                target=name,
                detail={"role": entry["role"], "from": str(path)},
            )
            copied += 1
        conn.execute(
            t.meta.insert().values(
                key="users_migrated", value=json.dumps({"from": str(path), "accounts": copied})
            )
        )
    return copied
