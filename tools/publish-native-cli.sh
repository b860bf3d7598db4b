#!/usr/bin/env bash
# Publishes the samsa client tools as one Native AOT binary into artifacts/samsa-native/samsa,
# which bin/samsa then runs for those tools. Needs clang and zlib1g-dev (tools/install-test-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/artifacts/samsa-native"
rid="linux-$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')"
dotnet publish "$root/src/Samsa.Cli.Native/Samsa.Cli.Native.csproj" -c Release -r "$rid" -o "$out" -nologo -v quiet
rm -f "$out"/*.dbg "$out"/*.pdb
echo "$out/samsa"
