using ClusterWatch.Configuration;

namespace ClusterWatch.Tests.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-config-").FullName;

    private AppConfig Load(Dictionary<string, string?> flags, string? json = null)
    {
        string? path = null;
        if (json != null)
        {
            path = Path.Combine(_dir, "clusterwatch.json");
            File.WriteAllText(path, json);
        }
        flags.TryAdd("Store:Sqlite", Path.Combine(_dir, "cw.db"));
        return ConfigLoader.Load(path, flags);
    }

    private ConfigError Fails(Dictionary<string, string?> flags, string? json = null) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Load(flags, json)).Errors);

    [Fact]
    public void Defaults_Are5s30s90s_48h30d365d()
    {
        var c = Load([]);
        Assert.Equal((5, 30, 90), ((int)c.Watch.Sample.TotalSeconds, (int)c.Watch.Window.TotalSeconds, (int)c.Watch.Cycle.TotalSeconds));
        Assert.Equal((48.0, 30.0, 365.0), (c.Watch.Retention.Samples.TotalHours, c.Watch.Retention.Windows.TotalDays, c.Watch.Retention.History.TotalDays));
        Assert.Equal("127.0.0.1:8080", c.Web.Listen);
    }

    [Fact]
    public void WindowNotAWholeNumberOfSamples_NamesKeyFlagAndFix()
    {
        var e = Fails(new() { ["Watch:Sample"] = "5s", ["Watch:Window"] = "32s", ["Watch:Cycle"] = "96s" });
        Assert.Equal(("Watch:Window", "--window"), (e.Key, e.Origin));
        Assert.Contains("not a whole number of samples of 5s", e.Message, StringComparison.Ordinal);
        Assert.Contains("30s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CycleNotAWholeNumberOfWindows_IsRefused()
    {
        var e = Fails(new() { ["Watch:Cycle"] = "100s" });
        Assert.Equal(("Watch:Cycle", "--cycle"), (e.Key, e.Origin));
        Assert.Contains("whole number of windows of 30s", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("fast")]
    public void IntervalNotPositive_OrNotADuration_IsRefused(string value)
    {
        var e = Fails(new() { ["Watch:Sample"] = value });
        Assert.Equal(("Watch:Sample", "--sample"), (e.Key, e.Origin));
    }

    [Theory]
    [InlineData("Watch:Duration", "9999999999d", "--duration")]
    [InlineData("Watch:Sample", "99999999999999999999s", "--sample")]
    [InlineData("Watch:Duration", "NaN", "--duration")]
    [InlineData("Watch:Duration", "Infinitys", "--duration")]
    [InlineData("Retention:Samples", "9999999999d", "command line")]
    [InlineData("Retention:History", "36501d", "command line")]
    public void DurationOverflowingOrNotFinite_IsAConfigError(string key, string value, string flag)
    {
        var e = Fails(new() { [key] = value });
        Assert.Equal((key, flag), (e.Key, e.Origin));
        Assert.Equal($"'{value}' is not a duration; write it like 5s, 30s, 2m, 48h or 30d (at most 36500d)", e.Message);
    }

    [Theory]
    [InlineData("Watch:Duration", "--duration")]
    [InlineData("Watch:Sample", "--sample")]
    [InlineData("Watch:SampleTimeout", "command line")]
    public void TimerDurationPast49Days_IsRefused(string key, string flag)
    {
        // A .NET timer waits at most 2^32 - 2 ms (49.7 days); 50d would throw when the watch starts.
        var e = Fails(new() { [key] = "50d" });
        Assert.Equal((key, flag, "'50d' is longer than the limit of 49d"), (e.Key, e.Origin, e.Message));
        Assert.Equal(TimeSpan.FromDays(49), Load(new() { ["Watch:Duration"] = "49d" }).Watch.Duration);
    }

    [Fact]
    public void RetentionOf100Years_IsAccepted()
    {
        Assert.Equal(TimeSpan.FromDays(36500), Load(new() { ["Retention:History"] = "36500d" }).Watch.Retention.History);
    }

    [Fact]
    public void UnknownKeyInTheFile_IsRefusedWithTheKnownKeys()
    {
        var e = Fails([], """{ "Watch": { "Sampel": "5s" } }""");
        Assert.Equal(("Watch:Sampel", $"in {Path.Combine(_dir, "clusterwatch.json")}"), (e.Key, e.Origin));
        Assert.Contains("Sample, Window, Cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidValueInTheFile_NamesTheFile_NotTheFlag()
    {
        var e = Fails([], """{ "Watch": { "Window": "32s" } }""");
        Assert.Equal($"Watch:Window (in {Path.Combine(_dir, "clusterwatch.json")}): 32s is not a whole number of samples of 5s; use a multiple such as 30s", e.ToString());
    }

    [Fact]
    public void InvalidValueFromTheEnvironment_NamesTheVariableAsSpelled()
    {
        // The binder ignores case in the prefix and the key, so the message must name the variable as the user wrote it.
        Environment.SetEnvironmentVariable("CLUSTERWATCH__WATCH__WINDOW", "32s");
        try
        {
            var e = Fails([], """{ "Watch": { "Window": "30s" } }""");
            Assert.Equal("Watch:Window (environment variable CLUSTERWATCH__WATCH__WINDOW): 32s is not a whole number of samples of 5s; use a multiple such as 30s", e.ToString());
            var flagWins = Fails(new() { ["Watch:Window"] = "33s" });
            Assert.Equal(("Watch:Window", "--window"), (flagWins.Key, flagWins.Origin));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLUSTERWATCH__WATCH__WINDOW", null);
        }
    }

    [Fact]
    public void EnvironmentVariable_FindsTheVariableThatSetAKeyOrItsSection()
    {
        var env = new System.Collections.Hashtable
        {
            ["PATH"] = "/bin", ["clusterwatch__web__topn"] = "x", ["CLUSTERWATCH__Nodes__0__Port"] = "0",
        };
        Assert.Equal("clusterwatch__web__topn", ConfigOrigins.EnvironmentVariable("Web:TopN", env));
        Assert.Equal("CLUSTERWATCH__Nodes__0__Port", ConfigOrigins.EnvironmentVariable("Nodes:0", env));
        Assert.Equal("CLUSTERWATCH__Watch__Sample", ConfigOrigins.EnvironmentVariable("Watch:Sample", env));
    }

    [Theory]
    [InlineData("{\n \"Watch\": {\n  \"Window\": \"30s\",,\n }\n}", "line 3, column 19: invalid JSON: ',' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("{ \"Watch\": { \"LocalNode\": \"é€\", x } }", "line 1, column 33: invalid JSON: 'x' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("{ \"Watch\": { \"Window\": \"30s\" }\n", "line 2, column 1: invalid JSON: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed.")]
    public void BrokenJson_NamesFileLineAndColumn(string json, string message)
    {
        var e = Fails([], json);
        Assert.Equal((Path.Combine(_dir, "clusterwatch.json"), message), (e.Key, e.Message));
    }

    [Fact]
    public void EnvironmentOverridesFile_AndFlagsOverrideEnvironment()
    {
        Environment.SetEnvironmentVariable("CLUSTERWATCH__Watch__Window", "60s");
        try
        {
            var fromEnv = Load([], """{ "Watch": { "Sample": "10s", "Window": "20s", "Cycle": "60s" } }""");
            Assert.Equal(60, fromEnv.Watch.Window.TotalSeconds);
            var fromFlag = Load(new() { ["Watch:Window"] = "30s", ["Watch:Cycle"] = "90s" }, """{ "Watch": { "Sample": "10s" } }""");
            Assert.Equal(30, fromFlag.Watch.Window.TotalSeconds);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLUSTERWATCH__Watch__Window", null);
        }
    }

    [Fact]
    public void UnwritableDatabasePath_IsRefused()
    {
        var e = Fails(new() { ["Store:Sqlite"] = "/nonexistent-dir/cw.db" });
        Assert.Equal(("Store:Sqlite", "--db"), (e.Key, e.Origin));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatabasePathThatIsADirectory_SaysSo_NotAccessDenied()
    {
        var e = Fails(new() { ["Store:Sqlite"] = _dir });
        Assert.Equal(("Store:Sqlite", "--db"), (e.Key, e.Origin));
        Assert.Equal($"'{_dir}' is a directory; give the path of a database file in it, e.g. {_dir}/clusterwatch.db", e.Message);
    }

    [Fact]
    public void Durations_ParseTheUsualForms()
    {
        Assert.True(Durations.TryParse("500ms", out var ms) && ms == TimeSpan.FromMilliseconds(500));
        Assert.True(Durations.TryParse("2m", out var m) && m == TimeSpan.FromMinutes(2));
        Assert.True(Durations.TryParse("7d", out var d) && d == TimeSpan.FromDays(7));
        Assert.True(Durations.TryParse("15", out var s) && s == TimeSpan.FromSeconds(15));
        Assert.False(Durations.TryParse("5 parsecs", out _));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
