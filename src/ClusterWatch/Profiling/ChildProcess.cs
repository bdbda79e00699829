using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.NETCore.Client;

namespace ClusterWatch.Profiling;

/// <summary>Starts `dotnet clusterwatch.dll ARGS…` (this very build) to be profiled, and stops it gently.</summary>
internal static partial class ChildProcess
{
    private const int SIGTERM = 15;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    /// <summary>Starts this clusterwatch with <paramref name="args"/>; its output goes to ours.</summary>
    public static Process Start(IReadOnlyList<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "clusterwatch.dll");
        if (!File.Exists(dll))
            throw new ProfileException($"cannot find {dll} to start the watcher from");
        var psi = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new ProfileException("could not start the watcher");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ProfileException($"could not start the watcher ({psi.FileName}): {e.Message}", e);
        }
    }

    /// <summary>Waits until the runtime in <paramref name="child"/> listens for diagnostics (it takes a moment to start).</summary>
    public static async Task WaitForDiagnosticsAsync(Process child, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (child.HasExited)
                throw new ProfileException($"the watcher exited with code {child.ExitCode} before profiling could start");
            if (DiagnosticsClient.GetPublishedProcesses().Contains(child.Id))
                return;
            await Task.Delay(100, ct);
        }
        throw new ProfileException($"the watcher (pid {child.Id}) did not open its diagnostics socket within {timeout.TotalSeconds:0} s");
    }

    /// <summary>SIGTERM (the watcher then writes its partial window and exits 0), SIGKILL if it lingers.</summary>
    public static async Task StopAsync(Process child, TimeSpan grace)
    {
        if (child.HasExited)
            return;
        _ = kill(child.Id, SIGTERM);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await child.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>The dotnet host running us if we run under it, else `dotnet` from PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self != null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
