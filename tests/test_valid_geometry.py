"""Every geometry that leaves the store is valid by OGC rules (issue 9, point 7).

`state`, `diff`, the exports and the map's layers round coordinates after overlays; rounding
alone turned thin pieces into self-intersections and rings of fewer than four points.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, shape

from controlmap import analysis, dataset, export
from controlmap.model import Actor, ActorRegistry, Citation, Claim, Source
from controlmap.render import layers, style
from controlmap.resolve import Resolver, change_dates

ACTORS = ("red", "blue", "green")
REGISTRY = ActorRegistry(Actor(a, a.title(), "#336699") for a in ACTORS)
CITE = (Citation(Source("A report", url="https://example.org/r", published="2015-01-01")),)


def _invalid(features: list[dict]) -> list[str]:
    """Reasons for every feature geometry that is not valid, read back from JSON as a client
    would read it."""
    out = []
    for f in json.loads(json.dumps(features)):
        geom = shape(f["geometry"])
        if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_valid:
            out.append(shapely.is_valid_reason(geom))
    return out


def _check_everything_out(claims: list[Claim], days: list[dt.date], grouped: bool = False) -> None:
    resolver = Resolver(claims)
    look = style.Look()
    for day in days:
        pieces = resolver.at(day)
        assert all(p.geometry.is_valid for p in pieces)
        assert _invalid(export.state_collection(pieces, REGISTRY, day)["features"]) == []
        features, _ = layers.layer_features(pieces, REGISTRY, day, look)
        assert _invalid(features) == []
        if grouped:  # the map's grouped drawing, used past DETAIL_LIMIT pieces
            features = layers._grouped_items(pieces, REGISTRY, day, look)
            assert _invalid(features) == []
    changes = analysis.diff(claims, days[0], days[-1])
    assert (
        _invalid(analysis.diff_collection(changes, REGISTRY, days[0], days[-1])["features"]) == []
    )
    exported = dataset.feature_collection(claims, REGISTRY)
    assert _invalid(exported["features"]) == []


def _blob(rng: random.Random, cx: float, cy: float, r: float, n: int) -> Polygon:
    """A star-shaped polygon with coordinates at full float precision."""
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        rr = r * (0.6 + 0.4 * rng.random())
        pts.append((cx + rr * math.cos(a) + rng.uniform(-1e-7, 1e-7), cy + rr * math.sin(a)))
    return Polygon(pts)


def _history(seed: int, n: int, *, spread: float, vertices: int) -> list[Claim]:
    rng = random.Random(seed)
    day = dt.date(2015, 1, 1)
    claims = []
    for i in range(n):
        claims.append(
            Claim(
                actor=rng.choice(ACTORS),
                status=rng.choice(("control", "control", "contested")),
                extent=rng.choice(("all", "all", "most", "part")),
                geometry=_blob(
                    rng,
                    43 + rng.uniform(-spread, spread),
                    33 + rng.uniform(-spread, spread),
                    rng.uniform(0.01, 0.3),
                    vertices,
                ),
                observed_on=day,
                valid_until=day + dt.timedelta(days=rng.randrange(5, 60))
                if rng.random() < 0.1
                else None,
                citations=CITE,
                id=i + 1,
            )
        )
        if rng.random() < 0.3:  # weekly gains and losses, a few claims a week
            day += dt.timedelta(days=7)
    return claims


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 25), vertices=st.integers(3, 60))
# found by Hypothesis: two valid fragments of one holding whose union nests one shell in another
@example(seed=282, n=14, vertices=40)
def test_random_histories_give_valid_geometry_everywhere(seed, n, vertices):
    claims = _history(seed, n, spread=0.2, vertices=vertices)
    days = change_dates(claims)
    _check_everything_out(claims, [days[0], days[len(days) // 2], days[-1]])


def test_a_history_of_real_size_gives_valid_geometry():
    """1,525 claims of weekly gains and losses, as in the report that found the bug."""
    claims = _history(1, 1525, spread=0.5, vertices=40)
    days = change_dates(claims)
    assert len(claims) == 1525 and len(days) > 300
    _check_everything_out(claims, [days[len(days) // 3], days[-1]], grouped=True)
