"""Property tests with hypothesis over import and the contribution form (issue 9, point 12).

Every generated case is either stored valid, or refused with a one-line error and nothing
written; never a traceback. The README gives the number of cases a run makes.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from controlmap import dataset, forms
from controlmap.errors import ControlmapError
from controlmap.store import Store

IMPORT_CASES = 300
FORM_CASES = 300
FUZZ = settings(
    max_examples=IMPORT_CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- geometry ----------------------------------------------------------------------------------
lon = st.floats(42.0, 44.0, allow_nan=False)
lat = st.floats(32.0, 34.0, allow_nan=False)


def _ring(points: list[list[float]], close: bool) -> list[list[float]]:
    return points + [points[0]] if close else points


@st.composite
def polygons(draw) -> dict:
    kind = draw(
        st.sampled_from(
            ["square", "bowtie", "unclosed", "swapped", "antimeridian", "many", "nan", "tiny"]
        )
    )
    x, y = draw(lon), draw(lat)
    d = draw(st.floats(1e-4, 0.5))
    square = [[x, y], [x + d, y], [x + d, y + d], [x, y + d]]
    if kind == "square":
        ring = _ring(square, True)
    elif kind == "bowtie":  # self-intersection
        ring = _ring([[x, y], [x + d, y + d], [x + d, y], [x, y + d]], True)
    elif kind == "unclosed":
        ring = _ring(square, False)
    elif kind == "swapped":  # latitude first
        ring = [[b, a] for a, b in _ring(square, True)]
    elif kind == "antimeridian":
        ring = _ring([[179.5, y], [-179.5, y], [-179.5, y + d], [179.5, y + d]], True)
    elif kind == "many":
        n = draw(st.integers(1_000, 30_000))
        ring = [
            [x + d * math.cos(2 * math.pi * i / n), y + d * math.sin(2 * math.pi * i / n)]
            for i in range(n)
        ]
        ring = _ring(ring, True)
    elif kind == "nan":
        ring = _ring(square, True)
        ring[draw(st.integers(0, 3))][draw(st.integers(0, 1))] = float("nan")
    else:
        ring = _ring([[x, y], [x + 1e-12, y], [x, y + 1e-12]], True)
    return {"type": "Polygon", "coordinates": [ring]}


# -- text ---------------------------------------------------------------------------------------
nasty_chars = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x1b",
        "\x9b",
        "\u2028",
        "\u2029",
        "\u202e",
        "\u2066",
        "\u200f",
        "\ud800",
        "\udfff",
        "\ufeff",
        "\r",
        "\n",
        "\t",
        "<",
        "$",
        "`",
        "\\",
        "\u0627",
    ]
)
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(nasty_chars, st.text(max_size=5)), max_size=12).map("".join),
    st.integers(1, 20_000).map(lambda n: "x" * n),
)

# -- dates --------------------------------------------------------------------------------------
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2014",
            "2014-06",
            "0001-01-01",
            "2099-12-31",
            "2014-13-01",
            "2014-02-30",
            "",
            "yesterday",
            "2014/01/02",
            "+002014-01-02",
        ]
    ),
    st.integers(-10, 3000).map(str),
)


@st.composite
def features(draw) -> dict:
    props = {
        "actor": draw(st.sampled_from(["isil", "iraq-gov", "ISIS", "nobody", "isil\n"])),
        "status": draw(st.sampled_from(["control", "contested", "CONTROL", ""])),
        "extent": draw(st.sampled_from(["all", "most", "part", "unknown", "half", None])),
        "observed_on": draw(dates),
        "notes": draw(texts),
        "citations": [
            {
                "title": draw(texts),
                "publisher": draw(texts),
                "url": draw(st.sampled_from(["https://example.org/a", "javascript:x", None])),
                "published": draw(dates),
                "excerpt": draw(texts),
            }
        ],
    }
    if draw(st.booleans()):
        props["valid_until"] = draw(dates)
    return {"type": "Feature", "geometry": draw(polygons()), "properties": props}


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message, message
    return message


def _stored_valid(store: Store) -> None:
    for claim in store.claims(("approved", "pending")):
        assert claim.geometry.is_valid and not claim.geometry.is_empty
        for value in (claim.notes, *(c.excerpt for c in claim.citations)):
            value.encode("utf-8")


_DB = Path(tempfile.mkdtemp(prefix="cm-fuzz-")) / "fuzz.sqlite"
_STORE: list[Store] = []


def _store() -> Store:
    if not _STORE:
        store = Store(f"sqlite:///{_DB}")
        dataset.init_store(store, demo=False)
        _STORE.append(store)
    return _STORE[0]


def _counts(store: Store) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("claims", "citations", "sources", "revisions", "actors")
        )


@FUZZ
@given(feats=st.lists(features(), min_size=1, max_size=3), dup=st.booleans())
def test_import_stores_valid_claims_or_refuses_in_one_line(feats, dup, tmp_path_factory):
    store = _store()
    if dup:
        feats = feats + feats[:1]
    path = tmp_path_factory.mktemp("f") / "claims.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    before = _counts(store)
    try:
        dataset.import_file(store, path, who="fuzz")
    except ControlmapError as exc:
        _one_line(exc)
        assert _counts(store) == before, "a refused file must write nothing"
    _stored_valid(store)


@st.composite
def form_values(draw) -> dict:
    return {
        "actor": draw(st.sampled_from(["isil", "Daesh", "nobody", None])),
        "status": draw(st.sampled_from(["control", "contested", None])),
        "extent": draw(st.sampled_from(["all", "most", "part", "unknown", None])),
        "observed_on": draw(dates),
        "date_precision": "day",
        "confidence": "assessed",
        "place": draw(texts),
        "place_id": None,
        "notes": draw(texts),
        "title": draw(texts),
        "publisher": draw(texts),
        "author": draw(texts),
        "url": draw(st.sampled_from(["https://example.org/r", "ftp://x", "", None])),
        "published": draw(dates),
        "excerpt": draw(texts),
    }


@settings(FUZZ, max_examples=FORM_CASES)
@given(values=form_values(), geometry=polygons(), how=st.sampled_from(["upload", "drawing"]))
def test_the_form_checks_every_field_or_stores_a_valid_pending_claim(values, geometry, how):
    from controlmap import workflow
    from controlmap.auth import User

    store = _store()
    before = _counts(store)
    registry = store.actors()
    try:
        if how == "upload":
            payload = json.dumps({"type": "Feature", "geometry": geometry, "properties": {}})
            shape = forms.geometry_from_upload(payload.encode("utf-8", "surrogatepass"))
        else:
            shape = forms.geometry_from_drawings([{"type": "Feature", "geometry": geometry}])
    except ControlmapError as exc:
        _one_line(exc)
        return
    checked = forms.check_claim_form(values, shape, registry)
    for message in checked.errors.values():
        assert message and "\n" not in message
    if not checked.ok:
        assert _counts(store) == before
        return
    assert checked.claim is not None and checked.claim.geometry.is_valid
    try:
        workflow.submit(store, User("fuzz", "contributor"), [checked.claim])
    except ControlmapError as exc:
        _one_line(exc)
        assert _counts(store) == before
    _stored_valid(store)
    assert shapely.is_valid(checked.claim.geometry)
