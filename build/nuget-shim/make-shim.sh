#!/usr/bin/env bash
# Packs each shim nuspec here into build/local-feed (a .nupkg is a zip of the nuspec and
# [Content_Types].xml). Why the shims exist: docs/adr/0001-nuget-shim.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
feed="$here/../local-feed"
mkdir -p "$feed"
for spec in "$here"/*.nuspec; do
  id=$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$spec"); ver=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$spec")
  out="$feed/$(echo "$id" | tr 'A-Z' 'a-z').$ver.nupkg"
  [ -f "$out" ] && [ "$out" -nt "$spec" ] && continue
  tmp=$(mktemp -d)
  cp "$spec" "$tmp/$id.nuspec"
  printf '%s' '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="xml" ContentType="application/octet" /></Types>' > "$tmp/[Content_Types].xml"
  (cd "$tmp" && python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2]); z.write('[Content_Types].xml'); z.close()" "$out" "$id.nuspec")
  rm -rf "$tmp"
  # a cached copy of an older build of the same shim would shadow the new one
  rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$(echo "$id" | tr 'A-Z' 'a-z')/$ver"
done
