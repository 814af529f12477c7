"""Train the learned linker (src/controlmap/linker.py) and measure it on held-out splits.

    .venv/bin/python bench/train_linker.py                 # cross-validate, then write the model
    .venv/bin/python bench/train_linker.py --report-only   # cross-validate, write nothing
    .venv/bin/python bench/train_linker.py --verify        # also re-run extract() per fold
    .venv/bin/python bench/train_linker.py --splits development,dev-5 --out FILE
    .venv/bin/python bench/train_linker.py --untouched dev-23 --at 0.875,0.5   # totals only

Candidates are the (actor, place) pairs extract() parses in a sentence but reads no statement
for; one is labelled right when its whole claim (actor, place, status, extent, date) is an
expected claim of its case that the rules did not already give. The candidates of every case
are gathered once (the rules do not change while the model is fitted) and cached under var/.

Cross-validation leaves one fresh batch out at a time (dev-7 and later): the model is fitted
on every other split and applied to the held-out one. The threshold is the lowest at which,
summed over the held-out splits, the linker's additions are at least as precise as
``--precision`` (default 0.75, the rules' own precision on unseen batches); each held-out split
also gets a threshold chosen without it (nested), and both figures are printed. The shipped
model is fitted on every split except those excluded (``dev-23``, ``dev-24``: untouched batches).

Fitting is deterministic: sorted features, full-batch gradient descent from zero, a fixed
number of steps, weights rounded to six decimals.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from controlmap import extract, linker
from controlmap.extract import MATCH_FIELDS, load_cases

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extract import EVAL_CASES, dev_registry  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "data" / "extract" / "linker.json"
CACHE = ROOT / "var" / "linker_candidates.json"
EXCLUDED = ("dev-23", "dev-24")  # the untouched batches: never trained on
STEPS = 1500
L2 = 1.0
MIN_COUNT = 2  # a feature seen in fewer training candidates is dropped
THRESHOLDS = tuple(round(0.025 * k, 3) for k in range(16, 40))
TRAIN_ON_READ = True  # the rules' own pairs are examples too (see labelled)
PAIR_LABEL = False  # right when actor and place are expected (else: all five fields)
NESTED = True

Key = tuple[Any, ...]


# --- candidates ----------------------------------------------------------------------------


def _source_digest() -> str:
    """The code and data the candidates depend on: a changed rule invalidates the cache."""
    h = hashlib.sha1()
    for path in [
        ROOT / "src" / "controlmap" / "extract.py",
        ROOT / "src" / "controlmap" / "linker.py",
        ROOT / "src" / "controlmap" / "geocode.py",
        EVAL_CASES,
        *sorted((ROOT / "data" / "extract").glob("*.json")),
    ]:
        if path.name != MODEL_PATH.name:
            h.update(path.read_bytes())
    return h.hexdigest()


def collect(cases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For each case: its expected claims, the rules' suggestions and the linker's candidates."""
    registry = dev_registry()
    recorded: list[tuple[extract._Sentence, list[linker.Candidate]]] = []

    def record(s: extract._Sentence, found: Sequence[extract._Dated], model: Any = None) -> list:
        recorded.append((s, linker.candidates(s, found, every=True)))
        return []

    original = linker.linked
    linker.linked = record  # type: ignore[assignment]
    try:
        rows = []
        for case in cases:
            recorded.clear()
            published = case.get("published")
            got = extract.extract(str(case["text"]), published=published, registry=registry)
            candidates = []
            for _, found in recorded:
                for c in found:
                    when = c.dated.date
                    date = when.day.isoformat() if when is not None else published
                    f = c.dated.finding
                    key = [f.actor, f.place.place_id, f.status, f.extent, date]
                    candidates.append(
                        {"key": key, "read": c.read, "features": sorted(set(c.features))}
                    )
            rows.append(
                {
                    "id": case["id"],
                    "split": case.get("split", ""),
                    "expected": [[e.get(k) for k in MATCH_FIELDS] for e in case["expected"]],
                    "rules": [[s.to_dict()[k] for k in MATCH_FIELDS] for s in got],
                    "candidates": candidates,
                }
            )
    finally:
        linker.linked = original  # type: ignore[assignment]
    return rows


def cached_rows(cases: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    digest = _source_digest()
    if CACHE.is_file():
        data = json.loads(CACHE.read_text(encoding="utf-8"))
        if data.get("digest") == digest:
            return list(data["rows"])
    rows = collect(cases)
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text(json.dumps({"digest": digest, "rows": rows}, ensure_ascii=False))
    return rows


# --- labels and scores ---------------------------------------------------------------------


def _unmatched(expected: Iterable[Key], got: Iterable[Key]) -> list[Key]:
    remaining = list(expected)
    for key in got:
        if key in remaining:
            remaining.remove(key)
    return remaining


def labelled(rows: Sequence[Mapping[str, Any]]) -> list[tuple[list[str], int]]:
    """(features, 1 when the candidate's whole claim is an expected claim of its case).

    Every pair is an example, the ones the rules read too: they teach what a linked pair looks
    like, where the rules' leftovers alone are few and odd (on a fresh batch the rules miss
    many pairs of the kinds they read in the splits they were tuned on)."""
    out = []
    for row in rows:
        expected = {tuple(k) for k in row["expected"]}
        pairs = {tuple(k[:2]) for k in row["expected"]}
        for c in row["candidates"]:
            if c["read"] and not TRAIN_ON_READ:
                continue
            key = tuple(c["key"])
            out.append((c["features"], int((key[:2] in pairs) if PAIR_LABEL else key in expected)))
    return out


def scored(
    rows: Sequence[Mapping[str, Any]], probabilities: Sequence[Sequence[float]], threshold: float
) -> tuple[int, int, int, int, int]:
    """tp, fp, fn of rules plus the candidates at or above threshold, and the linker's own tp, fp
    (as extract adds them: a claim already suggested in the report is not suggested again)."""
    tp = fp = fn = add_tp = add_fp = 0
    for row, probs in zip(rows, probabilities, strict=True):
        got = [tuple(k) for k in row["rules"]]
        added = []
        for c, p in zip(row["candidates"], probs, strict=True):
            key = tuple(c["key"])
            if p >= threshold and not c["read"] and key not in got and key not in added:
                added.append(key)
        remaining = list(map(tuple, row["expected"]))
        for key in got + added:
            if key in remaining:
                remaining.remove(key)
                tp += 1
                add_tp += key in added
            else:
                fp += 1
                add_fp += key in added
        fn += len(remaining)
    return tp, fp, fn, add_tp, add_fp


# --- the model -----------------------------------------------------------------------------


def fit(examples: Sequence[tuple[Sequence[str], int]]) -> tuple[dict[str, float], float]:
    """A logistic regression with an L2 penalty, by full-batch gradient descent (deterministic)."""
    counts: dict[str, int] = {}
    for features, _ in examples:
        for f in features:
            counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows, cols = [], []
    for r, (features, _) in enumerate(examples):
        for f in features:
            if f in index:
                rows.append(r)
                cols.append(index[f])
    row = np.asarray(rows, dtype=np.int64)
    col = np.asarray(cols, dtype=np.int64)
    y = np.asarray([label for _, label in examples], dtype=np.float64)
    n, d = len(examples), len(vocabulary)
    w = np.zeros(d)
    b = 0.0
    if n == 0:
        return {}, 0.0
    # a step no larger than 1 / the curvature bound (every row has at most this many features)
    per_row = np.bincount(row, minlength=n).max() if len(row) else 1
    rate = 1.0 / (0.25 * (per_row + 1) + L2 / n)
    for _ in range(STEPS):
        z = np.bincount(row, weights=w[col], minlength=n) + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        error = p - y
        grad_w = np.bincount(col, weights=error[row], minlength=d) / n + L2 / n * w
        grad_b = float(error.mean())
        w -= rate * grad_w
        b -= rate * grad_b
    weights = {f: round(float(v), 6) for f, v in zip(vocabulary, w, strict=True)}
    return {f: v for f, v in weights.items() if v != 0.0}, round(b, 6)


def predict(
    weights: Mapping[str, float], bias: float, rows: Sequence[Mapping[str, Any]]
) -> list[list[float]]:
    model = linker.Model(weights, bias, 0.0)
    return [[model.probability(c["features"]) for c in row["candidates"]] for row in rows]


# --- cross-validation ----------------------------------------------------------------------


def fresh(split: str) -> bool:
    match = re.fullmatch(r"dev-(\d+)", split)
    return match is not None and int(match.group(1)) >= 7


def choose(table: Mapping[float, tuple[int, int, int, int, int]], precision: float) -> float | None:
    """The lowest threshold whose additions are at least this precise (None: none is)."""
    for threshold in sorted(table):
        _, _, _, add_tp, add_fp = table[threshold]
        if add_tp and add_tp / (add_tp + add_fp) >= precision:
            return threshold
    return None


def held_out_tables(
    rows: Sequence[Mapping[str, Any]], splits: Sequence[str]
) -> dict[str, dict[float, tuple[int, int, int, int, int]]]:
    """Per held-out split, per threshold: the scores with the model fitted on the others."""
    out = {}
    for split in splits:
        train = [r for r in rows if r["split"] != split]
        test = [r for r in rows if r["split"] == split]
        weights, bias = fit(labelled(train))
        probs = predict(weights, bias, test)
        out[split] = {t: scored(test, probs, t) for t in THRESHOLDS}
    return out


def summed(
    tables: Mapping[str, Mapping[float, tuple[int, ...]]], threshold: float
) -> tuple[int, ...]:
    return tuple(int(sum(v)) for v in zip(*(t[threshold] for t in tables.values()), strict=True))


def _fmt(values: Sequence[int]) -> str:
    tp, fp, fn = values[:3]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    text = f"{p:.3f} / {r:.3f} (tp {tp}, fp {fp}, fn {fn})"
    if len(values) > 3:
        text += f"  linker +{values[3]} right, +{values[4]} wrong"
    return text


def report(rows: Sequence[Mapping[str, Any]], precision: float) -> float | None:
    splits = sorted({r["split"] for r in rows if fresh(r["split"])}, key=lambda s: int(s[4:]))
    tables = held_out_tables(rows, splits)
    print("threshold sweep, summed over held-out splits " + ", ".join(splits))
    for t in THRESHOLDS:
        print(f"  {t:.2f}  {_fmt(summed(tables, t))}")
    chosen = choose({t: summed(tables, t) for t in THRESHOLDS}, precision)
    print(f"threshold chosen by leave-one-split-out (additions >= {precision}): {chosen}")
    best = max(
        (t for t in THRESHOLDS if summed(tables, t)[3] >= 3),
        key=lambda t: (summed(tables, t)[3] / (summed(tables, t)[3] + summed(tables, t)[4]), -t),
        default=None,
    )
    if best is not None:
        print(f"most precise additions (at least 3 right): at {best}: {_fmt(summed(tables, best))}")
    base = scored_rules_many([r for r in rows if r["split"] in splits])
    print(f"rules alone, held-out splits summed: {_fmt(base)}")
    if chosen is not None:
        print(f"with the linker at {chosen}:          {_fmt(summed(tables, chosen))}")
    # nested: each held-out split's threshold chosen from the other splits' cross-validation
    nested = [0, 0, 0, 0, 0]
    print("per held-out split: rules alone | linker at the shared threshold | nested threshold")
    for split in splits:
        others = [r for r in rows if r["split"] != split]
        inner_splits = [s for s in splits if s != split]
        t_inner = None
        if NESTED:
            inner = held_out_tables(others, inner_splits)
            t_inner = choose({t: summed(inner, t) for t in THRESHOLDS}, precision)
        own = (
            tables[split][t_inner]
            if t_inner is not None
            else scored_rules_many([r for r in rows if r["split"] == split])
        )
        nested = [a + b for a, b in zip(nested, own, strict=True)]
        rules = scored_rules_many([r for r in rows if r["split"] == split])
        shared = tables[split][chosen] if chosen is not None else rules
        print(f"  {split:<7} {_fmt(rules[:3])} | {_fmt(shared)} | t={t_inner} {_fmt(own)}")
    print(f"nested, summed: {_fmt(nested)}")
    return chosen


def verify(rows: Sequence[Mapping[str, Any]], threshold: float) -> tuple[int, int, int]:
    """Leave-one-split-out with the whole extract(): each held-out split's cases re-extracted
    with the model fitted on the other splits (the figure the cached simulation estimates)."""
    cases = {c["id"]: c for c in load_cases(EVAL_CASES)}
    registry = dev_registry()
    splits = sorted({r["split"] for r in rows if fresh(r["split"])}, key=lambda s: int(s[4:]))
    total = [0, 0, 0]
    original = linker.shipped_model
    try:
        for split in splits:
            weights, bias = fit(labelled([r for r in rows if r["split"] != split]))
            model = linker.Model(weights, bias, threshold)
            linker.shipped_model = lambda model=model: model  # type: ignore[misc]
            held = [cases[r["id"]] for r in rows if r["split"] == split]
            result = extract.score(held, registry)
            figures = (result.true_positives, result.false_positives, result.false_negatives)
            print(f"  {split:<7} with the linker, whole extract(): {_fmt(figures)}", flush=True)
            total = [a + b for a, b in zip(total, figures, strict=True)]
    finally:
        linker.shipped_model = original  # type: ignore[assignment]
    print(f"summed, whole extract(): {_fmt(total)}")
    return total[0], total[1], total[2]


def untouched(split: str, thresholds: Sequence[float]) -> None:
    """Totals of a split the model never saw (dev-23, dev-24), without the linker and with the
    shipped weights at each threshold; only totals are printed, never a paragraph."""
    cases = [c for c in load_cases(EVAL_CASES) if c.get("split") == split]
    registry = dev_registry()
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if split in raw["trained_on"]:
        raise SystemExit(f"{split} is among the shipped model's training splits")
    original = linker.shipped_model
    try:
        for threshold in (None, *thresholds):
            model = None
            if threshold is not None:
                model = linker.Model(raw["weights"], float(raw["bias"]), threshold)
            linker.shipped_model = lambda model=model: model  # type: ignore[misc]
            result = extract.score(cases, registry)
            figures = (result.true_positives, result.false_positives, result.false_negatives)
            label = "rules alone" if threshold is None else f"linker at {threshold}"
            print(f"{split} ({len(cases)} cases) {label}: {_fmt(figures)}", flush=True)
    finally:
        linker.shipped_model = original  # type: ignore[assignment]


def scored_rules_many(rows: Sequence[Mapping[str, Any]]) -> tuple[int, int, int, int, int]:
    return scored(rows, [[0.0] * len(r["candidates"]) for r in rows], 2.0)


# --- the command ---------------------------------------------------------------------------


def model_dict(
    weights: Mapping[str, float], bias: float, threshold: float | None, splits: Iterable[str]
) -> dict[str, Any]:
    return {
        "about": "learned pair linker (bench/train_linker.py): logistic regression weights",
        "trained_on": sorted(splits),
        "threshold": threshold,
        "bias": bias,
        # without a threshold the linker adds nothing; the weights stay for inspection
        "weights": dict(sorted(weights.items())),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--precision", type=float, default=0.75)
    parser.add_argument("--splits", help="train only on these splits (comma-separated)")
    parser.add_argument("--threshold", type=float, help="skip cross-validation, use this one")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--no-nested", action="store_true", help="skip the nested thresholds")
    parser.add_argument("--verify", type=float, help="re-run extract() per fold at this threshold")
    parser.add_argument("--untouched", help="score this split (never trained on) and stop")
    parser.add_argument("--at", default="0.875,0.5", help="thresholds for --untouched")
    parser.add_argument("--residual", action="store_true", help="train on unread pairs only")
    parser.add_argument("--pair-label", action="store_true", help="label actor and place only")
    args = parser.parse_args(argv[1:])
    global TRAIN_ON_READ, PAIR_LABEL, NESTED
    TRAIN_ON_READ, PAIR_LABEL, NESTED = not args.residual, args.pair_label, not args.no_nested
    if args.untouched:
        untouched(args.untouched, [float(t) for t in args.at.split(",")])
        return 0
    cases = [c for c in load_cases(EVAL_CASES) if c.get("split") not in EXCLUDED]
    if args.splits:
        wanted = set(args.splits.split(","))
        cases = [c for c in cases if c.get("split") in wanted]
    rows = collect(cases) if args.no_cache or args.splits else cached_rows(cases)
    if args.verify is not None:
        verify(rows, args.verify)
        return 0
    threshold = args.threshold
    if threshold is None:
        threshold = report(rows, args.precision)
    if args.report_only:
        return 0
    weights, bias = fit(labelled(rows))
    splits = {r["split"] for r in rows}
    raw = model_dict(weights, bias, threshold, splits)
    args.out.write_text(json.dumps(raw, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(raw['weights'])} weights, threshold {threshold})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
