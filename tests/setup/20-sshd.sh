# shellcheck shell=bash
# Sourced by test.sh: OpenSSH "nodes" on loopback addresses, each sshd in its own PID namespace so that a session on
# a node sees only that node's processes. Starts three plain nodes (n1 n2 n3); tests start more (fan-out, loads,
# kill/restart, changed host key) through the helper $CW_TEST_SSH_CTL (tests/setup/sshd-ctl), whose nodes are
# tracked in $CW_TEST_SSH_DIR/pids and stopped by cleanup_sshd.
cw_apt_install openssh-server openssh-client perl procps util-linux
mkdir -p /run/sshd
# The watcher logs in as cwnode; the loads run as cwload1..3 (different users per node). usermod -p '*': with
# UsePAM no, sshd refuses a locked account ('!'), but '*' is unlocked and still has no password.
for u in cwnode cwload1 cwload2 cwload3; do
  id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u"
  usermod -p '*' "$u"
done
export CW_TEST_SSH_DIR="$CW_TEST_RUN/ssh"
export CW_TEST_SSH_CTL="$ROOT/tests/setup/sshd-ctl"
mkdir -p "$CW_TEST_SSH_DIR"/{ak,nodes,pids}
chmod 755 "$CW_TEST_RUN" "$CW_TEST_SSH_DIR"
ssh-keygen -q -t ed25519 -N '' -C clusterwatch-test -f "$CW_TEST_SSH_DIR/client_key"
# A second client key with a passphrase, read from a file by the configuration (never from the command line).
printf 'test passphrase\n' >"$CW_TEST_SSH_DIR/passphrase"
ssh-keygen -q -t ed25519 -N 'test passphrase' -C clusterwatch-test-pp -f "$CW_TEST_SSH_DIR/client_key_pp"
for u in cwnode cwload1 cwload2 cwload3; do
  cat "$CW_TEST_SSH_DIR/client_key.pub" "$CW_TEST_SSH_DIR/client_key_pp.pub" >"$CW_TEST_SSH_DIR/ak/$u"
done
chmod 644 "$CW_TEST_SSH_DIR"/ak/*
: >"$CW_TEST_SSH_DIR/known_hosts"
: >"$CW_TEST_SSH_DIR/nodes.tsv"
for n in n1 n2 n3; do "$CW_TEST_SSH_CTL" start "$n" >/dev/null; done
echo "sshd nodes: $(cut -f1-3 "$CW_TEST_SSH_DIR/nodes.tsv" | tr '\t\n' ': ')"

cleanup_sshd() {
  # Every node any test started through the helper, by the PID it recorded.
  [ -n "${CW_TEST_SSH_DIR:-}" ] && [ -d "$CW_TEST_SSH_DIR/pids" ] || return 0
  for f in "$CW_TEST_SSH_DIR"/pids/*; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    rm -f "$f"
  done
  return 0
}
