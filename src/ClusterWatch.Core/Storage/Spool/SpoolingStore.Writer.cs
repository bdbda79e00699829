namespace ClusterWatch.Core.Storage.Spool;

public sealed partial class SpoolingStore
{
    /// <summary>Appends an entry to the file (fsync'd) and the queue; makes room first when the spool is full.</summary>
    private Task Spool(SpoolEntry entry)
    {
        lock (_lock)
        {
            if (entry.Sample is { } s)
            {
                NoteSeq(s.Node, s.Seq);
                if (_lost.ContainsKey(s.Node))
                {
                    _lostSamples++; // counted in the status line; the takeover itself was logged once
                    return Task.CompletedTask;
                }
            }
            var line = _encoder.Encode(entry);
            if (_spooledBytes + line.Length > _options.MaxBytes)
                MakeRoom(line.Length);
            _file.Append(line);
            _spooledBytes += line.Length;
            _queue.AddLast((entry, line.Length));
        }
        _signal.Release();
        return Task.CompletedTask;
    }

    /// <summary>Drops the oldest samples (never windows, history or node rows) until a tenth of the spool is free.</summary>
    private void MakeRoom(int needed)
    {
        var target = Math.Max(needed, _options.MaxBytes / 10);
        var freed = 0L;
        var dropped = 0;
        for (var n = _queue.First; n != null && _spooledBytes - freed + target > _options.MaxBytes;)
        {
            var next = n.Next;
            if (n.Value.Entry.IsSample && !_inFlight.Contains(n.Value.Entry))
            {
                freed += n.Value.Bytes;
                dropped++;
                _queue.Remove(n);
            }
            n = next;
        }
        _droppedSamples += dropped;
        _file.Rewrite(HighWaterLine(), _queue.Select(q => q.Entry));
        _spooledBytes = _file.Length;
        _report.Problem("store", $"spool {_file.Path} full ({_options.MaxBytes >> 20} MiB): dropped the {dropped} oldest samples ({_droppedSamples} so far); windows and history are kept");
    }

    private async Task WriterLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(TimeSpan.FromSeconds(5), stop);
                await DrainAsync(stop);
                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                NoteFailure(e);
                var wait = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.FirstBackoff.Ticks << Math.Min(failures - 1, 20)));
                try
                {
                    await Task.Delay(wait, _clock, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends queued entries in order until the queue is empty; throws on the first failure (the entry stays queued).
    /// One drain at a time: two would race and could store an older window over a newer one.</summary>
    private async Task DrainAsync(CancellationToken token)
    {
        await _drainLock.WaitAsync(token);
        try
        {
            await DrainLockedAsync(token);
        }
        finally
        {
            _drainLock.Release();
        }
    }

    private async Task DrainLockedAsync(CancellationToken token)
    {
        _file.SyncToDisk(); // group commit of everything appended since the last drain
        if (!_ready)
            await BecomeReadyAsync(token);
        while (true)
        {
            List<LinkedListNode<(SpoolEntry Entry, int Bytes)>> batch;
            lock (_lock)
            {
                if (_queue.First == null)
                {
                    _file.Clear(HighWaterLine());
                    _spooledBytes = _file.Length;
                    return;
                }
                batch = TakeBatch();
                foreach (var n in batch)
                    _inFlight.Add(n.Value.Entry);
            }
            try
            {
                await SendBatchAsync(batch.Select(n => n.Value.Entry).ToList(), token);
            }
            finally
            {
                lock (_lock)
                {
                    _inFlight.Clear();
                }
            }
            lock (_lock)
            {
                foreach (var n in batch)
                    if (n.List != null) // not removed meanwhile (a node lost to another watcher)
                        _queue.Remove(n);
            }
            NoteSuccess();
            foreach (var node in batch.Select(n => n.Value.Entry.Sample?.Node).OfType<string>().Distinct(StringComparer.Ordinal))
                await RenewLeaseAsync(node, token);
        }
    }

    /// <summary>
    /// The head entry, or the run of consecutive samples at the head (any nodes, up to <see cref="BatchRows"/> rows):
    /// those go in one transaction — a backlog after an outage, or many nodes sampled at once, costs one commit per
    /// batch instead of one per sample. Windows, history and node rows stay one at a time, in order.
    /// </summary>
    private List<LinkedListNode<(SpoolEntry Entry, int Bytes)>> TakeBatch()
    {
        var batch = new List<LinkedListNode<(SpoolEntry Entry, int Bytes)>> { _queue.First! };
        if (_queue.First!.Value.Entry.Sample == null)
            return batch;
        var rows = RowsOf(_queue.First.Value.Entry);
        for (var n = _queue.First.Next; n != null && n.Value.Entry.Sample != null && batch.Count < BatchSamples; n = n.Next)
        {
            rows += RowsOf(n.Value.Entry);
            if (rows > BatchRows)
                break;
            batch.Add(n);
        }
        return batch;
    }

    private const int BatchRows = 50_000;
    private const int BatchSamples = 200;

    private static int RowsOf(SpoolEntry e) => e.Sample is { } s ? 1 + s.Users.Count + s.Processes.Count : 1;

    /// <summary>Verifies the nodes, then sends; a batch the database refuses as a whole is sent entry by entry, so only a bad entry is dropped.</summary>
    private async Task SendBatchAsync(List<SpoolEntry> entries, CancellationToken token)
    {
        foreach (var node in entries.SelectMany(NodesOf).Distinct(StringComparer.Ordinal))
            await VerifyNodeAsync(node, token);
        var send = entries.Select(WithoutLostNodes).OfType<SpoolEntry>().ToList();
        if (send.Count == 0)
            return;
        try
        {
            if (send.Count == 1)
                await SendAsync(send[0], token);
            else
                await _inner.WriteSamplesAsync(send.Select(e => e.Sample!).ToList(), token);
        }
        catch (Exception e) when (e is not OperationCanceledException && _options.IsPermanent(e))
        {
            if (send.Count == 1)
            {
                _report.Problem("store", $"the database refused {Describe(send[0])}: {e.Message}; dropped");
                return;
            }
            foreach (var one in send)
                await SendBatchAsync([one], token);
        }
    }

    private Task SendAsync(SpoolEntry e, CancellationToken token) =>
        e.Sample != null ? _inner.WriteSampleAsync(e.Sample, token)
        : e.Aggregates != null ? _inner.WriteAggregatesAsync(e.Aggregates, token)
        : e.Node != null ? _inner.UpsertNodeAsync(e.Node, token)
        : Task.CompletedTask;

    /// <summary>Renews this watcher's lease on a node now and then (a third of the lease), with the samples it stores.</summary>
    private async Task RenewLeaseAsync(string node, CancellationToken token)
    {
        var now = _clock.GetUtcNow();
        lock (_released)
            if (_released.Contains(node))
                return;
        if (_renewed.TryGetValue(node, out var last) && now - last < _options.Lease / 3)
            return;
        var claim = await _inner.ClaimNodeAsync(node, _options.Owner, now, _options.Lease, token);
        _renewed[node] = now;
        if (!claim.Granted)
            Lose(node, $"watcher {claim.Owner} holds its lease until {claim.Until:yyyy-MM-dd HH:mm:ss}Z");
    }

    private void NoteFailure(Exception e)
    {
        bool first;
        lock (_lock)
        {
            first = _downSince == null;
            _downSince ??= _clock.GetUtcNow();
            _lastError = e.Message;
            if (_ready)
                _unverified.UnionWith(_owned); // after an outage, each node's lease is claimed again before its next sample goes
        }
        if (first)
            _report.Problem("store", $"database unreachable ({e.Message}); sampling continues into the spool {_file.Path}, reconnecting with back-off");
    }

    private void NoteSuccess()
    {
        DateTimeOffset? since;
        lock (_lock)
        {
            since = _downSince;
            _downSince = null;
        }
        if (since != null)
            _report.Problem("store", $"database back after {(_clock.GetUtcNow() - since.Value).TotalSeconds:0} s (last error: {_lastError}); sending the spooled entries in order");
    }

    private static string Describe(SpoolEntry e) =>
        e.Sample is { } s ? $"sample {s.Seq} of {s.Node}" : e.Aggregates != null ? "windows/history" : $"node status of {e.Node?.Node}";
}
