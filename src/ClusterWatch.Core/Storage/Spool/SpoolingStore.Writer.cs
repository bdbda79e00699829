namespace ClusterWatch.Core.Storage.Spool;

public sealed partial class SpoolingStore
{
    /// <summary>Appends an entry to the file (fsync'd) and the queue; makes room first when the spool is full.</summary>
    private Task Spool(SpoolEntry entry)
    {
        var line = SpoolFile.Encode(entry);
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
            if (_spooledBytes + line.Length > _options.MaxBytes)
                MakeRoom(line.Length);
            _file.Append(line);
            _spooledBytes += line.Length;
            _queue.AddLast((entry, line));
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
            if (n.Value.Entry.IsSample && !(_inFlight is { } f && ReferenceEquals(f.Line, n.Value.Line)))
            {
                freed += n.Value.Line.Length;
                dropped++;
                _queue.Remove(n);
            }
            n = next;
        }
        _droppedSamples += dropped;
        _file.Rewrite(_queue.Select(q => q.Line).Prepend(HighWaterLine()));
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
            (SpoolEntry Entry, byte[] Line) head;
            lock (_lock)
            {
                if (_queue.First == null)
                {
                    _file.Clear(HighWaterLine());
                    _spooledBytes = _file.Length;
                    return;
                }
                head = _queue.First.Value;
                _inFlight = head;
            }
            try
            {
                foreach (var node in NodesOf(head.Entry))
                    await VerifyNodeAsync(node, token);
                if (WithoutLostNodes(head.Entry) is { } send)
                    await SendAsync(send, token);
            }
            catch (Exception e) when (e is not OperationCanceledException && _options.IsPermanent(e))
            {
                _report.Problem("store", $"the database refused {Describe(head.Entry)}: {e.Message}; dropped");
            }
            finally
            {
                _inFlight = null;
            }
            lock (_lock)
            {
                if (_queue.First != null && ReferenceEquals(_queue.First.Value.Line, head.Line))
                    _queue.RemoveFirst();
            }
            NoteSuccess();
            if (head.Entry.Sample is { } s)
                await RenewLeaseAsync(s.Node, token);
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
