using ClusterWatch.Core.Storage;

namespace ClusterWatch.Web;

/// <summary>One point of a chart: time (Unix s; for 5 s rows the end of the interval, else the start of the window/cycle), CPU % of one core, memory bytes.</summary>
public sealed record SeriesPoint(long T, double CpuAvg, double CpuMax, long MemAvg, long MemMax);

/// <summary>Merges stored rows into buckets of a fixed width so a chart never gets more than a screen's worth of points.</summary>
public static class SeriesBuckets
{
    /// <summary>
    /// Rows whose times fall in one bucket [k·step, (k+1)·step) become one point at the first row's time: the average
    /// of the rows' averages (over the timestamps present — a gap stays a gap, never a zero) and the maximum of their maxima.
    /// </summary>
    public static IReadOnlyList<SeriesPoint> Merge(IReadOnlyList<SeriesRow> rows, long step)
    {
        var points = new List<SeriesPoint>();
        var i = 0;
        while (i < rows.Count)
        {
            var bucket = Floor(rows[i].Time, step);
            var j = i;
            double cpu = 0, cpuMax = 0, mem = 0, memMax = 0;
            while (j < rows.Count && Floor(rows[j].Time, step) == bucket)
            {
                cpu += rows[j].CpuAvgPct;
                mem += rows[j].MemAvgBytes;
                cpuMax = Math.Max(cpuMax, rows[j].CpuMaxPct);
                memMax = Math.Max(memMax, rows[j].MemMaxBytes);
                j++;
            }
            var n = j - i;
            points.Add(ApiNumbers.Point(rows[i].Time, cpu / n, cpuMax, mem / n, memMax));
            i = j;
        }
        return points;
    }

    private static long Floor(long t, long step) => t - (((t % step) + step) % step);
}
