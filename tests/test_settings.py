"""Settings are read in one place; packaged data is found through importlib.resources."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from controlmap import auth, dataset, settings
from controlmap.store import default_url

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "controlmap"


def test_data_dir_moves_the_database_and_the_installed_packs(monkeypatch, tmp_path):
    for name in settings.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTROLMAP_DATA_DIR", str(tmp_path / "home"))
    now = settings.current()
    assert default_url() == f"sqlite:///{tmp_path / 'home' / 'controlmap.sqlite'}"
    assert now.packs_dir == tmp_path / "home" / "packs"
    monkeypatch.setenv("CONTROLMAP_DB", "sqlite:///elsewhere.sqlite")
    monkeypatch.setenv("CONTROLMAP_USERS", str(tmp_path / "u.json"))
    assert default_url() == "sqlite:///elsewhere.sqlite"
    assert auth.users_file() == tmp_path / "u.json"


def test_geo_setting_replaces_the_packaged_geo_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("CONTROLMAP_GEO", raising=False)
    assert (settings.current().bundled_geo / "README.md").is_file()
    monkeypatch.setenv("CONTROLMAP_GEO", str(tmp_path))
    assert settings.current().bundled_geo == tmp_path


def test_every_setting_is_read_by_the_settings_module_only():
    pattern = re.compile(r"CONTROLMAP_[A-Z_]+")
    read = re.compile(r"environ(?:\.get)?\s*[\(\[]\s*[\"']CONTROLMAP_")
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert set(pattern.findall(text)) <= set(settings.ENVIRONMENT), path
        if path.name != "settings.py":
            assert not read.search(text), f"{path} reads a setting itself"


def test_packaged_data_is_found_through_the_package():
    # In this (editable) install, the packages are the top-level geo/ and data/ folders.
    assert settings.packaged(settings.GEO_PACKAGE).resolve() == (REPO / "geo").resolve()
    assert dataset.ACTORS_FILE.resolve() == (REPO / "data" / "actors.json").resolve()
    assert dataset.DEMO_FILE.is_file()


def test_every_subpackage_is_listed_for_the_wheel():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(SRC.parent).parts) for p in SRC.rglob("__init__.py")}
    assert found <= listed
    mapped = config["tool"]["setuptools"]["package-dir"]
    assert mapped[settings.GEO_PACKAGE] == "geo"
    assert mapped[settings.DATA_PACKAGE] == "data"
