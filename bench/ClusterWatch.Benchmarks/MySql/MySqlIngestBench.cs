using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.Core.Storage.Spool;
using MySqlConnector;

namespace ClusterWatch.Benchmarks.MySql;

/// <summary>
/// process_samples ingest through the watcher's own write path against the `mariadb` client's LOAD DATA LOCAL INFILE
/// of the same rows, same server, same run, alternating rounds. Two of our paths: what `watch` uses — every sample
/// handed to SpoolingStore (JSON line appended to the spool file, queued) in front of MySqlUsageStore, timed until the
/// spool is empty; samples queued together are coalesced into one transaction (a backlog, or many nodes per tick) —
/// and MySqlUsageStore.WriteSampleAsync alone, one transaction per sample (the case of one node whose samples never
/// queue up). Two references: LOAD DATA of the process_samples rows only (the target's reference), and LOAD DATA of
/// the same three tables our paths write (samples, user_samples, process_samples: the same 110,200 rows). Rates are
/// process_samples rows per second everywhere. Needs CW_TEST_MYSQL / CW_TEST_MYSQL_PASSWORD (the server ./test.sh or
/// tests/setup starts).
/// Usage: dotnet run -c Release --project bench/ClusterWatch.Benchmarks -- mysql-ingest [samples] [processes] [rounds]
/// </summary>
internal static class MySqlIngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var processes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var cs = Environment.GetEnvironmentVariable("CW_TEST_MYSQL") ?? throw new InvalidOperationException("CW_TEST_MYSQL is not set");
        var password = Environment.GetEnvironmentVariable("CW_TEST_MYSQL_PASSWORD") ?? "";
        var data = Samples(samples, processes);
        var rows = samples * processes;
        var tsv = Path.Combine(Path.GetTempPath(), $"cw-ingest-{Environment.ProcessId}");
        (string Table, string File)[] processOnly = [("process_samples", tsv + ".processes.tsv")];
        (string Table, string File)[] allTables = [("samples", tsv + ".samples.tsv"), ("user_samples", tsv + ".users.tsv"), .. processOnly];
        await File.WriteAllTextAsync(allTables[0].File, SamplesTsv(data));
        await File.WriteAllTextAsync(allTables[1].File, UsersTsv(data));
        await File.WriteAllTextAsync(processOnly[0].File, ProcessesTsv(data));
        // Warm-up, not counted: the watcher runs for days, so its steady state is JIT-compiled code (tiered compilation
        // would otherwise charge the first round's compilation to our side only; the mariadb client is native).
        var warm = data.Take(Math.Max(1, samples / 10)).ToArray();
        await SpoolPathAsync(cs, password, warm);
        await WatcherPathAsync(cs, password, warm);
        var ours = new Measured("spool path (watch)");
        var theirs = new Measured("LOAD DATA, process_samples only");
        var single = new Measured("one transaction per sample");
        var theirsAll = new Measured("LOAD DATA, the same three tables");
        for (var r = 0; r < rounds; r++)
        {
            await ours.MeasureAsync(rows, () => SpoolPathAsync(cs, password, data));
            await theirs.MeasureAsync(rows, () => LoadDataAsync(cs, password, processOnly));
            await single.MeasureAsync(rows, () => WatcherPathAsync(cs, password, data));
            await theirsAll.MeasureAsync(rows, () => LoadDataAsync(cs, password, allTables));
            Console.WriteLine($"round {r + 1}: {ours.Last}; {theirs.Last}; {single.Last}; {theirsAll.Last}");
        }
        foreach (var (_, file) in allTables)
            File.Delete(file);
        var (a, b, c, d) = (Median(ours.Rates), Median(theirs.Rates), Median(single.Rates), Median(theirsAll.Rates));
        Console.WriteLine($"{samples} samples × {processes} processes = {rows} process_samples rows; medians (rows/s, ratio to LOAD DATA of process_samples only / of the same three tables):");
        foreach (var (p, rate) in new[] { (theirs, b), (theirsAll, d), (ours, a), (single, c) })
            Console.WriteLine($"  {p.Name}: {rate:0} rows/s, ratios {rate / b:0.00} / {rate / d:0.00}; CPU seconds: client {Median(p.Client):0.00}, server {Median(p.Server):0.00}");
        return 0;
    }

    private static async Task<Round> WatcherPathAsync(string cs, string password, NodeSample[] data)
    {
        var db = await FreshDatabaseAsync(cs, password);
        await using var store = new MySqlUsageStore(db, password);
        await store.MigrateAsync(CancellationToken.None);
        var clock = Clock.Start();
        foreach (var s in data)
            await store.WriteSampleAsync(s, CancellationToken.None);
        var round = clock.Stop();
        await DropAsync(cs, password, db);
        return round;
    }

    private static async Task<Round> SpoolPathAsync(string cs, string password, NodeSample[] data)
    {
        var db = await FreshDatabaseAsync(cs, password);
        var round = await SpoolPath.MeasureAsync(new MySqlUsageStore(db, password), data, Clock.Start, c => c.Stop());
        await DropAsync(cs, password, db);
        return round;
    }

    /// <summary>The mariadb client loading TSV files, one LOAD DATA LOCAL INFILE statement per table (autocommit).</summary>
    private static async Task<Round> LoadDataAsync(string cs, string password, (string Table, string File)[] loads)
    {
        var db = await FreshDatabaseAsync(cs, password);
        await using (var store = new MySqlUsageStore(db, password))
            await store.MigrateAsync(CancellationToken.None);
        var b = new MySqlConnectionStringBuilder(db);
        var psi = new ProcessStartInfo("mariadb") { RedirectStandardError = true };
        var sql = string.Join("; ", loads.Select(l => $"LOAD DATA LOCAL INFILE '{l.File}' INTO TABLE {l.Table} FIELDS TERMINATED BY '\\t' ({string.Join(", ", Columns[l.Table])})"));
        foreach (var a in new[] { "--no-defaults", "--local-infile=1", "-h", b.Server, "-P", b.Port.ToString(CultureInfo.InvariantCulture), "-u", b.UserID, b.Database, "-e", sql })
            psi.ArgumentList.Add(a);
        psi.Environment["MYSQL_PWD"] = password; // never on the command line
        var clock = Clock.Start();
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var round = clock.Stop();
        if (p.ExitCode != 0)
            throw new InvalidOperationException("mariadb failed: " + err);
        await DropAsync(cs, password, db);
        return round;
    }

    private static readonly Dictionary<string, string[]> Columns = new()
    {
        ["samples"] = ["node_name", "seq", "ts", "interval_s", "cpu_busy_pct", "mem_used_bytes", "mem_total_bytes", "cpu_count", "process_count", "unattributed_cpu_pct", "flags"],
        ["user_samples"] = ["node_name", "seq", "ts", "username", "uid", "cpu_pct", "own_cpu_pct", "children_cpu_pct", "rss_bytes", "mem_pct", "process_count"],
        ["process_samples"] = ["node_name", "seq", "ts", "pid", "start_ticks", "username", "uid", "command", "state", "cpu_pct", "children_cpu_pct", "rss_bytes", "mem_pct"],
    };

    private static string SamplesTsv(NodeSample[] data)
    {
        var sb = new StringBuilder();
        foreach (var s in data)
            sb.Append(CultureInfo.InvariantCulture, $"{s.Node}\t{s.Seq}\t{s.Time.ToUnixTimeSeconds()}\t{s.IntervalSeconds}\t{s.CpuBusyPct}\t{s.MemUsedBytes}\t{s.MemTotalBytes}\t{s.CpuCount}\t{s.ProcessCount}\t{s.UnattributedCpuPct}\t{(int)s.Flags}\n");
        return sb.ToString();
    }

    private static string UsersTsv(NodeSample[] data)
    {
        var sb = new StringBuilder();
        foreach (var s in data)
            foreach (var u in s.Users)
                sb.Append(CultureInfo.InvariantCulture, $"{s.Node}\t{s.Seq}\t{s.Time.ToUnixTimeSeconds()}\t{u.User}\t{u.Uid}\t{u.CpuPct}\t{u.OwnCpuPct}\t{u.ChildrenCpuPct}\t{u.RssBytes}\t{u.MemPct}\t{u.ProcessCount}\n");
        return sb.ToString();
    }

    private static string ProcessesTsv(NodeSample[] data)
    {
        var sb = new StringBuilder();
        foreach (var s in data)
            foreach (var p in s.Processes)
                sb.Append(CultureInfo.InvariantCulture, $"{s.Node}\t{s.Seq}\t{s.Time.ToUnixTimeSeconds()}\t{p.Pid}\t{p.StartTicks}\t{p.User}\t{p.Uid}\t{p.Command}\t{p.State}\t{p.CpuPct}\t{p.ChildrenCpuPct}\t{p.RssBytes}\t{p.MemPct}\n");
        return sb.ToString();
    }

    /// <summary>Deterministic samples: 50 users, 40 command names, CPU and memory varying per process and sample.</summary>
    private static NodeSample[] Samples(int samples, int processes)
    {
        var t0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(1, samples).Select(i =>
        {
            var procs = Enumerable.Range(1, processes).Select(p => new ProcessUsage(1000 + p, 100000 + p, 1000 + p % 50, $"user{p % 50:00}", $"cmd{p % 40:00}",
                'R', (p * 7 + i) % 100 + 0.5, p % 3, 1_000_000L * (p % 97 + 1), (p % 97 + 1) / 100.0)).ToList();
            var users = procs.GroupBy(p => p.User).Select(g => new UserUsage(g.Key, g.First().Uid, g.Sum(p => p.TotalCpuPct), g.Sum(p => p.CpuPct), g.Sum(p => p.ChildrenCpuPct), g.Sum(p => p.RssBytes), g.Sum(p => p.MemPct), g.Count())).ToList();
            return new NodeSample("bench01", i, t0.AddSeconds(5 * i), 5, 150, 1L << 33, 1L << 34, 8, processes, 1, SampleFlags.None, users, procs);
        }).ToArray();
    }

    private static async Task<string> FreshDatabaseAsync(string cs, string password)
    {
        var name = "cwtest_bench_" + Guid.NewGuid().ToString("N")[..8];
        await using var c = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { Password = password }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand($"CREATE DATABASE {name} CHARACTER SET utf8mb4", c);
        await cmd.ExecuteNonQueryAsync();
        return new MySqlConnectionStringBuilder(cs) { Database = name }.ConnectionString;
    }

    private static async Task DropAsync(string cs, string password, string db)
    {
        await using var c = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { Password = password }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand($"DROP DATABASE {new MySqlConnectionStringBuilder(db).Database}", c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>One path's rates and CPU seconds per round: the client's (this process, or the mariadb child once
    /// waited for) and the server's (mariadbd, from /proc when it runs here: $CW_TEST_RUN/mariadb/mysqld.pid), over
    /// the timed part only — on two shared cores, client CPU is taken from the server.</summary>
    private sealed class Measured(string name)
    {
        public string Name => name;
        public List<double> Rates { get; } = [];
        public List<double> Client { get; } = [];
        public List<double> Server { get; } = [];
        public string Last => $"{Name} {Rates[^1]:0} rows/s (CPU s: client {Client[^1]:0.00}, server {Server[^1]:0.00})";

        public async Task MeasureAsync(int rows, Func<Task<Round>> run)
        {
            var r = await run();
            Rates.Add(rows / r.Seconds);
            Client.Add(r.Client);
            Server.Add(r.Server);
        }
    }

    private sealed record Round(double Seconds, double Client, double Server);

    private readonly record struct Clock(long Ticks, double Client, double Server)
    {
        public static Clock Start() => new(Stopwatch.GetTimestamp(), ClientCpu(), ServerCpu());

        public Round Stop() => new(Stopwatch.GetElapsedTime(Ticks).TotalSeconds, ClientCpu() - Client, ServerCpu() - Server);
    }

    private static double ClientCpu() => StatSeconds("/proc/self/stat", 4);

    private static double ServerCpu()
    {
        var pidFile = System.IO.Path.Combine(Environment.GetEnvironmentVariable("CW_TEST_RUN") ?? "", "mariadb", "mysqld.pid");
        return File.Exists(pidFile) ? StatSeconds($"/proc/{File.ReadAllText(pidFile).Trim()}/stat", 2) : double.NaN;
    }

    /// <summary>Seconds in the first <paramref name="count"/> clock-tick fields of a /proc stat file from utime (field 14):
    /// utime, stime and, for 4, the waited-for children's cutime, cstime.</summary>
    private static double StatSeconds(string path, int count)
    {
        var text = File.ReadAllText(path);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Skip(11).Take(count).Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
}
