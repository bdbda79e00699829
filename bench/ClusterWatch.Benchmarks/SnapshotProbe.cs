using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Core.Sources.Proc;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// Takes N warm snapshots of the real /proc exactly as `watch` does per tick (processes, uids and names, /proc/stat,
/// /proc/meminfo, uptime) and prints CPU seconds (user+sys of this process) and bytes allocated per snapshot.
/// </summary>
internal static class SnapshotProbe
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var source = new LocalProcSource("bench");
        for (var i = 0; i < 5; i++)
            source.Take(DateTimeOffset.UtcNow); // warm: JIT, kept descriptors, uid cache
        var processes = source.Take(DateTimeOffset.UtcNow).ProcessCount;
        var me = Process.GetCurrentProcess();
        me.Refresh();
        var cpu0 = me.TotalProcessorTime;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
            source.Take(DateTimeOffset.UtcNow);
        var alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        me.Refresh();
        var cpu = (me.TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"processes={processes} snapshots={count} cpu_s_per_snapshot={cpu / count:0.000000} bytes_per_snapshot={alloc / count} bytes_per_process={(double)alloc / count / processes:0.00}"));
        return 0;
    }
}
