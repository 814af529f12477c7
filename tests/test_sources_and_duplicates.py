"""Citations keep their own details (issue 9, point 3) and import is idempotent (point 6)."""

from __future__ import annotations

import copy
import json

from controlmap import dataset
from controlmap.cli import main
from controlmap.store import Store

FEATURE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[43.7, 33.3], [43.8, 33.3], [43.8, 33.4], [43.7, 33.3]]],
    },
    "properties": {
        "actor": "isil",
        "status": "control",
        "extent": "most",
        "observed_on": "2014-01-02",
        "citations": [
            {
                "title": "Al-Qaeda Seizes Parts of Two Major Iraqi Cities",
                "publisher": "Antiwar.com",
                "url": "https://news.antiwar.com/2014/01/02/x/",
                "published": "2014-01-02",
                "excerpt": "AQI controls more than half of Fallujah",
            }
        ],
    },
}


def _write(path, *features, **top):
    path.write_text(json.dumps({"type": "FeatureCollection", **top, "features": list(features)}))
    return path


def test_a_pending_citation_does_not_change_an_approved_one(empty_store, tmp_path):
    pending = copy.deepcopy(FEATURE)
    pending["properties"]["citations"][0]["author"] = "A contributor's guess"
    pending["properties"]["notes"] = "pending"
    approved = copy.deepcopy(FEATURE)
    approved["properties"]["citations"][0].update(
        archive_url="https://web.archive.org/web/2014/x", grade="B"
    )
    dataset.import_file(
        empty_store, _write(tmp_path / "p.geojson", pending), who="cora", review_state="pending"
    )
    dataset.import_file(empty_store, _write(tmp_path / "a.geojson", approved), who="rex")
    (claim,) = empty_store.claims()
    source = claim.citations[0].source
    assert (source.author, source.archive_url, source.grade) == (
        "",
        "https://web.archive.org/web/2014/x",
        "B",
    )
    (mine,) = empty_store.claims(("pending",))
    assert mine.citations[0].source.author == "A contributor's guess"
    assert mine.citations[0].source.archive_url is None


def test_export_then_import_round_trips_citations(empty_store, tmp_path, db_url, capsys):
    first = copy.deepcopy(FEATURE)
    first["properties"]["citations"][0].update(archive_url="https://web.archive.org/x", grade="B")
    second = copy.deepcopy(FEATURE)
    second["properties"]["observed_on"] = "2014-02-01"
    second["properties"]["citations"][0]["author"] = "Jason Ditz"
    dataset.import_file(empty_store, _write(tmp_path / "in.geojson", first, second), who="rex")
    out = tmp_path / "out.geojson"
    assert main(["--db", db_url, "export", str(out)]) == 0
    other = Store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    dataset.init_store(other, demo=False)
    dataset.import_file(other, out, who="rex")
    assert [c.citations for c in other.claims()] == [c.citations for c in empty_store.claims()]


def test_importing_a_file_twice_adds_nothing(empty_store, db_url, tmp_path, capsys):
    path = _write(tmp_path / "f.geojson", FEATURE)
    assert main(["--db", db_url, "import", str(path)]) == 0
    first = capsys.readouterr()
    assert main(["--db", db_url, "import", str(path)]) == 0
    second = capsys.readouterr()
    assert empty_store.claim_count() == 1
    assert "imported 0 claims" in second.err and "1 already" in second.err
    assert second.out == first.out  # the same claim id, for scripts


def test_duplicate_features_in_one_file_make_one_claim(empty_store, tmp_path):
    path = _write(tmp_path / "f.geojson", FEATURE, copy.deepcopy(FEATURE))
    ids = dataset.import_file(empty_store, path, who="rex")
    assert len(set(ids)) == 1 and empty_store.claim_count() == 1
