# controlmap for a team: the wheel is built in a first stage (npm fetches the browser assets
# into it, see setup.py), then installed with its dependencies in a slim image.
# Not built on the project's development machine (no Docker daemon there): see the README.
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
# psycopg: the driver of postgresql+psycopg:// URLs (compose.yaml runs PostGIS).
RUN pip install --no-cache-dir /wheels/controlmap-*.whl "psycopg[binary]>=3.1" \
    && rm -rf /wheels \
    # The basemap files are published next to the app once, here, while the package folder
    # is still writable: the app runs as an unprivileged user.
    && python -c "from controlmap.render import basemap_data, vendor; basemap_data.publish(vendor.STATIC_DIR)" \
    && useradd --create-home --uid 10001 controlmap
USER controlmap
WORKDIR /home/controlmap
ENV CONTROLMAP_DATA_DIR=/home/controlmap/data \
    CONTROLMAP_USERS=/home/controlmap/data/users.json
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["controlmap", "serve", "--port", "8501", "--address", "0.0.0.0"]
