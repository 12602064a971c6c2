#!/usr/bin/env bash
# Refresh the vendored Chart.js (the dashboard's sales chart) from the npm registry.
# Usage: scripts/refresh-vendor-chartjs.sh [version]   (default: the version pinned below)
set -euo pipefail
VERSION="${1:-4.6.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "chart.js@${VERSION}" --silent >/dev/null && tar xzf chart.js-*.tgz)
target="$here/static/vendor/chart.js"
mkdir -p "$target"
# Served as is; the source map is not shipped, so drop the line that points to it.
sed 's|^//# sourceMappingURL=.*$||' "$work/package/dist/chart.umd.min.js" > "$target/chart.umd.min.js"
cp "$work/package/LICENSE.md" "$target/LICENSE.md"
echo "$VERSION" > "$target/VERSION"
echo "Chart.js $VERSION vendored into static/vendor/chart.js"
