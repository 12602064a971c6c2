#!/usr/bin/env bash
# Refresh the vendored Leaflet (the map on which a merchant picks the shop's location) from the npm registry.
# Usage: scripts/refresh-vendor-leaflet.sh [version]   (default: the version pinned below)
set -euo pipefail
VERSION="${1:-1.9.4}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "leaflet@${VERSION}" --silent >/dev/null && tar xzf leaflet-*.tgz)
target="$here/static/vendor/leaflet"
rm -rf "$target"
mkdir -p "$target/images"
# Served as is; the source map is not shipped, so drop the line that points to it.
sed 's|^//# sourceMappingURL=.*$||' "$work/package/dist/leaflet.js" > "$target/leaflet.js"
cp "$work/package/dist/leaflet.css" "$target/leaflet.css"
cp "$work/package/dist/images/marker-icon.png" "$work/package/dist/images/marker-icon-2x.png" \
   "$work/package/dist/images/marker-shadow.png" "$target/images/"
cp "$work/package/LICENSE" "$target/LICENSE"
echo "$VERSION" > "$target/VERSION"
echo "Leaflet $VERSION vendored into static/vendor/leaflet"
