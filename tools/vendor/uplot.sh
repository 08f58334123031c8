#!/usr/bin/env bash
# Vendors uPlot (MIT, https://github.com/leeoniya/uPlot) into the descent tool's resources, for the live
# view of `descent board` (served from the tool itself, so the page works offline).
# Files: dist/uPlot.iife.min.js (~51 KB), dist/uPlot.min.css (~2 KB) and the LICENSE.
set -euo pipefail
version=${1:-1.6.32}
here=$(cd "$(dirname "$0")/../.." && pwd)
dest=$here/src/Descent.Cli/Board/Assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$dest/"
cp "$tmp/package/LICENSE" "$dest/uPlot.LICENSE"
echo "uPlot $version vendored into $dest"
