"""The Streamlit site: ``app.py`` (pages and navigation), its ``.streamlit/config.toml``, and
``static/`` (Leaflet fetched from the npm registry, basemap files published at start), which
Streamlit serves because it lies next to the script. All three are installed with the package,
so ``controlmap serve`` runs the same site from a checkout or a wheel, from any directory."""
