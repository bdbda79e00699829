using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// Throughput of the top parser on a large recorded log: this machine's real `top -b -w 512` output (recorded at
/// setup), repeated to about 32 MB. MB/s = <see cref="Megabytes"/> / mean time.
/// </summary>
[MemoryDiagnoser]
public class TopParserBenchmark
{
    private string _log = "";

    /// <summary>Size of the log in MB (10^6 bytes of UTF-8 text).</summary>
    public double Megabytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _log = TopLogGenerator.RecordedLog(32_000_000);
        Megabytes = Encoding.UTF8.GetByteCount(_log) / 1e6;
        Console.WriteLine($"// top log: {Megabytes:0.0} MB, {_log.Split('\n').Length} lines");
    }

    [Benchmark]
    public int ParseRecordedLog() => new TopParser().Parse(_log).Frames.Count;
}

/// <summary>Logs of top output for the benchmarks: real recordings made on this machine, or synthetic ones of a given shape.</summary>
public static class TopLogGenerator
{
    /// <summary>Records `top -b -n 5 -d 0.3 -w 512` here and repeats it until the text is at least <paramref name="chars"/> long.</summary>
    public static string RecordedLog(int chars)
    {
        var psi = new ProcessStartInfo("top", ["-b", "-n", "5", "-d", "0.3", "-w", "512"]) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi)!;
        var one = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var sb = new StringBuilder(chars + one.Length);
        while (sb.Length < chars)
            sb.Append(one);
        return sb.ToString();
    }

    /// <summary>
    /// A `top -b -d 1` log of <paramref name="frames"/> frames of <paramref name="processes"/> processes each, in
    /// procps-ng 4's default columns, clocks one second apart from 10:00:00, TIME+ growing with each row's %CPU.
    /// </summary>
    public static string Synthetic(int frames, int processes)
    {
        var sb = new StringBuilder();
        var time = new double[processes];
        for (var f = 0; f < frames; f++)
        {
            var clock = TimeSpan.FromHours(10) + TimeSpan.FromSeconds(f);
            sb.Append($"top - {clock:hh\\:mm\\:ss} up 9 min,  0 user,  load average: 2.38, 0.79, 0.28\n");
            sb.Append($"Tasks: {processes,4} total,   2 running, {processes - 2,3} sleeping,   0 stopped,   0 zombie\n");
            sb.Append("%Cpu(s): 42.1 us, 14.0 sy,  0.0 ni, 43.4 id,  0.0 wa,  0.0 hi,  0.0 si,  0.4 st \n");
            sb.Append("MiB Mem :  24105.1 total,  21828.6 free,    593.6 used,   2033.5 buff/cache     \n");
            sb.Append("MiB Swap:      0.0 total,      0.0 free,      0.0 used.  23511.5 avail Mem \n\n");
            sb.Append("  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n");
            for (var i = 0; i < processes; i++)
            {
                var pct = i % 10 == 0 ? 50.0 : i % 3 == 0 ? 1.3 : 0.0;
                time[i] += pct / 100;
                var t = time[i];
                var minutes = (int)(t / 60);
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{1000 + i,5} {"user" + (i % 40),-8}  20   0 {10000 + i,7} {5000 + i * 7,6} {1000,6} {(pct > 0 ? 'R' : 'S')} {pct,5:0.0} {0.1,5:0.0} {minutes,6}:{t - minutes * 60,5:00.00} cmd{i % 150}\n");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
