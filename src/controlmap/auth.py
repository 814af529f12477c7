"""Local accounts and roles: salted scrypt hashes in a file outside the repository."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from controlmap import settings
from controlmap.errors import PermissionDenied, ValidationError

ROLES = ("viewer", "contributor", "reviewer", "admin")
ENV_USERS = "CONTROLMAP_USERS"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
# scrypt at n=2**14 takes about 50 ms here: slow for guessing, quick enough for a sign-in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD = 8


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


def users_file() -> Path:
    return settings.current().users_file


def _hash(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)  # type: ignore[arg-type]
    return base64.b64encode(digest).decode()


def _load(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"cannot read the accounts file {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def add_user(name: str, role: str, password: str, path: Path | None = None) -> User:
    """Create or update an account; the file is replaced atomically and readable by its owner."""
    if not _NAME.match(name or ""):
        raise ValidationError("must be 2-64 letters, digits or . _ @ -", field="user name")
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not one of {', '.join(ROLES)}", field="role")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"must be at least {MIN_PASSWORD} characters", field="password")
    path = path or users_file()
    users = _load(path)
    salt = secrets.token_bytes(16)
    users[name] = {
        "role": role,
        "salt": base64.b64encode(salt).decode(),
        "hash": _hash(password, salt),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(users, indent=1, sort_keys=True), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return User(name, role)


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """The user when the password matches, else None (same work either way)."""
    entry = _load(path or users_file()).get(name)
    salt = base64.b64decode(entry["salt"]) if entry else b"\0" * 16
    candidate = _hash(password, salt)
    if entry is None or not hmac.compare_digest(candidate, entry["hash"]):
        return None
    return User(name, entry["role"])


def list_users(path: Path | None = None) -> list[User]:
    return [User(n, e["role"]) for n, e in sorted(_load(path or users_file()).items())]
