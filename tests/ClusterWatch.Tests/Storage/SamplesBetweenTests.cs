using ClusterWatch.Core.Storage;

namespace ClusterWatch.Tests.Storage;

/// <summary>The samples a process was alive in, counted between its first and last kept row.</summary>
public class SamplesBetweenTests
{
    private static readonly List<long> Times = [5, 10, 15, 25, 30]; // the sample ending at 20 is missing

    [Theory]
    [InlineData(5, 30, 5)]   // every sample
    [InlineData(10, 10, 1)]  // one row
    [InlineData(10, 25, 3)]  // 10, 15, 25: the missing sample is not counted
    [InlineData(12, 27, 2)]  // bounds between samples: 15, 25
    [InlineData(31, 40, 0)]
    [InlineData(25, 10, 0)]
    public void CountsTheNodeSamplesInTheClosedRange(long first, long last, int expected) =>
        Assert.Equal(expected, SqlUsageStore.SamplesBetween(Times, first, last));
}
