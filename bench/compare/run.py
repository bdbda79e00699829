"""Runs the comparison: known loads, background levels, all contenders side by side; writes results JSON lines.
Usage: run.py DLL WORKDIR RESULTS PORT SECONDS RUNS LEVELS..."""
import json
import os
import sys
import time

import contenders as c
import loads

USERS = {"cwb50": "steady 50 %", "cwb2x30": "2 × 30 % random gaps", "cwbshort": "short-lived children ~20 %", "cwbmem": "memory grows to 256 MiB"}
MEM_MIB = 256
WARMUP = 12


def machine_busy():
    """(busy jiffies, total jiffies) of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def user_rss_mib(user_uid):
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.stat(f"/proc/{d}").st_uid != user_uid:
                continue
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total / 1024


def one_run(dll, workdir, port, seconds, logs, level, run):
    import pwd
    sleepers = loads.start_sleepers(["cwb50", "cwb2x30", "cwbshort"], level, workdir)
    procs = loads.process_count()
    users = list(USERS)
    field = [c.ClusterWatch(users, dll, workdir, "proc"), c.ClusterWatch(users, dll, workdir, "top"), c.ClassicTop(users),
             c.StreamingTop(users), c.Pidstat(users, child=False), c.Pidstat(users, child=True),
             c.ProcessExporter(users, workdir, port)]
    time.sleep(WARMUP)
    a = time.time()
    b0, t0 = machine_busy()
    load0 = os.getloadavg()
    time.sleep(seconds)
    b = time.time()
    b1, t1 = machine_busy()
    mem_truth = user_rss_mib(pwd.getpwnam("cwbmem").pw_uid)
    time.sleep(6)  # let every contender finish the interval that ends at b
    for x in field:
        x.stop()
        x.lifetime = time.time() - x.born
    loads.stop_sleepers(sleepers)
    ncpu = os.cpu_count()
    known = sum(loads.true_percent(l, a, b) for l in logs.values())
    out = {"level": level, "run": run, "processes": procs, "start": a, "end": b, "seconds": b - a, "ncpu": ncpu,
           "machine_busy_pct_of_one_core": (b1 - b0) / (t1 - t0) * 100 * ncpu, "known_load_pct": known,
           "loadavg_start": load0, "loadavg_end": os.getloadavg(), "mem_truth_mib": mem_truth,
           "truth": {u: loads.true_percent(logs[u], a, b) for u in users}, "contenders": {}}
    for x in field:
        if x.pending:
            out["contenders"][x.name] = {"pending": x.pending}
            continue
        r = x.result(a, b)
        if r is None:
            out["contenders"][x.name] = {"pending": "no intervals inside the period"}
            continue
        lo, hi = r["span"]
        truth = {u: loads.true_percent(logs[u], lo, hi) for u in users}
        r.update({"truth": truth, "cost_cpu_s": x.cost_cpu, "cost_peak_rss_mib": x.cost_rss, "cost_wall_s": x.lifetime,
                  "measures_memory": x.measures_memory})
        out["contenders"][x.name] = r
    return out


def main():
    dll, workdir, results, port, seconds, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    levels = [int(x) for x in sys.argv[7:]]
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o777)
    for u in USERS:
        loads.ensure_user(u)
    started = [loads.start_perl("cwb50", loads.STEADY, workdir, "steady"),
               loads.start_perl("cwb2x30", loads.RANDOM30, workdir, "r30a"),
               loads.start_perl("cwb2x30", loads.RANDOM30, workdir, "r30b"),
               loads.start_perl("cwbshort", loads.SHORT, workdir, "short"),
               loads.start_perl("cwbmem", loads.MEMORY, workdir, "mem", MEM_MIB)]
    logs = {"cwb50": [started[0][1]], "cwb2x30": [started[1][1], started[2][1]], "cwbshort": [started[3][1]], "cwbmem": [started[4][1]]}
    try:
        time.sleep(3)
        with open(results, "a") as f:
            for run in range(1, runs + 1):
                for level in levels:
                    t = time.time()
                    out = one_run(dll, workdir, port, seconds, logs, level, run)
                    f.write(json.dumps(out) + "\n")
                    f.flush()
                    print(f"run {run} level {level}: {out['processes']} processes, {time.time() - t:.0f} s", flush=True)
    finally:
        for p, _ in started:
            loads.stop(p)


if __name__ == "__main__":
    main()
