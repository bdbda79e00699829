using MySqlConnector;

namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>
/// The MariaDB server test.sh started (tests/setup/10-mariadb.sh): a fresh database per test, root SQL through the
/// control script (for server-wide settings), and stop/start for outage tests.
/// </summary>
public static class MariaDb
{
    /// <summary>Connection string without password (as a user would pass to --mysql).</summary>
    public static string ConnectionString => TestServers.Require("CW_TEST_MYSQL", "MariaDB");

    public static string Password => TestServers.Require("CW_TEST_MYSQL_PASSWORD", "MariaDB");

    public static string Ctl => TestServers.Require("CW_TEST_MYSQL_CTL", "MariaDB control script");

    /// <summary>A new empty database (its name starts with cwtest, the user's grant); dropped when disposed.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var name = "cwtest_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = await OpenAsync(ConnectionString))
        await using (var cmd = new MySqlCommand($"CREATE DATABASE {name} CHARACTER SET utf8mb4", c))
            await cmd.ExecuteNonQueryAsync();
        var b = new MySqlConnectionStringBuilder(ConnectionString) { Database = name };
        return new TestDatabase(name, b.ConnectionString);
    }

    public static async Task<MySqlConnection> OpenAsync(string connectionStringWithoutPassword)
    {
        var b = new MySqlConnectionStringBuilder(connectionStringWithoutPassword) { Password = Password, AllowLoadLocalInfile = true };
        var c = new MySqlConnection(b.ConnectionString);
        await c.OpenAsync();
        return c;
    }

    /// <summary>Runs the control script (start, stop, root-sql SQL) and returns its output.</summary>
    public static string Control(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Ctl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Ctl} {string.Join(' ', args)} failed: {error}");
        return output.Trim();
    }
}

/// <summary>One test's own database.</summary>
public sealed class TestDatabase(string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    /// <summary>Without password.</summary>
    public string ConnectionString { get; } = connectionString;

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var c = await MariaDb.OpenAsync(ConnectionString);
        await using var cmd = new MySqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }

    public async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var c = await MariaDb.OpenAsync(ConnectionString);
        await using var cmd = new MySqlCommand(sql, c);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await r.ReadAsync())
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var c = await MariaDb.OpenAsync(MariaDb.ConnectionString);
            await using var cmd = new MySqlCommand($"DROP DATABASE IF EXISTS {Name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (MySqlException)
        {
            // the server may be stopped by the test that failed; test.sh removes the whole datadir anyway
        }
    }
}

/// <summary>Tests that stop the server or change server-wide settings: they run alone, after the others.</summary>
[CollectionDefinition("MariaDB server state", DisableParallelization = true)]
public sealed class MariaDbServerStateCollection;
