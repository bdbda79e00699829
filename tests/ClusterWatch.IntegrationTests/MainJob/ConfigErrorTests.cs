using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.MainJob;

/// <summary>A mistyped configuration, as a fresh user makes it: the real executable must name where the value came from and exit 2.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-configerr-").FullName;

    private Task<ClusterWatchProcess.Result> Watch(IDictionary<string, string>? env, params string[] args) =>
        ClusterWatchProcess.RunAsync(["watch", "--no-web", "--duration", "1s", "--db", Path.Combine(_dir, "cw.db"), .. args], TimeSpan.FromSeconds(60), _dir, env);

    [Fact]
    public async Task InvalidEnvironmentVariable_NamesTheVariable_Exits2()
    {
        var run = await Watch(new Dictionary<string, string> { ["CLUSTERWATCH__Watch__Sample"] = "fast" });
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("configuration error: Watch:Sample (environment variable CLUSTERWATCH__Watch__Sample): 'fast' is not a duration; write it like 5s, 30s, 2m, 48h or 30d (at most 36500d)\n", run.Stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "cw.db")));
    }

    [Theory]
    [InlineData("--duration", "9999999999d", "Watch:Duration")]
    [InlineData("--sample", "99999999999999999999s", "Watch:Sample")]
    [InlineData("--duration", "NaN", "Watch:Duration")]
    [InlineData("--duration", "Infinitys", "Watch:Duration")]
    public async Task OverflowingOrNotFiniteDuration_IsAConfigError_Exits2WithoutAStackTrace(string flag, string value, string key)
    {
        // Not through Watch(): it already gives --duration, and the option takes one value.
        var run = await ClusterWatchProcess.RunAsync(["watch", "--no-web", "--db", Path.Combine(_dir, "cw.db"), flag, value], TimeSpan.FromSeconds(60), _dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"configuration error: {key} ({flag}): '{value}' is not a duration; write it like 5s, 30s, 2m, 48h or 30d (at most 36500d)\n", run.Stderr);
    }

    [Fact]
    public async Task OverflowingRetentionFromTheEnvironment_NamesTheVariable_Exits2()
    {
        var run = await Watch(new Dictionary<string, string> { ["CLUSTERWATCH__Retention__Samples"] = "9999999999d" });
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("configuration error: Retention:Samples (environment variable CLUSTERWATCH__Retention__Samples): '9999999999d' is not a duration; write it like 5s, 30s, 2m, 48h or 30d (at most 36500d)\n", run.Stderr);
    }

    [Fact]
    public async Task ReportSinceOverflowing_IsAConfigError_Exits2()
    {
        var run = await ClusterWatchProcess.RunAsync(["report", "--since", "9999999999d", "--db", Path.Combine(_dir, "cw.db")], TimeSpan.FromSeconds(60), _dir, null);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("configuration error: --since: '9999999999d' is neither an age (1h, 7d) nor a time (2026-12-03T10:00Z)\n", run.Stderr);
    }

    [Fact]
    public async Task BrokenJsonFile_NamesFileLineAndColumn_Exits2WithoutAStackTrace()
    {
        var config = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(config, "{\n  \"Watch\": { \"Sample\": \"5s\" }\n  \"Web\": { \"Listen\": \"127.0.0.1:9\" }\n}\n", TestContext.Current.CancellationToken);
        var run = await Watch(null, "--config", "broken.json");
        Assert.Equal(2, run.ExitCode);
        // Line 3 starts a property where a comma was needed; its first character is column 3.
        Assert.Equal("configuration error: broken.json: line 3, column 3: invalid JSON: '\"' is invalid after a value. Expected either ',', '}', or ']'.\n", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
