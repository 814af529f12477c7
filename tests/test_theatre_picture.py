"""The PNG export of a second theatre shows its land, water, borders and town names."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg
from matplotlib.axes import Axes

from controlmap import dataset
from controlmap.render import image
from controlmap.resolve import resolve
from controlmap.store import Store

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "sudan-2023-2025.geojson"


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


@pytest.fixture(scope="module")
def theatre(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('pic') / 'sudan.sqlite'}")
    dataset.init_store(store, demo=False)
    dataset.import_file(store, EXAMPLE, who="test")
    claims = store.claims()
    day = max(c.observed_on for c in claims)
    return resolve(claims, day), store.actors(), day


def test_png_of_the_second_theatre_shows_its_basemap_and_towns(theatre, monkeypatch):
    pieces, registry, day = theatre
    drawn: list = []
    real_annotate = Axes.annotate

    def spy(self, text, *args, **kwargs):  # every label the picture tries to place
        artist = real_annotate(self, text, *args, **kwargs)
        drawn.append(artist)
        return artist

    monkeypatch.setattr(Axes, "annotate", spy)
    png = image.render_image(pieces, registry, day, size="1920x1080")
    kept = {a.get_text() for a in drawn if a.axes is not None}  # removed ones lost their axes
    assert {"Khartoum", "Port Sudan"} <= kept, kept
    assert not {"Baghdad", "Ramadi"} & kept  # the map is framed on the data, not on a default

    pixels = mpimg.imread(io.BytesIO(png))[..., :3]
    map_area = pixels[150:900, 100:1500]  # inside the map frame, away from title and legend

    def share(colour: str) -> float:
        return float((np.abs(map_area - _rgb(colour)).max(axis=2) < 0.02).mean())

    assert share(image.LAND) > 0.2  # land is drawn, not a blank background
    assert share(image.SEA) > 0.01  # the Red Sea
    assert share("#5b5548") > 0.0005  # country borders


def test_empty_picture_shows_the_world_not_a_default_theatre():
    assert image.map_extent([]) == image.WORLD
