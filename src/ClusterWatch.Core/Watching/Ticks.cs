namespace ClusterWatch.Core.Watching;

/// <summary>Tick arithmetic: ticks are UTC multiples of the sample interval.</summary>
public static class Ticks
{
    /// <summary>The first tick strictly after <paramref name="now"/>.</summary>
    public static DateTimeOffset Next(DateTimeOffset now, TimeSpan interval)
    {
        var t = now.UtcTicks;
        return new DateTimeOffset(t - (t % interval.Ticks) + interval.Ticks, TimeSpan.Zero);
    }
}
