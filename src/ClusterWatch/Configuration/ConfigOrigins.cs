using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace ClusterWatch.Configuration;

/// <summary>
/// Says where a configuration value came from, so an error points at the thing the user must edit: the file, the
/// environment variable or the flag. A key no layer set (a default) is named with the flag that would set it.
/// </summary>
public static class ConfigOrigins
{
    /// <summary>Prefix of the environment variables the loader reads (CLUSTERWATCH__Section__Key).</summary>
    public const string EnvironmentPrefix = "CLUSTERWATCH__";

    /// <summary>The errors with their origin filled in from the layer that holds each key (the last one wins, as in the binder).</summary>
    public static IReadOnlyList<ConfigError> Locate(IConfiguration raw, IEnumerable<ConfigError> errors, IReadOnlyDictionary<string, string> flags) =>
        [.. errors.Select(e => e with { Origin = Describe(raw, e.Key, flags) ?? e.Origin })];

    private static string? Describe(IConfiguration raw, string key, IReadOnlyDictionary<string, string> flags)
    {
        if (raw is not IConfigurationRoot root)
            return null;
        var provider = root.Providers.Reverse().FirstOrDefault(p => Holds(p, key));
        return provider switch
        {
            null => null,
            EnvironmentVariablesConfigurationProvider => $"environment variable {EnvironmentVariable(key, Environment.GetEnvironmentVariables())}",
            JsonConfigurationProvider json => $"in {FilePath(json.Source)}",
            _ => flags.TryGetValue(key, out var flag) ? flag : "command line",
        };
    }

    private static bool Holds(IConfigurationProvider provider, string key) =>
        provider.TryGet(key, out _) || provider.GetChildKeys([], key).Any();

    /// <summary>
    /// The variable that set a key, as it is spelled in the environment: the binder matches the prefix and the key
    /// without regard to case and reads "__" as ":", so CLUSTERWATCH__WATCH__WINDOW sets Watch:Window.
    /// </summary>
    internal static string EnvironmentVariable(string key, IDictionary environment)
    {
        string? section = null;
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || !name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                continue;
            var path = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            if (string.Equals(path, key, StringComparison.OrdinalIgnoreCase))
                return name;
            if (path.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))
                section ??= name;
        }
        return section ?? EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);
    }

    private static string FilePath(FileConfigurationSource source) =>
        source.FileProvider is PhysicalFileProvider physical ? Path.Combine(physical.Root, source.Path ?? "") : source.Path ?? "the configuration file";
}
