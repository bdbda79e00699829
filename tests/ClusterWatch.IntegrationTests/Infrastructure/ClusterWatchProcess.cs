using System.Diagnostics;
using System.Text;

namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>Runs the built clusterwatch executable as a user would (no shell), capturing its output.</summary>
public static class ClusterWatchProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        psi.ArgumentList.Add(TestServers.ClusterWatchDll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"clusterwatch {string.Join(' ', args)} did not finish in {timeout}; output so far:\n{stdout}\n{stderr}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
