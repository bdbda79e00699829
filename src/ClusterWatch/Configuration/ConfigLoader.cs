using System.Globalization;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.Extensions.Configuration;

namespace ClusterWatch.Configuration;

/// <summary>
/// Loads clusterwatch.json, then CLUSTERWATCH__Section__Key environment variables, then command-line flags (each
/// layer overrides the one before), and validates every value: an error names the key, the flag, and the fix.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Keys each section accepts. Sections with lists (Nodes) are validated by their own readers.</summary>
    private static readonly Dictionary<string, string[]> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Watch"] = ["Sample", "Window", "Cycle", "Duration", "AllProcesses", "TopByMemory", "Source", "LocalNode", "SampleTimeout"],
        ["Store"] = ["Sqlite", "MySql", "PasswordFile", "Spool"],
        ["Retention"] = ["Samples", "Windows", "History"],
        ["Web"] = ["Enabled", "Listen", "TokenFile", "TopN"],
    };

    /// <summary>Sections whose contents are validated elsewhere (registered by the parts that read them).</summary>
    public static readonly HashSet<string> OpenSections = new(StringComparer.OrdinalIgnoreCase) { "Nodes", "NodeDefaults" };

    /// <summary>Which flag sets a key, for messages.</summary>
    internal static readonly Dictionary<string, string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Watch:Sample"] = "--sample", ["Watch:Window"] = "--window", ["Watch:Cycle"] = "--cycle",
        ["Watch:Duration"] = "--duration", ["Watch:AllProcesses"] = "--all-processes", ["Watch:Source"] = "--source",
        ["Store:Sqlite"] = "--db", ["Store:MySql"] = "--mysql", ["Web:Listen"] = "--listen", ["Web:Enabled"] = "--no-web",
    };

    public static AppConfig Load(string? path, IDictionary<string, string?> overrides, bool requireFile = false)
    {
        var builder = new ConfigurationBuilder();
        path ??= File.Exists("clusterwatch.json") ? "clusterwatch.json" : null;
        if (path != null)
        {
            if (!File.Exists(path))
                throw new ConfigException([new ConfigError("--config", $"no such file '{path}'; give the path of a clusterwatch.json")]);
            builder.AddJsonFile(Path.GetFullPath(path), optional: false);
        }
        else if (requireFile)
            throw new ConfigException([new ConfigError("--config", "no clusterwatch.json here; pass --config FILE")]);
        builder.AddEnvironmentVariables(ConfigOrigins.EnvironmentPrefix);
        builder.AddInMemoryCollection(overrides.Where(kv => kv.Value != null));
        IConfigurationRoot raw;
        try
        {
            raw = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigException([ConfigFileErrors.Describe(path ?? "configuration", e)]);
        }
        return Validate(raw);
    }

    internal static AppConfig Validate(IConfiguration raw)
    {
        var errors = new List<ConfigError>();
        CheckUnknownKeys(raw, errors);
        var sample = Duration(raw, "Watch:Sample", TimeSpan.FromSeconds(5), errors, Durations.MaxTimer);
        var window = Duration(raw, "Watch:Window", TimeSpan.FromSeconds(30), errors, Durations.MaxTimer);
        var cycle = Duration(raw, "Watch:Cycle", TimeSpan.FromSeconds(90), errors, Durations.MaxTimer);
        if (sample > TimeSpan.Zero && (sample.Ticks % TimeSpan.TicksPerSecond != 0))
            errors.Add(Error("Watch:Sample", $"'{Durations.Format(sample)}' is not a whole number of seconds; samples are stored per second — use e.g. 1s or 5s"));
        if (sample > TimeSpan.Zero && window > TimeSpan.Zero && window.Ticks % sample.Ticks != 0)
            errors.Add(Error("Watch:Window", $"{Durations.Format(window)} is not a whole number of samples of {Durations.Format(sample)}; use a multiple such as {Durations.Format(sample * Math.Max(2, Math.Round(window / sample)))}"));
        else if (window > TimeSpan.Zero && cycle > TimeSpan.Zero && cycle.Ticks % window.Ticks != 0)
            errors.Add(Error("Watch:Cycle", $"{Durations.Format(cycle)} is not a whole number of windows of {Durations.Format(window)}; use a multiple such as {Durations.Format(window * Math.Max(2, Math.Round(cycle / window)))}"));
        if (window > TimeSpan.Zero && cycle > TimeSpan.Zero && cycle.Ticks % window.Ticks == 0 && cycle.Ticks / window.Ticks > 3)
            errors.Add(Error("Watch:Cycle", $"a cycle holds at most 3 windows (history keeps three window averages); use {Durations.Format(window * 3)} or fewer"));
        TimeSpan? duration = raw["Watch:Duration"] is { Length: > 0 } ? Duration(raw, "Watch:Duration", TimeSpan.Zero, errors, Durations.MaxTimer) : null;
        TimeSpan? timeout = raw["Watch:SampleTimeout"] is { Length: > 0 } ? Duration(raw, "Watch:SampleTimeout", TimeSpan.Zero, errors, Durations.MaxTimer) : null;
        var source = raw["Watch:Source"] ?? "proc";
        if (source is not ("proc" or "top"))
            errors.Add(Error("Watch:Source", $"'{source}' is not a source; use proc or top"));
        var retention = new RetentionPolicy(
            Duration(raw, "Retention:Samples", TimeSpan.FromHours(48), errors),
            Duration(raw, "Retention:Windows", TimeSpan.FromDays(30), errors),
            Duration(raw, "Retention:History", TimeSpan.FromDays(365), errors));
        var store = new StoreConfig
        {
            SqlitePath = raw["Store:Sqlite"] ?? "./clusterwatch.db",
            MySql = raw["Store:MySql"],
            PasswordFile = raw["Store:PasswordFile"],
            Spool = raw["Store:Spool"],
        };
        if (store.MySql == null)
            CheckWritable(store.SqlitePath, errors);
        var web = new WebConfig
        {
            Enabled = Bool(raw, "Web:Enabled", true, errors),
            Listen = raw["Web:Listen"] ?? "127.0.0.1:8080",
            TokenFile = raw["Web:TokenFile"],
            TopN = Int(raw, "Web:TopN", 10, 1, 1000, errors),
        };
        var watch = new WatchOptions
        {
            Sample = sample, Window = window, Cycle = cycle, Duration = duration, SampleTimeout = timeout,
            AllProcesses = Bool(raw, "Watch:AllProcesses", false, errors),
            TopByMemory = Int(raw, "Watch:TopByMemory", 20, 0, 100000, errors),
            Retention = retention,
        };
        if (errors.Count > 0)
            throw new ConfigException(ConfigOrigins.Locate(raw, errors, Flags));
        return new AppConfig
        {
            Watch = watch, Source = source, Store = store, Web = web, Raw = raw,
            LocalNode = raw["Watch:LocalNode"] is { Length: > 0 } n ? n : Environment.MachineName,
        };
    }

    private static void CheckUnknownKeys(IConfiguration raw, List<ConfigError> errors)
    {
        foreach (var section in raw.GetChildren())
        {
            if (OpenSections.Contains(section.Key))
                continue;
            if (!Known.TryGetValue(section.Key, out var keys))
            {
                errors.Add(new ConfigError(section.Key, $"unknown section; known sections are {string.Join(", ", Known.Keys.Concat(OpenSections))}"));
                continue;
            }
            foreach (var child in section.GetChildren())
                if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                    errors.Add(new ConfigError($"{section.Key}:{child.Key}", $"unknown key; {section.Key} accepts {string.Join(", ", keys)}"));
        }
    }

    private static TimeSpan Duration(IConfiguration raw, string key, TimeSpan fallback, List<ConfigError> errors, TimeSpan? maximum = null)
    {
        var text = raw[key];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (!Durations.TryParse(text, out var value))
        {
            errors.Add(Error(key, $"'{text}' is not a duration; write it like 5s, 30s, 2m, 48h or 30d (at most {Durations.Format(Durations.Max)})"));
            return fallback;
        }
        if (value > maximum)
        {
            // These become timers, and a .NET timer waits at most about 49.7 days.
            errors.Add(Error(key, $"'{text}' is longer than the limit of {Durations.Format(maximum.Value)}"));
            return fallback;
        }
        if (value <= TimeSpan.Zero)
        {
            errors.Add(Error(key, $"'{text}' must be greater than zero, e.g. 5s"));
            return fallback;
        }
        return value;
    }

    private static bool Bool(IConfiguration raw, string key, bool fallback, List<ConfigError> errors)
    {
        var text = raw[key];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (bool.TryParse(text, out var v))
            return v;
        errors.Add(Error(key, $"'{text}' is not true or false"));
        return fallback;
    }

    private static int Int(IConfiguration raw, string key, int fallback, int min, int max, List<ConfigError> errors)
    {
        var text = raw[key];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
            return v;
        errors.Add(Error(key, $"'{text}' is not a whole number from {min} to {max}"));
        return fallback;
    }

    private static void CheckWritable(string path, List<ConfigError> errors)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                // Opening a directory as a file fails with "Access … is denied", which sends people after permissions.
                errors.Add(Error("Store:Sqlite", $"'{path}' is a directory; give the path of a database file in it, e.g. {Path.Combine(path, "clusterwatch.db")}"));
                return;
            }
            var dir = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(dir))
            {
                errors.Add(Error("Store:Sqlite", $"folder '{dir}' does not exist; create it or choose another path"));
                return;
            }
            var existed = File.Exists(full);
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
            }
            if (!existed)
                File.Delete(full); // only a probe: a refused configuration leaves nothing behind
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add(Error("Store:Sqlite", $"cannot write '{path}' ({e.Message}); choose a writable path"));
        }
    }

    private static ConfigError Error(string key, string message) => new(key, message, Flags.GetValueOrDefault(key));
}
