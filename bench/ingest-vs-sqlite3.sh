#!/usr/bin/env bash
# process_samples ingest through the watcher's own write path against the sqlite3 command-line tool importing the
# same rows in one transaction, same run. Ours, two ways (IngestProbe): through the spool as `watch` does (samples
# waiting together share a transaction: a backlog, or many nodes per tick), and one transaction per node sample.
# Usage: bench/ingest-vs-sqlite3.sh [ROUNDS] [SAMPLES] [PROCESSES_PER_SAMPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}; S=${2:-200}; P=${3:-500}
command -v sqlite3 >/dev/null || { apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends sqlite3 >/dev/null; }
dotnet build bench/ClusterWatch.Benchmarks -c Release -v q -nologo >/dev/null
PROBE=bench/ClusterWatch.Benchmarks/bin/Release/net10.0/ClusterWatch.Benchmarks.dll
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cw=(); single=(); ref=()
for r in $(seq "$ROUNDS"); do
  rm -f "$T"/cw.db* "$T"/ref.db*
  out=$(dotnet "$PROBE" ingest "$T/cw.db" "$T/rows.csv" "$S" "$P")
  cw+=("$(sed -n 's/.* rows_per_s=\([0-9]*\).*/\1/p' <<<"$out")")
  single+=("$(sed -n 's/.*single_rows_per_s=\([0-9]*\).*/\1/p' <<<"$out")")
  # The reference gets the same schema (indexes included) and the same pragmas, then imports in one transaction.
  sqlite3 "$T/cw.db" .schema > "$T/schema.sql"
  sqlite3 "$T/ref.db" < "$T/schema.sql"
  rows=$(wc -l < "$T/rows.csv")
  start=$(date +%s.%N)
  sqlite3 "$T/ref.db" "PRAGMA journal_mode=WAL;" "PRAGMA synchronous=NORMAL;" ".mode csv" ".import $T/rows.csv process_samples" >/dev/null
  end=$(date +%s.%N)
  ref+=("$(echo "$rows / ($end - $start)" | bc -l | cut -d. -f1)")
  echo "round $r: spool path ${cw[-1]} rows/s, one transaction per sample ${single[-1]} rows/s, sqlite3 .import ${ref[-1]} rows/s" >&2
done
m_cw=$(printf '%s\n' "${cw[@]}" | median); m_single=$(printf '%s\n' "${single[@]}" | median); m_ref=$(printf '%s\n' "${ref[@]}" | median)
printf 'rows_per_round=%s clusterwatch_rows_per_s=%s sqlite3_import_rows_per_s=%s ratio=%.2f single_transaction_per_sample_rows_per_s=%s single_ratio=%.2f\n' \
  "$((S*P))" "$m_cw" "$m_ref" "$(echo "$m_cw / $m_ref" | bc -l)" "$m_single" "$(echo "$m_single / $m_ref" | bc -l)"
