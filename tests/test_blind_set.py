"""The blind test set is well formed (its figures are NOT tested here: see eval/blind/README.md).

These checks read the file's structure only, so they can run on every change without turning the
set into a tuning target: no extraction happens and no figure is asserted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from controlmap.dataset import bundled_actors
from controlmap.model import Actor

BLIND = Path(__file__).resolve().parents[1] / "eval" / "blind"
PLACE_ID = re.compile(r"^(geonames:[0-9]+|extra:[a-z0-9-]+)$")


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    data = json.loads((BLIND / "cases.json").read_text(encoding="utf-8"))
    return list(data["cases"])


@pytest.fixture(scope="module")
def actor_ids() -> set[str]:
    extra = [Actor.from_dict(a) for a in json.loads((BLIND / "actors.json").read_text())]
    return {a.id for a in bundled_actors()} | {a.id for a in extra}


def test_the_set_is_large_varied_and_all_test_split(cases: list[dict]) -> None:
    assert len(cases) >= 300
    assert len({c["id"] for c in cases}) == len(cases), "case ids must be unique"
    assert {c["split"] for c in cases} == {"test"}
    wars = Counter(c["war"] for c in cases)
    assert len(wars) >= 6 and min(wars.values()) >= 10
    negatives = sum(1 for c in cases if not c["expected"])
    assert negatives >= 50


def test_every_expected_claim_uses_known_values(cases: list[dict], actor_ids: set[str]) -> None:
    extras = {
        line.split(",", 1)[0]
        for line in (BLIND.parents[1] / "geo" / "iraq-syria" / "extra_places.csv")
        .read_text()
        .splitlines()[1:]
    }
    for case in cases:
        published = dt.date.fromisoformat(case["published"])
        for claim in case["expected"]:
            where = f"{case['id']}: {claim}"
            assert claim["actor"] in actor_ids, where
            assert PLACE_ID.match(claim["place_id"]), where
            if claim["place_id"].startswith("extra:"):
                assert claim["place_id"] in extras, where
            assert claim["status"] in {"control", "contested"}, where
            assert claim["extent"] in {"all", "most", "part", "unknown"}, where
            assert claim["confidence"] in {"assessed", "claimed"}, where
            assert dt.date.fromisoformat(claim["date"]) <= published, where


def test_the_blind_actors_do_not_shadow_the_bundled_registry() -> None:
    bundled = {a.id for a in bundled_actors()}
    extra = json.loads((BLIND / "actors.json").read_text())
    assert not bundled & {a["id"] for a in extra}
    for raw in extra:
        actor = Actor.from_dict(raw)
        assert actor.aliases and actor.colour.startswith("#") and actor.kind, actor.id
