using ClusterWatch.Core.Watching;

namespace ClusterWatch.Tests;

public class TicksTests
{
    [Fact]
    public void Next_IsTheFollowingUtcMultiple()
    {
        var now = new DateTimeOffset(2026, 12, 3, 10, 0, 7, 300, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 10, TimeSpan.Zero), Ticks.Next(now, TimeSpan.FromSeconds(5)));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 15, TimeSpan.Zero), Ticks.Next(new DateTimeOffset(2026, 12, 3, 10, 0, 10, TimeSpan.Zero), TimeSpan.FromSeconds(5)));
    }
}
