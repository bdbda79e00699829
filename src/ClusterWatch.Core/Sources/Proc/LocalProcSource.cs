using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sources.Proc;

/// <summary>The `proc` source on the watcher's own machine.</summary>
public sealed class LocalProcSource : INodeSource
{
    private readonly LocalProcReader _reader;
    private readonly bool _hidepid;

    public LocalProcSource(string node, IUserNameResolver? users = null, string procRoot = "/proc")
    {
        Node = node;
        _reader = new LocalProcReader(users ?? new GetentUserNameResolver(), procRoot);
        _hidepid = HidePidMounted(procRoot) && Libc.geteuid() != 0;
    }

    public string Node { get; }

    public string Host => "local";

    public string Kind => "proc";

    public Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken) =>
        Task.FromResult(Take(tick));

    /// <summary>Takes one snapshot synchronously (what TakeAsync does; also used by benchmarks).</summary>
    public NodeSnapshot Take(DateTimeOffset tick)
    {
        if (!ProcParsers.TryParseUptime(_reader.ReadFile("uptime"u8), out var uptime))
            throw new NodeSourceException(NodeState.Partial, "cannot read /proc/uptime");
        var stat = _reader.ReadFile("stat"u8);
        if (!ProcParsers.TryParseCpuLine(stat, out var cpu))
            throw new NodeSourceException(NodeState.Partial, "cannot parse the cpu line of /proc/stat");
        var cpus = Math.Max(1, ProcParsers.CountCpus(stat));
        if (!ProcParsers.TryParseMemInfo(_reader.ReadFile("meminfo"u8), out var memTotal, out var memAvail))
            throw new NodeSourceException(NodeState.Partial, "cannot parse /proc/meminfo");
        var processes = _reader.ReadProcesses(out var count);
        var flags = _hidepid || _reader.Denied > 0 ? SampleFlags.Partial : SampleFlags.None;
        var tck = _reader.ClockTicksPerSecond;
        return new NodeSnapshot(
            Node, _reader.BootId, tick, uptime, cpus, cpu.Busy / tck, cpu.Total / tck, memTotal, memAvail,
            processes, count, flags, _reader.Vanished, ClockTicksPerSecond: tck);
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>True when /proc is mounted with hidepid=1/2 (or invisible/noaccess): other users' processes are hidden.</summary>
    internal static bool HidePidMounted(string procRoot)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mounts"))
            {
                var f = line.Split(' ');
                if (f.Length > 3 && f[1] == procRoot && f[2] == "proc")
                    return f[3].Split(',').Any(o => o is "hidepid=1" or "hidepid=2" or "hidepid=invisible" or "hidepid=noaccess");
            }
        }
        catch (IOException)
        {
        }
        return false;
    }
}
