#!/usr/bin/env bash
# `clusterwatch import` of a top log end to end (dotnet start, parse, tracker, aggregator, SQLite store) against the
# sqlite3 command-line tool importing the very rows that import wrote (every table, same schema and pragmas, CSV
# .import), in the same run. Rows/s by wall clock and by CPU time (user+sys: fairer on a shared, loaded machine).
# Prints medians of ROUNDS and the ratios. Usage: bench/import-vs-sqlite3.sh [ROUNDS] [FRAMES] [PROCESSES_PER_FRAME]
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
TIMEFORMAT='%R %U %S'
cw=(); ref=(); cwc=(); refc=()
for r in $(seq "$ROUNDS"); do
  rm -f "$T"/cw.db* "$T"/ref.db*
  { time dotnet "$CW" import "$T/top.log" --node bench --date 2026-12-03 --cpus 2 --all-processes --db "$T/cw.db" > "$T/out.txt" ; } 2> "$T/t.txt"
  read -r wall user sys < "$T/t.txt"
  rows=0
  for t in $TABLES; do rows=$((rows + $(sqlite3 "$T/cw.db" "SELECT COUNT(*) FROM $t"))); done
  cw+=("$(echo "$rows / $wall" | bc -l | cut -d. -f1)"); cwc+=("$(echo "$rows / ($user + $sys)" | bc -l | cut -d. -f1)")
  sqlite3 "$T/cw.db" .schema | grep -v sqlite_sequence > "$T/schema.sql"
  sqlite3 "$T/ref.db" < "$T/schema.sql"
  for t in $TABLES; do sqlite3 -csv "$T/cw.db" "SELECT * FROM $t" > "$T/$t.csv"; done
  { echo "PRAGMA journal_mode=WAL;"; echo "PRAGMA synchronous=NORMAL;"; echo ".mode csv"
    for t in $TABLES; do echo ".import $T/$t.csv $t"; done; } > "$T/import.sql"
  { time sqlite3 "$T/ref.db" < "$T/import.sql" > /dev/null ; } 2> "$T/t.txt"
  read -r wall user sys < "$T/t.txt"
  for t in $TABLES; do [ "$(sqlite3 "$T/ref.db" "SELECT COUNT(*) FROM $t")" = "$(sqlite3 "$T/cw.db" "SELECT COUNT(*) FROM $t")" ] || { echo "sqlite3 did not import $t"; exit 1; }; done
  ref+=("$(echo "$rows / $wall" | bc -l | cut -d. -f1)"); refc+=("$(echo "$rows / ($user + $sys)" | bc -l | cut -d. -f1)")
done
m() { printf '%s\n' "$@" | median; }
printf 'log=%s frames x %s processes (%s bytes) rows=%s\n' "$F" "$P" "$(stat -c %s "$T/top.log")" "$rows"
printf 'wall: clusterwatch_import_rows_per_s=%s sqlite3_import_rows_per_s=%s ratio=%.2f\n' "$(m "${cw[@]}")" "$(m "${ref[@]}")" "$(echo "$(m "${cw[@]}") / $(m "${ref[@]}")" | bc -l)"
printf 'cpu:  clusterwatch_import_rows_per_s=%s sqlite3_import_rows_per_s=%s ratio=%.2f\n' "$(m "${cwc[@]}")" "$(m "${refc[@]}")" "$(echo "$(m "${cwc[@]}") / $(m "${refc[@]}")" | bc -l)"
