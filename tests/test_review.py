"""Review integrity: a second person approves, only valid transitions, each with a version
check (issue 9, point 1)."""

from __future__ import annotations

import pytest

from controlmap import workflow
from controlmap.auth import User
from controlmap.errors import ConflictError, PermissionDenied

REV1 = User("rev1", "reviewer")
REV2 = User("rev2", "reviewer")


def _pending(store, make_claim, who: User = REV1) -> int:
    (cid,) = workflow.submit(store, who, [make_claim()])
    return cid


def test_a_reviewer_cannot_approve_their_own_claim(empty_store, make_claim):
    cid = _pending(empty_store, make_claim)
    with pytest.raises(PermissionDenied, match="second reviewer"):
        workflow.review(empty_store, REV1, cid, decision="approved", expected_version=1)
    assert empty_store.claim(cid).review_state == "pending"
    assert workflow.review(empty_store, REV2, cid, decision="approved", expected_version=1) == 2


def test_a_setting_allows_self_approval(empty_store, make_claim, monkeypatch):
    monkeypatch.setenv("CONTROLMAP_ALLOW_SELF_APPROVAL", "1")
    cid = _pending(empty_store, make_claim)
    assert workflow.review(empty_store, REV1, cid, decision="approved", expected_version=1) == 2


def test_decisions_are_final_and_a_retraction_stays(empty_store, make_claim):
    cid = _pending(empty_store, make_claim)
    v = workflow.review(empty_store, REV2, cid, decision="approved", expected_version=1)
    # Approved: neither approved again nor turned into a rejection.
    for decision in ("approved", "rejected"):
        with pytest.raises(ConflictError, match="is approved"):
            workflow.review(empty_store, REV2, cid, decision=decision, expected_version=v, why="x")
    v = workflow.retract(empty_store, REV2, cid, expected_version=v, why="wrong town")
    with pytest.raises(ConflictError, match="retracted"):
        workflow.review(empty_store, REV2, cid, decision="approved", expected_version=v)
    with pytest.raises(ConflictError, match="retracted"):
        workflow.retract(empty_store, REV2, cid, expected_version=v, why="again")
    with pytest.raises(ConflictError, match="retracted"):
        workflow.edit(empty_store, REV2, cid, make_claim(), expected_version=v)
    claim = empty_store.claim(cid)
    assert (claim.review_state, claim.retracted, claim.version) == ("approved", True, v)
    assert [r["action"] for r in empty_store.revisions(cid)] == ["create", "approve", "retract"]


def test_rejected_claims_stay_rejected_and_pending_ones_cannot_be_retracted(
    empty_store, make_claim
):
    cid = _pending(empty_store, make_claim)
    with pytest.raises(ConflictError, match="is pending"):
        workflow.retract(empty_store, REV2, cid, expected_version=1, why="x")
    v = workflow.review(empty_store, REV2, cid, decision="rejected", expected_version=1, why="no")
    with pytest.raises(ConflictError, match="is rejected"):
        workflow.review(empty_store, REV2, cid, decision="approved", expected_version=v)
    assert empty_store.claim(cid).review_state == "rejected"


def test_every_transition_checks_the_version(empty_store, make_claim):
    cid = _pending(empty_store, make_claim)
    with pytest.raises(ConflictError, match="version"):
        workflow.review(empty_store, REV2, cid, decision="approved", expected_version=7)
    v = workflow.review(empty_store, REV2, cid, decision="approved", expected_version=1)
    with pytest.raises(ConflictError, match="version"):
        workflow.retract(empty_store, REV2, cid, expected_version=v - 1, why="stale page")
