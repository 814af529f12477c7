"""From a source checkout, `streamlit run app.py` serves the site of `controlmap serve`.

The site itself ships inside the package (src/controlmap/web) so that an installed wheel has it;
this file runs it afresh on every rerun, as Streamlit expects of a script. `static` and
`.streamlit` beside it are links to the package's own, so Leaflet is served locally either way.
"""

import runpy

runpy.run_module("controlmap.web.app", run_name="__main__")
