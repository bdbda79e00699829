using System.Diagnostics;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Top;

/// <summary>
/// Captures of this machine's real top with different switches, parsed and checked against what /proc says about the
/// same processes: a long user name, a command with spaces, a zombie.
/// </summary>
[Collection("machine load")]
public sealed class TopCaptureTests : IAsyncLifetime
{
    private const string LongUser = "cwlongusername01";
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-topcap-").FullName;
    private readonly List<Process> _started = new();
    private int _spaced, _zombieParent, _zombie, _long;

    public async ValueTask InitializeAsync()
    {
        LoadUsers.RequireRoot("creates a user with a long name");
        LoadUsers.Ensure(LongUser);
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ED);
        // A command whose name holds a space: comm is the file name of what was executed.
        var spacedPath = Path.Combine(_dir, "my worker");
        File.Copy("/bin/sleep", spacedPath);
        File.SetUnixFileMode(spacedPath, (UnixFileMode)0x1ED);
        var spaced = TopCapture.Start(spacedPath, "600");
        // A zombie: the child exits, its parent never reaps it.
        var parent = TopCapture.Start("perl", "-e", "my $p = fork(); if (!$p) { exit 0 } print STDOUT \"$p\\n\"; sleep 600", "--");
        var longUser = TopCapture.Start("runuser", "-u", LongUser, "--", "sleep", "600");
        _started.AddRange([spaced, parent, longUser]);
        _spaced = spaced.Id;
        _zombieParent = parent.Id;
        await Task.Delay(700);
        _zombie = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .First(p => p > 0 && File.Exists($"/proc/{p}/stat") && ParentOf(p) == _zombieParent);
        _long = Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .First(p => p > 0 && File.Exists($"/proc/{p}/stat") && ParentOf(p) == longUser.Id);
    }

    [Theory]
    [InlineData("-w", "512")]
    [InlineData("-e", "m", "-w", "512")]
    [InlineData("-E", "g", "-w", "512")]
    [InlineData("-w", "200")]
    [InlineData("-w", "80")]
    public async Task Capture_KnownProcesses_MatchProc(params string[] switches)
    {
        var text = await TopCapture.RunAsync(_dir, switches);
        var result = TopParser.ParseText(text);
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var frame = Assert.Single(result.Frames);
        Assert.Equal(frame.Summary.TasksTotal, frame.Rows.Count);
        var byPid = frame.Rows.ToDictionary(r => r.Pid);

        var spaced = byPid[_spaced];
        if (spaced.CommandTruncated)
            Assert.StartsWith(spaced.Command, TopCapture.Comm(_spaced), StringComparison.Ordinal);
        else
            Assert.Equal(TopCapture.Comm(_spaced), spaced.Command);
        Assert.Equal("root", spaced.User);
        var unitKib = switches.Contains("m") ? 1024 : 1;
        // RES is printed in KiB (or MiB with -e m, one decimal): within half a printed unit of /proc's VmRSS.
        Assert.InRange(spaced.ResKib!.Value, TopCapture.RssKib(_spaced) - unitKib / 2 - 4, TopCapture.RssKib(_spaced) + unitKib / 2 + 4);
        Assert.Equal(TopCapture.Stat(_spaced).CpuSeconds, spaced.TimeSeconds!.Value, 2);

        var zombie = byPid[_zombie];
        Assert.Equal('Z', zombie.State);
        Assert.Equal(TopCapture.Stat(_zombie).State, zombie.State);
        Assert.Equal(TopCapture.Comm(_zombie), zombie.Command);

        var longRow = byPid[_long];
        Assert.Equal(LongUser, TopCapture.UserName(_long));
        Assert.True(longRow.UserTruncated, longRow.User);
        Assert.StartsWith(longRow.User.TrimEnd('+'), LongUser, StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.Code == TopCodes.UserTruncated);

        if (switches.Contains("g"))
        {
            Assert.Equal("GiB", frame.Summary.MemUnit);
            Assert.Contains(result.Warnings, w => w.Code == TopCodes.LowPrecisionUnit);
            var memTotalKib = long.Parse(File.ReadAllLines("/proc/meminfo")[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            Assert.InRange(frame.Summary.MemTotalKib!.Value, memTotalKib - 52429, memTotalKib + 52429); // ±0.05 GiB
        }
        if (switches.SequenceEqual(["-w", "80"]))
            Assert.True(frame.Rows.Max(r => r.LineLength) <= 80);
    }

    [Fact]
    public async Task Capture_ThreadsMode_RowsAreThreads()
    {
        var text = await TopCapture.RunAsync(_dir, "-H", "-w", "512");
        var result = TopParser.ParseText(text);
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var frame = Assert.Single(result.Frames);
        Assert.True(frame.Summary.ThreadsMode);
        Assert.Contains(result.Warnings, w => w.Code == TopCodes.ThreadsMode);
        // This test process is multi-threaded: each of its threads is a row, as /proc/self/task lists them.
        var self = Environment.ProcessId;
        var tids = Directory.GetDirectories($"/proc/{self}/task").Select(d => int.Parse(Path.GetFileName(d))).ToHashSet();
        var seen = frame.Rows.Count(r => tids.Contains(r.Pid));
        Assert.True(seen >= Math.Min(5, tids.Count) && seen > 1, $"{seen} of {tids.Count} threads of this process shown");
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var p in _started)
            LoadUsers.Stop(p);
        Directory.Delete(_dir, true);
        return ValueTask.CompletedTask;
    }
}
