"""The contribution form reports each problem next to its field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from shapely.geometry import Point, Polygon, box, mapping

from controlmap import dataset
from controlmap.errors import ValidationError
from controlmap.forms import (
    check_claim_form,
    geometry_from_drawings,
    geometry_from_upload,
)
from controlmap.model import ActorRegistry

REGISTRY = ActorRegistry(dataset.bundled_actors())
FALLUJAH = Point(43.7795, 33.3581).buffer(0.03)
GOOD = {
    "actor": "AQI",
    "status": "control",
    "extent": "most",
    "observed_on": dt.date(2014, 1, 2),
    "date_precision": "day",
    "confidence": "assessed",
    "place": "Fallujah",
    "place_id": "geonames:99454",
    "title": "Al-Qaeda Seizes Parts of Two Major Iraqi Cities",
    "publisher": "Antiwar.com",
    "url": "https://news.antiwar.com/2014/01/02/al-qaeda-seizes-parts-of-two-major-iraqi-cities/",
    "published": dt.date(2014, 1, 2),
    "excerpt": "AQI controls more than half of Fallujah",
}


def check(values=None, geom=FALLUJAH):
    return check_claim_form({**GOOD, **(values or {})}, geom, REGISTRY, place_geometry=FALLUJAH)


def test_a_good_form_gives_a_pending_claim():
    result = check()
    assert result.ok and result.errors == {}
    assert (result.claim.actor, result.claim.extent, result.claim.review_state) == (
        "isil",
        "most",
        "pending",
    )


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"url": ""}, "url", "required"),
        ({"url": "javascript:alert(1)"}, "url", "http"),
        ({"title": "  "}, "title", "required"),
        ({"actor": "Nobody"}, "actor", "Nobody"),
        ({"observed_on": dt.date.today() + dt.timedelta(days=3)}, "observed_on", "future"),
        ({"observed_on": dt.date(1850, 1, 1)}, "observed_on", "1900"),
        ({"excerpt": "x" * 6000}, "excerpt", "longer"),
        ({"extent": "half"}, "extent", "half"),
    ],
)
def test_each_problem_is_filed_under_its_field(values, field, words):
    result = check(values)
    assert not result.ok
    assert field in result.errors and words in result.errors[field], result.errors


def test_missing_area_is_reported():
    assert "geometry" in check(geom=None).errors


def test_swapped_coordinates_are_called_out():
    swapped = box(33.33, 43.75, 33.38, 43.80)  # lat/lon order: lands in Turkey, near nothing
    assert "swapped" in check(geom=swapped).errors["geometry"]


def test_area_far_from_the_named_place_is_refused():
    assert "km from Fallujah" in check(geom=box(40.0, 33.0, 40.05, 33.05)).errors["geometry"]


def test_self_intersecting_drawing_is_refused_not_silently_changed():
    bowtie = Polygon([(43.7, 33.3), (43.8, 33.4), (43.8, 33.3), (43.7, 33.4)])
    assert "not a valid polygon" in check(geom=bowtie).errors["geometry"]


def test_form_limits_on_size():
    huge = box(38.0, 29.0, 48.0, 37.0)
    assert "form takes up to" in check({"place_id": ""}, geom=huge).errors["geometry"]


def test_drawings_and_uploads_become_geometry():
    drawn = [{"type": "Feature", "geometry": mapping(box(43.7, 33.3, 43.8, 33.4))}]
    assert geometry_from_drawings(drawn).equals(box(43.7, 33.3, 43.8, 33.4))
    assert geometry_from_drawings([{"type": "Feature", "geometry": mapping(Point(1, 2))}]) is None
    fc = {"type": "FeatureCollection", "features": drawn}
    assert geometry_from_upload(json.dumps(fc).encode()).area == pytest.approx(0.01)
    with pytest.raises(ValidationError, match="not GeoJSON"):
        geometry_from_upload(b"<kml/>")
    with pytest.raises(ValidationError, match="no Polygon"):
        geometry_from_upload(json.dumps({"type": "Point", "coordinates": [1, 2]}).encode())
