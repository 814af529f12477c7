"""The model rejects what it cannot trust, with a message that names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import Polygon, box

from controlmap.errors import UnknownActor, ValidationError
from controlmap.model import Actor, ActorRegistry, Citation, Claim, Source, check_geometry

ISIL = Actor("isil", "Islamic State", "#D55E00", "non-state", ("AQI", "ISIS", "Daesh", "Daash"))


def test_aliases_resolve_to_one_actor_whatever_the_case():
    reg = ActorRegistry([ISIL])
    for name in ("isil", "AQI", "isis", "DAESH", "Daash", "Islamic State"):
        assert reg.resolve(name).id == "isil"
    with pytest.raises(UnknownActor, match="'Taliban'"):
        reg.resolve("Taliban")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/", "//x.org", "http://"]
)
def test_only_http_links_are_accepted(url):
    with pytest.raises(ValidationError, match="http"):
        Source(title="t", url=url)


def test_source_partial_publication_dates():
    assert Source(title="t", published="2014-01").published == "2014-01"
    with pytest.raises(ValidationError, match="published"):
        Source(title="t", published="Jan 2014")


def _claim(**kw):
    base = dict(
        actor="isil",
        status="control",
        extent="most",
        geometry=box(43, 33, 43.1, 33.1),
        observed_on=dt.date(2014, 1, 2),
        citations=(Citation(Source(title="r", url="https://x.org")),),
    )
    base.update(kw)
    return Claim(**base)


def test_claim_needs_a_citation_and_known_vocabulary():
    with pytest.raises(ValidationError, match="citation"):
        _claim(citations=())
    with pytest.raises(ValidationError, match="extent"):
        _claim(extent="half")
    with pytest.raises(ValidationError, match="status"):
        _claim(status="owns")


def test_dates_not_in_the_future_or_before_1900_and_until_after_observed():
    with pytest.raises(ValidationError, match="future"):
        _claim(observed_on=dt.date.today() + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="1900"):
        _claim(observed_on=dt.date(1899, 12, 31))
    with pytest.raises(ValidationError, match="valid_until"):
        _claim(valid_until=dt.date(2014, 1, 1))


def test_geometry_checks():
    with pytest.raises(ValidationError, match="Polygon"):
        check_geometry({"type": "Point", "coordinates": [43, 33]})
    with pytest.raises(ValidationError, match="outside the world"):
        check_geometry(box(33, 43, 33.1, 190))  # latitude 190: lat/lon swapped or garbage
    with pytest.raises(ValidationError, match="not valid GeoJSON"):
        check_geometry({"type": "Polygon", "coordinates": [[[1, 2]]]})
    # A bow-tie cannot be repaired into the same polygon: it is refused, not silently changed.
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    with pytest.raises(ValidationError, match="not a valid polygon"):
        check_geometry(bowtie)
    # A ring drawn twice over (self-touching, same area) is repaired.
    ok = check_geometry(
        {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    )
    assert ok.area == 4


def test_claim_round_trips_through_a_feature():
    claim = _claim(notes="from a ${test}", place_id="geonames:99454")
    again = Claim.from_feature(claim.to_feature(), ActorRegistry([ISIL]))
    assert again == claim


def test_text_with_control_characters_is_refused():
    with pytest.raises(ValidationError, match="control characters"):
        _claim(notes="bad\x00text")
