"""Resolution: newest evidence wins, partial stays partial, same-day rivals are contested."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from shapely.geometry import box

from controlmap.resolve import change_dates, resolve

D = dt.date.fromisoformat


def by_actor(pieces):
    out = {}
    for p in pieces:
        out.setdefault((p.actor, p.status, p.extent), []).append(p)
    return out


def test_newer_claim_replaces_older_where_they_overlap(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 2, 2), "2014-01-01")
    isil = make_claim("isil", (1, 0, 3, 2), "2014-02-01")
    pieces = resolve([isil, gov], D("2014-03-01"))
    got = by_actor(pieces)
    assert set(got) == {("iraq-gov", "control", "all"), ("isil", "control", "all")}
    gov_piece = got[("iraq-gov", "control", "all")][0]
    assert gov_piece.geometry.equals(box(0, 0, 1, 2))
    assert got[("isil", "control", "all")][0].geometry.equals(box(1, 0, 3, 2))
    # The planar partition covers the union without overlaps.
    assert sum(p.geometry.area for p in pieces) == pytest.approx(6.0)


def test_claims_after_the_date_or_expired_are_ignored(make_claim):
    early = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-01", valid_until=D("2014-01-10"))
    late = make_claim("isil", (0, 0, 1, 1), "2014-02-01")
    assert resolve([early, late], D("2013-12-31")) == []
    assert [p.actor for p in resolve([early, late], D("2014-01-10"))] == ["iraq-gov"]
    assert resolve([early, late], D("2014-01-11")) == []
    assert [p.actor for p in resolve([early, late], D("2014-02-01"))] == ["isil"]


def test_partial_extent_keeps_previous_holder(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 2, 2), "2014-01-01")
    isil = make_claim("isil", (0, 0, 1, 1), "2014-01-02", extent="most")
    pieces = resolve([gov, isil], D("2014-01-05"))
    partial = [p for p in pieces if p.actor == "isil"]
    assert len(partial) == 1
    p = partial[0]
    assert (p.extent, p.holding.previous, p.holding.partial) == ("most", "iraq-gov", True)
    assert p.holding.previous_claim_ids == (gov.id,)
    assert p.since == D("2014-01-02")
    assert p.age_days(D("2014-01-05")) == 3


def test_newer_partial_of_same_actor_keeps_the_original_holder(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 1, 1), "2013-12-01")
    part = make_claim("isil", (0, 0, 1, 1), "2013-12-31", extent="part")
    most = make_claim("isil", (0, 0, 1, 1), "2014-01-02", extent="most")
    (piece,) = resolve([gov, part, most], D("2014-01-03"))
    assert (piece.actor, piece.extent, piece.holding.previous) == ("isil", "most", "iraq-gov")
    assert piece.holding.claim_ids == (most.id,)


def test_full_control_after_partial_ends_the_partial(make_claim):
    part = make_claim("isil", (0, 0, 1, 1), "2014-01-02", extent="part")
    full = make_claim("iraq-gov", (0, 0, 1, 1), "2016-06-26")
    (piece,) = resolve([part, full], D("2016-07-01"))
    assert (piece.actor, piece.extent, piece.holding.previous) == ("iraq-gov", "all", None)


def test_same_day_overlap_of_rivals_is_contested_citing_both(make_claim):
    from tests.conftest import citation

    a = make_claim("iraq-gov", (0, 0, 2, 1), "2015-05-15", citations=(citation("A"),))
    b = make_claim("isil", (1, 0, 3, 1), "2015-05-15", citations=(citation("B"),))
    pieces = resolve([a, b], D("2015-05-16"))
    contested = [p for p in pieces if p.status == "contested"]
    assert len(contested) == 1
    c = contested[0]
    assert c.geometry.equals(box(1, 0, 2, 1))
    assert set(c.holding.parties) == {"iraq-gov", "isil"}
    assert {x.source.title for x in c.citations} == {"A", "B"}
    # Outside the overlap each keeps its own ground.
    assert {(p.actor, p.status) for p in pieces} == {
        ("iraq-gov", "control"),
        ("isil", "control"),
        ("iraq-gov", "contested"),
    }


def test_same_day_same_actor_is_not_contested(make_claim):
    a = make_claim("isil", (0, 0, 2, 1), "2015-05-15")
    b = make_claim("isil", (1, 0, 3, 1), "2015-05-15")
    assert {p.status for p in resolve([a, b], D("2015-05-15"))} == {"control"}


def test_assessed_painted_after_claimed_on_the_same_day_wins(make_claim):
    claimed = make_claim("isil", (0, 0, 1, 1), "2015-01-01", confidence="claimed", id=1)
    assessed = make_claim("isil", (0, 0, 1, 1), "2015-01-01", extent="part", id=2)
    # Order is observed_on, then assessed before claimed: the claimed one is painted last.
    (piece,) = resolve([claimed, assessed], D("2015-01-02"))
    assert piece.holding.claim_ids == (1,)
    (only,) = resolve([claimed, assessed], D("2015-01-02"), include_claimed=False)
    assert only.holding.claim_ids == (2,)


def test_pending_rejected_and_retracted_claims_are_not_drawn(make_claim):
    pending = make_claim("isil", (0, 0, 1, 1), "2014-01-01", review_state="pending")
    rejected = make_claim("isil", (0, 0, 1, 1), "2014-01-01", review_state="rejected")
    retracted = make_claim("isil", (0, 0, 1, 1), "2014-01-01", retracted=True)
    assert resolve([pending, rejected, retracted], D("2014-02-01")) == []


def test_snapshot_dataset_resolves_to_exactly_its_snapshot(make_claim):
    # One polygon a day, each valid until the day before the next (a DeepStateMap-style archive).
    snapshots = []
    days = [D("2022-03-01") + dt.timedelta(days=i) for i in range(6)]
    for i, day in enumerate(days):
        until = days[i + 1] - dt.timedelta(days=1) if i + 1 < len(days) else None
        snapshots.append(
            make_claim("isil", (0, 0, 1 + i * 0.5, 1), day.isoformat(), valid_until=until)
        )
    for i, day in enumerate(days):
        pieces = resolve(snapshots, day)
        assert len(pieces) == 1
        assert pieces[0].geometry.equals(snapshots[i].geometry)
        assert pieces[0].holding.claim_ids == (snapshots[i].id,)


def test_areas_are_square_kilometres_not_degrees(make_claim):
    (piece,) = resolve([make_claim("isil", (0, 0, 1, 1), "2014-01-01")], D("2014-01-01"))
    assert piece.area_km2 == pytest.approx(12_364, rel=0.01)


def test_actor_filter_hides_pieces_without_changing_others(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 2, 2), "2014-01-01")
    isil = make_claim("isil", (1, 0, 3, 2), "2014-02-01")
    (piece,) = resolve([gov, isil], D("2014-03-01"), actors=["iraq-gov"])
    assert piece.geometry.equals(box(0, 0, 1, 2))


def test_change_dates_include_the_day_after_expiry(make_claim):
    a = make_claim("isil", day="2014-01-01", valid_until=D("2014-01-10"))
    b = make_claim("isil", day="2014-03-01", review_state="pending")
    assert change_dates([a, b]) == [D("2014-01-01"), D("2014-01-11")]


def test_resolver_reusing_checkpoints_matches_a_fresh_resolution(make_claim):
    import random

    from controlmap.resolve import Resolver

    rng = random.Random(3)
    claims = []
    for i in range(160):
        x, y = rng.uniform(0, 3), rng.uniform(0, 3)
        day = D("2014-01-01") + dt.timedelta(days=i // 4)
        until = day + dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.2 else None
        claims.append(
            make_claim(
                rng.choice(["isil", "iraq-gov", "krg"]),
                (x, y, x + rng.uniform(0.2, 1), y + rng.uniform(0.2, 1)),
                day.isoformat(),
                extent=rng.choice(["all", "all", "most", "part"]),
                valid_until=until,
                confidence=rng.choice(["assessed", "claimed"]),
            )
        )
    resolver = Resolver(claims, checkpoint_every=7)
    days = [D("2014-01-01") + dt.timedelta(days=d) for d in (39, 5, 20, 21, 2, 45, 30, 31, 12)]
    for day in days:
        fresh = {(p.holding, round(p.area_km2, 3)) for p in resolve(claims, day)}
        reused = {(p.holding, round(p.area_km2, 3)) for p in resolver.at(day)}
        assert reused == fresh, day


def test_pieces_tile_the_claimed_ground_without_overlap(make_claim):
    import random

    import shapely
    from shapely.geometry import Point

    from controlmap.resolve import active_claims

    rng = random.Random(11)
    claims = []
    for i in range(600):
        centre = Point(rng.uniform(40, 46), rng.uniform(30, 36))
        claim = make_claim(
            rng.choice(["isil", "iraq-gov", "krg"]),
            day=(D("2014-01-01") + dt.timedelta(days=i // 6)).isoformat(),
            extent=rng.choice(["all", "all", "most", "part"]),
        )
        claims.append(replace(claim, geometry=centre.buffer(rng.uniform(0.05, 0.4), quad_segs=12)))
    day = D("2014-03-15")
    pieces = resolve(claims, day)
    geoms = [p.geometry for p in pieces]
    union = shapely.union_all(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=1e-9)  # no overlaps
    ground = shapely.union_all([c.geometry for c in active_claims(claims, day)])
    assert union.symmetric_difference(ground).area < 1e-9 * ground.area  # nothing lost
