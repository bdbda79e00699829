using System.Diagnostics;
using System.Xml;
using ClusterWatch.Core.Profiling;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Profiling;

/// <summary>`clusterwatch profile` against a real watcher reading this machine's /proc.</summary>
[Collection("machine load")]
public sealed class ProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-prof-").FullName;
    private readonly List<Process> _sleepers = [];

    [Fact]
    public async Task Profile_WatcherUnderLoad_CollapsedStacksShowItsOwnSamplingAndParsing()
    {
        StartSleepers(300); // 300 more processes for every sample to read and parse
        var output = Path.Combine(_dir, "watch.collapsed");
        var r = await ClusterWatchProcess.RunAsync(
            ["profile", "-o", output, "--format", "collapsed", "--duration", "15s", "--",
             "watch", "--db", Path.Combine(_dir, "w.db"), "--no-web", "--sample", "1s"],
            TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");

        var stacks = CollapsedStacks.Parse(File.ReadAllText(output));
        var frames = stacks.Keys.SelectMany(s => s.Split(';')).ToHashSet();
        Assert.Contains(frames, f => f.StartsWith("ClusterWatch.Core.Sources.Proc.LocalProcReader.", StringComparison.Ordinal));
        Assert.Contains(frames, f => f.StartsWith("ClusterWatch.Core.Sources.Proc.ProcParsers.", StringComparison.Ordinal)
                                  || f.StartsWith("ClusterWatch.Core.Sampling.CpuDeltaTracker.", StringComparison.Ordinal));
        // Idle left out: no kept stack ends parked in the thread pool's semaphore or a monitor.
        Assert.DoesNotContain(stacks.Keys, s => s.EndsWith("LowLevelLifoSemaphore.WaitNative(class Microsoft.Win32.SafeHandles.SafeWaitHandle,int32)", StringComparison.Ordinal));
        Assert.DoesNotContain(stacks.Keys, s => s.Split(';')[^1].StartsWith("System.Threading.Monitor.Wait", StringComparison.Ordinal));

        // The same stacks as a flame graph: well-formed, and the reader's frames are there with their tooltips.
        var svg = FlameGraphSvg.Render(stacks, new FlameGraphOptions("clusterwatch watch under load"));
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(svg);
        var titles = doc.GetElementsByTagName("title", "http://www.w3.org/2000/svg").Cast<XmlElement>().Select(t => t.InnerText);
        Assert.Contains(titles, t => t.StartsWith("ClusterWatch.Core.Sources.Proc.LocalProcReader.", StringComparison.Ordinal) && t.EndsWith("%)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Profile_AttachByPid_SvgIsWellFormedAndRendersInChromium()
    {
        var chromium = TestServers.Require("CW_TEST_CHROMIUM", "headless Chromium");
        using var watcher = StartWatcher();
        var svgPath = Path.Combine(_dir, "attach.svg");
        try
        {
            await WaitForDiagnosticsSocket(watcher.Id);
            var r = await ClusterWatchProcess.RunAsync(["profile", "--pid", watcher.Id.ToString(), "-o", svgPath, "--duration", "6s"], TimeSpan.FromMinutes(2));
            Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        }
        finally
        {
            watcher.Kill(entireProcessTree: true);
            await watcher.WaitForExitAsync();
        }
        var doc = new XmlDocument { XmlResolver = null };
        doc.Load(svgPath);
        Assert.Equal("svg", doc.DocumentElement!.LocalName);
        Assert.NotEmpty(doc.GetElementsByTagName("rect", "http://www.w3.org/2000/svg").Cast<XmlElement>().Skip(2));

        var run = Environment.GetEnvironmentVariable("CW_TEST_RUN") ?? _dir;
        Directory.CreateDirectory(run);
        var png = Path.Combine(run, "profile-screenshot.png");
        File.Delete(png);
        var psi = new ProcessStartInfo(chromium) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", $"--user-data-dir={Path.Combine(_dir, "chromium")}", $"--screenshot={png}",
                     "--window-size=1220,700", new Uri(svgPath).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var browser = Process.Start(psi)!;
        var stderr = browser.StandardError.ReadToEndAsync();
        _ = browser.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await browser.WaitForExitAsync(cts.Token);
        Assert.True(File.Exists(png), $"no screenshot from {chromium}: {await stderr}");
        // A flame graph of many coloured frames compresses far worse than a blank or error page.
        Assert.True(new FileInfo(png).Length > 15_000, $"screenshot suspiciously small: {new FileInfo(png).Length} bytes");
    }

    [Fact]
    public async Task Profile_NoSuchPid_ClearErrorAndExit2()
    {
        var pid = Enumerable.Range(3_000_000, 1000).First(p => !Directory.Exists($"/proc/{p}"));
        var r = await ClusterWatchProcess.RunAsync(["profile", "--pid", pid.ToString(), "-o", Path.Combine(_dir, "x.svg")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"no process with pid {pid}", r.Stderr);
    }

    [Fact]
    public async Task Profile_NotADotnetProcess_ClearErrorAndExit2()
    {
        StartSleepers(1);
        var pid = _sleepers[0].Id;
        var r = await ClusterWatchProcess.RunAsync(["profile", "--pid", pid.ToString(), "-o", Path.Combine(_dir, "x.svg")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"process {pid} is not a .NET process", r.Stderr);
    }

    [Theory]
    [InlineData("/nonexistent-dir-cw/p.svg")]
    [InlineData("/proc/p.svg")]
    public async Task Profile_UnwritableOutput_ClearErrorBeforeProfiling(string output)
    {
        var started = Stopwatch.StartNew();
        var r = await ClusterWatchProcess.RunAsync(["profile", "-o", output, "--duration", "30s", "--", "watch", "--no-web", "--db", Path.Combine(_dir, "w.db")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"cannot write the output {output}", r.Stderr);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(25), "the output should be checked before the 30 s of profiling");
    }

    [Fact]
    public async Task Profile_NothingToProfile_SaysHow()
    {
        var r = await ClusterWatchProcess.RunAsync(["profile", "-o", Path.Combine(_dir, "x.svg")], TimeSpan.FromMinutes(1));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nothing to profile", r.Stderr);
    }

    private Process StartWatcher()
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { TestServers.ClusterWatchDll, "watch", "--db", Path.Combine(_dir, "attach.db"), "--no-web", "--sample", "1s", "--duration", "90s" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>The runtime opens dotnet-diagnostic-PID-* in the temp folder a moment after start.</summary>
    private static async Task WaitForDiagnosticsSocket(int pid)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until && !Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*").Any())
            await Task.Delay(100);
        await Task.Delay(2000); // let the watcher take a few samples before we start
    }

    private void StartSleepers(int n)
    {
        for (var i = 0; i < n; i++)
        {
            var p = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
            _sleepers.Add(p);
        }
    }

    public void Dispose()
    {
        foreach (var p in _sleepers)
        {
            try
            {
                p.Kill();
                p.WaitForExit(2000);
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }
}
