#!/usr/bin/env bash
# The SSH fan-out target, measured: NODES sshd nodes (each its own PID namespace holding PROCS idle processes) watched
# by ONE `clusterwatch watch` (Release, proc source over SSH, the default 5 s) — its CPU in % of one core (utime+stime
# of the watcher process from /proc/PID/stat over MEASURE seconds, after WARMUP seconds), its resident memory, and
# the samples each node got in the measured period (a missed sample is a tick with no row).
#
# Needs the test servers: `setsid nohup env CW_TEST_SERVERS_ONLY=1 ./test.sh > /tmp/servers.log 2>&1 &` first.
# Usage: [CW_BIN=DIR] bench/ssh-fanout.sh [NODES=50] [PROCS=300] [MEASURE=120] [WARMUP=60] [extra watch flags…]
# Every node it starts is stopped and forgotten at the end (sshd-ctl stop, forget: its port is free again), also on
# failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-50}; PROCS=${2:-300}; MEASURE=${3:-120}; WARMUP=${4:-60}; shift 4 2>/dev/null || shift $#
[ -f .test-run/env.txt ] || { echo "no .test-run/env.txt: start the test servers first (see above)" >&2; exit 2; }
set -a; . .test-run/env.txt; set +a
S=$CW_TEST_SSH_DIR; CTL=$CW_TEST_SSH_CTL
# PROCS idle processes per node are real processes of this machine: leave room for everything else.
have=$(ps -e --no-headers | wc -l); max=$(cat /proc/sys/kernel/pid_max)
need=$((NODES * (PROCS + 5)))
[ $((have + need + 8000)) -lt "$max" ] || { echo "$need more processes would leave under 8000 of pid_max $max ($have running)" >&2; exit 2; }

# CW_BIN: another build's folder (e.g. an older commit's, to compare); default: this tree's Release build.
BIN=${CW_BIN:-src/ClusterWatch/bin/Release/net10.0}
[ -n "${CW_BIN:-}" ] || dotnet build src/ClusterWatch -c Release -v q -nologo >/dev/null
T=$(mktemp -d)
names=()
cleanup() {
  [ -n "${PID:-}" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  for n in "${names[@]}"; do "$CTL" stop "$n" >/dev/null 2>&1 || true; "$CTL" forget "$n" >/dev/null 2>&1 || true; done
  rm -rf "$T"
}
trap cleanup EXIT

echo "starting $NODES nodes x $PROCS processes…"
nodes_json=""
for i in $(seq -w 1 "$NODES"); do
  n="fo$i"; names+=("$n")
  "$CTL" start "$n" --procs "$PROCS" >/dev/null
  read -r host port < <(awk -F'\t' -v n="$n" '$1==n{print $2, $3}' "$S/nodes.tsv")
  nodes_json+="${nodes_json:+,}{\"Name\":\"$n\",\"Host\":\"$host\",\"Port\":$port}"
done
cat >"$T/cw.json" <<JSON
{ "NodeDefaults": { "User": "cwnode", "KeyFile": "$S/client_key", "KnownHosts": "$S/known_hosts", "SshConfig": "$T/none" },
  "Nodes": [ $nodes_json ] }
JSON

dotnet "$BIN/clusterwatch.dll" watch --config "$T/cw.json" --db "$T/cw.db" --no-web \
  --sample 5s "$@" >"$T/out.txt" 2>&1 &
PID=$!
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
sleep "$WARMUP"
kill -0 "$PID" || { echo "the watcher ended:" >&2; cat "$T/out.txt" >&2; exit 1; }
c0=$(cpu); t0=$(date +%s.%N); l0=$(cut -d' ' -f1-3 /proc/loadavg)
sleep "$MEASURE"
c1=$(cpu); t1=$(date +%s.%N); l1=$(cut -d' ' -f1-3 /proc/loadavg)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
threads=$(awk '/Threads/ {print $2}' "/proc/$PID/status")
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

# Samples per node with a tick inside the measured period, against the ticks that period holds (the last 5 s
# left out: a tick's row is written after its take).
from=$(printf '%.0f' "$(echo "$t0 + 0.5" | bc -l)"); to=$(printf '%.0f' "$(echo "$t1 - 5.5" | bc -l)")
ticks=$(( (to / 5) - ((from + 4) / 5) + 1 ))
summary=$(sqlite3 "$T/cw.db" "SELECT COUNT(*), MIN(c), MAX(c), AVG(p) FROM (SELECT node_name, COUNT(*) c, AVG(process_count) p FROM samples WHERE ts >= $from AND ts <= $to GROUP BY node_name)")
IFS='|' read -r got min maxs avgp <<<"$summary"
cores=$(echo "($c1 - $c0) / $TCK / ($t1 - $t0) * 100" | bc -l)
node_samples=$(sqlite3 "$T/cw.db" "SELECT COUNT(*) FROM samples WHERE ts >= $from AND ts <= $to")
printf 'nodes=%s procs_per_node=%.0f measured_s=%.0f watcher_cpu_pct_of_one_core=%.2f cpu_ms_per_node_sample=%.2f rss_mib=%.0f threads=%s\n' \
  "$NODES" "$avgp" "$(echo "$t1 - $t0" | bc -l)" "$cores" \
  "$(echo "($c1 - $c0) * 1000 / $TCK / ($NODES * ($t1 - $t0) / 5)" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$threads"
printf 'ticks_in_period=%s nodes_with_samples=%s samples_per_node_min=%s max=%s missed=%s loadavg_start=%s loadavg_end=%s\n' \
  "$ticks" "$got" "$min" "$maxs" "$((ticks * NODES - node_samples))" "$l0" "$l1"
grep -iE "problem|error|down" "$T/out.txt" | head -5 || true
