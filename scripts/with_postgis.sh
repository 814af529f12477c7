#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL + PostGIS cluster on a free local port.
#
#   scripts/with_postgis.sh .venv/bin/python -m pytest --backend postgis
#
# Installs Debian's postgresql-15 and postgresql-15-postgis-3 when they are missing (as root,
# or through sudo), starts a cluster in a temporary folder bound to 127.0.0.1 only, exports
# CONTROLMAP_TEST_PG (a superuser URL: the tests make their own databases and role), runs the
# command, and stops the cluster and removes its folder whatever the command's outcome.
set -euo pipefail

PG_VERSION=15
BIN=/usr/lib/postgresql/$PG_VERSION/bin
PACKAGES=(postgresql-$PG_VERSION postgresql-$PG_VERSION-postgis-3)

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "with_postgis: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "with_postgis: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The server refuses to run as root: as root the cluster belongs to the postgres user.
if [ "$(id -u)" = 0 ]; then RUN=(runuser -u postgres --); else RUN=(); fi
DIR=$(mktemp -d /tmp/controlmap-pg.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
SUPERUSER=$([ "$(id -u)" = 0 ] && echo postgres || id -un)

stop() {
    "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap stop EXIT

"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U "$SUPERUSER" --no-sync >/dev/null
for attempt in 1 2 3; do
    PORT=$(free_port)
    if "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o \
        "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        break
    fi
    [ "$attempt" = 3 ] && { cat "$DIR/server.log" >&2; exit 1; }
done
echo "with_postgis: PostgreSQL $PG_VERSION + PostGIS on 127.0.0.1:$PORT" >&2

export CONTROLMAP_TEST_PG="postgresql+psycopg://$SUPERUSER@127.0.0.1:$PORT/postgres"
"$@"
