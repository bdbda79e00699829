# MariaDB for the integration tests (sourced by test.sh): a private mariadbd on 127.0.0.1, its own datadir and socket
# under $CW_TEST_RUN, a database and a user. Exports CW_TEST_MYSQL (connection string, no password),
# CW_TEST_MYSQL_PASSWORD, CW_TEST_MYSQL_SOCKET, CW_TEST_MYSQL_PORT and CW_TEST_MYSQL_CTL (a script: start|stop|status
# |root-sql SQL) so outage tests can stop the server and start it again.
cw_apt_install mariadb-server mariadb-client

CW_MARIADB_DIR="$CW_TEST_RUN/mariadb"
mkdir -p "$CW_MARIADB_DIR"
CW_MARIADB_PORT=$(cw_free_port 3391)
if [ "$CW_MARIADB_PORT" -gt 3399 ]; then
  echo "mariadb: no free port in 3391-3399" >&2
  return 1
fi
mariadb-install-db --no-defaults --datadir="$CW_MARIADB_DIR/data" --user=mysql --skip-test-db \
  --auth-root-authentication-method=socket >"$CW_MARIADB_DIR/install.log" 2>&1
chown -R mysql:mysql "$CW_MARIADB_DIR"

# The control script: stop/start keep the same datadir, port and socket; the PID file says which process is ours.
cat >"$CW_MARIADB_DIR/ctl.sh" <<CTL
#!/usr/bin/env bash
set -euo pipefail
D="$CW_MARIADB_DIR"
case "\${1:-}" in
  start)
    setsid mariadbd --no-defaults --datadir="\$D/data" --socket="\$D/mysqld.sock" --port=$CW_MARIADB_PORT \\
      --bind-address=127.0.0.1 --user=mysql --pid-file="\$D/mysqld.pid" --log-error="\$D/error.log" \\
      --skip-name-resolve --local-infile=1 --innodb-buffer-pool-size=256M --max-connections=200 \\
      \${CW_MARIADB_EXTRA:-} </dev/null >/dev/null 2>&1 &
    for _ in \$(seq 1 100); do
      mariadb-admin --no-defaults --socket="\$D/mysqld.sock" -uroot ping >/dev/null 2>&1 && exit 0
      sleep 0.2
    done
    echo "mariadbd did not start; see \$D/error.log" >&2; exit 1 ;;
  stop)
    [ -f "\$D/mysqld.pid" ] || exit 0
    pid=\$(cat "\$D/mysqld.pid")
    kill "\$pid" 2>/dev/null || true
    for _ in \$(seq 1 150); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.2; done
    kill -9 "\$pid" 2>/dev/null || true ;;
  pid) cat "\$D/mysqld.pid" ;;
  root-sql) mariadb --no-defaults --socket="\$D/mysqld.sock" -uroot -N -B -e "\$2" ;;
  *) echo "usage: \$0 start|stop|pid|root-sql SQL" >&2; exit 2 ;;
esac
CTL
chmod +x "$CW_MARIADB_DIR/ctl.sh"
"$CW_MARIADB_DIR/ctl.sh" start
cw_track_pid "$(cat "$CW_MARIADB_DIR/mysqld.pid")"

# Make sure we talk to our own server, not another one on the machine.
datadir=$("$CW_MARIADB_DIR/ctl.sh" root-sql "SELECT @@datadir")
if [ "$(realpath "$datadir")" != "$(realpath "$CW_MARIADB_DIR/data")" ]; then
  echo "mariadb: connected to a server with datadir $datadir, not ours" >&2
  return 1
fi
CW_TEST_MYSQL_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
"$CW_MARIADB_DIR/ctl.sh" root-sql "CREATE DATABASE cwtest CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  CREATE USER 'cw'@'127.0.0.1' IDENTIFIED BY '$CW_TEST_MYSQL_PASSWORD';
  GRANT ALL PRIVILEGES ON \`cwtest%\`.* TO 'cw'@'127.0.0.1';
  GRANT PROCESS ON *.* TO 'cw'@'127.0.0.1';"
printf '%s\n' "$CW_TEST_MYSQL_PASSWORD" >"$CW_MARIADB_DIR/password"
chmod 600 "$CW_MARIADB_DIR/password"
export CW_TEST_MYSQL="Server=127.0.0.1;Port=$CW_MARIADB_PORT;Database=cwtest;User ID=cw"
export CW_TEST_MYSQL_PASSWORD CW_TEST_MYSQL_PORT=$CW_MARIADB_PORT
export CW_TEST_MYSQL_PASSWORD_FILE="$CW_MARIADB_DIR/password"
export CW_TEST_MYSQL_SOCKET="$CW_MARIADB_DIR/mysqld.sock"
export CW_TEST_MYSQL_CTL="$CW_MARIADB_DIR/ctl.sh"
echo "== mariadb on 127.0.0.1:$CW_MARIADB_PORT (datadir $datadir)"

# The server may have been restarted by a test (new PID): stop whatever our PID file names.
cleanup_mariadb() { "$CW_MARIADB_DIR/ctl.sh" stop || true; }
