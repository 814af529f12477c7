"""The learned pair linker (controlmap.linker, bench/train_linker.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from controlmap import linker, settings
from controlmap.extract import extract

ROOT = Path(__file__).resolve().parents[1]
HIT = "geonames:95788"
# no rule reads "has the upper hand in Hit after capturing it": an actor, a place and a
# control word that no frame ties together
UNREAD = (
    "Islamic State, residents said on Sunday, now has the upper hand in Hit after capturing it."
)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Iterator[linker.Model]:
    """A model that links every candidate pair (p = 0.99), in place of the shipped one."""
    eager = linker.Model({}, 5.0, 0.5)
    monkeypatch.setattr(linker, "shipped_model", lambda: eager)
    yield eager


def test_a_pair_no_rule_reads_is_suggested_with_its_evidence_and_probability(
    model: linker.Model,
) -> None:
    suggestions = extract(UNREAD, published="2014-10-14")
    assert [(s.actor, s.place_id, s.status, s.extent) for s in suggestions] == [
        ("isil", HIT, "control", "all")
    ]
    linked = suggestions[0]
    assert linked.score == 0.99
    assert linked.reasons[-1] == "linked by the learned model (no rule read this pair), p=0.99"
    assert "Islamic State" in linked.evidence and "Hit" in linked.evidence
    assert linked.date == "2014-10-12"  # "on Sunday" before publication, as the rules date it


def test_without_a_usable_model_the_same_sentence_gives_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(linker, "shipped_model", lambda: None)
    assert extract(UNREAD, published="2014-10-14") == []
    assert linker.model_from_dict({"weights": {}, "bias": 0.0, "threshold": None}) is None


def test_talks_and_a_ceasefire_abroad_link_nothing_even_for_an_eager_model(
    model: linker.Model,
) -> None:
    text = (
        "China's foreign ministry said on Monday that Myanmar's military and the MNDAA had "
        "agreed to a formal ceasefire at talks in Kunming."
    )
    assert extract(text, published="2025-01-21") == []


def test_a_sentence_the_rules_read_gets_no_linked_pair(model: linker.Model) -> None:
    # the rules read "seized Hit"; the other side named in the sentence is not linked to Hit
    text = "Islamic State seized Hit on Monday after Iraqi troops withdrew."
    suggestions = extract(text, published="2014-10-14")
    assert suggestions and all(not s.reasons[-1].startswith("linked") for s in suggestions)


def test_the_shipped_model_never_saw_the_untouched_batches() -> None:
    raw = json.loads(settings.data_file(linker.MODEL_FILE).read_text(encoding="utf-8"))
    assert raw["trained_on"] and not {"dev-23", "dev-24"} & set(raw["trained_on"])


def _train(out: Path, seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    command = [sys.executable, str(ROOT / "bench" / "train_linker.py")]
    command += ["--splits", "dev-6,held-out-1", "--threshold", "0.5", "--out", str(out)]
    subprocess.run(command, check=True, env=env, capture_output=True, cwd=ROOT)
    return out.read_bytes()


def test_training_is_deterministic(tmp_path: Path) -> None:
    first = _train(tmp_path / "a.json", "1")
    second = _train(tmp_path / "b.json", "2")
    assert first == second
    assert json.loads(first)["weights"]  # it learned something from those cases
