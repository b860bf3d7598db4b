#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotently), builds, runs every test
# project, and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

bash tools/install-test-deps.sh || { echo "installing test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! dotnet build Samsa.slnx -c Release -nologo -v minimal; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

# Tests that start samsa as a process run the command users get from bin/samsa: its Native AOT
# build, or (where that cannot be built) the samsa.dll the solution build above made.
if bin/samsa storage random-uuid >/dev/null && [ -x "$root/artifacts/samsa-aot/samsa" ]; then
  export SAMSA_CLI="$root/artifacts/samsa-aot/samsa"
  echo "samsa processes: the Native AOT build (artifacts/samsa-aot/samsa)"
else
  echo "samsa processes: the managed build (src/Samsa.Cli/bin/Release/net10.0/samsa.dll)"
fi

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  # Shared test helpers (tests/Samsa.TestSupport) are libraries, not test projects.
  grep -q "Microsoft.NET.Test.Sdk" "$proj" || continue
  echo "== $name"
  out="$results/$name.txt"
  dotnet test "$proj" -c Release --no-build --nologo --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m 2>&1 | tee "$out" | grep -E "^\s*(Failed|Skipped) |Passed!|Failed!|error" || true
  # The normal-verbosity console logger ends with "Total tests: N" then "Passed: N",
  # "Failed: N", "Skipped: N" lines (absent counts are zero).
  if ! grep -qE "^Test Run (Successful|Failed|Aborted)" "$out" || ! grep -qE "^\s*Total tests: [0-9]+" "$out"; then
    echo "$name: no test summary (crash or hang?)"; failed=$((failed + 1)); status=1; continue
  fi
  count() { grep -E "^\s*$1: +[0-9]+" "$out" | tail -n 1 | sed -E 's/[^0-9]*([0-9]+).*/\1/'; }
  p=$(count Passed); f=$(count Failed); s=$(count Skipped)
  p=${p:-0}; f=${f:-0}; s=${s:-0}
  grep -qE "^Test Run (Failed|Aborted)" "$out" && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [ "$f" -eq 0 ] || status=1
done
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
