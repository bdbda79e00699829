using System.Diagnostics;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>
/// Data written by a real watch run, served by a real `clusterwatch serve`: two processes whose command names are
/// HTML/script injections run during the watch (their comm set through /proc/PID/comm, cut by the kernel to 15
/// bytes), `watch --sample 1s --window 3s --cycle 9s --duration 25s --all-processes` writes a temporary SQLite file
/// (its /metrics is scraped halfway), then `serve` serves that file.
/// </summary>
public sealed class WatchRunFixture : IAsyncLifetime
{
    public static readonly string[] Hostile = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>"];

    private readonly List<Process> _hostile = [];
    private ClusterWatchServer? _serve;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"cw-web-{Guid.NewGuid():N}");

    public string Db => Path.Combine(Dir, "watch.db");

    public string BaseUrl { get; private set; } = "";

    /// <summary>The command names as the kernel kept them (TASK_COMM_LEN: 15 bytes).</summary>
    public List<string> HostileComms { get; } = [];

    /// <summary>/metrics of the running watcher, scraped halfway through.</summary>
    public string Metrics { get; private set; } = "";

    public string WatchOutput { get; private set; } = "";

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        foreach (var name in Hostile)
        {
            // The name is an argument ($0), never shell text; the shell renames itself, then idles.
            var psi = new ProcessStartInfo("sh") { UseShellExecute = false };
            foreach (var a in new[] { "-c", "printf %s \"$0\" > /proc/$$/comm; while :; do sleep 1; done", name })
                psi.ArgumentList.Add(a);
            var p = Process.Start(psi)!;
            _hostile.Add(p);
        }
        await Task.Delay(500);
        foreach (var p in _hostile)
            HostileComms.Add((await File.ReadAllTextAsync($"/proc/{p.Id}/comm")).TrimEnd('\n'));

        var port = Ports.Free();
        await using (var watch = ClusterWatchServer.Start(Dir, null, "watch", "--db", Db, "--sample", "1s", "--window", "3s", "--cycle", "9s",
                         "--duration", "25s", "--all-processes", "--listen", $"127.0.0.1:{port}"))
        {
            await watch.WaitForHttpAsync($"http://127.0.0.1:{port}/", TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(10));
            Metrics = await Http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            var code = await watch.WaitAsync(TimeSpan.FromSeconds(90));
            WatchOutput = watch.Output;
            if (code != 0)
                throw new InvalidOperationException($"watch exited {code}: {WatchOutput}");
        }
        var servePort = Ports.Free();
        BaseUrl = $"http://127.0.0.1:{servePort}";
        _serve = ClusterWatchServer.Start(Dir, null, "serve", "--db", Db, "--listen", $"127.0.0.1:{servePort}");
        await _serve.WaitForHttpAsync(BaseUrl + "/", TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_serve != null)
            await _serve.DisposeAsync();
        foreach (var p in _hostile)
        {
            p.Kill();
            p.Dispose();
        }
        Http.Dispose();
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }

    public static string ScreenshotDir =>
        Path.Combine(Environment.GetEnvironmentVariable("CW_TEST_RUN") ?? Path.Combine(TestServers.RepoRoot, ".test-run"), "screenshots");
}

/// <summary>Runs alone: the watch run and the browser load the machine, which the CPU-accuracy tests must not see.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WatchRunCollection : ICollectionFixture<WatchRunFixture>
{
    public const string Name = "watch run";
}
