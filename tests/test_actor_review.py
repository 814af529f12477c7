"""The actor registry is reviewed data (issue 9, point 2): a pending file's new actors wait
with it, a change to an existing actor needs a reviewer and leaves a record, and `init` never
overwrites a changed actor."""

from __future__ import annotations

import copy
import json

import pytest

from controlmap import dataset, workflow
from controlmap.auth import User
from controlmap.errors import PermissionDenied, StoreError
from controlmap.store.audit import entries

CORA = User("cora", "contributor")
REV1 = User("rev1", "reviewer")
REV2 = User("rev2", "reviewer")
FEATURE = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[43.7, 33.3], [43.8, 33.3], [43.8, 33.4], [43.7, 33.3]]],
    },
    "properties": {
        "status": "control",
        "observed_on": "2014-01-02",
        "citations": [{"title": "A report", "url": "https://example.org/a"}],
    },
}


def _file(tmp_path, actor: dict, name: str = "f.geojson"):
    feature = copy.deepcopy(FEATURE)
    feature["properties"]["actor"] = actor["id"]
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", "actors": [actor], "features": [feature]})
    )
    return path


def _log(store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        return [(e["who"], e["action"], e["target"]) for e in entries(conn, kind="actor")]


def test_new_actors_of_a_pending_file_wait_with_it(empty_store, tmp_path):
    path = _file(tmp_path, {"id": "new-force", "name": "New Force", "colour": "#112233"})
    (cid,) = dataset.import_file(empty_store, path, who="cora", review_state="pending")
    assert "new-force" not in empty_store.actors()  # not in the public registry
    assert "new-force" in empty_store.actors(include_pending=True)
    workflow.review(empty_store, REV2, cid, decision="approved", expected_version=1)
    assert empty_store.actors().name_of("new-force") == "New Force"
    assert ("rev2", "actor approved", "new-force") in _log(empty_store)


def test_a_pending_file_cannot_rename_or_recolour_an_actor(empty_store, tmp_path):
    before = empty_store.actors().get("isil")
    hostile = {"id": "isil", "name": "Liberators", "colour": "#00ff00"}
    dataset.import_file(empty_store, _file(tmp_path, hostile), who="cora", review_state="pending")
    assert empty_store.actors().get("isil") == before
    (proposal,) = empty_store.actor_proposals()
    assert (proposal["actor_id"], proposal["proposed_by"]) == ("isil", "cora")
    assert proposal["proposed"]["name"] == "Liberators"
    with pytest.raises(PermissionDenied):
        workflow.review_actor_change(empty_store, CORA, proposal["id"], decision="approved")
    with pytest.raises(StoreError, match="needs a reason"):
        workflow.review_actor_change(empty_store, REV1, proposal["id"], decision="rejected")
    assert empty_store.actor_proposals() == [proposal]  # still waiting, nothing written
    workflow.review_actor_change(
        empty_store, REV1, proposal["id"], decision="rejected", why="not a real rename"
    )
    assert empty_store.actors().get("isil") == before
    assert empty_store.actor_proposals() == []
    assert ("rev1", "actor change rejected", "isil") in _log(empty_store)


def test_an_approved_change_is_applied_and_recorded(empty_store, tmp_path):
    change = {"id": "isil", "name": "Islamic State (IS)", "colour": "#123456"}
    dataset.import_file(empty_store, _file(tmp_path, change), who="cora", review_state="pending")
    (proposal,) = empty_store.actor_proposals()
    workflow.review_actor_change(empty_store, REV1, proposal["id"], decision="approved")
    assert empty_store.actors().get("isil").colour == "#123456"
    with empty_store.engine.connect() as conn:
        (entry,) = [e for e in entries(conn, kind="actor") if e["action"] == "actor changed"]
    assert entry["who"] == "rev1" and entry["detail"]["before"]["colour"] != "#123456"
    assert entry["detail"]["after"]["colour"] == "#123456"


def test_init_never_overwrites_a_changed_actor(empty_store, tmp_path):
    change = {"id": "isil", "name": "Islamic State (IS)", "colour": "#123456"}
    dataset.import_file(empty_store, _file(tmp_path, change), who="rev1")  # approved import
    assert ("rev1", "actor changed", "isil") in _log(empty_store)
    dataset.init_store(empty_store, demo=False)
    assert empty_store.actors().get("isil").colour == "#123456"
