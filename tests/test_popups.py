"""Popups and balloons come from one set of autoescaping templates (issue 9, point 11).

Whatever the data holds, what reaches the page is our markup around inert text: no tag or
attribute from the data, no ``${`` (folium puts popups inside JavaScript template strings),
no backtick or backslash, and links only to http(s).
"""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box
from sqlalchemy import text

from controlmap import analysis, export
from controlmap.model import Actor, ActorRegistry, Citation, Claim, Source
from controlmap.render import layers, style
from controlmap.resolve import resolve
from controlmap.store import Store

DAY = dt.date(2015, 3, 1)
TAGS = {"div", "b", "br", "span", "ol", "li", "a", "i"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in ("class", "style", "value", "href", "target", "rel"):
                self.problems.append(f"attribute {name}")
            if name == "href" and not (value or "").startswith(("http://", "https://")):
                self.problems.append(f"href {value!r}")
            if name == "style" and not (value or "").startswith("color:#"):
                self.problems.append(f"style {value!r}")


def _problems(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    found = parser.problems
    found += [c for c in ("${", "`", "\\") if c in html]
    return found


def _popups(claims: list[Claim], registry: ActorRegistry) -> list[str]:
    """Every popup the project writes for these claims: map (detail and grouped), compare
    page, KML of claims and of the state."""
    from controlmap.ui import compare_page

    pieces = resolve(claims, DAY)
    look = style.Look()
    features, markers = layers.layer_features(pieces, registry, DAY, look)
    grouped = layers._grouped_items(pieces, registry, DAY, look)
    changes = analysis.diff(claims, dt.date(2014, 12, 1), DAY)
    out = [f["properties"]["popup"] for f in features + markers + grouped]
    out += [f["properties"]["popup"] for f in compare_page._change_features(changes, registry)]
    for kml in (export.kml_claims(claims, registry), export.kml_state(pieces, registry, DAY)):
        import xml.etree.ElementTree as ET

        root = ET.fromstring(kml)
        out += [d.text or "" for d in root.iter("{http://www.opengis.net/kml/2.2}description")]
    return out


def test_a_colour_written_into_the_database_by_hand_cannot_break_out(db_url, make_claim):
    store = Store(db_url)
    from controlmap import dataset

    dataset.init_store(store, demo=False)
    store.add_claims([make_claim("isil", day="2015-01-01")], who="test")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE actors SET colour = :c WHERE id = 'isil'"),
            # Seven characters: PostgreSQL holds the column to its declared VARCHAR(7).
            {"c": '#"><svg'},
        )
    claims, registry = store.claims(), store.actors()
    popups = _popups(claims, registry)
    assert popups
    assert [p for html in popups for p in _problems(html)] == []


printable = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=60,
).filter(
    lambda s: (
        s.strip() and not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in s)
    )
)
hostile = st.one_of(
    printable,
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "${window.__xss=1}",
            "`${1}`\\",
            "javascript:alert(1)",
            "</div></ol><a href='javascript:x'>",
            "&lt;b&gt;",
        ]
    ),
)


@settings(max_examples=60, deadline=None)
@given(name=hostile, title=hostile, publisher=hostile, excerpt=hostile, notes=hostile)
def test_any_text_in_any_field_stays_text(name, title, publisher, excerpt, notes):
    registry = ActorRegistry([Actor("red", name, "#aa3377"), Actor("blue", "Blue", "#4477aa")])
    source = Source(title=title, publisher=publisher, url="https://example.org/?q=${x}")
    cite = (Citation(source, excerpt),)
    claims = [
        Claim("blue", "control", "all", box(43, 33, 43.2, 33.2), dt.date(2014, 11, 1), cite, id=1),
        Claim(
            "red",
            "control",
            "most",
            box(43.1, 33.1, 43.3, 33.3),
            dt.date(2015, 1, 1),
            cite,
            notes=notes,
            id=2,
        ),
    ]
    popups = _popups(claims, registry)
    assert len(popups) >= 6
    for html in popups:
        assert _problems(html) == [], html
    # The text is there, for people to read.
    joined = json.dumps(popups)
    assert "example.org" in joined
