"""Where extract()'s misses sit: what the parser found for each expected claim no suggestion
matched. Counts only, never a paragraph, so it may be run on an untouched batch.

    .venv/bin/python bench/miss_shapes.py dev-23 dev-24     # one line per split or group
    .venv/bin/python bench/miss_shapes.py dev-7..dev-22     # a range of fresh batches, summed

Each miss falls in the first of these that holds:
- a field wrong: a suggestion has its actor and place, with another status, extent or date;
- unread sentence: actor, place and a control phrase in one sentence where no rule read anything
  (what the learned linker, src/controlmap/linker.py, looks at);
- read sentence: the same, in a sentence where the rules read another pair;
- no phrase: actor and place in one sentence with no control or fighting words found;
- actor apart: the place found, never in one sentence with the actor;
- place not found: the place is in no parsed sentence.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from controlmap import extract, linker
from controlmap.extract import MATCH_FIELDS, load_cases

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extract import EVAL_CASES, dev_registry  # noqa: E402

SHAPES = (
    "a field wrong",
    "unread sentence",
    "read sentence",
    "no phrase",
    "actor apart",
    "place not found",
)


def _sentence_record(s: extract._Sentence, found: Sequence[extract._Dated]) -> dict[str, Any]:
    pairs = set()
    for place in s.places:
        for actor in s.actors:
            if actor.speaker:
                continue
            actor_id = extract._actor_at(actor.actor, place, s.registry_ids, s.states)
            if actor_id is not None:
                pairs.add((actor_id, place.place_id))
    return {
        "pairs": pairs,
        "read": bool(found),
        "phrases": bool(s.phrases),
        "places": {p.place_id for p in s.places},
    }


def shapes(cases: Sequence[dict[str, Any]]) -> Counter[str]:
    """The shape of every miss of these cases."""
    registry = dev_registry()
    seen: list[dict[str, Any]] = []

    def record(s: extract._Sentence, found: Sequence[extract._Dated], model: Any = None) -> list:
        seen.append(_sentence_record(s, found))
        return []

    counts: Counter[str] = Counter()
    original = linker.linked
    linker.linked = record  # type: ignore[assignment]
    try:
        for case in cases:
            seen.clear()
            got = extract.extract(
                str(case["text"]), published=case.get("published"), registry=registry
            )
            keys = [tuple(s.to_dict()[k] for k in MATCH_FIELDS) for s in got]
            missed = [tuple(e.get(k) for k in MATCH_FIELDS) for e in case["expected"]]
            for key in keys:
                if key in missed:
                    missed.remove(key)
            for key in missed:
                counts[_shape(key, {k[:2] for k in keys}, seen)] += 1
    finally:
        linker.linked = original  # type: ignore[assignment]
    return counts


def _shape(
    key: tuple[Any, ...], suggested: set[tuple[Any, ...]], seen: list[dict[str, Any]]
) -> str:
    pair = key[:2]
    if pair in suggested:
        return "a field wrong"
    together = [s for s in seen if pair in s["pairs"]]
    if any(s["phrases"] and not s["read"] for s in together):
        return "unread sentence"
    if any(s["phrases"] for s in together):
        return "read sentence"
    if together:
        return "no phrase"
    if any(pair[1] in s["places"] for s in seen):
        return "actor apart"
    return "place not found"


def _splits(argument: str) -> set[str]:
    match = re.fullmatch(r"dev-(\d+)\.\.dev-(\d+)", argument)
    if match is None:
        return {argument}
    return {f"dev-{n}" for n in range(int(match.group(1)), int(match.group(2)) + 1)}


def main(argv: list[str]) -> int:
    cases = load_cases(EVAL_CASES)
    for argument in argv[1:] or ["dev-7..dev-22"]:
        wanted = _splits(argument)
        counts = shapes([c for c in cases if c.get("split") in wanted])
        figures = ", ".join(f"{shape} {counts[shape]}" for shape in SHAPES)
        print(f"{argument}: {sum(counts.values())} misses: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
