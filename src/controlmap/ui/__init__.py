"""Streamlit glue shared by the pages: cached handles and cached results keyed on inputs."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from controlmap import dataset
from controlmap.model import ActorRegistry, Claim
from controlmap.resolve import Piece, Resolver, change_dates
from controlmap.store import Store, default_url


@st.cache_resource(show_spinner="Opening the database ...")
def store(url: str | None = None) -> Store:
    """One Store per URL and process; created and filled with the demo data on first start."""
    s = Store(url or default_url())
    if not s.is_initialised():
        dataset.init_store(s)
    return s


@st.cache_resource(max_entries=4, show_spinner="Loading claims ...")
def claims(url: str, data_version: int) -> list[Claim]:
    return store(url).claims()


@st.cache_resource(max_entries=4)
def registry(url: str, data_version: int) -> ActorRegistry:
    return store(url).actors()


@st.cache_resource(max_entries=4)
def dates(url: str, data_version: int) -> list[dt.date]:
    return change_dates(claims(url, data_version))


@st.cache_resource(max_entries=4, show_spinner=False)
def resolver(url: str, data_version: int, include_claimed: bool) -> Resolver:
    return Resolver(claims(url, data_version), include_claimed=include_claimed, checkpoint_every=50)


@st.cache_resource(max_entries=256, show_spinner="Resolving control at this date ...")
def resolved(url: str, data_version: int, day: dt.date, include_claimed: bool) -> list[Piece]:
    """Resolution is the costly step: cached per (data version, date, evidence filter)."""
    return resolver(url, data_version, include_claimed).at(day)
