using ClusterWatch.Core.Sources.Proc;

namespace ClusterWatch.Tests.Sources.Proc;

/// <summary>The reader on a fake /proc tree (regular files answer openat/pread like procfs does).</summary>
public sealed class LocalProcReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cw-proc-").FullName;

    private sealed class Names : IUserNameResolver
    {
        public string Resolve(int uid) => uid switch { 0 => "root", 1001 => "alice", _ => uid.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    private void Process(int pid, string comm, int uid, long utime, long stime, long rssPages, bool status = true, bool stat = true)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        if (stat)
            File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({comm}) S 1 {pid} {pid} 0 -1 0 0 0 0 0 {utime} {stime} 0 0 20 0 1 0 5000 0 {rssPages} 0\n");
        if (status)
            File.WriteAllText(Path.Combine(dir, "status"), $"Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n");
    }

    [Fact]
    public void C16_VanishedProcesses_AreSkippedAndCounted_NotAnError()
    {
        // C16: listing returned 1 4101 4102 4103; 4102 gone before its stat was opened (ENOENT),
        // 4103 gone before its status was read (ESRCH on procfs; a missing file here).
        Process(1, "systemd", 0, 500, 300, 3113);
        Process(4101, "python3", 1001, 9000, 100, 51200);
        Process(4102, "gone", 1001, 1, 1, 1, status: false, stat: false);
        Process(4103, "gone2", 1001, 1, 1, 1, status: false);
        File.WriteAllText(Path.Combine(_root, "uptime"), "100.00 50.00\n");
        Directory.CreateDirectory(Path.Combine(_root, "sys", "kernel", "random"));
        File.WriteAllText(Path.Combine(_root, "sys", "kernel", "random", "boot_id"), "b00t\n");
        using var reader = new LocalProcReader(new Names(), _root);
        var ps = reader.ReadProcesses(out var n);
        var got = ps.Take(n).OrderBy(p => p.Pid).ToList();
        Assert.Equal([1, 4101], got.Select(p => p.Pid));
        Assert.Equal([0, 1001], got.Select(p => p.Uid));
        Assert.Equal("alice", got[1].User);
        Assert.Equal("python3", got[1].Command);
        Assert.Equal(2, reader.Vanished); // proc_vanished_total += 2
        Assert.Equal((9000 + 100) / reader.ClockTicksPerSecond, got[1].CpuSeconds, 6);
        Assert.Equal(51200L * Environment.SystemPageSize, got[1].RssBytes);
        Assert.Equal("b00t", reader.BootId);
    }

    [Fact]
    public void KeptDescriptor_SeesNewValues_AndAGoneProcessIsForgotten()
    {
        Process(7, "loop", 1001, 100, 0, 10);
        using var reader = new LocalProcReader(new Names(), _root);
        reader.ReadProcesses(out var n1);
        Assert.Equal(1, n1);
        Process(7, "loop", 1001, 250, 0, 10);
        var ps = reader.ReadProcesses(out var n2);
        Assert.Equal(1, n2);
        Assert.Equal(250 / reader.ClockTicksPerSecond, ps[0].CpuSeconds, 6);
        Directory.Delete(Path.Combine(_root, "7"), recursive: true);
        reader.ReadProcesses(out var n3);
        Assert.Equal(0, n3);
    }

    [Fact]
    public void RealProc_ContainsThisProcess_WithOurUid()
    {
        using var reader = new LocalProcReader(new GetentUserNameResolver());
        var ps = reader.ReadProcesses(out var n);
        var me = ps.Take(n).Single(p => p.Pid == Environment.ProcessId);
        var statusUid = File.ReadLines($"/proc/{Environment.ProcessId}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        Assert.Equal(int.Parse(statusUid, System.Globalization.CultureInfo.InvariantCulture), me.Uid);
        Assert.True(me.CpuSeconds > 0);
        Assert.True(me.RssBytes > 1 << 20);
        Assert.Equal(36, reader.BootId.Length);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
