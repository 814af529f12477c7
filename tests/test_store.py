"""Storage: schema versions, all-or-nothing writes, revisions, the data version."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from controlmap import dataset
from controlmap.errors import StoreError, ValidationError
from controlmap.store import SCHEMA_VERSION, Store


def test_init_creates_schema_registers_actors_and_is_idempotent(db_url):
    store = Store(db_url)
    assert store.schema_version() == 0
    assert "created" in dataset.init_store(store, demo=False)
    assert store.schema_version() == SCHEMA_VERSION
    assert {"isil", "iraq-gov"} <= {a.id for a in store.actors()}
    assert store.claim_count() == 0
    assert "already current" in dataset.init_store(store, demo=False)


def test_newer_schema_is_refused(empty_store):
    with empty_store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    with pytest.raises(StoreError, match="newer"):
        empty_store.upgrade()


def test_claims_round_trip_with_citations_and_revision(empty_store, make_claim):
    claim = make_claim("isil", extent="most", notes="seed", place_id="geonames:99454")
    v0 = empty_store.data_version()
    (cid,) = empty_store.add_claims([claim], who="tester", why="unit test")
    assert empty_store.data_version() > v0
    (back,) = empty_store.claims()
    assert back.id == cid
    assert (back.actor, back.extent, back.notes, back.place_id) == (
        "isil",
        "most",
        "seed",
        "geonames:99454",
    )
    assert back.geometry.equals(claim.geometry)
    assert back.citations == claim.citations
    (rev,) = empty_store.revisions(cid)
    assert (rev["who"], rev["action"], rev["why"]) == ("tester", "create", "unit test")
    assert json.loads(rev["snapshot"])["properties"]["extent"] == "most"


def test_one_source_row_per_document(empty_store, make_claim):
    empty_store.add_claims([make_claim(), make_claim(bounds=(44, 33, 44.1, 33.1))], who="t")
    with empty_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sources")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM citations")).scalar_one() == 2


def test_pending_claims_are_kept_apart(empty_store, make_claim):
    empty_store.add_claims([make_claim(review_state="pending")], who="t")
    assert empty_store.claims() == []
    assert len(empty_store.claims(("pending",))) == 1


def test_failed_write_leaves_nothing_behind(empty_store, make_claim):
    good = make_claim()
    bad = make_claim(actor="nobody")
    with pytest.raises(StoreError, match="nobody"):
        empty_store.add_claims([good, bad], who="t")
    assert empty_store.claim_count() == 0


def test_import_is_all_or_nothing_and_names_the_feature(empty_store, tmp_path, make_claim):
    good = make_claim().to_feature()
    bad = make_claim().to_feature()
    bad["properties"]["observed_on"] = "2014-13-01"
    path = tmp_path / "claims.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [good, bad]}))
    with pytest.raises(ValidationError, match=r"^feature 2: observed_on: '2014-13-01'"):
        dataset.import_file(empty_store, path, who="t")
    assert empty_store.claim_count() == 0


def test_import_defines_new_actors(empty_store, tmp_path, make_claim):
    feature = make_claim(actor="iraq-gov").to_feature()
    feature["properties"]["actor"] = "Hayat Tahrir al-Sham"
    fc = {
        "type": "FeatureCollection",
        "actors": [
            {
                "id": "hts",
                "name": "Hayat Tahrir al-Sham",
                "aliases": ["HTS"],
                "colour": "#56B4E9",
                "kind": "non-state",
            }
        ],
        "features": [feature],
    }
    path = tmp_path / "syria.geojson"
    path.write_text(json.dumps(fc))
    dataset.import_file(empty_store, path, who="t")
    assert empty_store.actors().resolve("HTS").id == "hts"
    assert empty_store.claims()[0].actor == "hts"


def test_review_with_version_check_and_history(empty_store, make_claim):
    from controlmap.errors import ConflictError

    (cid,) = empty_store.add_claims([make_claim(review_state="pending")], who="ann")
    claim = empty_store.claim(cid)
    assert (claim.review_state, claim.version) == ("pending", 1)
    assert empty_store.review(cid, decision="approved", expected_version=1, who="rev1") == 2
    # A second reviewer who opened version 1 is refused, and told by whom and what to do.
    with pytest.raises(ConflictError, match="changed by rev1.*not saved"):
        empty_store.review(cid, decision="rejected", expected_version=1, who="rev2", why="dup")
    assert empty_store.claim(cid).review_state == "approved"
    actions = [(r["action"], r["who"], r["version"]) for r in empty_store.revisions(cid)]
    assert actions == [("create", "ann", 1), ("approve", "rev1", 2)]
    assert empty_store.audit()[0]["action"] == "approve"


def test_rejection_and_retraction_need_a_reason(empty_store, make_claim):
    (cid,) = empty_store.add_claims([make_claim(review_state="pending")], who="ann")
    with pytest.raises(StoreError, match="reason"):
        empty_store.review(cid, decision="rejected", expected_version=1, who="r")
    with pytest.raises(StoreError, match="reason"):
        empty_store.retract(cid, expected_version=1, who="r", why=" ")
    empty_store.review(cid, decision="approved", expected_version=1, who="r")
    empty_store.retract(cid, expected_version=2, who="r", why="source withdrawn")
    (kept,) = empty_store.claims()
    assert kept.retracted
    assert empty_store.revisions(cid)[-1]["why"] == "source withdrawn"


def test_edit_is_a_revision_and_keeps_the_old_content(empty_store, make_claim):
    (cid,) = empty_store.add_claims([make_claim(extent="part")], who="ann")
    edited = make_claim(extent="most", bounds=(43.0, 33.0, 43.2, 33.2), notes="wider")
    assert empty_store.edit(cid, edited, expected_version=1, who="rev", why="fix area") == 2
    back = empty_store.claim(cid)
    assert (back.extent, back.notes, back.version) == ("most", "wider", 2)
    first, second = empty_store.revisions(cid)
    assert json.loads(first["snapshot"])["properties"]["extent"] == "part"
    assert json.loads(second["snapshot"])["properties"]["extent"] == "most"
    assert json.loads(second["snapshot"])["properties"]["version"] == 2


def test_data_version_moves_only_when_data_changes(db_url, make_claim):
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    before = store.data_version()
    dataset.init_store(store, demo=False)  # a restart: nothing new
    assert store.data_version() == before
    store.add_claims([make_claim()], who="t")
    assert store.data_version() > before
