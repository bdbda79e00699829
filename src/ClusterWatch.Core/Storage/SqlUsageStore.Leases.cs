using System.Globalization;

namespace ClusterWatch.Core.Storage;

/// <summary>
/// Node leases, for several watchers writing one database: a watcher claims each of its nodes and renews the claim
/// with every sample; another watcher's claim on a node whose lease is still running is refused; an expired lease
/// may be taken over. The claim is one conditional UPDATE, so two watchers racing for a node can't both win.
/// </summary>
public abstract partial class SqlUsageStore
{
    public async Task<LeaseClaim> ClaimNodeAsync(string node, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var granted = false;
        var nowTs = RowMapping.Epoch(now);
        var until = RowMapping.Epoch(now + lease);
        await WriteAsync(async (c, tx) =>
        {
            // A node never seen before gets a placeholder row (status down) that the first sample's upsert fills in.
            var placeholder = InsertSql("nodes", Tables.Nodes, 1) + " " + UpsertClause(["node_name"], ["node_name"]);
            await ExecAsync(c, tx, placeholder, cancellationToken, node, "", "", "down", nowTs, nowTs, null, 0, 0L);
            granted = await ExecAsync(c, tx,
                "UPDATE nodes SET lease_owner = @p1, lease_until_ts = @p2 WHERE node_name = @p0 AND (lease_owner IS NULL OR lease_owner = @p1 OR lease_until_ts IS NULL OR lease_until_ts < @p3)",
                cancellationToken, node, owner, until, nowTs) == 1;
        }, cancellationToken);
        if (granted)
            return new LeaseClaim(true, owner, DateTimeOffset.FromUnixTimeSeconds(until));
        await using var r = await OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(r, null, "SELECT lease_owner, lease_until_ts FROM nodes WHERE node_name = @p0", node);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var holder = reader.IsDBNull(0) ? "?" : reader.GetString(0);
        var holderUntil = reader.IsDBNull(1) ? now : DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
        return new LeaseClaim(false, holder, holderUntil);
    }

    public Task ReleaseNodeAsync(string node, string owner, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => ExecAsync(c, tx, "UPDATE nodes SET lease_until_ts = NULL WHERE node_name = @p0 AND lease_owner = @p1", cancellationToken, node, owner), cancellationToken);
}
