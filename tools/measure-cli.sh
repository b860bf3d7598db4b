#!/usr/bin/env bash
# Wall time of `bin/kafka-topics.sh --list` against a running Samsa node, with bin/samsa's Native AOT
# build (or the tools-only one, artifacts/samsa-native/samsa) and with the JIT build
# (artifacts/samsa/samsa.dll), next to
# `kcat -L` in the same run. Each is run N times (default 20) after one warm-up; prints mean and min.
# Usage: tools/measure-cli.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
[ -x artifacts/samsa-native/samsa ] || tools/publish-native-cli.sh >/dev/null
SAMSA_JIT=1 bin/samsa storage random-uuid >/dev/null   # builds the managed artifacts/samsa when stale
dll="$PWD/artifacts/samsa/samsa.dll"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
dir=$(mktemp -d)
p=$(free_port); c=$(free_port); h=$(free_port)
dotnet "$dll" server-start --override "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c" \
  --override "controller.quorum.voters=1@127.0.0.1:$c" --override "http.listeners=http://127.0.0.1:$h" \
  --override "log.dirs=$dir/data" >"$dir/out.txt" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 3000); do grep -q " ready in " "$dir/out.txt" && break; sleep 0.01; done
bs="127.0.0.1:$p"
bin/kafka-topics.sh --bootstrap-server "$bs" --create --topic measured --partitions 3 --if-not-exists >/dev/null

measure() { # name, command...
  local name=$1; shift
  "$@" >/dev/null 2>&1 || { echo "$name: failed: $*"; "$@" || true; return; }
  local total=0 min=999999999
  for _ in $(seq 1 "$runs"); do
    local t0 t1 ms
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000 ))
    total=$((total + ms)); [ "$ms" -lt "$min" ] && min=$ms
  done
  awk -v n="$name" -v t="$total" -v r="$runs" -v m="$min" 'BEGIN { printf "%-52s mean %6.1f ms   min %6.1f ms   (%d runs)\n", n, t / r / 1000, m / 1000, r }' 
}
measure "bin/kafka-topics.sh --list (Native AOT)" bin/kafka-topics.sh --bootstrap-server "$bs" --list
measure "bin/kafka-topics.sh --list (JIT, dotnet samsa.dll)" env SAMSA_CLI="$dll" bin/kafka-topics.sh --bootstrap-server "$bs" --list
measure "kcat -L" kcat -b "$bs" -L
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
