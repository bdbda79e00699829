"""The known loads (perl, each logging "wall_time cpu_seconds" four times a second, where cpu_seconds is its own
times() including reaped children: the truth the contenders are compared with) and the sleeping background."""
import os
import signal
import subprocess
import time

LOG_TAIL = r"""
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
"""

# Busy 50 ms, sleep 50 ms: half a core.
STEADY = r"""
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $next = 0;
while (1) {
  my $t = time; while (time - $t < 0.05) {}
  sleep(0.05);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
""" + LOG_TAIL

# 30 % of a core with a random period (50-600 ms) each cycle, so it never stays in phase with a 5 s sampler.
RANDOM30 = r"""
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
srand($$ ^ time); my $next = 0;
while (1) {
  my $p = 0.05 + rand(0.55);
  my $t = time; while (time - $t < 0.3 * $p) {}
  sleep(0.7 * $p);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
""" + LOG_TAIL

# Every 200 ms a child that burns 40 ms of CPU and exits (lives ~40-60 ms, far under a 5 s sample): 20 % total.
SHORT = r"""
use strict; use Time::HiRes qw(time sleep); use POSIX ();
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $next = 0;
while (1) {
  my $start = time;
  my $pid = fork();
  if (defined $pid && $pid == 0) { my @c; do { @c = times; } while ($c[0] + $c[1] < 0.04); POSIX::_exit(0); }
  waitpid($pid, 0);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
  my $rest = 0.2 - (time - $start); sleep($rest) if $rest > 0;
}
""" + LOG_TAIL

# Grows by 16 MiB a second to MEM_MIB, then holds it (touched, so it is resident), using almost no CPU.
MEMORY = r"""
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $target = $ARGV[1]; my @blocks; my $next = 0;
while (1) {
  push @blocks, "x" x (16 << 20) if @blocks * 16 < $target;
  sleep(0.25);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
""" + LOG_TAIL

# Forks N children that exec `sleep`, writes their pids (so they can be stopped by pid), then sleeps.
SLEEPERS = r"""
use strict; use POSIX ();
open(my $out, '>', $ARGV[0]) or die; my $n = $ARGV[1];
my @kids;
$SIG{TERM} = sub { kill 'KILL', @kids; waitpid($_, 0) for @kids; POSIX::_exit(0); };
for (1..$n) { my $p = fork(); if (defined $p && $p == 0) { $SIG{TERM} = 'DEFAULT'; exec('sleep', '1000000') or POSIX::_exit(1); } if ($p) { push @kids, $p; print $out "$p\n"; } }
close($out); sleep(1000000) while 1;
"""


def ensure_user(name):
    if subprocess.run(["id", "-u", name], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)


def start_perl(user, script, workdir, name, *args):
    path = os.path.join(workdir, name + ".pl")
    with open(path, "w") as f:
        f.write(script)
    log = os.path.join(workdir, name + ".log")
    p = subprocess.Popen(["runuser", "-u", user, "--", "perl", path, log, *map(str, args)], start_new_session=True)
    return p, log


def read_log(path):
    pts = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                pts.append((float(parts[0]), float(parts[1])))
    return pts


def cpu_at(pts, t):
    for i in range(1, len(pts)):
        if pts[i][0] >= t:
            (t0, c0), (t1, c1) = pts[i - 1], pts[i]
            return c0 + (c1 - c0) * (t - t0) / (t1 - t0)
    raise ValueError(f"log does not reach {t}")


def true_percent(logs, a, b):
    """CPU % of one core between wall times a and b, summed over the user's load logs."""
    return sum((cpu_at(read_log(l), b) - cpu_at(read_log(l), a)) / (b - a) * 100 for l in logs)


def process_count():
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def start_sleepers(users, total, workdir):
    """Adds sleeping processes, spread over `users`, until the machine has about `total` processes."""
    missing = max(0, total - process_count())
    procs, pidfiles = [], []
    for i, user in enumerate(users):
        n = missing // len(users) + (1 if i < missing % len(users) else 0)
        if n == 0:
            continue
        stale = os.path.join(workdir, f"sleepers-{user}.log")
        if os.path.exists(stale):
            os.remove(stale)  # the previous level's pid list would look complete at once
        p, _ = start_perl(user, SLEEPERS, workdir, f"sleepers-{user}", n)
        procs.append((p, os.path.join(workdir, f"sleepers-{user}.log"), n))
    deadline = time.time() + 120
    for p, pidfile, n in procs:
        while time.time() < deadline:
            if os.path.exists(pidfile) and sum(1 for _ in open(pidfile)) >= n:
                break
            time.sleep(0.5)
    return procs


def stop_sleepers(procs):
    """Kills the sleepers by pid and waits until they are gone (reaping thousands takes a while on a busy
    machine), so the next level starts from the machine's own process count."""
    pids = []
    for p, _, _ in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)  # the sleepers' parent kills and reaps its children itself
        except ProcessLookupError:
            pass
    for p, pidfile, _ in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        try:
            for line in open(pidfile):
                if line.strip():
                    pids.append(int(line))
                    try:
                        os.kill(int(line), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        except FileNotFoundError:
            pass
        stop(p)
    deadline = time.time() + 120
    while time.time() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in pids):
        time.sleep(0.5)


def stop(p):
    """Stops a load started with runuser (its own session): the whole process group, by its id."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
