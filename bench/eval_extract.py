"""Precision and recall of controlmap.extract on the hand-written evaluation set.

    .venv/bin/python bench/eval_extract.py [CASES.json]

Prints the figures, then every case whose suggestions differ from its expected claims.
Always exits 0: it reports, the test suite enforces the thresholds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from controlmap.extract import EVAL_CASES, load_cases, score


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else EVAL_CASES
    cases = load_cases(path)
    started = time.perf_counter()
    result = score(cases)
    elapsed = time.perf_counter() - started
    expected = sum(len(c.get("expected", [])) for c in cases)
    print(f"cases: {len(cases)}  expected claims: {expected}  ({elapsed:.2f} s)")
    print(
        f"precision: {result.precision:.3f}  recall: {result.recall:.3f}  "
        f"(tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})"
    )
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
