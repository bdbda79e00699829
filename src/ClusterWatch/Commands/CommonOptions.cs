using System.CommandLine;
using ClusterWatch.Configuration;

namespace ClusterWatch.Commands;

/// <summary>Options several commands share, mapped onto configuration keys so flags, env and file validate alike.</summary>
internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c") { Description = "Configuration file (default: ./clusterwatch.json if present)" };

    public static Option<string?> Db() => new("--db") { Description = "SQLite database file (default ./clusterwatch.db)" };

    public static Option<string?> MySql() => new("--mysql")
    {
        Description = "MySQL/MariaDB connection string without password (Server=…;Database=…;User ID=…); the password comes from CLUSTERWATCH_DB_PASSWORD or Store:PasswordFile",
    };

    /// <summary>Runs a command body, turning configuration errors into messages and exit code 2.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
                await Console.Error.WriteLineAsync($"configuration error: {error}");
            return 2;
        }
    }
}
