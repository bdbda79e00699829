#!/usr/bin/env bash
# Dashboard speed over 7 days of a 20-node × 50-user cluster: generates the data set through the store (once; kept in
# $CW_BENCH_DIR, default /tmp/cw-dashboard-bench), serves it, and prints per view and range the API time of the calls
# the page makes and the time headless Chromium needs from navigation start until every chart is drawn.
# Usage: bench/dashboard.sh [PORT]      (PORT and PORT+1 must be free; default 18150)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-18150}
DIR=${CW_BENCH_DIR:-/tmp/cw-dashboard-bench}
CHROMIUM=${CW_TEST_CHROMIUM:-/usr/bin/chromium}
mkdir -p "$DIR"
dotnet build bench/ClusterWatch.Benchmarks -c Release -v q -nologo >/dev/null
PROBE=bench/ClusterWatch.Benchmarks/bin/Release/net10.0/ClusterWatch.Benchmarks.dll
if [ ! -f "$DIR/dash.db" ]; then
  dotnet "$PROBE" dashboard gen "$DIR/dash.db.tmp"
  for f in "$DIR"/dash.db.tmp*; do mv "$f" "${f/dash.db.tmp/dash.db}"; done
fi
dotnet "$PROBE" dashboard measure "$DIR/dash.db" "$PORT" "$CHROMIUM"
echo "screenshots over 7 days: $DIR/dashboard-7d.png (cluster), $DIR/dashboard-user-7d.png (user)"
