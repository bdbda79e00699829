using ClusterWatch.Core.Storage;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class SeriesBucketsTests
{
    [Fact]
    public void Merge_AveragesThePresentRowsAndKeepsTheMaximum()
    {
        // Rows at 100, 102, 104 (step 5 → buckets [100,105) and [105,110)); 107 alone in the second.
        var rows = new[]
        {
            new SeriesRow(100, 10, 20, 100, 150, 1), new SeriesRow(102, 30, 35, 300, 300, 1), new SeriesRow(104, 50, 90, 200, 260, 1),
            new SeriesRow(107, 5, 6, 10, 11, 1),
        };
        var points = SeriesBuckets.Merge(rows, 5);
        Assert.Equal([new SeriesPoint(100, 30, 90, 200, 300), new SeriesPoint(107, 5, 6, 10, 11)], points);
    }

    [Fact]
    public void Merge_RoundsCpuTo2DecimalsAndBytesToWholeNumbers()
    {
        // (1 + 2 + 2) / 3 = 1.666… → 1.67; memory (100 + 100 + 101) / 3 = 100.33… → 100; maxima 2.345 → 2.35 (nearest
        // double is above the tie), 101.5 → 102.
        var rows = new[] { new SeriesRow(100, 1, 1, 100, 100, 1), new SeriesRow(101, 2, 2.345, 100, 100, 1), new SeriesRow(102, 2, 2, 101, 101.5, 1) };
        Assert.Equal([new SeriesPoint(100, 1.67, 2.35, 100, 102)], SeriesBuckets.Merge(rows, 5));
    }

    [Fact]
    public void Merge_StepBelowSpacing_KeepsEveryRow()
    {
        var rows = Enumerable.Range(0, 10).Select(i => new SeriesRow(1000 + 5 * i, i, i, i, i, 1)).ToList();
        Assert.Equal(rows.Select(r => r.Time), SeriesBuckets.Merge(rows, 2).Select(p => p.T));
    }
}
