"""Every ``CONTROLMAP_*`` setting, read in one place, and where the packaged data lives.

Settings come from the environment and are read when asked for (not at import), so a test or
a command that sets a variable sees it at once. Files shipped with the package (the bundled
geo packs of ``geo/`` and the registry and datasets of ``data/``) are found through
:mod:`importlib.resources`, so they are found the same way in a source checkout, an editable
install and an installed wheel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Name -> what it sets; the README's settings table documents each one.
ENVIRONMENT = {
    "CONTROLMAP_DB": "database URL (SQLAlchemy)",
    "CONTROLMAP_USERS": "accounts file",
    "CONTROLMAP_DATA_DIR": "folder for the embedded database and the geo packs users install",
    "CONTROLMAP_GEO": "folder of bundled geo packs, instead of the packaged geo/",
    "CONTROLMAP_ALLOW_SELF_APPROVAL": "1 lets a reviewer approve a claim they wrote",
    "CONTROLMAP_SECRET": "key that signs sign-in cookies (default: one kept in the database)",
}

# The top-level geo/ and data/ folders are installed as these packages (see pyproject.toml).
GEO_PACKAGE = "controlmap.bundled_geo"
DATA_PACKAGE = "controlmap.bundled_data"
# The site Streamlit serves (app.py and its static/ folder, where Leaflet is fetched).
WEB_PACKAGE = "controlmap.web"


@dataclass(frozen=True)
class Settings:
    """The settings in force; :func:`current` reads them from the environment."""

    database_url: str
    users_file: Path
    data_dir: Path
    bundled_geo: Path
    allow_self_approval: bool = False
    secret: str = ""

    @property
    def packs_dir(self) -> Path:
        """Where ``controlmap geo import`` installs packs: outside the code, one folder each."""
        return self.data_dir / "packs"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("controlmap", appauthor=False))


def _user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("controlmap", appauthor=False))


def current() -> Settings:
    """The settings from the environment, with the documented defaults."""
    data_dir = Path(_env("CONTROLMAP_DATA_DIR") or _user_data_dir()).expanduser()
    database_url = _env("CONTROLMAP_DB") or f"sqlite:///{data_dir / 'controlmap.sqlite'}"
    users = Path(_env("CONTROLMAP_USERS") or _user_config_dir() / "users.json").expanduser()
    geo = _env("CONTROLMAP_GEO")
    return Settings(
        database_url=database_url,
        users_file=users,
        data_dir=data_dir,
        bundled_geo=Path(geo).expanduser() if geo else packaged(GEO_PACKAGE),
        allow_self_approval=_env("CONTROLMAP_ALLOW_SELF_APPROVAL").lower() in ("1", "true", "yes"),
        secret=_env("CONTROLMAP_SECRET"),
    )


def packaged(package: str) -> Path:
    """The folder of a package shipped with controlmap, as a real path.

    The package is installed unzipped (editable or from the wheel), so the resource root is
    a folder on disk; readers such as pyogrio need paths, not file objects.
    """
    root = resources.files(package)
    path = Path(str(root))
    if not path.is_dir():
        raise FileNotFoundError(f"packaged data {package} is not a folder on disk: {root}")
    return path


def data_file(relative: str) -> Path:
    """A file of the packaged ``data/`` folder (actors registry, demo and example datasets)."""
    return packaged(DATA_PACKAGE) / relative
