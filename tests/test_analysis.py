"""Change between dates, area over time and the list of control changes."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from shapely.geometry import Point, box

from controlmap import analysis
from controlmap.geometry import area_km2
from controlmap.model import ActorRegistry, Claim
from controlmap.resolve import resolve
from controlmap.store import Store

D = dt.date.fromisoformat
RAMADI = Point(43.30123, 33.42056)  # GeoNames point of Ramadi


@pytest.fixture(scope="module")
def demo(demo_db: str) -> tuple[list[Claim], ActorRegistry]:
    store = Store(demo_db)
    return store.claims(), store.actors()


def sides(change: analysis.Change) -> tuple[object, ...]:
    return (
        change.from_actor,
        change.from_status,
        change.from_extent,
        change.to_actor,
        change.to_status,
        change.to_extent,
    )


# --- diff on small synthetic claims ----------------------------------------------------------


def test_change_of_hands_covers_exactly_the_area_taken(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 2, 2), "2014-01-01")
    isil = make_claim("isil", (1, 0, 2, 2), "2014-02-01")
    changes = analysis.diff([gov, isil], D("2014-01-15"), D("2014-02-15"))
    assert [sides(c) for c in changes] == [("iraq-gov", "control", "all", "isil", "control", "all")]
    change = changes[0]
    assert change.geometry.equals(box(1, 0, 2, 2))
    assert change.area_km2 == pytest.approx(area_km2(box(1, 0, 2, 2)), rel=1e-9)
    assert change.claim_ids == (isil.id,)
    assert [c.source.title for c in change.sources] == ["A report"]
    balance = analysis.gains_losses(changes)
    assert balance["isil"].gained_km2 == pytest.approx(change.area_km2)
    assert balance["iraq-gov"].lost_km2 == pytest.approx(change.area_km2)
    assert balance["isil"].net_km2 == pytest.approx(-balance["iraq-gov"].net_km2)


def test_partial_to_full_control_is_a_change(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 2, 2), "2014-01-01")
    part = make_claim("isil", (0, 0, 1, 1), "2014-01-02", extent="part")
    full = make_claim("isil", (0, 0, 1, 1), "2014-01-10")
    changes = analysis.diff([gov, part, full], D("2014-01-05"), D("2014-01-15"))
    assert [sides(c) for c in changes] == [("isil", "control", "part", "isil", "control", "all")]
    assert changes[0].claim_ids == (full.id,)
    assert not changes[0].changed_hands
    balance = analysis.gains_losses(changes)["isil"]
    # The same actor before and after: no area changed hands, but it firmed up.
    assert (balance.gained_km2, balance.lost_km2) == (0.0, 0.0)
    assert balance.consolidated_km2 == pytest.approx(changes[0].area_km2)


def test_status_change_to_contested_is_a_change(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-01")
    contested = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-10", status="contested")
    changes = analysis.diff([gov, contested], D("2014-01-05"), D("2014-01-15"))
    assert [sides(c) for c in changes] == [
        ("iraq-gov", "control", "all", "iraq-gov", "contested", "all")
    ]
    assert analysis.gains_losses(changes)["iraq-gov"].weakened_km2 == pytest.approx(
        changes[0].area_km2
    )


def test_unclaimed_ground_becoming_claimed_has_no_from_actor(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-01")
    isil = make_claim("isil", (5, 5, 6, 6), "2014-02-01")
    changes = analysis.diff([gov, isil], D("2014-01-15"), D("2014-02-15"))
    assert [sides(c) for c in changes] == [(None, None, None, "isil", "control", "all")]
    assert changes[0].geometry.equals(box(5, 5, 6, 6))
    assert analysis.gains_losses(changes)["isil"].gained_km2 == pytest.approx(changes[0].area_km2)


def test_ground_that_becomes_unclaimed_cites_the_earlier_claim(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-01", valid_until=D("2014-01-31"))
    changes = analysis.diff([gov], D("2014-01-15"), D("2014-02-15"))
    assert [sides(c) for c in changes] == [("iraq-gov", "control", "all", None, None, None)]
    assert changes[0].claim_ids == (gov.id,)
    assert changes[0].sources == gov.citations
    assert analysis.gains_losses(changes)["iraq-gov"].lost_km2 == pytest.approx(changes[0].area_km2)


def test_the_same_holding_confirmed_again_is_no_change(make_claim):
    first = make_claim("isil", (0, 0, 1, 1), "2014-01-01")
    again = make_claim("isil", (0, 0, 1, 1), "2014-01-10")
    assert analysis.diff([first, again], D("2014-01-05"), D("2014-01-15")) == []
    assert analysis.diff([first], D("2014-01-05"), D("2014-01-05")) == []


def test_unconfirmed_claims_can_be_left_out(make_claim):
    gov = make_claim("iraq-gov", (0, 0, 1, 1), "2014-01-01")
    claimed = make_claim("isil", (0, 0, 1, 1), "2014-01-10", confidence="claimed")
    both = analysis.diff([gov, claimed], D("2014-01-05"), D("2014-01-15"))
    assert [c.to_actor for c in both] == ["isil"]
    assert (
        analysis.diff([gov, claimed], D("2014-01-05"), D("2014-01-15"), include_claimed=False) == []
    )


# --- the demo dataset --------------------------------------------------------------------------

PAIRS = [
    ("2013-12-01", "2014-01-05"),
    ("2014-01-01", "2014-07-01"),
    ("2015-05-01", "2015-06-01"),
    ("2014-06-01", "2016-06-30"),
    ("2016-01-01", "2017-12-31"),
    ("2017-12-31", "2014-06-15"),  # backwards: the reverse diff must add up as well
]


@pytest.mark.parametrize(("d1", "d2"), PAIRS)
def test_gains_minus_losses_is_the_change_of_area_held(demo, d1, d2):
    claims, _ = demo
    changes = analysis.diff(claims, D(d1), D(d2))
    balance = analysis.gains_losses(changes)
    before = analysis.held_km2(resolve(claims, D(d1)))
    after = analysis.held_km2(resolve(claims, D(d2)))
    for actor in {*before, *after, *balance}:
        net = balance[actor].net_km2 if actor in balance else 0.0
        expected = after.get(actor, 0.0) - before.get(actor, 0.0)
        assert net == pytest.approx(expected, abs=0.01), actor
    # The changed regions never overlap one another.
    total = sum(c.area_km2 for c in changes)
    if changes:
        from shapely import union_all

        merged = area_km2(union_all([c.geometry for c in changes]))
        assert merged == pytest.approx(total, rel=1e-6, abs=0.01)


def test_ramadi_is_gained_by_isil_in_may_2015(demo):
    claims, registry = demo
    changes = analysis.diff(claims, D("2015-05-01"), D("2015-06-01"))
    at_ramadi = [c for c in changes if c.geometry.contains(RAMADI)]
    assert len(at_ramadi) == 1
    change = at_ramadi[0]
    assert (change.to_actor, change.to_status, change.to_extent) == ("isil", "control", "all")
    # Before: ISIL's contested, partial hold, not full control.
    assert (change.from_status, change.from_extent) != ("control", "all")
    assert change.sources and change.since is not None
    assert change.since <= D("2015-06-01")
    props = analysis.change_properties(change, registry)
    assert props["to_actor_name"] == "Islamic State (ISIL)"
    assert "Ramadi" in props["places"]
    assert props["sources"][0]["title"]


def test_diff_collection_carries_the_design_properties(demo):
    claims, registry = demo
    d1, d2 = D("2015-05-01"), D("2015-06-01")
    data = analysis.diff_collection(analysis.diff(claims, d1, d2), registry, d1, d2)
    assert data["type"] == "FeatureCollection"
    assert (data["from"], data["to"]) == ("2015-05-01", "2015-06-01")
    assert data["features"]
    required = {
        "from_actor",
        "from_status",
        "from_extent",
        "to_actor",
        "to_status",
        "to_extent",
        "area_km2",
        "claim_ids",
        "sources",
        "from_actor_name",
        "to_actor_name",
    }
    for feature in data["features"]:
        assert required <= set(feature["properties"])
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize("day", ["2014-01-04", "2015-05-17", "2016-06-26", "2017-12-09"])
def test_stats_rows_match_resolution_at_a_date(demo, day):
    claims, registry = demo
    rows = [r for r in analysis.stats(claims, registry=registry) if r.date == D(day)]
    assert rows
    pieces = resolve(claims, D(day))
    for row in rows:
        mine = [p for p in pieces if p.actor == row.actor]
        contested = sum(p.area_km2 for p in mine if p.status == "contested")
        partial = sum(p.area_km2 for p in mine if p.status != "contested" and p.holding.partial)
        full = sum(p.area_km2 for p in mine if p.status != "contested" and not p.holding.partial)
        assert row.full_km2 == pytest.approx(full)
        assert row.partial_km2 == pytest.approx(partial)
        assert row.contested_km2 == pytest.approx(contested)
        assert row.total_km2 == pytest.approx(analysis.held_km2(pieces).get(row.actor, 0.0))
        assert row.actor_name == registry.get(row.actor).name


def test_stats_cover_every_change_date_and_actor(demo):
    claims, registry = demo
    rows = analysis.stats(claims, registry=registry)
    from controlmap.resolve import change_dates

    dates = sorted({r.date for r in rows})
    assert dates == change_dates(claims)
    actors = {r.actor for r in rows}
    assert len(rows) == len(dates) * len(actors)
    text = analysis.stats_csv(rows)
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == list(analysis.STATS_COLUMNS)
    assert len(table) == len(rows)
    first = table[0]
    assert float(first["total_km2"]) == pytest.approx(
        float(first["full_km2"]) + float(first["partial_km2"]) + float(first["contested_km2"]),
        abs=0.002,
    )


def test_stats_without_unconfirmed_claims_differ(demo):
    claims, _ = demo
    everything = analysis.stats(claims)
    assessed = analysis.stats(claims, include_claimed=False)
    assert len(assessed) <= len(everything)
    assert {r.date for r in assessed} < {r.date for r in everything}


def test_control_changes_are_in_date_order_with_citations(demo):
    claims, registry = demo
    events = analysis.control_changes(claims, registry)
    assert len(events) == len([c for c in claims if not c.retracted])
    assert [e.date for e in events] == sorted(e.date for e in events)
    first = events[0].to_dict()
    assert set(first) >= {
        "date",
        "place",
        "actor",
        "status",
        "extent",
        "confidence",
        "citations",
    }
    assert first["citations"] and first["citations"][0]["title"]
    ramadi = [e for e in events if e.place_id == "geonames:98717"]
    assert ramadi and all(e.place == "Ramadi" for e in ramadi)
    assessed = analysis.control_changes(claims, registry, include_claimed=False)
    assert all(e.confidence == "assessed" for e in assessed)


def test_place_names_fall_back_to_the_id():
    assert analysis.place_name("geonames:98717") == "Ramadi"
    assert analysis.place_name("iq-adm1:IQG01") == "Al-Anbar"
    assert analysis.place_name("geonames:0") == "geonames:0"
    assert analysis.place_name(None) == ""


def random_claims(n: int, seed: int = 3) -> list[Claim]:
    """Overlapping town discs changing hands many times: the nearly coincident edges that
    make floating-point overlays fail."""
    import random

    from controlmap.model import Citation, Source

    rng = random.Random(seed)
    towns = [(rng.uniform(40, 44), rng.uniform(32, 35)) for _ in range(n // 5)]
    cite = (Citation(Source(title="Generated", url="https://example.org/g"), ""),)
    claims = []
    for i in range(n):
        lon, lat = rng.choice(towns)
        claims.append(
            Claim(
                actor=rng.choice(["isil", "iraq-gov", "krg", "tribal"]),
                status="control" if rng.random() > 0.1 else "contested",
                extent=rng.choice(["all", "all", "most", "part"]),
                geometry=Point(lon, lat).buffer(rng.uniform(0.02, 0.08), quad_segs=12),
                observed_on=D("2014-01-01") + dt.timedelta(days=i * 40 // n),
                citations=cite,
                id=i + 1,
            )
        )
    return claims


def test_the_sums_hold_on_many_overlapping_claims():
    from controlmap.resolve import Resolver

    claims = random_claims(1500)
    resolver = Resolver(claims)
    for d1, d2 in (("2014-01-10", "2014-01-25"), ("2014-01-05", "2014-02-09")):
        changes = analysis.diff(claims, D(d1), D(d2), resolver=resolver)
        balance = analysis.gains_losses(changes)
        before = analysis.held_km2(resolver.at(D(d1)))
        after = analysis.held_km2(resolver.at(D(d2)))
        for actor in {*before, *after}:
            net = balance[actor].net_km2 if actor in balance else 0.0
            assert net == pytest.approx(after.get(actor, 0.0) - before.get(actor, 0.0), abs=0.01)
