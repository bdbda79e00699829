using System.Text.Json;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>The shipped dashboards (deploy/grafana/dashboards): every panel query and variable query, as Grafana sees them.</summary>
internal static class Dashboards
{
    public sealed record Query(string Dashboard, string Name, string Sql, string Format);

    public static IEnumerable<string> Files => Directory.GetFiles(Path.Combine(TestServers.RepoRoot, "deploy", "grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal);

    public static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement;

    public static IEnumerable<Query> Panels(string file)
    {
        var d = Load(file);
        foreach (var p in d.GetProperty("panels").EnumerateArray())
            foreach (var t in p.GetProperty("targets").EnumerateArray())
                yield return new Query(Path.GetFileName(file), p.GetProperty("title").GetString()!, t.GetProperty("rawSql").GetString()!, t.GetProperty("format").GetString()!);
    }

    public static IEnumerable<Query> Variables(string file) =>
        Load(file).GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => new Query(Path.GetFileName(file), v.GetProperty("name").GetString()!, v.GetProperty("query").GetString()!, "variable"));
}
