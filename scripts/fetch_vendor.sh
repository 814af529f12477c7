#!/usr/bin/env bash
# Fetch the browser libraries the map needs from the npm registry into src/controlmap/web/static/vendor/ (git-ignored),
# so the app requests nothing from outside the machine. Needs npm (Node.js) and tar.
set -euo pipefail
dest=${1:-src/controlmap/web/static/vendor}
packages=("leaflet@1.9.3" "leaflet-draw@1.0.4")

command -v npm >/dev/null || { echo "fetch_vendor: npm is required (apt-get install -y npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "${packages[@]}" >/dev/null)
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
for spec in "${packages[@]}"; do
  name=${spec%@*}
  tgz=$(ls "$work"/"$name"-[0-9]*.tgz)
  mkdir -p "$work/$name" "$dest.tmp/$name"
  tar -xzf "$tgz" -C "$work/$name"
  cp -R "$work/$name/package/dist/." "$dest.tmp/$name/"
  cp "$work/$name"/package/*LICENSE* "$dest.tmp/$name/" 2>/dev/null || true
  # Source maps, unminified copies and ES modules are not served: only what the page loads.
  find "$dest.tmp/$name" \( -name '*.map' -o -name '*-src*' -o -name '*.esm.js' \) -delete
done
echo "${packages[*]}" > "$dest.tmp/VERSIONS"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "fetch_vendor: ${packages[*]} -> $dest ($(du -sh "$dest" | cut -f1))" >&2
