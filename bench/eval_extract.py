"""Precision and recall of controlmap.extract on the hand-written evaluation set.

    .venv/bin/python bench/eval_extract.py [CASES.json]

Prints the figures for the whole set and for each split (see eval/README.md), then every case
whose suggestions differ from its expected claims. Always exits 0: it reports; the test suite
enforces the thresholds.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from controlmap.dataset import bundled_actors
from controlmap.extract import Score, load_cases, score
from controlmap.model import Actor, ActorRegistry

EVAL_CASES = Path(__file__).resolve().parents[1] / "eval" / "extract_cases.json"
# The actors of the wars in the dev batches dev-7 and later (Ukraine, Sudan, Myanmar, ...),
# added to the bundled registry as bench/eval_blind.py adds the blind set's.
DEV_ACTORS = EVAL_CASES.with_name("dev_actors.json")


def dev_registry() -> ActorRegistry:
    """The bundled registry plus eval/dev_actors.json."""
    registry = ActorRegistry(bundled_actors())
    for raw in json.loads(DEV_ACTORS.read_text(encoding="utf-8")):
        registry.add(Actor.from_dict(raw))
    return registry


def _line(label: str, cases: Sequence[Mapping[str, Any]], result: Score) -> str:
    expected = sum(len(c.get("expected", [])) for c in cases)
    return (
        f"{label:<12} cases {len(cases):>3}  claims {expected:>3}  "
        f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
        f"(tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})"
    )


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else EVAL_CASES
    cases = load_cases(path)
    registry = dev_registry()
    started = time.perf_counter()
    result = score(cases, registry)
    elapsed = time.perf_counter() - started
    print(_line("all", cases, result) + f"  [{elapsed:.2f} s]")
    splits = sorted({str(c.get("split", "")) for c in cases if c.get("split")})
    for split in splits:
        part = [c for c in cases if c.get("split") == split]
        print(_line(split, part, score(part, registry)))
    print(f"confidence agrees on {result.confidence_agreement:.0%} of the correct suggestions")
    for miss in result.mismatches:
        print(f"\n{miss['id']}:")
        for row in miss["unexpected"]:
            print(f"  unexpected {row}")
        for row in miss["missing"]:
            print(f"  missing    {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
