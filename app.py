"""controlmap's Streamlit app: page setup and navigation only; pages live in controlmap.ui."""

import streamlit as st

from controlmap.ui import contribute_page, map_page, review_page

st.set_page_config(page_title="controlmap", page_icon="🗺️", layout="wide")
st.navigation(
    [
        st.Page(map_page.render, title="Map", url_path="map", default=True),
        st.Page(contribute_page.render, title="Contribute", url_path="contribute"),
        st.Page(review_page.render, title="Review", url_path="review"),
    ]
).run()
