using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.Tests.Sources.Ssh;

/// <summary>The proc script run by this machine's /bin/sh (what a node runs), answers checked against /proc read here.</summary>
public sealed class ProcScriptTests
{
    [Fact]
    public async Task Snapshot_HoldsThisProcess_AsItsOwnStatFileSaysIt()
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var sh = Process.Start(psi)!;
        await sh.StandardInput.WriteAsync(ProcScript.Text);
        await sh.StandardInput.FlushAsync();
        // As the watcher does: requests only after the header, or sh would read them as part of its script.
        string? line;
        while ((line = await sh.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))) is not null and not "E 0")
        {
        }
        await sh.StandardInput.WriteAsync("s 1\nx\n");
        sh.StandardInput.Close();
        var output = await sh.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await sh.WaitForExitAsync();
        Assert.Equal(0, sh.ExitCode);
        var bytes = Encoding.UTF8.GetBytes(output);
        var end = output.IndexOf("\nE 1\n", StringComparison.Ordinal);
        Assert.True(end > 0, output[..Math.Min(300, output.Length)]);
        var list = new List<RemoteStat>();
        Assert.True(SshProcParser.TryParseSnapshot(SshProcParser.Body(bytes.AsSpan(0, end + 1), 1), out var totals, list, out var unreadable));
        Assert.Equal(0, unreadable);
        Assert.True(totals.MemTotalBytes > 0 && totals.UptimeSeconds > 0);
        // This test's own process, compared field by field with its /proc/self/stat read here.
        var self = File.ReadAllText("/proc/self/stat");
        var comm = self[(self.IndexOf('(') + 1)..self.LastIndexOf(')')];
        var fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
        var me = Assert.Single(list, p => p.Stat.Pid == Environment.ProcessId);
        Assert.Equal(comm, me.Comm);
        Assert.Equal(long.Parse(fields[19], CultureInfo.InvariantCulture), me.Stat.StartTicks);
        Assert.Equal(int.Parse(fields[1], CultureInfo.InvariantCulture), me.Stat.ParentPid);
    }

    [Fact]
    public void Snapshot_WithNoProcessVisible_IsNotUnreadable()
    {
        // `p=$(cat …)` of nothing still prints its (empty) line.
        var body = Encoding.ASCII.GetBytes("10.0 5.0\ncpu  1 0 1 10 0 0 0 0 0 0\nMemTotal: 100 kB\nMemFree: 50 kB\nMemAvailable: 60 kB\n\n");
        var list = new List<RemoteStat>();
        Assert.True(SshProcParser.TryParseSnapshot(body, out _, list, out var unreadable));
        Assert.Empty(list);
        Assert.Equal(0, unreadable);
    }
}
