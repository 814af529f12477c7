"""A synthetic daily history shaped like a real front: one territory of about 3,000 vertices,
snapshotted every day for 769 days, whose front line moves a little in a few places each day
(as daily control-map archives do). Generated in code, so no dataset is committed.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import shapely
from shapely.geometry import Polygon

from controlmap.model import Actor, Citation, Claim, Source

ACTOR = Actor(id="side-a", name="Side A", colour="#d95f02", kind="state")
START = dt.date(2022, 3, 1)


def front_geometries(days: int = 769, vertices: int = 3_000, seed: int = 11) -> list[Polygon]:
    """One polygon a day: a front line of ``vertices - 300`` points and a rear edge of 300."""
    rng = random.Random(seed)
    n_front = vertices - 300
    t = np.linspace(0.0, 1.0, n_front)
    # A winding line about 800 km long; x, y in degrees (anywhere: the data is synthetic).
    base_x = 30.0 + 8.0 * t
    base_y = 46.5 + 3.0 * t + 0.6 * np.sin(t * 9.0) + 0.15 * np.sin(t * 53.0)
    # Real front lines follow roads, rivers and villages: jagged at every scale, so that
    # simplifying for display keeps most of their vertices.
    jag = np.array([rng.gauss(0.0, 0.004) for _ in range(n_front)])
    offset = np.zeros(n_front)
    rear_t = np.linspace(1.0, 0.0, 300)
    rear_x = 30.0 + 8.0 * rear_t + 2.2
    rear_y = 46.5 + 3.0 * rear_t - 1.4 + 0.1 * np.sin(rear_t * 31.0)
    polygons = []
    for _ in range(days):
        # A few local moves a day, each a few km over a few dozen km of front.
        for _ in range(rng.randint(1, 3)):
            centre = rng.randrange(n_front)
            width = rng.uniform(4, 25)
            push = rng.uniform(-0.02, 0.02)
            offset += push * np.exp(-(((np.arange(n_front) - centre) / width) ** 2))
        # Move perpendicular to the line, roughly north-west.
        fx = base_x - (offset + jag) * math.sin(0.35)
        fy = base_y + (offset + jag) * math.cos(0.35)
        ring = np.column_stack([np.concatenate([fx, rear_x]), np.concatenate([fy, rear_y])])
        poly = shapely.make_valid(Polygon(np.round(ring, 6)))
        if poly.geom_type != "Polygon":
            poly = max(shapely.get_parts(poly), key=lambda g: g.area)
        polygons.append(poly)
    return polygons


def front_claims(days: int = 769, vertices: int = 3_000) -> list[Claim]:
    """Snapshot claims: each holds for its own day only, like an imported daily archive."""
    source = Source(title="Synthetic daily front", publisher="bench", url="https://example.org/f")
    claims = []
    for i, geom in enumerate(front_geometries(days, vertices)):
        day = START + dt.timedelta(days=i)
        claims.append(
            Claim(
                actor=ACTOR.id,
                status="control",
                extent="all",
                geometry=geom,
                observed_on=day,
                valid_until=day,
                citations=(Citation(source, f"snapshot of {day.isoformat()}"),),
            )
        )
    return claims
