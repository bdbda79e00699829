namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>
/// Where test.sh started the real servers (environment variables exported by tests/setup/*.sh). Locally a missing
/// server skips the test with a message; under CI=true it fails, so a missing install step can't pass unnoticed.
/// </summary>
public static class TestServers
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of <paramref name="variable"/>, or skip (locally) / fail (CI) saying how to get the server.</summary>
    public static string Require(string variable, string what)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(value))
            return value;
        var message = $"{what} is not available ({variable} is not set): run ./test.sh, which installs and starts it";
        if (InCi)
            Assert.Fail(message);
        Assert.Skip(message);
        return "";
    }

    /// <summary>The repository root (the folder holding ClusterWatch.slnx).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ClusterWatch.slnx")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    /// <summary>Appends a measured figure to a file under $CW_TEST_RUN (or the temp folder), for the docs and notes.</summary>
    public static void Record(string file, string line)
    {
        var dir = Environment.GetEnvironmentVariable("CW_TEST_RUN") ?? Path.GetTempPath();
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, file), line + Environment.NewLine);
    }

    /// <summary>The built clusterwatch executable's dll (run with `dotnet`).</summary>
    public static string ClusterWatchDll => Path.Combine(AppContext.BaseDirectory, "clusterwatch.dll");
}
