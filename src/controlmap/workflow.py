"""Every write a person makes through the app, with its role checked here, on the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from controlmap import settings
from controlmap.auth import User, require
from controlmap.model import Claim
from controlmap.store import Store


def submit(store: Store, user: User | None, claims: Sequence[Claim], why: str = "") -> list[int]:
    """A contributor's claims enter as pending: they reach the map only once approved."""
    who = require(user, "contributor")
    pending = [replace(c, review_state="pending", id=None) for c in claims]
    return store.add_claims(pending, who=who.name, why=why or "submitted from the app")


def review(
    store: Store,
    user: User | None,
    claim_id: int,
    *,
    decision: str,
    expected_version: int,
    why: str = "",
) -> int:
    who = require(user, "reviewer")
    return store.review(
        claim_id,
        decision=decision,
        expected_version=expected_version,
        who=who.name,
        why=why,
        allow_self=settings.current().allow_self_approval,
    )


def edit(
    store: Store,
    user: User | None,
    claim_id: int,
    claim: Claim,
    *,
    expected_version: int,
    why: str = "",
) -> int:
    who = require(user, "reviewer")
    return store.edit(claim_id, claim, expected_version=expected_version, who=who.name, why=why)


def retract(
    store: Store, user: User | None, claim_id: int, *, expected_version: int, why: str
) -> int:
    who = require(user, "reviewer")
    return store.retract(claim_id, expected_version=expected_version, who=who.name, why=why)


def review_actor_change(
    store: Store, user: User | None, proposal_id: int, *, decision: str, why: str = ""
) -> None:
    """Apply or drop a change to an existing actor that a pending file proposed
    (``store.actor_proposals()`` lists them). Like claims, by default not by its proposer."""
    who = require(user, "reviewer")
    store.decide_actor_proposal(
        proposal_id,
        decision=decision,
        who=who.name,
        why=why,
        allow_self=settings.current().allow_self_approval,
    )
