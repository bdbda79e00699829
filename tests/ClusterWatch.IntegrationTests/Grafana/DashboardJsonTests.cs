using System.Text.RegularExpressions;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>The dashboard and provisioning files carry what Grafana needs (no Grafana here to load them).</summary>
public sealed class DashboardJsonTests
{
    [Fact]
    public void Dashboards_HaveTheFieldsGrafanaNeeds_AndUseTheProvisionedDataSource()
    {
        var provisioning = File.ReadAllText(Path.Combine(TestServers.RepoRoot, "deploy", "grafana", "provisioning", "datasources", "clusterwatch-mysql.yaml"));
        var uid = Regex.Match(provisioning, @"uid:\s*(\S+)").Groups[1].Value;
        Assert.Equal("clusterwatch-mysql", uid);
        Assert.Contains("timezone: \"+00:00\"", provisioning, StringComparison.Ordinal);
        Assert.Contains("password: ${CLUSTERWATCH_DB_READER_PASSWORD}", provisioning, StringComparison.Ordinal);
        var files = Dashboards.Files.ToList();
        Assert.Equal(2, files.Count);
        var uids = new HashSet<string>();
        foreach (var file in files)
        {
            var d = Dashboards.Load(file);
            Assert.True(uids.Add(d.GetProperty("uid").GetString()!));
            Assert.False(string.IsNullOrEmpty(d.GetProperty("title").GetString()));
            Assert.True(d.GetProperty("schemaVersion").GetInt32() >= 36);
            Assert.Equal("utc", d.GetProperty("timezone").GetString());
            var ids = new HashSet<int>();
            foreach (var p in d.GetProperty("panels").EnumerateArray())
            {
                Assert.True(ids.Add(p.GetProperty("id").GetInt32()));
                Assert.Equal(uid, p.GetProperty("datasource").GetProperty("uid").GetString());
                foreach (var k in new[] { "h", "w", "x", "y" })
                    Assert.True(p.GetProperty("gridPos").TryGetProperty(k, out _));
                var t = Assert.Single(p.GetProperty("targets").EnumerateArray());
                Assert.Equal(uid, t.GetProperty("datasource").GetProperty("uid").GetString());
                var format = t.GetProperty("format").GetString();
                var sql = t.GetProperty("rawSql").GetString()!;
                Assert.Contains(format, new[] { "time_series", "table" });
                Assert.Equal(format == "time_series" ? "timeseries" : "table", p.GetProperty("type").GetString());
                if (format == "time_series")
                {
                    // C27: an integer epoch named time, a metric column, ordered by time.
                    Assert.Contains("$__unixEpochGroupAlias(", sql, StringComparison.Ordinal);
                    Assert.Contains("AS metric", sql, StringComparison.Ordinal);
                    Assert.Contains("ORDER BY 1", sql, StringComparison.Ordinal);
                }
                Assert.DoesNotContain(":csv}", sql, StringComparison.Ordinal);
                Assert.DoesNotContain("$__timeFilter", sql, StringComparison.Ordinal); // DATETIME macros: our times are BIGINT
            }
            var names = d.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
            foreach (var n in new[] { "node", "user" })
            {
                Assert.True(names[n].GetProperty("multi").GetBoolean());
                Assert.True(names[n].GetProperty("includeAll").GetBoolean());
                Assert.Equal(uid, names[n].GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
    }
}
