"""A learned linker: actor and place pairs of a sentence that no rule of extract read.

The rules of :mod:`controlmap.extract` read a statement only when its words fit a frame they
know. Often a sentence names a side, a place and a control word that no frame ties together
("The Front, which had massed on the ridge for a week, was by Monday in Kelso's centre"). This
module offers each such (actor, place) pair as a candidate and scores it with a logistic
regression over words and positions of the sentence, trained by ``bench/train_linker.py`` on
the development cases (``eval/extract_cases.json``). A pair scoring at or above the model's
threshold becomes a suggestion with the status of the control words nearest the place, the
extent the place's own words give (else the status's default) and the date the rules would
give that place.

Weights live in ``data/extract/linker.json`` (numpy only at run time). Without that file, or
with an empty model, the linker suggests nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from controlmap import settings
from controlmap.extract import (
    _CLAIMED,
    _QUESTION,
    DEFAULT_EXTENT,
    Extent,
    _actor_at,
    _ActorMention,
    _date_for,
    _Dated,
    _DateMention,
    _extent_in,
    _Finding,
    _is_site,
    _is_town,
    _Phrase,
    _PlaceMention,
    _script,
    _Sentence,
    _tail_words,
    _vetoed,
    _words_in,
    _world_province,
)

MODEL_FILE = "extract/linker.json"
_WINDOW = 3  # words on each side of the pair that count as its context


@dataclass(frozen=True)
class Candidate:
    """One actor and place pair of a sentence that the rules did not read, with its reading."""

    actor: _ActorMention
    place: _PlaceMention
    phrase: _Phrase
    dated: _Dated
    features: tuple[str, ...]
    read: bool = False  # the rules read this pair (only with every=True)


@dataclass(frozen=True)
class Model:
    """Feature weights of a logistic regression and the threshold a pair must reach."""

    weights: Mapping[str, float]
    bias: float
    threshold: float

    def probability(self, features: Iterable[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def shipped_model() -> Model | None:
    """The model in data/extract/linker.json, or None when there is none (nothing is linked)."""
    path = settings.data_file(MODEL_FILE)
    if not path.is_file():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))


def model_from_dict(raw: Mapping[str, Any]) -> Model | None:
    if not raw.get("weights") or raw.get("threshold") is None:
        return None
    return Model(dict(raw["weights"]), float(raw["bias"]), float(raw["threshold"]))


# --- candidates ----------------------------------------------------------------------------


def candidates(s: _Sentence, found: Sequence[_Dated], every: bool = False) -> list[Candidate]:
    """The (actor, place) pairs of a sentence where the rules read no statement (``every``:
    also the pairs of the readings in ``found``, as training examples).

    Only sentences with control or fighting words are looked at; a pair gets the status of the
    phrase nearest its place. Speakers ("the ministry said") are no agents. In a sentence the
    rules did read, the other pairs are left alone: there they are mostly the side that lost
    the place, a backer or a bystander (16 of the 520 such pairs of the development cases
    were right at a661836).
    """
    if not s.phrases or not s.places or _QUESTION.search(s.text) or (found and not every):
        return []
    read = {(d.finding.actor, d.finding.place.place_id) for d in found}
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    movers = [a for a in s.actors if not a.speaker]
    for place in s.places:
        if _world_province(place.place_id):
            continue  # a province of the world pack only says where (as the rules hold)
        phrase = min(
            s.phrases, key=lambda p: (_gap(p.start, p.end, place.start, place.end), p.start)
        )
        for actor in movers:
            actor_id = _actor_at(actor.actor, place, s.registry_ids, s.states)
            pair = (actor_id or "", place.place_id)
            if actor_id is None or pair in seen or (read and pair not in read):
                continue
            seen.add(pair)
            extent = _extent_for(s, phrase, place)
            when = _date_for(s, phrase, place, len(s.text))
            finding = _Finding(actor_id, place, phrase.status, extent, phrase)
            features = tuple(_features(s, actor, place, phrase, when))
            out.append(Candidate(actor, place, phrase, _Dated(finding, when), features, bool(read)))
    return out


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, b_start - a_end, a_start - b_end)


def _extent_for(s: _Sentence, phrase: _Phrase, place: _PlaceMention) -> Extent:
    """The place's own extent ("the western half"), else extent words right before it ("most
    of"), else the default of the status (all for control, unknown for fighting)."""
    if place.extent is not None:
        return place.extent
    before = _tail_words(s.text[: place.start], 4)
    return _extent_in(before) or DEFAULT_EXTENT[phrase.status]


# --- features ------------------------------------------------------------------------------


_Span = _ActorMention | _PlaceMention | _Phrase
_PUNCTUATION = {
    ",": "comma",
    ";": "semicolon",
    ":": "colon",
    "(": "paren",
    "—": "dash",
    "–": "dash",
}
_QUOTES = re.compile(r"[\"“”«»]")


def _bucket(n: int) -> str:
    return str(n) if n <= 3 else "4-6" if n <= 6 else "7-12" if n <= 12 else "13+"


def _words_apart(text: str, one: _Span, other: _Span) -> int:
    """How many words stand between two mentions (0 when they overlap)."""
    return len(_words_in(text[min(one.end, other.end) : max(one.start, other.start)]))


def _order(spans: Mapping[str, tuple[int, int]]) -> str:
    return "".join(k for k, _ in sorted(spans.items(), key=lambda kv: kv[1][0]))


def _features(
    s: _Sentence,
    actor: _ActorMention,
    place: _PlaceMention,
    phrase: _Phrase,
    when: _DateMention | None,
) -> Iterable[str]:
    text = s.text
    spans = {"A": (actor.start, actor.end), "P": (place.start, place.end)}
    spans["V"] = (phrase.start, phrase.end)
    order = _order(spans)
    yield f"order={order}"
    first, last = min(actor.start, place.start), max(actor.end, place.end)
    left, right = (actor, place) if actor.start <= place.start else (place, actor)
    between = text[left.end : right.start]
    words = _words_in(between)
    yield f"dist={_bucket(len(words))}"
    yield f"dist_vp={_bucket(_words_apart(text, phrase, place))}"
    yield f"dist_av={_bucket(_words_apart(text, phrase, actor))}"
    for w in set(words):
        yield f"btw={w}"
    for w in _words_in(text[:first])[-_WINDOW:]:
        yield f"pre={w}"
    for w in _words_in(text[last:])[:_WINDOW]:
        yield f"post={w}"
    for w in _words_in(text[max(0, place.start - 40) : place.start])[-2:]:
        yield f"place_pre={w}"
    for w in _words_in(text[phrase.start : phrase.end]):
        yield f"verb={w}"
    yield f"shape={phrase.shape}"
    yield f"status={phrase.status}"
    yield f"shape_order={phrase.shape}:{order}"
    if phrase.verb is not None:
        yield f"verb_name={phrase.verb.name}"
    if _vetoed(s, phrase):
        yield "vetoed"
    for mark, name in _PUNCTUATION.items():
        if mark in between:
            yield f"punct={name}"
    if _QUOTES.search(between):
        yield "punct=quote"
    others_between = sum(
        1 for a in s.actors if a is not actor and a.start >= left.end and a.end <= right.start
    )
    places_between = sum(
        1 for p in s.places if p is not place and p.start >= left.end and p.end <= right.start
    )
    yield f"actors_between={min(others_between, 2)}"
    yield f"places_between={min(places_between, 2)}"
    yield f"actors={min(len(s.actors), 4)}"
    yield f"places={min(len(s.places), 4)}"
    yield f"phrases={min(len(s.phrases), 3)}"
    nearest = min(
        (a for a in s.actors if not a.speaker),
        key=lambda a: _gap(a.start, a.end, place.start, place.end),
    )
    if nearest is actor:
        yield "nearest_actor"
    if actor.sidelined:
        yield "sidelined"
    if place.referent:
        yield "referent"
    if place.minor:
        yield "minor"
    if place.extent is not None:
        yield f"place_extent={place.extent}"
    kind = "town" if _is_town(place.place_id) else "site" if _is_site(place.place_id) else "area"
    yield f"kind={kind}"
    yield f"script={_script(text) or 'latin'}"
    yield f"dated={'sentence' if when is not None else 'none'}"
    if _CLAIMED.search(text):
        yield "claimed"


# --- the hook ------------------------------------------------------------------------------


def linked(s: _Sentence, found: Sequence[_Dated], model: Model | None = None) -> list[_Dated]:
    """The readings the model adds to a sentence's ``found`` ones (extract's hook), each with
    its probability."""
    model = model if model is not None else shipped_model()
    if model is None:
        return []
    out: list[_Dated] = []
    for candidate in candidates(s, found):
        p = model.probability(candidate.features)
        if p >= model.threshold:
            out.append(_Dated(candidate.dated.finding, candidate.dated.date, round(p, 2)))
    return out
