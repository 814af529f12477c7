"""Build hook; everything else about the package is in pyproject.toml.

The browser assets (Leaflet, leaflet-draw) are fetched from the npm registry into
src/controlmap/web/static/vendor before a wheel is built, so the wheel serves them itself. They
are never committed. An editable install (`make setup`) skips this: the Makefile fetches them.
"""

import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

VENDOR = Path(__file__).resolve().parent / "src" / "controlmap" / "web" / "static" / "vendor"


class BuildWithAssets(build_py):  # type: ignore[misc]
    def run(self) -> None:
        if not getattr(self, "editable_mode", False) and not (VENDOR / "VERSIONS").is_file():
            script = Path(__file__).resolve().parent / "scripts" / "fetch_vendor.sh"
            subprocess.run(["bash", str(script), str(VENDOR)], check=True)
        super().run()


setup(cmdclass={"build_py": BuildWithAssets})
