#!/usr/bin/env bash
# Measures broker start: runs `bin/samsa server-start` N times (default 10) in a fresh empty working
# directory (data in ./data, formatted on the start) on free local ports and reports, per start:
# the wall time from launching bin/samsa until `kcat -L` has answered (port polled every 5 ms, then
# one kcat -L), the "ready in N ms" the node prints (measured from process start), the CPU time the
# process used until kcat answered, and the resident memory after 2 s idle.
# Usage: tools/measure-start.sh [runs] [path/to/samsa.dll or a native samsa]   (default: bin/samsa, built first if stale)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-10}
dll=${2:-}
if [ -z "$dll" ]; then
  bin/samsa storage random-uuid >/dev/null   # builds the samsa command when stale, so no run includes a build
  cmd=("$root/bin/samsa")
else
  case "$dll" in *.dll) cmd=(dotnet "$(realpath "$dll")") ;; *) cmd=("$(realpath "$dll")") ;; esac
fi
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ticks=$(getconf CLK_TCK)
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d)
  p=$(free_port); c=$(free_port); h=$(free_port)
  t0=$(date +%s%N)
  (cd "$dir" && exec "${cmd[@]}" server-start --override "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c" \
    --override "controller.quorum.voters=1@127.0.0.1:$c" --override "http.listeners=http://127.0.0.1:$h" >"$dir/out.txt" 2>&1) &
  pid=$!
  for _ in $(seq 1 6000); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.005; done
  kcat -L -b "127.0.0.1:$p" -m 10 >"$dir/kcat.txt" 2>&1 || true
  t1=$(date +%s%N)
  grep -q "1 brokers" "$dir/kcat.txt" || { echo "run $i: kcat -L did not list the broker"; cat "$dir/kcat.txt"; }
  cpu=$(awk -v t="$ticks" '{printf "%d", ($14+$15)*1000/t}' "/proc/$pid/stat")
  ready=$(grep -o "ready in [0-9]* ms" "$dir/out.txt" | grep -o "[0-9]*")
  sleep 2
  rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $i: kcat -L answered $(( (t1 - t0) / 1000000 )) ms after launch, ready in ${ready} ms, CPU until then ${cpu} ms, idle RSS ${rss} MB"
  rm -rf "$dir"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
