using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>The hourly rollup of history (history_hourly), both dialects: sums weighted by samples, recomputed from history.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task HistoryHourly_SumsWeightedBySamples_PerHour_ARewrittenCycleNeverCountsTwice()
    {
        var h = T0; // 12:00:00Z, an hour start
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", h, "alice", 18, 40), History("n1", h, "bob", 18, 30)]), Ct);
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", h.AddSeconds(90), "alice", 9, 10), History("n1", h.AddSeconds(3600), "alice", 18, 50)]), Ct);
        var hour = h.ToUnixTimeSeconds();
        // alice 12:00: 18 + 9 samples, 40×18 + 10×9 = 810; max cpu 2 × 40; RSS 1000 × 27; bob 30 × 18 = 540; alice 13:00: 50 × 18 = 900.
        Assert.Equal(27, await CountAsync($"SELECT samples FROM history_hourly WHERE kind = 'user' AND item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(810, await CountAsync($"SELECT ROUND(cpu_sum_pct) FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(80, await CountAsync($"SELECT ROUND(cpu_max_pct) FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(27000, await CountAsync($"SELECT ROUND(rss_sum_bytes) FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(540, await CountAsync($"SELECT ROUND(cpu_sum_pct) FROM history_hourly WHERE item_key = 'bob' AND hour_start_ts = {hour}"));
        Assert.Equal(900, await CountAsync($"SELECT ROUND(cpu_sum_pct) FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour + 3600}"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM history_hourly"));
        // The 12:01:30 cycle written again with other values (a restart resuming it): replaced, not added.
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", h.AddSeconds(90), "alice", 9, 20)]), Ct);
        Assert.Equal(27, await CountAsync($"SELECT samples FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(900, await CountAsync($"SELECT ROUND(cpu_sum_pct) FROM history_hourly WHERE item_key = 'alice' AND hour_start_ts = {hour}"));
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM history_hourly"));
    }

    [Fact]
    public async Task HistoryHourly_EveryRowCarriesItsNodesSamplesInTheHour_AlsoFilledByTheVersion5Migration()
    {
        var h = T0;
        var hour = h.ToUnixTimeSeconds();
        // n1: alice written before the hour's node rows: 0 until they come, then 18 + 9 = 27 (the hour is recomputed).
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", h, "alice", 18, 40)]), Ct);
        Assert.Equal(0, await CountAsync($"SELECT node_samples FROM history_hourly WHERE node_name = 'n1' AND item_key = 'alice' AND hour_start_ts = {hour}"));
        await Store.WriteAggregatesAsync(Aggregates(history: [NodeHistory("n1", h, 18, 50), NodeHistory("n1", h.AddSeconds(90), 9, 30)]), Ct);
        // n2: its own node's 18 samples; n1 at 13:00 has no node row: 0.
        await Store.WriteAggregatesAsync(Aggregates(history:
            [NodeHistory("n2", h, 18, 20), History("n2", h, "bob", 18, 10), History("n1", h.AddSeconds(3600), "alice", 18, 50)]), Ct);
        var expected = $"n1 {hour} alice 27, n1 {hour} node 27, n1 {hour + 3600} alice 0, n2 {hour} bob 18, n2 {hour} node 18";
        Assert.Equal(expected, await NodeSamplesAsync());
        // A version-4 table (no column) with these rows, migrated: the same values from the hour's node rows.
        foreach (var sql in UndoVersion5)
            await CountAsync(sql);
        await CountAsync("DELETE FROM schema_version WHERE version = 5");
        await Store.MigrateAsync(Ct);
        Assert.Equal(expected, await NodeSamplesAsync());
    }

    [Fact]
    public async Task TableStats_ForDbCheck_ListHistoryHourly_WithItsRowsAndHours()
    {
        var h = T0;
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", h, "alice", 18, 40), History("n1", h.AddSeconds(3600), "alice", 18, 50), History("n1", h.AddSeconds(3690), "bob", 9, 5)]), Ct);

        var stats = await ((ClusterWatch.Core.Storage.SqlUsageStore)Store).GetTableStatsAsync(Ct);

        Assert.Equal(["nodes", "samples", "user_samples", "process_samples", "windows", "history", "history_hourly"], stats.Select(t => t.Table));
        // Three cycles: alice 12:00, alice 13:00, bob 13:01:30 → hourly rows alice 12:00, alice 13:00, bob 13:00.
        Assert.Equal(new ClusterWatch.Core.Storage.TableStats("history_hourly", 3, h, h.AddHours(1)), stats.Single(t => t.Table == "history_hourly"));
        Assert.Equal(new ClusterWatch.Core.Storage.TableStats("history", 3, h, h.AddSeconds(3690)), stats.Single(t => t.Table == "history"));
    }

    /// <summary>What takes a version-5 schema back to version 4's history_hourly (the dialect's version-5 indexes too).</summary>
    protected virtual string[] UndoVersion5 => ["ALTER TABLE history_hourly DROP COLUMN node_samples"];

    private async Task<string> NodeSamplesAsync()
    {
        var parts = new List<string>();
        foreach (var (node, hour, key) in new[] { ("n1", 0, "alice"), ("n1", 0, ""), ("n1", 3600, "alice"), ("n2", 0, "bob"), ("n2", 0, "") })
        {
            var at = T0.ToUnixTimeSeconds() + hour;
            parts.Add($"{node} {at} {(key == "" ? "node" : key)} {await CountAsync($"SELECT node_samples FROM history_hourly WHERE node_name = '{node}' AND item_key = '{key}' AND hour_start_ts = {at}")}");
        }
        return string.Join(", ", parts);
    }
}
