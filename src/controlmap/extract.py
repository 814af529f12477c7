"""Suggested claims from report text: rule-based, deterministic, every suggestion quoted.

The researcher pastes a report; this module proposes (actor, place, status, extent, date)
rows, each with the sentence it came from, for a human to check. It prefers saying nothing to
saying something wrong: a sentence gives a suggestion only when it names an actor from the
registry, a gazetteer place, and a control statement that links the two.

Sentences are split by pysbd (per script); dates in Arabic or Cyrillic sentences are read by
dateparser against the publication date (English dates by the patterns below, which are
tested on the dev set). No trained spaCy pipeline can be installed from the registries here
(the official models are not on PyPI; re-uploads by third parties are refused), so clauses
are analysed by the rules below.

How one sentence is read:

1. **Mentions.** Actors through the registry's aliases (``data/actors.json`` and the
   ``actors`` of imported files; no force name is written here); short upper-case aliases
   (IS, ISF, AQI) only as upper-case whole words, so "is" is never taken for an actor. Places
   through the geocoder, restricted to known spellings of notable places that occur in the
   sentence, longest first. Dates ("on Monday", "yesterday", "last week", "3 January", "in
   June 2014").
2. **Control phrases.** The verbs and their frames are data (``data/extract/verbs.json``,
   described in ``data/extract/README.md``). Each phrase has a shape that says where its
   place and its actor are:

   ========== ============================================= ============================
   shape      examples                                      actor / place
   ========== ============================================= ============================
   active     seized, captured, took (control of), overran, actor before, places after
              controls, holds, occupied, retook, liberated, (a noun: "by" actor after the
              the capture of, tightened its grip on         places, else its owner)
   passive    fell to, held by, retaken by, in the hands    places before, actor after
              of, under Front control, remains contested
   drive      drove the Front out of, expelled ... from     actor before, places after
   declare    declared Southwick liberated                  actor before, place between
   adjective  Front-held Dunmore                            actor in the word, place after
   loss       the Front lost Southwick to the army,         places after, actor after "to"
              the fall of Southwick to the Front
   entry      entered, pushed into, stormed into            actor before, places after
   contest    besieged, clashes, fighting in, attacked,     actor before, else after
              assault on                                    ("between A and B": both)
   ========== ============================================= ============================

   Retaking verbs give control to the retaking side, the actor before the verb. Entry and
   contest phrases give ``contested``; an entry in a sentence that also says a flag was raised
   gives ``control`` (the usual sign of taking a place). When one sentence says an actor both
   contests and controls a place, only the control statement is kept.
3. **Binding.** Places must sit close to the phrase: only articles, extent words and words
   like "the town of" may lie between (for contested phrases, also "in", "on the outskirts
   of"), or a building or district "in" the town ("the government compound in Westford", which
   makes the extent ``part``). A place after "near", "outside", "between", "north of" or "in"
   (after an object) only locates the object and gives nothing, and so does a town in the name
   of something else (Mount Kelso, Kelso University). A landmark named with a town is read by
   its kind (data/extract/landmarks.json): inside the town ("Tarbury's airport") it is part of
   it, outside ("the Ashby air base") it is the town; a big city's name on a dam or a plant far
   away ("the Northam Dam") gives nothing. A list ("Dunmore and
   Ashby") gives one suggestion per place. "Eastbrook, which the Front seized", "Eastbrook, a
   river town that the Front seized" and "in Holt, where IS overran" find the place before the
   relative word; a relative in the past perfect ("that the Front had held for a decade") says
   something only with a day of its own ("had seized in August"). "handing it over to the army"
   gives the place to the army. A verb joined by ", and" shares the actor of the verb before.
4. **Extent.** The extent words nearest before each place bind to it ("more than half of
   Eastbrook and a portion of Westford": most, part); a place joined by a bare "and" shares the
   previous place's extent; a percentage counts (over 50: most); "Westford's Old Mill district" is
   part. Without extent words a control statement about a named place is ``all`` and a
   contested one ``unknown``: a town that is seized, held or retaken is, as reported, the
   town; fighting in a town says nothing about how much of it.
5. **Vetoes.** Negation right before the verb (not, never, failed to, no longer, lost ...),
   modality (could, may, will, "to retake", "threatened to seize", except "reported/claimed
   to"), "denied that", a retracted statement ("an earlier version of this article said"),
   and a repelled/thwarted attack give nothing.
6. **Date and confidence.** For each place, a date right after it (before the next place of
   the list); else the date nearest after the phrase in its own stretch of the sentence, else
   before it, else the publication date. "on Monday" is the latest Monday on or before
   publication (wire copy names the publication day itself by its weekday too, so a past
   tense does not push it back a week); "last week" is seven days before publication, kept at
   day precision as a point estimate the researcher should refine; "in June" and "since
   January" are the first of the month at month precision. What follows "a day after", "three
   days after" or "a week after" happened that long before the date of the clause it hangs on
   ("retook Kelso on Thursday, three days after the town fell to the Front": Monday), and such
   a date, like "Sunday's" in "after Sunday's assault", is never the date of a statement
   before it. A wire dateline's day ("KRAMATORSK, Ukraine, Dec 20 - ") is the dispatch's, not
   an event's. A date opening the sentence ("Since September, ...") is its statement's, before
   the day of the report ("..., officials said on Monday"). "claims", "claimed", "denied" or
   "according to the group" make the confidence ``claimed``.

**Coreference**, within a sentence and across sentences: "they" stands for the last actor that
did something; "the group", "the militants", "the jihadists" for the last non-state actor
named; "the city", "the town", "the entire city" for the last town named; "the western half"
(with no place after it) for part of that town; "the facility", "the refinery", "the complex"
for the last site named that is not a town; "it" right after a control verb, or right before
"fell", for the last place named; "the North Darfur town" (a region's name before the noun),
Ukrainian and Russian "міста", "городе" and Arabic "المدينة" likewise, but not a town that only
located the one before it ("Balad, south of Samarra"). A wire dateline's place ("ADEN, May 26
-") is where the reporter is, never an event's place; a Cyrillic word in lower case or a first
name before a surname ("Артем Семеніхін") is no place. A referent object must follow its verb
closely (only filler words between). Identical suggestions from several sentences (a headline
and its body) are kept once.

:func:`score` compares suggestions with hand-written expectations (eval/extract_cases.json).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import dateparser.search
import pysbd
import shapely
from shapely.geometry.base import BaseGeometry

from controlmap import geo, geocode, names, packs, settings
from controlmap.geometry import rounded
from controlmap.model import Actor, ActorRegistry, parse_date

Status = Literal["control", "contested"]
Extent = Literal["all", "most", "part", "unknown"]
Shape = Literal[
    "active", "passive", "leave", "drive", "declare", "adjective", "contest", "entry", "loss"
]

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9
# French wire copy: "le 3 mai 2024", "depuis juillet 2012"
FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
MONTHS.update({name: i for i, name in enumerate(FRENCH_MONTHS, start=1)})
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
# French wire copy (the Sahel, the Congo): "ont pris jeudi le contrôle de"
FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS.update({name: i for i, name in enumerate(FRENCH_WEEKDAYS)})

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
    r"|(?i:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre))\.?"
)
_WEEKDAY = (
    r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|(?i:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche))"
)
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PREP = (
    r"(?:(?i:on|in|since|during|by|from|until|as\s+of|late|early|mid-?|le|depuis|en|dès|du"
    r"|au|fin|début)\s+)?"
)
_DAY_MONTH = re.compile(
    rf"\b{_PREP}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"
)
_MONTH_DAY = re.compile(
    rf"\b{_PREP}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?"
)
_ISO_DATE = re.compile(rf"\b{_PREP}(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b")
_MONTH_YEAR = re.compile(rf"\b{_PREP}{_MONTH}\s+{_YEAR}\b")
# A bare month name only after a preposition: "May" alone is usually the verb.
_MONTH_ALONE = re.compile(
    rf"\b(?i:in|since|during|by|until|late|early|mid-?|depuis|en|dès|fin|début)\s+"
    rf"(?i:late\s+|early\s+)?{_MONTH}\b(?!\s+\d)"
)
_YEAR_ALONE = re.compile(rf"\b(?i:in|since|during|until|depuis|en)\s+{_YEAR}\b")
_WEEKDAY_RE = re.compile(rf"\b(?:(?i:on|since|last|this|late|early|until|as\s+of)\s+)?{_WEEKDAY}\b")
_RELATIVE_DAYS = (
    (re.compile(r"\b(?:yesterday|last\s+night)\b", re.IGNORECASE), 1),
    (re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.IGNORECASE), 0),
    # "last week": seven days back, a point estimate at day precision (see the module docstring)
    (re.compile(r"\blast\s+week\b", re.IGNORECASE), 7),
)
_LAST_MONTH = re.compile(r"\blast\s+month\b", re.IGNORECASE)
_COUNT = r"(?P<count>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
# "Ten years ago today": the publication's day and month that many years back
_YEARS_AGO_TODAY = re.compile(rf"\b{_COUNT}\s+years?\s+ago\s+today\b", re.IGNORECASE)

# --- phrase patterns -----------------------------------------------------------------------
# The control verbs and their frames are data (data/extract/verbs.json, notation in
# data/extract/README.md); this section only turns them into patterns.

_FORM_TOKEN = re.compile(r"\(|\)|\{[^}]+\}|[^\s()]+")
_GAP = re.compile(r"gap(\d)-(\d)")


@dataclass(frozen=True)
class Verb:
    """One entry of verbs.json: a control statement's words, frame and status."""

    name: str
    frame: Shape
    status: Status
    pattern: re.Pattern[str]
    other_senses: re.Pattern[str] | None  # words after it that make it mean something else
    retake: bool = False  # taking back: a side reporting it passively is its agent
    nominal: bool = False  # a noun ("the capture of Kelso by the Front"): its agent after "by"
    loser_named: bool = False  # "forced the Front out of Kelso": only with the loser named
    # "returned to Kelso": read only as a taking, when the other side had left (else nothing)
    taking_only: bool = False
    # an entry that is a taking when nobody is said to fight there ("troops entered Kelso on
    # Friday"; "pushed into Kelso" stays a fight)
    holds: bool = False
    # a declare frame: the state its place is put in ("declared Kelso liberated", "placed Kelso
    # under siege")
    state_after: re.Pattern[str] | None = None
    # a lasting state ("held by", "under the control of"): named in passing after a place
    # ("Kelso, held by the Front,") it is dated by its own words or by the report's day
    state: bool = False


def _words_regex(token: str) -> str:
    words = [re.escape(w).replace("'", "['’]") for w in token.split("|")]
    return "(?:" + "|".join(words) + ")"


def _form_regex(form: str, slots: Mapping[str, str]) -> str:
    """A form of verbs.json ("fell|falls to|into (the hands of)") as a regular expression."""
    tokens = _FORM_TOKEN.findall(form)
    out = ""
    glue = False  # the previous piece was an optional first word that carries its own space
    i = 0
    while i < len(tokens):
        token = tokens[i]
        optional = token == "("
        if optional:
            close = tokens.index(")", i)
            piece = _form_regex(" ".join(tokens[i + 1 : close]), slots)
            i = close + 1
        else:
            i += 1
            gap = _GAP.fullmatch(token[1:-1]) if token.startswith("{") else None
            if gap:
                out += rf"(?:\s+[\w'’\-]+){{{gap.group(1)},{gap.group(2)}}}?"
                continue
            if token.startswith("{"):
                piece = "(?:" + _form_regex(slots[token[1:-1]], slots) + ")"
            else:
                piece = _words_regex(token)
        if optional and not out:
            out, glue = rf"(?:{piece}\s+)?", True
        elif optional:
            out += rf"(?:\s+{piece})?"
        else:
            out += ("" if not out or glue else r"\s+") + piece
            glue = False
    return out


@lru_cache(maxsize=1)
def _place_nouns() -> frozenset[str]:
    """Words for "city", "town", "province" in other scripts, which are never place names."""
    data = json.loads(settings.data_file("extract/verbs.json").read_text(encoding="utf-8"))
    return frozenset(w.casefold() for words in data.get("place_nouns", {}).values() for w in words)


# the end of an other-sense word, or of a sense that only looks ahead (nothing consumed)
_SENSE_END = r")(?:(?<=\w)(?!\w)|(?<!\w))"


@lru_cache(maxsize=1)
def verbs() -> tuple[Verb, ...]:
    """The control statements of data/extract/verbs.json, in the order they claim words."""
    data = json.loads(settings.data_file("extract/verbs.json").read_text(encoding="utf-8"))
    slots = data.get("slots", {})
    out = []
    for entry in data["verbs"]:
        body = "|".join(_form_regex(form, slots) for form in entry["forms"])
        senses = entry.get("other_senses_after")
        out.append(
            Verb(
                name=entry["name"],
                frame=entry["frame"],
                status=entry["status"],
                # Arabic joins "and" or "so" to the verb: "وتسيطر قوات ..." (and ... control)
                pattern=re.compile(
                    rf"(?:(?<![\-\w])|(?<=(?<![\-\w])[وف])(?=[\u0621-\u064A]))(?:{body})(?!\w)",
                    re.IGNORECASE,
                ),
                # a sense that is only a lookahead ("had" not followed by "... in hand") ends
                # where it starts, which may be before a quote ("had 'liberated' Kelso")
                other_senses=(
                    re.compile(r"^\s+(?:" + "|".join(senses) + _SENSE_END, re.IGNORECASE)
                    if senses
                    else None
                ),
                retake=bool(entry.get("retake")),
                nominal=bool(entry.get("nominal")),
                loser_named=bool(entry.get("loser_named")),
                taking_only=bool(entry.get("taking_only")),
                holds=bool(entry.get("holds")),
                state=bool(entry.get("state")),
                state_after=(
                    re.compile(r"^\s*" + entry["state_after"], re.IGNORECASE)
                    if "state_after" in entry
                    else None
                ),
            )
        )
    for status, words in data.get("adjectives", {}).items():
        pattern = re.compile(r"^[\-‐](?:" + "|".join(words) + r")\b", re.IGNORECASE)
        out.append(
            Verb(f"-{status}", "adjective", status, pattern, None)  # "Front-held"
        )
    return tuple(out)


# "captured by", and "captured on Sunday by", "retaken late on Friday by"
_PASSIVE_BY = re.compile(
    r"^(?P<when>\s+(?:on|in|late|early|overnight|yesterday|last|for|since)\b[^.;:,]{0,25}?)?"
    r"\s+by\b",
    re.IGNORECASE,
)
# Arabic "من" / "من قبل" after a participle of fighting: "محاصرة من" (besieged by)
_ARABIC_BY = re.compile(r"^\s+(?:من\s+قبل|من)(?!\w)")
# Lower case only: "IS seized Holt" is an actor, not a passive "is seized".
# "had been captured", "had been 'liberated'" (a claim's word in quotes)
_PASSIVE_AUX = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?['‘\"“]?$")
_PARTICIPLE = re.compile(
    r"^(?:\w+ed|taken|retaken|overrun|held|freed|driven|seen|cut)\b", re.IGNORECASE
)
_DRIVE_OUT = re.compile(r"^(.{0,80}?)\b(?:out\s+of|from)\b", re.IGNORECASE | re.DOTALL)

# --- vetoes --------------------------------------------------------------------------------

_NEGATION_BEFORE = re.compile(
    r"(?:\bnot|n't|\bnever|\bfailed\s+to|\bfail\s+to|\bunable\s+to|\bno\s+longer|\byet\s+to"
    r"|\bnor|\blost|\blose|\bloses|\blosing|\bceded|\bcede|\bsurrendered|\bgave\s+up"
    r"|\brelinquished|\bwithout|\bpas|\bjamais)\s+(?:[\w'’\-]+\s+){0,2}$",
    re.IGNORECASE,
)
_MODAL_BEFORE = re.compile(
    # the word between is in lower case: "the highway to Northam fell" is no intention
    r"\b(?:could|may|might|would|will|shall|should|can|must|to)\s+(?:(?-i:[a-z][\w'’\-]*)\s+)?$",
    re.IGNORECASE,
)
# "reported to control", "claimed to have seized": a report, not an intention.
_FACTUAL_TO = re.compile(
    r"\b(?:(?:reported|said|believed|thought|understood|known|claimed|claims?|appears?"
    r"|appeared|seems?|seemed|continues?|continued|continuing|still)\s+to(?:\s+have)?"
    r"(?:\s+(?:been|now|already|still))?"
    r"|to\s+have(?:\s+been)?)\s+(?:[\w'’\-]+ly\s+)?$",
    re.IGNORECASE,
)
_DENIED_THAT = re.compile(r"\bden(?:y|ies|ied|ying)\s+(?:\w+\s+){0,4}?that\b", re.IGNORECASE)
_REPELLED = re.compile(
    r"\b(?:repell?(?:ed|s|ing)?|repuls(?:e|ed|es|ing)|beat(?:en)?\s+back|fought\s+off"
    r"|held\s+off|thwart(?:ed|s|ing)?|foil(?:ed|s|ing)?|beaten\s+off"
    r"|(?:driven|drove|chased|pushed)\s+(?:them\s+)?off)\b",
    re.IGNORECASE,
)
# frames of roles.json 'start_verbs' ("the assault would begin at dawn": yet to come) and
# 'attacker_nouns' ("killed all the gunmen who had stormed": the fight is over)
_TO_COME_AFTER = (
    r"[^,;.]{0,50}?\b(?:would|will|is\s+to|was\s+to|are\s+to|were\s+to|could|may|might)\s+"
    r"(?:soon\s+)?(?:{words})\b"
)
_ATTACKERS_KILLED = (
    r"\b(?:killed|captured|arrested)\s+(?:all\s+|the\s+last\s+)?(?:of\s+)?(?:the\s+)?"
    r"(?:[\w'’\-]+\s+){0,4}(?:{words})\s+(?:who|that)\s+(?:had\s+)?$"
)
# "attacked the post ..., adding that the assailants had failed to take it", "attacked Kelso
# but were pushed back by": the attack failed (said of attacks only: "still holds Kelso, and
# the rebels have been pushed back" is no veto of the holding)
_FAILED_TAKING = re.compile(
    r"\b(?:(?:fail(?:ed|s)?|unable)\s+to\s+(?:take|capture|seize|overrun|storm|enter)"
    r"|(?:were|was|been|being)\s+(?:\w+ly\s+)?(?:pushed|forced|driven|thrown)\s+back"
    r"|(?:échoué|échouent|échoue)\s+à\s+(?:prendre|s['’]emparer))\b",
    re.IGNORECASE,
)
_CLAIMED = re.compile(
    r"\bclaim(?:s|ed|ing)?\b|\bden(?:y|ies|ied|ying)\b|\bpurported(?:ly)?\b"
    r"|\baccording\s+to\s+(?:the\s+|a\s+|its\s+)?(?:group|militants?|jihadists?|organi[sz]ation"
    r"|statement|insurgents?|propaganda)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r";|\s[–—]\s|,?\s+(?:but|while|whereas|although|though|however)\b"
    r"|[،,]?\s+(?:فيما|بينما|في\s+حين)\s|,\s+(?:однак|однако|але|тогда\s+как|тоді\s+як|mais"
    r"|tandis\s+que|alors\s+que)\s",
    re.IGNORECASE,
)

# --- binding -------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’ʿʾ](?!s\b)[^\W_]+)*")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EXTENT_TABLE: tuple[tuple[Extent, str], ...] = (
    ("most", r"\bmore\s+than\s+half\b"),
    ("most", r"\b(?:two|three)[\s\-]+(?:thirds|quarters|fourths)\b"),
    # "a third of", not "for a third day"
    (
        "part",
        r"\b(?:a|one)[\s\-]+(?:third|quarter|fourth)\b"
        r"(?!\s+(?:day|night|week|month|year|time|straight|consecutive|successive)s?\b)",
    ),
    (
        "most",
        r"\b(?:nearly|almost|virtually|practically|most\s+of)\s+(?:all\s+of\s+)?(?:the\s+)?"
        r"(?:entire(?:ty)?|whole|all|complete|full|total)\b",
    ),
    ("part", r"\bthe\s+(?:north|south|east|west)(?:ern)?(?:\s+(?:part|half|side))?\s+of\b"),
    ("most", r"\b(?:nearly|almost|virtually)\s+all\b"),
    # "runs the rest of the city" (after another side's part)
    ("most", r"\bthe\s+(?:rest|remainder)\s+of\b"),
    ("most", r"\b(?:most|majority|bulk|largely|mostly|much\s+of)\b"),
    (
        "part",
        r"\b(?:parts?|portions?|some|several|pockets?|sections?|areas?|neighbou?rhoods?"
        r"|quarters?|districts?|outskirts|edges?|partly|partially|half|centre|center|heart|wards?"
        r"|suburbs?|villages?\s+around|periphery)\b",
    ),
    (
        "part",
        r"\b(?:eastern|western|northern|southern|central|east|west|north|south"
        r"|downtown)\b(?!\s+of\b)"
        # "the northern Ruritanian town of Kelso": where the town lies, not a part of it
        r"(?!\s+(?:\w+\s+)?(?:town|city|village|province|provincial|governorate|region)\b)",
    ),
    (
        "all",
        r"\b(?:entire|entirety|whole|all|full|complete|total|completely|fully"
        r"|entirely|totally)\b",
    ),
    # Arabic, with a joined "and"/"in": "معظم" most of, "أجزاء" parts, "نصف" half
    ("most", r"(?<!\w)[وب]?(?:معظم|أغلب)(?!\w)"),
    # (with the article too: "على الأطراف الجنوبية", on the southern outskirts)
    ("part", r"(?<!\w)[وب]?(?:ال)?(?:أجزاء|جزء|نصف|أحياء|أطراف|ضواحي|مشارف)(?!\w)"),
    # Ukrainian and Russian: "більшу частину" most of, "частину" part of, "половину" half
    (
        "part",
        r"(?<!\w)(?:частин[уиа]|част[ьи]|половин[уиа]|район[иы]|(?:окраїн|окраин|околиц)[а-яії]{0,3}"
        r"|квартал(?:и|ы|ах)?)(?!\w)",
    ),
    ("most", r"(?<!\w)(?:більш[уоа]ї?\s+частин[уиа]|больш(?:ую|ей|ая)\s+част[ьи])(?!\w)"),
)
EXTENT_PATTERNS: tuple[tuple[Extent, re.Pattern[str]], ...] = tuple(
    (extent, re.compile(pattern, re.IGNORECASE)) for extent, pattern in _EXTENT_TABLE
)
DEFAULT_EXTENT: dict[str, Extent] = {"control": "all", "contested": "unknown"}

# Words that may stand between a verb and its first place ("retook most of the city of").
_OBJECT_FILLER = _wordset(
    """
    the a an of control over full total complete effective firm back most all parts part
    portion portions much half large larger majority bulk some several neighbourhoods
    neighborhoods areas area districts district quarters sections centre center outskirts
    remaining rest entire whole eastern western northern southern central east west north
    south downtown city town village villages province governorate capital provincial
    strategic key border oil refinery ancient nearby neighbouring neighboring small historic
    city's town's itself
    more than nearly almost virtually remainder big major important northwestern northeastern
    final last about around roughly approximately over
    southwestern southeastern also now again fully completely largely its their
    one two three four five six seven eight nine ten third thirds quarter quarters ward wards
    suburbs suburb port coastal frontline front-line garrison regional
    la le les de du des d l ville localité commune désormais entièrement totalement complètement
    toujours encore estimated heart only
    معظم أغلب أجزاء جزء نصف من كامل على
    більшу більшої більша частину частини частина половину большую большей большая часть части
    половину південні північні східні західні південну північну східну західну южные северные
    восточные западные южную северную восточную западную квартали кварталы
    південної північної східної західної південній північній східній західній южной северной
    восточной западной частині околиці околицях окраине окраинах окраины
    """
)
# The words joining one place of a list to the next, in every script read ("Dunmore and
# Ashby", "Kelso et Marsh", "Келсо и Марш"; Arabic writes "and" as a prefix, "الرستن وتلبيسة":
# the place's start leaves it in the gap).
_CONJUNCTIONS = ("and", "plus", "et", "и", "і", "та", "و")
# Words that may join a further place to a list of objects ("Dunmore and the town of Ashby").
_LIST_FILLER = _OBJECT_FILLER | {
    *_CONJUNCTIONS,
    *("as", "well", "including", "cities", "towns", "island", "islands"),
}
# a bare joint: the next place shares the extent of the one before ("most of Kelso and Marsh")
_CONJUNCTION_ONLY = re.compile(
    rf"^[\s,()،]*(?:{'|'.join(_CONJUNCTIONS)}|as\s+well\s+as|&)?[\s,()،]*$", re.IGNORECASE
)
# Words allowed between a subject place and a passive phrase ("Westford is now firmly").
_SUBJECT_FILLER = _wordset(
    """
    is was were are has have had been being now still already firmly largely mostly partly
    partially completely fully entirely effectively reportedly finally quickly remain remains
    remained stay stays stayed city town itself also all virtually almost nearly practically
    back again once القريبة القريب المجاورة المجاور باتت بات أصبحت أصبح صارت لا تزال يزال
    more firmly came comes come
    est sont était étaient reste restait restent demeure demeurait été désormais toujours encore
    entièrement totalement complètement de nouveau ville
    знову снова повністю полностью перебуває находится залишається остаётся остается
    перебувають находятся залишаються остаются
    """
)
# A place right after these only locates something: "near Southwick", "east of Eastbrook".
_COMPASS = (
    r"north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west"
    r"|south-east|south-west"
)
_LOCATOR_BEFORE = re.compile(
    r"(?:\b(?:near|nearby|outside|around|toward|towards|from|between|beyond|past|via"
    # "to Kelso", "to besieged Kelso"; not an infinitive: "will try to hold Kelso"
    r"|across|along|to(?!\s+(?-i:[a-z]+)(?<!ed)(?<!nearby)\s+(?:$|(?-i:[A-Z]))))\s+"
    rf"|(?<!\bthe )(?<![\-‐])\b(?:{_COMPASS}|kilometres|kilometers|km|miles"
    r"|road)\s+of\s+"
    # French "à une soixantaine de kilomètres de Mopti", "au nord de"; "des ministres venus de
    # Bamako" (come from)
    r"|\b(?:kilomètres|km|nord|sud|est|ouest|environs|venus?|venues?|arrivée?s?|partie?s?"
    r"|provenance)\s+(?:de|du|d['’])\s*"
    r")(?:the\s+)?(?:[\w'’\-]+\s+){0,2}$",
    re.IGNORECASE,
)
_ATTRIBUTIVE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_ATTRIBUTIVE_AFTER = re.compile(r"\s+(?-i:[a-z]{3,})\b")


def _attributive(text: str, place: _PlaceMention) -> bool:
    """ "the Yangon price": a place's name used as an adjective before a noun."""
    return bool(
        _ATTRIBUTIVE_BEFORE.search(text[: place.start])
        and _ATTRIBUTIVE_AFTER.match(text, place.end)
    )


# a place a sentence's people or things are gathered around: still its subject for "the town"
# ("Kurdish lines south-west of Kirkuk ... the city itself": a sentence's only place, located by
# a compass word, is still what it is about)
_AROUND_BEFORE = re.compile(
    # "ordered the evacuation of families from Kelso ... The town is still held by": the
    # place left is the one the report is about
    r"\b(?:around|outside|near|from"
    r"|(?:lines|positions|front|frontline|outskirts|areas?|villages|farms|countryside)\s+"
    rf"(?:{_COMPASS})\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ONLY_LOCATES = re.compile(
    rf"\b(?:{_COMPASS})\s+of\s+(?:the\s+)?$|\bnear\s+(?:the\s+)?$"
    # "Tachileik, across the river from Mae Sai"
    r"|\bacross\s+(?:the\s+)?(?:river|border|bridge|water|strait|lake|bay)\s+from\s+$"
    r"|(?<!\w)(?:جنوب|شمال|شرق|غرب|جنوبي|شمالي|شرقي|غربي|قرب|بالقرب\s+من)\s+$",
    re.IGNORECASE,
)


def _locates_other(text: str, places: Sequence[_PlaceMention], place: _PlaceMention) -> bool:
    """Whether ``place`` only says where the place right before it lies ("Balad, south of
    Samarra", "مدينة بلد جنوب سامراء"), not "beaches north of Kismayo"."""
    locator = _ONLY_LOCATES.search(text[max(0, place.start - 40) : place.start])
    if locator is None:
        return False
    at = max(0, place.start - 40) + locator.start()
    return any(
        q.end <= at and re.fullmatch(r"[\s,،]*", text[q.end : at]) for q in places if q is not place
    )


_IN_BEFORE = re.compile(r"\b(?:in|inside|within|at)\s+(?:the\s+)?(?:[\w'’\-]+\s+){0,1}$", re.I)
# "the Lakeside city of Eastbrook", "Lakeside's capital Westford": the first place only locates.
_QUALIFIES_NEXT = re.compile(
    r"^(?:['’]s)?\s+(?:provincial\s+)?(?:city|town|capital|village|district)(?:\s+of)?\s+$",
    re.IGNORECASE,
)
_FACILITY_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:dam|airport|air\s*base|air\s+field|airfield|base|university|bridge|lake"
    r"|mountains?|river|stadium|hospital|prison|barracks|camp|road|highway|crossing"
    r"|refinery|(?:nuclear\s+|hydroelectric\s+|thermal\s+)?(?:power\s+)?(?:plant|station)"
    r"|military\s+base|checkpoint|valley|hotel|(?:conference|convention)\s+(?:centre|center|hall))\b",
    re.IGNORECASE,
)
_FEATURE_BEFORE = re.compile(r"\b(?:Mount|Mt\.?|Jebel|Jabal|Lake|Camp|Wadi)\s+$")
_KIND_WORD = re.compile(
    r"^[\s\-]+(province|governorate|sub-?district|district|state|region|oblast)\b", re.I
)
_KIND_QUERY = {"state": "province", "region": "province", "oblast": "province"}
_APPOSITIVE = re.compile(r"^\s*[,،](?P<inner>[^;]{1,120})[,،]\s*(?P<rest>[^,;،]*)$", re.DOTALL)
_RELATIVE = re.compile(
    r"\s*,?\s*(?:which|that|whom|where)\s+(?:the\s+)?"
    # French "Kelso, (la ville) que les rebelles du Front ont prise": the object relative after
    # a comma ("a annoncé que" is no relative), an apposition before it and the subject's
    # lower-case head words after it
    r"|\s*,\s*(?:[^,;]{0,40}?\s)?(?:que\s+|qu['’])(?:(?-i:[a-zà-ÿ][\w\-]*)\s+){0,4}",
    re.IGNORECASE,
)
_POSSESSIVE_PART = re.compile(r"^['’]s\s+[\w\-]", re.IGNORECASE)
_POSSESSIVE_ALL_PARTS = re.compile(
    r"^['’]s\s+(?:districts|neighbou?rhoods|quarters|areas|wards)\b", re.IGNORECASE
)
_PERCENT = re.compile(r"\b(\d{1,3})\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)
# "the last pockets of resistance in Westford": clearing them completes control of the town.
_LAST_POCKETS = re.compile(
    r"\b(?:last|remaining|final)\s+(?:\w+\s+)?(?:pockets?|remnants?|strongholds?|holdouts?"
    r"|districts?|neighbou?rhoods?|quarters?|areas?|parts?|sections?|positions|bases)\b",
    re.IGNORECASE,
)
# "... and the towns of Kelso and Marsh" after an object with no name ("Ruritania's largest dam").
_LIST_OF_TOWNS = re.compile(
    r"(?:,\s*|\s)(?:as\s+well\s+as|and|along\s+with|plus)\s+(?:the\s+)?(?:nearby\s+)?"
    r"(?:towns?|cities|city|villages?)\s+of\s+$",
    re.IGNORECASE,
)
# "... in the old|central ...": what follows a thing inside the town, before the town's name
_INSIDE_TOWN_TAIL = (
    r"[^,;.]{0,60}?\b(?:in|inside|of|on|de|du|dans)\s+(?:the\s+)?"
    r"(?:(?:central|eastern|western|northern|southern|old|downtown)\s+)?$"
)
# Something inside a town: fighting over it contests part of the town.
_INSIDE_TOWN = re.compile(
    r"\b(?:compound|buildings?|headquarters|stations?|neighbou?rhoods?|quarters?|bases?"
    r"|markets?|hospitals?|university|offices?|council|checkpoints?|bridges?|positions?"
    r"|streets?(?!\s+(?:battles?|fighting|clashes|combat))|barracks|prison|palace|mosque"
    r"|airport|complex|pockets?|remnants?|resistance|camps?|old\s+(?:city|town)|city\s+cent(?:re|er)"
    r"|area|sectors?|corners?|garrison|division|command|brigade|regiment"
    r"|aéroport|quartiers?|casernes?)\b" + _INSIDE_TOWN_TAIL,  # French: "l'aéroport de Kelso"
    re.IGNORECASE,
)
_FLAG_RAISED = re.compile(
    r"\b(?:rais(?:e|es|ed|ing)|hoist(?:s|ed|ing)?|plant(?:s|ed|ing)?)\s+(?:the|their|its|a)?\s*"
    r"(?:[\w'’\-]+\s+){0,2}flags?\b",
    re.IGNORECASE,
)
# "entered Kelso and drove out the Front": an entry that ends with the other side gone
_DROVE_OUT = re.compile(
    r"\band\s+(?:have\s+|had\s+)?(?:drove|driven|expelled|chased|pushed|kicked|flushed)\s+out\b",
    re.IGNORECASE,
)
_PRONOUN_SUBJECT = re.compile(
    r"\b(?:they|the\s+group|the\s+militants|the\s+jihadists|the\s+insurgents|the\s+fighters"
    r"|its\s+fighters|their\s+fighters|the\s+organi[sz]ation|the\s+extremists|the\s+rebels"
    r"|the\s+paramilitar(?:y|ies))\b",
    re.IGNORECASE,
)
# Nominal anaphors that name the insurgent side whoever acted last ("the militants' control").
_INSURGENT_ANAPHOR = re.compile(
    # "the Islamist group", "the rebel movement": one describing word may come between
    r"\bthe\s+(?:(?:(?-i:[a-z][\w\-]*)|Islamist|Jihadist|Salafist)\s+)?(?:group|militants"
    r"|jihadists|insurgents|extremists|organi[sz]ation|rebels|movement|paramilitar(?:y|ies))\b"
    # "the jihadist alliance", "the rebel coalition"
    r"|\bthe\s+(?:jihadist|Jihadist|Islamist|rebel|insurgent|militant)\s+(?:alliance|coalition)\b"
    # French "le mouvement rebelle", "le groupe jihadiste", "les rebelles"
    r"|\b(?:le\s+mouvement(?:\s+rebelle)?|le\s+groupe(?:\s+(?:armé|jihadiste|djihadiste"
    r"|rebelle|islamiste))?|les\s+(?:rebelles|jihadistes|djihadistes|insurgés))\b",
    re.IGNORECASE,
)
# An actor named as the source of a report is not the agent of what it reports.
_SPEAKER_AFTER = re.compile(
    r"^['’]?s?\s+(?:military\s+|army\s+|security\s+|media\s+)?(?:sources?|officials?"
    r"|spokes(?:man|woman|person|people)|commanders?|statement|media|website|television"
    r"|radio|news\s+agency|officers?)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _roles() -> dict[str, Any]:
    """data/extract/roles.json: backers, opponents, voices, dates carried across sentences."""
    return dict(json.loads(settings.data_file("extract/roles.json").read_text(encoding="utf-8")))


def _phrases_regex(words: Iterable[str]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)


_ANY_WORD = r"[\w'’\-]+\s+"


@cache
def _roles_pattern(key: str, frame: str = r"\b(?:{words})\b") -> re.Pattern[str]:
    """The phrases of one roles.json list, set into a frame where ``{words}`` stands."""
    return re.compile(frame.replace("{words}", _phrases_regex(_roles()[key])), re.IGNORECASE)


# the frames the roles.json lists are read in
_BACKGROUND = rf"\b(?:{{words}})\s+(?:{_ANY_WORD}){{0,3}}$"
# "moved into Kelso hours after the troops pulled out": the others had left
_VACATED = (
    rf"(?:\b(?:after|as|once|when|після|после|après)\s+(?:{_ANY_WORD}){{0,6}}?"
    # "enters Kelso; the army withdraws south": another subject, not the entrant's "it"
    rf"|;\s+(?!(?:it|they|he|she)\b)(?:{_ANY_WORD}){{1,4}}?)(?:{{words}})\b"
)
# "Army units still hold the city centre", the sentence after an entry
_STILL = r"\bstill\s+(?:{words})\b"
# "The rebels had pulled out before the soldiers arrived", said of an entry the sentence before
_HAD_LEFT = r"\bhad\s+(?:already\s+|earlier\s+|quietly\s+)?(?:{words})\b"


def _own_date(s: _Sentence, phrase: _Phrase) -> bool:
    """Whether a date follows the phrase closely, before any other phrase ("fell to the Front
    in June 2014")."""
    later = [p.start for p in s.phrases if p.start >= phrase.end]
    limit = min([phrase.end + 60, *later])
    return any(phrase.end <= d.start < limit for d in s.dates if not d.forward)


_ALMOST_CONTROL = re.compile(
    r"\b(?:almost|nearly|virtually|practically)\s+(?:complete|full|total|entire)\s+control\s+"
    r"(?:of|over)$",
    re.IGNORECASE,
)
_LONG_AFTER = re.compile(
    r"\b(?:(?:two|three|four|five|six|seven|eight|nine|ten|several|many|\d+)\s+(?:weeks|months"
    r"|years)|months|years)\s+(?:after|before)\s+(?:[\w'’\-]+\s+){0,5}$"
    # "Within ten months, the Front had driven ... out of": no day either
    r"|\b(?:within|over\s+the\s+(?:next|following)|in\s+the\s+(?:next|following))\s+"
    r"(?:(?:two|three|four|five|six|seven|eight|nine|ten|a\s+few|several|\d+)\s+)?"
    r"(?:weeks|months|years)\b[^;.]{0,60}$",
    re.IGNORECASE,
)


def _left_then_entered(s: _Sentence, phrase: _Phrase) -> bool:
    """ "The rebels left Kelso on Thursday, and army units moved into the town hours later":
    a departure earlier in the sentence, then the entry "later"."""
    before = s.text[: phrase.start]
    departed = _roles_pattern("departed").search(before)
    if departed is None:
        return False
    _, clause_end = _clause_bounds(s.text, phrase.end)
    after = s.text[phrase.end : clause_end]
    # "accepted a surrender deal on Tuesday and troops entered the town that evening"
    same_day = any(pattern.search(after) for pattern, _ in _same_day_patterns())
    # "..., and hours later troops moved back into the city": "later" before the entry too
    later_before = _LATER.search(before[-60:])
    return bool(_LATER.search(after) or same_day or _THEN.search(before) or later_before)


_LATER = re.compile(
    r"\b(?:(?:hours|minutes|shortly|soon|moments)\s+(?:later|afterwards?)|later\s+that\s+day)\b",
    re.IGNORECASE,
)
_THEN = re.compile(r"\b(?:and\s+)?then\s+(?:[\w'’\-]+\s+){0,4}$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _intention() -> re.Pattern[str]:
    """An aim, plan, fear or denial before a statement (roles.json): it has not happened."""
    roles = _roles()
    words = r"(?:[\w'’\-]+\s+)"
    before = [*roles["intention_before"], *roles["doubted_before"]]
    return re.compile(
        rf"\b(?:{_phrases_regex(before)})\s+{words}{{0,5}}$"
        rf"|\b(?:{_phrases_regex(roles['future_adjectives'])})\s+{words}?$",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(backer before an actor, opponent before an actor, a voice at the end of a name)."""
    roles = _roles()
    owner = r"(?:the\s+|their\s+|its\s+)?"
    return (
        re.compile(rf"\b(?:{_phrases_regex(roles['backers_before'])})\s+{owner}$", re.I),
        re.compile(rf"\b(?:{_phrases_regex(roles['opponents_before'])})\s+{owner}$", re.I),
        # "Ruritania's defence ministry", "the Ruritanian Defence Ministry", "Минобороны России"
        re.compile(
            rf"(?:['’]s|(?-i:[A-Z][\w\-]*))\s+(?:{_phrases_regex(roles['speaker_nouns'])})$"
            rf"|^(?:{_phrases_regex(_voices_before_country()[0])})\s",
            re.I,
        ),
    )


_SHARED_SUBJECT = re.compile(
    r",?\s+and\s+(?:(?:now|also|later|then|still|have|has|had|were|was|are|is|\w+ly)\s+)*$"
    # "cleared the last Front pockets, completing the recapture of": a participle clause
    r"|,\s*(?:thus\s+|so\s+)?(?:completing|finishing|ending|taking|seizing|securing)\s+"
    r"(?:the\s+|its\s+|their\s+)?$",
    re.IGNORECASE,
)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+)?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\u0600-\u06FF])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Brig|Adm|Sen|Rep|Gov|St|Jan|Feb|Mar|Apr|Jun"
    r"|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|vs|etc|approx|U\.S|U\.N|U\.K)\.|\b[A-Z]\.)$"
)


@dataclass(frozen=True)
class Suggestion:
    """One suggested claim, for a researcher to check, correct and submit."""

    actor: str
    place: str
    place_id: str
    status: Status
    extent: Extent
    date: str | None
    date_precision: str
    excerpt: str
    geometry: BaseGeometry = field(repr=False)
    confidence: Literal["assessed", "claimed"]
    approximate: bool = False  # the footprint is a population-sized disc, not an outline
    evidence: str = ""  # the words of the excerpt that make the claim (actor, verb, place)
    score: float = 0.0  # how sure the reading is, 0-1 (see _score); not the claim's confidence
    reasons: tuple[str, ...] = ()  # why it was suggested, one line per part of the reading
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: geometry as GeoJSON, the source as a citation object."""
        return {
            "actor": self.actor,
            "place": self.place,
            "place_id": self.place_id,
            "status": self.status,
            "extent": self.extent,
            "date": self.date,
            "date_precision": self.date_precision,
            "confidence": self.confidence,
            "excerpt": self.excerpt,
            "evidence": self.evidence,
            "score": self.score,
            "reasons": list(self.reasons),
            "approximate": self.approximate,
            "citation": {
                "title": self.title,
                "publisher": self.publisher,
                "url": self.url,
                "published": self.published,
                "excerpt": self.excerpt,
            },
            "geometry": shapely.geometry.mapping(rounded(self.geometry, 5)),
        }


# --- internal records ----------------------------------------------------------------------


@dataclass(frozen=True)
class _ActorMention:
    start: int
    end: int
    actor: str
    speaker: bool
    sidelined: bool


@dataclass(frozen=True)
class _PlaceMention:
    start: int
    end: int
    place_id: str
    name: str
    extent: Extent | None = None  # the mention itself says how much: "the western half"
    referent: bool = False  # "the city": stands for the place named before
    anchor: bool = False  # every place of this name lies in one country
    minor: bool = False  # a small place, kept only where the report makes it one (_minor_ok)
    candidates: tuple[str, ...] = ()  # a name shared across countries: its places, best first


@dataclass(frozen=True)
class _Phrase:
    start: int
    end: int
    shape: Shape
    status: Status = "control"
    verb: Verb | None = None


@dataclass(frozen=True)
class _DateMention:
    start: int
    end: int
    day: dt.date
    precision: str
    # the date of what follows it only: "a day after <event>", "after Sunday's assault"
    forward: bool = False
    # "the night before": a look back, never the day a later "by evening" counts from
    backward: bool = False


@dataclass(frozen=True)
class _Finding:
    """A statement found in a sentence, before it becomes a Suggestion."""

    actor: str
    place: _PlaceMention
    status: Status
    extent: Extent
    phrase: _Phrase


@dataclass
class _Sentence:
    text: str
    actors: list[_ActorMention]
    places: list[_PlaceMention]
    phrases: list[_Phrase]
    dates: list[_DateMention]
    agent: str | None = None  # the actor of the last phrase read so far in this sentence
    agents: tuple[str, ...] = ()  # all the actors of that phrase ("A and B entered ...")
    # the actors that acted last in the sentences before: "in their hands" is theirs
    previous_agents: tuple[str, ...] = ()
    # the side a statement of the sentence right before named ("The Front attacked Kelso.")
    acted_before: str | None = None
    acted: bool = False  # a statement of this sentence named its agent
    # the next sentence says the others had already left ("The rebels had pulled out before
    # the soldiers arrived"): an entry here is a taking
    left_before: bool = False
    still_held: bool = False  # the next sentence says a side still holds (part of) the place
    registry_ids: frozenset[str] = frozenset()
    insurgent: str | None = None  # the last non-state actor named: "the militants" is it
    states: Mapping[str, str] = field(default_factory=dict)  # country code -> its state actor


# --- sentences -----------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """Sentences of a report, verbatim; lines without end punctuation (headlines) stand alone."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\r\n\s*\r\n", text):
        for line in _join_wrapped(block.splitlines()):
            out.extend(_split_line(line))
    return [s for s in (piece.strip() for piece in out) if s]


def _join_wrapped(lines: Sequence[str]) -> Iterator[str]:
    """Rejoin hard-wrapped lines: a line continues when the next one starts in lower case."""
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if current and (line[0].islower() or current.rstrip()[-1:] in ",;-"):
            current = f"{current} {line}"
        else:
            if current:
                yield current
            current = line
    if current:
        yield current


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def _split_line(line: str) -> list[str]:
    """Sentences of one line: pysbd's rules (abbreviations, numbers, quotes) per script."""
    script = _script(line)
    language = {"ar": "ar", "cyrillic": "ru"}.get(script or "", "en")
    if language != "ar":
        return [str(piece) for piece in _segmenter(language).segment(line)]
    # pysbd ends an Arabic sentence at every comma and colon ("أعلنت جماعة X، الأحد، سيطرتها
    # على ..." would lose its actor); they join clauses, as in English, so they are hidden from
    # it by a placeholder of the same length and put back
    hidden = line.translate(_ARABIC_CLAUSE_MARKS)
    pieces = [str(piece) for piece in _segmenter(language).segment(hidden)]
    out: list[str] = []
    cursor = 0
    for piece in pieces:
        start = hidden.find(piece, cursor)
        if start < 0:  # pysbd changed the text: keep its pieces, marks restored
            return [p.translate(_ARABIC_CLAUSE_MARKS_BACK) for p in pieces]
        cursor = start + len(piece)
        out.append(line[start:cursor])
    return out


_ARABIC_CLAUSE_MARKS = str.maketrans({"\u060c": "\ue000", ":": "\ue001"})
_ARABIC_CLAUSE_MARKS_BACK = str.maketrans({"\ue000": "\u060c", "\ue001": ":"})


# --- actors --------------------------------------------------------------------------------


_ARABIC = re.compile(r"[\u0600-\u06FF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _script(text: str) -> str | None:
    """ "ar" or "cyrillic" when most letters of the text are in that script, else None."""
    latin = len(_LATIN_LETTER.findall(text))
    counts = {"ar": len(_ARABIC.findall(text)), "cyrillic": len(_CYRILLIC.findall(text))}
    script, count = max(counts.items(), key=lambda kv: kv[1])
    return script if count > latin else None


def _verb_first_readings(s: _Sentence) -> list[_Dated]:
    """For a sentence in another script where no statement was read: each place with its nearest
    actor, read verb-first ("سيطرت قوات ... على مدينة ...").

    An actor and a place merely named together give nothing: on every development split such a
    pairing never matched a claim an analyst wrote (8 suggestions, 0 right at 0ae623c).
    """
    found: list[_Dated] = []
    # "قصفت ... مدينة": shelling a town names it, it claims nothing; strikes named after the
    # place ("سيطرت ... على بلدة ... وسط غارات", amid strikes) leave its reading alone
    shelled = min((m.start() for m in _bombardment_words().finditer(s.text)), default=None)
    movers = [a for a in s.actors if not a.speaker]
    for place in s.places:
        if not movers or place.referent or (shelled is not None and shelled < place.end):
            continue
        actor = min(movers, key=lambda a: min(abs(a.start - place.end), abs(place.start - a.end)))
        first = _verb_first(s, actor, place)
        if first is None and found:
            # "سيطرت ... على الرستن وتلبيسة": a place listed after the one read shares its reading
            before = found[-1].finding
            extent = _list_extent(s, before.place.end, place, before.extent, "all")
            if extent is not None:
                first = _Dated(replace(before, place=place, extent=extent), found[-1].date)
        if first is not None:
            found.append(first)
    return found


@lru_cache(maxsize=1)
def _bombardment_words() -> re.Pattern[str]:
    words = "|".join(map(re.escape, _roles()["bombardment_words"]))
    return re.compile(rf"(?<!\w)[وفبل]?(?:{words})")


# A relative pronoun between a place and the verb that holds it: Arabic "التي" / "الذي" (which),
# the Russian and Ukrainian object relative: "Бердянска, который контролируют российские
# войска" (which Russian troops control), and the French one with its subject after the verb:
# "Hodeïda, que contrôlent les Houthis"
_OBJECT_RELATIVE_BEFORE = re.compile(
    r"\s*[,،]?\s*(?:التي|الذي|اللتين|اللذين|который|которую|которые|яке|який|яку|які"
    r"|que(?=\s)|qu['’])\s*",
    re.IGNORECASE,
)
# between the verb and its subject: Arabic's pronoun back to the place ("تسيطر عليها قوات",
# controls it ... forces), French's article ("que contrôlent les Houthis")
_RESUMPTIVE_OR_ARTICLE = re.compile(r"\s*(?:عليها|عليه|عليهما|فيها|فيه|les|le|la|l['’])?\s*")
# a sentence in French with such an inverted relative is read verb-first too
_FRENCH_INVERTED = re.compile(r"[,]\s*qu(?:e\s+|['’]\s*)(?:contr[ôo]l|tien|occup|d[ée]tien)")


def _verb_first(s: _Sentence, actor: _ActorMention, place: _PlaceMention) -> _Dated | None:
    """ "سيطر الحوثيون على العاصمة صنعاء": a control verb, then its actor, then the place (the
    verb-first order of Arabic and of some Russian and Ukrainian sentences)."""
    for phrase in s.phrases:
        # "دخلت قوات ... مدينة ...": a quiet entry holds the place as a control verb does
        if not (phrase.status == "control" and phrase.shape == "active" or _quiet_entry(s, phrase)):
            continue
        relative = (
            place.end <= phrase.start
            and phrase.end <= actor.start
            and _OBJECT_RELATIVE_BEFORE.fullmatch(s.text[place.end : phrase.start])
            and _RESUMPTIVE_OR_ARTICLE.fullmatch(_without_dates(s, phrase.end, actor.start))
        )
        if relative and not _vetoed(s, phrase):
            # "مدينة سنجة التي تسيطر عليها قوات الدعم السريع": the town which the RSF controls
            actor_id = _actor_at(actor.actor, place, s.registry_ids, s.states)
            if actor_id is None:
                return None
            when = next((d for d in s.dates if phrase.end <= d.start < actor.start), None)
            finding = _Finding(actor_id, place, "control", place.extent or "all", phrase)
            return _Dated(finding, when)
        if not (phrase.end <= actor.start and actor.end <= place.start):
            continue
        # "سيطر مسلحو X يوم الثلاثاء على مدينة Y": the day between the actor and the place
        # is no word of the clause
        between = _words_in(_without_dates(s, phrase.end, actor.start))
        gap = _without_dates(s, actor.end, place.start)
        after = [w for w in _words_in(gap) if w not in _object_filler()]
        inside = len(_words_in(gap)) <= 12 and _inside_town().search(gap)
        if len(between) <= 2 and (len(after) <= 2 or inside) and not _vetoed(s, phrase):
            actor_id = _actor_at(actor.actor, place, s.registry_ids, s.states)
            if actor_id is None:
                return None
            when = next((d for d in s.dates if d.start >= place.end), None)
            when = when or next((d for d in reversed(s.dates) if d.end <= place.start), None)
            # "على معظم مدينة": most of; "على مقر ... في مدينة": the headquarters in the town
            extent = place.extent or ("part" if inside else _extent_in(gap)) or "all"
            finding = _Finding(actor_id, place, "control", extent, phrase)
            return _Dated(finding, when)
    return None


_CYRILLIC_ENDING = "аеёиоуыэюяіїєьй"


# the letters of Russian and Ukrainian case endings (-ами, -ого, -ових, -ої, -ів, -ей, -ям ...):
# no other letter may follow a name's stem ("Марш" is "Марша", "Маршем", never "Маршал",
# "маршрут")
_CASE_ENDING_LETTERS = "аеёиоуыэюяіїєьймхвг"


def _inflected(escaped: str, word: str, alone: bool) -> str:
    """A Russian or Ukrainian word of a name in any case: "Збройні сили Кельсонії" is also
    "Збройних сил Кельсонії" (of), "Збройними силами" (by); the stem, then up to three letters
    of a case ending. A name of one word keeps a longer stem."""
    if _ARABIC.search(word) and len(word) > 4 and word[-2:] in ("ون", "ين"):
        # the Arabic masculine plural: "الحوثيون" (subject) is "الحوثيين" after a preposition
        return re.escape(word[:-2]) + "(?:ون|ين)"
    stem = word.rstrip(_CYRILLIC_ENDING)
    shortest = 4 if alone else 3
    if not _CYRILLIC.search(word) or len(stem) < shortest or not stem.isalpha():
        return escaped
    return re.escape(stem) + f"[{_CASE_ENDING_LETTERS}{_CASE_ENDING_LETTERS.upper()}]{{0,3}}"


def _alias_pattern(alias: str) -> re.Pattern[str] | None:
    if not _WORD.findall(alias):
        return None
    words = [w for w in re.split(r"[\s\-‐]+", alias.strip()) if w]
    # "Ruritania's army": the apostrophe either way, words split by spaces or hyphens
    body = r"[\s\-‐]+".join(
        _inflected(re.sub("['’]", "['’]", re.escape(w)), w, len(words) == 1) for w in words
    )
    strict = alias.isupper() and len(alias.replace(" ", "")) <= 5
    flags = 0 if strict else re.IGNORECASE
    # Arabic writes "and", "by", "for" as one-letter prefixes: والجيش is "and the army"
    clitic = "(?:[وفبل])?" if _ARABIC.search(alias) else ""
    if alias.startswith("ال"):
        # "ل" before the article drops its alif: "للجيش الكلسوني", "of the Kelsonian army"
        body = rf"(?:{body}|(?:[وف])?لل{body[2:]})"
    return re.compile(rf"(?<![\w\-]){clitic}{body}(?!\w)", flags)


# "government forces", "the army": the state of the place's country (data/extract/state_forces.json)
STATE_FORCES = "?state"


@lru_cache(maxsize=1)
def _state_forces() -> tuple[tuple[str, ...], dict[str, str]]:
    data = json.loads(settings.data_file("extract/state_forces.json").read_text(encoding="utf-8"))
    return tuple(data["generic_aliases"]), dict(data["by_country"])


def _actor_at(
    actor: str,
    place: _PlaceMention,
    registry_ids: frozenset[str],
    states: Mapping[str, str] | None = None,
) -> str | None:
    """The registry actor an agent stands for at this place (None: no suggestion)."""
    if actor != STATE_FORCES:
        return actor
    record = geocode.place(place.place_id)
    if record is None:
        return None
    state = _state_forces()[1].get(record.country) or (states or {}).get(record.country)
    return state if state in registry_ids else None


@lru_cache(maxsize=1)
def _demonyms() -> tuple[
    dict[str, tuple[str, ...]], tuple[str, ...], tuple[str, ...], tuple[str, ...]
]:
    data = _demonyms_json()
    by_country = {code: tuple(words) for code, words in data["by_country"].items()}
    return (
        by_country,
        tuple(data["force_nouns"]),
        tuple(data["held_words"]),
        tuple(data["voices"]),
    )


@lru_cache(maxsize=1)
def _voices_before_country() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Voices that precede their country's name in the genitive ("Минобороны России"), and
    those genitives by ISO code (demonyms.json)."""
    data = json.loads(settings.data_file("extract/demonyms.json").read_text(encoding="utf-8"))
    genitives = {code: tuple(names) for code, names in data["country_genitives"].items()}
    return tuple(data["voices_before_country"]), genitives


@lru_cache(maxsize=1)
def _adjective_countries() -> dict[str, tuple[str, ...]]:
    """Adjective -> the countries it names ("Congolese": both Congos)."""
    countries: dict[str, tuple[str, ...]] = {}
    for code, words in _demonyms()[0].items():
        for word in words:
            countries[word] = (*countries.get(word, ()), code)
    return countries


def _named_countries(aliases: Iterable[str], codes: Iterable[str]) -> set[str]:
    """Which of these countries an actor's names name ("... of the Democratic Republic of the
    Congo" names that Congo, not the Republic of the Congo written inside it)."""
    patterns = [
        (code, re.compile(rf"(?<!\w){re.escape(country)}(?!\w)", re.IGNORECASE))
        for code in codes
        for country in geocode.country_names(code)
    ]
    named: set[str] = set()
    for alias in aliases:
        spans = [(m.span(), code) for code, p in patterns for m in p.finditer(alias)]
        for (a, b), code in spans:
            if not any(c <= a and b <= d and (c, d) != (a, b) for (c, d), _ in spans):
                named.add(code)
    return named


def state_actors(registry: ActorRegistry) -> dict[str, str]:
    key = tuple((a.id, a.kind, a.name, a.aliases) for a in registry)  # type: ignore[attr-defined]
    return dict(_state_actors(key))


@lru_cache(maxsize=8)
def _state_actors(
    actors: tuple[tuple[str, str, str, tuple[str, ...]], ...],
) -> tuple[tuple[str, str], ...]:
    """Country code -> the registry's state actor of that country, read from its names.

    A state actor owns a country when one of its names is a national-force phrase of that
    country's adjective ("Ruritanian forces", data/extract/demonyms.json), or, failing that,
    when its name uses the adjective. The explicit lines of state_forces.json come first.
    """
    nouns = _demonyms()[1]
    noun_words = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    adjectives = _adjective_countries()
    alternatives = "|".join(re.escape(w) for w in sorted(adjectives, key=len, reverse=True))
    force = re.compile(rf"(?:the\s+)?({alternatives})\s+(?:{noun_words})")
    used = re.compile(rf"(?<![\w\-])({alternatives})(?![\w\-])")
    best: dict[str, tuple[int, str]] = {}
    for actor_id, kind, name, aliases in actors:
        if kind != "state":
            continue
        strength: dict[str, int] = {}
        shared: set[tuple[str, ...]] = set()
        for alias in (name, *aliases):
            full = force.fullmatch(alias)
            for code in adjectives[full.group(1)] if full else ():
                strength[code] = strength.get(code, 0) + 2
            for match in used.finditer(alias):
                codes = adjectives[match.group(1)]
                for code in codes:
                    strength.setdefault(code, 1)
                if len(codes) > 1:
                    shared.add(codes)
        for codes in shared:  # an adjective of several countries: the one its names name
            named = _named_countries((name, *aliases), codes)
            for code in set(codes) - named if named else ():
                strength.pop(code, None)
        for code, value in strength.items():
            if value > best.get(code, (0, ""))[0]:
                best[code] = (value, actor_id)
    owners = {code: actor_id for code, (_, actor_id) in best.items()}
    ids = {a[0] for a in actors}
    owners.update({c: a for c, a in _state_forces()[1].items() if a in ids})
    return tuple(sorted(owners.items()))


_NATIONAL_FORCE = re.compile(r"([A-Z][a-z]+(?:i|ian|ese|ish))\s+(?:forces|troops|army|military)")
_MILITARY_NOUNS = (
    "commanders",
    "officers",
    "generals",
    "units",
    "troops",
    "soldiers",
    "forces",
    "police",
)


def _actor_patterns(registry: ActorRegistry) -> list[tuple[re.Pattern[str], str]]:
    """The patterns of every actor name, compiled once per registry and installed packs."""
    actors: Iterable[Actor] = registry
    key = tuple((a.id, a.kind, a.name, tuple(a.aliases)) for a in actors)
    return list(_compiled_actor_patterns(key, packs.signature()))


@lru_cache(maxsize=8)
def _compiled_actor_patterns(
    actors: tuple[tuple[str, str, str, tuple[str, ...]], ...],
    _packs: object,  # the country names come from the installed gazetteers
) -> tuple[tuple[re.Pattern[str], str], ...]:
    names: dict[str, str] = {}
    for actor_id, _, name, aliases in actors:
        for alias in (name, *aliases):
            names.setdefault(alias, actor_id)
    # "Ruritanian forces" is registered: "Ruritanian commanders" and "... units" are that side too
    derived: dict[str, str] = {}
    for alias, actor_id in names.items():
        force = _NATIONAL_FORCE.fullmatch(alias)
        if force:
            for noun in _MILITARY_NOUNS:
                derived.setdefault(f"{force.group(1)} {noun}", actor_id)
    for alias, actor_id in derived.items():
        names.setdefault(alias, actor_id)
    by_country, nouns, held, _ = _demonyms()
    owners = dict(_state_actors(actors))
    sides: dict[str, str] = {}  # "Ruritanian" -> its state actor, for "-held" and "hands"
    for code, actor_id in owners.items():
        for adjective in by_country.get(code, ()):
            sides.setdefault(adjective, actor_id)
            for noun in nouns:  # "Ruritanian troops", "Ruritanian army forces"
                names.setdefault(f"{adjective} {noun}", actor_id)
    for alias in _state_forces()[0]:
        names.setdefault(alias, STATE_FORCES)
    modified = _modified_forces(owners, by_country, nouns) + _french_forces(owners)
    for word in ("government", "army", "regime", "junta", "military"):
        sides.setdefault(word, STATE_FORCES)
    patterns = []
    for alias in sorted(names, key=lambda a: (-len(a), a)):
        pattern = _alias_pattern(alias)
        if pattern is not None:
            patterns.append((pattern, names[alias]))
    patterns.extend(modified)
    held_words = "|".join(map(re.escape, held))
    loyal = "|".join(map(re.escape, _roles()["loyal_to_nouns"]))
    for alias, actor_id in names.items():
        # "Kelso's forces" is registered: "forces loyal to General Amos Kelso" are they
        owner = _PERSONAL_FORCES.fullmatch(alias)
        if owner and geocode.country_of(owner.group(1)) is None:
            patterns.append(
                (
                    re.compile(
                        rf"(?<![\w\-])(?:{loyal})\s+loyal\s+to\s+(?:[\w'’\-]+\s+){{0,4}}?"
                        rf"{re.escape(owner.group(1))}(?!\w)",
                        re.IGNORECASE,
                    ),
                    actor_id,
                )
            )
    for word, actor_id in sorted(sides.items(), key=lambda kv: -len(kv[0])):
        # "Ruritanian-held", "in Ruritanian hands", "government-controlled": the side alone
        body = re.escape(word)
        patterns.append(
            (
                re.compile(
                    rf"(?<![\w\-])(?:{body}(?=[\-‐](?:{held_words})\b)"
                    # "in Ruritanian hands", "passed into Ruritanian hands"
                    rf"|(?:(?<=\bin\s)|(?<=\binto\s)|(?<=\bto\s)){body}(?=\s+hands\b)"
                    # "under Ruritanian control", "returned to government control"
                    rf"|(?:(?<=\bunder\s)|(?<=\bto\s)){body}(?=\s+control\b))",
                    re.IGNORECASE if word.islower() else 0,
                ),
                actor_id,
            )
        )
    # "Ruritania's army", "Ruritania's defence ministry": a country's own forces or voice
    voices = (*_demonyms()[3], *_roles()["speaker_nouns"])
    every_noun = "|".join(
        r"\s+".join(map(re.escape, n.split())) for n in sorted({*nouns, *voices}, key=len)[::-1]
    )
    voice_nouns = "|".join(
        r"\s+".join(map(re.escape, n.split())) for n in sorted(voices, key=len)[::-1]
    )
    for code, actor_id in owners.items():
        country = "|".join(re.escape(n) for n in geocode.country_names(code))
        if country:
            patterns.append(
                (
                    re.compile(
                        rf"(?<![\w\-])(?:{country})['’]s\s+(?:{every_noun})(?!\w)", re.IGNORECASE
                    ),
                    actor_id,
                )
            )
        genitives = _voices_before_country()[1].get(code)
        if genitives:
            # "Министерство обороны Кельсонии": the voice, then the country in the genitive
            patterns.append(
                (
                    re.compile(
                        rf"(?<![\w\-])(?:{_phrases_regex(_voices_before_country()[0])})\s+"
                        rf"(?:{_phrases_regex(genitives)})(?!\w)"
                    ),
                    actor_id,
                )
            )
        adjectives = "|".join(re.escape(a) for a in by_country.get(code, ()) if a[:1].isupper())
        if adjectives:
            # "the Ruritanian Defence Ministry said": the country's voice by its adjective
            patterns.append(
                (re.compile(rf"(?<![\w\-])(?:{adjectives})\s+(?i:{voice_nouns})(?!\w)"), actor_id)
            )
    return tuple(patterns)


def _modified_forces(
    owners: Mapping[str, str], by_country: Mapping[str, Sequence[str]], nouns: Sequence[str]
) -> list[tuple[re.Pattern[str], str]]:
    """ "Ruritanian airborne troops", "Ruritania's elite counter-terrorism units": a national
    force with up to two words of its branch or kind between (demonyms.json force_modifiers;
    not "rebel", "opposition": those are no state's forces)."""
    modifiers = _phrases_regex(_demonym_words("force_modifiers"))
    noun_words = _phrases_regex(nouns)
    patterns = []
    for code, actor_id in owners.items():
        adjectives = [re.escape(a) for a in by_country.get(code, ())]
        adjectives += [rf"{re.escape(n)}['’]s" for n in geocode.country_names(code)]
        if not adjectives:
            continue
        patterns.append(
            (
                re.compile(
                    rf"(?<![\w\-])(?:{'|'.join(adjectives)})\s+(?:(?:{modifiers})[\s\-]+){{1,2}}"
                    rf"(?:{noun_words})(?!\w)",
                    re.IGNORECASE,
                ),
                actor_id,
            )
        )
    return patterns


def _french_forces(owners: Mapping[str, str]) -> list[tuple[re.Pattern[str], str]]:
    """ "l'armée ruritanienne", "les forces armées ruritaniennes", "soldats ruritaniens": French
    puts the adjective after the noun (demonyms.json french_force_nouns, french_by_country)."""
    data = _demonyms_json()
    nouns = _phrases_regex(data.get("french_force_nouns", ()))
    by_country: Mapping[str, Sequence[str]] = data.get("french_by_country", {})
    patterns = []
    for code, actor_id in owners.items():
        adjectives = _phrases_regex(by_country.get(code, ()))
        if nouns and adjectives:
            patterns.append(
                (
                    re.compile(
                        rf"(?<![\w\-])(?:(?:l['’]|les\s+|la\s+|le\s+|des\s+|du\s+|aux\s+))?"
                        rf"(?:{nouns})\s+(?:{adjectives})(?![\w\-])",
                        re.IGNORECASE,
                    ),
                    actor_id,
                )
            )
    return patterns


@lru_cache(maxsize=1)
def _demonyms_json() -> dict[str, Any]:
    return dict(json.loads(settings.data_file("extract/demonyms.json").read_text(encoding="utf-8")))


def _demonym_words(key: str) -> tuple[str, ...]:
    return tuple(_demonyms_json().get(key, ()))


_PERSONAL_FORCES = re.compile(
    r"([A-Z][\w\-]+)['’]s\s+(?:forces|troops|fighters|army|militias?|men)"
)


def _find_actors(text: str, patterns: Sequence[tuple[re.Pattern[str], str]]) -> list[_ActorMention]:
    found: list[tuple[int, int, str]] = []
    for pattern, actor in patterns:
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), actor))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    found.extend(_shared_nouns(text, found, patterns))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    mentions: list[_ActorMention] = []
    last_end = -1
    for start, end, actor in found:
        if start < last_end:
            continue
        branch = _OTHER_BRANCH.match(text, end)
        if branch:  # "Islamic State West Africa Province": another group than the registry's
            last_end = branch.end()
            continue
        if text[start:end].lower().endswith("military") and _MILITARY_THING.match(text, end):
            continue
        if actor == STATE_FORCES and _roles_pattern("ousted_adjectives", _LOYAL_TO_FORMER).match(
            text, end
        ):
            continue  # "army units loyal to former president Saleh": a faction, not the state
        backer, _, voice = _role_patterns()
        speaker = bool(_SPEAKER_AFTER.match(text[end:]) or voice.search(text[start:end]))
        sidelined = bool(backer.search(text[:start]))
        mentions.append(_ActorMention(start, end, actor, speaker, sidelined))
        last_end = end
    return mentions


# frame of roles.json 'ousted_adjectives': "units loyal to former president Kelso"
_LOYAL_TO_FORMER = r"\s+(?:still\s+)?loyal\s+to\s+(?:the\s+)?(?:{words})"
# A registry name continued by a regional branch's ("Islamic State West Africa Province")
# ("Islamic State Sahel fighters", "Islamic State Khorasan": the branch's name without
# "Province")
_OTHER_BRANCH = re.compile(
    r"\s+(?:in\s+)?(?:West\s+Africa|Central\s+Africa|Khorasan|Sinai|Mozambique|Somalia|Pakistan"
    r"|East\s+Asia)\s+Province\b"
    r"|\s+(?:in\s+the\s+)?(?:Sahel|Greater\s+Sahara|Khorasan|West\s+Africa)\b"
)
# "the military part of the airport", "a military base": "military" describing a thing
_MILITARY_THING = re.compile(
    r"\s+(?:part|section|side|wing|zone|area|base|airport|airfield|camp|hospital|academy|school"
    r"|court|prosecutors?|police|situation|vehicles?|convoys?|planes?|aircraft|helicopters?"
    r"|equipment|hardware|aid|assistance|cooperation|experts?|analysts?|targets?|installations?"
    r"|facilit(?:y|ies)|sites?|positions?)\b",
    re.IGNORECASE,
)
_ADJECTIVE_AND = re.compile(
    r"(?<![\w\-])([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2})\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)$"
)


_TWO_ADJECTIVES_ONE_NOUN = re.compile(
    r"(?<![\w\-])([A-Z][\w'’\-]+)\s+and\s+[A-Z][\w'’\-]+\s+"
    r"(?P<noun>troops|forces|soldiers|army|armies|fighters|units|militias)\b"
)


def _shared_nouns(
    text: str,
    found: Sequence[tuple[int, int, str]],
    patterns: Sequence[tuple[re.Pattern[str], str]],
) -> list[tuple[int, int, str]]:
    """ "Ruritanian and Tarbish troops": "Ruritanian troops" is named too, sharing the noun."""
    extra: list[tuple[int, int, str]] = []
    for start, end, _ in found:
        named = text[start:end].split(maxsplit=1)
        before = _ADJECTIVE_AND.search(text[:start])
        if len(named) < 2 or before is None:
            continue
        # "African Union and Somali government troops": "African Union troops" too
        nouns = dict.fromkeys([named[1], named[1].split()[-1]])
        candidates = [f"{before.group(1)} {noun}" for noun in nouns]
        actor = next(
            (a for c in candidates for pattern, a in patterns if pattern.fullmatch(c)), None
        )
        if actor is not None:
            extra.append((before.start(1), before.end(1), actor))
    for match in _TWO_ADJECTIVES_ONE_NOUN.finditer(text):
        # "between Rwandan and Ugandan troops": "Rwandan troops", when only the second of the
        # pair is no registry name (else the loop above found it)
        if any(start <= match.start(1) < end for start, end, _ in found):
            continue
        if re.search(r"\bof\s+$", text[: match.start()]):
            continue  # "an alliance of Kurdish and Arab fighters" describes, names no side
        candidate = f"{match.group(1)} {match.group('noun')}"
        actor = next((a for pattern, a in patterns if pattern.fullmatch(candidate)), None)
        if actor is not None:
            extra.append((match.start(1), match.end(1), actor))
    for start, end, _ in found:
        # French "soldats ruritaniens et tarbiens": the noun shared by the adjective after "et"
        after = _AND_ADJECTIVE.match(text, end)
        head = text[start:end].rsplit(maxsplit=1)[0]
        if after is None or head == text[start:end]:
            continue
        candidate = f"{head} {after.group(1)}"
        actor = next((a for pattern, a in patterns if pattern.fullmatch(candidate)), None)
        if actor is not None:
            extra.append((after.start(1), after.end(1), actor))
    return extra


_AND_ADJECTIVE = re.compile(r"(?:\s*,\s*|\s+)et\s+([^\W\d_][\w\-]*)(?![\w\-])")


# --- places --------------------------------------------------------------------------------


def _capitalised(word: str) -> bool:
    first = word[0]
    return not first.isalpha() or not first.isascii() or first.isupper() or not first.islower()


def _find_places(
    text: str,
    blocked: Sequence[tuple[int, int]],
    near: Sequence[tuple[float, float]] = (),
    countries: frozenset[str] = frozenset(),
    located: frozenset[str] = frozenset(),
) -> list[_PlaceMention]:
    """Gazetteer places spelled in the text, longest match first, outside actor names.

    ``near`` are the (lon, lat) of the report's unambiguous places: a name shared by towns in
    several countries (Pokrovsk) is read as the one near them; failing that, as the one in a
    country the report places its events in (``located``: "Derna ... eastern Libya"), then in
    one whose forces it names (``countries``, which holds both: "Sudanese army").
    """
    words = [m for m in _WORD.finditer(text) if not _inside_any(m.start(), m.end(), blocked)]
    widest = geocode.longest_name_words() + 1
    mentions: list[_PlaceMention] = []
    i = 0
    while i < len(words):
        found = None
        for j in range(min(len(words), i + widest) - 1, i - 1, -1):
            found = _place_at(text, words, i, j, near, countries, located)
            if found is not None:
                part = _part_of_town(text, found)
                if isinstance(part, _PlaceMention):
                    mentions.append(part)
                elif (
                    part is None
                    and not _names_something_else(text, found)
                    and not _METONYM.match(text[found.end :])
                ):
                    mentions.append(found)
                i = j + 1
                while isinstance(part, _PlaceMention) and i < len(words):
                    if words[i].start() >= part.end:
                        break
                    i += 1  # "Northam's Old City": "City" is not read again as a place
                break
        if found is None:
            i += 1
    return mentions


# "Northam said", "Northam rejected the claim": a capital speaking for its government.
_METONYM = re.compile(
    r"^\s+(?:has\s+|have\s+|had\s+)?(?:said|says|rejected|rejects|denied|denies|claimed|claims"
    r"|announced|announces|accused|accuses|insisted|insists|responded|warned|warns|confirmed"
    r"|confirms|vowed|vows|dismissed|dismisses|blamed|blames)\b",
    re.IGNORECASE,
)


_ELISION = re.compile(r"^[dlDL]['’](?=[A-ZÀ-Ý])")
_ARABIC_AND = re.compile(r"^و(?=[\u0600-\u06FF]{3})")


def _place_at(
    text: str,
    words: Sequence[re.Match[str]],
    i: int,
    j: int,
    near: Sequence[tuple[float, float]] = (),
    countries: frozenset[str] = frozenset(),
    located: frozenset[str] = frozenset(),
) -> _PlaceMention | None:
    start, end = words[i].start(), words[j].end()
    for a, b in zip(words[i:j], words[i + 1 : j + 1], strict=False):
        if not re.fullmatch(r"[\s\-‐]+", text[a.end() : b.start()]):
            return None
    tokens = [w.group(0) for w in words[i : j + 1]]
    if tokens[0] in ("À", "Aux", "Dans"):
        return None  # French "À Sake, aux mains de": the preposition opening the sentence
    elided = _ELISION.match(tokens[0])
    if elided:  # French "d'Aguelhok", "l'Ouest": the name after the elided article
        start += elided.end()
        tokens[0] = tokens[0][elided.end() :]
    joined = bool(_ARABIC_AND.match(tokens[0])) and not geocode.is_minor_mention(text[start:end])
    if joined:  # Arabic "وتلبيسة", "and Talbiseh": the name after the joined "and"
        start += 1
        tokens[0] = tokens[0][1:]
    content = [t for t in tokens if t.lower() not in ("al", "el", "ar", "as", "ad", "an", "ash")]
    if not content or not _capitalised(content[0]):
        return None
    spelled = text[start:end]
    if spelled.casefold() in _place_nouns():
        return None  # "مدينة" is "city", not Medina
    if _not_a_place(text, start, end, spelled) or _HYPHEN_ADJECTIVE.match(text[end:]):
        return None  # "Islah-affiliated units", "Tripoli-based government": not the place
    if _unit_after().match(text[end:]):
        return None  # "Донецкой области": the region, not the town
    spelled = _uninflected(spelled)
    minor = (
        not geocode.is_mention(spelled)
        and not _named_after_place_noun(text, start, spelled)
        and not (_short_name_ok(text, start, end) and geocode.is_short_mention(spelled))
    )
    if minor and not (all(map(_capitalised, content)) and geocode.is_minor_mention(spelled)):
        return None  # a small place is spelled with capitals throughout
    kind_word = _KIND_WORD.match(text[end:])
    query = spelled
    if kind_word:
        kind = kind_word.group(1).lower()
        query = f"{spelled} {_KIND_QUERY.get(kind, kind)}"
        end += kind_word.end()
    ranked = geocode.ranked_ids(
        query, fuzzy=False, notable_only=not minor, context=list(near) or None
    )
    if not kind_word:
        # a bare name is a town: a province of the world pack (no theatre detail) is named
        # with its kind word ("Ruritania state"), and one sharing a town's spelling is the town
        ranked = [i for i in ranked if getattr(geocode.place(i), "detail", 0) != 1]
        # a district spelled as the report spells it stands for the town it is named after
        # ("Shirqat": the district Al-Shirqat, the town Ash Sharqat)
        town = geocode.namesake_town(ranked[0]) if ranked else None
        if town is not None:
            ranked = [town, *(i for i in ranked if i != town)]
    elif kind_word.group(1).lower() != "district" and not kind_word.group(1).lower().startswith(
        "sub"
    ):
        # "the Kyiv region", "Nineveh province": the unit, never the town of that name
        ranked = [
            i for i in ranked if getattr(geocode.place(i), "kind", "") not in ("city", "town")
        ]
    if not ranked:
        return None
    place_id = ranked[0]
    records = [r for r in map(geocode.place, ranked[:_HOMONYMS]) if r is not None]
    if not minor and not kind_word:
        records = [*records, *_small_namesakes(query, records, spelled, countries | located)]
    shared = len({r.country for r in records}) > 1
    if shared:
        place_id = _homonym(spelled, records, near, (located, countries))
    by_country = any(r.place_id == place_id and r.country in countries for r in records)
    if shared and near and not by_country:
        distance = geocode.distance_km(place_id, near)
        if distance is not None and distance > _FAR_KM:
            return None  # a name shared across countries, none of them near the report's places
    record = geocode.place(place_id)
    minor = minor or (record is not None and not record.notable)
    if joined and not _in_report_area(place_id, near, countries | located):
        return None  # "ولاية" is "state", not "and Lae": only a place where the report is
    return _PlaceMention(
        start,
        end,
        place_id,
        record.name if record else spelled,
        anchor=not shared or by_country,
        minor=minor,
        candidates=tuple(r.place_id for r in records) if shared else (),
    )


_BEFORE_NAME = re.compile(r"([\u0600-\u06FF]+)\s+$")
# "Fuel in Ann now costs", "seized Yei": a three-letter name after a lower-case word, not
# followed by another name ("Ann Linde") or a possessive noun
_SHORT_BEFORE = re.compile(r"(?-i:\b[a-z]+)\s+$")
_SHORT_AFTER = re.compile(r"\s+(?-i:[A-Z])|['’]s?\b|-")


def _short_name_ok(text: str, start: int, end: int) -> bool:
    return (
        end - start == 3
        and bool(_SHORT_BEFORE.search(text[:start]))
        and not _SHORT_AFTER.match(text, end)
    )


def _named_after_place_noun(text: str, start: int, spelled: str) -> bool:
    """ "مدينة الحزم", "بلدة عتق": an Arabic name of three letters (short, as Arabic writes no
    short vowels, so too short to be looked up in running text) right after "city", "town" or
    "village" is a place when a notable place is spelled so."""
    noun = _BEFORE_NAME.search(text, max(0, start - 30), start)
    return (
        noun is not None
        and noun.group(1).casefold() in _place_nouns()
        and bool(_ARABIC.search(spelled))
        and len(geocode.exact_key(spelled)) == 3  # one word: longer ones are looked up anyway
        and bool(geocode.ranked_ids(spelled, fuzzy=False, notable_only=True))
    )


def _small_namesakes(
    query: str, records: Sequence[geocode.Place], spelled: str, countries: frozenset[str]
) -> list[geocode.Place]:
    """A small place of the report's countries spelled exactly as the report spells it, when
    every notable place of that name lies elsewhere ("al-Sukhnah" in a report on Ruritania:
    Ruritania's desert town, not a seat abroad). Read as a small place (_minor_ok)."""
    if not countries or any(r.country in countries for r in records):
        return []
    for place_id in geocode.ranked_ids(query, fuzzy=False)[:_HOMONYMS]:
        record = geocode.place(place_id)
        if record is not None and record.country in countries and _spelled_as(record, spelled):
            return [record]
    return []


def _in_report_area(
    place_id: str, near: Sequence[tuple[float, float]], countries: frozenset[str]
) -> bool:
    """Whether a place lies near the report's unambiguous places or in a country it names."""
    distance = geocode.distance_km(place_id, near)
    record = geocode.place(place_id)
    return (distance is not None and distance <= geocode.REGION_KM) or (
        record is not None and record.country in countries
    )


def _homonym(
    spelled: str,
    records: Sequence[geocode.Place],
    near: Sequence[tuple[float, float]],
    tiers: Sequence[frozenset[str]],
) -> str:
    """Which of the places sharing a name the report means, from its best-ranked candidates
    (the geocoder puts those near the report's unambiguous places first).

    The first candidate when it lies near those places; else the best one in a country the
    report places its events in, then in a country whose forces it names. A town known by
    another name today (Engels, once Pokrovsk) never displaces one that bears the name now;
    forces fight abroad too, so their country's small namesake never displaces a city bearing
    the name ("Ruritanian forces seized Northam": the city abroad, not a town at home).
    """
    top = records[0]
    if near:
        distance = geocode.distance_km(top.place_id, near)
        if distance is not None and distance <= geocode.REGION_KM:
            return top.place_id
    for tier, countries in enumerate(tiers):
        if top.country in countries:
            return top.place_id
        chosen = next((r for r in records if r.country in countries), None)
        if chosen is None:
            continue
        if _bears_name(top, spelled) and not _bears_name(chosen, spelled):
            continue
        if tier > 0 and _dwarfs(top, chosen) and _spelled_as(top, spelled):
            continue
        return chosen.place_id
    return top.place_id


def _spelled_as(record: geocode.Place, spelled: str) -> bool:
    """Whether a place's own name is the name exactly as the report spells it."""
    return names.exact_key(record.name) == names.exact_key(spelled)


_DWARFS = 10  # a city this many times the size of its namesake is the one a name means


def _dwarfs(city: geocode.Place, other: geocode.Place) -> bool:
    """Whether a place is a city (geocode.CITY_POPULATION) many times the size of another."""
    return (
        city.population >= geocode.CITY_POPULATION and city.population >= _DWARFS * other.population
    )


def _bears_name(record: geocode.Place, spelled: str) -> bool:
    """Whether a place's own name (not a former or foreign one) is the name as spelled, vowels
    aside (transliterations differ in them: Derna, Darnah)."""
    return geocode.same_consonants(record.name, spelled)


def _uninflected(spelled: str) -> str:
    """A Russian or Ukrainian place name in its dictionary form (Красногоровку: Красногоровка),
    by the case endings of places.json, when the word as written names no place."""
    if not _CYRILLIC.search(spelled) or geocode.is_minor_mention(spelled):
        return spelled
    for ending, replacement in _place_words()["cyrillic_case_endings"]:
        if spelled.endswith(ending) and len(spelled) - len(ending) >= 3:
            candidate = spelled[: len(spelled) - len(ending)] + replacement
            if geocode.is_minor_mention(candidate):
                return candidate
    return spelled


@lru_cache(maxsize=1)
def _place_words() -> dict[str, Any]:
    return dict(json.loads(settings.data_file("extract/places.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _not_place_patterns() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    data = _place_words()
    titles = "|".join(re.escape(t) for t in data["titles"])
    after = "|".join(re.escape(t) for t in data["name_goes_on_except"])
    words = frozenset(w.casefold() for w in data["not_places"])
    return (
        re.compile(rf"\b(?i:{titles})\.?\s+(?:[A-Z][\w'’\-]*\s+)?$"),
        re.compile(rf"^[\s\-]+(?!(?:{after})\b)[A-Z][a-z]"),
        words | frozenset(MONTHS) | frozenset(WEEKDAYS),
    )


@lru_cache(maxsize=1)
def _unit_after() -> re.Pattern[str]:
    """ "Донецкой области", "Покровского района": a region or district named by the word after."""
    starts = "|".join(map(re.escape, _place_words()["unit_words_after"]))
    return re.compile(rf"^\s+(?:{starts})\w*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _office_after() -> re.Pattern[str]:
    """ "the Kelso regional governor", "Kelso city council": an office named after the place."""
    words = _phrases_regex(_place_words()["office_after"])
    return re.compile(rf"^(?:['’]s)?\s+(?:{words})\b", re.IGNORECASE)


def _title_case(text: str) -> bool:
    """A headline in Title Case: capitals say nothing about names there."""
    words = re.findall(r"\b[^\W\d_]{4,}\b", text)
    lower = [w for w in words if w[0].islower() and w not in ("with", "from", "into", "over")]
    return len(words) >= 3 and not lower


def _not_a_place(text: str, start: int, end: int, spelled: str) -> bool:
    """ "President Kelso", "Kelso Military Administration", "March": a name, but not a place.

    A person's title before it, a month or weekday, a common word of news copy
    (data/extract/places.json), or a capitalised word right after it that continues a longer
    name the gazetteer does not know ("Ain Kelso" is not "Ain").
    """
    titled, goes_on, words = _not_place_patterns()
    if spelled.casefold() in words or titled.search(text[:start]):
        return True
    if spelled == "مسقط" and re.match(r"\s+رأس", text[end:]):
        return True  # "مسقط رأس" is "birthplace", not Muscat
    if _office_after().match(text[end:]):
        return True
    if _town_part_after().match(text[end:]):
        return False  # "Kelso International Airport": a landmark of the town, not a longer name
    return bool(goes_on.match(text[end:])) and not _title_case(text)


_HYPHEN_ADJECTIVE = re.compile(
    r"^[\-‐](?:affiliated|backed|led|aligned|allied|linked|based|leaning|supported|sponsored"
    r"|funded|born|style)\b",
    re.IGNORECASE,
)
_HOMONYMS = 10  # candidates looked at to tell whether a name is shared across countries
_FAR_KM = 1500.0  # a shared name this far from every unambiguous place of the report is not it


@lru_cache(maxsize=1)
def _minor_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = _place_words()

    def alternatives(words: Sequence[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)

    before = alternatives(data["minor_cues_before"])
    after = alternatives(data["minor_cues_after"])
    nouns = alternatives(data["minor_cue_nouns"])
    # ", a Ruritanian town of 5,000 people", ", a small farming village": up to three words
    described = rf"(?:a|an)\s+(?:[\w\-]+\s+){{0,3}}?(?:{nouns})"
    return (
        re.compile(rf"\b(?:{before})\s+(?:the\s+)?$", re.IGNORECASE),
        re.compile(rf"^(?:\s*,|\s+is|\s+was)?\s+(?:{after}|{described})\b", re.IGNORECASE),
    )


def _minor_ok(
    text: str, place: _PlaceMention, phrases: Sequence[_Phrase], near: Sequence[tuple[float, float]]
) -> bool:
    """Whether a small place's name (a village, a town under 15,000) is a place here.

    Thousands of villages share their names with words and people, so such a name counts only
    when it lies within REGION_KM of the report's unambiguous places, or when its name belongs
    to one country and the sentence treats it as a place: "the village of ...", "..., a town
    in", or right next to a control statement ("seized ...", "... fell to").
    """
    spelled = text[place.start : place.end]
    if re.search(rf"\b{re.escape(spelled.lower())}\b", text):
        return False  # the same word in lower case: a common word ("Still", "Hope")
    distance = geocode.distance_km(place.place_id, near)
    if distance is not None and distance <= geocode.REGION_KM:
        return True
    if not place.anchor:
        return False
    cue_before, cue_after = _minor_cues()
    if cue_before.search(text[: place.start]) or cue_after.match(text[place.end :]):
        return True
    for phrase in phrases:
        if phrase.end <= place.start:
            gap = _words_in(text[phrase.end : place.start])
            fits = len(gap) <= 4 and all(w in _object_filler() for w in gap)
            # "seized the airport in Kelso": a building in it; "the army camp at Kelso"
            between = text[phrase.end : place.start]
            fits = fits or (
                len(gap) <= 8
                and bool(_inside_town().search(between) or _site_at_town().search(between))
            )
            if fits and phrase.shape != "passive":
                return True
        elif phrase.start >= place.end:
            gap = _words_in(text[place.end : phrase.start])
            if len(gap) <= 3 and all(w in _SUBJECT_FILLER for w in gap):
                # "Kelso fell to", "Kelso had been liberated": a passive statement about it
                return phrase.shape == "passive" or bool(
                    _PASSIVE_AUX.search(text[: phrase.start])
                    and _PARTICIPLE.match(text[phrase.start : phrase.end])
                )
    return False


_CAPITALISED_NAME = re.compile(r"\b[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){0,2}")
# a name the gazetteer may spell otherwise: "Jabrayil" (Jebrail), "al-Khokha" (Al Khawkhah)
_UNKNOWN_NAME = re.compile(
    r"(?<![\w\-'’])(?:(?:al|el|ad|ar|as|an|ash|at|az|ed|en|er|es)[\-\s])?"
    r"[A-Z][a-z'’]+(?:[\-\s][A-Z][a-z'’]+){0,2}(?![\w\-])"
    # a Russian or Ukrainian name the gazetteer knows only in Latin letters ("город Маскана")
    r"|(?<![\w\-])[А-ЯЁІЇЄҐ][а-яёіїєґ'’]+(?:[\-\s][А-ЯЁІЇЄҐ][а-яёіїєґ'’]+){0,2}(?![\w\-])"
    # an Arabic name the gazetteer spells otherwise, right after "city", "town" or "village"
    r"|(?:(?<=مدينة\s)|(?<=بلدة\s)|(?<=قرية\s)|(?<=مدينتي\s)|(?<=بلدتي\s)|(?<=قريتي\s))"
    r"[\u0621-\u064A]{3,}(?![\w\-])"
)
_FUZZY_FAR_KM = 1000.0  # a loose match this far from the report's place is another town
_VARIANT_MIN_LETTERS = 5  # shorter names meet too many places by a looser spelling


def _next_to_statement(text: str, start: int, end: int, phrases: Sequence[_Phrase]) -> bool:
    """Whether a name is the object right after a control statement ("captured X", "took
    control of the town of X") or the subject right before a passive one ("X fell to")."""
    for phrase in phrases:
        if phrase.end <= start and phrase.shape not in ("passive", "adjective"):
            gap = _words_in(text[phrase.end : start])
            if len(gap) <= 4 and all(w in _object_filler() for w in gap):
                return True
        elif phrase.start >= end and phrase.shape == "passive":
            gap = _words_in(text[end : phrase.start])
            if len(gap) <= 3 and all(w in _SUBJECT_FILLER for w in gap):
                return True
    return False


def _variant_places(
    text: str,
    taken: Sequence[tuple[int, int]],
    phrases: Sequence[_Phrase],
    near: Sequence[tuple[float, float]],
    countries: frozenset[str],
) -> list[_PlaceMention]:
    """Places named in a spelling the gazetteer lacks (transliterations differ in vowels,
    doubled letters, articles, apostrophes). A spelling that folds to a known one ("Rada'a",
    "Qayyara") is read when the place lies near the report's other places or in a country it
    names (a town or a seat anywhere in the sentence, a village only where the sentence makes
    it a place); a looser match
    ("Jabrayil" for Jebrail) only where the sentence makes the name a place (a cue such as
    "the town of", or right next to a control statement), and near the report's other places
    when it has several."""
    if not near and not countries:
        return []
    cue_before, cue_after = _minor_cues()
    found: list[_PlaceMention] = []
    for match in _UNKNOWN_NAME.finditer(text):
        start, end = match.span()
        spelled = match.group(0)
        if _inside_any(start, end, taken) or len(names.fold(spelled)) < 3:
            continue
        if _not_a_place(text, start, end, spelled) or _HYPHEN_ADJECTIVE.match(text[end:]):
            continue
        if spelled.casefold() in _place_nouns() or geocode.country_of(
            re.sub(r"['’]s$", "", spelled)
        ):
            continue  # "Ruritania's largest dam": the country, not a village spelled like it
        foreign = bool(_CYRILLIC.search(spelled) or _ARABIC.search(spelled))
        known = geocode.is_mention(spelled) or geocode.is_minor_mention(spelled)
        if known and not foreign:
            # a spelling the gazetteer knows: read (or left out) by _find_places; a capitalised
            # Cyrillic word or an Arabic one after "city" is a name, read here near the report
            continue
        if _FACILITY_AFTER.match(text[end:]) or _FEATURE_BEFORE.search(text[:start]):
            continue
        if any(
            _FACILITY_AFTER.match(spelled[m.start() :])
            or _town_part_after().match(spelled[m.start() :])
            for m in re.finditer(r"\s", spelled)
        ):
            continue  # "the Kelso Dam": a landmark's name, read (or not) by _find_places
        placed = bool(cue_before.search(text[:start]) or cue_after.match(text[end:]))
        placed = placed or _next_to_statement(text, start, end, phrases)
        if not _ARABIC.search(spelled) and re.search(rf"\b{re.escape(spelled.lower())}\b", text):
            continue  # the same word in lower case: a common word
        # a variant key first ("Qayyara", "al-Hol", "Rada'a"): read anywhere near the report's
        # places; a looser match only for longer names the sentence makes places
        cyrillic = bool(_CYRILLIC.search(spelled))
        loose = placed and len(names.fold(spelled)) >= _VARIANT_MIN_LETTERS and not cyrillic
        ranked: list[str] = []
        for form in _case_forms(spelled) if cyrillic else (spelled,):
            ranked = geocode.ranked_ids(
                form, fuzzy=False, notable_only=not placed, context=list(near) or None
            )
            if ranked:
                break
        fuzzy = False
        if not ranked and loose and not _town_part_after().match(text[end:]):
            # a loose match only for a bare name: "the Shaer gas field" names no town
            ranked = geocode.ranked_ids(spelled, fuzzy=True, context=list(near) or None)
            fuzzy = bool(ranked)
        for place_id in ranked[:3]:
            record = geocode.place(place_id)
            if record is None or record.kind not in ("city", "town", "village"):
                continue
            distance = geocode.distance_km(place_id, near)
            close = distance is not None and distance <= geocode.REGION_KM
            # a spelling the gazetteer knows, in another script: only near the report's places
            # ("Артем Семеніхін", a mayor's first name, is also a town in Russia)
            # a loose match far from all of the report's several places is some other town a
            # letter or two off ("Seiyun", beside Shibam and al-Qatn, is not Sayyan near Sanaa)
            # nor one a long way from the report's one place ("Chipwi", a Kachin town named
            # beside Myitkyina, is not Ch'i-wei in Fujian)
            far_off = fuzzy and (
                len(set(near)) >= 2 or (distance is not None and distance > _FUZZY_FAR_KM)
            )
            if close or (record.country in countries and not known and not far_off):
                found.append(
                    _PlaceMention(start, end, place_id, record.name, anchor=True, minor=True)
                )
            break
    # "مدينتي حوث وخمر", "the towns of Huth and Khamir": the second of two towns after the dual
    for match in _ARABIC_DUAL.finditer(text):
        start, end = match.span("second")
        if _inside_any(start, end, taken) or any(f.start == start for f in found):
            continue
        for place_id in geocode.ranked_ids(
            match.group("second"), fuzzy=False, context=list(near) or None
        )[:1]:
            record = geocode.place(place_id)
            if record is None or record.kind not in ("city", "town", "village"):
                continue
            distance = geocode.distance_km(place_id, near)
            if (distance is not None and distance <= geocode.REGION_KM) or (
                not near and record.country in countries
            ):
                found.append(
                    _PlaceMention(start, end, place_id, record.name, anchor=True, minor=True)
                )
    return found


_ARABIC_DUAL = re.compile(
    r"(?:مدينتي|بلدتي|قريتي)\s+[\u0621-\u064A]{3,}\s+و(?P<second>[\u0621-\u064A]{3,})(?![\w\-])"
)


def _case_forms(spelled: str) -> list[str]:
    """A Russian or Ukrainian name as written, then in the dictionary forms its case ending
    may stand for (places.json cyrillic_case_endings: Маскану, Маскана)."""
    forms = [spelled]
    for ending, replacement in _place_words()["cyrillic_case_endings"]:
        if spelled.endswith(ending) and len(spelled) - len(ending) >= 3:
            forms.append(spelled[: len(spelled) - len(ending)] + replacement)
    return list(dict.fromkeys(forms))


# "the northern Ruritanian town of", "on Ruritanian soil": the adjective says where the place is
_PLACE_AFTER_ADJECTIVE = re.compile(
    r"^\s+(?:[a-z\-]+\s+)?(?:town|towns|city|cities|village|villages|capital|province|region"
    r"|state|port|border|countryside|side|territory|soil|settlement|localit(?:y|ies))\b"
)


def _report_countries(
    text: str,
    actors: Mapping[str, Sequence[_ActorMention]] | None = None,
    registry: ActorRegistry | None = None,
) -> tuple[frozenset[str], frozenset[str]]:
    """ISO codes of the countries a report names: (where its places lie, every one).

    The first set holds what says where places are: a country named ("Libya", "Sudan's
    army"), a province named with its kind word or alone when only one country has it
    ("Tigray", "Sumy region"), an adjective before a place noun ("the northern Ruritanian
    town of"). The second adds what only says who fights: a national force's adjective
    ("Ruritanian troops", "Ruritanian officials") and the country of a registry actor the
    report names (a state actor's own country, or the one country an actor's names use).
    Foreign forces fight in wars abroad, so those rank a shared name only after the first set.
    """
    adjectives = _adjective_countries()
    located: set[str] = set()
    found: set[str] = set()
    for match in _CAPITALISED_NAME.finditer(text):
        # "Kelso-based", "Ruritanian-led": the name before the hyphen
        words = [re.sub(r"(?<=\w)-[a-z]+$", "", w) for w in match.group(0).split()]
        for n in range(len(words), 0, -1):
            code = geocode.country_of(" ".join(words[:n]))
            if code is not None:
                located.add(code)
                break
        else:
            code = _province_country(" ".join(words))
            if code is not None:
                located.add(code)
        for word in words:
            if word in adjectives:
                found.update(adjectives[word])
                after = text[match.start() + match.group(0).index(word) + len(word) :]
                if _PLACE_AFTER_ADJECTIVE.match(after):
                    located.update(adjectives[word])
    if registry is not None and actors:
        homes = _actor_countries(registry)
        for mentions in actors.values():
            for mention in mentions:
                found.update(homes.get(mention.actor, ()))
    if _UKRAINIAN_LETTER.search(text):
        located.add("UA")  # a report in Ukrainian is about Ukraine ("У Донецьку": not Russia's)
    return frozenset(located), frozenset(located | found)


_UKRAINIAN_LETTER = re.compile(r"[іїєґІЇЄҐ]")


_PROVINCE_MIN_LETTERS = 5  # "Nord", "Est": too many short words name a province somewhere


@lru_cache(maxsize=2048)
def _province_country(name: str) -> str | None:
    """The country of a province named in the text, when every province so named lies in
    one country ("Tigray", "Sumy"): a world-pack unit by its own name, not a town's."""
    if len(names.fold(name)) < _PROVINCE_MIN_LETTERS or name.casefold() in _not_place_patterns()[2]:
        return None
    countries = set()
    for place_id in geocode.ranked_ids(f"{name} province", fuzzy=False)[:_HOMONYMS]:
        record = geocode.place(place_id)
        if record is None or record.kind in ("city", "town", "section", "former place"):
            continue
        if names.exact_key(record.name) != names.exact_key(name):
            continue
        countries.add(record.country)
    if len(countries) != 1:
        return None
    # a province sharing a town's name abroad (Al Bayda) says nothing about which is meant
    towns = geocode.ranked_ids(name, fuzzy=False, notable_only=True)[:_HOMONYMS]
    if any(getattr(geocode.place(i), "country", None) not in countries for i in towns):
        return None
    return countries.pop()


def _actor_countries(registry: ActorRegistry) -> dict[str, frozenset[str]]:
    """Registry id -> the countries it belongs to: a state actor's own (state_actors), the
    one country whose name or adjective an actor's names use ("Libyan National Army"), and
    those where a group its names name fights (data/extract/armed_groups.json: "Houthis")."""
    key = tuple((a.id, a.kind, a.name, a.aliases) for a in registry)  # type: ignore[attr-defined]
    return dict(_actor_countries_for(key))


@lru_cache(maxsize=8)
def _actor_countries_for(
    actors: tuple[tuple[str, str, str, tuple[str, ...]], ...],
) -> tuple[tuple[str, frozenset[str]], ...]:
    adjectives = _adjective_countries()
    homes: dict[str, set[str]] = {}
    for code, actor_id in _state_actors(actors):
        homes.setdefault(actor_id, set()).add(code)
    for actor_id, kind, name, aliases in actors:
        if kind == "state":
            continue
        used: set[str] = set()
        for alias in (name, *aliases):
            for match in _CAPITALISED_NAME.finditer(alias):
                for word in match.group(0).split():
                    country = geocode.country_of(word)
                    used.update(adjectives.get(word, ()) or ([country] if country else []))
        if len(used) == 1:
            homes[actor_id] = used
    for actor_id, _, name, aliases in actors:
        for code, group in _armed_groups():
            if any(group.search(alias) for alias in (name, *aliases)):
                homes.setdefault(actor_id, set()).add(code)
    return tuple((k, frozenset(v)) for k, v in sorted(homes.items()))


@lru_cache(maxsize=1)
def _armed_groups() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(country code, the names of the groups fighting there as one pattern)."""
    data = json.loads(settings.data_file("extract/armed_groups.json").read_text(encoding="utf-8"))
    return tuple(
        (code, re.compile(rf"(?<![\w\-])(?:{'|'.join(map(re.escape, groups))})(?![\w\-])"))
        for code, groups in sorted(data["by_country"].items())
    )


def _anchors(
    actors: Mapping[str, Sequence[_ActorMention]],
    countries: frozenset[str] = frozenset(),
    located: frozenset[str] = frozenset(),
) -> list[tuple[float, float]]:
    """(lon, lat) of the report's places whose name belongs to one country only (or to one
    of the countries the report names); of two towns of one country sharing a name, the one
    near the report's other places. With none, the towns of two names shared across
    countries that lie near each other ("the town of Khokha ... towards Hays": the pair on the
    same coast, not one town in each of two countries far apart); with none of those either,
    the wire dateline's place, which otherwise chooses nothing ("KYIV, Oct 13 - ... Avdiivka")."""
    found: list[tuple[str, str, tuple[float, float]]] = []  # (name, as spelled, where)
    datelines: list[tuple[float, float]] = []
    shared: dict[str, tuple[str, ...]] = {}
    for sentence, mentions in actors.items():
        blocked = [(a.start, a.end) for a in mentions]
        dateline = _DATELINE.match(sentence)
        for mention in _find_places(sentence, blocked, countries=countries, located=located):
            record = geocode.place(mention.place_id)
            if mention.minor or record is None:
                continue
            if dateline and mention.start < dateline.end():
                # "KYIV, Oct 13 - ... Avdiivka": where the reporter files from says little about
                # which of two namesakes the story is about
                datelines.append((record.lon, record.lat))
                continue
            spelled = sentence[mention.start : mention.end]
            if mention.anchor:
                found.append((names.fold(spelled), spelled, (record.lon, record.lat)))
            elif mention.candidates:
                shared.setdefault(names.fold(spelled), mention.candidates)
    points = [
        _nearest_namesake(spelled, where, [w for n, _, w in found if n != name])
        for name, spelled, where in found
    ]
    # with no other place of one country, the dateline still tells the report's region
    return points or _agreeing(list(shared.values())) or datelines


def _nearest_namesake(
    spelled: str, where: tuple[float, float], others: Sequence[tuple[float, float]]
) -> tuple[float, float]:
    """Of two towns of one country that share a name, the one near the report's other places
    ("Shibam and al-Qatn" in the Hadramawt valley, not the Shibam near Sanaa)."""
    if not others or any(geocode.km_between(where, o) <= geocode.REGION_KM for o in others):
        return where
    for place_id in geocode.ranked_ids(spelled, fuzzy=False)[:_HOMONYMS]:
        distance = geocode.distance_km(place_id, others)
        record = geocode.place(place_id)
        if record is not None and distance is not None and distance <= geocode.REGION_KM:
            return (record.lon, record.lat)
    return where


def _agreeing(shared: Sequence[tuple[str, ...]]) -> list[tuple[float, float]]:
    """For each shared name, its candidate lying near a candidate of most other shared names."""
    records = [[r for r in map(geocode.place, ids) if r is not None] for ids in shared]
    points: list[tuple[float, float]] = []
    for i, mine in enumerate(records):
        best, support = None, 0
        for record in mine:
            here = [(record.lon, record.lat)]
            count = sum(
                any(
                    (d := geocode.distance_km(other.place_id, here)) is not None
                    and d <= geocode.REGION_KM
                    for other in theirs
                )
                for j, theirs in enumerate(records)
                if j != i
            )
            if count > support:
                best, support = record, count
        if best is not None:
            points.append((best.lon, best.lat))
    return points


@lru_cache(maxsize=1)
def _landmarks() -> dict[str, Any]:
    return dict(
        json.loads(settings.data_file("extract/landmarks.json").read_text(encoding="utf-8"))
    )


@lru_cache(maxsize=1)
def _town_part_after() -> re.Pattern[str]:
    """A landmark named after the town before it (landmarks.json): "'s old city", " airbase",
    " International Airport", "'s main military airport"."""
    data = _landmarks()
    describing = _phrases_regex(data["describing_words"])
    return re.compile(
        rf"^(?P<own>['’]s)?\s+(?:(?:{describing})\s+){{0,2}}?"
        rf"(?:(?P<site>{_phrases_regex(data['site_of_town'])})"
        rf"|(?P<part>{_phrases_regex(data['part_of_town'])})"
        rf"|(?P<either>{_phrases_regex(data['site_or_part'])}))(?![\w\-])",
        re.IGNORECASE,
    )


_AWAY = "away"  # a landmark that takes a big city's name from afar: no claim on the city
_STANDS_AT = re.compile(
    r"^\s+(?:at|in|near|outside)\s+(?:the\s+)?(?:(?:central|eastern|western|northern|southern"
    r"|town\s+of|city\s+of)\s+)?(?-i:[A-Z])",
    re.IGNORECASE,
)


def _part_of_town(text: str, place: _PlaceMention) -> _PlaceMention | str | None:
    """ "Westford's old city": part of the town; "the Ashby border crossing": the town itself
    (a site by it, outside it), with the extent the sentence gives; "the Northam Dam", when
    Northam is a city of region_population people or more, lies away from it: _AWAY."""
    match = _town_part_after().match(text[place.end :])
    if match is None:
        return None
    if _STANDS_AT.match(text[place.end + match.end() :]):
        # "the Kelso dam at Northam", "the Kelso complex in southern Northam": the landmark
        # stands at the place named after it; the name before it is only the landmark's
        return _AWAY
    if not _is_town(place.place_id):
        return None
    site = match.group("site")
    if site is not None:
        data = _landmarks()
        record = geocode.place(place.place_id)
        far = {" ".join(w.lower().split()) for w in data["named_for_a_region"]}
        population = record.population if record is not None else 0
        if " ".join(site.lower().split()) in far and population >= data["region_population"]:
            return _AWAY
    inside = match.group("part") or (match.group("either") and match.group("own"))
    extent: Extent | None = "part" if inside else None
    end = place.end + match.end()
    return _PlaceMention(place.start, end, place.place_id, place.name, extent)


@lru_cache(maxsize=1)
def _site_at_town() -> re.Pattern[str]:
    """A site outside a town, named with the town it stands at ("the dam at Kelso", "the army
    camp at Kelso"): the claim is on the town, all of it (the site usually holds the town)."""
    data = _landmarks()
    site = _phrases_regex([*data["site_of_town"], "plant", "station", "post"])
    either = _phrases_regex(data["site_or_part"])
    french = _phrases_regex(data["french_sites"])
    return re.compile(
        rf"\b(?:{site})\s+(?:at|in)\s+(?:the\s+)?(?:town\s+of\s+|city\s+of\s+)?$"
        rf"|\b(?:{either})\s+at\s+(?:the\s+)?(?:town\s+of\s+)?$"
        rf"|\b(?:{french})\s+(?:de\s+|du\s+|d['’])$",  # "le camp d'Aguelhok"
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _inside_town() -> re.Pattern[str]:
    """Something inside a town (_INSIDE_TOWN, and the landmarks inside a town or either way):
    fighting over it contests part of the town."""
    data = _landmarks()
    words = _phrases_regex([*data["part_of_town"], *data["site_or_part"]])
    arabic = _phrases_regex(data["arabic_part_of_town"])
    nouns = _phrases_regex(_place_nouns())
    return re.compile(
        rf"{_INSIDE_TOWN.pattern}|\b(?:{words})\b{_INSIDE_TOWN_TAIL}"
        # "مقر الفرقة ... في مدينة": "the division's headquarters in the city of"; "مطار":
        # "the airport of" right before the name
        rf"|(?<!\w)(?:[وبل]?ال)?(?:{arabic})"
        rf"(?:\s+|(?!\w)[^،,;.]{{0,60}}?(?<!\w)في\s+(?:(?:{nouns})\s+)?)$",
        re.IGNORECASE,
    )


def _names_something_else(text: str, place: _PlaceMention) -> bool:
    """ "Northam Dam", "Mount Kelso", "Southwick University": a feature named after the town."""
    return bool(
        _FACILITY_AFTER.match(text[place.end :]) or _FEATURE_BEFORE.search(text[: place.start])
    )


def _inside_any(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


# --- phrases -------------------------------------------------------------------------------


def _find_phrases(text: str, actors: Sequence[_ActorMention]) -> list[_Phrase]:
    taken: list[tuple[int, int]] = []
    # a verb inside a name is none: "the Free Syrian Army" frees nothing ("in Ukrainian hands"
    # holds a name and is a phrase)
    names = [(a.start, a.end) for a in actors]
    phrases: list[_Phrase] = []
    lexicon = verbs()
    for verb in lexicon:
        if verb.frame == "adjective":
            continue
        for match in verb.pattern.finditer(text):
            if _inside_any(match.start(), match.end(), taken) or _in_a_name(text, match.start()):
                continue
            if any(a <= match.start() and match.end() <= b for a, b in names):
                continue
            phrase = _refine(
                text, _Phrase(match.start(), match.end(), verb.frame, verb.status, verb)
            )
            if phrase is None:
                continue
            phrases.append(phrase)
            taken.append((match.start(), match.end()))
    for mention in actors:
        for verb in lexicon:
            adjective = verb.frame == "adjective" and verb.pattern.match(text[mention.end :])
            if adjective:
                kind: Shape = "contest" if verb.status == "contested" else "adjective"
                end = mention.end + adjective.end()
                phrases.append(_Phrase(mention.start, end, kind, verb.status, verb))
                break
    return sorted(phrases, key=lambda p: p.start)


# "the Northern Storm brigade", "Operation Free Kelso": a capitalised verb after a capitalised
# word (not one that opens the sentence or a clause) is a word of a name
_NAME_WORD_BEFORE = re.compile(r"(?<![.:;!?\-–—])\s(?-i:[A-Z][\w'’\-]*)\s+$")


def _in_a_name(text: str, start: int) -> bool:
    if not text[start : start + 1].isupper() or not _NAME_WORD_BEFORE.search(text[:start]):
        return False
    before = text[:start].split()
    return len(before) > 1 and not _title_case(text)


def _refine(text: str, phrase: _Phrase) -> _Phrase | None:
    """Turn "captured by" into a passive phrase and drop "held talks" and the like."""
    after = text[phrase.end :]
    verb = phrase.verb
    if verb is not None and verb.other_senses is not None and verb.other_senses.match(after):
        return None
    if phrase.shape in ("active", "drive", "contest"):
        by = _PASSIVE_BY.match(after)
        if by is None and phrase.shape == "contest":
            by = _ARABIC_BY.match(after)  # "محاصرة من قوات ...": besieged by
        if by:  # "captured by", "besieged by"; "captured on Sunday by" keeps its date outside
            end = phrase.end + (by.end() if by.groupdict().get("when") is None else 0)
            return _Phrase(phrase.start, end, "passive", phrase.status, verb)
    return phrase


# --- dates ---------------------------------------------------------------------------------


def _latest_on_or_before(month: int, day: int, published: dt.date) -> dt.date | None:
    for year in (published.year, published.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= published:
            return candidate
    return None


def _find_dates(text: str, published: dt.date | None) -> list[_DateMention]:
    """Date expressions with the day each stands for; a leading "on"/"in"/"since" included."""
    found: list[_DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], day: dt.date | None, precision: str) -> None:
        if day is None or _inside_any(match.start(), match.end(), taken):
            return
        taken.append((match.start(), match.end()))
        found.append(_DateMention(match.start(), match.end(), day, precision))

    if published is not None and _script(text) is not None:
        found.extend(_dates_in_other_languages(text, published))
        taken.extend((d.start, d.end) for d in found)
    for match in _ISO_DATE.finditer(text):
        try:
            add(match, dt.date.fromisoformat(match.group("iso")), "day")
        except ValueError:
            continue
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            add(match, _explicit(match, published), "day")
    for match in _MONTH_YEAR.finditer(text):
        add(match, dt.date(int(match.group("year")), _month_number(match), 1), "month")
    for match in _MONTH_ALONE.finditer(text):
        add(match, _month_only(match, published), "month")
    for match in _YEAR_ALONE.finditer(text):
        add(match, dt.date(int(match.group("year")), 1, 1), "year")
    if published is not None:
        for match in _WEEKDAY_RE.finditer(text):
            add(match, _weekday(match.group("weekday"), published), "day")
        for match in _YEARS_AGO_TODAY.finditer(text):
            years = _counted(match.group("count"))
            with suppress(ValueError):  # 29 February
                add(match, published.replace(year=published.year - years), "day")
        for pattern, days_back in _RELATIVE_DAYS:
            for match in pattern.finditer(text):
                add(match, published - dt.timedelta(days=days_back), "day")
        for match in _LAST_MONTH.finditer(text):
            end_of_last = published.replace(day=1) - dt.timedelta(days=1)
            add(match, end_of_last.replace(day=1), "month")
    dated = _weekday_with_date(text, sorted(found, key=lambda d: d.start))
    dated = [
        _DateMention(d.start, d.end, d.day, d.precision, forward=True)
        if _POSSESSIVE_AFTER.match(text[d.end :])
        else d
        for d in dated
    ]
    return _days_earlier(text, _days_apart(text, dated, published), published)


_POSSESSIVE_AFTER = re.compile(r"['’]s\b")
_NUMBER_WORDS = {
    **{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6},
    **{"seven": 7, "eight": 8, "nine": 9, "ten": 10},
}
# "a day after they captured Kelso", "three days after the city fell": the event is that many
# days before the date of the clause it hangs on; "hours after" is the same day.
_DAYS_APART = re.compile(
    rf"\b(?:{_COUNT}\s+(?P<unit>days?|weeks?)"
    r"|(?P<hours>hours|minutes))\s+(?P<way>after|before)\b",
    re.IGNORECASE,
)


# "a week earlier": the clause it ends is that long before the sentence's date
_DAYS_EARLIER = re.compile(rf"\b{_COUNT}\s+(?P<unit>days?|weeks?)\s+earlier\b", re.IGNORECASE)


def _stated_around(
    dates: list[_DateMention], match: re.Match[str]
) -> tuple[list[_DateMention], list[_DateMention]]:
    """The sentence's own dates before and after ``match`` (not those of what follows them)."""
    stated = [d for d in dates if not d.forward]
    return (
        [d for d in stated if d.end <= match.start()],
        [d for d in stated if d.start >= match.end()],
    )


def _days_earlier(
    text: str, dates: list[_DateMention], published: dt.date | None
) -> list[_DateMention]:
    """Add the date of a clause that ends "a week earlier", counted back from the sentence's
    other date ("Kelso, which they had seized a week earlier, ... on Saturday"), else from
    publication ("they had seized it two days earlier")."""
    added = list(dates)
    for match in _DAYS_EARLIER.finditer(text):
        if _inside_any(match.start(), match.end(), [(d.start, d.end) for d in added]):
            continue
        before, after = _stated_around(dates, match)
        near = [*after[:1], *before[-1:]]
        base = published if not near else near[0].day if near[0].precision == "day" else None
        if base is None:
            continue
        day = base - dt.timedelta(days=_counted_days(match))
        added.append(_DateMention(match.start(), match.end(), day, "day"))
    return sorted(added, key=lambda d: d.start)


def _days_apart(
    text: str, dates: list[_DateMention], published: dt.date | None
) -> list[_DateMention]:
    """Add the date of an event placed some days after or before the clause's own date."""
    added = list(dates)
    for match in _DAYS_APART.finditer(text):
        if _inside_any(match.start(), match.end(), [(d.start, d.end) for d in dates]):
            continue
        before, after = _stated_around(dates, match)
        anchor = before[-1] if before else after[0] if after else None
        if anchor is not None and anchor.precision != "day":
            continue
        base = anchor.day if anchor is not None else published
        if base is None:
            continue
        days = _counted_days(match) if match.group("count") else 0
        sign = -1 if match.group("way").lower() == "after" else 1
        day = base + dt.timedelta(days=sign * days)
        added.append(_DateMention(match.start(), match.end(), day, "day", forward=True))
    return sorted(added, key=lambda d: d.start)


def _counted_days(match: re.Match[str]) -> int:
    """The days a "three days" or "two weeks" of ``match`` (groups count, unit) stands for."""
    days = _counted(match.group("count"))
    return days * (7 if match.group("unit").lower().startswith("week") else 1)


def _counted(count: str) -> int:
    """ "three" or "3" as a number."""
    return int(count) if count.isdigit() else _NUMBER_WORDS[count.lower()]


def _weekday_with_date(text: str, found: list[_DateMention]) -> list[_DateMention]:
    """ "on Sunday, May 17" is one date, the stated day: the weekday only repeats it."""
    out: list[_DateMention] = []
    for mention in found:
        previous = out[-1] if out else None
        if (
            previous is not None
            and _WEEKDAY_RE.fullmatch(text[previous.start : previous.end])
            and re.fullmatch(r",?\s*(?:the\s+)?", text[previous.end : mention.start])
            and mention.precision == "day"
        ):
            out[-1] = _DateMention(previous.start, mention.end, mention.day, mention.precision)
        else:
            out.append(mention)
    return out


_DATEPARSER_LANGUAGES = {"ar": ["ar"], "cyrillic": ["ru", "uk"]}
_MONTH_WORD = re.compile(r"الشهر|شهر|месяц|місяц", re.IGNORECASE)


# A bare span of days or weeks ("يومين", "ثلاثة أيام", "два дня", "тиждень"), and the words that
# make one a day counted back ("قبل يومين", "два дня назад" puts its word after)
_DURATION = re.compile(
    r"(?:(?:\d+|ثلاثة|أربعة|خمسة|ستة|سبعة|عشرة)\s+)?(?:يومين|يوما|يومًا|أيام|أسبوع|أسبوعين|أسابيع)"
    r"|(?:\d+|два|две|три|четыре|пять|дві|чотири|п'ять)?\s*(?:дня|дней|днів|дні|недели|недель"
    r"|тижні|тижнів|неделю|тиждень)",
)
_AGO_BEFORE = re.compile(r"(?:قبل|منذ)\s+$")


def _dates_in_other_languages(text: str, published: dt.date) -> list[_DateMention]:
    """Dates in an Arabic or Cyrillic sentence, by dateparser, relative to the publication.

    "يوم الاثنين" (on Monday), "أمس" (yesterday), "17 февраля": the latest such day on or
    before publication, at day precision.
    """
    base = dt.datetime(published.year, published.month, published.day)
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    languages = _DATEPARSER_LANGUAGES[_script(text) or "ar"]
    found = dateparser.search.search_dates(text, languages=languages, settings=settings)
    out: list[_DateMention] = []
    cursor = 0
    for spelled, when in found or []:
        start = text.find(spelled, cursor)
        if start < 0 or when.date() > published:
            continue
        cursor = start + len(spelled)
        if _DURATION.fullmatch(spelled.strip()) and not _AGO_BEFORE.search(text[:start]):
            continue  # "بعد يومين من", "через два дня": a span of time, no day
        day = when.date()
        if published - day == dt.timedelta(days=7) and not re.search(r"\d", spelled):
            day = published  # a weekday naming the publication day itself, as in English
        if _MONTH_WORD.search(spelled) and not re.search(r"\d", spelled):
            # "منذ الشهر الماضي", "since last month": the month, as "last month" in English
            out.append(_DateMention(start, cursor, day.replace(day=1), "month"))
            continue
        out.append(_DateMention(start, cursor, day, "day"))
    return out


def _month_number(match: re.Match[str]) -> int:
    return MONTHS[match.group("month").lower().rstrip(".")]


def _explicit(match: re.Match[str], published: dt.date | None) -> dt.date | None:
    month = _month_number(match)
    day = int(match.group("day"))
    if match.group("year"):
        try:
            return dt.date(int(match.group("year")), month, day)
        except ValueError:
            return None
    return _latest_on_or_before(month, day, published) if published else None


def _month_only(match: re.Match[str], published: dt.date | None) -> dt.date | None:
    if published is None:
        return None
    month = _month_number(match)
    year = published.year if month <= published.month else published.year - 1
    return dt.date(year, month, 1)


def _weekday(name: str, published: dt.date) -> dt.date:
    back = (published.weekday() - WEEKDAYS[name.lower()]) % 7
    return published - dt.timedelta(days=back)


# --- binding -------------------------------------------------------------------------------


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for match in _CLAUSE_BREAK.finditer(text):
        if match.end() <= position:
            start = match.end()
        elif match.start() >= position:
            end = match.start()
            break
    return start, end


def _words_in(gap: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(gap)]


def _percent_extent(value: int) -> Extent:
    return "all" if value >= 100 else "most" if value > 50 else "part"


def _extent_in(gap: str) -> Extent | None:
    """The extent words nearest the end of ``gap`` (that is, nearest the place after it)."""
    best: tuple[int, int, Extent] | None = None
    for match in _PERCENT.finditer(gap):
        key = (match.end(), match.end() - match.start())
        if best is None or key > best[:2]:
            best = (key[0], key[1], _percent_extent(int(match.group(1))))
    for extent, pattern in EXTENT_PATTERNS:
        for match in pattern.finditer(gap):
            key = (match.end(), match.end() - match.start())
            if best is None or key > best[:2]:
                best = (key[0], key[1], extent)
    return best[2] if best else None


def _without_dates(s: _Sentence, start: int, end: int) -> str:
    """The text from start to end with date expressions blanked ("Northam on Tuesday and")."""
    chars = list(s.text[start:end])
    for d in s.dates:
        for i in range(max(d.start, start), min(d.end, end)):
            chars[i - start] = " "
    return "".join(chars)


# A nationality adjective in "the northern Ruritanian town of": describes, never names, the place.
_DEMONYM = re.compile(r"\b[A-Z][a-z]+(?:i|ian|ese|ish)\b")


@lru_cache(maxsize=1)
def _object_filler() -> frozenset[str]:
    """Filler words, with the words for "city", "district" in other scripts (قضاء, місто)."""
    return _OBJECT_FILLER | _place_nouns()


def _referent_object_ok(gap: str) -> bool:
    """ "retook the city", "most of the town": a referent object follows its verb closely."""
    words = _words_in(_PERCENT.sub(" ", gap))
    return len(words) <= 8 and all(w in _object_filler() for w in words) and "," not in gap


_CONTEST_LEAD = re.compile(
    r"^\s*(?:(?:is|are|was|were|has|have|been|still|now|under\s+way|underway|raging|continuing"
    r"|continued|ongoing|reported|with|against|the)\s+)*(?:in|into|inside|on|at|for|over"
    r"|в|у|во|за)\b",
    re.IGNORECASE,
)


_KIND_OF = re.compile(
    r"\b(?:towns?|city|cities|villages?|ports?|capital|settlements?|localities)\s+of\s+$",
    re.IGNORECASE,
)


_ONE_ADJECTIVE = re.compile(r"\s*the\s+(?-i:[a-z][a-z\-]+)\s+")


# Russian and Ukrainian "liberated from the militants the town of": who it was freed from
_FREED_FROM = re.compile(
    r"^\s*(?:от|від)\s+(?:\S+\s+){1,3}?(?=(?:город|місто|село|селище|посёлок|поселок"
    r"|населённый|населенный|населений)\b)",
    re.IGNORECASE,
)


def _first_object_ok(gap: str, shape: Shape, actors_between: bool) -> bool:
    freed = _FREED_FROM.match(gap)
    if freed:  # "освободили от боевиков город Kelso": the town is the object
        gap, actors_between = gap[freed.end() :], False
    if _LOCATOR_BEFORE.search(gap):
        return False
    if _ONE_ADJECTIVE.fullmatch(gap) and not actors_between:
        return True  # "seized the disused Kelso airport": one describing word
    if len(_words_in(gap)) <= 10 and _site_at_town().search(gap) and not re.search(r"[.;:]", gap):
        return True
    words = _words_in(gap)
    if shape in ("contest", "entry"):
        # "Fighting between the army and the Front raged for a second day in Kelso": the
        # sides' names are no distance from the fighting
        return len(words) <= (18 if actors_between else 14) and not re.search(r"[.;:]", gap)
    if len(words) <= 14 and (_inside_town().search(gap) or _LIST_OF_TOWNS.search(gap)):
        return not re.search(r"[.;:]", gap)  # "the government compound in Westford"
    if actors_between and shape != "drive":
        return False
    if len(words) <= 12 and _KIND_OF.search(gap) and not re.search(r"[,.;:]", gap):
        return True  # "the Red Sea port town of Kelso", "the coastal cities of Kelso and Marsh"
    # "75 percent of the facility", "the northern Ruritanian town of Kelso"
    words = _words_in(_DEMONYM.sub(" ", _PERCENT.sub(" ", gap)))
    return len(words) <= 10 and all(w in _object_filler() for w in words) and "," not in gap


def _first_object_extent(gap: str, shape: Shape) -> Extent | None:
    """Extent of the first object: extent words, else what the gap says lies in the town."""
    if _LIST_OF_TOWNS.search(gap):
        return _extent_in(gap[_LIST_OF_TOWNS.search(gap).start() :])  # type: ignore[union-attr]
    if _LAST_POCKETS.search(gap):
        return "all"
    if _site_at_town().search(gap):
        return "all"
    if _inside_town().search(gap):
        if shape == "contest" and _STREETS.search(gap):
            return None  # "fought in the streets of Kelso": fighting in the town, no part named
        return _extent_in(_tail_words(gap, 3)) or "part"
    return _extent_in(gap)


_STREETS = re.compile(r"\bstreets\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_POSSESSIVE_STREETS = re.compile(r"^['’]s\s+streets\b", re.IGNORECASE)


# "Kelso, the capital of Northshire": the second place only says where the first lies
_CAPITAL_OF = re.compile(
    r"^\s*,\s*(?:the|a|an)?\s*(?:[\w\-]+\s+){0,3}?(?:capital|city|town|seat|centre|center|hub)"
    r"\s+(?:of|in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _next_object_ok(gap: str, actors_between: bool) -> bool:
    if actors_between or _LOCATOR_BEFORE.search(gap) or _IN_BEFORE.search(gap):
        return False
    if _CAPITAL_OF.match(gap):
        return False
    words = _words_in(gap)
    return len(words) <= 8 and all(w in _LIST_FILLER for w in words)


def _list_extent(
    s: _Sentence, anchor: int, place: _PlaceMention, previous: Extent, default: Extent
) -> Extent | None:
    """The extent of ``place`` if it continues the list of places whose last member ends at
    ``anchor`` ("most of Kelso and Marsh": most of both; "Kelso, and the town of Marsh"), else
    None. The one list reader of English readings and verb-first ones in other scripts."""
    gap = _without_dates(s, anchor, place.start)
    between = any(anchor <= a.start and a.end <= place.start for a in s.actors)
    if not _next_object_ok(gap, between):
        return None
    inherited = previous if _CONJUNCTION_ONLY.match(gap) else default
    return place.extent or _extent_in(gap) or inherited


# A counted or plural place noun, then a colon or a dash: a list of places follows.
_LIST_INTRO = re.compile(
    r"\s*(?:[\w'’\-]+\s+){0,6}?(?:towns|cities|villages|capitals|districts|localities"
    r"|settlements|hamlets|strongholds|places|communities)\s*(?::|\s[\-–—])\s*",
    re.IGNORECASE,
)
_APPOSED_NOUN = re.compile(r"\b(?P<noun>capital|city|town|village|port)\s*,\s*$", re.IGNORECASE)


# "Kelso in the Northam region and Marsh in the Southam region": a region after a listed place
_LOCATES_LAST = re.compile(r"\s*,?\s*in\s+(?:the\s+)?", re.IGNORECASE)
_REGION_MENTION = re.compile(r"\b(?:region|province|oblast|governorate|state)$", re.IGNORECASE)


_UNKNOWN_LISTED = re.compile(
    r"(?P<head>\b(?:towns|cities|villages|settlements)\s+of\s+)"
    r"(?:(?-i:[A-Z])[\w'’\-]+(?:\s+(?-i:[A-Z])[\w'’\-]+)?\s*(?:,\s*|\s+and\s+))+$",
    re.IGNORECASE,
)


def _objects_after(
    s: _Sentence, start: int, limit: int, shape: Shape, status: Status
) -> list[tuple[_PlaceMention, Extent]]:
    """Places a phrase is about, from ``start`` up to ``limit``, each with its extent."""
    picked: list[tuple[_PlaceMention, Extent]] = []
    default = DEFAULT_EXTENT[status]
    # "retook three towns: Kelso, Marsh and Dunmore", "hold four of the valley's towns - ...":
    # the list after the colon or dash is the object (a place inside the count only counts)
    listed = _LIST_INTRO.match(_without_dates(s, start, limit))
    if listed is not None:
        start += listed.end()
    anchor = start
    for place in s.places:
        if place.start < start or place.end > limit:
            continue
        gap = _without_dates(s, anchor, place.start)
        between = any(anchor <= a.start and a.end <= place.start for a in s.actors)
        if not picked and listed is not None and gap.strip() == "":
            picked.append((place, place.extent or default))
        elif not picked:
            gap = _APPOSED_NOUN.sub(r"\g<noun> ", gap)  # "90 percent of the capital, Kelso"
            # "the towns of Shire and Alamata": a listed name the gazetteer lacks is passed over
            gap = _UNKNOWN_LISTED.sub(r"\g<head>", gap)
            lead = gap
            if shape in ("contest", "entry"):  # "fighting in the town", "battling X in the town"
                for actor in s.actors:
                    if anchor <= actor.start and actor.end <= place.start:
                        lead = lead.replace(s.text[actor.start : actor.end], " ")
                lead = _CONTEST_LEAD.sub(" ", lead)
            inside = len(_words_in(gap)) <= 10 and _inside_town().search(gap)
            if place.referent and not (_referent_object_ok(lead) or inside):
                break
            if not _first_object_ok(gap, shape, between):
                break
            extent = _first_object_extent(gap, shape)
            streets = shape == "contest" and _POSSESSIVE_STREETS.match(s.text[place.end :])
            whole = extent == "most" and _POSSESSIVE_ALL_PARTS.match(s.text[place.end :])
            if _POSSESSIVE_PART.match(s.text[place.end :]) and not streets and not whole:
                # "Westford's Old Mill district", "most of Eastbrook's eastern neighbourhoods":
                # a part ("fighting in the town's streets" is fighting in the town: no part
                # named; "most of the capital's districts" is most of it)
                extent = "part"
            picked.append((place, place.extent or extent or default))
        elif _LOCATES_LAST.fullmatch(gap) and _REGION_MENTION.search(
            s.text[place.start : place.end]
        ):
            anchor = place.end
            continue  # "Kelso in the Northam region and Marsh": the region only locates Kelso
        elif _QUALIFIES_NEXT.match(gap):
            # "the Lakeside city of Eastbrook", "Lakeside's capital Westford": Lakeside only locates
            lead = s.text[start : picked[-1][0].start]
            picked[-1] = (place, _first_object_extent(lead, shape) or default)
        else:
            listed_extent = _list_extent(s, anchor, place, picked[-1][1], default)
            if listed_extent is None:
                break
            picked.append((place, listed_extent))
        anchor = place.end
    seen: set[str] = set()
    unique = []
    for place, extent in picked:
        if place.place_id not in seen:
            seen.add(place.place_id)
            unique.append((place, extent))
    return unique


_LOCATED_SUBJECT = re.compile(
    # "the island of Manaung to its west remain in the hands of": a direction from the last
    r"^\s+(?:(?:on|in|near|along|outside|by|at)\s+(?:the\s+)?[^,;.]{1,60}?"
    rf"|to\s+(?:its|their|the)\s+(?:{_COMPASS}))"
    r"(?P<rest>(?:\s+(?:had|has|have|was|were|is|are|been|now|finally|quickly|already|still"
    r"|remain|remains|remained))*\s*)$",
    re.IGNORECASE,
)
_CLAUSE_WORDS = _wordset(
    """
    said says and but when while after before which that who whom as where because since
    until if fighters forces troops militants army
    """
)


_ITS_PEOPLE = re.compile(
    r"\s*,\s*(?:its|whose)\s+(?:\w+\s+)?(?:garrison|defenders|residents|people|population"
    r"|inhabitants)\s+(?:(?:is|are|was|were|has\s+been|have\s+been|still|now)\s+)*",
    re.IGNORECASE,
)


def _subject_rest(gap: str) -> str | None:
    """What lies between a subject place and its passive phrase, if only filler does.

    An apposition between commas is skipped ("Tarbury, a city of 200,000 west of Northam,
    fell to the Front").
    """
    rests = [gap]
    # "Kelso, the last town in the valley still in Front hands"; "Kelso is now the only one of
    # the region's towns still held by"
    leading = re.match(
        r"^(?:\s*,|\s+(?:is|was|remains)(?:\s+now)?)\s+(?:the|a|an)\s+[^,;.]{0,80}\b(?:still|now)\s+$",
        gap,
    )
    if leading and len(_words_in(gap)) <= 14:
        rests.append("")
    relative = re.match(
        # "Kosti, on the White Nile, which is held by": a phrase that locates it, set off
        r"^(?:\s*,\s*(?:on|in|near|along|by|at)\s+(?:the\s+)?[^,;.]{1,40}?(?=\s*,)"
        # "ود مدني، عاصمة ولاية الجزيرة، التي": the capital of a state, set off
        r"|\s*[,،]\s*(?:عاصمة|مركز)\s+[^,،;.]{1,40}?(?=\s*[,،]))?"
        r"\s*[,،]\s*(?:which|that|التي|الذي|اللتين|اللذين)(?!\w)(?P<rest>[^,;.]*)$",
        gap,
        re.IGNORECASE,
    )
    if relative:  # "Westford, which is held by the Front", "ود مدني، التي تخضع لسيطرة"
        rests.append(relative.group("rest"))
    appositive = _APPOSITIVE.match(gap)
    if appositive:
        rests.append(appositive.group("rest"))
    # "Kassala, near the Eritrean border and held by": where it lies, then the state
    located_and = _LOCATED_AND.match(gap)
    if located_and:
        rests.append(located_and.group("rest"))
    # "the modern town of Tadmur beside it is in the hands of": placed by the one just named
    beside = _BESIDE_IT.match(gap)
    if beside:
        rests.append(beside.group("rest"))
    # "Babanusa, its garrison cut off for months by": the place's people stand for it
    if _ITS_PEOPLE.fullmatch(gap):
        rests.append("")
    # "the desert town on the main highway to Northam fell to": a phrase that says where
    located = _LOCATED_SUBJECT.match(gap)
    if located and not (set(_words_in(gap)) & _CLAUSE_WORDS) and len(_words_in(gap)) <= 9:
        rests.append(located.group("rest"))
    # "Kelso had been cleared of Front fighters and was under ...": a first predicate shares
    # its subject with the statement after "and"
    rests += [m.group("rest") for m in map(_FIRST_PREDICATE.match, rests) if m is not None]
    for rest in rests:
        if all(w in _SUBJECT_FILLER for w in _words_in(rest)) and not re.search(r"[,;.]", rest):
            return rest
    return None


_LOCATED_AND = re.compile(
    r"^\s*,\s*(?:near|on|in|along|by|at|close\s+to)\s+(?:the\s+)?[^,;.]{1,40}?\s+and\s+"
    r"(?P<rest>[^,;.]*)$",
    re.IGNORECASE,
)
_BESIDE_IT = re.compile(
    r"^\s+(?:beside|next\s+to|below|above|opposite|behind|across\s+from)\s+(?:it|them)\b"
    r"(?P<rest>[^,;.]*)$",
    re.IGNORECASE,
)
_FIRST_PREDICATE = re.compile(
    r"^\s*(?:had|has|have|was|were|is|are)\s+[^,;.]{1,80}?\s+and\s+"
    r"(?P<rest>(?:(?:was|were|is|are|remains?|remained|now|still|firmly|has\s+been|had\s+been"
    r"|have\s+been)\s+)*)$",
    re.IGNORECASE,
)


# a prepositional state ("under Front control", "in Front hands") set off after its place
_STATE_PHRASE = re.compile(r"(?:under|in|sous)\b", re.IGNORECASE)
# "Kelso, the Northam district town held by", "Kelso, the capital of Northam held by",
# "Kelso, the Northam capital that remains in the hands of": a state after an apposition
_APPOSED_STATE = re.compile(
    # not "Kelso, the last town held by the Front": the holding the sentence's event ended
    # "Téra, a town in Niger's Tillabéri region still held by": the town's region between
    # (an Arabic adjective may follow the town: "الفاشر القريبة،", nearby)
    r"(?:\s+(?:القريبة|القريب|المجاورة|المجاور|المحاصرة|المحاصر))?"
    r"\s*[,،]\s*(?:(?:the|a|an)\s+(?![^,;.]*\b(?:last|final)\b)[^,;.]{0,60}?"
    r"\b(?:town|city|capital|village|port|seat|hub)\b"
    # "Qayyarah, the town south of Mosul now held by": the other town only locates it
    rf"(?:\s+(?:of|in|(?:{_COMPASS})\s+of|near|outside)\s+[^,;.]{{1,40}}?)?"
    r"\s*[,،]?\s*(?:(?:that|which)\s+(?:is|are|remains?|remained"
    r"|has\s+(?:been|remained)|have\s+(?:been|remained))\s+)?(?:(?:still|now)\s+)?"
    # French "Gorom-Gorom, chef-lieu de l'Oudalan toujours tenu par"
    r"|(?:(?:le|la|une?)\s+)?(?:chef-lieu|ville|localité|capitale)\b(?:\s+(?:de|du|des)\b"
    r"[^,;.]{1,40}?)?\s*(?:(?:toujours|encore|désormais)\s+)?"
    # Arabic "الحزم، عاصمة محافظة الجوف الخاضعة لسيطرة": the capital of a province, held by
    r"|(?:عاصمة|مركز)\s+(?:(?:محافظة|ولاية|إقليم|مديرية|قضاء)\s+)?\S+\s+"
    # "الفاشر، آخر مدينة كبرى في دارفور تحت سيطرة": the last big town of a region still held
    r"|آخر\s+(?:مدينة|مدن|معقل|معاقل)\s+(?:كبرى\s+|رئيسية\s+)?(?:(?:في|ب)\s*\S+\s+)?)",
    re.IGNORECASE,
)
# What may stand between places and a state that describes them ("Kelso and Marsh, both
# held by", "Goma, toujours tenue par")
# ("Kassala, also held by the army", "Lashio, back in the hands of")
_ALL_STILL = (
    r"(?:(?:both|all|each)\s+)?(?:(?:still|now|also|back|again|firmly|toujours|encore|aussi"
    r"|désormais)\s+)?"
)
_BOTH = re.compile(r"\s*,\s*" + _ALL_STILL, re.IGNORECASE)


# "Titao, dans le Nord, et Sebba", "Kelso, in the north, and Marsh": a list whose places are
# each located in passing
_LOCATED_JOINT = re.compile(
    r"^\s*,\s*(?:dans|in|au|en)\s+(?:le\s+|la\s+|l['’]\s*|les\s+|the\s+)?[^,;.]{1,30},\s*"
    r"(?:et|and)\s+$",
    re.IGNORECASE,
)


_HEADING_TO = re.compile(rf"\b(?:{_COMPASS})\s+(?:to|towards?|into)\s+$", re.IGNORECASE)
# "Kyaukpyu and the island of Manaung remain in the hands of": a listed place of a named kind
# ("Pokrovsk and neighbouring Myrnohrad, both still held by")
_KIND_JOINT = re.compile(
    r"^\s*,?\s*and\s+(?:the\s+(?:island|town|city|village|port|district)\s+of"
    r"|(?:nearby|neighbou?ring))\s+$",
    re.IGNORECASE,
)


# ", chef-lieu de la province du", ", the capital of": an apposition between a town and its region
_SEAT_OF = re.compile(
    r"\s*,\s*(?:the\s+)?(?:(?:provincial|regional|state|district)\s+)?(?:capital|seat"
    r"|chef-lieu|main\s+town)\s+(?:of|de|du|des|d['’])\s*(?:the\s+|la\s+|l['’])?"
    r"(?:(?:province|region|state|district|cercle|région|préfecture)\s+(?:of|de|du|des|d['’])?\s*)?",
    re.IGNORECASE,
)


_PART_OF_BEFORE = re.compile(
    r"\b(?:the\s+)?(?:centre|center|heart|old\s+city|(?:[a-z]+ern\s+)?(?:half|part|districts"
    r"|neighbou?rhoods|quarters))\s+of\s+$",
    re.IGNORECASE,
)


def _subjects_before(
    s: _Sentence, phrase: _Phrase, floor: int
) -> list[tuple[_PlaceMention, Extent]]:
    """Places a passive phrase is about: the nearest fitting place before it, and its list."""
    before = [p for p in s.places if p.end <= phrase.start]
    first: _PlaceMention | None = None
    rest = ""
    # "Goma, tenue par le M23": a lasting state's participle in any language is reduced too
    lasting = phrase.verb is not None and phrase.verb.state
    reduced = bool(_PARTICIPLE.match(s.text[phrase.start : phrase.end])) or lasting
    state = bool(_STATE_PHRASE.match(s.text[phrase.start : phrase.end]))
    apposed = [
        p
        for p in before[-3:]
        if lasting
        and _is_town(p.place_id)
        and _APPOSED_STATE.fullmatch(s.text[p.end : phrase.start])
    ]
    passing = False  # a state named in passing: the words before the place are another's
    for place in apposed[:1] or reversed(before[-3:]):
        gap = s.text[place.end : phrase.start]
        found = _subject_rest(gap)
        # "Kyaukme, the northern Shan State town held by the TNLA,"; "Kelso, held by the Front
        # since May, was ...": a reduced relative
        passing = bool(lasting and _APPOSED_STATE.fullmatch(gap)) or bool(
            reduced and _BOTH.fullmatch(gap)
        )
        if found is None and passing:
            found = ""
        if found is None and re.fullmatch(r"\s*,\s*", gap) and state:
            found = ""  # "Kelso and Marsh, under Front control since May, have been ..."
        if found is not None:
            # "À Djibo, chef-lieu de la province du Soum, sous blocus du": the town whose seat
            # the apposition names, not the province
            whose = [
                p
                for p in before
                if p.end <= place.start
                and _is_town(p.place_id)
                and not _is_town(place.place_id)
                and _SEAT_OF.fullmatch(s.text[p.end : place.start])
            ]
            first, rest = (whose[-1] if whose else place), found
            break
    if first is None:
        return []
    chosen = [first]
    for place in reversed([p for p in before if p.end <= first.start]):
        gap = s.text[place.end : chosen[-1].start]
        joint = _CONJUNCTION_ONLY.match(gap) or _LOCATED_JOINT.match(gap) or _KIND_JOINT.match(gap)
        if place.start < floor or not joint:
            break
        chosen.append(place)
    clause_start, _ = _clause_bounds(s.text, first.start)
    default = DEFAULT_EXTENT[phrase.status]
    out = []
    for place in reversed(chosen):
        lead = s.text[max(clause_start, floor, place.start - 40) : place.start]
        lead = lead[lead.rfind(",") + 1 :]  # "In South Kordofan, Kelso ...": no "south" part
        if (passing and not _PART_OF_BEFORE.search(lead)) or _HEADING_TO.search(lead):
            # "fled villages around Kelso, the town held by": no part of it; "made their way
            # south to Kelso, which is held by": a heading, no part (but "in the centre of
            # Kelso, held by": that part)
            lead = ""
        extent = place.extent or _extent_in(_tail_words(lead, 4)) or _extent_in(rest) or default
        out.append((place, extent))
    return out


def _tail_words(text: str, count: int) -> str:
    words = list(_WORD.finditer(text))
    if len(words) <= count:
        return text
    return text[words[-count].start() :]


_IN_RELATIVE = re.compile(r"^[^,;]{0,60},\s*(?:(?:\w+ly|also|now|then)\s+)?$")
_RELATIVE_OPENS = re.compile(r",\s*(?:who|which|whose|that)\b[^,;]*$", re.IGNORECASE)


def _agent_before(
    s: _Sentence, phrase: _Phrase, floor: int, previous_agent: str | None
) -> str | None:
    """The actor doing what the phrase says: the nearest eligible actor before it.

    A verb joined by "and" to an earlier one in the sentence ("moved into Kessel after Ruritanian
    troops fled, and now hold the entire city") shares that verb's actor.
    """
    if s.agent is not None and (
        _SHARED_SUBJECT.search(s.text[floor : phrase.start]) or _participle_clause(s, phrase, floor)
    ):
        return s.agent
    clause_start, _ = _clause_bounds(s.text, phrase.start)
    # "is now in Ruritanian hands ... soldiers took over": a side named inside another
    # statement ("in Ruritanian hands", "Front-held") is that statement's, not this one's agent
    inside = [(p.start, p.end) for p in s.phrases if p.shape in ("passive", "adjective", "leave")]
    candidates = [
        a
        for a in s.actors
        if clause_start <= a.start
        and a.end <= phrase.start
        and not a.speaker
        and not a.sidelined
        and not any(start <= a.start and a.end <= end for start, end in inside)
    ]
    # "Kelso Front insurgents, who have pledged allegiance to the Order, captured": an actor
    # inside a relative clause between commas is not the subject
    outside = [
        a
        for a in candidates
        if not (
            _RELATIVE_OPENS.search(s.text[clause_start : a.start])
            and _IN_RELATIVE.search(s.text[a.end : phrase.start])
        )
    ]
    if outside:
        return outside[-1].actor
    if candidates:
        return candidates[-1].actor
    lead = s.text[max(clause_start, floor) : phrase.start]
    if s.insurgent and _INSURGENT_ANAPHOR.search(lead):
        return s.insurgent
    if _ITS_FORCES.search(lead):
        # "the Front said its fighters had taken": the side that speaks, else the last one
        named = [a for a in s.actors if a.end <= phrase.start]
        if named:
            return named[-1].actor
        speaker = _speaking_state(s, phrase)
        if speaker is not None:
            return speaker
    subject = _subject_after_fronted(s, phrase)
    if subject is not None:
        return subject
    voices = [a for a in s.actors if a.speaker and a.end <= phrase.start]
    if voices and (_IT_SUBJECT.search(lead) or _UNITS_AFTER_THAT.search(lead)):
        return voices[-1].actor  # "the Ruritanian defence ministry said it had taken"
    quoted = _quoted_voice(s, phrase)
    if quoted is not None:
        return quoted
    later_voices = [a for a in s.actors if a.speaker and a.start >= phrase.end]
    if later_voices and _OWN_UNITS.match(lead):
        # "Units of the Centre group ... have liberated Kelso, the Ruritanian Defence Ministry
        # said": units named by no side are the speaking side's own
        return later_voices[0].actor
    if previous_agent and _PRONOUN_SUBJECT.search(lead):
        return previous_agent
    return None


# "Having seized", "After seizing", "Since taking": a participle clause opening the sentence
_FRONTED_PARTICIPLE = re.compile(
    r"^\W*(?:(?:after|since|upon|on|before|while|when|following|having|just|only)\s+)*$",
    re.IGNORECASE,
)
_MAIN_SUBJECT = re.compile(r"^[^;:]*?,\s*(?:the\s+)?$")


def _subject_after_fronted(s: _Sentence, phrase: _Phrase) -> str | None:
    """The subject of the main clause after a participle clause that opens the sentence ("Having
    seized Kelso on Sunday, Front fighters moved on", "After taking Kelso, the Front ...")."""
    lead = s.text[: phrase.start]
    words = s.text[phrase.start : phrase.end]
    # "Pushing north from Kelso, Front units ...": a move from a place, not a drive out of it
    if phrase.shape == "drive" or not _FRONTED_PARTICIPLE.match(lead):
        return None
    if not (re.match(r"\w+ing\b", words) or re.search(r"(?i)\bhaving\s+$", lead)):
        return None
    for mention in s.actors:
        if mention.start >= phrase.end and not mention.speaker:
            if _MAIN_SUBJECT.match(s.text[phrase.end : mention.start]):
                return mention.actor
            return None
    return None


# "Ruritania said on Friday that its troops had", "The government announced its forces had": a
# country or a government speaking of its own troops
_STATE_SPEAKS = re.compile(
    r"(?:^|[^\w\-])(?:(?P<government>(?i:the\s+government|the\s+authorities))|(?P<name>[A-Z][\w\-]+"
    r"(?:\s+[A-Z][\w\-]+)?))\s+(?:(?:has|had|have|also|later|then|officially)\s+)?(?:said|says"
    r"|announced|announces|claimed|claims|stated|reported|confirmed|declared)\b[^.;:]{0,60}?"
    r"\b(?:its|their)\s+(?:own\s+)?(?:forces|troops|units|soldiers|army|military)\b[^.;:]*$"
)


def _speaking_state(s: _Sentence, phrase: _Phrase) -> str | None:
    """The state whose voice speaks of its own troops before the phrase, when no actor is named:
    a country by its name (its state actor), or "the government" (the state forces of the
    place)."""
    spoken = _STATE_SPEAKS.search(s.text[: phrase.start])
    if spoken is None:
        return None
    if spoken.group("government"):
        return STATE_FORCES
    code = geocode.country_of(spoken.group("name"))
    state = s.states.get(code or "") or _state_forces()[1].get(code or "")
    return state if state and state in s.registry_ids else None


_UNIT_NOUNS = (
    r"(?:units|troops|forces|servicemen|soldiers|assault\s+(?:groups|units|detachments)"
    r"|подразделения|підрозділи|войска|війська|военнослужащие|штурмовые\s+отряды"
    r"|штурмові\s+загони)"
)
_OWN_UNITS = re.compile(rf"^\s*(?:the\s+|our\s+)?{_UNIT_NOUNS}(?!\w)", re.IGNORECASE)
# "Минобороны России сообщило, что подразделения ... освободили": units after the voice's "that"
_UNITS_AFTER_THAT = re.compile(
    rf"(?:\bthat|(?<!\w)что|(?<!\w)що)\s+(?:the\s+|our\s+)?{_UNIT_NOUNS}(?!\w)[^,;]*$",
    re.IGNORECASE,
)
_IT_SUBJECT = re.compile(
    r"\b(?:it|they)\s+(?:(?:had|has|have|was|were|is|are|now|also|already|\w+ly)\s+){0,3}$",
    re.IGNORECASE,
)


# "'We have taken Kelso,' the Front's commander said", "the Front said: \"Our fighters hold
# Kelso\"": a first person inside quotes is the side whose voice opens or closes the quote
_QUOTE_MARKS = "'\"‘’“”«»"
_FIRST_PERSON = re.compile(
    r"(?<!\w)(?:we|our\s+(?:own\s+|brave\s+|heroic\s+)?(?:forces|troops|units|soldiers"
    r"|fighters|men|army|military|mujahideen|brothers|heroes))\s+(?:(?:have|had|has|are|were"
    r"|now|also|already|just|finally|today|\w+ly)\s+){0,3}$",
    re.IGNORECASE,
)
_VOICE_VERBS = r"(?:said|says|told|added|declared|claimed|announced|wrote)"
# between the statement and a voice after it: the rest of the quote, its closing mark, a verb
_QUOTE_CLOSED = re.compile(
    rf"^[^{_QUOTE_MARKS}]*[,.!]?[{_QUOTE_MARKS}]\s*,?\s*(?P<verb>{_VOICE_VERBS}\s+)?(?:(?:a|an|the)\s+)?$",
    re.IGNORECASE,
)
_VOICE_AFTER = re.compile(rf"^\s+(?:has\s+|had\s+|also\s+)?{_VOICE_VERBS}\b", re.IGNORECASE)
# between a voice before and the first person: its verb, a few words, the opening mark
_QUOTE_OPENED = re.compile(
    rf"\b{_VOICE_VERBS}\b[^{_QUOTE_MARKS}]{{0,40}}?[:,]?\s*[{_QUOTE_MARKS}]$", re.IGNORECASE
)


def _quoted_voice(s: _Sentence, phrase: _Phrase) -> str | None:
    """The side whose voice a first person in quotes is ("'We have taken Kelso,' the Front's
    commander said on Monday"; "A Front commander said: 'We have taken Kelso'")."""
    lead = s.text[: phrase.start]
    subject = _FIRST_PERSON.search(lead)
    if subject is None:
        return None
    opening = lead[: subject.start()].rstrip()
    if not opening or opening[-1] not in _QUOTE_MARKS:
        return None  # the first person opens the quotation
    voices_before = [a for a in s.actors if a.speaker and a.end <= subject.start()]
    if voices_before and _QUOTE_OPENED.search(s.text[voices_before[-1].end : len(opening)]):
        return voices_before[-1].actor
    for mention in s.actors:
        if mention.start >= phrase.end:
            closed = _QUOTE_CLOSED.match(s.text[phrase.end : mention.start])
            # a voice by its noun ("a Front commander"), its verb before ("said the army") or
            # after ("the army said")
            voiced = (
                mention.speaker
                or (closed and closed.group("verb"))
                or _VOICE_AFTER.match(s.text[mention.end :])
            )
            if closed and voiced:
                return mention.actor
            break
    return None


_ITS_FORCES = re.compile(
    r"\b(?:its|their)\s+(?:own\s+)?(?:forces|troops|units|soldiers|fighters|men|army|military)\b",
    re.IGNORECASE,
)


def _agents_after(s: _Sentence, start: int, window: int | None = None) -> list[str]:
    _, clause_end = _clause_bounds(s.text, start)
    limit = clause_end if window is None else min(clause_end, start + window)
    after = [a for a in s.actors if start <= a.start and a.end <= limit and not a.speaker]
    if not after:
        return []
    for i, mention in enumerate(after):
        if _BETWEEN_BEFORE.search(s.text[: mention.start]) and i + 1 < len(after):
            return list(dict.fromkeys([mention.actor, after[i + 1].actor]))
    return [after[0].actor]


def _vetoed(s: _Sentence, phrase: _Phrase) -> bool:
    clause_start, clause_end = _clause_bounds(s.text, phrase.start)
    lead = s.text[clause_start : phrase.start]
    if _NEGATION_BEFORE.search(lead):
        return True
    modal = _MODAL_BEFORE.search(lead)
    # "next to Russian-occupied Kelso", "moved to Front-held Kelso": "to" before an adjective
    # of holding is a preposition
    preposition = phrase.shape == "adjective" and modal and re.fullmatch(r"to\s+", modal.group(0))
    if modal and not preposition and not _FACTUAL_TO.search(lead):
        return True
    background = _roles_pattern("backgrounded_before", _BACKGROUND)
    if phrase.status == "contested" and background.search(lead):
        return True  # "after a four-month battle for the town": background, not a day's fighting
    if _LONG_AFTER.search(lead) and not _own_date(s, phrase):
        return True  # "four months after the alliance entered the city": not dated to a day
    driven_out = phrase.shape == "drive" and _DRIVEN_FROM_IT.search(lead)
    if _intention().search(lead) and not driven_out:
        # "aimed to begin an offensive on", "once troops launch their assault on"; not "seized
        # Kelso before being driven out by the army", which happened
        return True
    if _DENIED_THAT.search(lead):
        return True
    if _raid(s, phrase):
        return True  # "overran Kelso on Friday but withdrew a few hours later"
    # A repelled attack: anywhere in the sentence for an attack ("attacked Haditha ... but were
    # repulsed"), within the clause for a control statement.
    scope = s.text if phrase.status == "contested" else s.text[clause_start:clause_end]
    if phrase.status == "contested" and phrase.shape in ("contest", "entry"):
        words = s.text[phrase.start : phrase.end]
        if re.match(r"(?i)attack|assault", words) and _BOMBARDMENT.search(s.text):
            return True  # "attacked Kelso with drones": strikes, not fighting for the town
    if phrase.status == "contested" and _FAILED_TAKING.search(s.text):
        return True
    if phrase.status == "contested" and _roles_pattern("start_verbs", _TO_COME_AFTER).match(
        s.text, phrase.end, clause_end
    ):
        return True  # "the offensive on the town would begin within days": still to come
    if phrase.status == "contested" and _roles_pattern("attacker_nouns", _ATTACKERS_KILLED).search(
        lead
    ):
        return True  # "killed the last of the gunmen who attacked Kelso": the attack was ended
    if (
        phrase.status == "control"
        and (
            (phrase.verb is not None and phrase.verb.state)
            or re.search(r"\b(?:remain|remains|remained|still)\s+$", lead, re.IGNORECASE)
        )
        and not _REPELLED.search(s.text[phrase.end : clause_end])
    ):
        # "fought off an assault on Kelso and remain in control of the town": the defenders'
        # lasting hold after the repelled attack is no attack
        return False
    return bool(_REPELLED.search(scope))


# the taker leaving again right after its taking or attack ("but withdrew a few hours later",
# "before pulling back"), not leaving another named place ("but withdrew from Northam")
_LEFT_AGAIN = (
    r"\b(?:but|and|before|then|later|after\s+which\s+they)\s+(?:then\s+)?(?:{words})\b"
    r"(?!\s+(?:from|out\s+of)\s+(?:the\s+)?[A-Z])"
)


def _raid(s: _Sentence, phrase: _Phrase) -> bool:
    """A taking or an attack the sentence calls a raid: the taker left again right after, or a
    raid word in its clause ("a hit-and-run attack"; roles.json) or "briefly" before it names it.
    No ground held or fought."""
    if phrase.shape not in ("entry", "active") and not (
        phrase.status == "contested" and phrase.shape == "contest"
    ):
        return False
    clause_start, clause_end = _clause_bounds(s.text, phrase.start)
    if _roles_pattern("raid_words").search(s.text, clause_start, clause_end):
        return True  # "a hit-and-run attack on Kelso"
    if _BRIEFLY.search(s.text, 0, phrase.start):
        return True  # "briefly seized Kelso", not "retook Kelso after the Front briefly held it"
    left = _roles_pattern("left_again", _LEFT_AGAIN).search(s.text, phrase.end)
    # "occupied Kelso and held it for two days before withdrawing": held for days, a holding
    return left is not None and not _HELD_FOR_DAYS.search(s.text, phrase.end, left.start())


_BRIEFLY = re.compile(r"\bbriefly\s+$", re.IGNORECASE)
_HELD_FOR_DAYS = re.compile(
    r"\bfor\s+(?:[\w\-]+\s+){0,2}(?:days?|weeks?|months?|years?)\b", re.IGNORECASE
)


_BOMBARDMENT = re.compile(
    r"\b(?:missiles?|drones?|rockets?|shell(?:s|ing|ed)|artillery|air\s*strikes?|airstrikes?"
    r"|bombs?|bombing|bombard\w*|warplanes?|jets?|aircraft|mortars?|helicopters?)\b",
    re.IGNORECASE,
)


def _next_phrase_start(s: _Sentence, phrase: _Phrase) -> int:
    _, clause_end = _clause_bounds(s.text, phrase.end)
    # "besieged Front-held districts of Westford": a side's adjective does not end the object
    later = [p.start for p in s.phrases if p.start >= phrase.end and p.shape != "adjective"]
    return min([clause_end, *later])


def _previous_phrase_end(s: _Sentence, phrase: _Phrase) -> int:
    earlier = [p.end for p in s.phrases if p.end <= phrase.start]
    return max(earlier, default=0)


Reading = tuple[list[str], list[tuple[_PlaceMention, Extent]]]


# A sentence that opens on its participle: "Retaken on Sunday by the army, Kelso had been ...",
# "Also taken on Thursday, the ministry said, were the town of Kelso and ...".
_FRONTED_LEAD = re.compile(
    r"^[\W_]*(?:(?:also|then|later|finally|meanwhile|earlier|and)\b[\s,]*)?$", re.IGNORECASE
)
_FRONTED_BY = re.compile(r"^[^,;]{0,60}?\b(?:by|to)\s+$", re.IGNORECASE)
_INVERTED_COPULA = re.compile(r"\b(?:was|were)\s+(?=\S)", re.IGNORECASE)
_AFTER_FRONTED = re.compile(r"^[^,;]*,(?:\s*(?:according\s+to|as)\b[^,;]*,)?\s*$", re.IGNORECASE)


def _read_fronted(s: _Sentence, phrase: _Phrase) -> Reading | None:
    """A fronted participle ("Captured by rebels on Monday was the town of Kelso", "Retaken on
    Sunday by the army, Kelso had been ..."): its agent follows "by", its place is the subject
    after the inverted "was"/"were", or else the subject of the main clause."""
    words = s.text[phrase.start : phrase.end]
    if phrase.shape not in ("active", "passive") or not _FRONTED_LEAD.match(s.text[: phrase.start]):
        return None
    if not _PARTICIPLE.match(words) and not (
        phrase.shape == "passive" and re.match(r"\w+ing\b", words)  # "Falling to the Front"
    ):
        return None
    _, clause_end = _clause_bounds(s.text, phrase.end)
    agents = [
        a.actor
        for a in s.actors
        if a.start >= phrase.start
        and not a.speaker
        and _FRONTED_BY.match(s.text[phrase.start : a.start])
    ][:1]
    if not agents and not re.match(r"^[^,;]*\bby\b", s.text[phrase.end :], re.IGNORECASE):
        # "Also taken on Thursday, Ruritania's defence ministry said, were ...": its own side
        agents = [a.actor for a in s.actors if a.speaker and a.start > phrase.end][:1]
    copula = _INVERTED_COPULA.search(s.text, phrase.end, clause_end)
    if copula is not None:
        objects = _objects_after(s, copula.end(), clause_end, "active", phrase.status)
        if objects:
            return agents, objects
    for place in s.places:
        if place.start <= phrase.end or place.referent:
            continue
        if _AFTER_FRONTED.match(s.text[phrase.end : place.start]):
            extent = place.extent or DEFAULT_EXTENT[phrase.status]
            return agents, [(place, extent)]
        break
    return None


_SIEGE_WORD = re.compile(
    r"besieg|encircl|surround|blockad|cut\b|encercl|assièg|assiég|حاصر|تحاصر|يحاصر|окруж|оточ",
    re.IGNORECASE,
)
_THEIR = re.compile(
    r"\b(?:their|its)\s+(?:own\s+|full\s+|firm\s+|complete\s+)?(?:hands|control)\b", re.I
)


def _gap_len(text: str, start: int) -> int:
    """How many spaces follow ``start``."""
    return len(text[start : start + 8]) - len(text[start : start + 8].lstrip())


def _read_phrase(s: _Sentence, phrase: _Phrase, previous_agent: str | None) -> Reading:
    """The actors and places one phrase links (empty lists when it links nothing)."""
    limit = _next_phrase_start(s, phrase)
    floor = _previous_phrase_end(s, phrase)
    fronted = _read_fronted(s, phrase)
    if fronted is not None:
        return fronted
    if phrase.shape == "passive":
        # from the phrase's start: "under Front control" names the actor inside the phrase
        agents = _agents_after(s, phrase.start, window=80)
        if len(agents) == 1:
            agents = _joined_after(s, phrase, agents[0])
        if (
            not agents
            and s.insurgent
            and _INSURGENT_ANAPHOR.search(s.text[phrase.start : phrase.end])
        ):
            agents = [s.insurgent]  # "under the militants' control"
        if not agents and s.insurgent:
            # "in the hands of the jihadist group", "held by the militants"
            anaphor = _INSURGENT_ANAPHOR.match(s.text, phrase.end + _gap_len(s.text, phrase.end))
            if anaphor is not None:
                agents = [s.insurgent]
        if not agents and _THEIR.search(s.text[phrase.start : phrase.end]):
            # "By evening the whole town was in their hands": the side that acted last
            agents = list(s.agents if s.agent else s.previous_agents)
        return agents, _subjects_before(s, phrase, floor)
    if phrase.shape == "leave":
        # "leaving the group in full control of the city": the actor sits inside the phrase
        inside = [a.actor for a in s.actors if phrase.start <= a.start and a.end <= phrase.end]
        words = s.text[phrase.start : phrase.end]
        if not inside and s.insurgent and _INSURGENT_ANAPHOR.search(words):
            inside = [s.insurgent]
        elif not inside and previous_agent and _PRONOUN_SUBJECT.search(words):
            inside = [previous_agent]
        objects = _objects_after(s, phrase.end, limit, "active", "control")
        if not objects:  # "leaving the town in Ruritanian hands": the place sits inside
            objects = [
                (p, p.extent or "all")
                for p in s.places
                if phrase.start < p.start
                and p.end < phrase.end
                and not any(a.start < p.start for a in s.actors if phrase.start <= a.start)
            ][:1]
        return inside[:1], objects
    if phrase.shape == "adjective":
        actor = [a.actor for a in s.actors if a.start == phrase.start]
        objects = _objects_after(s, phrase.end, limit, "active", "control")
        # "the Houthi-run city" standing for the town named before: the adjective is inside it
        around = [
            (p, p.extent or "all")
            for p in s.places
            if p.referent and p.start <= phrase.start and phrase.end <= p.end
        ]
        # "Kelso, the Front-held capital of Northam": the town, not the region after "of"
        return actor, _apposed_before(s, phrase) or around[:1] or objects
    if phrase.shape == "declare":
        return _read_declare(s, phrase, floor, previous_agent)
    if phrase.shape == "drive":
        return _read_drive(s, phrase, floor, limit, previous_agent)
    if phrase.shape == "loss":
        return _read_loss(s, phrase, limit)
    objects = _objects_after(s, phrase.end, limit, phrase.shape, phrase.status)
    if phrase.shape == "contest" and _POSSESSOR.search(s.text[: phrase.start]):
        # "Kelso's assault on Northam", "the Front's siege of": the owner fights, nobody else
        named = _nominal_agents(s, phrase, objects) if objects else None
        return (named or []), objects
    if phrase.shape in ("contest", "entry"):
        agent = _agent_before(s, phrase, floor, previous_agent)
        if (
            agent
            and not objects
            and phrase.shape == "contest"
            and _SIEGE_WORD.match(s.text, phrase.start)
        ):
            # "Ménaka, which Front fighters have besieged since the spring" (not "a town that
            # the Front stormed in July": a storming told after the fact may have been a taking)
            objects = _relative_object(s, agent, phrase, limit)
        if agent:
            agents = _with_partner(s, phrase, agent)
            if phrase.shape == "contest":
                # "were battling Ruritanian troops in Kelso", "clashed with the Front": both sides
                opponent = next((a for a in s.actors if a.start >= phrase.end), None)
                held_by = {p.start for p in s.phrases if p.shape == "adjective"}
                if opponent is not None and opponent.start in held_by:
                    opponent = None  # "besieged government-held districts": not a fighter
                if opponent is not None and re.fullmatch(
                    r"\s*(?:with\s+|against\s+)?(?:the\s+)?", s.text[phrase.end : opponent.start]
                ):
                    agents = list(dict.fromkeys([*agents, opponent.actor]))
            return agents, objects
        # "Aid trucks entering through Adre ..., whose capital Geneina is held by the RSF": an
        # actor after a later passive phrase is that phrase's agent
        passives = [p.start for p in s.phrases if p.start >= phrase.end and p.shape == "passive"]
        window = min(passives) - phrase.end if passives else None
        after = _agents_after(s, phrase.end, window=window)
        if phrase.shape == "contest" and after:
            # "clashes ... where Ruritanian forces were advancing against the Front": both sides
            _, clause_end = _clause_bounds(s.text, phrase.end)
            opponents = [
                a.actor
                for a in s.actors
                if phrase.end <= a.start < clause_end
                and _role_patterns()[1].search(s.text[: a.start])
                and a.actor not in after
            ]
            after = after + opponents[:1]
        return after, objects
    if _PARTICIPLE.match(s.text[phrase.start : phrase.end]) and _PASSIVE_AUX.search(
        s.text[: phrase.start]
    ):
        if phrase.verb is not None and phrase.verb.retake:
            # "Ruritanian forces said eastern Northam had been liberated": the side that reports
            # its own retaking is its agent
            reporter = _reporter_before(s, phrase) or _reporter_after(s, phrase)
            if reporter is not None:
                return [reporter], _subjects_before(s, phrase, floor)
        # "Ruritania's defence ministry told reporters that Kelso had been captured": a side's
        # own voice announcing a capture announces its own
        voice = _reporter_before(s, phrase, voices_only=True)
        if voice is not None:
            return [voice], _subjects_before(s, phrase, floor)
        retake = phrase.verb is not None and phrase.verb.retake
        if not s.actors and s.acted_before is not None and not retake:
            # "The Front launched its offensive on Sunday. Kelso was captured on Monday.": the
            # side that acted in the sentence before, when this one names none
            return [s.acted_before], _subjects_before(s, phrase, floor)
        return [], []  # "Eastbrook was captured on Saturday": no agent named
    if phrase.verb is not None and phrase.verb.nominal and objects:
        # "the capture of Kelso by the Front", "the Front's seizure of Kelso"
        named = _nominal_agents(s, phrase, objects)
        if named is None and _ANNOUNCED_NOUN.search(s.text[: phrase.start]):
            # "Russia's defence ministry announced the capture of", "заявило о взятии": the
            # side that announces a capture announces its own
            reporter = _reporter_before(s, phrase)
            named = [reporter] if reporter is not None else None
        if named is not None:
            return named, objects
    agent = _agent_before(s, phrase, floor, previous_agent)
    if not objects and agent:
        objects = _relative_object(s, agent, phrase, limit)
    return (_with_partner(s, phrase, agent) if agent else []), objects


# Russian and Ukrainian "said", "announced", "reported" (past tense, any gender)
_CYRILLIC_SAID = (
    r"заявил[аио]?|сообщил[аио]?|объявил[аио]?|заявив|повідомил[аио]?|повідомив"
    r"|оголосил[аио]?|оголосив"
)
# The announcing verb right before a capture named by a noun ("announced the capture of")
_ANNOUNCED_NOUN = re.compile(
    r"(?:announced|announces|declared|declares|confirmed|claimed|claims|reported)\s+(?:the\s+)?"
    r"(?:(?:complete|full|successful)\s+)?$"
    rf"|(?:{_CYRILLIC_SAID})\s+(?:про|о|об)\s+(?:(?:полном|повне|полное)\s+)?$",
    re.IGNORECASE,
)
_POSSESSOR = re.compile(r"\w['’]s\s+(?:(?-i:[a-z][\w\-]*)\s+)?$")


def _participle_clause(s: _Sentence, phrase: _Phrase, floor: int) -> bool:
    """ "drove the Front out of Kelso on Friday, seizing the town": a participle after a comma
    shares the subject of the verb before it."""
    if floor == 0 or not re.match(r"\w+ing\b", s.text[phrase.start : phrase.end]):
        return False
    return bool(re.search(r",\s*(?:thus\s+|so\s+|then\s+)?$", s.text[floor : phrase.start]))


_NOMINAL_BY = re.compile(r"\s*,?\s*by\s+(?:the\s+)?", re.IGNORECASE)
# "the Front's capture of", "the Front's swift capture of": the noun's owner is its agent
_OWNER_BEFORE = re.compile(r"^['’]s?\s+(?:(?-i:[a-z][\w\-]*)\s+)?$")
_COUNTRY_OWNER = re.compile(
    r"\b(?P<name>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)?)(?:['’]s|(?P<adjective>))\s+"
    r"(?:(?-i:[a-z][\w\-]*)\s+)?$"
)


def _nominal_agents(
    s: _Sentence, phrase: _Phrase, objects: Sequence[tuple[_PlaceMention, Extent]]
) -> list[str] | None:
    """The agent of a capture named by a noun: after "by" past its places, else its owner
    ("the Front's seizure of", "Ruritania's capture of", "the Ruritanian capture of")."""
    last = max(place.end for place, _ in objects)
    for k, mention in enumerate(s.actors):
        if mention.start >= last and _NOMINAL_BY.fullmatch(_without_dates(s, last, mention.start)):
            named = [mention.actor]
            partner = s.actors[k + 1] if k + 1 < len(s.actors) else None
            if partner is not None and _JOINED.match(s.text[mention.end : partner.start]):
                named.append(partner.actor)  # "by Ruritanian troops and Front fighters"
            return list(dict.fromkeys(named))
    owners = [
        a
        for a in s.actors
        if a.end <= phrase.start and _OWNER_BEFORE.match(s.text[a.end : phrase.start])
    ]
    if owners:
        return [owners[-1].actor]
    country = _COUNTRY_OWNER.search(s.text[: phrase.start])
    if country is None:
        return None
    for name in dict.fromkeys([country.group("name"), country.group("name").split()[-1]]):
        if country.group("adjective") is None:  # "Ruritania's capture of"
            code = geocode.country_of(name)
        else:  # "the Ruritanian capture of"
            code = next((c for c, words in _demonyms()[0].items() if name in words), None)
        state = s.states.get(code or "") or _state_forces()[1].get(code or "")
        if state and state in s.registry_ids:
            return [state]
    return None


_JOINED = re.compile(
    r"^\s*(?:(?:gunmen|fighters|militants|troops|forces|rebels|militiamen|insurgents|soldiers"
    r"|units)\s+)?"  # "Kelso Front gunmen and officers of the police"
    r"(?:,\s*(?:and\s+)?|(?:and|et)\s+|&\s*)(?:(?:units|forces|fighters|troops|members|elements"
    r"|soldiers|militants|rebels|militiamen|officers|policemen|gunmen)\s+of\s+)?(?:the\s+|(?:their|its)\s+(?:[A-Z][\w'’\-]+\s+)?)?"
    # "and fighters of the Islamist group Kelso Front": a word or two of description
    r"(?:(?:[\w\-]+\s+){0,2}?(?:group|movement|militia|faction|coalition|alliance)\s+)?$"
    # "Ruritanian troops, spearheaded by the Front": both take the place
    r"|^\s*,\s*(?:spearheaded|led)\s+by\s+(?:the\s+)?(?:[\w\-]+-backed\s+)?$"
    # Russian "совместно с", Ukrainian "спільно з" ("jointly with"; English "together with" is a
    # backer's word, roles.json), with a unit word of the other side
    r"|^\s*,?\s*(?:совместно|вместе|спільно|разом)\s+(?:со?|з|із|зі)\s+(?:(?:подразделениями"
    r"|бойцами|силами|войсками|отрядами|підрозділами|бійцями|військами|загонами)\s+)?$",
    re.IGNORECASE,
)


_OWN_VERB_AFTER = re.compile(
    r"^\s+(?:has|have|had|is|are|was|were|will|would|says?|said)\b", re.IGNORECASE
)


def _joined_after(s: _Sentence, phrase: _Phrase, agent: str) -> list[str]:
    """A passive's agent and the actor joined to it ("under the control of Ruritanian troops and
    Front fighters", "held by Ruritanian and Front forces")."""
    after = [a for a in s.actors if a.start >= phrase.start and not a.speaker]
    for first, second in zip(after, after[1:], strict=False):
        if first.actor == agent:
            if (
                _JOINED.match(s.text[first.end : second.start])
                and not second.sidelined
                # "held by the Arakan Army, and the military has bombed it": a new clause
                and not _OWN_VERB_AFTER.match(s.text[second.end :])
            ):
                return list(dict.fromkeys([agent, second.actor]))
            break
    return [agent]


def _with_partner(s: _Sentence, phrase: _Phrase, agent: str) -> list[str]:
    """The agent, and the actor named with it ("Ruritanian and Tarbish troops seized ...")."""
    floor = _previous_phrase_end(s, phrase)
    shared = _SHARED_SUBJECT.search(s.text[floor : phrase.start]) or _participle_clause(
        s, phrase, floor
    )
    if shared and s.agent == agent and s.agents:
        return list(s.agents)  # "A and B entered Kelso and took control of the town"
    before = [a for a in s.actors if a.end <= phrase.start and not a.speaker]
    if len(before) >= 2 and before[-1].actor == agent:
        first, second = before[-2], before[-1]
        joined = _JOINED.match(s.text[first.end : second.start])
        if joined and first.actor != agent and not first.sidelined:
            return [first.actor, agent]
    return [agent]


_REPORTS = re.compile(
    # "..., Valery Gerasimov, told", "spokesman Zabihullah Mujahid wrote": the voice's own name
    r"^(?:\s*,[^,;]{1,60},|(?:\s+(?-i:[A-Z][\w'’\-]+)){1,3})?\s+(?:said|say|says|announced"
    r"|announces|declared|declares|reported|confirmed|stated|told|wrote|tweeted|posted"
    rf"|{_CYRILLIC_SAID}|a\s+annoncé|ont\s+annoncé|annonce|annoncent"
    r"|affirme|affirment|أعلن|أعلنت)(?!\w)",
    re.IGNORECASE,
)


def _reporter_before(s: _Sentence, phrase: _Phrase, voices_only: bool = False) -> str | None:
    """The actor whose report a passive retaking is ("Ruritanian forces said ... was retaken");
    with ``voices_only``, only a side's voice ("the Ruritanian defence ministry told ...")."""
    for mention in reversed([a for a in s.actors if a.end <= phrase.start]):
        if voices_only and not mention.speaker:
            continue
        # "the ministry on Saturday announced": a date between the voice and its verb
        if _REPORTS.match(_without_dates(s, mention.end, len(s.text))):
            return mention.actor
    return None


# What lies between a statement and the voice that reports it after a comma: ", the",
# ", according to", "..., Ruritania's defence ministry said".
_REPORTED_BY = re.compile(r"[,;]\s*(?P<to>according\s+to\s+)?(?:the\s+|an?\s+)?$", re.IGNORECASE)


def _reporter_after(s: _Sentence, phrase: _Phrase) -> str | None:
    """The side whose voice reports a passive retaking after it ("Kelso was liberated on
    Tuesday, the Ruritanian defence ministry said", "..., according to the Ruritanian army")."""
    after = [a for a in s.actors if a.start >= phrase.end]
    voice = _REPORTED_BY.search(s.text[phrase.end : after[0].start]) if after else None
    if voice is not None and (after[0].speaker or voice.group("to")):
        return after[0].actor
    return None


def _read_declare(s: _Sentence, phrase: _Phrase, floor: int, previous_agent: str | None) -> Reading:
    """ "declared eastern Northam fully liberated", "placed Northam under siege": the place sits
    between the verb and the state it is put in."""
    objects = _objects_after(s, phrase.end, len(s.text), "active", phrase.status)[:1]
    if not objects or not _state_follows(phrase, s.text[objects[0][0].end :]):
        return [], []
    agent = _agent_before(s, phrase, floor, previous_agent)
    return ([agent] if agent else []), objects


# "ont chassé l'armée de Kelso", "a délogé mercredi les rebelles de Kelso": the place follows
# "de" after the side driven out
_FRENCH_FROM = re.compile(
    r"^\s*(?:hors\s+)?(?:de\s+(?:la\s+ville\s+d[e'’]\s*)?|du\s+|des\s+|d['’]\s*)"
)


def _french_drive_from(s: _Sentence, phrase: _Phrase) -> int | None:
    """Where the place starts after a French drive-out verb and the side it drove out."""
    loser = next((a for a in s.actors if a.start >= phrase.end), None)
    # a date word, an article or two words before the side ("a chassé mercredi les ...")
    if loser is None or not re.fullmatch(r"[\s\w'’]{0,30}", s.text[phrase.end : loser.start]):
        return None
    after = _FRENCH_FROM.match(s.text[loser.end :])
    return loser.end + after.end() if after else None


def _read_drive(
    s: _Sentence, phrase: _Phrase, floor: int, limit: int, previous_agent: str | None
) -> Reading:
    """ "drove the Front out of Eastbrook": the place follows "out of"/"from", the loser before."""
    out = _DRIVE_OUT.match(s.text[phrase.end :])
    start = phrase.end + out.end() if out else _french_drive_from(s, phrase)
    if start is None:
        return _driven_from_it(s, phrase)
    named = any(phrase.end <= a.start and a.end <= start for a in s.actors)
    if phrase.verb is not None and phrase.verb.loser_named and not named:
        return [], []  # "forced Ruritanian troops out of Kelso", not "forced residents from"
    objects = _objects_after(s, start, limit, "drive", "control")
    if _PASSIVE_AUX.search(s.text[: phrase.start]):
        by = re.search(r"\bby\b", s.text[start:limit])
        return (_agents_after(s, start + by.end())[:1] if by else []), objects
    agent = _agent_before(s, phrase, floor, previous_agent)
    return (_with_partner(s, phrase, agent) if agent else []), objects


# "seized Kelso on Friday before being driven out by the army", "avant d'en être chassés
# par l'armée": the side driving the takers out holds the place they took
_DRIVEN_FROM_IT = re.compile(
    r"\b(?:before|after|until)\s+(?:later\s+)?being\s+(?:\w+ly\s+)?$"
    r"|\bavant\s+d['’]en\s+(?:être|avoir\s+été)\s+$",
    re.IGNORECASE,
)
_DRIVEN_BY = re.compile(r"^\s+(?:out\s+)?(?:[^,;.]{0,30}?\s)?(?:by|par)\s+", re.IGNORECASE)


def _driven_from_it(s: _Sentence, phrase: _Phrase) -> Reading:
    lead = _DRIVEN_FROM_IT.search(s.text[: phrase.start])
    by = _DRIVEN_BY.match(s.text[phrase.end :])
    if lead is None or by is None:
        return [], []
    taken = [p for p in s.places if p.end <= lead.start() and not p.referent]
    agents = _agents_after(s, phrase.end + by.end())[:1]
    if not taken or not agents:
        return [], []
    return agents, [(taken[-1], taken[-1].extent or "all")]


def _read_loss(s: _Sentence, phrase: _Phrase, limit: int) -> Reading:
    """ "the Front lost Southwick to Ruritanian forces": control goes to the actor after "to"."""
    objects = _objects_after(s, phrase.end, len(s.text), "active", "control")
    if not objects:
        return [], []
    last = max(place.end for place, _ in objects)
    # "lost Kelso on Tuesday to the Front", "handed Kelso over to the army"
    takers = [
        a
        for a in s.actors
        if a.start >= last and _LOSS_TO.fullmatch(_without_dates(s, last, a.start))
    ]
    if not takers:
        return [], []
    named = [takers[0].actor]
    partner = next((a for a in s.actors if a.start >= takers[0].end), None)
    if partner is not None and _JOINED.match(s.text[takers[0].end : partner.start]):
        named.append(partner.actor)  # "leaving the town to Ruritanian troops and the Front"
    return list(dict.fromkeys(named)), objects


# What lies between the place lost and its taker: "to", "over to", "on Tuesday to the".
_LOSS_TO = re.compile(
    r"\s*(?:(?:over|back)\s+)?to\s+(?:the\s+)?(?:(?-i:[a-z][\w\-]*)\s+)?", re.IGNORECASE
)


def _relative_object(
    s: _Sentence, agent: str, phrase: _Phrase, limit: int
) -> list[tuple[_PlaceMention, Extent]]:
    """ "Eastbrook, which the Front seized", "in Holt, where IS overran": the place before."""
    mention = next(
        (a for a in reversed(s.actors) if a.actor == agent and a.end <= phrase.start), None
    )
    if mention is None:
        return []
    for place in reversed(s.places):
        if place.end <= mention.start:
            gap = _without_dates(s, place.end, mention.start)
            if re.search(r"\bhad\s+(?:\w+\s+)?$", s.text[mention.end : phrase.start]):
                # "Ceel Dheer, a district headquarters that al-Shabaab had held for a decade":
                # before the report's events; a claim only with a day of its own ("in July")
                stop = _CLAUSE_END.search(s.text, phrase.end)
                end = stop.start() if stop else len(s.text)
                if not any(phrase.end <= d.start < end for d in s.dates):
                    break
            if _RELATIVE.fullmatch(gap) or _APPOSED_RELATIVE.fullmatch(gap):
                # "Mukalla, the port city that AQAP has run since the spring, ... pay some
                # civil servants": the extent is the relative clause's own (up to "and" and a
                # participle: "have held for ten months and stopping in a district" is the
                # visitor's stop, no part)
                stop = _RELATIVE_END.search(s.text, phrase.end)
                end = min(limit, stop.start()) if stop and stop.start() > phrase.end else limit
                # "the eastern districts, which the Front holds": the referent's own words
                # "into the south of the town, which ... hold": the part named before it
                own = (
                    place.extent
                    or (_extent_in(s.text[place.start : place.end]) if place.referent else None)
                    or _extent_in(_tail_words(s.text[: place.start], 4))
                )
                extent = (
                    own or _extent_in(s.text[phrase.end : end])
                    if phrase.status == "control"
                    else None
                ) or DEFAULT_EXTENT[phrase.status]
                return [(_described(s, place), extent)]
            break
    return []


_APPOSITION = re.compile(r"^\s*,\s*(?:a|an|the)\b[^,;]{0,80}$", re.IGNORECASE)
# "Suki, a town on the Blue Nile that the RSF stormed": the relative after an apposition that
# names no place describes the place before it
_CLAUSE_END = re.compile(r"[,;.]|$")
_RELATIVE_END = re.compile(r"[,;.]|\band\s+(?-i:[a-z]+ing)\b|$")
_APPOSED_RELATIVE = re.compile(
    r"\s*,\s*(?:a|an|the)\s[^,;]{0,60}?\b(?:which|that|where)\s+(?:the\s+)?", re.IGNORECASE
)


# "El Obeid, the army-held capital of North Kordofan": an adjective in an apposition whose
# noun is a town's describes the town before it
_TOWN_NOUN_AFTER = re.compile(
    r"^\s+(?:[\w\-]+\s+){0,2}?(?:town|city|capital|village|port|seat|hub)\b", re.IGNORECASE
)


def _apposed_before(s: _Sentence, phrase: _Phrase) -> list[tuple[_PlaceMention, Extent]]:
    """The town an adjective's apposition describes, when no place follows the adjective."""
    before = [p for p in s.places if p.end <= phrase.start]
    if (
        before
        and re.fullmatch(r"\s*,\s*(?:the\s+|an?\s+)?", s.text[before[-1].end : phrase.start])
        and _TOWN_NOUN_AFTER.match(s.text[phrase.end :])
    ):
        return [(before[-1], before[-1].extent or "all")]
    return []


def _described(s: _Sentence, place: _PlaceMention) -> _PlaceMention:
    """The place a relative clause is about: "Kelso, a town in the Northam region that the
    Front held": not the region that only locates it, but the town the apposition describes."""
    if not (
        _DESCRIBES_BEFORE.search(s.text[: place.start])
        or _LOCATOR_BEFORE.search(s.text[: place.start])
    ):
        return place
    for earlier in reversed([p for p in s.places if p.end <= place.start]):
        if _APPOSITION.match(s.text[earlier.end : place.start]):
            return earlier
        break
    return place


def _world_province(place_id: str) -> bool:
    """A province of the world pack (no theatre detail): reports name it to say where."""
    record = geocode.place(place_id)
    return record is not None and record.detail == 1 and record.kind not in ("city", "town")


def _is_site(place_id: str) -> bool:
    record = geocode.place(place_id)
    return record is not None and record.kind in ("facility", "area")


def _is_capital(place_id: str) -> bool:
    record = geocode.place(place_id)
    return record is not None and record.capital


def _is_town(place_id: str) -> bool:
    record = geocode.place(place_id)
    return record is not None and record.kind in ("city", "town")


# Between a place and a state that describes it in passing: "Kelso, held by", "Kelso, which
# is under the control of", French and Arabic participles right after the name.
_IN_PASSING = re.compile(
    r"\s*(?:,\s*(?:(?:which|that)\s+(?:is|are|has\s+been|have\s+been|remains|remain)\s+)?)?"
    + _ALL_STILL,
    re.IGNORECASE,
)


# A lasting state in the present tense: "holds Kelso", "Kelso remains under Front control".
_PRESENT_STATE = re.compile(
    r"(?:holds?|controls?|tient|tiennent|contrôlent|утримують|утримує|контролюють|контролює"
    r"|удерживают|удерживает|контролируют|контролирует)\b"
    # French "affirme contrôler"
    r"|(?:affirm|assur|dit|disent)\w*\s+(?:\w+\s+)?(?:contrôler|tenir)\b",
    re.IGNORECASE,
)
# Arabic "ما زالت تسيطر", "لا تزال تسيطر": still controls
_ARABIC_STILL = re.compile(r"(?<!\w)(?:زالت|تزال|زال|يزال|زالوا|يزالون)\s+$")
_PRESENT_BEFORE = re.compile(r"\b(?:is|are|remains?|stays?)\s+(?:[\w\-]+\s+){0,2}$", re.IGNORECASE)
# Where a coordinate clause begins or ends: a clause break, or "..., and we assess that"
# "Taiz has been divided since 2015: the Houthis hold ...": a colon starts another clause too
_COORDINATE = re.compile(_CLAUSE_BREAK.pattern + r"|,\s+(?:and|et|і|и)\s+|:\s+", re.IGNORECASE)


def _present_state(s: _Sentence, phrase: _Phrase) -> bool:
    """A lasting state said in the present tense (verbs.json "state"), which is as of the
    report unless its own clause or a statement naming it gives a day."""
    if phrase.verb is None or phrase.status != "control":
        return False
    if phrase.shape == "active" and _ARABIC_STILL.search(s.text[: phrase.start]):
        return True
    if not phrase.verb.state:
        return False
    words = s.text[phrase.start : phrase.end]
    if phrase.shape == "active":
        return bool(_PRESENT_STATE.match(words))
    return phrase.shape == "passive" and bool(_PRESENT_BEFORE.search(s.text[: phrase.start]))


_DATE_ENDS_HEADING = re.compile(r"\s*\)?\s*:\s")  # "(as of 15 November 2025): "


def _opens(s: _Sentence, d: _DateMention) -> bool:
    """Whether ``d`` opens the sentence ("As of 10 May, ..."), also after a short heading and a
    colon ("Key takeaway, November 2, 2025: As of November 1, ..."), or ends a short heading
    ("Situation on 1 September: ...")."""
    if not _words_in(s.text[: d.start]):
        return True
    if (
        _DATE_ENDS_HEADING.match(s.text, d.end)
        and len(_words_in(s.text[: d.start])) <= 6
        and not _said_on(s, d)  # 'A commander said on Monday: "We have taken Hit."'
    ):
        return True  # "Point de situation au 1er septembre 2025 : ...": a dated heading
    colon = s.text.rfind(":", 0, d.start)
    return (
        colon >= 0
        and len(_words_in(s.text[:colon])) <= 8
        and not _words_in(s.text[colon + 1 : d.start])
    )


def _dated_clause(s: _Sentence, phrase: _Phrase) -> bool:
    """A date in the phrase's own coordinate clause, one that opens the sentence ("As of 10
    May, ... while Front units hold ..."), or a statement's day ("said on Friday")."""
    start, end = 0, len(s.text)
    for match in _COORDINATE.finditer(s.text):
        if match.end() <= phrase.start:
            start = match.end()
        elif match.start() >= phrase.end:
            end = match.start()
            break
    # "appear to hold Kelso, after attempts to advance failed in May": the subordinate
    # clause's date is its event's
    subordinate = _SUBORDINATE_AFTER.search(s.text, phrase.end, end)
    if subordinate is not None:
        end = subordinate.start()
    # "are in the hands of the group, which beheaded ... last week": the relative's date
    relative = _RELATIVE_AFTER.search(s.text, phrase.end, end)
    if relative is not None:
        end = relative.start()
    return any(
        (start <= d.start and d.end <= end) or _said_on(s, d) or _opens(s, d) for d in s.dates
    )


_RELATIVE_AFTER = re.compile(r",\s+(?:which|who|whom|whose|where)\s+", re.IGNORECASE)
_SUBORDINATE_AFTER = re.compile(
    r",\s+(?:after|before|because|although|though|when|while|as|once|until)\s+"
    r"(?![^,;.]{0,12}\b(?:\d|January|February|March|April|May|June|July|August|September"
    r"|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)",
    re.IGNORECASE,
)


def _in_passing(s: _Sentence, phrase: _Phrase, place: _PlaceMention) -> bool:
    """A lasting state (verbs.json "state") named right after its place, in a reduced relative
    or apposition: not the event the sentence reports ("drones struck Kelso, held by the
    Front, on Sunday" says nothing of when the Front took it)."""
    if not (
        phrase.shape == "passive"
        and phrase.verb is not None
        and phrase.verb.state
        and place.end <= phrase.start
    ):
        return False
    if _is_town(place.place_id) and _APPOSED_STATE.fullmatch(s.text[place.end : phrase.start]):
        return True  # "Kelso, the Northam province town held by"
    before = [p for p in s.places if p.end <= phrase.start]
    gap = s.text[before[-1].end : phrase.start] if before else ""
    if not before or not (_IN_PASSING.fullmatch(gap) or _APPOSED_STATE.fullmatch(gap)):
        return False
    # "Sirte and Tobruk, both held by": each place of the list before it
    for earlier, later in zip(reversed(before[:-1]), reversed(before), strict=False):
        if later is place:
            return True
        if not _CONJUNCTION_ONLY.match(s.text[earlier.end : later.start]):
            return False
    return before[0] is place


# ", leaving the city in the hands of", ", leaving Kelso under the control of": the result of
# the event the main clause reports, ending right before the phrase
_RESULT_PARTICIPLE = re.compile(
    r",\s+(?:thus\s+|effectively\s+)?leaving(?:\s+[^,;]{1,40}?)?\s+(?=(?:in|under)\s)",
    re.IGNORECASE,
)


def _date_for(
    s: _Sentence, phrase: _Phrase, place: _PlaceMention, next_start: int
) -> _DateMention | None:
    """The date that goes with one place of a phrase.

    First a date right after the place, before the next place of the same phrase ("Northam on
    Tuesday and Southwick on Wednesday"); then the nearest after the phrase in its stretch of the
    sentence; then the nearest before it; then the nearest anywhere in the sentence.
    """
    result = _RESULT_PARTICIPLE.search(s.text, max(0, phrase.start - 60), phrase.end)
    if result is not None and result.end() <= phrase.end:
        # "pulled out of Kelso on Saturday ..., leaving the city in the hands of the Front":
        # the state the main clause's event left, on its day
        main = [
            d for d in s.dates if not d.forward and d.end <= result.start() and not _said_on(s, d)
        ]
        if main:
            return main[0]
    if _present_state(s, phrase) and not _dated_clause(s, phrase):
        return None  # "footage geolocated on Thursday ..., and Front units now hold Kelso"
    if _in_passing(s, phrase, place):
        _, own_end = _clause_bounds(s.text, phrase.end)
        comma = s.text.find(",", phrase.end)
        own_end = min(own_end, comma) if comma >= 0 else own_end
        own = [d for d in s.dates if phrase.end <= d.start and d.end <= own_end]
        # else the day of a statement that names it ("said on Saturday that Kelso, held by
        # ..."), else the report's: not the day of an event that happened there
        return own[0] if own else _statement_day(s)
    # a date that belongs to what follows it ("a day after <event>") is never an earlier
    # statement's date
    # "Ten days after the rout at Kelso, soldiers holding Northam have ...": a counted date
    # closed by a comma is the event of its own clause, not the main clause's
    dates = [
        d
        for d in s.dates
        if not d.forward
        or (d.end <= phrase.start and not re.search(r"[,;]", s.text[d.end : phrase.start]))
    ]
    # "Since September, the Front has ..., officials said on Monday": the opening date is the
    # whole sentence's, before the day of the report
    opening = [d for d in dates if d.end <= phrase.start and _opens(s, d)]
    if opening:
        dates = [d for d in dates if not _said_on(s, d)]
    if _previous_phrase_end(s, phrase) == 0 and any(
        d.end <= phrase.start and not d.forward and not _said_on(s, d) for d in dates
    ):
        # "inside Kelso since May 6, fighting for ..., a spokesman said on Friday": the report's
        # day is not the date of a first statement that has its own before it
        dates = [d for d in dates if d.end <= phrase.start or not _said_on(s, d)]
    # "Kelso, Marsh and, since Tuesday, Dunmore": a date fronting a later place of a list is
    # that place's alone
    fronting = {d: p for d in dates for p in s.places if _fronts(s, d, p)}
    if any(p == place for p in fronting.values()) and place.start > phrase.end:
        return next(d for d, p in fronting.items() if p == place)
    dates = [d for d in dates if d not in fronting or d.end <= phrase.start]
    # "ont pris mercredi le contrôle de Kelso": a date inside the phrase is its own
    inside = [d for d in dates if phrase.start <= d.start and d.end <= phrase.end]
    if inside:
        return inside[0]
    # "two days after the army announced it had captured Kelso, ... said on Saturday": the
    # event in a counted "after" clause is dated by it, unless it names its own day
    counted = [
        d
        for d in dates
        if d.forward
        and d.end <= phrase.start
        and _DAYS_APART.match(s.text, d.start)
        and not re.search(r"[,;]", s.text[d.end : phrase.start])
    ]
    own_end = s.text.find(",", phrase.end)
    if counted and not any(
        phrase.end <= d.start < (own_end if own_end >= 0 else len(s.text)) for d in dates
    ):
        return counted[-1]
    if place.start >= phrase.end:
        _, place_clause_end = _clause_bounds(s.text, place.end)
        own = [
            d
            for d in dates
            if place.end <= d.start
            and d.start < place_clause_end
            and (
                d.end <= min([next_start, *_blockers(s, phrase, place)])
                # "took Kelso, the last town held by the Front, on Friday": a phrase inside an
                # apposition does not take the main verb's date
                or (d.end <= next_start and _CLOSED_APPOSITION.match(s.text, place.end, d.start))
            )
            and not _open_relative(s.text[place.end : d.start])
        ]
        if own and phrase.shape != "adjective":
            return own[0]
    if phrase.shape == "adjective":
        # "the Front-held town of Kelso": the state at publication, or at the day of the
        # statement that names it ("Banks in Front-run Kelso are shut, traders said on Monday")
        return _statement_day(s)
    floor = _previous_phrase_end(s, phrase)
    limit = _next_phrase_start(s, phrase)
    after = [
        d
        for d in dates
        if phrase.end <= d.start
        and (d.end <= max(limit, phrase.end) or _past_closed_relative(s, phrase, d))
        # "retook Kelso, the town that the Front reached last month": the relative's own date
        and not _open_relative(s.text[phrase.end : d.start])
    ]
    _, clause_end = _clause_bounds(s.text, phrase.end)
    if not after:
        later = [
            d
            for d in dates
            if d.start >= phrase.end and not _open_relative(s.text[phrase.end : d.start])
        ]
        others = [p for p in s.phrases if p.start > phrase.end]
        # beyond its clause only the date of a report ("..., officials said on Friday")
        own_before = [d for d in dates if d.end <= phrase.start and d.start >= floor]
        if (
            later
            and not any(p.start < later[0].start for p in others)
            and (later[0].start < clause_end or _said_on(s, later[0]))
        ):
            after = later
        reported = [d for d in dates if d.start >= phrase.end and _said_on(s, d)]
        if not after and reported and not own_before:
            # "entered Kelso ... and are clearing it, an official said on Thursday": a statement
            # with no date of its own takes the day of the report
            after = reported[-1:]
    if after:
        return after[0]
    before = [d for d in dates if d.end <= phrase.start and d.start >= floor]
    if before:
        return before[-1]
    clause_start, _ = _clause_bounds(s.text, phrase.start)
    near = [
        d
        for d in dates
        if (
            clause_start <= d.start < clause_end
            or _said_on(s, d)
            or _opens(s, d)  # "As of May 2, ...": the whole sentence
        )
        and not any(phrase.end <= p.start < d.start for p in s.phrases)  # another's date
    ]
    if near:
        return min(near, key=lambda d: min(abs(d.start - phrase.end), abs(phrase.start - d.end)))
    return None


_RELATIVE_BETWEEN = re.compile(
    r"\b(?:that|which|who|whom|where|où|где|де|который|которая|которое|которые|який|яка|яке"
    r"|які)\s+(?!said\b)",
    re.IGNORECASE,
)
_LIST_JOINT_BEFORE = re.compile(r"(?:,|\band)\s*,?\s*$", re.IGNORECASE)


def _fronts(s: _Sentence, date: _DateMention, place: _PlaceMention) -> bool:
    """Whether a date set off inside a list stands right before this place ("..., Marsh and,
    since Tuesday, Dunmore")."""
    return (
        date.end <= place.start
        and bool(re.fullmatch(r"\s*,?\s*", s.text[date.end : place.start]))
        and bool(_LIST_JOINT_BEFORE.search(s.text[: date.start]))
    )


# "..., two towns that the regime retook in 2020, as of November 30": a relative clause inside
# an apposition ends at its comma
_RELATIVE_CLOSED = re.compile(r"^\s*,[^,;]*\b(?:that|which|who|whom|where)\b[^,;]*,\s*$", re.I)


_LAST_RELATIVE = re.compile(r",[^,;]*\b(?:that|which|who|whom|where)\b[^,;]*,\s*$", re.I)


def _past_closed_relative(s: _Sentence, phrase: _Phrase, date: _DateMention) -> bool:
    """ "captured Kelso, with a base that the Front had seized last summer, on Tuesday": the
    date after a relative clause closed by a comma is the statement's, though the relative
    holds a statement of its own."""
    gap = s.text[phrase.end : date.start]
    last = _LAST_RELATIVE.search(gap)
    if last is None or ";" in gap:
        return False
    chunk = phrase.end + last.start()
    return all(
        p.start >= chunk for p in s.phrases if phrase.end <= p.start < date.start
    ) and not any(phrase.end <= d.start and d.end <= chunk for d in s.dates if d is not date)


def _open_relative(gap: str) -> bool:
    """Whether a relative clause opens in ``gap`` (between a statement and a date) and is still
    open where the date comes: the date is then the relative clause's, not the statement's."""
    if not _RELATIVE_BETWEEN.search(gap):
        return False
    # closed by a comma that ends an apposition it stands in ("Kelso, a town that ..., on")
    return not (_RELATIVE_CLOSED.match(gap) or _LAST_RELATIVE.search(gap))


_CLOSED_APPOSITION = re.compile(r"\s*,[^,;]{1,80},\s*$")
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|announced|announces|reported|reports|claimed|claims|stated|confirmed"
    r"|added|declared|told\s+(?:\w+\s+){1,3}?)\s*$",
    re.IGNORECASE,
)


def _said_on(s: _Sentence, d: _DateMention) -> bool:
    """The date is the day of a statement ("officials said on Friday")."""
    return bool(_ATTRIBUTION.search(s.text[: d.start]))


def _statement_day(s: _Sentence) -> _DateMention | None:
    """The day of the sentence's first statement, if it names one."""
    return next((d for d in s.dates if _said_on(s, d)), None)


def _blockers(s: _Sentence, phrase: _Phrase, place: _PlaceMention) -> list[int]:
    """Starts of the later phrases whose dates are theirs, not this place's ("fully liberated"
    right after the place belongs to it)."""
    return [
        p.start
        for p in s.phrases
        if p.start > max(phrase.end, place.end)
        and not _in_declared_state(phrase, s.text[place.end : p.end], p.start - place.end)
    ]


@lru_cache(maxsize=1)
def _declared_state() -> re.Pattern[str]:
    """The state of the first declare entry of verbs.json ("liberated"): "Kelso, fully
    liberated on Monday" after another verb dates the place too."""
    return next(v.state_after for v in verbs() if v.state_after and v.status == "control")


def _state_follows(phrase: _Phrase, text: str) -> re.Match[str] | None:
    state = phrase.verb.state_after if phrase.verb is not None else None
    return (state or _declared_state()).match(text)


def _in_declared_state(phrase: _Phrase, text: str, later: int) -> bool:
    """Whether the later phrase at ``later`` in ``text`` (after a place) lies inside the state
    the phrase puts the place in ("(fully) liberated", "under siege")."""
    match = _state_follows(phrase, text)
    return match is not None and match.end() > later


_UNTIL = re.compile(r"until\b", re.IGNORECASE)
# an apposition (after the place's date, if any) that calls the place a part of its town
_PART_APPOSITION = re.compile(
    r"(?:\s+(?:on|in|since)\s+[\w\s]{1,20}?)?\s*,\s*(?:the|a|an)\s+[^,;.]{0,40}?\b"
    r"(?:half|district|quarter|neighbou?rhood|part|section|sector)\s+of\s+(?:the|this|that)\s+"
    r"(?:city|town|capital)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Dated:
    finding: _Finding
    date: _DateMention | None
    linked: float | None = None  # the learned linker's probability (controlmap.linker)


# "after the withdrawal of the army from Northam": a withdrawal and the place it left
_WITHDRAWAL_WORDS = re.compile(
    r"withdraw|retrait|відход|вихід|виход|отход|уход|выход|انسحاب", re.IGNORECASE
)
_FROM_BEFORE = re.compile(
    r"(?:\bfrom|\bde|\bdu|(?<!\w)(?:з|із|зі|из|от)|من)\s+(?:the\s+)?$", re.IGNORECASE
)


def _unopposed(s: _Sentence, phrase: _Phrase) -> bool:
    """Whether the entry's own statement (not past a semicolon) says the place was taken
    unopposed (roles.json 'unopposed'); a withdrawal from another named place says nothing of
    this one ('entered Kelso after the withdrawal of the army from Northam')."""
    start = s.text.rfind(";", 0, phrase.start) + 1
    end = s.text.find(";", phrase.end)
    end = len(s.text) if end < 0 else end
    entered = next((p for p in s.places if p.start >= phrase.end), None)
    for match in _roles_pattern("unopposed").finditer(s.text, start, end):
        if not _WITHDRAWAL_WORDS.search(match.group()):
            return True
        _, clause_end = _clause_bounds(s.text, match.end())
        left = next(
            (
                p
                for p in s.places
                if match.end() <= p.start < min(clause_end, match.end() + 60)
                and _FROM_BEFORE.search(s.text[match.end() : p.start])
            ),
            None,
        )
        if left is None or entered is None or left.place_id == entered.place_id:
            return True
    return False


def _findings(s: _Sentence, previous_agent: str | None) -> tuple[list[_Dated], str | None]:
    found: list[_Dated] = []
    last_agent = previous_agent
    flag_raised = bool(_FLAG_RAISED.search(s.text) or _DROVE_OUT.search(s.text))
    fought: tuple[_Phrase, list[tuple[_PlaceMention, Extent]]] | None = None
    for phrase in s.phrases:
        if _vetoed(s, phrase):
            continue
        vacated = (
            _roles_pattern("vacated", _VACATED).search(s.text, phrase.end)
            or s.left_before
            or _left_then_entered(s, phrase)
        )
        if phrase.shape == "entry" and (
            flag_raised or vacated or _unopposed(s, phrase) or _quiet_entry(s, phrase)
        ):
            # Raising a flag over a place is the conventional sign of holding it.
            phrase = _Phrase(phrase.start, phrase.end, phrase.shape, "control", phrase.verb)
        elif phrase.verb is not None and phrase.verb.taking_only:
            continue  # "troops returned to Kelso" with nobody said to have left: a visit, a base
        agents, places = _read_phrase(s, phrase, previous_agent)
        if agents and not places:
            places = _headed(s, phrase)
        if agents and not places and fought is not None and _fights_on(s, phrase, agents):
            # "pushed into Kelso on Monday, fighting Front gunmen": the fight is at the place
            # the shared subject entered, and the one fought there contests it too
            phrase, places = fought
        if agents:
            last_agent = s.agent = agents[0]
            s.agents = tuple(agents)
            s.acted = True
        fought = (phrase, places) if places and phrase.status == "contested" else None
        ordered = sorted(places, key=lambda pe: pe[0].start)
        for k, (place, extent) in enumerate(ordered):
            next_start = ordered[k + 1][0].start if k + 1 < len(ordered) else len(s.text)
            if _world_province(place.place_id):
                continue  # "a town in the Northshire region that ...": a province only locates
            if phrase.status == "control" and extent == "unknown":
                extent = "all"
            if extent == "all" and _ALMOST_CONTROL.search(s.text[: phrase.end]):
                extent = "most"  # "had taken almost complete control of Kelso"
            if extent == "all" and _PART_APPOSITION.match(s.text, place.end):
                extent = "part"  # "Kelso Old Town on Thursday, the southern half of the city"
            when = _date_for(s, phrase, place, next_start)
            if when is not None and when.start >= phrase.end and _UNTIL.match(s.text, when.start):
                continue  # "held it until 1 December": the day the state ended
            for agent in agents:
                actor = _actor_at(agent, place, s.registry_ids, s.states)
                if actor is not None:
                    found.append(
                        _Dated(_Finding(actor, place, phrase.status, extent, phrase), when)
                    )
    found += _table_rows(s)
    if last_agent == previous_agent:
        movers = [a for a in s.actors if not a.speaker and not a.sidelined]
        if movers:
            last_agent = movers[0].actor
            s.agents = (last_agent,)
            # "The Ruritanian troops and the Front's fighters had come in from the west"
            if len(movers) > 1 and _JOINED.match(s.text[movers[0].end : movers[1].start]):
                s.agents = tuple(dict.fromkeys([last_agent, movers[1].actor]))
    return _prefer_control(found, s.text), last_agent


# A table of holders in running text: "Who holds what (town - holder - since): Kelso - Front - 3
# May; Marsh - army; ..."
_HOLDERS_TABLE = re.compile(
    r"\b(?:who\s+(?:holds|controls|held|controlled)|holders?|controlled\s+by|held\s+by)\b",
    re.IGNORECASE,
)
_ROW_START = re.compile(r"(?:^|[;:(])\s*$")
_ROW_DASH = re.compile(r"\s*[\-–—]\s*(?:the\s+)?")
_ROW_STATE = re.compile(r"(?:the\s+)?(?:army|military|government|junta|regime)\b", re.IGNORECASE)
_ROW_DATE_LEAD = re.compile(r"\s*[\-–—,]\s*$")
_ROW_END = re.compile(r"\s*(?:[;.,]|$)")


_EDGE_OF_TOWN = re.compile(
    r"\b(?:outskirts|edges?|gates|suburbs|approaches|perimeter|périphérie|окраин\w*)\b", re.I
)


def _quiet_entry(s: _Sentence, phrase: _Phrase) -> bool:
    """An entry that holds the place: its verb says so (verbs.json ``holds``) and no other
    statement of the sentence fights there ("entered Kelso and were clearing it", "moved into
    Kelso amid heavy clashes" stay contested)."""
    if phrase.shape != "entry" or phrase.verb is None or not phrase.verb.holds:
        return False
    following = [p.start for p in s.places if p.start >= phrase.end]
    if _EDGE_OF_TOWN.search(s.text, phrase.end, min(following, default=phrase.end)):
        return False  # "entered the eastern outskirts of Kelso": at its edge, a fight
    if s.still_held or _roles_pattern("fight_words").search(s.text):
        return False  # "entered Kelso. Army units still hold its centre"; "... held out"
    if _roles_pattern("entrant_leaves").search(s.text, phrase.end):
        return False  # "enters Kelso; they withdraw south": nothing held (the others leaving
        # before the entry is read by the caller first)
    return not any(
        other is not phrase
        and other.status == "contested"
        and not (other.verb is not None and other.verb.holds)
        and not _vetoed(s, other)
        for other in s.phrases
    )


def _table_rows(s: _Sentence) -> list[_Dated]:
    """Rows of a holders table written in a sentence ("Kelso - Front - 3 May; Marsh - army"):
    each place, right after a semicolon or colon, then a dash and its holder alone (a registry
    actor, or "army", "military", "government": the state's forces), then perhaps the day it
    has held it since."""
    if not _HOLDERS_TABLE.search(s.text):
        return []
    as_of = [d for d in s.dates if re.match(r"(?i)as\s+of\b", s.text[d.start : d.end])]
    rows: list[_Dated] = []
    for place in s.places:
        if place.referent or not _ROW_START.search(s.text[: place.start]):
            continue
        dash = _ROW_DASH.match(s.text, place.end)
        if dash is None:
            continue
        holder = next((a for a in s.actors if a.start == dash.end() and not a.speaker), None)
        if holder is not None:
            agent, end = holder.actor, holder.end
        elif (state := _ROW_STATE.match(s.text, dash.end())) is not None:
            agent, end = STATE_FORCES, state.end()
        else:
            continue
        when = next(
            (
                d
                for d in s.dates
                if d.start >= end and _ROW_DATE_LEAD.fullmatch(s.text[end : d.start])
            ),
            None,
        )
        if not _ROW_END.match(s.text, when.end if when is not None else end):
            continue
        actor = _actor_at(agent, place, s.registry_ids, s.states)
        if actor is None:
            continue
        phrase = _Phrase(place.start, end, "active", "control")
        finding = _Finding(actor, place, "control", place.extent or "all", phrase)
        rows.append(_Dated(finding, when or (as_of[0] if as_of else None)))
    return rows


# "- Kelso: Front-held", "Kelso (12 May): fighting between ...": a tracker line's heading place
_HEADING_LEAD = re.compile(r"^\s*(?:[\-*•·‣▪–—]|\d{1,2}[.)])?\s*$")
_HEADING_COLON = re.compile(r"\s*(?:\([^()]{1,40}\))?\s*:\s+")


def _headed(s: _Sentence, phrase: _Phrase) -> list[tuple[_PlaceMention, Extent]]:
    """The place a tracker or map-update line opens with, for a statement after its colon that
    names no place of its own ("- Kelso: taken by the Front (12 May)", "Kelso: Front-held")."""
    heading = next((p for p in s.places if not p.referent), None)
    if heading is None or not _HEADING_LEAD.match(s.text[: heading.start]):
        return []
    colon = _HEADING_COLON.match(s.text, heading.end)
    if colon is None or colon.end() > phrase.start or ";" in s.text[colon.end() : phrase.start]:
        return []
    if any(p.start >= colon.end() and not p.referent for p in s.places):
        return []  # "Kelso: the Front seized the bridge near Marsh": another place is named
    if phrase.shape in ("active", "entry", "drive", "declare"):
        # "Kelso: the Front took control.": an object of its own ("seized the bridge") is not it
        _, clause_end = _clause_bounds(s.text, phrase.end)
        rest = _words_in(_without_dates(s, phrase.end, clause_end))
        if not all(w in _object_filler() for w in rest):
            return []
    return [(heading, heading.extent or DEFAULT_EXTENT[phrase.status])]


def _fights_on(s: _Sentence, phrase: _Phrase, agents: list[str]) -> bool:
    """Whether a fight with no place of its own goes on where the verb before it was contested:
    joined to it by a participle or "and" ("..., fighting the Front", "and battled the Front"),
    by the same subject, against a side named right after it."""
    if phrase.shape != "contest" or len(agents) < 2 or agents[0] != s.agent:
        return False
    floor = _previous_phrase_end(s, phrase)
    return bool(
        _participle_clause(s, phrase, floor) or _SHARED_SUBJECT.search(s.text[floor : phrase.start])
    )


def _prefer_control(found: list[_Dated], text: str) -> list[_Dated]:
    """Drop "contested" where the same sentence says the same actor controls (part of) it the
    same day ("swept into Kelso on Friday and by Saturday held most of it" keeps both), or
    gives the entry only as how it came to hold it ("controls Kelso, after its fighters entered
    the city on 14-16 May")."""

    def key(d: _Dated) -> tuple[str, str, dt.date | None]:
        return d.finding.actor, d.finding.place.place_id, d.date.day if d.date else None

    held = {key(d) for d in found if d.finding.status == "control"}
    holders = {k[:2] for k in held}

    def how_it_came(d: _Dated) -> bool:
        phrase = d.finding.phrase
        return (
            phrase.shape == "entry"
            and key(d)[:2] in holders
            and bool(_HOW_IT_CAME.search(text[: phrase.start]))
        )

    return [
        d
        for d in found
        if d.finding.status == "control" or (key(d) not in held and not how_it_came(d))
    ]


# ", after its fighters entered": the way to a hold the sentence states (not "a day after")
_HOW_IT_CAME = re.compile(r",\s*(?:only\s+)?after\s+(?:[\w'’\-]+\s+){0,3}$", re.IGNORECASE)


# --- public API ----------------------------------------------------------------------------


def _as_date(value: dt.date | str | None) -> dt.date | None:
    """The publication date, validated like any date from a form (YYYY-MM-DD, 1900-today)."""
    if value is None or value == "":
        return None
    return parse_date(value, "published")


def _registry(registry: ActorRegistry | None) -> ActorRegistry:
    if registry is not None:
        return registry
    from controlmap.dataset import bundled_actors  # the store package is heavy to import

    return ActorRegistry(bundled_actors())


def extract(
    text: str,
    *,
    published: dt.date | str | None,
    url: str | None = None,
    title: str | None = None,
    publisher: str | None = None,
    registry: ActorRegistry | None = None,
) -> list[Suggestion]:
    """Suggested claims in ``text``, in reading order, each quoting its sentence."""
    day = _as_date(published)
    actors = _registry(registry)
    patterns = _actor_patterns(actors)
    suggestions: list[Suggestion] = []
    seen: set[tuple[str, str, str, str, str | None]] = set()
    previous_agent: str | None = None
    previous_agents: tuple[str, ...] = ()
    acted_before: str | None = None
    # the actors of each sentence (a dict keeps the report's order; a repeated sentence once)
    named = {sentence: _find_actors(sentence, patterns) for sentence in sentences(text)}
    located, countries = _report_countries(text, named, actors)
    context = _Context(
        frozenset(a.id for a in actors if a.kind != "state"),
        frozenset(a.id for a in actors),
        tuple(_anchors(named, countries, located)),
        states=state_actors(actors),
        countries=countries,
        located=located,
    )
    split = sentences(text)
    as_of = day  # the day of a state the report states without a date
    for k, sentence in enumerate(split):
        parsed = _parse(sentence, patterns, as_of, context)
        if k == 0 and (header := _header_date(parsed, day)) is not None:
            as_of = header
        following = split[k + 1] if k + 1 < len(split) else ""
        parsed.left_before = bool(
            _roles_pattern("departed_participles", _HAD_LEFT).search(following)
        )
        parsed.still_held = bool(_roles_pattern("still_held", _STILL).search(following))
        parsed.previous_agents = previous_agents
        parsed.acted_before = acted_before
        findings, previous_agent = _findings(parsed, previous_agent)
        acted_before = parsed.agent if parsed.acted else None
        if parsed.agents and parsed.agents[0] == previous_agent:
            previous_agents = parsed.agents
        else:
            previous_agents = (previous_agent,) if previous_agent else ()
        if _QUESTION.search(sentence):
            findings = []  # "Q: Is Kelso still in government hands?" asks; it states nothing
        if not findings and (_script(sentence) or _FRENCH_INVERTED.search(sentence)):
            findings = _verb_first_readings(parsed)
        findings += _learned(parsed, findings)
        context.read(parsed)
        kept: list[_Dated] = []
        # one reading per actor, place and status in a sentence: the one that says how much
        # ("pushed into Kelso ... fighting in its northern districts": part, not unknown),
        # unless the sentence dates another stage ("held most of Kelso on Monday, a day after
        # they overran its government buildings")
        findings = sorted(findings, key=_vaguer)
        for dated in findings:
            finding = dated.finding
            if any(_same_reading(dated, other) for other in kept):
                continue
            kept.append(dated)
            suggestion = _suggest(finding, parsed, dated.date, day, url, title, publisher, as_of)
            if dated.linked is not None:
                reason = (
                    f"linked by the learned model (no rule read this pair), p={dated.linked:.2f}"
                )
                suggestion = replace(
                    suggestion, score=dated.linked, reasons=(*suggestion.reasons, reason)
                )
            key = (
                suggestion.actor,
                suggestion.place_id,
                suggestion.status,
                suggestion.extent,
                suggestion.date,
            )
            if key not in seen:
                seen.add(key)
                suggestions.append(suggestion)
    return _most_specific(suggestions)


def _learned(s: _Sentence, found: list[_Dated]) -> list[_Dated]:
    """Pairs no rule read that the learned linker ties together (controlmap.linker; nothing
    without its model file)."""
    from controlmap import linker  # it builds on this module's records

    return linker.linked(s, found)


_QUESTION = re.compile(r"\?[\"”’)\]]*\s*$")
_HEADER_WORDS = 12  # a heading line is short
_HEADER_DAYS = 31  # and dated shortly before publication
_AS_OF = re.compile(r"\bas\s+of\s+$", re.IGNORECASE)


def _header_date(s: _Sentence, published: dt.date | None) -> dt.date | None:
    """The day a report's heading gives ("Conflict tracker, 3 January 2025.", "Situation Report
    (as of 17 February 2025)"): the day of the states it then reports without a date."""
    days = [
        d for d in s.dates if d.precision == "day" and re.search(r"\d", s.text[d.start : d.end])
    ]
    if len(days) != 1 or published is None:
        return None
    header = days[0]
    as_of = bool(
        _AS_OF.search(s.text[: header.start])
        or re.match(r"as\s+of\b", s.text[header.start : header.end], re.IGNORECASE)
    )
    # a heading names no holder: "FRONT: who holds what, as of 1 June 2023" has a verb only
    if s.phrases and (s.actors or not as_of):
        return None
    short = len(_words_in(s.text)) <= _HEADER_WORDS or as_of
    if short and dt.timedelta(0) <= published - header.day <= dt.timedelta(days=_HEADER_DAYS):
        return header.day
    return None


def _same_reading(one: _Dated, other: _Dated) -> bool:
    """Whether two readings of one sentence say the same thing (see extract)."""
    a, b = one.finding, other.finding
    if (a.actor, a.place.place_id, a.status) != (b.actor, b.place.place_id, b.status):
        return False
    if a.extent == b.extent or one.date is None or other.date is None:
        return True
    return one.date.day == other.date.day


def _most_specific(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One reading per actor, place, status and day: the whole over a part, a known extent
    over "unknown" ("raised a flag in the centre of Kelso" beside "seized Kelso")."""
    rank = {"all": 0, "most": 1, "part": 2, "unknown": 3}
    # "entered Kelso on Monday ... By evening the town was under their control": one claim
    held = {(s.actor, s.place_id, s.date) for s in suggestions if s.status == "control"}
    suggestions = [
        s for s in suggestions if s.status == "control" or (s.actor, s.place_id, s.date) not in held
    ]
    # "took back Lashio on Tuesday ... troops moved into the city's wards": a part of a town
    # the same side took whole in the days before is that taking, not a smaller holding
    whole = [(s.actor, s.place_id, s.date) for s in suggestions if _taken_whole(s)]
    suggestions = [
        s
        for s in suggestions
        if s.status != "control"
        or s.extent not in ("part", "most")
        or not any(_days_after(s, w) for w in whole)
    ]
    best: dict[tuple[str, str, str, str | None], int] = {}
    for s in suggestions:
        key = (s.actor, s.place_id, s.status, s.date)
        best[key] = min(best.get(key, 9), rank[s.extent])
    kept = []
    for s in suggestions:
        key = (s.actor, s.place_id, s.status, s.date)
        # "all" wins over a part only for control; for fighting, a known extent over unknown
        wanted = best[key] if s.status == "control" or best[key] < 3 else 3
        if s.status == "contested" and rank[s.extent] < 3 or rank[s.extent] == wanted:
            kept.append(s)
    return kept


def _taken_whole(s: Suggestion) -> bool:
    return s.status == "control" and s.extent == "all"


def _days_after(part: Suggestion, whole: tuple[str, str, str | None]) -> bool:
    """Whether ``part`` is of the same side and place as ``whole``, at most a week after it."""
    actor, place_id, date = whole
    if (part.actor, part.place_id) != (actor, place_id) or not part.date or not date:
        return False
    gap = (dt.date.fromisoformat(part.date) - dt.date.fromisoformat(date)).days
    return 0 <= gap <= 7


def _vaguer(dated: _Dated) -> int:
    """Entering a town says nothing of how much is fought over: a later extent comes first."""
    finding = dated.finding
    if finding.status == "control":  # the whole over a part ("overran a base in Kelso and
        return _EXTENT_RANK[finding.extent]  # took control of the city")
    return 1 if finding.extent == "unknown" and finding.phrase.shape == "entry" else 0


_EXTENT_RANK = {"all": 0, "most": 1, "part": 2, "unknown": 3}


# "Kelso, a town on the western edge of Northam": Northam only says where Kelso lies
_TOWN_OF_BEFORE = re.compile(r",\s*the\s+(?:town|city|village)\s+of\s+$", re.IGNORECASE)
_DESCRIBES_BEFORE = re.compile(
    r",\s*(?:a|an|the)\s+(?:[\w\-]+\s+){0,3}?(?:town|city|village|capital|seat|hub|suburb)\b"
    r"[^,.;]{0,60}$",
    re.IGNORECASE,
)


@dataclass
class _Context:
    """What earlier sentences of the report named, for coreference."""

    non_state: frozenset[str]
    registry_ids: frozenset[str] = frozenset()
    near: tuple[tuple[float, float], ...] = ()  # the report's unambiguous places
    town: _PlaceMention | None = None  # the last town named: "the city" in a later sentence
    site: _PlaceMention | None = None  # the last named place that is not a town
    place: _PlaceMention | None = None  # the last place named, of any kind: "it"
    insurgent: str | None = None
    states: Mapping[str, str] = field(default_factory=dict)
    last_date: _DateMention | None = None  # "the same day" in a later sentence
    countries: frozenset[str] = frozenset()  # the countries the report names
    located: frozenset[str] = frozenset()  # those it places its events in (_report_countries)

    def read(self, s: _Sentence) -> None:
        stated = [d for d in s.dates if not d.forward and not d.backward]
        if stated:
            self.last_date = stated[-1]
        # a place that only locates another ("north of Northam", "Kelso, a town on the edge of
        # Northam") is not what "the town" means
        places = [
            p
            for p in s.places
            if not _LOCATOR_BEFORE.search(s.text[: p.start])
            # "..., the town of Sinjar lies in ruins": the town itself, not one it locates
            and not (
                _DESCRIBES_BEFORE.search(s.text[: p.start])
                and not _TOWN_OF_BEFORE.search(s.text[: p.start])
            )
        ]
        if not places:
            # "Tea growers around Kelso say ... The Front, which holds the town": a sentence
            # whose only place is "around" or "outside" it is still about that place
            places = [
                p for p in s.places if _AROUND_BEFORE.search(s.text[: p.start]) and not p.referent
            ][-1:]
        named = [p for p in places if not p.referent]
        if named:
            self.place = named[-1]
        towns = [p for p in places if _is_town(p.place_id)]
        # "Fuel in Ann costs three times the Yangon price": a name used as an adjective is not
        # the town a later "the town" means, when the sentence names another
        plain = [p for p in towns if not _attributive(s.text, p)]
        towns = plain or towns
        if towns:
            self.town = towns[-1]
        sites = [
            p
            for p in places
            if (not _is_town(p.place_id) and _is_site(p.place_id))
            # "Luhansk airport": a part of the town that "the airport" later names
            or (p.extent == "part" and _SITE_IN_NAME.search(s.text[p.start : p.end]))
        ]
        if sites:
            self.site = sites[-1]
        rebels = [a.actor for a in s.actors if a.actor in self.non_state]
        if rebels:
            self.insurgent = rebels[-1]


_CYRILLIC_LOWER = re.compile(r"[а-яёіїєґ]")
_SURNAME_AFTER = re.compile(
    r"\s+[А-ЯЁІЇЄҐ][а-яёіїєґ'’]+(?:ін|ин|ов|ев|єв|ко|ук|юк|ич|ський|цький|ова|ева|іна|ина)(?![\w'’])"
)
# A wire dateline: the place in capitals, maybe a country, the day, a dash
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z'’.\-]+\s+){0,3}[A-Z][A-Z'’.\-]+\s*(?:\([^)]{1,40}\)\s*)?,"
    r"[^,;:\-–—]{1,40}(?:,[^,;:\-–—]{1,30})?\s*(?:\([^)]{1,30}\)\s*)?[\-–—]{1,2}\s"
    # Russian and Ukrainian: "ДОНЕЦК, 16 января."; Arabic: "المكلا - "
    r"|^\s*[А-ЯЁІЇЄҐ'’\-]{3,}(?:\s+[А-ЯЁІЇЄҐ'’\-]{3,})?,\s*\d{1,2}\s+[а-яёіїєґ]+\s*[.\-–—]\s"
    r"|^\s*[\u0621-\u064A]{3,}(?:\s+[\u0621-\u064A]{3,})?\s*[\-–—]\s"
)


def _parse(
    sentence: str,
    patterns: Sequence[tuple[re.Pattern[str], str]],
    published: dt.date | None,
    context: _Context | None = None,
) -> _Sentence:
    actors = _find_actors(sentence, patterns)
    near = context.near if context is not None else ()
    countries = context.countries if context is not None else frozenset()
    located = context.located if context is not None else frozenset()
    places = _find_places(sentence, [(a.start, a.end) for a in actors], near, countries, located)
    dateline = _DATELINE.match(sentence)
    if dateline:
        # "ADEN, May 26 - ... the provincial capital": where the reporter is, no event's place
        # (it still tells the report's region); its day is the dispatch's, no event's
        places = [p for p in places if p.start >= dateline.end()]
    # "південні квартали": a Cyrillic word in lower case is no name (Pivdenne's "південні");
    # "Артем Семеніхін": a first name before a surname is no town; "угруповання військ
    # «Харків»": a name in guillemets is a grouping's or an operation's, no place
    places = [
        p
        for p in places
        if not _CYRILLIC_LOWER.match(sentence, p.start)
        and not _SURNAME_AFTER.match(sentence, p.end)
        and not _in_guillemets(sentence, p)
        # "in the Homs desert", "the Idlib countryside": the land around, not the town
        and not (_is_town(p.place_id) and _LAND_AROUND_AFTER.match(sentence, p.end))
        # "Ankara has long demanded", "since Beijing closed the border": a government
        and not (
            _is_capital(p.place_id)
            and _roles_pattern("government_verbs", _GOVERNMENT_VERB_AFTER).match(sentence, p.end)
        )
    ]
    if context is None:
        places = [p for p in places if not p.minor]
    if context is not None:
        places = _with_referents(sentence, places, context.town, context.site, context.place)
    phrases = _find_phrases(sentence, actors)
    places = [p for p in places if not p.minor or _minor_ok(sentence, p, phrases, near)]
    if context is not None:
        taken = [(a.start, a.end) for a in actors] + [(p.start, p.end) for p in places]
        taken += [(p.start, p.end) for p in phrases]
        found = _variant_places(sentence, taken, phrases, near, countries)
        found = [p for p in found if not _in_guillemets(sentence, p)]
        places = sorted([*places, *found], key=lambda p: p.start)
        if found:
            # "still hold Bulo Burde, but the town ...": a name in another spelling is what
            # "the town" after it means, as any other name would be
            named = [p for p in places if not p.referent]
            places = _with_referents(sentence, named, context.town, context.site, context.place)
    dates = _find_dates(sentence, published)
    if dateline:
        dates = [d for d in dates if d.start >= dateline.end()]
    # "control the whole of Homs for the first time since 2011": a comparison, no date of it
    dates = [d for d in dates if not _FIRST_TIME_SINCE.search(sentence, 0, d.start)]
    last = context.last_date if context is not None else None
    dates = _same_day(sentence, _of_that_year(sentence, dates, last), last, published)
    parsed = _Sentence(sentence, actors, places, phrases, dates)
    if context is not None:
        parsed.registry_ids = context.registry_ids
        parsed.states = context.states
        before = [a.actor for a in actors if a.actor in context.non_state]
        parsed.insurgent = before[0] if before else context.insurgent
    return parsed


_FIRST_TIME_SINCE = re.compile(
    r"\bfirst\s+time\s+(?:\w+\s+){0,2}(?:since\s+(?:late\s+|early\s+)?)?$",
    re.IGNORECASE,
)
# frame of roles.json 'government_verbs' (lower case only): "Ankara has long demanded"
_GOVERNMENT_VERB_AFTER = (
    r"\s+(?:(?:has|have|had)\s+)?(?:long\s+|repeatedly\s+|also\s+|since\s+)?(?-i:{words})\b"
)


_LAND_AROUND_AFTER = re.compile(
    r"\s+(?:countryside|desert|steppe|badia|hinterland|hills|mountains|plains)\b", re.IGNORECASE
)


def _in_guillemets(sentence: str, place: _PlaceMention) -> bool:
    return (
        sentence[place.start - 1 : place.start] == "«"
        and sentence[place.end : place.end + 1] == "»"
    )


@lru_cache(maxsize=1)
def _same_day_patterns() -> tuple[tuple[re.Pattern[str], int], ...]:
    """ "the same day", "by nightfall", "a day later" (roles.json): from the last date named."""
    roles = _roles()
    return tuple(
        (re.compile(rf"\b(?:{_phrases_regex(roles[key])})\b", re.IGNORECASE), offset)
        for key, offset in (("same_day", 0), ("next_day", 1), ("day_before", -1))
    )


_THAT_YEAR = re.compile(r"\s*,?\s+(?:of\s+)?that\s+year\b", re.IGNORECASE)


def _of_that_year(
    text: str, dates: list[_DateMention], last: _DateMention | None
) -> list[_DateMention]:
    """ "on 5 August 2021 ... until 1 December of that year": the year of the date named before,
    not the latest such day before publication."""
    out: list[_DateMention] = []
    for mention in dates:
        anchor = out[-1] if out else last
        if (
            anchor is not None
            and _THAT_YEAR.match(text, mention.end)
            and not re.search(r"\d{4}", text[mention.start : mention.end])
        ):
            with suppress(ValueError):
                mention = replace(mention, day=mention.day.replace(year=anchor.day.year))
        out.append(mention)
    return out


# "Five days later the army announced ...", "two weeks later": counted from the last date named
# ("ten days later than agreed" compares, it does not date)
_DAYS_LATER = re.compile(rf"\b{_COUNT}\s+(?P<unit>days|weeks?)\s+later\b(?!\s+than\b)", re.I)


def _same_day(
    text: str, dates: list[_DateMention], last: _DateMention | None, published: dt.date | None
) -> list[_DateMention]:
    """Add "the same day", "by nightfall", "five days later" and their kin as dates counted from
    the last day named before them: earlier in the sentence ("reached Kelso on Thursday, though
    the town was still in Front hands by nightfall"), else in an earlier sentence."""
    added = list(dates)
    counted = [(m, _counted_days(m)) for m in _DAYS_LATER.finditer(text)]
    for pattern, offset in _same_day_patterns():
        counted.extend((m, offset) for m in pattern.finditer(text))
    for match, offset in sorted(counted, key=lambda mo: mo[0].start()):
        if _inside_any(match.start(), match.end(), [(d.start, d.end) for d in added]):
            continue
        earlier = [d for d in dates if d.end <= match.start() and not d.forward]
        anchor = earlier[-1] if earlier else last
        if anchor is None or anchor.precision != "day":
            continue
        day = anchor.day + dt.timedelta(days=offset)
        if published is None or day <= published:  # never a day the report had not reached
            added.append(_DateMention(match.start(), match.end(), day, "day", backward=offset < 0))
    return sorted(added, key=lambda d: d.start)


# "the city", "the town": the town named last, in this sentence or an earlier one.
_THE_TOWN_NOUN = re.compile(
    r"\b(?:the|this|that)\s+(?:(?:entire|whole|remaining|embattled|besieged|strategic|key"
    r"|provincial|ancient|northern|southern|eastern|western|central|border|oil|rest\s+of\s+the"
    r"|port|coastal|frontline|front-line|garrison|desert|mining|market|small|industrial|river"
    r"|riverside|mountain|hilltop|historic|largest|second-largest|besieged"
    # any one other adjective ("the mixed town"), but not one that means another town
    r"|(?!(?:old|new|other|next|nearby|neighbou?ring|twin|first|last|same|of|the|an?|in|on|and"
    r"|or|to|from|by|with|at|for|into|over|its|their|his|her|this|that)\b)(?-i:[a-z][a-z\-]+)"
    # the region's name: "the North Darfur town", "the northern Shan State town"
    r"|(?-i:(?!(?:The|This|That|Old|New|Other|Next|First|Last|Same)\b)[A-Z][\w\-]+))"
    r"\s+){0,4}"
    r"(?P<noun>city|town|village|(?:(?:provincial|regional|state|district|county)\s+)?capital"
    # "the Hadramawt port, which is held by": a port town a relative says is held
    r"|port(?=\s*,\s*(?:which|that)\s))\b"
    # "the city council", "the city administration building": something of the town's
    r"(?!\s+(?:of|council|hall|centre|center|administration|authorities|government|governor"
    r"|mayor|square|limits|police|jail|prison|hospital|gates?|walls?|streets)\b)"
    # Ukrainian and Russian "of the city", "in the city" with no name after; Arabic "the city"
    # and French "la ville", "cette localité" with no name after
    r"|(?<!\w)(?P<own>міст[аоі]|город[аеу]?|[وبف]?(?:المدينة|البلدة)|للمدينة|للبلدة"
    r"|(?:la|cette)\s+(?:ville|localité|cité)(?!\s+(?:(?:de|du|des)\b|d['’]))"
    r")(?!\w)"
    r"(?!\s+(?-i:[А-ЯЁІЇЄҐ]))",
    re.IGNORECASE,
)
# "retook it", "it fell to": the place named last ("it" elsewhere is anything at all).
_IT = re.compile(
    r"\b(?:took|taken|seized|captured|retook|retaken|recaptured|liberated|overran|overrun"
    r"|controls|controlled|holds|held|occupied|entered|stormed|besieged|leaving|left|secured"
    r"|infiltrated|handing|handed|out\s+of"
    # the plural present ("Peshmerga forces hold it") and other base forms
    r"|hold|control|take|seize|capture|retake|recapture|occupy|secure|retain|retains|retained"
    r"|keep|keeps|kept|run|runs)\s+(?P<it>it)\b"
    r"|\b(?P<it2>[Ii]t)(?=\s+(?:(?:has|had|was|is)\s+)?(?:fell|fallen|falls)\s+(?:in)?to\b"
    # "It is held by Rwandan and Mozambican troops"
    r"|\s+(?:is|was|remains|has\s+been)\s+(?:now\s+|still\s+)?(?:held|controlled|run)\s+by\b)",
)
# "are fighting Ruritanian units there": the place named last.
_THERE = re.compile(
    r"\b(?:fighting|fight|fought|clashing|clashed|clash|battling|battled)\b[^,.;]{0,60}?\s"
    # "and troops were fighting them in the streets": in the streets of the place named last
    r"(?:in\s+)?(?P<there>there|(?<=in\s)(?:the|its)\s+streets(?!\s+of\b))\b",
    re.IGNORECASE,
)
# "the facility", "the refinery": the last site named that is not a town.
_THE_SITE_NOUN = re.compile(
    r"\bthe\s+(?P<noun>facility|complex|refinery|plant|airport|air\s*base|airbase|base|dam"
    r"|crossing|border\s+crossing|island|compound)\b(?!\s+(?:of|in)\b)",
    re.IGNORECASE,
)
_SITE_IN_NAME = re.compile(r"\b(?:airport|air\s*base|airbase)\b", re.IGNORECASE)
# "the western half", "the eastern part" with no place after: part of the town named last.
_PART_OF_TOWN = re.compile(
    r"\b(?:the|its)\s+(?P<part>(?:(?:north|south|east|west|north-?east|north-?west|south-?east"
    r"|south-?west)(?:ern)?\s+(?:and\s+)?){1,2}(?:half|part|side|bank|sector|districts"
    r"|neighbou?rhoods|quarters|outskirts|suburbs|edges?))\b(?!\s+of\b)"
    # "its outskirts", and "the city centre" or "the old city" with no town after it
    r"|\b(?:its|the(?=\s+(?:(?:city|town)\s+)?cent(?:re|er)\b(?!\s+of\b)|\s+old\s+(?:city|town)"
    r"\b(?!\s+of\b)))\s+"
    r"(?P<own>(?:(?:city|town)\s+)?(?:outskirts|suburbs|centre|center)|old\s+(?:city|town)|districts"
    r"|neighbou?rhoods|periphery|edges?|airport|market|industrial\s+(?:zone|area))\b"
    # "still holds its General Command headquarters": a side's own base in the town named last
    r"|\bits\s+(?P<base>(?:(?-i:[A-Z][\w\-]*)\s+){0,3}(?:headquarters|barracks))\b"
    # Ukrainian and Russian "його південну частину" (its southern part)
    r"|(?<!\w)(?:його|її|его|её)\s+(?P<cyr>(?:[а-яіїєґ]+\s+)?(?:частин[уиіа]|часть|околиц[іяю]"
    r"|окраин[уыа]))(?!\w)",
    re.IGNORECASE,
)


def _population(place_id: str) -> int:
    record = geocode.place(place_id)
    return record.population if record is not None and record.population else 0


_COUNTRYSIDE_ON = re.compile(
    r"\b(?:villages|hamlets|farms|farmland|settlements|countryside)\s+(?:on|along|across)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)


def _with_referents(
    text: str,
    places: list[_PlaceMention],
    earlier: _PlaceMention | None,
    earlier_site: _PlaceMention | None = None,
    earlier_any: _PlaceMention | None = None,
) -> list[_PlaceMention]:
    """Add "the city", "the western half" and "the facility" as mentions of what they stand for."""
    added: list[_PlaceMention] = []
    spans = [(p.start, p.end) for p in places]
    # each pattern's alternatives, by the name of the group that holds the mention
    readings = (
        (_IT, ("it", "it2"), None, None),
        (_THERE, ("there", "own"), None, None),
        (_THE_TOWN_NOUN, ("noun", "own"), None, True),
        (_PART_OF_TOWN, ("part", "own", "base", "cyr"), "part", True),
        (_THE_SITE_NOUN, ("noun", "own"), None, False),
    )
    for pattern, groups, extent, town_like in readings:
        for match in pattern.finditer(text):
            name = next(g for g in groups if match.group(g) is not None)
            start, end = match.span(name)
            if name == "cyr":
                start = match.start()  # "його південну частину": the possessive is its own
            if pattern is _THE_TOWN_NOUN:
                start = match.start()  # "the mixed town": its words are the mention's own
                # "the Kayah State capital": the region only says whose capital
                region = [
                    p
                    for p in places
                    if start <= p.start
                    and p.end <= end
                    and not _is_town(p.place_id)
                    and (match.group("noun") or "").lower().endswith("capital")
                ]
                if region:
                    places = [p for p in places if p not in region]
                    spans = [(p.start, p.end) for p in places] + [(a.start, a.end) for a in added]
            if _inside_any(start, end, spans) or _FACILITY_AFTER.match(text[end:]):
                continue  # "the city's airport" is not the city
            if pattern is _PART_OF_TOWN and _COUNTRYSIDE_ON.search(text, 0, match.start()):
                continue  # "the villages on the eastern bank": a river's bank, no town's part
            if pattern is _THE_TOWN_NOUN and any(
                re.fullmatch(r"\s*,\s*", text[p.end : start]) for p in places
            ):
                continue  # "Buthidaung, the Rakhine State town held by": an apposition
            before = [
                p
                for p in places
                if p.end <= match.start()
                and (town_like is None or _is_town(p.place_id) == town_like)
                and not p.referent
                # "Balad, south of Samarra, ... the city": Samarra only locates Balad
                and not _locates_other(text, places, p)
            ]
            if town_like is None:  # "it": the last place of any kind
                town = before[-1] if before else earlier_any
            else:
                town = before[-1] if before else earlier if town_like else earlier_site
            if (
                pattern is _THE_TOWN_NOUN
                and len(before) > 1
                and (match.group("noun") or "").lower().endswith("capital")
            ):
                # "the road from Hakha to Falam ... the junta-held state capital": of the
                # sentence's towns, the capital is the biggest
                town = max(before, key=lambda p: _population(p.place_id))
            if town is None:
                continue
            own = extent
            if town.extent == "part" and (
                town_like is None or (pattern is _THE_SITE_NOUN and _is_town(town.place_id))
            ):
                # "it" or "the airport" for "the Kelso airport" named before: that part of Kelso
                own = "part"
            if name == "there" and before:
                # "reached the eastern outskirts of Kelso and are fighting ... there": as much
                own = town.extent or _extent_in(_tail_words(text[: town.start], 4))
            added.append(
                _PlaceMention(start, end, town.place_id, town.name, own, referent=True)  # type: ignore[arg-type]
            )
            spans.append((start, end))
    return sorted([*places, *added], key=lambda p: p.start)


def _suggest(
    finding: _Finding,
    s: _Sentence,
    when: _DateMention | None,
    published: dt.date | None,
    url: str | None,
    title: str | None,
    publisher: str | None,
    as_of: dt.date | None = None,
) -> Suggestion:
    shape = geo.footprint(finding.place.place_id)
    stated = as_of or published
    date: str | None = stated.isoformat() if stated else None
    precision = "day"
    if when is not None:
        date, precision = when.day.isoformat(), when.precision
    claimed = _CLAIMED.search(s.text)
    confidence: Literal["assessed", "claimed"] = "claimed" if claimed else "assessed"
    evidence, score, reasons = _reading(finding, s, when, claimed, stated != published)
    return Suggestion(
        actor=finding.actor,
        place=finding.place.name,
        place_id=finding.place.place_id,
        status=finding.status,
        extent=finding.extent,
        date=date,
        date_precision=precision,
        excerpt=s.text,
        geometry=shape.geometry,
        confidence=confidence,
        approximate=shape.approximate,
        evidence=evidence,
        score=score,
        reasons=reasons,
        title=title,
        url=url,
        publisher=publisher,
        published=published.isoformat() if published else None,
    )


def _reading(
    finding: _Finding,
    s: _Sentence,
    when: _DateMention | None,
    claimed: re.Match[str] | None,
    headed: bool = False,
) -> tuple[str, float, tuple[str, ...]]:
    """The evidence span, a score and the reasons of one suggestion, for the researcher.

    The score starts from how directly the sentence says it and loses for each part that was
    inferred rather than read: an actor carried over from an earlier sentence, a place found
    by coreference ("the city"), contested ground (reports of fighting are vaguer), an extent
    that no word gave, a date taken from the publication.
    """
    phrase, place = finding.phrase, finding.place
    agent = min(
        (a for a in s.actors if a.actor in (finding.actor, STATE_FORCES)),
        key=lambda a: min(abs(a.start - phrase.end), abs(phrase.start - a.end)),
        default=None,
    )
    spans = [(phrase.start, phrase.end), (place.start, place.end)]
    if agent is not None:
        spans.append((agent.start, agent.end))
    evidence = s.text[min(a for a, _ in spans) : max(b for _, b in spans)]
    score = 0.95
    reasons = []
    if agent is not None:
        reasons.append(f"actor: '{s.text[agent.start : agent.end]}' is {finding.actor}")
    else:
        score -= 0.2
        reasons.append(f"actor: {finding.actor}, carried over from an earlier mention")
    reasons.append(
        f"statement: '{s.text[phrase.start : phrase.end]}' ({phrase.shape}, {finding.status})"
    )
    spelled = s.text[place.start : place.end]
    reasons.append(f"place: '{spelled}' is {place.name} ({place.place_id})")
    if finding.status == "contested":
        score -= 0.1
    reasons.append(f"extent: {finding.extent}")
    if when is not None:
        reasons.append(f"date: '{s.text[when.start : when.end].strip()}' is {when.day.isoformat()}")
    else:
        score -= 0.05
        source = "the date in the report's heading" if headed else "the publication date"
        reasons.append(f"date: {source} (the sentence names none)")
    if claimed:
        reasons.append(f"confidence: claimed ('{claimed.group(0)}')")
    return evidence, round(max(score, 0.05), 2), tuple(reasons)


# --- evaluation ----------------------------------------------------------------------------

MATCH_FIELDS = ("actor", "place_id", "status", "extent", "date")


@dataclass(frozen=True)
class Score:
    """Precision and recall of extract() over a set of cases, with what went wrong."""

    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int
    confidence_agreement: float
    mismatches: tuple[dict[str, Any], ...]


def load_cases(path: Path | str) -> list[dict[str, Any]]:
    """The evaluation cases of a JSON file ({"cases": [...]} or a bare list)."""
    with Path(path).open(encoding="utf-8") as fh:
        data = json.load(fh)
    cases = data["cases"] if isinstance(data, Mapping) else data
    return list(cases)


def score(cases: Iterable[Mapping[str, Any]], registry: ActorRegistry | None = None) -> Score:
    """Compare suggestions with the expected claims of each case.

    A suggestion is correct when actor, place_id, status, extent and date all equal an expected
    claim of its case (each expected claim matches at most one suggestion).
    """
    actors = _registry(registry)
    tp = fp = fn = agree = 0
    mismatches: list[dict[str, Any]] = []
    for case in cases:
        got = extract(str(case["text"]), published=case.get("published"), registry=actors)
        got_keys = [tuple(s.to_dict()[f] for f in MATCH_FIELDS) for s in got]
        expected = [tuple(e.get(f) for f in MATCH_FIELDS) for e in case.get("expected", [])]
        remaining = list(expected)
        extra = []
        for suggestion, key in zip(got, got_keys, strict=True):
            if key in remaining:
                index = remaining.index(key)
                wanted = case["expected"][expected.index(key)].get("confidence")
                agree += int(wanted in (None, suggestion.confidence))
                remaining.pop(index)
                tp += 1
            else:
                extra.append(dict(zip(MATCH_FIELDS, key, strict=True)))
                fp += 1
        fn += len(remaining)
        if extra or remaining:
            mismatches.append(
                {
                    "id": case.get("id"),
                    "unexpected": extra,
                    "missing": [dict(zip(MATCH_FIELDS, k, strict=True)) for k in remaining],
                }
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Score(
        precision=precision,
        recall=recall,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        confidence_agreement=agree / tp if tp else 1.0,
        mismatches=tuple(mismatches),
    )
