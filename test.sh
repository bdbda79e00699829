#!/usr/bin/env bash
# Runs every test of ClusterWatch on this machine: installs what is missing, starts the real servers the
# integration tests need (each fragment in tests/setup/), runs the unit and integration tests, prints
# "N passed, N failed, N skipped" and stops what it started.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export CW_TEST_RUN="$ROOT/.test-run"
rm -rf "$CW_TEST_RUN"
mkdir -p "$CW_TEST_RUN/results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

CW_PIDS=()
cw_track_pid() { CW_PIDS+=("$1"); }
cw_cleanup() {
  for ((i=${#CW_PIDS[@]}-1; i>=0; i--)); do
    kill "${CW_PIDS[$i]}" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${CW_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for f in "$ROOT"/tests/setup/*.sh; do
    fn="cleanup_$(basename "$f" .sh | sed 's/^[0-9]*-//; s/-/_/g')"
    declare -F "$fn" >/dev/null && "$fn" || true
  done
}
trap cw_cleanup EXIT
shopt -s nullglob

apt_ready=0
cw_apt_install() {
  # Installs Debian packages that are missing; apt may find the dpkg lock held, so wait for it.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_ready -eq 0 ]; then apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
# A port nobody listens on, starting at $1.
cw_free_port() {
  local p=$1
  while ss -ltnH "sport = :$p" | grep -q .; do p=$((p+1)); done
  echo "$p"
}

# Fragments: each may install and start a server and export where it is (see tests/setup/README.md).
for f in "$ROOT"/tests/setup/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

# CW_TEST_SERVERS_ONLY=1: start the servers, write their variables to .test-run/env.txt (for `set -a; . FILE`)
# and keep them until this script is stopped (Ctrl-C / kill) — for working on one test or a benchmark.
if [ "${CW_TEST_SERVERS_ONLY:-}" = 1 ]; then
  env | grep -E '^CW_TEST_' | sed "s/=\(.*\)/='\1'/" > "$CW_TEST_RUN/env.txt"
  echo "servers up; variables in $CW_TEST_RUN/env.txt; stop with kill $$"
  while true; do sleep 3600; done
fi

echo "== build"
dotnet build ClusterWatch.slnx -c Release -v q -nologo 2>&1 | tail -3

status=0
for proj in tests/ClusterWatch.Tests tests/ClusterWatch.IntegrationTests; do
  name=$(basename "$proj")
  echo "== $name"
  # CW_TEST_FILTER: a `dotnet test --filter` expression, to run part of the tests (e.g. FullyQualifiedName~Ssh).
  dotnet test "$proj" -c Release --no-build --nologo -v q ${CW_TEST_FILTER:+--filter "$CW_TEST_FILTER"} \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$CW_TEST_RUN/results" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$CW_TEST_RUN"/results/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$line" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(get total); e=$(get executed); p=$(get passed); fl=$(get failed)
  passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + t - e))
done
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
