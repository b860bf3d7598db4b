#!/usr/bin/env bash
# Measures broker start-to-ready and idle memory: starts `samsa server-start` N times (default 10)
# on free local ports with a fresh data directory, reads the "ready in N ms" the node prints
# (measured from process start), the CPU time used until then and the resident memory after 2 s idle.
# Usage: tools/measure-start.sh [runs] [path/to/samsa.dll]   (default: the bin/samsa build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
dll=${2:-}
if [ -z "$dll" ]; then
  bin/samsa storage random-uuid >/dev/null   # builds artifacts/samsa when stale
  dll="$PWD/artifacts/samsa/samsa.dll"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks=$(getconf CLK_TCK)
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d)
  p=$(free_port); c=$(free_port); h=$(free_port)
  dotnet "$dll" server-start --override "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c" \
    --override "controller.quorum.voters=1@127.0.0.1:$c" --override "http.listeners=http://127.0.0.1:$h" \
    --override "log.dirs=$dir/data" >"$dir/out.txt" 2>&1 &
  pid=$!
  for _ in $(seq 1 1000); do grep -q " ready in " "$dir/out.txt" && break; sleep 0.01; done
  cpu=$(awk -v t="$ticks" '{printf "%d", ($14+$15)*1000/t}' "/proc/$pid/stat")
  ready=$(grep -o "ready in [0-9]* ms" "$dir/out.txt" | grep -o "[0-9]*")
  sleep 2
  rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $i: ready in ${ready} ms, CPU to ready ${cpu} ms, idle RSS ${rss} MB"
  rm -rf "$dir"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
