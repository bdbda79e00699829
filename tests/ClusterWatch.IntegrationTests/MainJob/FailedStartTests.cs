using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.MainJob;

/// <summary>Starts that fail on a bad store: the real executable must say why and leave nothing behind.</summary>
public sealed class FailedStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-failedstart-").FullName;

    /// <summary>4 KiB that do not start with SQLite's header ("SQLite format 3\0").</summary>
    private static readonly byte[] Garbage = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 + 3))];

    private Task<ClusterWatchProcess.Result> Watch(string db) =>
        ClusterWatchProcess.RunAsync(["watch", "--no-web", "--duration", "3s", "--db", db], TimeSpan.FromSeconds(60), _dir);

    [Fact]
    public async Task DbThatIsNotSqlite_Exits1_AndLeavesNoSpoolFile()
    {
        var db = Path.Combine(_dir, "garbage.db");
        await File.WriteAllBytesAsync(db, Garbage, TestContext.Current.CancellationToken);

        var run = await Watch(db);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"cannot use SQLite {db}: SQLite Error 26: 'file is not a database'.\n", run.Stderr);
        Assert.False(File.Exists(db + ".spool"));
        Assert.Equal(Garbage, await File.ReadAllBytesAsync(db, TestContext.Current.CancellationToken));
        Assert.Equal(["garbage.db"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task DbThatIsNotSqlite_WithASpoolFromAnEarlierRun_KeepsThatSpool()
    {
        var db = Path.Combine(_dir, "garbage.db");
        await File.WriteAllBytesAsync(db, Garbage, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(db + ".spool", [], TestContext.Current.CancellationToken);

        var run = await Watch(db);

        Assert.Equal(1, run.ExitCode);
        Assert.True(File.Exists(db + ".spool"));
    }

    [Fact]
    public async Task DbThatIsADirectory_SaysItIsADirectory_Exits2()
    {
        var run = await Watch(_dir);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"configuration error: Store:Sqlite (--db): '{_dir}' is a directory; give the path of a database file in it, e.g. {_dir}/clusterwatch.db\n", run.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
