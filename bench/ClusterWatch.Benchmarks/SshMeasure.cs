using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// `ssh NAME HOST PORT KEY KNOWN_HOSTS SAMPLES [compress]`: the watcher's CPU and the bytes per node-sample of the proc
/// source over SSH against a real node: one connection, SAMPLES snapshots taken back to back (after 10 s of warm-up ones),
/// or with `ssh-top` the top source (one persistent `top -b -d 1`, a take each second),
/// each fed to the CPU delta tracker as the watcher does. CPU is this process's user+system time (SSH.NET's
/// decryption threads included); payload bytes are the script's output; wire bytes come from the kernel's tcp_info
/// (ss) for the connection.
/// </summary>
public static class SshMeasure
{
    public static async Task RunAsync(string[] a)
    {
        var compress = a.Length > 7 && a[7] == "compress";
        var ep = new SshEndpoint(a[1], a[2], int.Parse(a[3], CultureInfo.InvariantCulture), "cwnode", a[4], null, a[5],
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), compress);
        var samples = int.Parse(a[6], CultureInfo.InvariantCulture);
        if (a[0] == "ssh-top")
        {
            // top paces itself (one frame a second): each take waits for the next second, as the watcher's tick does.
            var transport = new SshTopTransport(ep);
            await using var top = new TopSource(ep.Name, transport, 1, null, "C.UTF-8");
            await MeasureAsync("top", ep, compress, samples, top, () => transport.BytesReceived, paced: true);
        }
        else
        {
            await using var proc = new SshProcSource(ep);
            await MeasureAsync("proc", ep, compress, samples, proc, () => proc.BytesReceived, paced: false);
        }
    }

    private static async Task MeasureAsync(string kind, SshEndpoint ep, bool compress, int samples, INodeSource src, Func<long> payloadBytes, bool paced)
    {
        var tracker = new CpuDeltaTracker();
        var procs = 0;
        async Task TakeAsync()
        {
            if (paced)
                await Task.Delay(1000 - DateTimeOffset.UtcNow.Millisecond);
            procs = tracker.Update(await src.TakeAsync(DateTimeOffset.UtcNow, CancellationToken.None))?.ProcessCount ?? procs;
        }
        // Warm up for 10 s: tiered JIT (with dynamic PGO) recompiles the hot paths for seconds after the start and
        // would otherwise be charged to the first samples (a long-running watcher pays it once).
        // A paced source calls its per-frame code once a second, and methods tier up after 30 calls: 45 frames.
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < (paced ? 45 : 3) || warm.Elapsed < TimeSpan.FromSeconds(10); i++)
            await TakeAsync();
        var me = Process.GetCurrentProcess();
        me.Refresh();
        var cpu0 = me.TotalProcessorTime;
        var bytes0 = payloadBytes();
        var wire0 = WireBytes(ep);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
            await TakeAsync();
        wall.Stop();
        me.Refresh();
        var cpu = (me.TotalProcessorTime - cpu0).TotalMilliseconds / samples;
        var payload = (payloadBytes() - bytes0) / (double)samples;
        var wire = (WireBytes(ep) - wire0) / (double)samples;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind} over SSH{(compress ? " (zlib)" : "")}: {procs} processes: {cpu:0.00} ms watcher CPU per node-sample, {payload:0} B payload, {wire:0} B on the wire per node-sample{(paced ? "" : $", {wall.Elapsed.TotalMilliseconds / samples:0.0} ms round trip")}"));
    }

    private static long WireBytes(SshEndpoint ep)
    {
        var psi = new ProcessStartInfo("ss") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "-tinH", "dst", $"{ep.Host}:{ep.Port}" })
            psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        long total = 0;
        foreach (var token in text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
            if (token.StartsWith("bytes_received:", StringComparison.Ordinal))
                total += long.Parse(token["bytes_received:".Length..], CultureInfo.InvariantCulture);
        return total;
    }
}
