#!/usr/bin/env bash
# `clusterwatch import` of a top log end to end (parse, tracker, aggregator, SQLite store; dotnet start included)
# against the sqlite3 command-line tool importing the very rows that import wrote (every table, same schema and
# pragmas, one transaction per table), in the same run. Prints medians of ROUNDS and the ratio.
# Usage: bench/import-vs-sqlite3.sh [ROUNDS] [FRAMES] [PROCESSES_PER_FRAME]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; F=${2:-600}; P=${3:-300}
command -v sqlite3 >/dev/null || { apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends sqlite3 >/dev/null; }
dotnet build bench/ClusterWatch.Benchmarks -c Release -v q -nologo >/dev/null
dotnet build src/ClusterWatch -c Release -v q -nologo >/dev/null
PROBE=bench/ClusterWatch.Benchmarks/bin/Release/net10.0/ClusterWatch.Benchmarks.dll
CW=src/ClusterWatch/bin/Release/net10.0/clusterwatch.dll
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
dotnet "$PROBE" toplog "$T/top.log" "$F" "$P"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
TABLES="samples user_samples process_samples windows history"
cw=(); ref=()
for r in $(seq "$ROUNDS"); do
  rm -f "$T"/cw.db* "$T"/ref.db*
  start=$(date +%s.%N)
  dotnet "$CW" import "$T/top.log" --node bench --date 2026-12-03 --cpus 2 --all-processes --db "$T/cw.db" > "$T/out.txt"
  end=$(date +%s.%N)
  rows=0
  for t in $TABLES; do rows=$((rows + $(sqlite3 "$T/cw.db" "SELECT COUNT(*) FROM $t"))); done
  cw+=("$(echo "$rows / ($end - $start)" | bc -l | cut -d. -f1)")
  sqlite3 "$T/cw.db" .schema | grep -v sqlite_sequence > "$T/schema.sql"
  sqlite3 "$T/ref.db" < "$T/schema.sql"
  for t in $TABLES; do sqlite3 -csv "$T/cw.db" "SELECT * FROM $t" > "$T/$t.csv"; done
  start=$(date +%s.%N)
  sqlite3 "$T/ref.db" "PRAGMA journal_mode=WAL;" "PRAGMA synchronous=NORMAL;" ".mode csv" \
    $(for t in $TABLES; do echo ".import $T/$t.csv $t"; done) >/dev/null
  end=$(date +%s.%N)
  ref+=("$(echo "$rows / ($end - $start)" | bc -l | cut -d. -f1)")
done
m_cw=$(printf '%s\n' "${cw[@]}" | median); m_ref=$(printf '%s\n' "${ref[@]}" | median)
printf 'log=%s frames x %s processes (%s bytes) rows=%s clusterwatch_import_rows_per_s=%s sqlite3_import_rows_per_s=%s ratio=%.2f\n' \
  "$F" "$P" "$(stat -c %s "$T/top.log")" "$rows" "$m_cw" "$m_ref" "$(echo "$m_cw / $m_ref" | bc -l)"
