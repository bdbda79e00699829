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
}
