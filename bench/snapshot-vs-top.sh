#!/usr/bin/env bash
# The watcher's real /proc snapshot against `top -b -n 1`, CPU per snapshot, in the same run, at about 1,000 and
# 5,000 processes (sleeping processes are started to get there). Prints the medians of ROUNDS alternating rounds
# and the ratio. Usage: bench/snapshot-vs-top.sh [ROUNDS] [SNAPSHOTS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
N=${2:-40}
dotnet build bench/ClusterWatch.Benchmarks -c Release -v q -nologo >/dev/null
PROBE=bench/ClusterWatch.Benchmarks/bin/Release/net10.0/ClusterWatch.Benchmarks.dll
SLEEPERS=()
cleanup() { for p in "${SLEEPERS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for target in 1000 5000; do
  while [ "$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)" -lt "$target" ]; do sleep 3600 & SLEEPERS+=($!); done
  procs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
  cw=(); tp=()
  for r in $(seq "$ROUNDS"); do
    cw+=("$(dotnet "$PROBE" snapshot "$N" | sed -n 's/.*cpu_s_per_snapshot=\([0-9.]*\).*/\1/p')")
    tp+=("$(perl -e 'my $n = shift; for (1..$n) { system("top", "-b", "-n", "1", "-w", "512") == 0 or die } my @t = times; printf "%.6f\n", ($t[2] + $t[3]) / $n' "$N" 2>/dev/null | tail -1)")
  done
  alloc=$(dotnet "$PROBE" snapshot "$N" | sed -n 's/.*bytes_per_snapshot=\([0-9]*\).*/\1/p')
  m_cw=$(printf '%s\n' "${cw[@]}" | median); m_tp=$(printf '%s\n' "${tp[@]}" | median)
  printf 'processes=%s clusterwatch_cpu_s=%s top_cpu_s=%s ratio=%.3f bytes_alloc_per_snapshot=%s\n' \
    "$procs" "$m_cw" "$m_tp" "$(echo "$m_cw / $m_tp" | bc -l)" "$alloc"
done
