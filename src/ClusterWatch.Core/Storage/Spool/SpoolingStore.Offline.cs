using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage.Spool;

/// <summary>
/// Starting while the database is down, and nodes lost to another watcher. A watcher that finds the database
/// unreachable at start spools from the first sample: it numbers each node's samples after the highest seq it ever
/// numbered (the spool's high-water line), claims its nodes provisionally, and the writer migrates the schema when
/// the database answers. Before the first sample of a node is sent after any outage the node is verified: its lease is
/// claimed again, and (after an offline start) the database's highest seq must not be above the one this watcher
/// numbered from. A node failing either check was taken over by another watcher: this one stops storing it and logs
/// how many of its spooled samples are not sent — never silently.
/// </summary>
public sealed partial class SpoolingStore
{
    private readonly Dictionary<string, long> _highSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _offlineFrom = new(StringComparer.Ordinal);
    private readonly HashSet<string> _owned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unverified = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lost = new(StringComparer.Ordinal);
    private volatile bool _ready;
    private long _lostSamples;

    /// <summary>False while the schema has not been migrated because the database was unreachable at start.</summary>
    public bool DatabaseReady => _ready;

    /// <summary>Whether this watcher still stores the node: false once another watcher took it over.</summary>
    public bool Watches(string node)
    {
        lock (_lock)
            return !_lost.ContainsKey(node);
    }

    /// <summary>Why a node was lost (another watcher's lease or samples), or null.</summary>
    public string? LostReason(string node)
    {
        lock (_lock)
            return _lost.GetValueOrDefault(node);
    }

    /// <summary>Migrates; when the database is unreachable (and the dialect says so), starts offline instead of failing.</summary>
    private async Task MigrateOrStartOfflineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _inner.MigrateAsync(cancellationToken);
            _ready = true;
        }
        catch (Exception e) when (e is not OperationCanceledException && _options.IsUnreachable(e))
        {
            lock (_lock)
            {
                _downSince = _clock.GetUtcNow();
                _lastError = e.Message;
            }
            _report.Problem("store", $"database unreachable at start ({e.Message}), spooling into {_file.Path}; the schema is migrated and the spool sent when it answers");
        }
    }

    /// <summary>The highest seq of a node this watcher numbered (spooled or in the high-water line), 0 if none.</summary>
    private long HighSeq(string node)
    {
        lock (_lock)
            return _highSeq.GetValueOrDefault(node);
    }

    private void NoteSeq(string node, long seq)
    {
        if (seq > _highSeq.GetValueOrDefault(node))
            _highSeq[node] = seq;
    }

    private byte[] HighWaterLine()
    {
        lock (_lock)
            return SpoolFile.Encode(new SpoolEntry(LastSeqs: new Dictionary<string, long>(_highSeq, StringComparer.Ordinal)));
    }

    /// <summary>After the database answers for the first time: migrate, then let every node be verified before its samples go.</summary>
    private async Task BecomeReadyAsync(CancellationToken token)
    {
        await _inner.MigrateAsync(token);
        lock (_lock)
        {
            _ready = true;
            _unverified.UnionWith(_owned);
            _unverified.UnionWith(_offlineFrom.Keys);
        }
        _report.Problem("store", "database reachable: schema migrated; sending the spool in order");
    }

    /// <summary>
    /// Claims the node's lease again and, after an offline start, checks that no one stored samples of it above the
    /// seq this watcher numbered from; either failing means another watcher took the node over.
    /// </summary>
    private async Task VerifyNodeAsync(string node, CancellationToken token)
    {
        long? from;
        bool owned;
        lock (_lock)
        {
            if (!_unverified.Contains(node))
                return;
            from = _offlineFrom.TryGetValue(node, out var f) ? f : null;
            owned = _owned.Contains(node);
        }
        lock (_released)
            owned &= !_released.Contains(node); // a clean stop released it: sending the rest must not claim it again
        if (owned)
        {
            var claim = await _inner.ClaimNodeAsync(node, _options.Owner, _clock.GetUtcNow(), _options.Lease, token);
            _renewed[node] = _clock.GetUtcNow();
            if (!claim.Granted)
            {
                Lose(node, $"watcher {claim.Owner} holds its lease until {claim.Until:yyyy-MM-dd HH:mm:ss}Z");
                return;
            }
        }
        if (from is { } numberedFrom)
        {
            var stored = await _inner.GetLastSeqAsync(node, token);
            if (stored > numberedFrom)
            {
                Lose(node, $"the database holds its samples up to seq {stored}, written by another watcher while this one numbered from {numberedFrom + 1} without the database");
                return;
            }
        }
        lock (_lock)
        {
            _unverified.Remove(node);
            _offlineFrom.Remove(node);
        }
    }

    /// <summary>
    /// Stops storing a node another watcher took over: its spooled samples leave the queue (counted and logged with
    /// their seq range, never silently), and later samples, windows, history and status of it are not sent.
    /// </summary>
    private void Lose(string node, string reason)
    {
        List<long> seqs;
        lock (_lock)
        {
            if (!_lost.TryAdd(node, reason))
                return;
            seqs = _queue.Select(q => q.Entry.Sample).OfType<NodeSample>().Where(s => s.Node == node).Select(s => s.Seq).ToList();
            for (var n = _queue.First; n != null;)
            {
                var next = n.Next;
                if (n.Value.Entry.Sample?.Node == node)
                    _queue.Remove(n);
                n = next;
            }
            _file.Rewrite(HighWaterLine(), _queue.Select(q => q.Entry));
            _spooledBytes = _file.Length;
        }
        var range = seqs.Count == 0 ? "" : $" (seq {seqs.Min()}–{seqs.Max()})";
        _report.Problem(node, $"taken over by another watcher: {reason}. This watcher stops storing {node}; {seqs.Count} spooled samples of it{range} are not sent (the other watcher's rows are kept)");
    }

    private static IEnumerable<string> NodesOf(SpoolEntry e) =>
        e.Sample is { } s ? [s.Node]
        : e.Node is { } n ? [n.Node]
        : e.Aggregates is { } a ? a.Windows.Select(w => w.Node).Concat(a.History.Select(h => h.Node)).Distinct(StringComparer.Ordinal)
        : [];

    /// <summary>The entry without what belongs to a lost node; null when nothing of it is left to send.</summary>
    private SpoolEntry? WithoutLostNodes(SpoolEntry e)
    {
        lock (_lock)
        {
            if (_lost.Count == 0)
                return e;
            if (e.Sample is { } s)
                return _lost.ContainsKey(s.Node) ? null : e;
            if (e.Node is { } n)
                return _lost.ContainsKey(n.Node) ? null : e;
            if (e.Aggregates is { } a)
            {
                var kept = new AggregationOutput(a.Windows.Where(w => !_lost.ContainsKey(w.Node)).ToList(), a.History.Where(h => !_lost.ContainsKey(h.Node)).ToList());
                return kept.IsEmpty ? null : e with { Aggregates = kept };
            }
            return e;
        }
    }
}
