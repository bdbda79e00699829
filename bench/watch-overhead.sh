#!/usr/bin/env bash
# What the watcher itself costs while watching this machine at the default 5 s: CPU in % of one core (utime+stime
# of the watcher over the measured period, after a warm-up) and resident memory (VmRSS, peak VmHWM).
# Usage: bench/watch-overhead.sh [MEASURE_SECONDS] [WARMUP_SECONDS] [extra watch flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
MEASURE=${1:-180}; WARMUP=${2:-30}; shift 2 || true
dotnet build src/ClusterWatch -c Release -v q -nologo >/dev/null
T=$(mktemp -d)
dotnet src/ClusterWatch/bin/Release/net10.0/clusterwatch.dll watch --db "$T/cw.db" "$@" >"$T/out.txt" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
sleep "$WARMUP"
c0=$(cpu); t0=$(date +%s.%N)
sleep "$MEASURE"
c1=$(cpu); t1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status"); hwm=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
procs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
printf 'processes=%s measured_s=%.0f cpu_pct_of_one_core=%.3f rss_mib=%.1f peak_rss_mib=%.1f\n' "$procs" \
  "$(echo "$t1 - $t0" | bc -l)" "$(echo "($c1 - $c0) / $TCK / ($t1 - $t0) * 100" | bc -l)" \
  "$(echo "$rss / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
