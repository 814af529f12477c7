"""Claim extraction from report text: the seed report, vetoes, dates, confidence, scoring."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from controlmap.dataset import bundled_actors
from controlmap.errors import ValidationError
from controlmap.extract import (
    Suggestion,
    extract,
    load_cases,
    score,
    sentences,
)
from controlmap.model import Actor, ActorRegistry

EVAL_CASES = Path(__file__).resolve().parents[1] / "eval" / "extract_cases.json"
DEV_ACTORS = EVAL_CASES.with_name("dev_actors.json")  # actors of the other wars' dev batches
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
SEED_REPORT = SEED / "aqi-seizes-parts-of-two-iraqi-cities.txt"
FALLUJAH = "geonames:99454"
RAMADI = "geonames:98717"
HIT = "geonames:95788"


def rows(text: str, published: str | None = "2014-06-12") -> list[tuple[str, ...]]:
    """(actor, place_id, status, extent, date) of each suggestion."""
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published)
    ]


# --- the seed report -----------------------------------------------------------------------


@pytest.mark.skipif(not SEED_REPORT.exists(), reason="shared seed report not present")
def test_seed_report_gives_exactly_the_two_claims() -> None:
    text = SEED_REPORT.read_text(encoding="utf-8")
    found = extract(text, published=dt.date(2014, 1, 2), url="https://example.org/aqi")
    assert [(s.actor, s.place, s.place_id, s.status, s.extent, s.date) for s in found] == [
        ("isil", "Fallujah", FALLUJAH, "control", "most", "2014-01-02"),
        ("isil", "Ramadi", RAMADI, "control", "part", "2014-01-02"),
    ]
    for suggestion in found:
        assert suggestion.excerpt.startswith("Iraqi military sources now say that AQI controls")
        assert suggestion.excerpt in text  # verbatim
        assert suggestion.confidence == "assessed"
        assert suggestion.url == "https://example.org/aqi"


# --- statements and their shapes -----------------------------------------------------------


def test_multi_place_sentence_binds_each_extent_to_its_place() -> None:
    text = "Officials say ISIL controls more than half of Fallujah and a portion of Ramadi."
    assert rows(text) == [
        ("isil", FALLUJAH, "control", "most", "2014-06-12"),
        ("isil", RAMADI, "control", "part", "2014-06-12"),
    ]


def test_extent_is_shared_across_a_bare_and() -> None:
    text = "ISIL militants took over parts of Ramadi and Fallujah."
    assert [r[3] for r in rows(text)] == ["part", "part"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ISIS fighters seized Hit.", ("isil", HIT, "control", "all")),
        ("Fallujah fell to Daesh.", ("isil", FALLUJAH, "control", "all")),
        ("Ramadi is now in the hands of Iraqi forces.", ("iraq-gov", RAMADI, "control", "all")),
        ("Iraqi troops drove IS out of Fallujah.", ("iraq-gov", FALLUJAH, "control", "all")),
        ("Peshmerga forces recaptured Sinjar.", ("krg", "geonames:448149", "control", "all")),
        ("Security forces retook most of Ramadi.", ("iraq-gov", RAMADI, "control", "most")),
        ("Kurdish forces liberated Zummar.", ("krg", "iq-adm3:IQG15Q08N03", "control", "all")),
        ("Coalition jets struck ISIS-held Rutbah.", ("isil", "geonames:98677", "control", "all")),
        ("ISIS besieged Haditha.", ("isil", "geonames:96309", "contested", "unknown")),
        (
            "Fighting in Ramadi pitted ISIS against police.",
            ("isil", RAMADI, "contested", "unknown"),
        ),
        ("Fallujah remains under ISIS control.", ("isil", FALLUJAH, "control", "all")),
        ("ISIS lost Tikrit to Iraqi forces.", ("iraq-gov", "geonames:90150", "control", "all")),
    ],
)
def test_control_phrases(text: str, expected: tuple[str, str, str, str]) -> None:
    assert [r[:4] for r in rows(text)] == [expected]


def test_clashes_between_two_actors_contest_for_both() -> None:
    text = "Clashes between Iraqi security forces and ISIL fighters continued in central Ramadi."
    assert [r[:4] for r in rows(text)] == [
        ("iraq-gov", RAMADI, "contested", "part"),
        ("isil", RAMADI, "contested", "part"),
    ]


def test_the_source_of_a_report_is_not_the_agent() -> None:
    text = "Iraqi army sources said that tribal militants hold parts of Fallujah."
    assert [r[:4] for r in rows(text)] == [("tribal", FALLUJAH, "control", "part")]


def test_locating_places_are_not_objects() -> None:
    text = "Islamic State fighters seized the town of Heet in Anbar province, west of Ramadi."
    assert [r[1] for r in rows(text)] == [HIT]


@pytest.mark.parametrize(
    "text",
    [
        "Iraqi troops did not capture Baiji.",
        "Islamic State militants failed to seize Haditha.",
        "ISIS no longer controls Tikrit.",
        "The defence ministry denied that ISIS controls the Baiji refinery.",
        "Peshmerga fighters repelled an Islamic State attack on Makhmour.",
        "Daesh attacked Haditha on Wednesday but were repulsed by the army.",
        "Officials fear that Islamic State could seize Haditha.",
        "Iraqi forces are preparing an offensive to retake Mosul.",
        "The Iraqi army lost control of Mosul.",
        "Islamic State will never take Baghdad.",
        "ISIS fighters threatened to seize Samarra.",
        "Islamic State militants have threatened to storm Samarra and to overrun Baiji.",
        "Peshmerga commanders held talks in Erbil.",
        "Iraqi army helicopters struck ISIS positions near Tikrit.",
        "Kurdish fighters recaptured the Mosul Dam.",
        "Fallujah was captured on Saturday.",
        "Ramadi is a city on the Euphrates.",
        "Gunmen overran Mosul.",
        "ISIL seized parts of two major cities in Anbar Province.",
    ],
)
def test_negations_and_mere_mentions_give_nothing(text: str) -> None:
    assert rows(text) == []


def test_lowercase_is_is_not_the_islamic_state() -> None:
    # "the city" is Ramadi (coreference); "is held by" is a passive, not the Islamic State
    assert [r[:2] for r in rows("Ramadi is quiet; the city is held by Iraqi forces.")] == [
        ("iraq-gov", RAMADI)
    ]
    assert [r[0] for r in rows("IS seized Hit.")] == ["isil"]


def test_pronoun_refers_to_the_previous_actor() -> None:
    text = "ISIS fighters seized Mosul yesterday. Today they overran Tikrit."
    assert rows(text, "2014-06-11") == [
        ("isil", "geonames:99072", "control", "all", "2014-06-10"),
        ("isil", "geonames:90150", "control", "all", "2014-06-11"),
    ]


def test_identical_suggestions_from_headline_and_body_are_kept_once() -> None:
    text = "ISIS seizes Hit\n\nISIS seized Hit, officials said."
    assert len(extract(text, published="2014-10-03")) == 1
    # a different date is a different statement
    dated = "ISIS seizes Hit\n\nISIS seized Hit on Thursday, officials said."
    assert [s.date for s in extract(dated, published="2014-10-03")] == ["2014-10-03", "2014-10-02"]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "published", "date", "precision"),
    [
        ("on Monday", "2014-10-15", "2014-10-13", "day"),  # Wednesday -> Monday before
        ("on Wednesday", "2014-10-15", "2014-10-15", "day"),  # the publication day itself
        ("on Thursday", "2014-10-15", "2014-10-09", "day"),
        ("yesterday", "2014-01-01", "2013-12-31", "day"),
        ("today", "2014-01-01", "2014-01-01", "day"),
        ("last night", "2014-03-01", "2014-02-28", "day"),
        ("last week", "2014-10-20", "2014-10-13", "day"),
        ("on 3 January", "2014-01-06", "2014-01-03", "day"),
        ("on January 3", "2014-01-06", "2014-01-03", "day"),
        ("on Jan. 3", "2014-01-06", "2014-01-03", "day"),
        ("on 30 December", "2014-01-06", "2013-12-30", "day"),  # latest one before publication
        ("on 4 January 2014", "2016-05-01", "2014-01-04", "day"),
        ("in June", "2014-09-01", "2014-06-01", "month"),
        ("in June 2014", "2016-09-01", "2014-06-01", "month"),
        ("in 2014", "2016-09-01", "2014-01-01", "year"),
        ("last month", "2014-07-15", "2014-06-01", "month"),
        ("", "2014-07-15", "2014-07-15", "day"),
    ],
)
def test_relative_and_explicit_dates(
    phrase: str, published: str, date: str, precision: str
) -> None:
    found = extract(
        f"ISIS fighters captured Tikrit {phrase}.".replace(" .", "."), published=published
    )
    assert [(s.date, s.date_precision) for s in found] == [(date, precision)]


def test_date_nearest_the_statement_wins() -> None:
    text = "ISIL seized Karma on 3 January, officials said on Monday."
    assert [s.date for s in extract(text, published="2014-01-06")] == ["2014-01-03"]


def test_each_place_keeps_its_own_date() -> None:
    text = "ISIL, which captured Mosul on Tuesday and Tikrit on Wednesday, is advancing."
    assert [(s.place, s.date) for s in extract(text, published="2014-06-13")] == [
        ("Mosul", "2014-06-10"),
        ("Tikrit", "2014-06-11"),
    ]


def test_without_a_publication_date_relative_dates_stay_unknown() -> None:
    found = extract("ISIS captured Tikrit on Monday.", published=None)
    assert [(s.place, s.date) for s in found] == [("Tikrit", None)]
    explicit = extract("ISIS captured Tikrit on 11 June 2014.", published=None)
    assert [s.date for s in explicit] == ["2014-06-11"]


# --- confidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("ISIS claims its fighters captured Hit.", "claimed"),
        ("IS claimed it had captured parts of Haditha.", "claimed"),
        ("ISIS seized Hit, a claim denied by the army.", "claimed"),
        ("ISIS now controls Hit, according to the group.", "claimed"),
        ("ISIS seized Hit, officials said.", "assessed"),
    ],
)
def test_claimed_confidence(text: str, confidence: str) -> None:
    assert [s.confidence for s in extract(text, published="2014-10-14")] == [confidence]


# --- output --------------------------------------------------------------------------------


def test_suggestion_to_dict_is_json_with_geometry_and_citation() -> None:
    found = extract(
        "Iraqi forces recaptured Ramadi on Monday.",
        published="2015-12-29",
        url="https://example.org/ramadi",
        title="Ramadi retaken",
        publisher="Example Wire",
    )
    assert len(found) == 1 and isinstance(found[0], Suggestion)
    data = json.loads(json.dumps(found[0].to_dict()))
    assert data["actor"] == "iraq-gov" and data["place"] == "Ramadi"
    assert data["date"] == "2015-12-28" and data["date_precision"] == "day"
    assert data["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert data["excerpt"] == "Iraqi forces recaptured Ramadi on Monday."
    assert data["citation"] == {
        "title": "Ramadi retaken",
        "publisher": "Example Wire",
        "url": "https://example.org/ramadi",
        "published": "2015-12-29",
        "excerpt": "Iraqi forces recaptured Ramadi on Monday.",
    }


def test_any_registry_is_used() -> None:
    registry = ActorRegistry(
        [Actor("hts", "Hayat Tahrir al-Sham", "#123456", "non-state", ("HTS",))]
    )
    found = extract(
        "HTS fighters seized Idlib on Monday.", published="2015-03-30", registry=registry
    )
    assert [(s.actor, s.place_id) for s in found] == [("hts", "geonames:169389")]
    # Aliases of the bundled actors do not leak into another registry.
    assert extract("ISIS seized Idlib.", published="2015-03-30", registry=registry) == []


def test_sentences_are_split_verbatim() -> None:
    text = "Headline Without Stop\nLt. Gen. Smith said the U.S. team left. ISIS seized Hit.\n"
    assert sentences(text) == [
        "Headline Without Stop",
        "Lt. Gen. Smith said the U.S. team left.",
        "ISIS seized Hit.",
    ]


@pytest.mark.parametrize("published", ["2014-13-01", "yesterday", "2999-01-01"])
def test_a_bad_publication_date_is_a_validation_error(published: str) -> None:
    with pytest.raises(ValidationError, match="published"):
        extract("ISIS seized Hit.", published=published)


def test_empty_text_gives_nothing() -> None:
    assert extract("", published="2014-01-02") == []
    assert extract("   \n\n ", published=None) == []


def test_deterministic() -> None:
    text = SEED_REPORT.read_text(encoding="utf-8") if SEED_REPORT.exists() else "ISIS seized Hit."
    first = [s.to_dict() for s in extract(text, published="2014-01-02")]
    assert first == [s.to_dict() for s in extract(text, published="2014-01-02")]


# --- the evaluation set --------------------------------------------------------------------


def test_evaluation_set_is_large_and_well_formed() -> None:
    cases = load_cases(EVAL_CASES)
    assert len(cases) >= 40
    assert len({c["id"] for c in cases}) == len(cases)
    assert sum(1 for c in cases if not c["expected"]) >= 10  # negatives and distractors
    for case in cases:
        dt.date.fromisoformat(case["published"])
        for claim in case["expected"]:
            assert claim["status"] in ("control", "contested")
            assert claim["extent"] in ("all", "most", "part", "unknown")
            dt.date.fromisoformat(claim["date"])


def test_every_expected_actor_is_in_the_registry_used_for_scoring() -> None:
    known = {a.id for a in bundled_actors()}
    known |= {a["id"] for a in json.loads(DEV_ACTORS.read_text(encoding="utf-8"))}
    used = {claim["actor"] for case in load_cases(EVAL_CASES) for claim in case["expected"]}
    assert used <= known, sorted(used - known)


def _gated(split: str) -> bool:
    """Splits held to the 0.9 floor. Of the fresh batches about other wars (written by dev10
    without reading the rules), dev-7 to dev-9 are gated since rules10b brought them above it,
    dev-10 since rules10c; dev-11 and later are not yet (eval/README.md)."""
    match = re.fullmatch(r"dev-(\d+)", split)
    return match is None or int(match.group(1)) < 11


def test_evaluation_precision_and_recall() -> None:
    registry = ActorRegistry(bundled_actors())
    for raw in json.loads(DEV_ACTORS.read_text(encoding="utf-8")):
        registry.add(Actor.from_dict(raw))
    cases = [c for c in load_cases(EVAL_CASES) if _gated(c["split"])]
    result = score(cases, registry)
    assert result.precision >= 0.9, result.mismatches
    assert result.recall >= 0.9, result.mismatches
    for split in {c["split"] for c in cases}:
        part = score([c for c in cases if c["split"] == split], registry)
        # per split a little lower: dev-5 has 27 claims, one of them a town the bundled
        # gazetteer does not count as notable (Qayyarah, population unknown)
        assert part.precision >= 0.9 and part.recall >= 0.85, (split, part.mismatches)


def test_score_counts_a_wrong_field_as_one_miss_and_one_false_alarm() -> None:
    case = {
        "id": "x",
        "published": "2014-10-14",
        "text": "ISIS seized Hit.",
        "expected": [
            {
                "actor": "isil",
                "place_id": HIT,
                "status": "control",
                "extent": "most",
                "date": "2014-10-14",
            }
        ],
    }
    result = score([case])
    assert (result.true_positives, result.false_positives, result.false_negatives) == (0, 1, 1)
    assert result.precision == 0.0 and result.recall == 0.0
    case["expected"][0]["extent"] = "all"
    assert score([case]).precision == 1.0


def test_each_suggestion_carries_its_evidence_score_and_reasons() -> None:
    text = "Local officials said on Tuesday that ISIS fighters seized Hit after days of clashes."
    (found,) = extract(text, published="2014-10-15")
    assert found.evidence == "ISIS fighters seized Hit"
    assert found.evidence in found.excerpt
    assert 0.5 < found.score <= 1
    assert found.reasons[0] == "actor: 'ISIS' is isil"
    assert "statement: 'seized' (active, control)" in found.reasons
    as_json = found.to_dict()
    assert as_json["evidence"] == found.evidence and as_json["reasons"] == list(found.reasons)


def test_an_actor_carried_over_from_an_earlier_sentence_scores_lower() -> None:
    direct, carried = extract(
        "ISIS fighters seized Mosul yesterday. Today they overran Tikrit.", published="2014-06-11"
    )
    assert carried.place == "Tikrit" and carried.score < direct.score
    assert any("carried over" in r for r in carried.reasons)


def test_no_force_name_is_written_in_the_extractor_code() -> None:
    """Force names are registry data (issue 7): no string in extract.py's code names one."""
    import ast

    import controlmap.extract as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    code_strings = " ".join(
        node.value.casefold()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )
    from controlmap import settings

    actors = json.loads(settings.data_file("actors.json").read_text(encoding="utf-8"))
    names = [n for a in actors for n in (a["name"], *a["aliases"]) if len(n) >= 4]
    assert [n for n in names if n.casefold() in code_strings] == []


MOSUL = "geonames:99072"
SINJAR = "geonames:448149"
REFINERY = "extra:baiji-refinery"


@pytest.mark.parametrize(
    ("published", "text", "expected"),
    [
        (
            "2014-06-11",
            "Islamic State militants seized control of Mosul on Tuesday.",
            [("isil", MOSUL, "control", "all", "2014-06-10")],
        ),
        (
            "2014-08-04",
            "Islamic State fighters have taken over the northern Iraqi town of Sinjar.",
            [("isil", SINJAR, "control", "all", "2014-08-04")],
        ),
        (
            "2016-06-27",
            "Iraqi forces recaptured the final district of Fallujah on Sunday.",
            [("iraq-gov", FALLUJAH, "control", "all", "2016-06-26")],
        ),
        (
            "2015-05-20",
            "Ramadi fell to Islamic State militants on Sunday, May 17, officials said.",
            [("isil", RAMADI, "control", "all", "2015-05-17")],
        ),
        (
            "2016-10-20",
            "Iraqi forces retook Bartella on 2016-10-19, a statement said.",
            [("iraq-gov", "geonames:97890", "control", "all", "2016-10-19")],
        ),
        (  # published nine days later: the stated date, not last Sunday
            "2015-05-26",
            "Ramadi fell to Islamic State militants on Sunday, May 17, officials said.",
            [("isil", RAMADI, "control", "all", "2015-05-17")],
        ),
        (  # coreference across sentences: "the group" and "the city"
            "2015-04-16",
            "Islamic State fighters attacked Heet on Monday. The army withdrew from its final "
            "base in Heet, leaving the group in full control of the city.",
            [
                ("isil", HIT, "contested", "unknown", "2015-04-13"),
                ("isil", HIT, "control", "all", "2015-04-16"),
            ],
        ),
        (  # "it" after a control verb, or before "fell", is the place named last
            "2016-03-28",
            "ISIS seized Hit in October 2014. Iraqi forces retook it on Monday.",
            [
                ("isil", HIT, "control", "all", "2014-10-01"),
                ("iraq-gov", HIT, "control", "all", "2016-03-28"),
            ],
        ),
        (
            "2015-05-18",
            "Ramadi had been besieged for months. It fell to Islamic State on Sunday.",
            [("isil", RAMADI, "control", "all", "2015-05-17")],
        ),
        (  # two halves of one city, the second named only as "the western half"
            "2017-01-30",
            "Islamic State fighters dug in along the Tigris. Iraqi forces said the eastern half "
            "of Mosul had been fully liberated. The western half is still under the militants' "
            "control.",
            [
                ("iraq-gov", MOSUL, "control", "part", "2017-01-30"),
                ("isil", MOSUL, "control", "part", "2017-01-30"),
            ],
        ),
        (  # "the facility" refers back to the refinery named in the sentence before
            "2014-06-19",
            "ISIL militants attacked the Baiji refinery on Wednesday. An official said the "
            "militants now controlled 75 percent of the facility.",
            [
                ("isil", REFINERY, "contested", "unknown", "2014-06-18"),
                ("isil", REFINERY, "control", "most", "2014-06-19"),
            ],
        ),
    ],
)
def test_the_grammar_reads_voice_coreference_parts_and_stated_dates(
    published: str, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text, published) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Iraqi forces were deployed near the city.",
        "ISIS attempted to storm Haditha on Monday.",
        "ISIS said it had repelled the attack; it holds no ground in Hit.",
        "The western half of the city is still under the militants' control.",  # nothing named
    ],
)
def test_referents_without_a_fitting_antecedent_or_verb_give_nothing(text: str) -> None:
    assert rows(text) == []


def test_the_town_remaining_in_government_hands_is_the_defenders_control() -> None:
    text = (
        "Islamic State militants failed to seize Haditha after an assault, and the town remains "
        "in government hands."
    )
    assert rows(text) == [("iraq-gov", "geonames:96309", "control", "all", "2014-06-12")]


def test_an_arabic_verb_first_sentence_is_read_and_a_verbless_one_gives_nothing() -> None:
    """Verb, actor, place ("سيطر تنظيم داعش على مدينة هيت"): a control statement like any other.
    A sentence with no control verb only names an actor and a place: no claim."""
    found = extract(
        "سيطر تنظيم داعش على مدينة هيت. وأعلن الجيش العراقي أن قواته دخلت الفلوجة.",
        published="2014-10-13",
    )
    assert [(s.actor, s.place_id, s.status, s.extent) for s in found] == [
        ("isil", HIT, "control", "all"),  # مدينة ("city") is not taken for Medina
        ("iraq-gov", FALLUJAH, "control", "all"),  # a quiet entry is a taking
    ]
    first, read = found
    assert "statement: 'سيطر' (active, control)" in first.reasons
    assert first.evidence == "سيطر تنظيم داعش على مدينة هيت"
    # "قواته دخلت الفلوجة" (its forces entered Fallujah): actor, then an entry verb of the lexicon
    assert read.score > 0.3 and "statement: 'دخلت' (entry, control)" in read.reasons
    # "ISIS fighters in the city of Hit": no statement, the names only, so no claim
    assert extract("مقاتلو داعش في مدينة هيت.", published="2014-10-13") == []


def test_a_list_after_a_verb_first_reading_is_read_as_an_english_list() -> None:
    """One list reader for every script: the places joined to the one read verb-first share
    its reading and, joined by a bare "and" (Arabic "و"), its extent, as "seized most of Ramadi
    and Fallujah" gives most of both."""
    arabic = sorted(rows("سيطر تنظيم داعش على معظم مدينة الرمادي والفلوجة وهيت.", "2014-10-13"))
    english = sorted(rows("ISIS fighters seized most of Ramadi, Fallujah and Hit.", "2014-10-13"))
    wanted = [("isil", place, "control", "most", "2014-10-13") for place in (RAMADI, FALLUJAH, HIT)]
    assert arabic == english == sorted(wanted)


@pytest.mark.parametrize(
    ("text", "status", "extent"),
    [
        # a quiet entry is a taking: analysts write control for it
        ("Ruritanian troops entered Fallujah on Friday.", "control", "all"),
        (
            "Ruritanian troops rolled into the eastern districts of Fallujah on Friday.",
            "control",
            "part",
        ),
        ("دخل الجيش العراقي مدينة الفلوجة يوم الجمعة.", "control", "all"),
        # pushing in, fighting there or reaching the edge is contested ground
        ("Ruritanian troops pushed into Fallujah on Friday.", "contested", "unknown"),
        (
            "Ruritanian troops entered Fallujah on Friday and were clearing it of ISIS fighters.",
            "contested",
            "unknown",
        ),
        (
            "Ruritanian troops moved into Fallujah on Friday amid heavy clashes.",
            "contested",
            "unknown",
        ),
        (
            "Ruritanian troops entered the eastern outskirts of Fallujah on Friday.",
            "contested",
            "part",
        ),
    ],
)
def test_an_entry_with_no_fight_is_a_taking(text: str, status: str, extent: str) -> None:
    """On ten fresh dev batches scored by the rules from before each was read, entries read as
    contested were right 8 times and wrong 22 (15 of them where the analyst wrote control)."""
    actors = ActorRegistry(
        [
            *bundled_actors(),
            Actor("ruritania", "Ruritanian forces", "#000000", "state", ("Ruritanian troops",)),
        ]
    )
    found = [
        (s.place_id, s.status, s.extent, s.date)
        for s in extract(text, published="2016-06-20", registry=actors)
    ]
    assert found == [(FALLUJAH, status, extent, "2016-06-17")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the strike is on Sunday; the holding is as of the report
        (
            "Drones struck a market on Sunday in Fallujah, held by ISIS, killing four.",
            [(FALLUJAH, "2016-06-20")],
        ),
        (
            "Des drones ont frappé dimanche Fallujah, tenue par Daesh, et Ramadi.",
            [(FALLUJAH, "2016-06-20")],
        ),
        (
            "استهدفت طائرات يوم الأحد مدينة الفلوجة الخاضعة لسيطرة تنظيم داعش.",
            [(FALLUJAH, "2016-06-20")],
        ),
        ("Aid reached the ISIS-run city of Fallujah on Sunday.", [(FALLUJAH, "2016-06-20")]),
        # its own date, or the day of the statement that names it
        (
            "Fallujah, held by ISIS since Thursday, was shelled on Sunday.",
            [(FALLUJAH, "2016-06-16")],
        ),
        (
            "The army said on Friday that Fallujah and Ramadi, both held by ISIS, were surrounded.",
            [(FALLUJAH, "2016-06-17"), (RAMADI, "2016-06-17")],
        ),
        ("Fallujah reste aux mains de Daesh.", [(FALLUJAH, "2016-06-20")]),
    ],
)
def test_a_holder_named_in_passing_holds_the_place_as_of_the_report(
    text: str, expected: list[tuple[str, str]]
) -> None:
    """dev-24 (holders named in passing in reports about something else): 12 of 27 claims
    found untouched; a state after its place was dated by the event reported there."""
    found = extract(text, published="2016-06-20")
    assert [(s.place_id, s.date) for s in found] == expected
    assert {(s.actor, s.status, s.extent) for s in found} == {("isil", "control", "all")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the footage is Thursday's; the holding is as of the assessment
        (
            "Footage geolocated on Thursday shows tanks in Ramadi, and we assess that ISIS now "
            "holds most of the city.",
            ("isil", "control", "most", "2016-06-20"),
        ),
        (
            "Officials said on Thursday that ISIS holds Ramadi.",
            ("isil", "control", "all", "2016-06-16"),
        ),
        (
            "As of 10 June, Iraqi forces hold most of Fallujah, while ISIS holds Ramadi.",
            ("isil", "control", "all", "2016-06-10"),
        ),
        (
            "L'armée irakienne a repris jeudi la ville de Ramadi.",
            ("iraq-gov", "control", "all", "2016-06-16"),
        ),
        (
            "Les jihadistes de Daesh ont pris Ramadi jeudi.",
            ("isil", "control", "all", "2016-06-16"),
        ),
        ("Daesh a encerclé Ramadi jeudi.", ("isil", "contested", "unknown", "2016-06-16")),
        # a date ending a short heading is the whole sentence's, every clause's (dev-30)
        (
            "Situation au 10 juin 2016 : l'armée irakienne tient Fallujah, tandis que Daesh "
            "administre Ramadi.",
            ("isil", "control", "all", "2016-06-10"),
        ),
        (
            "Situation on 10 June: Iraqi forces hold Fallujah, while ISIS holds Ramadi.",
            ("isil", "control", "all", "2016-06-10"),
        ),
        ("Бойовики Daesh оточили Рамаді в четвер.", ("isil", "contested", "unknown", "2016-06-16")),
    ],
)
def test_present_states_french_takings_and_encirclements(
    text: str, expected: tuple[str, str, str, str]
) -> None:
    """From dev-25's misses: a present-tense holding took the date of another clause's event;
    French "a repris" / "ont pris" and encirclements in French and Ukrainian were not read."""
    found = [
        (s.actor, s.status, s.extent, s.date)
        for s in extract(text, published="2016-06-20")
        if s.place_id == RAMADI
    ]
    assert found == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Les combats ont repris jeudi à Ramadi.",
        "L'armée irakienne a repris l'offensive sur Ramadi jeudi.",
        "Daesh a pris en otage des habitants de Ramadi jeudi.",
        "Iraqi forces seized the Ramadi conference centre in Fallujah on Thursday.",
    ],
)
def test_other_senses_of_french_takings_and_buildings_named_after_a_town(text: str) -> None:
    assert [s for s in extract(text, published="2016-06-20") if s.place_id == RAMADI] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an apposition names the town's region; the holder holds the town
        (
            "Jets bombed Fallujah, the Anbar province city held by ISIS, on Sunday, killing nine.",
            [(FALLUJAH, "all", "2016-06-20")],
        ),
        (
            "Drones hit a depot near Fallujah, the ISIS-held capital of Anbar, on Sunday.",
            [(FALLUJAH, "all", "2016-06-20")],
        ),
        (
            "Rice costs four times more in Fallujah, the Anbar city that remains in the hands of "
            "ISIS, an aid group said on Friday.",
            [(FALLUJAH, "all", "2016-06-17")],
        ),
        (
            "À Fallujah, toujours tenue par Daesh, des milliers d'habitants ont fui.",
            [(FALLUJAH, "all", "2016-06-20")],
        ),
        # a region that locates one place of a list does not end the list
        (
            "ISIS said on Friday that it had captured Fallujah in Anbar province and Tikrit in "
            "Salahuddin province.",
            [(FALLUJAH, "all", "2016-06-17"), ("geonames:90150", "all", "2016-06-17")],
        ),
        # the last positions in a town: the whole town
        (
            "ISIS said its fighters had overrun the last army positions in Fallujah on Friday.",
            [(FALLUJAH, "all", "2016-06-17")],
        ),
    ],
)
def test_appositions_regions_in_lists_and_last_positions(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    """From dev-26's misses (read after it was scored untouched)."""
    found = extract(text, published="2016-06-20")
    assert [(s.place_id, s.extent, s.date) for s in found] == expected
    assert {(s.actor, s.status) for s in found} == {("isil", "control")}


def test_dates_in_arabic_are_resolved_against_the_publication_date() -> None:
    (found,) = extract("سيطر تنظيم داعش على مدينة هيت يوم الاثنين.", published="2014-10-15")
    assert found.date == "2014-10-13"  # الاثنين: Monday, the latest on or before publication
    assert "date: 'الاثنين' is 2014-10-13" in found.reasons


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert sentences(
        "Gen. Ali said U.S. forces left. ISIS seized Hit on Jan. 3. Then they left."
    ) == [
        "Gen. Ali said U.S. forces left.",
        "ISIS seized Hit on Jan. 3.",
        "Then they left.",
    ]


def test_english_sentences_never_fall_back_to_mere_co_occurrence() -> None:
    assert rows("Islamic State fighters were seen in Hit.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a crossing stands by its town, outside it: the town, as much as the sentence says
        ("ISIS overran the al-Qaim border crossing.", [("isil", "control", "all")]),
        ("Iraqi forces retook Mosul airport.", [("iraq-gov", "control", "part")]),
        ("Iraqi forces retook the airport in Mosul.", [("iraq-gov", "control", "part")]),
        ("Iraqi forces retook Ramadi's old city.", [("iraq-gov", "control", "part")]),
        ("ISIS captured Khalidiya Island.", [("isil", "control", "all")]),  # its own entry
        ("Kurdish fighters recaptured the Mosul Dam.", []),  # a dam lies away from its town
    ],
)
def test_landmarks_give_their_own_place_or_part_of_their_town(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert [(r[0], r[2], r[3]) for r in rows(text)] == expected


def test_generic_state_forces_are_the_state_of_the_place() -> None:
    """ "Government forces" in Syria are Syria's, in Iraq Iraq's, elsewhere unknown: nothing."""
    text = "Government forces recaptured Palmyra on Sunday. The army also retook Ramadi."
    assert [(r[0], r[1]) for r in rows(text, "2016-03-28")] == [
        ("syria-gov", "geonames:163808"),
        ("iraq-gov", RAMADI),
    ]
    assert rows("Security forces still hold the city's airport.") == []


def test_a_name_shared_across_countries_is_read_near_the_reports_other_places() -> None:
    """Saada is a town in Spain and in Yemen: next to Hodeidah it is the Yemeni one (for a
    force armed_groups.json does not place)."""
    registry = ActorRegistry(
        [Actor("front", "Northern Front", "#117733", "non-state", ("Front fighters",))]
    )
    alone = extract("Front fighters seized Saada.", published="2015-03-01", registry=registry)
    near = extract(
        "Front fighters seized Saada and advanced on Hodeidah.",
        published="2015-03-01",
        registry=registry,
    )
    # Yemen's city Sa'dah, which lists the spelling "Saada" (not the hamlet As Saddah)
    assert [s.place_id for s in near] == ["geonames:71334"]
    assert [s.place_id for s in alone] != ["geonames:77881"]  # the same name alone: not read so


# --- other wars: national forces, small places, sides' hands -------------------------------

OTHER_WAR = ActorRegistry(
    [
        Actor("ru-forces", "Russian Armed Forces", "#aa0000", "state", ("Russian forces",)),
        Actor("ua-forces", "Armed Forces of Ukraine", "#0000aa", "state", ("Ukrainian forces",)),
        Actor("jnim", "JNIM", "#333333", "non-state", ("JNIM",)),
        Actor("fama", "Malian Armed Forces", "#777700", "state", ("FAMa",)),
        Actor("arakan-army", "Arakan Army", "#00aa77", "non-state", ()),
    ]
)
AVDIIVKA = "geonames:713122"
BLAHODATNE = "geonames:687065"  # a village of 4,652 people in the world gazetteer


def other_war(text: str, published: str = "2024-02-20") -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=OTHER_WAR)
    ]


def test_national_force_words_follow_the_country_adjective() -> None:
    # only "Ukrainian forces" is registered: soldiers, units, army forces are that side too
    for words in ("Ukrainian soldiers", "Ukrainian army forces", "Ukrainian units"):
        text = f"{words} liberated Blahodatne on Sunday."
        assert other_war(text, "2023-06-12") == [
            ("ua-forces", BLAHODATNE, "control", "all", "2023-06-11")
        ], words
    # "the army" in Mali is the state actor whose name uses the country's adjective
    assert other_war("The army retook Gao on Friday.", "2013-01-27")[0][:3] == (
        "fama",
        "geonames:2457163",
        "control",
    )


def test_in_a_sides_hands_and_side_held() -> None:
    assert other_war("Ukrainian troops withdrew from Avdiivka, leaving it in Russian hands.") == [
        ("ru-forces", AVDIIVKA, "control", "all", "2024-02-20")
    ]
    assert other_war("Avdiivka remains in Russian hands.") == [
        ("ru-forces", AVDIIVKA, "control", "all", "2024-02-20")
    ]
    assert other_war("Shells fell on Russian-held Avdiivka on Monday.") == [
        ("ru-forces", AVDIIVKA, "control", "all", "2024-02-20")
    ]


def test_two_forces_named_together_each_get_the_claim() -> None:
    assert rows("Iraqi and Kurdish forces retook Sinjar on Friday.", "2015-11-14") == [
        ("iraq-gov", "geonames:448149", "control", "all", "2015-11-13"),
        ("krg", "geonames:448149", "control", "all", "2015-11-13"),
    ]


def test_small_places_need_the_sentence_to_make_them_places() -> None:
    # a village next to a control statement is read; the same name elsewhere is not
    assert other_war("Ukrainian forces captured Blahodatne.")[0][1] == BLAHODATNE
    assert other_war("Officials met in Blahodatne.") == []
    # titles, months and longer unknown names are not places
    assert other_war("Russian forces held Avdiivka since March 2, President Hope said.")[0][:2] == (
        "ru-forces",
        AVDIIVKA,
    )
    assert other_war("JNIM seized the Avdiivka Coke Plant.") == []


def test_extent_fractions_and_almost_entire() -> None:
    assert rows("ISIS controls three quarters of Ramadi.")[0][3] == "most"
    assert rows("ISIS controls almost the entire city of Ramadi.")[0][3] == "most"
    assert rows("ISIS holds four wards of Ramadi.")[0][3] == "part"
    assert rows("ISIS holds a third of Ramadi.")[0][3] == "part"


def test_entry_and_flag_and_infiltration() -> None:
    assert rows("Iraqi troops entered and secured Hit on Friday.") == [
        ("iraq-gov", HIT, "control", "all", "2014-06-06")
    ]
    assert rows("ISIS fighters infiltrated Ramadi on Friday.") == [
        ("isil", RAMADI, "contested", "unknown", "2014-06-06")
    ]
    assert rows("ISIS entered Ramadi on Monday and was clearing the city.") == [
        ("isil", RAMADI, "contested", "unknown", "2014-06-09")
    ]
    assert rows("ISIS fighters raised their flag over Ramadi's government complex.") == [
        ("isil", RAMADI, "control", "part", "2014-06-12")
    ]


def test_relative_passive_and_sentence_start_month() -> None:
    assert rows("Troops shelled Hit, which is held by ISIS.") == [
        ("isil", HIT, "control", "all", "2014-06-12")
    ]
    assert rows("In March, ISIS took Hit.") == [("isil", HIT, "control", "all", "2014-03-01")]


def test_strikes_and_raids_are_not_ground_fought_over() -> None:
    assert other_war("Russian forces attacked Avdiivka with missiles and drones on Sunday.") == []
    assert other_war("Russian troops stormed Avdiivka before withdrawing hours later.") == []
    assert other_war("Russian troops attacked Avdiivka on Sunday.") == [
        ("ru-forces", AVDIIVKA, "contested", "unknown", "2024-02-18")
    ]


def test_a_shared_name_far_from_the_reports_places_is_not_read() -> None:
    # "Boni" is a village in Mali the gazetteer lacks, and a spelling of a German city
    assert other_war("Fighting erupted in Mopti; JNIM later seized Boni.") == []


def test_a_country_speaks_for_its_forces_and_possessive_aliases_match() -> None:
    text = "Russia's defence ministry said on Friday that its forces had captured Avdiivka."
    assert other_war(text) == [("ru-forces", AVDIIVKA, "control", "all", "2024-02-16")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an escort is not the agent; "the town" is Sinjar
        (
            "Iraqi forces, accompanied by Peshmerga fighters, entered Sinjar on Monday and took"
            " control of the town.",
            [("iraq-gov", SINJAR, "control", "all", "2014-06-09")],
        ),
        # the battle "after" which the town was taken is background: no contested claim
        (
            "Iraqi forces drove ISIS out of Ramadi on Monday after a six-month battle for"
            " the city.",
            [("iraq-gov", RAMADI, "control", "all", "2014-06-09")],
        ),
        # the Old City is part of the city, however much of it is held
        (
            "Iraqi forces now hold three quarters of the Old City of Mosul.",
            [("iraq-gov", MOSUL, "control", "part", "2014-06-12")],
        ),
        # an aim is not an event
        ("Iraqi commanders said they aimed to begin an offensive on Hit within weeks.", []),
        # the day of the sentence before carries over to "by nightfall"
        (
            "Iraqi troops entered Hit on Monday. By nightfall the town was under Iraqi control.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
    ],
)
def test_roles_background_and_aims_in_a_sentence(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


# --- spellings the gazetteer lacks; sentences that open on the participle -----------------

BAKHMUT = "geonames:713174"
KREMINNA = "geonames:704138"


def test_a_transliteration_the_gazetteer_lacks_is_read_where_the_report_places_it() -> None:
    # "Bakhmoot" and "Kreminnaya" are no spelling of the gazetteer: read as Bakhmut and
    # Kreminna when the report names their country or a place near them
    text = "Russian forces captured Bakhmoot, a city in eastern Ukraine, on Saturday."
    assert other_war(text) == [("ru-forces", BAKHMUT, "control", "all", "2024-02-17")]
    text = "Ukrainian forces entered Kreminnaya, north of Lysychansk, on Monday."
    assert [r[:2] for r in other_war(text)] == [("ua-forces", KREMINNA)]
    # the same spelling with nothing to say where it lies is not guessed
    assert other_war("Russian forces captured Bakhmoot on Saturday.") == []
    # nor is an unknown name away from any control statement or place cue
    text = "Bakhmoot told reporters in Ukraine that Russian forces had captured Avdiivka."
    assert [r[:2] for r in other_war(text)] == [("ru-forces", AVDIIVKA)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # inverted: the participle first, the place after "was"
        (
            "Captured by ISIS on Monday was the town of Hit, west of Ramadi.",
            [("isil", HIT, "control", "all", "2014-06-09")],
        ),
        # the participle's clause first, the place the subject of the main clause
        (
            "Retaken on Sunday by Iraqi forces, according to local officials, Ramadi had been"
            " held by ISIS since May.",
            [
                ("iraq-gov", RAMADI, "control", "all", "2014-06-08"),
                ("isil", RAMADI, "control", "all", "2014-05-01"),
            ],
        ),
        # no agent after "by": the side whose ministry reports it
        (
            "Also taken on Tuesday, Iraq's defence ministry said, were the town of Hit and"
            " several villages.",
            [("iraq-gov", HIT, "control", "all", "2014-06-10")],
        ),
    ],
)
def test_a_sentence_that_opens_on_its_participle(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


def test_a_relative_clause_after_a_locating_apposition_is_about_the_town() -> None:
    # "that ISIS had held" is about Hit, which the apposition describes, not the province
    text = (
        "Iraqi troops entered Hit, a town in Anbar province that ISIS had held since May,"
        " on Monday."
    )
    assert ("isil", HIT, "control", "all", "2014-05-01") in rows(text)
    assert not [r for r in rows(text) if r[1] != HIT]


def test_a_subject_placed_by_a_phrase_and_a_country_after_to() -> None:
    # "on the main highway to Syria" says where the town lies; "to Syria" is no intention
    text = (
        "Iraqi forces recaptured Rutba on Thursday, two years after the desert town on the"
        " main highway to Syria fell to ISIS in June 2014."
    )
    assert rows(text, "2016-05-20") == [
        ("iraq-gov", "geonames:98677", "control", "all", "2016-05-19"),
        ("isil", "geonames:98677", "control", "all", "2014-06-01"),
    ]
    # an intention stays one: "to seize" is still modal
    assert rows("ISIS fighters moved to seize Hit on Monday.") == []


GAO = "geonames:2457163"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "jeudi" is Thursday; the verb phrase spans the weekday
        (
            "Les jihadistes du JNIM ont pris jeudi le contrôle de Gao, selon des témoins.",
            [("jnim", GAO, "control", "all", "2024-02-15")],
        ),
        (
            "Les jihadistes du JNIM contrôlent désormais la ville de Gao, selon des habitants"
            " joints dimanche.",
            [("jnim", GAO, "control", "all", "2024-02-18")],
        ),
        # the airport of a town is part of it
        (
            "Les jihadistes du JNIM se sont emparés lundi de l'aéroport de Gao.",
            [("jnim", GAO, "control", "part", "2024-02-19")],
        ),
        # negated: nothing
        ("Le JNIM n'a pas pris le contrôle de Gao, selon des témoins.", []),
    ],
)
def test_french_wire_copy(text: str, expected: list[tuple[str, ...]]) -> None:
    assert other_war(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # moving into a town the others have just left is a taking, not fighting
        (
            "ISIS fighters moved into Hit hours after Iraqi troops pulled out of their base in"
            " the town on Monday.",
            [("isil", HIT, "control", "all", "2014-06-09")],
        ),
        # without that, an entry is contested
        (
            "ISIS fighters moved into Hit on Monday.",
            [("isil", HIT, "control", "all", "2014-06-09")],  # a quiet entry, a taking too
        ),
        # a reduced relative keeps its own date; "federal troops" are the country's forces
        (
            "Ramadi, held by ISIS since 12 May, was back under the control of federal troops"
            " on Monday.",
            [
                ("isil", RAMADI, "control", "all", "2014-05-12"),
                ("iraq-gov", RAMADI, "control", "all", "2014-06-09"),
            ],
        ),
        # an actor inside a relative clause is not the subject of the verb after it
        (
            "Peshmerga fighters, who had fought beside Iraqi troops for months, captured Hit"
            " on Monday.",
            [("krg", HIT, "control", "all", "2014-06-09")],
        ),
        # "X and fighters of the ... group Y": both
        (
            "Iraqi troops and fighters of the tribal group Peshmerga took control of Hit on"
            " Monday.",
            [
                ("iraq-gov", HIT, "control", "all", "2014-06-09"),
                ("krg", HIT, "control", "all", "2014-06-09"),
            ],
        ),
    ],
)
def test_takings_of_left_towns_reduced_relatives_and_partners(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


def test_a_variant_spelling_of_a_small_place_next_to_a_statement() -> None:
    # "Qayyara": the gazetteer knows Qayyarah; read next to a taking near the report's places
    assert rows("Iraqi forces recaptured Qayyara, south of Mosul, on Monday.") == [
        ("iraq-gov", "geonames:99003", "control", "all", "2014-06-09")
    ]


def test_a_third_day_is_no_fraction_and_gunmen_and_officers_both_fight() -> None:
    # "for a third day" says how long, not how much of the town
    assert rows("ISIS fighters fought for a third straight day in Ramadi.") == [
        ("isil", RAMADI, "contested", "unknown", "2014-06-12")
    ]
    assert rows("ISIS holds a third of Ramadi.")[0][3] == "part"
    # "X gunmen and officers of the Y": both sides of the fighting
    text = "ISIS gunmen and officers of the Iraqi army fought in Ramadi on Monday."
    assert rows(text) == [
        ("isil", RAMADI, "contested", "unknown", "2014-06-09"),
        ("iraq-gov", RAMADI, "contested", "unknown", "2014-06-09"),
    ]


def test_a_spelling_that_folds_to_a_town_of_a_named_country_is_read_anywhere() -> None:
    # "Rada'a" folds to Rada' (Yemen); read when the report names Yemen, not otherwise
    text = "ISIS fighters fought in the streets of Rada'a, in central Yemen, on Monday."
    assert rows(text) == [("isil", "geonames:71491", "contested", "unknown", "2014-06-09")]
    assert rows("ISIS fighters fought in the streets of Rada'a on Monday.") == []


ANSONGO = "geonames:2461003"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the elided article: "d'Ansongo" is Ansongo
        (
            "Le JNIM a pris jeudi le contrôle d'Ansongo, près de Gao, selon des témoins.",
            [("jnim", ANSONGO, "control", "all", "2024-02-15")],
        ),
        # "contrôle toujours": the verb, in the singular
        (
            "Le JNIM contrôle toujours la ville d'Ansongo, près de Gao, selon des habitants.",
            [("jnim", ANSONGO, "control", "all", "2024-02-20")],
        ),
        # a blockade around a town is a siege; "Since" opening a sentence is no place
        (
            "Since January, JNIM fighters have enforced a blockade around Gao.",
            [("jnim", GAO, "contested", "unknown", "2024-01-01")],
        ),
    ],
)
def test_french_elision_and_a_blockade_around(text: str, expected: list[tuple[str, ...]]) -> None:
    assert other_war(text) == expected


def test_a_relative_clause_keeps_its_date_and_the_capital_in_apposition() -> None:
    # "last month" dates the relative clause about the town, not the retaking
    text = (
        "Iraqi commanders said on Wednesday that their troops had retaken Hit, the town on the"
        " Euphrates that ISIS reached last month."
    )
    assert rows(text) == [("iraq-gov", HIT, "control", "all", "2014-06-11")]
    # "an estimated 90 percent of the capital, Baghdad": most of Baghdad
    text = "ISIS now controls an estimated 90 percent of the capital, Baghdad."
    assert rows(text) == [("isil", "geonames:98182", "control", "most", "2014-06-12")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one describing word before the place
        (
            "ISIS seized the disused Ramadi airport on Monday.",
            [("isil", RAMADI, "control", "part", "2014-06-09")],
        ),
        # reaching the outskirts is fighting for part of the town; "there" is that town
        (
            "ISIS fighters reached the eastern outskirts of Ramadi and are fighting Iraqi troops"
            " there.",
            [
                ("isil", RAMADI, "contested", "part", "2014-06-12"),
                ("iraq-gov", RAMADI, "contested", "part", "2014-06-12"),
            ],
        ),
        # reaching an agreement is not reaching a town
        ("ISIS reached an agreement with tribal leaders in Hit.", []),
        # the residents had left: the entry is a taking
        (
            "Iraqi troops entered Hit on Monday after its residents had left.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        # "regime soldiers" are the state's forces
        (
            "ISIS fighters clashed with regime soldiers in Raqqa on Monday.",
            [
                ("isil", "geonames:172955", "contested", "unknown", "2014-06-09"),
                ("syria-gov", "geonames:172955", "contested", "unknown", "2014-06-09"),
            ],
        ),
    ],
)
def test_adjectives_outskirts_there_and_regime_soldiers(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


def test_units_of_the_speaking_side_and_the_paramilitaries() -> None:
    # units named by no side are the side whose ministry speaks, by its adjective
    text = (
        "Units of the Centre group of forces have liberated the settlement of Blahodatne,"
        " the Russian Defence Ministry said on Wednesday."
    )
    assert other_war(text) == [("ru-forces", BLAHODATNE, "control", "all", "2024-02-14")]
    # "the paramilitaries" is the armed group named before; most of a town's districts is
    # most of it ("most of" is most, as eval/blind/README.md's conventions have it), most of
    # its eastern districts a part
    text = (
        "JNIM attacked Gao on Monday. The paramilitaries still hold most of the city's districts."
    )
    assert ("jnim", GAO, "control", "most", "2024-02-20") in other_war(text)
    text = (
        "JNIM attacked Gao on Monday. The paramilitaries still hold most of its eastern districts."
    )
    assert ("jnim", GAO, "control", "part", "2024-02-20") in other_war(text)
    # "the junta" is the state of the place's country
    assert other_war("The junta retook Gao on Friday.", "2013-01-27") == [
        ("fama", GAO, "control", "all", "2013-01-25")
    ]


# --- nouns of capture, losses to a taker, grips, fights for control, doubts ---------------

Reader = Callable[[str], list[tuple[str, ...]]]


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # a capture named by a noun: its agent after "by", else its owner
        (
            rows,
            "The capture of Ramadi by ISIS fighters on Sunday stunned Baghdad.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        (
            rows,
            "Following the seizure of Hit by Islamic State militants in October, thousands fled.",
            [("isil", HIT, "control", "all", "2013-10-01")],
        ),
        (
            other_war,
            "JNIM's takeover of Gao on Monday sent thousands fleeing south.",
            [("jnim", GAO, "control", "all", "2024-02-19")],
        ),
        (
            other_war,
            "Russia's capture of Avdiivka on Saturday was its biggest gain in months.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-17")],
        ),
        (
            other_war,
            "The Ukrainian recapture of Avdiivka was announced on Sunday.",
            [("ua-forces", AVDIIVKA, "control", "all", "2024-02-18")],
        ),
        # ... but not one planned, attempted or feared
        (rows, "The planned capture of Mosul by Iraqi forces has been delayed.", []),
        (rows, "ISIS's attempted capture of Haditha on Monday failed.", []),
        (other_war, "Fears of a capture of Avdiivka by Russian forces grew on Monday.", []),
    ],
)
def test_a_capture_named_by_a_noun(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # a place lost, handed or ceded to a taker is the taker's
        (
            rows,
            "The fall of Ramadi to ISIS on Sunday was a blow to Baghdad.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        (
            rows,
            "Iraqi troops handed Sinjar over to Kurdish forces on Friday.",
            [("krg", SINJAR, "control", "all", "2014-06-06")],
        ),
        (
            other_war,
            "Ukrainian forces ceded Avdiivka to Russian forces on Saturday.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-17")],
        ),
        (
            rows,
            "ISIS lost Hit on Tuesday to the army.",
            [("iraq-gov", HIT, "control", "all", "2014-06-10")],
        ),
        # returned or passed into a side's control or hands
        (
            rows,
            "Mosul returned to government control in July.",
            [("iraq-gov", MOSUL, "control", "all", "2013-07-01")],
        ),
        (
            other_war,
            "Avdiivka passed into Russian hands on Saturday.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-17")],
        ),
        # no taker after "to", or a loss only reported
        (rows, "Iraqi troops abandoned Hit to regroup near Ramadi.", []),
        (rows, "Officials denied reports of the fall of Ramadi to ISIS.", []),
    ],
)
def test_a_place_lost_to_a_taker(read: Reader, text: str, expected: list[tuple[str, ...]]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # a grip or hold kept on a town is control of it
        (
            rows,
            "ISIS consolidated its grip on Fallujah on Monday.",
            [("isil", FALLUJAH, "control", "all", "2014-06-09")],
        ),
        (
            other_war,
            "Russian forces tightened their grip on Avdiivka on Saturday.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-17")],
        ),
        (
            other_war,
            "JNIM has kept its hold on Gao.",
            [("jnim", GAO, "control", "all", "2024-02-20")],
        ),
        (rows, "ISIS maintained its hold on power in Fallujah.", []),
        # fighting for control of a town is fighting, for each side
        (
            rows,
            "ISIS and Iraqi troops are fighting for control of Ramadi.",
            [
                ("isil", RAMADI, "contested", "unknown", "2014-06-12"),
                ("iraq-gov", RAMADI, "contested", "unknown", "2014-06-12"),
            ],
        ),
        (
            other_war,
            "Russian and Ukrainian forces fought for control of Avdiivka on Monday.",
            [
                ("ru-forces", AVDIIVKA, "contested", "unknown", "2024-02-19"),
                ("ua-forces", AVDIIVKA, "contested", "unknown", "2024-02-19"),
            ],
        ),
        (rows, "The battle for control of Mosul entered its third month.", []),
        # driving a named side out of a town; winning it back
        (
            rows,
            "ISIS fighters routed Iraqi troops from Ramadi on Sunday.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        (
            other_war,
            "Russian forces forced Ukrainian forces out of Avdiivka on Saturday.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-17")],
        ),
        (rows, "ISIS forced residents out of Hit on Monday.", []),
        (
            rows,
            "Iraqi troops won back Hit on Friday.",
            [("iraq-gov", HIT, "control", "all", "2014-06-06")],
        ),
    ],
)
def test_grips_fights_for_control_and_routs(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "There is no sign that ISIS has taken Haditha.",
        "Iraqi officials denied losing Ramadi.",
        "The army dismissed reports that ISIS had seized Hit.",
        "It was unclear whether ISIS had captured Hit.",
    ],
)
def test_denied_and_doubted_statements_give_nothing(text: str) -> None:
    assert rows(text) == []


# --- names shared across countries, landmarks, national forces (rules10e) ------------------

WARS = ActorRegistry(
    [
        Actor("houthis", "Ansar Allah", "#117733", "non-state", ("Houthi fighters",)),
        Actor("ru-forces", "Russian Armed Forces", "#aa0000", "state", ("Russian forces",)),
        Actor("ua-forces", "Armed Forces of Ukraine", "#0000aa", "state", ("Ukrainian forces",)),
        Actor("saf", "Sudanese Armed Forces", "#777700", "state", ("Sudanese army",)),
        Actor("lna", "Libyan National Army", "#aa7700", "non-state", ("LNA",)),
        Actor("rsf", "Rapid Support Forces", "#cc0000", "non-state", ("RSF",)),
        Actor("fama", "Malian Armed Forces", "#777700", "state", ("FAMa",)),
        Actor("arakan-army", "Arakan Army", "#00aa77", "non-state", ()),
    ]
)


def wars(text: str, published: str = "2024-05-10") -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=WARS)
    ]


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        # two shared names that lie near each other: the pair on the Red Sea coast
        (
            "Houthi fighters seized the coastal town of Khokha on Thursday and pushed on"
            " towards Hays.",
            "geonames:79131",
        ),
        # a town known by that name today, not a city that bore it once (Engels, in Russia)
        ("Russian forces captured Pokrovsk on Monday.", "geonames:704422"),
        # forces fight abroad: their home's small namesake (Russia's Donetsk) is not the city
        ("Russian forces seized Donetsk on Monday.", "geonames:709717"),
        # the country of the force that retakes it, spelled otherwise (Bārah, Mar'yinka)
        ("Sudanese army forces recaptured Bara on Friday.", "geonames:377724"),
        ("Ukrainian forces retook Marinka on Monday.", "geonames:701845"),
        # the country of a registry actor named by its adjective (Libya's Al Bayda)
        ("LNA forces and Libyan National Army units took Bayda on Monday.", "geonames:89055"),
        # a province named in the report (Abyan is Yemen's)
        ("Houthi fighters seized Bayda in Abyan on Monday.", "geonames:79836"),
    ],
)
def test_a_shared_name_is_ranked_by_what_the_report_says(text: str, place_id: str) -> None:
    assert {row[1] for row in wars(text)} == {place_id}


def test_a_small_town_of_the_reports_country_outranks_a_seat_abroad_spelled_alike() -> None:
    # Syria's As Sukhnah is no seat; Yemen's is, but Islamic State fights in Iraq and Syria
    text = "Islamic State fighters overran al-Sukhnah, a desert town, on Wednesday."
    assert {row[1] for row in rows(text, "2015-05-14")} == {"geonames:172425"}


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # "a day after <event>": the event is a day before the date of the clause it hangs on
        (
            rows,
            "ISIS fighters held most of Ramadi on Monday, a day after they overran the city's"
            " government compound.",
            [
                ("isil", RAMADI, "control", "most", "2014-06-09"),
                ("isil", RAMADI, "control", "part", "2014-06-08"),
            ],
        ),
        (
            rows,
            "Iraqi troops retook Hit on Thursday, three days after the town fell to ISIS.",
            [
                ("iraq-gov", HIT, "control", "all", "2014-06-12"),
                ("isil", HIT, "control", "all", "2014-06-09"),
            ],
        ),
        (
            other_war,
            "JNIM said on Sunday it had taken Gao, a day after announcing the capture of Ansongo.",
            [
                ("jnim", GAO, "control", "all", "2024-02-18"),
                ("jnim", ANSONGO, "control", "all", "2024-02-17"),
            ],
        ),
        # ... also when the clause's own date comes after it
        (
            other_war,
            "A week after JNIM captured Gao, the army retook it on Friday.",
            [
                ("jnim", GAO, "control", "all", "2024-02-09"),
                ("fama", GAO, "control", "all", "2024-02-16"),
            ],
        ),
        # "after Sunday's assault" dates the assault, not the state the sentence reports
        (
            rows,
            "ISIS holds most of Ramadi after Sunday's assault, officials said on Tuesday.",
            [("isil", RAMADI, "control", "most", "2014-06-10")],
        ),
        # one stage only: held from the day it was occupied, not from the day it was left
        (
            other_war,
            "JNIM occupied Gao on Friday and held it for two days before withdrawing on Sunday.",
            [("jnim", GAO, "control", "all", "2024-02-16")],
        ),
    ],
)
def test_an_event_some_days_after_or_before_another(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # more verbs of entry; "the heart of" is part
        (
            rows,
            "Iraqi troops stormed into the heart of Ramadi on Sunday.",
            [("iraq-gov", RAMADI, "contested", "part", "2014-06-08")],
        ),
        (rows, "Aid trucks rolled into Hit on Friday.", []),
        # an entry after the others slipped away, or without a shot, is a taking ...
        (
            rows,
            "Syrian troops marched into Raqqa on Sunday after ISIS fighters slipped away.",
            [("syria-gov", "geonames:172955", "control", "all", "2014-06-08")],
        ),
        (
            other_war,
            "Russian forces rolled into Avdiivka without firing a shot.",
            [("ru-forces", AVDIIVKA, "control", "all", "2024-02-20")],
        ),
        # ... and so is one the next sentence says the others had already left
        (
            other_war,
            "FAMa troops drove into Gao on Friday. The jihadists had pulled out before the"
            " soldiers arrived.",
            [("fama", GAO, "control", "all", "2024-02-16")],
        ),
        # security restored to a town, in a verb or a noun, is control of it
        (
            rows,
            "Iraqi forces said they had restored security to all of Ramadi.",
            [("iraq-gov", RAMADI, "control", "all", "2014-06-12")],
        ),
        (
            rows,
            "The army announced the restoration of security and stability to the city of Hit on"
            " Sunday.",
            [("iraq-gov", HIT, "control", "all", "2014-06-08")],
        ),
        # an encirclement is a siege
        (
            other_war,
            "Russian forces completed the encirclement of Avdiivka on Sunday.",
            [("ru-forces", AVDIIVKA, "contested", "unknown", "2024-02-18")],
        ),
        # "the city centre" with no town after it is part of the town named before
        (
            rows,
            "ISIS fighters entered Ramadi on Monday. Iraqi troops still hold the city centre.",
            [
                ("isil", RAMADI, "contested", "unknown", "2014-06-09"),
                ("iraq-gov", RAMADI, "control", "part", "2014-06-12"),
            ],
        ),
        # no intention of taking a town is no taking
        (rows, "ISIS said it had no intention of taking Baghdad by force.", []),
    ],
)
def test_entries_restored_security_encirclement_and_the_city_centre(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


TABQA = "geonames:172374"
MOSUL = "geonames:99072"
KHERSON = "geonames:706448"
MEROWE = "geonames:370481"
NYALA = "geonames:369004"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a site outside the town, named after it in either order: the town, all of it
        ("ISIS seized the Tabqa air base on Monday.", [("isil", TABQA, "all")]),
        ("Syrian troops retook Tabqa airbase on Monday.", [("syria-gov", TABQA, "all")]),
        ("ISIS fighters seized the air base at Tabqa on Monday.", [("isil", TABQA, "all")]),
        ("Iraqi forces retook the Qayyarah airbase.", [("iraq-gov", "geonames:99003", "all")]),
        ("The RSF seized the Merowe airbase on Saturday.", [("rsf", MEROWE, "all")]),
        # an airport, a barracks, a district, a citadel in the town: part of it
        ("Ukrainian forces recaptured Kherson International Airport.", [("ua", KHERSON, "part")]),
        ("Ukrainian forces recaptured the airport of Kherson.", [("ua", KHERSON, "part")]),
        ("Ukrainian forces recaptured Kherson's main airport.", [("ua", KHERSON, "part")]),
        ("The RSF seized the airfield in Merowe on Saturday.", [("rsf", MEROWE, "part")]),
        ("The RSF overran the army barracks in Nyala on Friday.", [("rsf", NYALA, "part")]),
        ("Iraqi forces retook the al-Andalus district of Mosul.", [("iraq-gov", MOSUL, "part")]),
        ("Iraqi troops captured the Tal Afar citadel.", [("iraq-gov", "geonames:90393", "part")]),
        # a dam or a plant a big city lends its name to lies away from it: no claim
        ("ISIS fighters seized the Mosul Dam on Thursday.", []),
        ("Russian forces seized the Zaporizhzhia nuclear plant on Friday.", []),
        # French: 'le camp d'Aguelhok' is the town
        (
            "Les FAMa ont pris le contrôle du camp d'Aguelhok mardi.",
            [("fama", "geonames:2461247", "all")],
        ),
    ],
)
def test_landmarks_named_with_a_town_in_any_word_order(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    registry = ActorRegistry([*WARS, *bundled_actors()])
    found = extract(text, published="2024-05-10", registry=registry)
    short = {"ua-forces": "ua"}
    assert [(short.get(s.actor, s.actor), s.place_id, s.extent) for s in found] == expected


def test_an_office_named_after_a_place_and_a_described_small_town() -> None:
    # "the Luhansk regional governor" is a person, not a place fought over
    text = (
        "Ukrainian forces are fighting on the western outskirts of Kreminna, the Luhansk"
        " regional governor said on Monday."
    )
    assert wars(text) == [("ua-forces", "geonames:704138", "contested", "part", "2024-05-06")]
    # ", a Ruritanian town of about 5,000 people": a small place the sentence makes a place
    text = "Ukrainian forces captured Sudzha, a Russian town of about 5,000 people, on Thursday."
    assert wars(text) == [("ua-forces", "geonames:486816", "control", "all", "2024-05-09")]


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # a passive with its date before "by"
        (
            rows,
            "Ramadi was captured on Sunday by ISIS fighters.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        (
            other_war,
            "Gao was retaken late on Friday by FAMa troops, officials said.",
            [("fama", GAO, "control", "all", "2024-02-16")],
        ),
        # handed over to, and left to, a taker (and the one named with it)
        (
            rows,
            "Hit was handed over to ISIS on Friday under a local deal.",
            [("isil", HIT, "control", "all", "2014-06-06")],
        ),
        (
            rows,
            "The last Iraqi troops left Hit on Sunday, leaving the town to ISIS.",
            [("isil", HIT, "control", "all", "2014-06-08")],
        ),
        (
            other_war,
            "Ukrainian forces pulled out of Avdiivka, leaving it to Russian forces and JNIM.",
            [
                ("ru-forces", AVDIIVKA, "control", "all", "2024-02-20"),
                ("jnim", AVDIIVKA, "control", "all", "2024-02-20"),
            ],
        ),
        # the others left, and the entry came "hours later": a taking
        (
            rows,
            "ISIS fighters left Hit on Thursday, and Iraqi troops moved into the town hours later.",
            [("iraq-gov", HIT, "control", "all", "2014-06-12")],
        ),
        (rows, "ISIS fighters left Hit on Thursday, and Iraqi troops shelled the town.", []),
        # a town held under blockade or placed under siege is fought over, not held
        (
            other_war,
            "Gao, which JNIM has held under blockade since March, is short of food.",
            [("jnim", GAO, "contested", "unknown", "2023-03-01")],
        ),
        (
            other_war,
            "Gao was placed under siege by JNIM in March.",
            [("jnim", GAO, "contested", "unknown", "2023-03-01")],
        ),
        # a date opening the sentence is its statement's, not the report's day
        (
            other_war,
            "Since September, JNIM fighters have besieged Gao, traders said on Monday.",
            [("jnim", GAO, "contested", "unknown", "2023-09-01")],
        ),
        # a side named inside "in ISIS hands" is not the agent of the next verb
        (
            rows,
            "Fallujah is now in ISIS hands after fighters took over the city council building.",
            [("isil", FALLUJAH, "control", "all", "2014-06-12")],
        ),
        # "out of it": the place named last, as much of it as was named
        (
            rows,
            "Iraqi forces seized the Ramadi airport on Saturday. ISIS said on Sunday it had"
            " driven them out of it.",
            [
                ("iraq-gov", RAMADI, "control", "part", "2014-06-07"),
                ("isil", RAMADI, "control", "part", "2014-06-08"),
            ],
        ),
        # a report denied, a few words after "denied ... that"
        (
            rows,
            "ISIS on Saturday denied Iraqi media reports that Iraqi troops had entered Hit.",
            [],
        ),
        # French: a weekday between "entrés" and "dans"; no resistance met
        (
            other_war,
            "Les soldats de FAMa sont entrés lundi dans Gao sans rencontrer de résistance.",
            [("fama", GAO, "control", "all", "2024-02-19")],
        ),
    ],
)
def test_dated_passives_handovers_sieges_and_opening_dates(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("read", "text", "expected"),
    [
        # a participle after a comma shares the subject of the verb before it, not the
        # nearest actor (the side driven out)
        (
            rows,
            "Iraqi troops drove ISIS out of Hit on Friday, seizing the town that the militants"
            " had held for years.",
            [("iraq-gov", HIT, "control", "all", "2014-06-06")],
        ),
        (
            other_war,
            "FAMa troops pushed JNIM out of Gao on Monday, securing the town by nightfall.",
            [("fama", GAO, "control", "all", "2024-02-19")],
        ),
        # an assault owned by someone is that owner's, and nobody else's
        (rows, "Commander Ali's assault on Ramadi was launched in April, ISIS said.", []),
        (
            rows,
            "ISIS's assault on Ramadi began on Monday.",
            [("isil", RAMADI, "contested", "unknown", "2014-06-09")],
        ),
        (
            other_war,
            "Russia's assault on Avdiivka began on Monday.",
            [("ru-forces", AVDIIVKA, "contested", "unknown", "2024-02-19")],
        ),
    ],
)
def test_participle_clauses_and_owned_assaults(
    read: Reader, text: str, expected: list[tuple[str, ...]]
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a landmark standing at another town: the town it stands at, not the one in its name
        (
            "Russian troops seized the Kakhovka hydroelectric dam at Nova Kakhovka on Thursday.",
            [("ru-forces", "geonames:699839", "control", "all", "2024-05-09")],
        ),
        (
            "The RSF said on Tuesday it had captured the Yarmouk military industrial complex in"
            " southern Khartoum.",
            [("rsf", "geonames:379252", "control", "part", "2024-05-07")],
        ),
        # a person's title in lower case: "its mayor Ivan Fedorov" is no place
        (
            "Melitopol is now in Russian hands, its mayor Ivan Fedorov told Ukrainian television"
            " on Saturday.",
            [("ru-forces", "geonames:701404", "control", "all", "2024-05-04")],
        ),
        # generic state forces: "army units", "the armed forces"
        (
            "Army units have entered Al-Hasaheisa without a fight, residents said.",
            [("saf", "geonames:379427", "control", "all", "2024-05-10")],
        ),
        (
            "The armed forces recaptured Kidal on Tuesday.",
            [("fama", "geonames:2455290", "control", "all", "2024-05-07")],
        ),
    ],
)
def test_landmarks_at_another_town_titles_and_generic_forces(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert wars(text) == expected


def test_a_district_spelled_as_the_report_spells_it_is_its_namesake_town() -> None:
    # "Shirqat": the pack's district is Al-Shirqat, its town Ash Sharqat
    assert rows("Iraqi government forces retook Shirqat on Thursday.") == [
        ("iraq-gov", "geonames:91057", "control", "all", "2014-06-12")
    ]
    # with its kind word it stays the district
    district = rows("Iraqi forces retook the Makhmour district on Thursday.")
    assert district[0][1] == "iq-adm2:IQG11Q04"


def test_a_place_before_a_hyphen_says_where_a_variant_spelling_lies() -> None:
    # "a Yangon-based analyst" places the report in Myanmar: "Kyaukphyu" is Kyaukpyu there
    text = "The Arakan Army has encircled Kyaukphyu, a Yangon-based analyst told us on Monday."
    assert wars(text) == [("arakan-army", "geonames:1316752", "contested", "unknown", "2024-05-06")]
    # nothing places a report whose only force is unknown to armed_groups.json
    front = ActorRegistry([Actor("front", "Northern Front", "#00aa77", "non-state", ())])
    text = "The Northern Front has encircled Kyaukphyu, an analyst told us on Monday."
    assert extract(text, published="2024-05-10", registry=front) == []


# --- dates counted from another, headings, and entries that take a town (rules10h) ---------

KELSO = ActorRegistry(
    [
        Actor(
            "kelso-front",
            "Kelso Front",
            "#aa3300",
            "non-state",
            ("the Kelso Front", "Kelso Front fighters", "Front de Kelso", "جبهة كلسو"),
        ),
        Actor("iraq-gov", "Iraqi government", "#0000aa", "state", ("Iraqi forces",)),
        Actor("yemen-gov", "Yemeni government", "#00aa00", "state", ("الجيش اليمني",)),
    ]
)
KIDAL = "geonames:2455290"
DHAMAR = "geonames:76184"
TIKRIT = "geonames:90150"


def kelso(text: str, published: str = "2014-06-12") -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=KELSO)
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a date inside the phrase is the phrase's own, not the speaker's
        (
            "Les combattants du Front de Kelso ont pris mercredi le contrôle de Kidal, a reconnu"
            " jeudi le ministre.",
            "2014-06-12",
            [("kelso-front", KIDAL, "control", "all", "2014-06-11")],
        ),
        # a phrase inside an apposition does not take the main verb's date
        (
            "Iraqi forces took full control of Tikrit, the last town in the province held by the"
            " Kelso Front, on Tuesday, officials said.",
            "2014-06-12",
            [("iraq-gov", TIKRIT, "control", "all", "2014-06-10")],
        ),
        # the event in a counted "after" clause is dated by it, not by the report's day
        (
            "The Kelso Front has retaken most of Ramadi, two days after Iraqi forces announced"
            " they had captured the city, officials said on Wednesday.",
            "2014-06-12",
            [
                ("iraq-gov", RAMADI, "control", "all", "2014-06-09"),
                ("kelso-front", RAMADI, "control", "most", "2014-06-11"),
            ],
        ),
        # "by nightfall", "that evening" count from the day named earlier in the sentence
        (
            "Iraqi forces reached the outskirts of Hit on Tuesday, though the town itself was"
            " still in Kelso Front hands by nightfall.",
            "2014-06-12",
            [
                ("iraq-gov", HIT, "contested", "part", "2014-06-10"),
                ("kelso-front", HIT, "control", "all", "2014-06-10"),
            ],
        ),
        # "five days later" counts from the day the sentence before named
        (
            "The Kelso Front seized Ramadi on Monday. Five days later the group captured Hit.",
            "2014-06-29",
            [
                ("kelso-front", RAMADI, "control", "all", "2014-06-23"),
                ("kelso-front", HIT, "control", "all", "2014-06-28"),
            ],
        ),
        # "later than planned" compares; it dates nothing
        (
            "Iraqi forces entered Hit on Monday, ten days later than planned, without a fight.",
            "2014-06-12",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        # "of that year" is the year named before; a hold "until" a day is no claim on that day
        (
            "On 5 August 2012, Kelso Front fighters walked into Hit without firing a shot. They"
            " held it until 1 December of that year, when Iraqi forces recaptured the town.",
            "2014-06-12",
            [
                ("kelso-front", HIT, "control", "all", "2012-08-05"),
                ("iraq-gov", HIT, "control", "all", "2012-12-01"),
            ],
        ),
        ("The Kelso Front held Hit until 1 December.", "2014-06-12", []),
        # a short dated heading dates the states the report gives without a date
        (
            "Conflict tracker, 9 June 2014. The Kelso Front controls Tikrit.",
            "2014-06-12",
            [("kelso-front", TIKRIT, "control", "all", "2014-06-09")],
        ),
        (
            "Situation report (as of 9 June 2014). Kelso Front fighters control Tikrit, the"
            " capital of the province.",
            "2014-06-12",
            [("kelso-front", TIKRIT, "control", "all", "2014-06-09")],
        ),
        # ... but not a heading dated months before publication
        (
            "Conflict tracker, 9 March 2014. The Kelso Front controls Tikrit.",
            "2014-06-12",
            [("kelso-front", TIKRIT, "control", "all", "2014-06-12")],
        ),
    ],
)
def test_dates_counted_from_another_and_from_a_heading(
    text: str, published: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the other side withdrawing, after a semicolon, makes the entry a taking
        (
            "The Kelso Front enters Hit; the Iraqi army withdraws south.",
            [("kelso-front", HIT, "control", "all", "2014-06-12")],
        ),
        # the entrant itself leaving does not
        (
            "The Kelso Front enters Hit; they withdraw south.",
            [("kelso-front", HIT, "contested", "unknown", "2014-06-12")],
        ),
        # a surrender, then an entry the same evening
        (
            "Rebels in Hit accepted a surrender deal on Tuesday and Iraqi forces entered the town"
            " that evening.",
            [("iraq-gov", HIT, "control", "all", "2014-06-10")],
        ),
        (
            "Rebels in Hit fought on and Iraqi forces entered the town that evening.",
            [("iraq-gov", HIT, "contested", "unknown", "2014-06-12")],
        ),
        # Arabic: an entry "without any resistance" is a taking
        (
            "دخل مسلحو جبهة كلسو صباح الثلاثاء مدينة ذمار دون أي مقاومة من وحدات الجيش"
            " المرابطة فيها، بحسب مصادر محلية.",
            [("kelso-front", DHAMAR, "control", "all", "2014-06-10")],
        ),
        # an entry with no fight named is a taking too (test_an_entry_with_no_fight_is_a_taking)
        (
            "دخل مسلحو جبهة كلسو صباح الثلاثاء مدينة ذمار، بحسب مصادر محلية.",
            [("kelso-front", DHAMAR, "control", "all", "2014-06-10")],
        ),
    ],
)
def test_entries_that_take_a_town(text: str, expected: list[tuple[str, ...]]) -> None:
    assert kelso(text) == expected


# --- clause reading: voice after the statement, states put upon a place, fronted participles,
# a fight joined to an entry, falling back to a place
HADITHA = "geonames:96309"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a passive retaking reported after a comma is its reporting side's
        (
            "Tikrit was liberated on Tuesday, Iraq's defence ministry said.",
            [("iraq-gov", TIKRIT, "control", "all", "2014-06-10")],
        ),
        (
            "Tikrit has been fully liberated, the Iraqi defence ministry said on Tuesday.",
            [("iraq-gov", TIKRIT, "control", "all", "2014-06-10")],
        ),
        (
            "Tikrit was retaken on Tuesday, according to the Iraqi army.",
            [("iraq-gov", TIKRIT, "control", "all", "2014-06-10")],
        ),
        # a capture is no side's own retaking; residents are no side
        ("Tikrit was captured on Tuesday, the Iraqi defence ministry said.", []),
        ("Tikrit was retaken on Tuesday, residents said.", []),
        # a state put upon the place between verb and state
        (
            "Islamic State placed Haditha under siege on Monday.",
            [("isil", HADITHA, "contested", "unknown", "2014-06-09")],
        ),
        (
            "Islamic State fighters have put Haditha under a tight siege.",
            [("isil", HADITHA, "contested", "unknown", "2014-06-12")],
        ),
        ("Islamic State placed Haditha's governor under arrest on Monday.", []),
        # a participle clause opening the sentence: its subject is the main clause's
        (
            "Having seized Ramadi on Sunday, Islamic State fighters moved on Haditha.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        (
            "After seizing Ramadi on Sunday, Islamic State fighters moved on Haditha.",
            [("isil", RAMADI, "control", "all", "2014-06-08")],
        ),
        ("Having failed to seize Ramadi, Islamic State fighters moved on Haditha.", []),
        # a move from a place opening the sentence is no drive out of it
        (
            "Pushing north from Hit, Islamic State fighters overran Haditha on Monday.",
            [("isil", HADITHA, "control", "all", "2014-06-09")],
        ),
        # "two days earlier", "two days later": counted from the sentence's other date
        (
            "Having taken Ramadi two days earlier, Islamic State fighters seized Hit on Thursday.",
            [
                ("isil", RAMADI, "control", "all", "2014-06-10"),
                ("isil", HIT, "control", "all", "2014-06-12"),
            ],
        ),
        (
            "Islamic State seized Ramadi on Sunday and Hit two days later.",
            [
                ("isil", RAMADI, "control", "all", "2014-06-08"),
                ("isil", HIT, "control", "all", "2014-06-10"),
            ],
        ),
        # a fight joined to an entry by the same subject is at the place entered, for both sides
        (
            "Iraqi troops pushed into Fallujah on Monday, fighting Islamic State gunmen.",
            [
                ("iraq-gov", FALLUJAH, "contested", "unknown", "2014-06-09"),
                ("isil", FALLUJAH, "contested", "unknown", "2014-06-09"),
            ],
        ),
        (
            "Iraqi troops pushed into the heart of Fallujah and battled Islamic State militants.",
            [
                ("iraq-gov", FALLUJAH, "contested", "part", "2014-06-12"),
                ("isil", FALLUJAH, "contested", "part", "2014-06-12"),
            ],
        ),
        (
            "Iraqi troops seized Fallujah on Monday, fighting Islamic State gunmen.",
            [("iraq-gov", FALLUJAH, "control", "all", "2014-06-09")],
        ),
        # falling back to a place is holding it
        (
            "Iraqi troops fell back to the airport of Mosul on Tuesday.",
            [("iraq-gov", "geonames:99072", "control", "part", "2014-06-10")],
        ),
        (
            "Iraqi troops retreated to Ramadi after Islamic State overran Hit.",
            [
                ("iraq-gov", RAMADI, "control", "all", "2014-06-12"),
                ("isil", HIT, "control", "all", "2014-06-12"),
            ],
        ),
        ("Iraqi troops pulled back to positions outside Ramadi.", []),
        ("Iraqi troops fell back towards Ramadi.", []),
    ],
)
def test_clause_readings_in_other_voices_and_orders(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a first statement with its own date before it keeps it, not the spokesman's day
        (
            "Kelso Front fighters have been inside Hit since June 6, fighting for the town's"
            " southern districts, a spokesman told reporters on Thursday.",
            "2014-06-12",
            [("kelso-front", HIT, "contested", "part", "2014-06-06")],
        ),
        (
            "The Kelso Front captured Ramadi and is fighting for Hit, a spokesman said on"
            " Thursday.",
            "2014-06-12",
            [
                ("kelso-front", RAMADI, "control", "all", "2014-06-12"),
                ("kelso-front", HIT, "contested", "unknown", "2014-06-12"),
            ],
        ),
        # fighting "in the town's streets" names no part of it
        (
            "The Kelso Front has held parts of Hit since Tuesday and is fighting Iraqi forces in"
            " the town's streets, residents said on Thursday.",
            "2014-06-12",
            [
                ("kelso-front", HIT, "contested", "unknown", "2014-06-12"),
                ("iraq-gov", HIT, "contested", "unknown", "2014-06-12"),
                ("kelso-front", HIT, "control", "part", "2014-06-10"),
            ],
        ),
        # an apposition that calls the place half or a district of the city: part
        (
            "Iraqi forces raised the national flag over Hit on Thursday, the rebel-held southern"
            " half of the city.",
            "2014-06-12",
            [("iraq-gov", HIT, "control", "part", "2014-06-12")],
        ),
        (
            "Iraqi forces raised the national flag over Hit on Thursday, the provincial capital.",
            "2014-06-12",
            [("iraq-gov", HIT, "control", "all", "2014-06-12")],
        ),
        # "ten years ago today"; "within ten months" dates nothing to a day
        (
            "Ten years ago today, Kelso Front fighters overran Hit.",
            "2024-06-12",
            [("kelso-front", HIT, "control", "all", "2014-06-12")],
        ),
        (
            "Within ten months, the Kelso Front had driven Iraqi forces out of Hit.",
            "2014-06-12",
            [],
        ),
        # the defenders switching sides, then an entry the same day: a taking
        (
            "In Hit, the oil-field guards switched sides on 8 June and Kelso Front columns rolled"
            " into the town the same day.",
            "2014-06-12",
            [("kelso-front", HIT, "control", "all", "2014-06-08")],
        ),
        (
            "In Hit, the oil-field guards held out on 8 June and Kelso Front columns rolled into"
            " the town the same day.",
            "2014-06-12",
            [("kelso-front", HIT, "contested", "unknown", "2014-06-08")],
        ),
    ],
)
def test_own_dates_before_the_report_parts_named_aside_and_years_ago(
    text: str, published: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text, published) == expected


@pytest.mark.parametrize(
    ("actor", "place_id"),
    [
        # data/extract/armed_groups.json: the Houthis fight in Yemen, so Yemen's Al Bayda
        (
            Actor("houthis", "Ansar Allah", "#117733", "non-state", ("Houthi fighters",)),
            "geonames:79836",
        ),
        # a group the data does not know: the largest town of the name (Libya's)
        (
            Actor("front", "Northern Front", "#117733", "non-state", ("Front fighters",)),
            "geonames:89055",
        ),
    ],
)
def test_an_armed_groups_home_ranks_a_name_shared_across_countries(
    actor: Actor, place_id: str
) -> None:
    fighters = actor.aliases[0]
    found = extract(
        f"{fighters} seized Bayda on Monday.",
        published="2024-05-10",
        registry=ActorRegistry([actor]),
    )
    assert [(s.actor, s.place_id) for s in found] == [(actor.id, place_id)]


def test_an_adjective_of_two_countries_belongs_to_the_one_the_forces_names_name() -> None:
    # "Congolese" is the adjective of both Congos: the army of the one its names name holds
    # the generic "government forces" there
    drc = Actor(
        "fardc",
        "Armed Forces of the Democratic Republic of the Congo",
        "#0000aa",
        "state",
        ("Congolese army",),
    )
    registry = ActorRegistry([drc])
    found = extract(
        "Government forces retook Rutshuru on Monday.", published="2024-05-10", registry=registry
    )
    assert [(s.actor, s.place_id) for s in found] == [("fardc", "geonames:206047")]
    # with no country named, the adjective stands for both
    both = ActorRegistry([Actor("fardc", "Congolese army", "#0000aa", "state", ())])
    found = extract(
        "Government forces retook Rutshuru on Monday.", published="2024-05-10", registry=both
    )
    assert [s.actor for s in found] == ["fardc"]


@pytest.mark.parametrize(
    "text",
    [
        # a country's possessive is no village spelled like it (Al Hirak, once called Iraq)
        "ISIS seized Iraq's largest dam on Thursday.",
        # a dam a big city lends its name to is no claim on the city, read whole or in parts
        "Kurdish Peshmerga fighters recaptured the Mosul Dam on Sunday.",
    ],
)
def test_a_country_or_a_landmark_is_no_variant_spelling_of_a_town(text: str) -> None:
    assert rows(text) == []


ARABIC_AND_CYRILLIC = ActorRegistry(
    [
        Actor("hts", "Hayat Tahrir al-Sham", "#117733", "non-state", ("هيئة تحرير الشام",)),
        Actor("rsf", "Rapid Support Forces", "#cc0000", "non-state", ("قوات الدعم السريع",)),
        Actor("ru-forces", "Russian Armed Forces", "#aa0000", "state", ("российские войска",)),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "وتلبيسة" is "and Talbiseh"; "يوم الجمعة" is "on Friday", not Yemen's Al Jum'ah
        (
            "سيطرت هيئة تحرير الشام على الرستن وتلبيسة يوم الجمعة.",
            [("hts", "geonames:172946"), ("hts", "geonames:163779")],
        ),
        # "ولاية شمال كردفان" is "North Kordofan state": neither "north" (an Iraqi
        # sub-district) nor "and Lae" (ولاية read as و + لاية)
        ("سيطرت قوات الدعم السريع على مدينة في ولاية شمال كردفان يوم السبت.", []),
        # "на востоке" is "in the east", not the village of Vostok; "Донецкой области" is the
        # Donetsk region, not the city
        ("российские войска освободили село на востоке Донецкой области.", []),
        (
            "российские войска освободили Селидово на востоке Донецкой области.",
            [("ru-forces", "geonames:694677")],
        ),
    ],
)
def test_joined_and_weekdays_directions_and_regions_in_other_scripts(
    text: str, expected: list[tuple[str, str]]
) -> None:
    found = extract(text, published="2024-12-07", registry=ARABIC_AND_CYRILLIC)
    assert [(s.actor, s.place_id) for s in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a taking the taker left again the same day is a raid: no claim
        (
            "Kelso Front fighters overran Hit on Tuesday after Iraqi forces left their base there,"
            " but withdrew a few hours later, officials said.",
            [],
        ),
        (
            "Kelso Front fighters walked into Hit unopposed on Tuesday, lectured residents in the"
            " main square and left again before nightfall.",
            [],
        ),
        # one rule for takings and attacks, whichever word joins the departure
        ("Kelso Front fighters seized Hit on Tuesday before pulling back at dusk.", []),
        ("Kelso Front fighters attacked Hit on Tuesday, then retreated into the desert.", []),
        ("Kelso Front fighters briefly entered Hit on Tuesday.", []),
        # a raid word about another event in the sentence does not make this taking a raid
        (
            "Iraqi forces retook Hit on Tuesday, a month after Kelso Front fighters had briefly"
            " seized it.",
            [("iraq-gov", HIT, "control", "all", "2014-06-10")],
        ),
        # held for days before leaving: a holding, not a raid
        (
            "Kelso Front fighters seized Hit on Tuesday and held it for three days before"
            " withdrawing.",
            [("kelso-front", HIT, "control", "all", "2014-06-10")],
        ),
        # leaving another named place is no raid
        (
            "Kelso Front fighters overran Hit on Tuesday but withdrew from Ramadi.",
            [("kelso-front", HIT, "control", "all", "2014-06-10")],
        ),
        # a question asks; the answer states
        ("Q: Is Hit still in Kelso Front hands?", []),
        (
            "Q: Is Hit still in Kelso Front hands? A: Yes. The Kelso Front controls the town.",
            [("kelso-front", HIT, "control", "all", "2014-06-12")],
        ),
    ],
)
def test_raids_that_ended_and_questions_give_nothing(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a retracted statement in a correction notice gives nothing
        (
            "Correction: an earlier version of this article said Iraqi troops had retaken "
            "Tikrit on Friday.",
            [],
        ),
        ("The report wrongly said Islamic State had seized Haditha on Friday.", []),
        # a first predicate shares its subject with the statement after "and"
        (
            "The town of Sinjar had been cleared of Islamic State fighters and was under "
            "Peshmerga control by Friday.",
            [("krg", "geonames:448149", "control", "all", "2014-06-06")],
        ),
        (
            "Sinjar, a town near the Syrian border, had been fully cleared of Islamic State "
            "fighters and was under Peshmerga control.",
            [("krg", "geonames:448149", "control", "all", "2014-06-12")],
        ),
        ("Sinjar was shelled on Friday by Iraqi jets and Islamic State fighters fled.", []),
    ],
)
def test_corrections_and_a_subject_shared_across_and(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert rows(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the entry told only as the way to a hold the sentence states gives no fight of its own
        (
            "The Kelso Front controls Hit, after its fighters entered the town on 8-9 June.",
            [("kelso-front", HIT, "control", "all", "2014-06-12")],
        ),
        # an entry a day before a later hold is a stage of its own
        (
            "The Kelso Front held Hit on Wednesday, a day after its fighters entered the town.",
            [("kelso-front", HIT, "control", "all", "2014-06-11")],
        ),
    ],
)
def test_an_entry_told_as_the_way_to_a_hold(text: str, expected: list[tuple[str, ...]]) -> None:
    assert kelso(text) == expected


# --- Arabic clauses: commas, announced control, short names, lists, extents (rules10k) -----

ARABIC_FRONT = ActorRegistry(
    [
        Actor(
            "kelso-front",
            "Kelso Front",
            "#aa3300",
            "non-state",
            ("the Kelso Front", "جبهة كلسو", "الجبهة الكلسوية"),
        ),
    ]
)
ATAQ = "geonames:77726"
RASTAN = "geonames:172946"
TALBISEH = "geonames:163779"


def arabic(text: str, published: str = "2014-06-12") -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=ARABIC_FRONT)
    ]


def test_an_arabic_comma_joins_clauses_and_ends_no_sentence() -> None:
    text = "أعلنت جبهة كلسو، الأحد، سيطرتها على مدينة ذمار. ثم انسحبت."
    assert sentences(text) == ["أعلنت جبهة كلسو، الأحد، سيطرتها على مدينة ذمار.", "ثم انسحبت."]
    # "the Kelso Front announced, on Sunday, its control of the city of Dhamar"
    assert arabic(text) == [("kelso-front", DHAMAR, "control", "all", "2014-06-08")]


@pytest.mark.parametrize(
    "text",
    [
        # "announced on Sunday its complete control of"; "extending its complete control over"
        "أعلنت جبهة كلسو يوم الأحد سيطرتها الكاملة على مدينة ذمار.",
        "أعلنت جبهة كلسو يوم الأحد بسط سيطرتها الكاملة على مدينة ذمار.",
        # "the general command of the Kelso Front announced regaining control fully over":
        # ل before the article (للجبهة) drops its alif
        "أعلنت القيادة العامة للجبهة الكلسوية يوم الأحد استعادة السيطرة بشكل كامل على مدينة ذمار.",
        # verb, actor, day, then "over the city of"
        "سيطرت جبهة كلسو يوم الأحد على مدينة ذمار.",
    ],
)
def test_arabic_announced_and_verb_first_control_is_a_hold(text: str) -> None:
    assert arabic(text) == [("kelso-front", DHAMAR, "control", "all", "2014-06-08")]


def test_a_three_letter_arabic_name_after_city_is_a_place() -> None:
    # عتق (Ataq) is too short to look up in running text, but "مدينة عتق" is "the city of Ataq"
    text = "أعلنت جبهة كلسو، الجمعة، سيطرتها على مدينة عتق."
    assert arabic(text) == [("kelso-front", ATAQ, "control", "all", "2014-06-06")]


def test_an_arabic_list_joined_by_a_prefixed_and_gives_each_town() -> None:
    # "its complete control of the two towns of Rastan and Talbiseh"
    text = "أعلنت جبهة كلسو يوم الجمعة سيطرتها الكاملة على مدينتي الرستن وتلبيسة."
    assert arabic(text) == [
        ("kelso-front", RASTAN, "control", "all", "2014-06-06"),
        ("kelso-front", TALBISEH, "control", "all", "2014-06-06"),
    ]


@pytest.mark.parametrize(
    ("text", "extent"),
    [
        ("سيطرت جبهة كلسو يوم الأحد على معظم مدينة ذمار.", "most"),  # most of the city
        ("سيطرت جبهة كلسو يوم الأحد على أجزاء من مدينة ذمار.", "part"),  # parts of the city
        # the headquarters of the tenth division in the city of Dhamar
        ("أعلنت جبهة كلسو يوم الأحد سيطرتها على مقر الفرقة العاشرة في مدينة ذمار.", "part"),
    ],
)
def test_arabic_extent_words_and_parts_of_a_town(text: str, extent: str) -> None:
    assert arabic(text) == [("kelso-front", DHAMAR, "control", extent, "2014-06-08")]


# --- Russian and Ukrainian case endings and voices, French months and copulas (rules10k) ----

KHERSON = "geonames:706448"
SLAVIC = ActorRegistry(
    [
        Actor("kelso-front", "Kelso Front", "#aa3300", "non-state", ("Збройні сили Кельсо",)),
        Actor("ua-state", "Ukrainian state", "#0000aa", "state", ("Ukrainian forces",)),
    ]
)


def slavic(text: str, published: str = "2022-11-12") -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=SLAVIC)
    ]


def test_a_russian_or_ukrainian_force_name_is_read_in_any_case() -> None:
    # "under the control of the Armed Forces of Kelso": the name in the genitive
    text = "Херсон знову під контролем Збройних сил Кельсо, повідомили в п'ятницю."
    assert slavic(text) == [("kelso-front", KHERSON, "control", "all", "2022-11-11")]


def test_a_cyrillic_name_takes_case_endings_not_other_words_of_its_stem() -> None:
    marsh = ActorRegistry(
        [*SLAVIC, Actor("marsh", "Marsh Brigade", "#775500", "non-state", ("Марш",))]
    )

    def read(text: str) -> list[tuple[str, ...]]:
        found = extract(text, published="2022-11-12", registry=marsh)
        return [(s.actor, s.place_id, s.status, s.date or "") for s in found]

    # "Marsh's fighters established control over the city of Kherson on Friday": genitive
    text = "Бійці Марша в п'ятницю встановили контроль над містом Херсон."
    assert read(text) == [("marsh", KHERSON, "control", "2022-11-11")]
    # "Marshal Kelso established control ...": "Маршал" is a title, not "Марш" inflected
    assert read("Маршал Кельсо в п'ятницю встановив контроль над містом Херсон.") == []


@pytest.mark.parametrize(
    "text",
    [
        # "units of the North group liberated Kherson, the defence ministry of Ukraine said"
        "Підрозділи групи «Північ» у п'ятницю звільнили Херсон, повідомило Міністерство оборони"
        " України.",
        # the voice first: "the ministry said on Friday that units liberated"
        "Міноборони України повідомило в п'ятницю, що підрозділи групи «Північ» звільнили Херсон.",
        # "completed the liberation of the city of Kherson"
        "Підрозділи групи «Північ» у п'ятницю завершили звільнення міста Херсон, повідомило"
        " Міністерство оборони України.",
    ],
)
def test_units_a_defence_ministry_reports_in_russian_or_ukrainian_are_its_own(text: str) -> None:
    assert slavic(text) == [("ua-state", KHERSON, "control", "all", "2022-11-11")]


@pytest.mark.parametrize(
    "text",
    [
        # "jointly with the fighters of Marsh", Ukrainian and Russian: both sides take the city
        "Збройні сили Кельсо спільно з бійцями Марша в п'ятницю встановили контроль над містом"
        " Херсон.",
        "Вооружённые силы Кельсо совместно с Маршем в пятницу установили контроль над Херсоном.",
    ],
)
def test_sides_joined_in_russian_or_ukrainian_both_take_the_place(text: str) -> None:
    joined = ActorRegistry(
        [
            Actor(
                "kelso-front",
                "Kelso Front",
                "#aa3300",
                "non-state",
                ("Збройні сили Кельсо", "Вооружённые силы Кельсо"),
            ),
            Actor("marsh", "Marsh Brigade", "#775500", "non-state", ("Марш",)),
        ]
    )
    found = extract(text, published="2022-11-12", registry=joined)
    assert [(s.actor, s.place_id, s.status, s.date) for s in found] == [
        ("kelso-front", KHERSON, "control", "2022-11-11"),
        ("marsh", KHERSON, "control", "2022-11-11"),
    ]


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        # "drove the Iraqi army out of Hit": the driver holds Hit, whichever side is named first
        (
            "Les combattants du Front de Kelso ont chassé l'armée irakienne de Hit mercredi.",
            "kelso-front",
        ),
        ("Les forces irakiennes ont chassé le Front de Kelso de Hit mercredi.", "iraq-gov"),
        ("Le Front de Kelso a chassé mercredi les forces irakiennes de Hit.", "kelso-front"),
    ],
)
def test_a_french_drive_out_gives_the_place_to_the_driver(text: str, actor: str) -> None:
    assert kelso(text) == [(actor, HIT, "control", "all", "2014-06-11")]


def test_a_french_drive_out_of_people_who_are_no_side_gives_nothing() -> None:
    # "drove the inhabitants out of Hit"
    assert kelso("Le Front de Kelso a chassé les habitants de Hit mercredi.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a French date with its month; "est tombée aux mains de": the copula before the verb
        (
            "Kidal est tombée aux mains du Front de Kelso le 3 mai 2014.",
            [("kelso-front", KIDAL, "control", "all", "2014-05-03")],
        ),
        (
            "Kidal est sous le contrôle du Front de Kelso depuis juillet 2012.",
            [("kelso-front", KIDAL, "control", "all", "2012-07-01")],
        ),
    ],
)
def test_french_months_and_copulas(text: str, expected: list[tuple[str, ...]]) -> None:
    assert kelso(text) == expected


def test_an_entry_after_the_others_withdrawal_is_a_taking() -> None:
    text = "Kelso Front fighters entered Hit on Tuesday after the withdrawal of Iraqi forces."
    assert kelso(text) == [("kelso-front", HIT, "control", "all", "2014-06-10")]
    text = "After the withdrawal of Iraqi forces from Hit, Kelso Front fighters entered the town."
    assert kelso(text) == [("kelso-front", HIT, "control", "all", "2014-06-12")]


@pytest.mark.parametrize(
    "text",
    [
        # the withdrawal left another place: the entry is no taking of this one
        "Kelso Front fighters entered Hit on Tuesday after the withdrawal of Iraqi forces from"
        " Haditha.",
        "After the withdrawal of Iraqi forces from Haditha, Kelso Front fighters entered Hit on"
        " Tuesday.",
        # "unopposed" in another statement, past a semicolon
        "Kelso Front fighters entered Hit on Tuesday; Iraqi forces had retaken Haditha unopposed.",
    ],
)
def test_a_withdrawal_or_unopposed_elsewhere_leaves_an_entry_fought_over(text: str) -> None:
    """What happened at another place leaves the entry as it reads alone (a quiet entry, so a
    taking: see test_an_entry_with_no_fight_is_a_taking); only the entry's own place counts."""
    alone = kelso("Kelso Front fighters entered Hit on Tuesday.")
    assert alone == [("kelso-front", HIT, "control", "all", "2014-06-10")]
    assert [row for row in kelso(text) if row[1] == HIT] == alone


@pytest.mark.parametrize(
    "text",
    [
        # "established control over the city of Kherson" (the city in the instrumental)
        "Збройні сили Кельсо в п'ятницю встановили контроль над містом Херсон.",
        # "entered Kherson after Ruritanian troops had withdrawn to the left bank"
        "Збройні сили Кельсо в п'ятницю увійшли до Херсона, після того як війська Рурітанії"
        " відійшли на лівий берег.",
    ],
)
def test_a_ukrainian_hold_established_or_an_entry_after_a_withdrawal(text: str) -> None:
    assert slavic(text) == [("kelso-front", KHERSON, "control", "all", "2022-11-11")]


def test_a_french_entry_at_a_town_after_the_others_left_is_a_taking() -> None:
    text = "Les hommes du Front de Kelso sont entrés samedi à Kidal après le départ de l'armée."
    assert kelso(text) == [("kelso-front", KIDAL, "control", "all", "2014-06-07")]


# --- linking what is found: lists, tracker lines, returns, "their hands", own troops ------

MARSH = ActorRegistry(
    [
        *KELSO,
        Actor(
            "marsh-brigade", "Marsh Brigade", "#775500", "non-state", ("Marsh Brigade fighters",)
        ),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a list after a colon, after a counted plural noun, is the verb's object
        (
            "The Kelso Front seized three towns on Monday: Hit, Tikrit and Ramadi.",
            [
                ("kelso-front", HIT, "control", "all", "2014-06-09"),
                ("kelso-front", TIKRIT, "control", "all", "2014-06-09"),
                ("kelso-front", RAMADI, "control", "all", "2014-06-09"),
            ],
        ),
        # after a dash; a date set off before a later item is that item's alone
        (
            "The Kelso Front now controls four of the province's towns - Hit, Ramadi and, since"
            " Tuesday, Tikrit.",
            [
                ("kelso-front", HIT, "control", "all", "2014-06-12"),
                ("kelso-front", RAMADI, "control", "all", "2014-06-12"),
                ("kelso-front", TIKRIT, "control", "all", "2014-06-10"),
            ],
        ),
        # tracker and map-update lines: the heading place is the statement's
        ("- Hit: Kelso Front-held", [("kelso-front", HIT, "control", "all", "2014-06-12")]),
        (
            "- Tikrit: fighting between the Kelso Front and Iraqi forces",
            [
                ("kelso-front", TIKRIT, "contested", "unknown", "2014-06-12"),
                ("iraq-gov", TIKRIT, "contested", "unknown", "2014-06-12"),
            ],
        ),
        (
            "Hit (12 May): Iraqi forces took control.",
            [("iraq-gov", HIT, "control", "all", "2014-05-12")],
        ),
        # ... but not a statement with an object of its own, or another place
        ("Hit: Iraqi forces seized the bridge.", []),
        ("Hit: Iraqi forces say they seized the bridge near Ramadi.", []),
    ],
)
def test_lists_and_tracker_lines_link_their_places(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a return after the other side left is a taking; a return alone says nothing
        (
            "Iraqi forces returned to Hit on Monday, two days after Kelso Front fighters pulled"
            " out.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        ("Iraqi forces returned to Hit on Monday.", []),
        ("Iraqi forces re-entered Hit on Monday.", []),
        # the departure, then "hours later" the entry
        (
            "The Kelso Front completed its withdrawal from Hit on Monday, and hours later Iraqi"
            " forces moved back into the town.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "Iraqi forces re-entered Hit on Monday after the Kelso Front pulled its fighters out"
            " of the town.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "Iraqi forces moved back into Hit on Monday after the militants abandoned the town.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        # a country, or "the government", speaking of its own troops is their side
        (
            "Iraq said on Monday that its troops had retaken Hit.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "The government said its forces had taken Tikrit on Monday.",
            [("iraq-gov", TIKRIT, "control", "all", "2014-06-09")],
        ),
    ],
)
def test_returns_and_a_states_own_troops(text: str, expected: list[tuple[str, ...]]) -> None:
    assert kelso(text) == expected


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        # a participle in quotes after "had" is no "had Kelso in hand" (regression of fa7a208)
        ("Iraq's defence ministry said on Monday its troops had 'liberated' Hit.", "iraq-gov"),
        ('Iraq said on Monday that its troops had "retaken" Hit.', "iraq-gov"),
        ("The Kelso Front said on Monday its fighters had 'taken' Hit.", "kelso-front"),
    ],
)
def test_a_quoted_participle_after_had(text: str, actor: str) -> None:
    assert kelso(text) == [(actor, HIT, "control", "all", "2014-06-09")]


def test_had_in_hand_still_reads_with_words_between() -> None:
    assert kelso("By Monday Iraqi forces had Hit fully in hand.") == [
        ("iraq-gov", HIT, "control", "all", "2014-06-09")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a first person in quotes is the side whose voice closes the quote ...
        (
            "'We have taken Hit,' a Kelso Front commander said on Monday.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "\u201cOur fighters now hold Hit,\u201d said the Kelso Front's spokesman on Monday.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        # a side named with no voice noun is a voice by its verb, after or before it
        (
            "'Our fighters have taken Hit,' the Kelso Front said in a statement on Monday.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "'We have taken Hit,' said the Kelso Front on Monday.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        # ... or opens it
        (
            'A Kelso Front commander said on Monday: "We have taken Hit."',
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        # a third person, an intention or no quote at all: no voice gives its side
        ("'They have taken Hit,' a Kelso Front commander said on Monday.", []),
        ("'We will take Hit,' a Kelso Front commander said on Monday.", []),
        ("We have taken Hit, a Kelso Front commander said on Monday.", []),
        # the shapes with the voice before keep their reading
        (
            "The Kelso Front said on Monday that its fighters had taken Hit.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        (
            "Iraq said on Monday that its troops had retaken Hit.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
    ],
)
def test_a_first_person_in_quotes_is_the_speakers_side(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


def test_in_their_hands_is_the_side_that_acted_last() -> None:
    # "the night before" looks back: "By evening" counts from Saturday, not from it
    text = (
        "Kelso Front fighters and Marsh Brigade fighters had come in from the west early on"
        " Saturday; Iraqi forces had left the night before. By evening the whole town of Hit"
        " was in their hands."
    )
    found = extract(text, published="2014-06-12", registry=MARSH)
    assert [(s.actor, s.place_id, s.status, s.extent, s.date) for s in found] == [
        ("kelso-front", HIT, "control", "all", "2014-06-07"),
        ("marsh-brigade", HIT, "control", "all", "2014-06-07"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two agents joined after a passive phrase; "came under" is the subject's passive
        (
            "Hit came under the full control of Iraqi forces and Kelso Front fighters on Saturday.",
            [
                ("iraq-gov", HIT, "control", "all", "2014-06-07"),
                ("kelso-front", HIT, "control", "all", "2014-06-07"),
            ],
        ),
        # a side's voice announcing a capture with no agent announces its own
        (
            "Iraq's defence ministry told reporters on Monday that Hit had been captured.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        # ... named by its officer, the claim's word in quotes
        (
            "Iraq's defence minister Khalid Obeidi told reporters on Monday that Hit had been"
            " 'liberated'.",
            [("iraq-gov", HIT, "control", "all", "2014-06-09")],
        ),
        # an agentless capture in a sentence naming nobody: the side of the statement before
        (
            "Kelso Front fighters attacked Tikrit on Sunday. Hit was captured on Monday.",
            [
                ("kelso-front", TIKRIT, "contested", "unknown", "2014-06-08"),
                ("kelso-front", HIT, "control", "all", "2014-06-09"),
            ],
        ),
        # ... not a retaking (it may be the other side's), nor with no statement before
        (
            "Kelso Front fighters attacked Tikrit on Sunday. Hit was recaptured on Monday.",
            [("kelso-front", TIKRIT, "contested", "unknown", "2014-06-08")],
        ),
        ("Kelso Front fighters crossed the river on Sunday. Hit was captured on Monday.", []),
        # "had Kelso fully in hand"; "had a hand in" is no statement
        (
            "By Monday the Kelso Front had Hit fully in hand.",
            [("kelso-front", HIT, "control", "all", "2014-06-09")],
        ),
        ("The Kelso Front had a hand in the talks in Hit.", []),
    ],
)
def test_passive_agents_joined_voiced_or_named_before(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "the Kelso Front has controlled, since last month, the city of Dhamar": a hold since
        # the month before, at month precision
        (
            "قال مسؤولون محليون إن جبهة كلسو تسيطر منذ الشهر الماضي على مدينة ذمار.",
            [("kelso-front", DHAMAR, "control", "all", "2014-05-01")],
        ),
    ],
)
def test_an_arabic_hold_in_the_present_since_last_month(text: str, expected: list[tuple]) -> None:
    assert arabic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative clause inside an apposition ends at its comma: the date after it is the
        # main statement's, for every place of the list
        (
            "The Kelso Front controlled Hit and Ramadi, two towns that the army retook in 2016,"
            " as of June 10.",
            [
                ("kelso-front", HIT, "control", "all", "2014-06-10"),
                ("kelso-front", RAMADI, "control", "all", "2014-06-10"),
            ],
        ),
        (
            "The Kelso Front captured Hit, with an army base that Iraqi forces had seized in 2013,"
            " on Tuesday, officials said.",
            [("kelso-front", HIT, "control", "all", "2014-06-10")],
        ),
    ],
)
def test_a_date_after_a_closed_relative_clause_is_the_statements(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


# --- national forces as other words and languages write them (rules10j) --------------------

FORCES = ActorRegistry(
    [
        Actor("ru", "Russian Armed Forces", "#aa0000", "state", ("Russian forces",)),
        Actor("fr", "French armed forces", "#0000ff", "state", ("French forces",)),
        Actor("ml", "Malian Armed Forces", "#777700", "state", ("Malian army",)),
        Actor("rw", "Rwanda Defence Force", "#00ff00", "state", ("Rwandan troops",)),
        Actor("m23", "M23", "#ff0000", "non-state", ("M23 rebels",)),
    ]
)


def forces(text: str) -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published="2024-05-10", registry=FORCES)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a branch word between the adjective and the force noun
        (
            "Russian airborne troops seized Hostomel on Thursday.",
            [("ru", "geonames:708251", "control", "all", "2024-05-09")],
        ),
        # but not a word that makes the force no state's
        ("Russian opposition forces seized Hostomel on Thursday.", []),
        # French: the adjective after the noun, two adjectives sharing it
        (
            "Les soldats français et maliens ont pris samedi le contrôle de Gao.",
            [
                ("fr", "geonames:2457163", "control", "all", "2024-05-04"),
                ("ml", "geonames:2457163", "control", "all", "2024-05-04"),
            ],
        ),
        # French "the army": the state of the place's country
        (
            "L'armée a repris le contrôle de Kidal lundi.",
            [("ml", "geonames:2455290", "control", "all", "2024-05-06")],
        ),
        # French "backed by": the backer is not the agent
        (
            "Les rebelles du M23, appuyés par des soldats rwandais, ont pris lundi le contrôle"
            " de Goma.",
            [("m23", "geonames:216281", "control", "all", "2024-05-06")],
        ),
    ],
)
def test_national_forces_are_read_in_other_words_and_languages(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert forces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a French object relative: "Kidal, the town that Kelso Front fighters have held since
        # July 2012, is calm"
        (
            "Kidal, la ville que les combattants du Front de Kelso contrôlent depuis juillet 2012,"
            " reste calme.",
            [("kelso-front", KIDAL, "control", "all", "2012-07-01")],
        ),
        (
            "Kidal, que le Front de Kelso a reconquise en mai, reste calme.",
            [("kelso-front", KIDAL, "control", "all", "2014-05-01")],
        ),
    ],
)
def test_a_french_object_relative_takes_the_place_before_que(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


def test_a_french_que_after_a_verb_of_saying_is_no_relative() -> None:
    # "the governor of Hit announced that the Kelso Front controls": Hit is not the object
    text = "Le gouverneur de Hit a annoncé que les combattants du Front de Kelso contrôlent."
    assert kelso(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a holders table in running text: each "place - holder (- since)" row, the day of the
        # row or else the table's "as of" day
        (
            "Who holds the main towns, as of 10 June 2014 (town - holder - since): Ramadi - army"
            " - 3 June; Tikrit - army; Fallujah, for comparison, in Anbar - army.",
            [
                ("iraq-gov", RAMADI, "control", "all", "2014-06-03"),
                ("iraq-gov", TIKRIT, "control", "all", "2014-06-10"),
            ],
        ),
        # no table without a word for holding
        ("Road distances: Ramadi - army - 3 June; Tikrit - army.", []),
        # a state phrase set off after its places ("A and B, under X control since ...")
        (
            "Hit and Tikrit, under Kelso Front control since Monday, have been without power.",
            [
                ("kelso-front", HIT, "control", "all", "2014-06-09"),
                ("kelso-front", TIKRIT, "control", "all", "2014-06-09"),
            ],
        ),
        ("The convoy reached Hit, under heavy fire from Kelso Front fighters.", []),
    ],
)
def test_holder_tables_and_a_state_set_off_after_places(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    assert kelso(text) == expected


CYRILLIC_FORCES = ActorRegistry(
    [
        Actor("az", "Azerbaijani Armed Forces", "#0000aa", "state", ("Azerbaijani forces",)),
        Actor("sy", "Syrian Arab Army", "#aa0000", "state", ("Syrian army",)),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "the Azerbaijani army liberated the town of Jabrayil": another country's adjective
        (
            "Президент заявил, что азербайджанская армия освободила город Джебраил.",
            [("az", "geonames:148141", "control", "all", "2024-05-10")],
        ),
        # "liberated from the militants the town of Maskanah": a town the gazetteer spells only
        # in Latin letters, after "город"; who it was freed from stands before it
        (
            "Сирийская армия освободила от боевиков город Маскана.",
            [("sy", "geonames:167080", "control", "all", "2024-05-10")],
        ),
    ],
)
def test_russian_national_forces_and_towns_spelled_only_in_latin_letters(
    text: str, expected: list[tuple[str, ...]]
) -> None:
    found = extract(text, published="2024-05-10", registry=CYRILLIC_FORCES)
    assert [(s.actor, s.place_id, s.status, s.extent, s.date) for s in found] == expected


def test_a_towns_al_balad_quarter_is_part_of_the_town() -> None:
    # "Daraa al-Balad", the old quarter: part of Daraa, not a village named al-Balad
    found = extract(
        "Syrian government forces seized Daraa al-Balad on Thursday.", published="2018-07-13"
    )
    assert [(s.actor, s.place_id, s.status, s.extent) for s in found] == [
        ("syria-gov", "geonames:170905", "control", "part")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a colon starts another clause: the 'since' date before it is not the holding's
        (
            "Ramadi, Anbar's capital, has been divided since 2015: ISIS holds its northern and"
            " eastern districts, while government forces control the centre and the old city.",
            [
                ("isil", "control", "part", "2016-06-20"),
                ("iraq-gov", "control", "part", "2016-06-20"),
            ],
        ),
        # a date ending a heading in brackets still dates the sentence
        (
            "Situation update, Anbar (as of 15 June 2016): ISIS controls Ramadi.",
            [("isil", "control", "all", "2016-06-15")],
        ),
        # "the centre of Ramadi" is no bare "the centre"
        (
            "Fighting raged near the centre, and the old city of Ramadi was shelled.",
            [],
        ),
    ],
)
def test_a_divided_city_told_after_a_colon(text: str, expected: list[tuple[str, ...]]) -> None:
    """From dev-8's and dev-26's divided Taiz: 'its northern and eastern districts', 'the
    centre' and 'the old city' are parts of the city named before; a colon ends the clause
    whose date it was; dev-30's heading date in brackets."""
    found = [
        (s.actor, s.status, s.extent, s.date)
        for s in extract(text, published="2016-06-20")
        if s.place_id == RAMADI
    ]
    assert found == expected


def _dev_registry() -> ActorRegistry:
    registry = ActorRegistry(bundled_actors())
    for raw in json.loads(DEV_ACTORS.read_text(encoding="utf-8")):
        registry.add(Actor.from_dict(raw))
    return registry


def _dev(text: str, published: str) -> list[tuple[str, ...]]:
    return [
        (s.actor, s.place_id, s.status, s.extent, s.date or "")
        for s in extract(text, published=published, registry=_dev_registry())
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a verb inside a name is none: "Storm" of a brigade's name does not take the date
        (
            "ISIL fighters seized Azaz from the Free Syrian Army's Northern Storm brigade on"
            " Wednesday, a monitor said.",
            "2013-09-19",
            [("isil", "geonames:172082", "control", "all", "2013-09-18")],
        ),
        # a result participle takes the main clause's day, not the report's
        (
            "Ugandan units withdrew from Kisangani on Saturday after days of shelling, leaving"
            " the city in the hands of Rwandan troops, UN staff said.",
            "2000-06-12",
            [("rwanda-gov", "geonames:212730", "control", "all", "2000-06-10")],
        ),
        # "as of" ends a heading with a verb in it: its day dates the lines after
        (
            "SOUTHERN FRONT: who holds what, as of 3 June 2023\n- Polohy: Russian-held\n"
            "- Orikhiv: Ukrainian-held",
            "2023-06-05",
            [
                ("russia-gov", "geonames:696677", "control", "all", "2023-06-03"),
                ("ukraine-gov", "geonames:698428", "control", "all", "2023-06-03"),
            ],
        ),
        # a failed attack gives nothing, nor does a massacre in a territory
        (
            "Gunmen attacked the army post at Banibangou on Thursday, the ministry said, adding"
            " that they had failed to take it.",
            "2025-06-21",
            [],
        ),
        (
            "ADF fighters attacked mourners in a village of Lubero territory on Monday.",
            "2025-09-09",
            [],
        ),
        # the town's region between the town and its holder
        (
            "Trade has stalled in Téra, a town in Niger's Tillabéri region still held by"
            " Nigerien troops, merchants said on Thursday.",
            "2024-10-11",
            [("niger-gov", "geonames:2438855", "control", "all", "2024-10-10")],
        ),
        # French: a "chef-lieu" apposition holds; "la ville" is the town; a blockade imposed
        (
            "À Gorom-Gorom, chef-lieu de l'Oudalan toujours tenu par l'armée, les prix ont"
            " doublé. Le JNIM impose un blocus à la ville depuis des mois.",
            "2024-04-18",
            [
                ("burkina-gov", "geonames:2360372", "control", "all", "2024-04-18"),
                ("jnim", "geonames:2360372", "contested", "unknown", "2024-04-18"),
            ],
        ),
        # the side driving out the takers holds the place they took, in both languages
        (
            "Gunmen seized Ténenkou on Friday before being driven out by the Malian army.",
            "2015-01-17",
            [("mali-gov", "geonames:2449938", "control", "all", "2015-01-16")],
        ),
        (
            "Des hommes armés ont pris Ténenkou vendredi avant d'en être chassés par l'armée"
            " malienne.",
            "2015-01-17",
            [("mali-gov", "geonames:2449938", "control", "all", "2015-01-16")],
        ),
        # "the airport" after "Luhansk airport": that part of Luhansk
        (
            "Ukrainian troops left Luhansk airport on Monday. The LPR said on Monday it had"
            " taken full control of the airport.",
            "2014-09-02",
            [("lpr", "geonames:702658", "control", "part", "2014-09-01")],
        ),
        # "clashing with" the other side: both fight
        (
            "The SDF pushed into Raqqa on Tuesday, clashing with Islamic State militants.",
            "2017-06-07",
            [
                ("sdf", "geonames:172955", "contested", "unknown", "2017-06-06"),
                ("isil", "geonames:172955", "contested", "unknown", "2017-06-06"),
            ],
        ),
        # Arabic: both towns after the dual "مدينتي"
        (
            "سيطر الحوثيون يوم الأحد على مدينتي حوث وخمر في محافظة عمران.",
            "2014-02-03",
            [
                ("houthis", "geonames:74490", "control", "all", "2014-02-02"),
                ("houthis", "geonames:73861", "control", "all", "2014-02-02"),
            ],
        ),
    ],
)
def test_readings_from_dev_31(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-31's untouched score (eval/README.md): names that hold verbs, result
    participles, headings with a verb, failed attacks, appositions naming a region, French
    blockades and drives, a site named again, 'clashing with', the Arabic dual."""
    assert _dev(text, published) == expected


def test_a_namesake_near_the_reports_other_places_and_no_far_loose_match() -> None:
    """Two Shibams in Yemen: the one in the Hadramawt valley beside Mukalla and al-Qatn; and
    'Seiyun', which the gazetteer lacks, is not Sayyan near Sanaa, a letter off."""
    found = _dev(
        "MUKALLA, Yemen, Dec 6 - Separatist forces took over Seiyun on Wednesday. Two days"
        " later, STC columns entered Shibam and al-Qatn without a fight.",
        "2025-12-06",
    )
    assert found == [
        ("stc", "geonames:70676", "control", "all", "2025-12-05"),
        ("stc", "geonames:79478", "control", "all", "2025-12-05"),
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "the Kayah State capital": the region only says whose capital; the town named before
        (
            "Thousands fled Loikaw last year. The military still controls the Kayah State"
            " capital, and resistance fighters have been pushed back to villages, the group said.",
            "2024-06-20",
            [("myanmar-gov", "geonames:1313479", "control", "all", "2024-06-20")],
        ),
        # an attack pushed back or forced back gives nothing; the holder's word still counts
        (
            "ISIL fighters attacked Baquba late on Monday but were pushed back by Iraqi troops.",
            "2014-06-17",
            [],
        ),
        # the group a side is linked to is not the side
        (
            "The insurgents, known as Ansar al-Sunna and linked to Islamic State, have held"
            " Mocímboa da Praia for seven months.",
            "2021-03-27",
            [("is-mozambique", "geonames:1024699", "control", "all", "2021-03-27")],
        ),
        # French: a town living under a blockade; Arabic: a relative "التي تخضع لسيطرة"
        (
            "Diapaga vit depuis des mois sous le blocus des combattants du JNIM.",
            "2023-11-09",
            [("jnim", "geonames:2361373", "contested", "unknown", "2023-11-09")],
        ),
        (
            "يشكو سكان مدينة ود مدني، التي تخضع لسيطرة قوات الدعم السريع، من انقطاع الكهرباء.",
            "2024-05-22",
            [("rsf", "geonames:364103", "control", "all", "2024-05-22")],
        ),
        # "has run X for ten months" holds
        (
            "Al-Qaeda in the Arabian Peninsula has run Mukalla for ten months, traders said.",
            "2016-02-11",
            [("aqap", "geonames:78754", "control", "all", "2016-02-11")],
        ),
        # a dateline does not choose between namesakes: Avdiivka near Kyiv is a village
        (
            "KYIV, Oct 13 - Ukrainian troops were fighting Russian assault groups on the"
            " northern outskirts of Avdiivka on Thursday.",
            "2023-10-13",
            [
                ("ukraine-gov", "geonames:713122", "contested", "part", "2023-10-12"),
                ("russia-gov", "geonames:713122", "contested", "part", "2023-10-12"),
            ],
        ),
        # an entry that ends with the takers "leaving by evening" is a raid
        (
            "Al-Shabaab fighters drove into Merca on Friday and addressed residents before"
            " leaving by evening.",
            "2016-02-06",
            [],
        ),
        # "between Rwandan and Ugandan troops": the registry's side of the pair fights
        (
            "Fighting broke out between Rwandan and Ugandan troops in Kisangani on Friday.",
            "2000-05-06",
            [("rwanda-gov", "geonames:212730", "contested", "unknown", "2000-05-05")],
        ),
        # "were fighting ... in the streets": of the town named before
        (
            "Shelling hit Kherson. Russian troops were fighting Ukrainian units in the streets"
            " on Monday.",
            "2022-05-31",
            [
                ("russia-gov", "geonames:706448", "contested", "unknown", "2022-05-30"),
                ("ukraine-gov", "geonames:706448", "contested", "unknown", "2022-05-30"),
            ],
        ),
    ],
)
def test_readings_from_dev_32(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-32's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # breaking or lifting a siege: the side that broke it holds the town
        (
            "Syrian troops broke a three-year rebel siege of Nubl on Wednesday.",
            "2016-02-03",
            [("syria-gov", "geonames:166331", "control", "all", "2016-02-03")],
        ),
        # "It is held by ...": the town named before; two adjectives share one noun
        (
            "Mocímboa da Praia is filling up again. It is held by Rwandan and Mozambican troops.",
            "2022-08-08",
            [
                ("rwanda-gov", "geonames:1024699", "control", "all", "2022-08-08"),
                ("mozambique-gov", "geonames:1024699", "control", "all", "2022-08-08"),
            ],
        ),
        # "the Houthi-run city" stands for the town named before and says who runs it
        (
            "Teachers in Ibb are unpaid. Hundreds stopped work in the Houthi-run city.",
            "2023-09-15",
            [("houthis", "geonames:74477", "control", "all", "2023-09-15")],
        ),
    ],
)
def test_readings_from_dev_33(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-33's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a sentence whose only place is "around" it still sets "the town" for the next one
        (
            "Farmers around Kyaukme count their losses. The TNLA, which holds the town, "
            "taxes every lorry.",
            "2025-06-11",
            [("tnla", "geonames:1316943", "control", "all", "2025-06-11")],
        ),
        # "also held by", "back in the hands of": a state set off after its place
        (
            "Buses leave for Kassala, also held by the army, twice a week.",
            "2024-03-20",
            [("saf", "geonames:372753", "control", "all", "2024-03-20")],
        ),
        # the extent of a relative clause is its own, not a later "some"
        (
            "In Mukalla, the city that AQAP has run for months, fighters pay some clerks.",
            "2015-10-20",
            [("aqap", "geonames:78754", "control", "all", "2015-10-20")],
        ),
        # a present hold is the report's, not the date of its "after" clause
        (
            "STC units appear to hold Zinjibar, after an army push failed in May.",
            "2020-06-25",
            [("stc", "geonames:69426", "control", "all", "2020-06-25")],
        ),
        # a counted date closed by a comma dates its own event, not the main clause
        (
            "Ten days after the ambush, Malian soldiers holding Kidal dug new trenches.",
            "2024-08-07",
            [("mali-gov", "geonames:2455290", "control", "all", "2024-08-07")],
        ),
        # the besieger of a relative clause and of "its garrison cut off by" contests the town
        (
            "Malian troops still hold Ménaka, which IS Sahel fighters have besieged for weeks.",
            "2023-06-06",
            [
                ("mali-gov", "geonames:2453514", "control", "all", "2023-06-06"),
                ("is-sahel", "geonames:2453514", "contested", "unknown", "2023-06-06"),
            ],
        ),
        (
            "The army still holds Babanusa, its garrison cut off by Rapid Support Forces units.",
            "2025-01-28",
            [
                ("saf", "geonames:377962", "control", "all", "2025-01-28"),
                ("rsf", "geonames:377962", "contested", "unknown", "2025-01-28"),
            ],
        ),
        # French "sous blocus du" set off after the town; "À" opening a sentence is no name
        (
            "Aribinda, sous blocus du JNIM, manque de tout.",
            "2023-09-19",
            [("jnim", "geonames:2363174", "contested", "unknown", "2023-09-19")],
        ),
        (
            "À Sake, aux mains de l'AFC/M23, les écoles ont rouvert.",
            "2025-05-13",
            [("m23", "geonames:205970", "control", "all", "2025-05-13")],
        ),
        # a big town's three-letter name inside running text; "the Yangon price" is no town
        # that "the town" names
        (
            "Rice in Ann costs twice the Yangon price. The Arakan Army has held the town for "
            "months.",
            "2025-05-21",
            [("arakan-army", "geonames:1328872", "control", "all", "2025-05-21")],
        ),
        # Arabic: the oblique plural of an actor's name, a province's capital in apposition,
        # a relative "which X controls", strikes named after the place
        (
            "مدينة الحزم، عاصمة محافظة الجوف الخاضعة لسيطرة الحوثيين، هادئة.",
            "2022-04-04",
            [("houthis", "geonames:79455", "control", "all", "2022-04-04")],
        ),
        (
            "نقص الدواء في مدينة سنجة التي تسيطر عليها قوات الدعم السريع.",
            "2024-08-26",
            [("rsf", "geonames:366847", "control", "all", "2024-08-26")],
        ),
        (
            "سيطرت قوات سوريا الديمقراطية على بلدة تل رفعت وسط غارات جوية روسية.",
            "2016-02-15",
            [("sdf", "geonames:163476", "control", "all", "2016-02-15")],
        ),
        # Russian "подконтрольного" before the actor and place; Ukrainian outskirts are a part
        (
            "В подконтрольном российским войскам Торецке нет воды.",
            "2025-09-10",
            [("russia-gov", "geonames:709354", "control", "all", "2025-09-10")],
        ),
        (
            "Російські війська ведуть бої на околицях Костянтинівки.",
            "2025-09-21",
            [("russia-gov", "geonames:705104", "contested", "part", "2025-09-21")],
        ),
    ],
)
def test_readings_from_dev_34(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-34's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "to" before an adjective of holding is a preposition, not an intention
        (
            "Shells landed next to Russian-occupied Enerhodar overnight.",
            "2022-08-13",
            [("russia-gov", "geonames:709276", "control", "all", "2022-08-13")],
        ),
        # Russian plural "находятся под контролем" after the place
        (
            "Станция и город Энергодар находятся под контролем российских войск.",
            "2022-09-02",
            [("russia-gov", "geonames:709276", "control", "all", "2022-09-02")],
        ),
        # "the country's second city, which has remained under military control"
        (
            "Aid reached Mandalay, the second city, which has remained under military control.",
            "2025-03-30",
            [("myanmar-gov", "geonames:1311874", "control", "all", "2025-03-30")],
        ),
        # Arabic "and" joined to the verb
        (
            "وتسيطر قوات المجلس الانتقالي الجنوبي على مدينة عدن.",
            "2020-04-27",
            [("stc", "geonames:415189", "control", "all", "2020-04-27")],
        ),
        # "the Islamist group" and French "le mouvement rebelle" stand for the group named before;
        # French "qui contrôle"
        (
            "Ansar Dine fighters burned a library in Timbuktu. The Islamist group, which "
            "controls Timbuktu, called it justice.",
            "2012-12-25",
            [("ansar-dine", "geonames:2449067", "control", "all", "2012-12-25")],
        ),
        (
            "L'AFC/M23 a signé un texte à Doha. Le mouvement rebelle, qui contrôle Bukavu, "
            "reste armé.",
            "2025-07-20",
            [("m23", "geonames:217831", "control", "all", "2025-07-20")],
        ),
        # "the military part of the airport" names no side; an Islamic State branch named
        # without "Province" is not Islamic State
        (
            "Gunmen attacked the military part of Bamako airport before they were killed.",
            "2024-09-18",
            [],
        ),
        (
            "Islamic State Sahel fighters have besieged Ménaka for weeks.",
            "2023-06-07",
            [],
        ),
        # an actor after a later "held by" is that phrase's, not an earlier entry's agent
        (
            "Trucks entering through Adre drive into West Darfur, whose capital Geneina is held "
            "by the Rapid Support Forces.",
            "2024-08-17",
            [("rsf", "geonames:379303", "control", "all", "2024-08-17")],
        ),
    ],
)
def test_readings_from_dev_35(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-35's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "hold it" (the plural present) is the place named last; "the town of X" after a
        # comma is the town itself; an anniversary's assault is background
        (
            "On the anniversary of the assault by Islamic State, the town of Sinjar is empty. "
            "Peshmerga forces hold it.",
            "2016-08-04",
            [("krg", "geonames:448149", "control", "all", "2016-08-04")],
        ),
        # a name the gazetteer lacks in "the towns of X and Y" is passed over
        (
            "Ethiopian federal troops have taken the towns of Shire and Alamata.",
            "2020-11-21",
            [("ethiopia-gov", "geonames:344357", "control", "all", "2020-11-21")],
        ),
        # "the south of the town, which X hold": a part of the town named earlier in the sentence
        (
            "Russian forces hold the north of Izium but have not reached the south of the town, "
            "which Ukrainian troops hold.",
            "2022-03-25",
            [
                ("russia-gov", "geonames:707292", "control", "part", "2022-03-25"),
                ("ukraine-gov", "geonames:707292", "control", "part", "2022-03-25"),
            ],
        ),
        # "still fight in", and "ending a siege" is no fighting
        (
            "Ukrainian troops still fight in the northern districts of Pokrovsk.",
            "2025-10-31",
            [("ukraine-gov", "geonames:704422", "contested", "part", "2025-10-31")],
        ),
        (
            "Syrian troops moved into Homs's Baba Amr district on Thursday after the rebels' "
            "withdrawal, ending a long siege of the district.",
            "2012-03-03",
            [("syria-gov", "geonames:169577", "control", "part", "2012-03-01")],
        ),
        # Russian object relative; Ukrainian "according to him" keeps the statement's day and
        # "infiltrated the northern part of the city" names a part
        (
            "В порту Бердянска, который контролируют российские войска, начался пожар.",
            "2022-03-25",
            [("russia-gov", "geonames:712451", "control", "all", "2022-03-25")],
        ),
        (
            "Сили оборони контролюють Куп'янськ, заявив у четвер речник. За його словами, "
            "російські військові просочилися до північної частини міста.",
            "2025-10-24",
            [("russia-gov", "geonames:703656", "contested", "part", "2025-10-23")],
        ),
        # a report in Ukrainian means Ukraine's Donetsk
        (
            "У Донецьку, який утримують російські війська, пролунали вибухи.",
            "2024-11-05",
            [("russia-gov", "geonames:709717", "control", "all", "2024-11-05")],
        ),
        # Arabic "في قبضة" after an apposition between Arabic commas; "مسقط رأس" is no Muscat
        (
            "ولا تزال تكريت، مسقط رأس صدام حسين، في قبضة تنظيم داعش.",
            "2014-07-17",
            [("isil", "geonames:90150", "control", "all", "2014-07-17")],
        ),
        # French "contrôle environ 80 % de"
        (
            "La coalition Viv Ansanm contrôle environ 80 % de Port-au-Prince.",
            "2024-03-06",
            [("viv-ansanm", "geonames:3718426", "control", "most", "2024-03-06")],
        ),
    ],
)
def test_readings_from_dev_36(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-36's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # "to hold Kelso" is an infinitive, not a direction: "the town" after it is Kelso
        (
            "Analysts expect the junta to try to hold Kyaukpyu for weeks. The town remains in "
            "the hands of the Myanmar military.",
            "2025-02-03",
            [("myanmar-gov", "geonames:1316752", "control", "all", "2025-02-03")],
        ),
        # a plural "remain", "the island of" in a list of subjects, "to its south" between
        (
            "Sittwe and the island of Manaung to its south remain in the hands of the Myanmar "
            "military.",
            "2025-02-03",
            [
                ("myanmar-gov", "geonames:1295765", "control", "all", "2025-02-03"),
                ("myanmar-gov", "geonames:1311909", "control", "all", "2025-02-03"),
            ],
        ),
        # the two sides' names between "Fighting" and its place are no distance
        (
            "Fighting between the Sudanese army and the Rapid Support Forces raged for a third "
            "day in El Obeid on Tuesday.",
            "2023-06-15",
            [
                ("saf", "geonames:379003", "contested", "unknown", "2023-06-13"),
                ("rsf", "geonames:379003", "contested", "unknown", "2023-06-13"),
            ],
        ),
        # Arabic: an adjective after the town ("القريبة", nearby); "محاصرة من" (besieged by);
        # "يخوضون معارك" (wage battles) on "الأطراف الشمالية" (the northern outskirts): part
        (
            "ولا تزال مدينة كادقلي القريبة تحت سيطرة الجيش السوداني.",
            "2024-03-01",
            [("saf", "geonames:373141", "control", "all", "2024-03-01")],
        ),
        (
            "مدينة الفاشر محاصرة من قوات الدعم السريع.",
            "2024-03-01",
            [("rsf", "geonames:379555", "contested", "unknown", "2024-03-01")],
        ),
        (
            "قال سكان إن مقاتلي جماعة الحوثي يخوضون معارك عنيفة على الأطراف الشمالية لمدينة تعز.",
            "2019-05-02",
            [("houthis", "geonames:70225", "contested", "part", "2019-05-02")],
        ),
        # "X, on the Blue Nile, which is held by"; "went north to X, which": a heading, no part
        (
            "Many families reached Sennar, on the Blue Nile, which is held by Sudan's army.",
            "2024-07-01",
            [("saf", "geonames:367644", "control", "all", "2024-07-01")],
        ),
        (
            "Many families went north to Atbara, which is held by Sudan's army.",
            "2024-07-01",
            [("saf", "geonames:378231", "control", "all", "2024-07-01")],
        ),
        # French "que contrôlent les Houthis": the subject after the verb
        (
            "La ville de Saada, que contrôlent les Houthis, accueille des milliers de déplacés.",
            "2019-05-02",
            [("houthis", "geonames:71334", "control", "all", "2019-05-02")],
        ),
        # army units loyal to a former president are a faction, not the state
        (
            "Ataq was captured by Houthi fighters and army units loyal to former president Saleh.",
            "2015-04-02",
            [("houthis", "geonames:77726", "control", "all", "2015-04-02")],
        ),
        # a loose spelling far from the report's one place is another town (Chipwi is not
        # Ch'i-wei in Fujian)
        (
            "The KIA took Chipwi in September. Myitkyina is still held by the Myanmar military.",
            "2024-10-22",
            [("myanmar-gov", "geonames:1307741", "control", "all", "2024-10-22")],
        ),
        # "the Hadramawt port, which is held by": the port town named before in the sentence
        (
            "Floods hit Mukalla overnight, swamping roads in the Hadramawt port, which is held by "
            "al-Qaeda in the Arabian Peninsula.",
            "2015-11-04",
            [("aqap", "geonames:78754", "control", "all", "2015-11-04")],
        ),
        # a town's university is part of it; "its ... headquarters" is part of the town named last
        (
            "The Myanmar military still retains Sittwe University.",
            "2024-03-01",
            [("myanmar-gov", "geonames:1295765", "control", "part", "2024-03-01")],
        ),
        (
            "The RSF hold most of Khartoum. The army still holds its General Command headquarters.",
            "2024-03-01",
            [
                ("rsf", "geonames:379252", "control", "most", "2024-03-01"),
                ("saf", "geonames:379252", "control", "part", "2024-03-01"),
            ],
        ),
    ],
)
def test_readings_from_dev_37(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-37's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a relative's extent ends at "and" with a participle: the visitor's stop is no part
        (
            "Officials visited Mariupol, walking through the port city that Russian forces have "
            "held for a year and stopping at a new residential district.",
            "2023-03-19",
            [("russia-gov", "geonames:701822", "control", "all", "2023-03-19")],
        ),
        # a name in guillemets is a grouping's, no place; Ukrainian "його південну частину"
        # (its southern part) is part of the town named last
        (
            "Речник угруповання «Харків» повідомив, що ситуація у Вовчанську складна. Російські "
            "війська утримують північну частину міста, а Сили оборони України контролюють його "
            "південну частину.",
            "2024-06-20",
            [
                ("russia-gov", "geonames:689304", "control", "part", "2024-06-20"),
                ("ukraine-gov", "geonames:689304", "control", "part", "2024-06-20"),
            ],
        ),
        # an industrial zone is part of the town
        (
            "Ukrainian troops still hold Toretsk, but Russian forces have pushed into the "
            "industrial zone on the town's northern edge.",
            "2024-07-01",
            [
                ("ukraine-gov", "geonames:709354", "control", "all", "2024-07-01"),
                ("russia-gov", "geonames:709354", "contested", "part", "2024-07-01"),
            ],
        ),
        # "X and nearby Y, both still held by"
        (
            "Kostiantynivka and nearby Druzhkivka, both still held by Ukrainian forces, lost "
            "power overnight.",
            "2025-02-01",
            [
                ("ukraine-gov", "geonames:705104", "control", "all", "2025-02-01"),
                ("ukraine-gov", "geonames:616743", "control", "all", "2025-02-01"),
            ],
        ),
        # French "venue de Bamako" (come from) only locates: "La ville" is the town after it
        (
            "Une délégation venue de Bamako est arrivée jeudi à Ménaka. La ville, toujours tenue "
            "par l'armée malienne, manque d'eau.",
            "2024-05-10",
            [("mali-gov", "geonames:2453514", "control", "all", "2024-05-10")],
        ),
        # the defenders' lasting hold after an attack they beat back is no repelled attack
        (
            "Nigerien soldiers beat back an assault on Bosso on Monday and remain in control of "
            "the town.",
            "2016-06-07",
            [("niger-gov", "geonames:2446613", "control", "all", "2016-06-06")],
        ),
        # Arabic "لسيطرة" after the town (the verb "تخضع" before it)
        (
            "وتخضع مدينة الرمادي لسيطرة الجيش العراقي.",
            "2017-01-10",
            [("iraq-gov", "geonames:98717", "control", "all", "2017-01-10")],
        ),
        # "keeps the city under siege"
        (
            "Aid cannot reach Deir ez-Zor, as Islamic State keeps the city under siege.",
            "2016-05-01",
            [("isil", "geonames:170794", "contested", "unknown", "2016-05-01")],
        ),
        # "X, the town north of Y now held by": Y only locates X; a staging post for an
        # offensive is no offensive
        (
            "Smoke hangs over Shirqat, the town north of Baiji now held by Iraqi forces and the "
            "staging post for the offensive on the city.",
            "2016-10-01",
            [("iraq-gov", "geonames:91057", "control", "all", "2016-10-01")],
        ),
        # an attack whose attackers were all killed claims nothing
        (
            "Security forces said they had killed the last of the militants who attacked Tikrit "
            "on Friday.",
            "2016-10-23",
            [],
        ),
    ],
)
def test_readings_from_dev_38(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-38's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a capital that closes a border is its government, no town for "the town" after it
        (
            "Traders in Kobani say business slowed after Ankara closed the border. The town, held "
            "by the SDF, depends on the crossing.",
            "2019-03-01",
            [("sdf", "geonames:172256", "control", "all", "2019-03-01")],
        ),
        # "across the river from" only locates
        (
            "In Tachileik, across the river from Mae Sai, soldiers of the Myanmar military still "
            "hold the town.",
            "2025-02-12",
            [("myanmar-gov", "geonames:1295301", "control", "all", "2025-02-12")],
        ),
        # of the sentence's towns, "the state capital" is the biggest
        (
            "Fighters have cut the road from Hakha to Falam and are shelling positions near the "
            "junta-held state capital.",
            "2024-11-04",
            [("myanmar-gov", "geonames:1325443", "control", "all", "2024-11-04")],
        ),
        # "the jihadist alliance" is the group named before
        (
            "HTS fighters burned tyres in Saraqib on Monday. The jihadist alliance, which already "
            "controls the city of Idlib, denied it.",
            "2019-01-11",
            [("hts", "geonames:169389", "control", "all", "2019-01-11")],
        ),
        # "that Islamic State runs"
        (
            "Raqqa, the city that Islamic State runs as its capital, was bombed again.",
            "2015-11-16",
            [("isil", "geonames:172955", "control", "all", "2015-11-16")],
        ),
        # an army named after "wearing" (a disguise) is no agent
        (
            "Islamic State fighters, some wearing Iraqi army uniforms, stormed Kirkuk before dawn.",
            "2016-10-21",
            [("isil", "geonames:94787", "contested", "unknown", "2016-10-21")],
        ),
        # "for the first time since 2012" gives no date
        (
            "The governor said government forces now control all of Aleppo for the first time "
            "since 2012.",
            "2016-12-22",
            [("syria-gov", "geonames:170063", "control", "all", "2016-12-22")],
        ),
        # a sentence's only town, located by a compass word, is "the city" after it
        (
            "Islamic State fighters attacked Kurdish positions west of Kirkuk on Friday. Officials "
            "said the city itself remained under Peshmerga control.",
            "2015-01-31",
            [("krg", "geonames:94787", "control", "all", "2015-01-31")],
        ),
        # an offensive that "would begin" is still to come; a feared assault is none
        ("Officials said the offensive on Raqqa would begin within weeks.", "2017-05-01", []),
        ("Aid workers fear an assault on El Fasher.", "2024-02-20", []),
        # "is now the last of ... still held by"
        (
            "El Obeid is now the last of Kordofan's big towns still held by the Sudanese army.",
            "2024-02-20",
            [("saf", "geonames:379003", "control", "all", "2024-02-20")],
        ),
        # Arabic: a state capital set off before "التي باتت تحت سيطرة" (which came under)
        (
            "عاد النازحون إلى مدينة سنار، عاصمة ولاية سنار، التي باتت تحت سيطرة الجيش السوداني.",
            "2025-03-18",
            [("saf", "geonames:367644", "control", "all", "2025-03-18")],
        ),
    ],
)
def test_readings_from_dev_39(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-39's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # the only town, named after "from", is "the town" of the next sentence
        (
            "Families were evacuated from Pokrovsk on Monday as Russian forces closed in. The "
            "town is still held by Ukrainian troops.",
            "2024-08-20",
            [("ukraine-gov", "geonames:704422", "control", "all", "2024-08-20")],
        ),
        # a capital that declines to comment speaks for its government: no town between
        (
            "Russian-installed officials said a school roof collapsed in Lysychansk. Kyiv declined "
            "to comment. The Russian-occupied city lies near the front.",
            "2024-03-05",
            [("russia-gov", "geonames:702972", "control", "all", "2024-03-05")],
        ),
        # "beside it" between the town and its state; "the jihadist group" after "in the hands
        # of"; "last week" belongs to the relative clause after it
        (
            "Islamic State militants destroyed a shrine on Tuesday. The old town of Tal Afar "
            "beside it is in the hands of the jihadist group, which executed a cleric there last "
            "week.",
            "2014-07-25",
            [("isil", "geonames:90393", "control", "all", "2014-07-25")],
        ),
        # villages on a river's bank are no part of the town named before them
        (
            "Boats cross between government-held Deir ez-Zor and the villages on the eastern bank, "
            "which the SDF took from Islamic State.",
            "2019-05-02",
            [("syria-gov", "geonames:170794", "control", "all", "2019-05-02")],
        ),
        # the desert around a town is not the town
        (
            "Islamic State fighters attacked an army convoy in the Homs desert on Sunday.",
            "2019-05-02",
            [],
        ),
        # where the town lies, then "and held by"
        (
            "Gedaref, close to the Ethiopian border and held by the army since the war began, now "
            "hosts thousands of displaced people.",
            "2024-09-10",
            [("saf", "geonames:379062", "control", "all", "2024-09-10")],
        ),
        # "pushed into ... and were fighting X": both sides contest the part entered
        (
            "Iraqi troops pushed into the western districts of Ramadi on Monday and were fighting "
            "Islamic State militants house by house.",
            "2015-12-22",
            [
                ("iraq-gov", "geonames:98717", "contested", "part", "2015-12-21"),
                ("isil", "geonames:98717", "contested", "part", "2015-12-21"),
            ],
        ),
        # a name in a spelling the gazetteer lacks is "the town" after it
        (
            "African Union troops still hold Bulo Burde, though the town is under an al-Shabaab "
            "siege.",
            "2015-09-01",
            [
                ("amisom", "geonames:63689", "control", "all", "2015-09-01"),
                ("al-shabaab", "geonames:63689", "contested", "unknown", "2015-09-01"),
            ],
        ),
        # French: the town, not the region of which it is the seat
        (
            "À Dori, chef-lieu de la région du Sahel, sous blocus du JNIM, les prix ont triplé.",
            "2024-03-01",
            [("jnim", "geonames:2361082", "contested", "unknown", "2024-03-01")],
        ),
        # "in the centre of X, held by": that part
        (
            "In the centre of Marib, held by government forces, schools reopened on Sunday.",
            "2021-10-12",
            [("yemen-gov", "geonames:72968", "control", "part", "2021-10-12")],
        ),
        # most of the capital's districts is most of it
        (
            "Al-Shabaab pulled out of Mogadishu overnight. AMISOM troops now hold most of the "
            "capital's districts.",
            "2011-08-08",
            [("amisom", "geonames:53654", "control", "most", "2011-08-08")],
        ),
    ],
)
def test_readings_from_dev_40(text: str, published: str, expected: list[tuple[str, ...]]) -> None:
    """Read after dev-40's untouched score (eval/README.md)."""
    assert _dev(text, published) == expected
