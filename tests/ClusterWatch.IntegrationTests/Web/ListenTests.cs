using System.Net;
using System.Net.Sockets;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>
/// Starting the web server wrong: a port another program holds (one clear error naming the key, exit 2, no stack trace
/// — for watch and serve), and `serve` of a database that does not exist.
/// </summary>
public sealed class ListenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-listen-").FullName;

    [Theory]
    [InlineData("watch")]
    [InlineData("serve")]
    public async Task TakenPort_ExitsWithAConfigurationErrorNamingTheKey(string command)
    {
        var port = Ports.Free();
        using var holder = new TcpListener(IPAddress.Loopback, port);
        holder.Start();
        var db = Path.Combine(_dir, command + ".db");
        if (command == "serve")
        {
            // serve needs a store that holds data: a short watch without the web writes one.
            var seed = await ClusterWatchProcess.RunAsync(["watch", "--db", db, "--sample", "1s", "--window", "2s", "--cycle", "4s", "--duration", "3s", "--no-web"], TimeSpan.FromSeconds(90), _dir);
            Assert.True(seed.ExitCode == 0, seed.Stdout + seed.Stderr);
        }
        string[] args = command == "watch"
            ? ["watch", "--db", db, "--sample", "1s", "--window", "2s", "--cycle", "4s", "--duration", "5s", "--listen", $"127.0.0.1:{port}"]
            : ["serve", "--db", db, "--listen", $"127.0.0.1:{port}"];
        var run = await ClusterWatchProcess.RunAsync(args, TimeSpan.FromSeconds(90), _dir);
        var output = run.Stdout + run.Stderr;
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {output}");
        Assert.Contains("Web:Listen (--listen)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port} is already in use", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        // The port is checked before the watch or the serving is announced: the error is all that is said.
        Assert.Equal("", run.Stdout);
        if (command == "watch")
            Assert.False(File.Exists(db + ".spool"), "a failed start left its new, empty spool file");
    }

    [Fact]
    public async Task Serve_MissingDatabase_SaysSo_AndLeavesNoFileBehind()
    {
        var db = Path.Combine(_dir, "never-written.db");
        var run = await ClusterWatchProcess.RunAsync(["serve", "--db", db, "--listen", $"127.0.0.1:{Ports.Free()}"], TimeSpan.FromSeconds(60), _dir);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"no database at {db}", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
