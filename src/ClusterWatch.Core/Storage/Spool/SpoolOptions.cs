namespace ClusterWatch.Core.Storage.Spool;

/// <summary>
/// How the spool behaves. <paramref name="Owner"/> names this watcher in node leases (host + spool path: stable across
/// restarts, different for two watchers on one machine); <paramref name="Lease"/> is how long a claim lasts unless renewed.
/// </summary>
public sealed record SpoolOptions(string Path, string Owner, TimeSpan Lease)
{
    /// <summary>Largest spool file; when full the oldest 5 s samples are dropped first (counted and logged).</summary>
    public long MaxBytes { get; init; } = 512L << 20;

    /// <summary>First wait before reconnecting; doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop waits for the database to take what is spooled (the rest is resent at the next start).</summary>
    public TimeSpan DrainOnStop { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Errors that retrying can't fix (e.g. data too long): the entry is dropped and reported, not retried forever.</summary>
    public Func<Exception, bool> IsPermanent { get; init; } = _ => false;

    /// <summary>Errors meaning the database can't be reached (refused, unknown host, timeout): a watcher starting
    /// during one spools instead of exiting. Others (a wrong password, a bad schema) still stop it. Default: none.</summary>
    public Func<Exception, bool> IsUnreachable { get; init; } = _ => false;
}
