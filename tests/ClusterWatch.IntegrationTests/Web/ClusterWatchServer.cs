using System.Diagnostics;
using System.Text;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>The built clusterwatch executable as a long-running child process (`watch`, `serve`): started, polled over HTTP, killed by its PID.</summary>
internal sealed class ClusterWatchServer : IAsyncDisposable
{
    private readonly Process _p;
    private readonly StringBuilder _out = new();

    private ClusterWatchServer(Process p)
    {
        _p = p;
    }

    public string Output
    {
        get
        {
            lock (_out)
                return _out.ToString();
        }
    }

    public bool HasExited => _p.HasExited;

    public int ExitCode => _p.ExitCode;

    public static ClusterWatchServer Start(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(TestServers.ClusterWatchDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("CLUSTERWATCH_TOKEN");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var cw = new ClusterWatchServer(p);
        p.OutputDataReceived += (_, e) => cw.Append(e.Data);
        p.ErrorDataReceived += (_, e) => cw.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return cw;
    }

    private void Append(string? line)
    {
        if (line == null)
            return;
        lock (_out)
            _out.AppendLine(line);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        await _p.WaitForExitAsync().WaitAsync(timeout);
        _p.WaitForExit(); // flushes the redirected output
        return _p.ExitCode;
    }

    /// <summary>Waits until GET url answers (any status), or the process exits.</summary>
    public async Task WaitForHttpAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_p.HasExited)
                throw new InvalidOperationException($"clusterwatch exited ({_p.ExitCode}): {Output}");
            try
            {
                using var _ = await http.GetAsync(url);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_p.HasExited)
        {
            _p.Kill();
            await _p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _p.Dispose();
    }
}
