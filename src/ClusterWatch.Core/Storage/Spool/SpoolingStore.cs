using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Core.Storage.Spool;

/// <summary>
/// Keeps the watcher sampling while the database is away: every write is appended (fsync'd) to a local spool file
/// and queued, and returns at once; one writer task sends the queue to the real store in order, reconnecting with
/// exponential back-off, and empties the file when everything is stored. On start the spool left by an earlier run
/// (killed during an outage) is sent first. Writes are idempotent, so an entry sent twice is stored once.
/// Leases of the nodes this watcher owns are renewed with the samples it stores.
/// </summary>
public sealed partial class SpoolingStore : IUsageStore
{
    private readonly IUsageStore _inner;
    private readonly SpoolOptions _options;
    private readonly IWatchReporter _report;
    private readonly TimeProvider _clock;
    private readonly SpoolFile _file;
    private readonly object _lock = new();
    private readonly LinkedList<(SpoolEntry Entry, int Bytes)> _queue = new();
    private readonly SpoolFile.LineEncoder _encoder = new(); // used under _lock
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _drainLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, DateTimeOffset> _renewed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _released = new(StringComparer.Ordinal);
    private readonly HashSet<SpoolEntry> _inFlight = new(ReferenceEqualityComparer.Instance);
    private Task? _writer;
    private long _droppedSamples;
    private long _spooledBytes;
    private DateTimeOffset? _downSince;
    private string? _lastError;

    public SpoolingStore(IUsageStore inner, SpoolOptions options, IWatchReporter report, TimeProvider? clock = null)
    {
        _inner = inner;
        _options = options;
        _report = report;
        _clock = clock ?? TimeProvider.System;
        _file = SpoolFile.Open(options.Path);
    }

    public string Description => _inner.Description;

    /// <summary>For a start that failed: removes the spool file if this store created it and it is still empty.</summary>
    public bool DiscardSpoolIfUnused()
    {
        lock (_lock)
            return _file.DeleteIfCreatedAndEmpty();
    }

    /// <summary>This watcher's name in node leases.</summary>
    public string Owner => _options.Owner;

    /// <summary>How long a lease lasts unless renewed.</summary>
    public TimeSpan Lease => _options.Lease;

    /// <summary>Entries waiting for the database.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
                return _queue.Count;
        }
    }

    /// <summary>Samples dropped because the spool was full.</summary>
    public long DroppedSamples => Interlocked.Read(ref _droppedSamples);

    public string? Problem
    {
        get
        {
            lock (_lock)
            {
                if (_downSince == null && _droppedSamples == 0 && _lost.Count == 0)
                    return null;
                var samples = _queue.Count(q => q.Entry.IsSample);
                var text = _downSince is { } since
                    ? $"database unreachable {(_ready ? "since" : "at start, spooling since")} {since:HH:mm:ss}Z, {samples} samples spooled"
                    : $"{samples} samples spooled";
                if (_droppedSamples > 0)
                    text += $", {_droppedSamples} dropped (spool full)";
                return _lost.Count > 0
                    ? $"{text}, taken over by another watcher: {string.Join(" ", _lost.Keys.Order(StringComparer.Ordinal))} ({_lostSamples} later samples not stored)"
                    : text;
            }
        }
    }

    /// <summary>
    /// Migrates, then sends what an earlier run left in the spool before anything new, then starts the writer. When
    /// the database is unreachable at start (<see cref="SpoolOptions.IsUnreachable"/>), the watcher starts anyway and
    /// spools; the writer migrates and sends when the database answers.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var (entries, skipped) = _file.ReadAll();
        lock (_lock)
            foreach (var e in entries)
            {
                foreach (var (node, seq) in e.LastSeqs ?? new Dictionary<string, long>())
                    NoteSeq(node, seq);
                if (e.Sample is { } s)
                    NoteSeq(s.Node, s.Seq);
                if (e.LastSeqs == null)
                    _queue.AddLast((e, SpoolFile.Encode(e).Length));
            }
        var samples = entries.Count(e => e.IsSample);
        var others = entries.Count(e => !e.IsSample && e.LastSeqs == null);
        if (samples + others > 0 || skipped > 0)
            _report.Problem("store", $"resending {samples} spooled samples and {others} other entries left by the last run{(skipped > 0 ? $" ({skipped} torn line skipped)" : "")}");
        await MigrateOrStartOfflineAsync(cancellationToken);
        if (_ready)
        {
            try
            {
                await DrainAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                NoteFailure(e); // the writer keeps trying
            }
        }
        _writer ??= Task.Run(() => WriterLoopAsync(_stop.Token), CancellationToken.None);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => _inner.GetSchemaVersionAsync(cancellationToken);

    /// <summary>
    /// The highest seq stored, still spooled or ever numbered by this watcher: the sequence continues even over samples
    /// not yet in the database. Without the database (offline start) it is the spool's own; the writer checks it
    /// against the database before sending (<see cref="VerifyNodeAsync"/>).
    /// </summary>
    public async Task<long> GetLastSeqAsync(string node, CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            lock (_lock)
            {
                if (!_ready)
                {
                    var high = _highSeq.GetValueOrDefault(node);
                    _offlineFrom[node] = high;
                    return high;
                }
            }
        }
        var stored = await _inner.GetLastSeqAsync(node, cancellationToken);
        return Math.Max(stored, HighSeq(node));
    }

    public Task WriteSampleAsync(NodeSample sample, CancellationToken cancellationToken) => Spool(new SpoolEntry(Sample: sample));

    public Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken cancellationToken) =>
        rows.IsEmpty ? Task.CompletedTask : Spool(new SpoolEntry(Aggregates: rows));

    public Task UpsertNodeAsync(NodeStatus status, CancellationToken cancellationToken) => Spool(new SpoolEntry(Node: status));

    /// <summary>Stored and spooled samples; only the spooled ones before the database has answered (offline start).</summary>
    public async Task<IReadOnlyList<NodeSample>> LoadSamplesAsync(string node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var stored = _ready ? await _inner.LoadSamplesAsync(node, from, to, cancellationToken) : [];
        List<NodeSample> spooled;
        lock (_lock)
            spooled = _queue.Select(q => q.Entry.Sample).OfType<NodeSample>().Where(s => s.Node == node && s.Time >= from && s.Time < to).ToList();
        return stored.Concat(spooled).DistinctBy(s => s.Seq).OrderBy(s => s.Seq).ToList();
    }

    public Task<long> PruneAsync(RetentionPolicy retention, DateTimeOffset now, CancellationToken cancellationToken) => _inner.PruneAsync(retention, now, cancellationToken);

    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken) => _inner.GetNodesAsync(cancellationToken);

    public Task<IReadOnlyList<TopItem>> TopAsync(TopQuery query, CancellationToken cancellationToken) => _inner.TopAsync(query, cancellationToken);

    /// <summary>Claims a node's lease; without the database (offline start) the claim is granted provisionally and made
    /// by the writer before the node's first sample is sent.</summary>
    public async Task<LeaseClaim> ClaimNodeAsync(string node, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            lock (_lock)
                _owned.Add(node);
            return new LeaseClaim(true, owner, now + lease);
        }
        var claim = await _inner.ClaimNodeAsync(node, owner, now, lease, cancellationToken);
        if (claim.Granted)
            lock (_lock)
                _owned.Add(node);
        return claim;
    }

    /// <summary>Ends the lease, and stops renewing it with the samples still to be sent (a clean stop frees the node at once).</summary>
    public Task ReleaseNodeAsync(string node, string owner, CancellationToken cancellationToken)
    {
        lock (_released)
            _released.Add(node);
        return _inner.ReleaseNodeAsync(node, owner, cancellationToken);
    }

    /// <summary>Gives the database a short while to take what is spooled; the rest stays in the file for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_writer != null)
            await _writer.ContinueWith(_ => { }, TaskScheduler.Default);
        using (var drain = new CancellationTokenSource(_options.DrainOnStop))
        {
            try
            {
                await DrainAsync(drain.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || drain.IsCancellationRequested)
            {
                // what is left stays in the file
            }
        }
        var left = Pending;
        if (left > 0)
            _report.Problem("store", $"{left} entries stay in the spool {_file.Path}; they are sent at the next start");
        _file.Dispose();
        _signal.Dispose();
        _drainLock.Dispose();
        _stop.Dispose();
        await _inner.DisposeAsync();
    }
}
