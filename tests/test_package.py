"""The installable package: the wheel built from this checkout, installed in a fresh virtual
environment, runs init, state and serve from an empty folder, with geo/, data/, the app and
the browser assets inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

from tests.conftest import REPO
from tests.e2e.conftest import _free_port


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def test_wheel_installs_and_serves_from_any_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
        ]
    )
    (wheel,) = wheels.glob("controlmap-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ]
    )
    # The dependencies come from this environment; controlmap itself only from the wheel
    # (the editable install here is a finder hook that a plain path entry does not run).
    (purelib,) = {
        Path(p)
        for p in _run(
            [str(python), "-c", "import site; print(site.getsitepackages()[0])"]
        ).stdout.split()
    }
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "CONTROLMAP_DATA_DIR": str(tmp_path / "data"),
        "CONTROLMAP_USERS": str(tmp_path / "users.json"),
    }
    env.pop("CONTROLMAP_DB", None)
    env.pop("CONTROLMAP_GEO", None)
    where = _run(
        [str(python), "-c", "import controlmap; print(controlmap.__file__)"], cwd=elsewhere, env=env
    ).stdout.strip()
    assert where.startswith(str(env_dir)), where

    controlmap = str(env_dir / "bin" / "controlmap")
    _run([controlmap, "init"], cwd=elsewhere, env=env)
    state = json.loads(
        _run([controlmap, "state", "--date", "2014-01-03"], cwd=elsewhere, env=env).stdout
    )
    held = {(f["properties"]["actor"], f["properties"]["extent"]) for f in state["features"]}
    assert ("isil", "most") in held  # Fallujah, from the demo data inside the wheel

    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [controlmap, "serve", "--port", str(port), "--address", "127.0.0.1"],
        cwd=elsewhere,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # poll the health check, at most about a minute
            if server.poll() is not None:
                raise AssertionError((tmp_path / "serve.log").read_text()[-2000:])
            try:
                if _get(f"{base}/_stcore/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)  # polling interval, not a wait for an outcome
        else:
            raise AssertionError("no health check answer")
        # Leaflet and the date layer's script are served from inside the installed package.
        status, body = _get(f"{base}/app/static/vendor/leaflet/leaflet.js")
        assert status == 200 and b"Leaflet" in body[:2000]
        # The date layer's page script is in the package (Streamlit serves it once a page
        # has declared the component).
        script = Path(where).parent / "ui" / "components" / "timelayer" / "timelayer.js"
        assert "cmTimeLayer" in script.read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    # Stopping `controlmap serve` stops the server: nothing is left listening on its port.
    for _ in range(100):
        try:
            _get(f"{base}/_stcore/health")
        except OSError:
            break
        time.sleep(0.1)  # polling interval, not a wait for an outcome
    else:
        raise AssertionError("a server still answers after `controlmap serve` was stopped")
