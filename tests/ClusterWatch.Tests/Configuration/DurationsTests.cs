using ClusterWatch.Configuration;

namespace ClusterWatch.Tests.Configuration;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("9999999999d")]            // 8.6e14 s: past TimeSpan.MaxValue (about 9.2e11 s)
    [InlineData("99999999999999999999d")]
    [InlineData("99999999999999999999s")]
    [InlineData("9223372036854775807s")]
    [InlineData("9999999999999h")]
    [InlineData("99999999999999999999ms")]
    [InlineData("99999999999999999999")]
    [InlineData("1e400")]
    public void Parse_TooLong_IsAFailureNotAnOverflow(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("NaN")]
    [InlineData("nanh")]
    [InlineData("Infinity")]
    [InlineData("Infinitys")]
    [InlineData("infinityd")]
    [InlineData("-Infinity")]
    [InlineData("∞")]
    public void Parse_NotFinite_IsAFailure(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("-5s")]
    [InlineData("+5s")]
    [InlineData("1e3s")]
    [InlineData("1,000s")]
    [InlineData("5 parsecs")]
    [InlineData("s")]
    [InlineData("")]
    public void Parse_NotAPlainDecimalNumber_IsAFailure(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Parse_UpTo100Years_IsAccepted_OneMsMore_IsNot()
    {
        // 100 years = 36500 days = 3,153,600,000 s = 5214.28… weeks.
        Assert.True(Durations.TryParse("36500d", out var d));
        Assert.Equal(TimeSpan.FromDays(36500), d);
        Assert.True(Durations.TryParse("3153600000", out var s));
        Assert.Equal(TimeSpan.FromDays(36500), s);
        Assert.False(Durations.TryParse("3153600000001ms", out _));
        Assert.False(Durations.TryParse("36501d", out _));
        Assert.False(Durations.TryParse("5215w", out _));
    }

    [Fact]
    public void Parse_TheUsualForms()
    {
        Assert.True(Durations.TryParse("500ms", out var ms));
        Assert.Equal(TimeSpan.FromMilliseconds(500), ms);
        Assert.True(Durations.TryParse(" 1.5H ", out var h));
        Assert.Equal(TimeSpan.FromMinutes(90), h);
        Assert.True(Durations.TryParse("2w", out var w));
        Assert.Equal(TimeSpan.FromDays(14), w);
        Assert.True(Durations.TryParse("0s", out var zero));
        Assert.Equal(TimeSpan.Zero, zero);
    }
}
