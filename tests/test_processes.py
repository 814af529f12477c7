"""Several processes on one database: a write in one is seen by the others without a restart."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from controlmap import dataset, ui
from controlmap.store import Store
from tests.test_app import _drawn

APP = str(Path(__file__).resolve().parents[1] / "src" / "controlmap" / "web" / "app.py")


def _import_elsewhere(db_url: str, tmp_path: Path, make_claim, *claims) -> None:
    """``controlmap import`` in a process of its own, as a colleague's CLI would."""
    path = tmp_path / f"claims-{len(list(tmp_path.iterdir()))}.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [c.to_feature() for c in claims]})
    )
    done = subprocess.run(
        [sys.executable, "-m", "controlmap", "--db", db_url, "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _seed(db_url: str, make_claim) -> Store:
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    store.add_claims(
        [
            make_claim("iraq-gov", (43.7, 33.3, 43.85, 33.4), "2013-12-30"),
            make_claim("isil", (43.72, 33.32, 43.82, 33.38), "2014-01-02", extent="most"),
        ],
        who="test",
    )
    return store


def test_a_claim_imported_by_another_process_is_drawn_on_the_next_rerun(
    db_url, make_claim, monkeypatch, tmp_path
):
    _seed(db_url, make_claim)
    monkeypatch.setenv("CONTROLMAP_DB", db_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.select_slider(key="date_slider").options == ["2013-12-30", "2014-01-02"]
    assert "written by another process" not in _drawn(at)

    news = make_claim(
        "isil", (42.8, 33.6, 42.9, 33.7), "2014-08-08", notes="written by another process"
    )
    _import_elsewhere(db_url, tmp_path, make_claim, news)
    at.run()  # the next rerun of the same app process: no restart
    assert not at.exception
    _drawn(at)
    slider = at.select_slider(key="date_slider")
    assert slider.options == ["2013-12-30", "2014-01-02", "2014-08-08"]
    slider.set_value("2014-08-08").run()
    drawn = _drawn(at)
    assert "written by another process" in drawn


def test_a_later_claim_keeps_the_cached_maps_of_earlier_dates(db_url, make_claim, tmp_path):
    store = _seed(db_url, make_claim)
    early, late = dt.date(2014, 1, 5), dt.date(2014, 9, 1)
    v1 = store.data_version()
    early_map = ui.resolved(db_url, v1, early, True)
    late_map = ui.resolved(db_url, v1, late, True)
    assert early_map is late_map or early_map == late_map  # nothing happened in between

    _import_elsewhere(
        db_url, tmp_path, make_claim, make_claim("krg", (44.0, 36.1, 44.2, 36.3), "2014-08-08")
    )
    v2 = store.data_version()
    assert v2 > v1
    # Before 2014-08-08 the map is the one already in this process's cache; after it, new.
    assert ui.resolved(db_url, v2, early, True) is early_map
    assert "krg" not in {p.actor for p in late_map}
    assert "krg" in {p.actor for p in ui.resolved(db_url, v2, late, True)}


def test_a_pending_claim_moves_nothing_the_public_sees(db_url, make_claim, tmp_path):
    store = _seed(db_url, make_claim)
    version = store.data_version()
    path = tmp_path / "pending.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    make_claim("krg", (44.0, 36.1, 44.2, 36.3), "2014-08-08").to_feature()
                ],
            }
        )
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "controlmap",
            "--db",
            db_url,
            "import",
            str(path),
            "--status",
            "pending",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert store.claim_count("pending") == 1
    assert store.data_version() == version  # shared links and caches stay valid
