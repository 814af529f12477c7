"""controlmap's Streamlit app: page setup and navigation only; pages live in controlmap.ui."""

import streamlit as st

from controlmap.ui import accounts_page, compare_page, contribute_page, map_page, review_page

# Presentation mode (?present=1): no sidebar, no page list, for slides and wall displays.
present = st.query_params.get("present") == "1"
st.set_page_config(
    page_title="controlmap",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "auto",
)
st.navigation(
    [
        st.Page(map_page.render, title="Map", url_path="map", default=True),
        st.Page(compare_page.render, title="Compare dates", url_path="compare"),
        st.Page(compare_page.render_trends, title="Area over time", url_path="trends"),
        st.Page(contribute_page.render, title="Contribute", url_path="contribute"),
        st.Page(review_page.render, title="Review", url_path="review"),
        st.Page(accounts_page.render, title="Accounts", url_path="accounts"),
    ],
    position="hidden" if present else "sidebar",
).run()
