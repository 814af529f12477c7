"""controlmap's Streamlit app: page setup and navigation only; pages live in controlmap.ui."""

import streamlit as st

from controlmap.ui import map_page

st.set_page_config(page_title="controlmap", page_icon="🗺️", layout="wide")
st.navigation([st.Page(map_page.render, title="Map", url_path="map", default=True)]).run()
