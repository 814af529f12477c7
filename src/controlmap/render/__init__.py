"""Drawing: folium layers, popups, legend, styles, and the server-side picture."""
