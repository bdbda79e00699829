namespace ClusterWatch.Core.Storage.Spool;

/// <summary>
/// The dashboard's reads go straight to the database behind the spool (what is stored; samples still in the spool
/// during an outage show once written). A store without the dashboard queries answers with a clear error.
/// </summary>
public sealed partial class SpoolingStore : IUsageQueries
{
    private IUsageQueries Queries => _inner as IUsageQueries
        ?? throw new NotSupportedException($"{_inner.Description} does not answer the dashboard's queries");

    public Task<IReadOnlyList<SeriesRow>> SeriesAsync(SeriesQuery query, CancellationToken cancellationToken) =>
        Queries.SeriesAsync(query, cancellationToken);

    public Task<IReadOnlyList<NodeSeriesRow>> SeriesByNodeAsync(SeriesQuery query, long stepSeconds, CancellationToken cancellationToken) =>
        Queries.SeriesByNodeAsync(query, stepSeconds, cancellationToken);

    public Task<ProcessNames?> ProcessNamesAsync(SeriesQuery query, CancellationToken cancellationToken) =>
        Queries.ProcessNamesAsync(query, cancellationToken);

    public Task<IReadOnlyList<WindowTopItem>> WindowTopAsync(WindowTopQuery query, CancellationToken cancellationToken) =>
        Queries.WindowTopAsync(query, cancellationToken);

    public Task<IReadOnlyList<WindowTopItem>> LatestWindowTopAsync(WindowTopQuery query, CancellationToken cancellationToken) =>
        Queries.LatestWindowTopAsync(query, cancellationToken);

    public Task<IReadOnlyDictionary<string, LatestSample>> LatestSamplesAsync(CancellationToken cancellationToken) =>
        Queries.LatestSamplesAsync(cancellationToken);
}
