"""The contenders: each measures per-user CPU (% of one core) and resident memory over the same period, and we
record what each one costs itself (CPU seconds, peak RSS)."""
import collections
import os
import re
import resource
import sqlite3
import subprocess
import threading
import time
import urllib.request

TCK = os.sysconf("SC_CLK_TCK")


def proc_cost(pid):
    """(cpu seconds, peak RSS MiB) of a live process from /proc, its reaped and live children's CPU included
    (ClusterWatch's top source runs `top` as a child)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = sum(int(x) for x in fields[11:15]) / TCK
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    cpu += proc_cost(int(child))[0]
        except (FileNotFoundError, ProcessLookupError):
            pass
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return cpu, hwm


def mem_kib(text):
    """top's RES column: KiB, or with an m/g/t suffix."""
    scale = {"m": 1024, "g": 1024 ** 2, "t": 1024 ** 3}
    if text[-1].lower() in scale:
        return float(text[:-1]) * scale[text[-1].lower()]
    return float(text)


def parse_top_frame(lines, users):
    """Per-user (cpu %, rss MiB) from one `top -b` frame's task lines."""
    cpu, rss = collections.defaultdict(float), collections.defaultdict(float)
    header = None
    for line in lines:
        parts = line.split(None, 11)
        if header is None:
            if parts and parts[0] == "PID":
                header = parts
            continue
        if len(parts) < 12:
            continue
        user = parts[1].rstrip("+")
        if user in users:
            cpu[user] += float(parts[8].replace(",", "."))
            rss[user] += mem_kib(parts[5]) / 1024
    return cpu, rss


class Contender:
    name = "?"

    def __init__(self, users):
        self.users = users
        self.series = []  # (interval start, interval end, {user: cpu}, {user: rss MiB})
        self.cost_cpu = 0.0
        self.cost_rss = 0.0
        self.pending = None  # a reason this contender could not run
        self.measures_memory = True
        self.born = time.time()
        self.lifetime = 0.0

    def result(self, a, b):
        """Average per-user CPU over the intervals inside [a, b], and the span they cover (for the truth)."""
        # Slow tools (a scrape of 5,000 processes) have intervals that start or end a few seconds off the period;
        # the truth is taken over each contender's own span, so those intervals count too.
        inside = [s for s in self.series if s[0] >= a - 6 and s[1] <= b + 6]
        if not inside:
            return None
        span = (min(s[0] for s in inside), max(s[1] for s in inside))
        total = sum(s[1] - s[0] for s in inside)
        cpu = {u: sum(s[2].get(u, 0.0) * (s[1] - s[0]) for s in inside) / total for u in self.users}
        rss = {u: inside[-1][3].get(u, 0.0) for u in self.users}
        return {"cpu": cpu, "rss": rss, "span": span, "intervals": len(inside)}


class ClusterWatch(Contender):
    def __init__(self, users, dll, workdir, source):
        super().__init__(users)
        self.name = f"ClusterWatch {source}"
        self.db = os.path.join(workdir, f"cw-{source}.db")
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(self.db + ext):
                os.remove(self.db + ext)
        self.out = open(os.path.join(workdir, f"cw-{source}.out"), "w")
        self.proc = subprocess.Popen(["dotnet", dll, "watch", "--db", self.db, "--no-web", "--source", source],
                                     stdout=self.out, stderr=subprocess.STDOUT)
        time.sleep(3)
        if self.proc.poll() is not None:
            self.pending = open(self.out.name).read().strip().splitlines()[-1][:160]

    def stop(self):
        if self.pending:
            return
        self.cost_cpu, self.cost_rss = proc_cost(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(timeout=30)
        con = sqlite3.connect(self.db)
        sample = 5
        rows = con.execute("SELECT ts, username, cpu_pct, rss_bytes FROM user_samples ORDER BY ts").fetchall()
        by_ts = collections.OrderedDict()
        for ts, user, cpu, rss in rows:
            by_ts.setdefault(ts, ({}, {}))
            if user in self.users:
                by_ts[ts][0][user] = cpu
                by_ts[ts][1][user] = rss / 2 ** 20
        self.series = [(ts - sample, ts, c, r) for ts, (c, r) in by_ts.items()]
        con.close()


class ClassicTop(Contender):
    """A fresh `top -b -n 1` every 5 s (what many scripts do), averaged."""
    name = "top -b -n 1 every 5 s"

    def __init__(self, users):
        super().__init__(users)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        nxt = time.time()
        while not self.stopping.is_set():
            t = time.time()
            p = subprocess.Popen(["top", "-b", "-n", "1", "-w", "512"], stdout=subprocess.PIPE, encoding="utf-8", errors="replace")
            out = p.stdout.read()
            _, _, ru = os.wait4(p.pid, 0)
            p.returncode = 0
            self.cost_cpu += ru.ru_utime + ru.ru_stime
            self.cost_rss = max(self.cost_rss, ru.ru_maxrss / 1024)
            cpu, rss = parse_top_frame(out.splitlines(), self.users)
            # A snapshot stands for the 5 s around it.
            self.series.append((t - 2.5, t + 2.5, cpu, rss))
            nxt += 5
            self.stopping.wait(max(0, nxt - time.time()))

    def stop(self):
        self.stopping.set()
        self.thread.join()


class StreamingProcess(Contender):
    """A long-running tool whose stdout we parse as it comes."""

    def __init__(self, users, argv):
        super().__init__(users)
        # Command names are untrusted bytes (not always UTF-8): replace what does not decode.
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, encoding="utf-8", errors="replace", env={**os.environ, "LC_ALL": "C", "S_TIME_FORMAT": "ISO"})
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def stop(self):
        self.cost_cpu, self.cost_rss = proc_cost(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.thread.join(timeout=10)


class StreamingTop(StreamingProcess):
    name = "top -b -d 5 (streaming)"

    def __init__(self, users):
        super().__init__(users, ["top", "-b", "-d", "5", "-w", "512"])

    def read(self):
        frame, last = [], None
        for line in self.proc.stdout:
            if line.startswith("top - "):
                now = time.time()
                if frame and last is not None:  # the first frame covers only top's start-up: skipped
                    cpu, rss = parse_top_frame(frame, self.users)
                    self.series.append((last, now, cpu, rss))
                last, frame = now, []
            frame.append(line)


class Pidstat(StreamingProcess):
    """`pidstat -u -r` (per task, live tasks only) or `pidstat -T CHILD` (task + its reaped children)."""

    def __init__(self, users, child):
        self.child = child
        self.name = "pidstat -T CHILD" if child else "pidstat -u -r"
        argv = ["pidstat", "-U", "-h", "-T", "CHILD", "5"] if child else ["pidstat", "-U", "-h", "-u", "-r", "5"]
        super().__init__(users, argv)
        self.measures_memory = not child

    def read(self):
        # Rows of one report share a Time; a report covers the 5 s since the previous report arrived.
        cols, key, arrived, prev = None, None, None, None
        cpu, rss = collections.defaultdict(float), collections.defaultdict(float)
        for line in self.proc.stdout:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "#":
                cols = parts[1:]
                continue
            if cols is None or len(parts) < len(cols):
                continue
            row = dict(zip(cols, parts))
            if row["Time"] != key:
                if key is not None:
                    self.flush(prev if prev is not None else arrived - 5, arrived, cpu, rss)
                    prev = arrived
                key, arrived = row["Time"], time.time()
                cpu, rss = collections.defaultdict(float), collections.defaultdict(float)
            user = row["USER"]
            if user not in self.users:
                continue
            if self.child:
                cpu[user] += float(row["usr-ms"]) + float(row["system-ms"])  # ms; made a % in flush
            else:
                cpu[user] += float(row["%CPU"])
                rss[user] += float(row["RSS"]) / 1024

    def flush(self, a, b, cpu, rss):
        if self.child:
            # ms of CPU over the real interval between two reports (pidstat under load reports late).
            cpu = {u: ms / ((b - a) * 1000) * 100 for u, ms in cpu.items()}
        self.series.append((a, b, dict(cpu), dict(rss)))


class ProcessExporter(Contender):
    """prometheus-process-exporter grouping by user, scraped every 5 s like Prometheus; rate of its CPU counter."""
    name = "process-exporter (rate)"

    def __init__(self, users, workdir, port):
        super().__init__(users)
        cfg = os.path.join(workdir, "process-exporter.yml")
        with open(cfg, "w") as f:
            f.write('process_names:\n  - name: "{{.Username}}"\n    cmdline:\n    - ".*"\n')
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.proc = subprocess.Popen(["prometheus-process-exporter", "-config.path", cfg, "-web.listen-address", f"127.0.0.1:{port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.scrapes = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        time.sleep(1)
        nxt = time.time()
        while not self.stopping.is_set():
            try:
                text = urllib.request.urlopen(self.url, timeout=20).read().decode("utf-8", "replace")
                self.scrapes.append((time.time(), self.parse(text)))
            except OSError:
                pass
            nxt += 5
            self.stopping.wait(max(0, nxt - time.time()))

    def parse(self, text):
        cpu, rss = collections.defaultdict(float), {}
        for m in re.finditer(r'^namedprocess_namegroup_cpu_seconds_total\{groupname="([^"]+)",mode="(\w+)"\} (\S+)$', text, re.M):
            cpu[m.group(1)] += float(m.group(3))
        for m in re.finditer(r'^namedprocess_namegroup_memory_bytes\{groupname="([^"]+)",memtype="resident"\} (\S+)$', text, re.M):
            rss[m.group(1)] = float(m.group(2)) / 2 ** 20
        return cpu, rss

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.cost_cpu, self.cost_rss = proc_cost(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(timeout=10)
        for (t0, (c0, _)), (t1, (c1, r1)) in zip(self.scrapes, self.scrapes[1:]):
            cpu = {u: (c1.get(u, 0) - c0.get(u, 0)) / (t1 - t0) * 100 for u in self.users}
            self.series.append((t0, t1, cpu, {u: r1.get(u, 0.0) for u in self.users}))
