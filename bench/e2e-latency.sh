#!/usr/bin/env bash
# End-to-end latency at fixed rates, Samsa.Client and Confluent.Kafka against the same fresh broker:
# per round and per build, a broker from that build (fresh data dir, default config, free ports),
# then `samsa perf e2e` of that build and the Confluent.Kafka e2e load at each rate, acks=all, 1 KiB
# records, one partition. Builds alternate within a round, so builds compare within one run only
# (the machine is shared: compare figures of one run, never across runs).
# Usage: bench/e2e-latency.sh [-r ROUNDS] [-t "RATE ..."] [-s SECONDS] [BUILD ...]
#   BUILD = label=path/to/samsa.dll-or-native-samsa[,path/to/samsa-perf-confluent.dll]
#   (default: this tree's bin/samsa build and bench/Samsa.Perf.Confluent built from this tree)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=3; rates="1000 10000 40000"; seconds=4
while getopts "r:t:s:" o; do
  case $o in r) rounds=$OPTARG ;; t) rates=$OPTARG ;; s) seconds=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))

work=$(mktemp -d)
broker=""
cleanup() {
  [ -n "$broker" ] && { kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

dotnet build bench/Samsa.Perf.Confluent -c Release -nologo -v quiet -o "$work/confluent" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
if [ $# -eq 0 ]; then
  bin/samsa storage random-uuid >/dev/null   # builds the samsa command when stale
  if [ -x "$root/artifacts/samsa-aot/samsa" ]; then set -- "main=$root/artifacts/samsa-aot/samsa"
  else set -- "main=$root/artifacts/samsa/samsa.dll"; fi
fi

results=$work/results.txt
: >"$results"
for round in $(seq 1 "$rounds"); do
  for build in "$@"; do
    label=${build%%=*}; dlls=${build#*=}
    samsa_dll=${dlls%%,*}
    confluent_dll=$work/confluent/samsa-perf-confluent.dll
    [ "$dlls" != "$samsa_dll" ] && confluent_dll=${dlls#*,}
    case "$samsa_dll" in *.dll) samsa=(dotnet "$samsa_dll") ;; *) samsa=("$samsa_dll") ;; esac
    p=$(free_port); c=$(free_port); h=$(free_port)
    bootstrap="127.0.0.1:$p"
    rm -rf "$work/data"
    node=(src/Samsa.Cli/default-server.properties
      --override "listeners=PLAINTEXT://127.0.0.1:$p,CONTROLLER://127.0.0.1:$c"
      --override "controller.quorum.voters=1@127.0.0.1:$c" --override "http.listeners=http://127.0.0.1:$h"
      --override "log.dirs=$work/data")
    "${samsa[@]}" storage format -t "$("${samsa[@]}" storage random-uuid)" -c "${node[@]}" >"$work/format.log" 2>&1 \
      || { cat "$work/format.log" >&2; exit 1; }
    "${samsa[@]}" server-start "${node[@]}" >"$work/broker.log" 2>&1 &
    broker=$!
    for _ in $(seq 1 3000); do grep -q " ready in " "$work/broker.log" && break; kill -0 $broker 2>/dev/null || break; sleep 0.01; done
    grep -q " ready in " "$work/broker.log" || { cat "$work/broker.log" >&2; echo "the broker did not start" >&2; exit 1; }
    i=0
    for rate in $rates; do
      for client in samsa confluent; do
        i=$((i + 1)); topic="e2e-$client-$i"
        "${samsa[@]}" topics --create --topic "$topic" --partitions 1 --replication-factor 1 --bootstrap-server "$bootstrap" >/dev/null
        n=$((rate * seconds)); [ $n -lt 500 ] && n=500
        if [ $client = samsa ]; then load=("${samsa[@]}" perf e2e); else load=(dotnet "$confluent_dll" e2e); fi
        line=$("${load[@]}" --topic "$topic" --num-records $n --record-size 1024 --throughput "$rate" \
          --bootstrap-server "$bootstrap" --producer-props acks=all 2>"$work/load.err" | grep "records received," | tail -1 || true)
        p50=$(echo "$line" | grep -o '[0-9.]* ms 50th' | cut -d' ' -f1)
        p99=$(echo "$line" | grep -o '[0-9.]* ms 99th' | cut -d' ' -f1)
        max=$(echo "$line" | grep -o '[0-9.]* ms max' | cut -d' ' -f1)
        echo "round $round  $label  $client  $rate/s  p50 ${p50:-failed}  p99 ${p99:-failed}  max ${max:-failed} ms  (load $(cut -d' ' -f1 /proc/loadavg))" >&2
        echo "$label $client $rate ${p50:-nan} ${p99:-nan} ${max:-nan}" >>"$results"
      done
    done
    kill $broker; wait $broker 2>/dev/null || true; broker=""
  done
done

echo
echo "| build | client | rate (records/s) | p50 ms (min-max) | p99 ms (min-max) | max ms (min-max) |"
echo "|---|---|---:|---:|---:|---:|"
/usr/bin/python3 - "$results" <<'PY'
import sys
rows, order = {}, {}
for line in open(sys.argv[1]):
    label, client, rate, *values = line.split()
    order.setdefault(label, len(order))
    rows.setdefault((label, client, rate), []).append([float(v) for v in values])
def span(xs):
    xs = [x for x in xs if x == x]
    return "failed" if not xs else f"{min(xs):.2f}-{max(xs):.2f}" if len(xs) > 1 else f"{xs[0]:.2f}"
name = {"samsa": "Samsa.Client", "confluent": "Confluent.Kafka"}
for (label, client, rate), runs in sorted(rows.items(), key=lambda kv: (int(kv[0][2]), kv[0][1] != "samsa", order[kv[0][0]])):
    cols = list(zip(*runs))
    print(f"| {label} | {name[client]} | {int(rate):,} | {span(cols[0])} | {span(cols[1])} | {span(cols[2])} |")
PY
