"""The materialised timeline: what the store keeps per change date is what resolve() paints."""

from __future__ import annotations

import datetime as dt
import random

from controlmap import dataset
from controlmap.resolve import Piece, change_dates, resolve
from controlmap.store import Store


def _same(stored: list[Piece], painted: list[Piece]) -> None:
    assert sorted(repr(p.holding) for p in stored) == sorted(repr(p.holding) for p in painted)
    by_holding = {p.holding: p for p in painted}
    for piece in stored:
        other = by_holding[piece.holding]
        assert piece.geometry.symmetric_difference(other.geometry).area < 1e-9
        assert abs(piece.area_km2 - other.area_km2) < 1e-6 * max(1.0, other.area_km2)
        assert piece.citations == other.citations


def _random_claims(make_claim, rng: random.Random, n: int, first: dt.date):
    claims = []
    for _ in range(n):
        x, y = rng.uniform(43, 43.6), rng.uniform(33, 33.6)
        size = rng.uniform(0.05, 0.3)
        day = first + dt.timedelta(days=rng.randrange(0, 60))
        until = day + dt.timedelta(days=rng.randrange(0, 20)) if rng.random() < 0.25 else None
        claims.append(
            make_claim(
                rng.choice(["isil", "iraq-gov", "krg"]),
                (x, y, x + size, y + size),
                day.isoformat(),
                extent=rng.choice(["all", "all", "most", "part"]),
                confidence=rng.choice(["assessed", "assessed", "claimed"]),
                valid_until=until,
                id=None,
            )
        )
    return claims


def _check_every_date(store: Store) -> None:
    claims = store.claims()
    days = change_dates(claims)
    assert [d for d, _ in store.timeline.days()] == days
    probes = [*days, days[0] - dt.timedelta(days=1), days[-1] + dt.timedelta(days=30)]
    probes += [d + dt.timedelta(days=1) for d in days[::3]]
    for day in probes:
        _same(store.timeline.frame(day), resolve(claims, day))
        _same(
            store.timeline.frame(day, include_claimed=False),
            resolve(claims, day, include_claimed=False),
        )


def test_stored_frames_follow_every_kind_of_change(empty_store, make_claim):
    rng = random.Random(8)
    start = dt.date(2015, 1, 1)
    store = empty_store
    # Batches that land after, before and in the middle of what is there already.
    store.add_claims(_random_claims(make_claim, rng, 15, start + dt.timedelta(days=30)), who="a")
    store.add_claims(_random_claims(make_claim, rng, 10, start), who="b")
    middle = _random_claims(make_claim, rng, 10, start + dt.timedelta(days=10))
    ids = store.add_claims(middle, who="c")
    _check_every_date(store)
    # A retraction, an edit that moves a claim earlier, an approval from review.
    claim = store.claim(ids[0])
    store.retract(ids[0], expected_version=claim.version, who="r", why="wrong town")
    moved = store.claim(ids[1])
    earlier = make_claim(
        moved.actor, (43.1, 33.1, 43.4, 33.3), (start - dt.timedelta(days=5)).isoformat(), id=None
    )
    store.edit(ids[1], earlier, expected_version=moved.version, who="r", why="earlier report")
    (pending,) = store.add_claims(
        [make_claim("krg", (43.2, 33.2, 43.5, 33.5), "2015-02-10", review_state="pending")],
        who="p",
    )
    store.review(pending, decision="approved", expected_version=1, who="rev")
    _check_every_date(store)


def test_a_change_relabels_only_the_dates_it_touches(empty_store, make_claim):
    store = empty_store
    store.add_claims(
        [
            make_claim("iraq-gov", (43.0, 33.0, 43.2, 33.2), "2015-01-01", id=None),
            make_claim("isil", (43.1, 33.1, 43.3, 33.3), "2015-03-01", id=None),
        ],
        who="t",
    )
    before = dict(store.timeline.days())
    version = store.data_version()
    # A pending claim is not public: nothing moves.
    (cid,) = store.add_claims(
        [make_claim("krg", (43.5, 33.5, 43.6, 33.6), "2015-02-01", review_state="pending")],
        who="t",
    )
    assert store.data_version() == version
    store.review(cid, decision="approved", expected_version=1, who="rev")
    assert store.data_version() > version
    after = dict(store.timeline.days())
    assert after[dt.date(2015, 1, 1)] == before[dt.date(2015, 1, 1)]  # cached maps stay valid
    assert after[dt.date(2015, 2, 1)] == store.data_version()
    assert after[dt.date(2015, 3, 1)] == store.data_version()
    assert [p.actor for p in store.timeline.frame(dt.date(2015, 2, 1))].count("krg") == 1


def test_an_unchanged_piece_is_kept_once(db_url, make_claim):
    store = Store(db_url)
    dataset.init_store(store, demo=False)
    far = [
        make_claim("isil", (40 + i, 30, 40.5 + i, 30.5), f"2015-01-{i + 1:02d}", id=None)
        for i in range(10)
    ]
    store.add_claims(far, who="t")
    with store.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(
            text("SELECT count(*) FROM timeline_pieces WHERE evidence = 'all'")
        ).scalar_one()
    # Ten dates, each adding one town: ten rows, not 1 + 2 + ... + 10.
    assert rows == 10
