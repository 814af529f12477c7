"""Score controlmap.extract on the blind test set (eval/blind/), aggregate figures only.

    .venv/bin/python bench/eval_blind.py

The blind set was written without looking at the extraction rules and must stay out of every
tuning loop (eval/blind/README.md). This script therefore prints only totals: cases, expected
claims, precision, recall, true/false positives, false negatives, and recall per war. It never
prints a case, a sentence or a mismatch; run it once per change and record the figure.

The actors of the other wars (eval/blind/actors.json) are added to the bundled registry before
extracting. Matching is controlmap.extract.score: a suggestion is correct when actor, place_id,
status, extent and date all equal one expected claim of its case, each claim matched once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from controlmap.dataset import bundled_actors
from controlmap.extract import load_cases, score
from controlmap.model import Actor, ActorRegistry

REPO = Path(__file__).resolve().parents[1]

BLIND_DIR = REPO / "eval" / "blind"
CASES_FILE = BLIND_DIR / "cases.json"
ACTORS_FILE = BLIND_DIR / "actors.json"


def blind_registry(actors_file: Path = ACTORS_FILE) -> ActorRegistry:
    """The bundled registry plus the actors of the blind set's other wars."""
    registry = ActorRegistry(bundled_actors())
    for raw in json.loads(actors_file.read_text(encoding="utf-8")):
        registry.add(Actor.from_dict(raw))
    return registry


def _claims(cases: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(c.get("expected", [])) for c in cases)


def main() -> int:
    cases = load_cases(CASES_FILE)
    registry = blind_registry()
    result = score(cases, registry)
    print(
        f"blind test set: cases {len(cases)}  claims {_claims(cases)}  "
        f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
        f"(tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})"
    )
    wars = sorted({str(c.get("war", "")) for c in cases})
    for war in wars:
        part = [c for c in cases if str(c.get("war", "")) == war]
        part_result = score(part, registry)
        print(
            f"  {war:<10} cases {len(part):>3}  claims {_claims(part):>3}  "
            f"recall {part_result.recall:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
