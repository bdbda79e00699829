"""The known loads (perl, each logging "wall_time cpu_seconds" four times a second, where cpu_seconds is its own
times() including reaped children: the truth the contenders are compared with) and the sleeping background."""
import os
import signal
import subprocess
import time

LOADS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "loads")


def _load(name):
    with open(os.path.join(LOADS, name)) as f:
        return f.read()


STEADY = _load("steady.pl")          # half a core
RANDOM30 = _load("random30.pl")      # 30 % of a core, random period
SHORT = _load("short-children.pl")   # short-lived children, ~20 % in all
MEMORY = _load("memory.pl")          # grows to MEM_MIB, then holds it
SLEEPERS = _load("sleepers.pl")      # N sleeping children


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
