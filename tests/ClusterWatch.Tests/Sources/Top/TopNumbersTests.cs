using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

public class TopNumbersTests
{
    [Theory]
    [InlineData("1316", 1316)]
    [InlineData("1.2g", 1258291)]         // cases/README.md
    [InlineData("11.7t", 12562779341)]    // cases/README.md
    [InlineData("257.3m", 263475)]        // cases/README.md
    [InlineData("812m", 831488)]          // C14
    [InlineData("1366276K", 1366276)]     // busybox
    [InlineData("1,5m", 1536)]            // decimal comma
    [InlineData("0.5p", 549755813888)]
    [InlineData("1e", 1125899906842624)]
    public void TryParseKib_Suffixes(string text, long kib)
    {
        Assert.True(TopNumbers.TryParseKib(text, out var v));
        Assert.Equal(kib, v);
    }

    [Theory]
    [InlineData("12:17.73", 737.73)]     // cases/README.md
    [InlineData("0:00.00", 0)]
    [InlineData("1234:56", 74096)]
    [InlineData("27,41", 99660)]          // hours,minutes: 27 × 3600 + 41 × 60
    [InlineData("12h", 43200)]
    [InlineData("3d", 259200)]
    public void TryParseTime_Forms(string text, double seconds)
    {
        Assert.True(TopNumbers.TryParseTime(text, out var v));
        Assert.Equal(seconds, v, 6);
    }

    [Theory]
    [InlineData("12x")]
    [InlineData("")]
    [InlineData("1.2.3")]
    public void TryParseKib_Garbage_False(string text) => Assert.False(TopNumbers.TryParseKib(text, out _));
}
