"""Counts shown to users agree with their noun."""

from controlmap.render.layers import age_phrase
from controlmap.words import counted


def test_counted_nouns_agree_with_their_number():
    assert counted(1, "area") == "1 area"
    assert counted(0, "area") == "0 areas"
    assert counted(1204, "claim") == "1,204 claims"
    assert counted(2, "city", "cities") == "2 cities"
    assert age_phrase(1) == "1 day old"
    assert age_phrase(5) == "5 days old"
