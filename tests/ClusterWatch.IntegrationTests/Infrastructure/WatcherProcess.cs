using System.Diagnostics;
using System.Text;

namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>The real clusterwatch executable (`dotnet clusterwatch.dll …`) run as a child process, output captured.</summary>
public sealed class WatcherProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WatcherProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts clusterwatch in <paramref name="workDir"/> with the MariaDB password in its environment.</summary>
    public static WatcherProcess Start(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(TestServers.ClusterWatchDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["CLUSTERWATCH_DB_PASSWORD"] = Environment.GetEnvironmentVariable("CW_TEST_MYSQL_PASSWORD") ?? "";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        return new WatcherProcess(Process.Start(psi)!);
    }

    /// <summary>Runs to the end and returns the exit code; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"clusterwatch did not exit within {timeout.TotalSeconds} s; output:\n{Output}");
        }
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM: a clean stop (partial window written, spool drained, leases released).</summary>
    public void Stop()
    {
        if (!_process.HasExited)
            Kill(_process.Id, 15);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>SIGKILL: no chance to write anything more.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
        _process.WaitForExit(5000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line == null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
