using ClusterWatch.Core.Watching;

namespace ClusterWatch.Configuration;

/// <summary>The validated configuration of one clusterwatch run (file + environment + flags).</summary>
public sealed record AppConfig
{
    public WatchOptions Watch { get; init; } = new();

    /// <summary>"proc" or "top": the source used for the local node (and the default for SSH nodes).</summary>
    public string Source { get; init; } = "proc";

    /// <summary>Name of the local node (default: the host name).</summary>
    public string LocalNode { get; init; } = Environment.MachineName;

    public StoreConfig Store { get; init; } = new();

    public WebConfig Web { get; init; } = new();

    /// <summary>The raw configuration, for sections other parts read themselves (e.g. nodes).</summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Raw { get; init; }
}

/// <summary>Where the store is: a SQLite file, or a MySQL/MariaDB connection string (password from env/file).</summary>
public sealed record StoreConfig
{
    public string SqlitePath { get; init; } = "./clusterwatch.db";

    public string? MySql { get; init; }

    /// <summary>File holding the database password (the connection string must not hold it).</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The spool file that keeps samples while the database is away (default: next to the SQLite file, or ./clusterwatch.spool).</summary>
    public string? Spool { get; init; }
}

/// <summary>The dashboard / API / metrics server.</summary>
public sealed record WebConfig
{
    public bool Enabled { get; init; } = true;

    public string Listen { get; init; } = "127.0.0.1:8080";

    /// <summary>File holding the access token (required to bind anywhere but loopback); or CLUSTERWATCH_TOKEN.</summary>
    public string? TokenFile { get; init; }

    public int TopN { get; init; } = 10;
}

/// <summary>
/// A configuration problem: the key (as written in the file), where its value came from (the file, the environment
/// variable or the flag; for a default, the flag that sets it) and how to fix it.
/// </summary>
public sealed record ConfigError(string Key, string Message, string? Origin = null)
{
    public override string ToString() => Origin == null ? $"{Key}: {Message}" : $"{Key} ({Origin}): {Message}";
}

/// <summary>Thrown when the configuration is invalid; the command prints every error and exits 2.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
