#!/usr/bin/env bash
# Packs the .NET SDK's own System.IO.Hashing.dll into a one-package NuGet feed at <repo>/.local-feed.
# Why: Azure.Storage.Blobs needs System.IO.Hashing, which the registry here does not serve; nuget.config maps
# that one id to this folder, so on a machine with the full registry nothing else changes. Idempotent.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
feed="$repo/.local-feed"
version=10.0.0
nupkg="$feed/system.io.hashing.$version.nupkg"

[ -f "$nupkg" ] && exit 0

dotnet_bin=$(readlink -f "$(command -v dotnet)")
dll=$(ls -1 "$(dirname "$dotnet_bin")"/sdk/*/Sdks/Microsoft.NET.Sdk/tools/net10.0/System.IO.Hashing.dll 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$dll" ]; then
    echo "local-feed: System.IO.Hashing.dll not found in the .NET SDK next to $dotnet_bin" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib/net8.0" "$feed"
cp "$dll" "$work/lib/net8.0/"
cat > "$work/System.IO.Hashing.nuspec" <<NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>System.IO.Hashing</id>
    <version>$version</version>
    <authors>Microsoft</authors>
    <description>System.IO.Hashing as shipped inside the .NET SDK, repacked locally for restore.</description>
  </metadata>
</package>
NUSPEC
(cd "$work" && python3 - "$nupkg.tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.write("System.IO.Hashing.nuspec")
    z.write("lib/net8.0/System.IO.Hashing.dll")
PY
)
mv "$nupkg.tmp" "$nupkg"
echo "local-feed: packed $(basename "$nupkg") from $dll"
