namespace ClusterWatch.Web;

/// <summary>
/// The precision of numbers in the JSON API (docs/api.md): percentages (CPU of one core, memory of RAM) to 2
/// decimals, bytes as whole numbers. Rounded once, at the edge, after every sum — so sums are not built from
/// rounded parts and 46.400000000000006 never reaches a client.
/// </summary>
public static class ApiNumbers
{
    public static double Pct(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    public static double? Pct(double? value) => value is { } v ? Pct(v) : null;

    public static long Bytes(double value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    public static TopRow Round(TopRow r) =>
        r with { CpuPct = Pct(r.CpuPct), CpuMaxPct = Pct(r.CpuMaxPct), RssBytes = Bytes(r.RssBytes), MemPct = Pct(r.MemPct) };

    public static SeriesPoint Point(long t, double cpuAvg, double cpuMax, double memAvg, double memMax) =>
        new(t, Pct(cpuAvg), Pct(cpuMax), Bytes(memAvg), Bytes(memMax));
}
