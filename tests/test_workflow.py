"""Roles are enforced where the writes happen, not only by hiding widgets."""

from __future__ import annotations

import pytest

from controlmap import workflow
from controlmap.auth import ANONYMOUS, User
from controlmap.errors import PermissionDenied

CONTRIBUTOR = User("cora", "contributor")
REVIEWER = User("rex", "reviewer")
ADMIN = User("ada", "admin")


def test_viewers_and_nobody_cannot_submit(empty_store, make_claim):
    for user in (None, ANONYMOUS, User("vic", "viewer")):
        with pytest.raises(PermissionDenied, match="contributor"):
            workflow.submit(empty_store, user, [make_claim()])
    assert empty_store.claim_count("pending") == 0


def test_submitted_claims_are_pending_even_if_marked_approved(empty_store, make_claim):
    (cid,) = workflow.submit(empty_store, CONTRIBUTOR, [make_claim(review_state="approved")])
    assert empty_store.claim(cid).review_state == "pending"
    assert empty_store.claims() == []  # not on the public map
    assert empty_store.revisions(cid)[0]["who"] == "cora"


def test_only_reviewers_approve_edit_or_retract(empty_store, make_claim):
    (cid,) = workflow.submit(empty_store, CONTRIBUTOR, [make_claim()])
    for action in (
        lambda u: workflow.review(empty_store, u, cid, decision="approved", expected_version=1),
        lambda u: workflow.edit(empty_store, u, cid, make_claim(), expected_version=1),
        lambda u: workflow.retract(empty_store, u, cid, expected_version=1, why="x"),
    ):
        with pytest.raises(PermissionDenied, match="reviewer"):
            action(CONTRIBUTOR)
    assert workflow.review(empty_store, ADMIN, cid, decision="approved", expected_version=1) == 2
    assert [c.id for c in empty_store.claims()] == [cid]
