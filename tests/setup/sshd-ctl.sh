#!/usr/bin/env bash
# Starts and stops test sshd nodes (see 20-sshd.sh). State lives in $CW_TEST_SSH_DIR:
#   nodes.tsv       name<TAB>host<TAB>port<TAB>host-key-file, one line per node ever started (machine-readable)
#   known_hosts     OpenSSH known_hosts with every node's key ([host]:port form)
#   pids/NAME       PID of the node's `unshare` (SIGKILL to it ends the whole node: --kill-child)
#   nodes/NAME/     sshd config, host key, log, options
# Usage:
#   sshd-ctl.sh start NAME [--path DIR] [--load USER:FRACTION]... [--procs N] [--no-trust]
#        (re)start a node; options are remembered, so a restart without options keeps them
#   sshd-ctl.sh stop NAME        kill the namespace's first process: every process of the node ends, sessions drop
#   sshd-ctl.sh stop-hard NAME   SIGKILL the unshare (same end, the abrupt way)
#   sshd-ctl.sh hang NAME | resume NAME   SIGSTOP / SIGCONT every process of the node (TCP stays open)
#   sshd-ctl.sh rekey NAME       new host key, known_hosts left as it was (restart to present it)
#   sshd-ctl.sh pids NAME        host PIDs of every process in the node's namespace
set -euo pipefail
S=${CW_TEST_SSH_DIR:?run through test.sh}
cmd=${1:?usage: start|stop|stop-hard|hang|resume|rekey|pids NAME}
name=${2:?node name}
case "$name" in *[!A-Za-z0-9_-]*) echo "bad node name" >&2; exit 2 ;; esac
D="$S/nodes/$name"
shift 2

ns_pids() {
  # Every process in the node's PID namespace (that of the unshare's child, the namespace's pid 1).
  local u child
  u=$(cat "$S/pids/$name" 2>/dev/null) || return 0
  child=$(cat "/proc/$u/task/$u/children" 2>/dev/null | awk '{print $1}')
  [ -n "$child" ] || return 0
  pgrep --ns "$child" --nslist pid || true
}

allocate() {
  # The k-th node ever started: address 127.0.0.(2 + k mod 39), first free port from 2301 + k.
  local k port
  k=$(wc -l <"$S/nodes.tsv")
  port=$((2301 + k))
  while ss -ltnH "sport = :$port" | grep -q .; do port=$((port + 1)); done
  [ "$port" -le 2399 ] || { echo "no free port left in 2301-2399" >&2; exit 1; }
  printf '%s\t127.0.0.%d\t%d\t%s\n' "$name" $((2 + k % 39)) "$port" "$D/host_key" >>"$S/nodes.tsv"
}

trust() {
  local host port line
  host=$(awk -F'\t' -v n="$name" '$1==n{print $2}' "$S/nodes.tsv")
  port=$(awk -F'\t' -v n="$name" '$1==n{print $3}' "$S/nodes.tsv")
  line="[$host]:$port $(cut -d' ' -f1-2 "$D/host_key.pub")"
  grep -vF "[$host]:$port " "$S/known_hosts" >"$S/known_hosts.tmp" || true
  echo "$line" >>"$S/known_hosts.tmp"
  mv "$S/known_hosts.tmp" "$S/known_hosts"
}

start() {
  mkdir -p "$D"
  grep -q "^$name	" "$S/nodes.tsv" || allocate
  [ -f "$D/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$D/host_key"
  if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$D/opts"; fi
  local opts=() path="" loads=() notrust=0 procs=0
  [ -f "$D/opts" ] && mapfile -t opts <"$D/opts"
  set -- "${opts[@]}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --path) path=$2; shift 2 ;;
      --load) loads+=("$2"); shift 2 ;;
      --no-trust) notrust=1; shift ;;
      --procs) procs=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  local host port
  host=$(awk -F'\t' -v n="$name" '$1==n{print $2}' "$S/nodes.tsv")
  port=$(awk -F'\t' -v n="$name" '$1==n{print $3}' "$S/nodes.tsv")
  if ss -ltnH "src $host:$port" | grep -q .; then
    [ -f "$S/pids/$name" ] && kill -0 "$(cat "$S/pids/$name")" 2>/dev/null && { echo "$name already running"; return 0; }
    echo "port $port on $host taken by another program" >&2; exit 1
  fi
  cat >"$D/sshd.conf" <<CONF
Port $port
ListenAddress $host
HostKey $D/host_key
PidFile none
AuthorizedKeysFile $S/ak/%u
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers cwnode cwload1 cwload2 cwload3
MaxSessions 50
MaxStartups 200
LogLevel ERROR
CONF
  [ -n "$path" ] && echo "SetEnv PATH=$path" >>"$D/sshd.conf"
  # The node's first process starts its loads (as their users, via setpriv) and then becomes sshd.
  local script="" l u f
  for l in "${loads[@]}"; do
    u=${l%%:*}; f=${l#*:}
    script+="setpriv --reuid=$(id -u "$u") --regid=$(id -g "$u") --init-groups perl -MTime::HiRes=time,sleep -e '\$0=\"cwload\"; my \$f=shift; while(1){my \$t=time; 1 while time-\$t < \$f*0.1; sleep((1-\$f)*0.1) if \$f<1}' $f </dev/null >/dev/null 2>&1 & "
  done
  # --procs N: N idle processes (benchmarks: a node with 100 or 1,000 processes).
  [ "$procs" -gt 0 ] && script+="i=0; while [ \$i -lt $procs ]; do setpriv --reuid=$(id -u cwload1) --regid=$(id -g cwload1) --init-groups sleep 100000 </dev/null >/dev/null 2>&1 & i=\$((i+1)); done; "
  script+="exec /usr/sbin/sshd -D -e -f $D/sshd.conf"
  setsid unshare --pid --fork --mount-proc --kill-child sh -c "$script" </dev/null >>"$D/sshd.log" 2>&1 &
  echo $! >"$S/pids/$name"
  [ $notrust -eq 1 ] || trust
  for _ in $(seq 1 100); do
    ss -ltnH "src $host:$port" | grep -q . && { echo "$name $host $port"; return 0; }
    sleep 0.05
  done
  echo "$name did not start; see $D/sshd.log" >&2; cat "$D/sshd.log" >&2; exit 1
}

case "$cmd" in
  start) start "$@" ;;
  stop)
    u=$(cat "$S/pids/$name" 2>/dev/null) || exit 0
    child=$(cat "/proc/$u/task/$u/children" 2>/dev/null | awk '{print $1}')
    [ -n "$child" ] && kill -9 "$child" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$u" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$u" 2>/dev/null || true
    rm -f "$S/pids/$name" ;;
  stop-hard)
    u=$(cat "$S/pids/$name" 2>/dev/null) || exit 0
    kill -9 "$u" 2>/dev/null || true
    rm -f "$S/pids/$name" ;;
  hang) for p in $(ns_pids); do kill -STOP "$p" 2>/dev/null || true; done ;;
  resume) for p in $(ns_pids); do kill -CONT "$p" 2>/dev/null || true; done ;;
  rekey) rm -f "$D/host_key" "$D/host_key.pub"; ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$D/host_key" ;;
  pids) ns_pids ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
