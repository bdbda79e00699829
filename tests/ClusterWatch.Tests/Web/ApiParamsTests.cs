using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class ApiParamsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1796292000);

    private static Dictionary<string, string> Q(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).ToDictionary(i => kv[2 * i], i => kv[2 * i + 1]);

    [Theory]
    [InlineData("15m", SeriesResolution.Samples, 2)]      // 900 s / 720 points → 2 s buckets
    [InlineData("1h", SeriesResolution.Samples, 5)]
    [InlineData("6h", SeriesResolution.Windows, 30)]
    [InlineData("24h", SeriesResolution.Windows, 120)]
    [InlineData("7d", SeriesResolution.History, 900)]     // 604800 / 720 = 840 → next nice step 900
    [InlineData("30d", SeriesResolution.History, 3600)]
    public void ParseSeries_ResolutionAndStepFollowTheRange(string range, SeriesResolution resolution, long step)
    {
        var r = ApiParams.ParseSeries(Q("scope", "cluster", "range", range), Now);
        Assert.Equal(resolution, r.Query.Resolution);
        Assert.Equal(step, r.StepSeconds);
        Assert.Equal(Now, r.Query.To);
    }

    [Fact]
    public void ParseSeries_FromTo_AndExplicitResolution()
    {
        var r = ApiParams.ParseSeries(Q("scope", "process", "node", "n1", "process", "123:456", "from", "1796291000", "to", "1796292000", "resolution", "history"), Now);
        Assert.Equal(new SeriesQuery(SeriesScope.Process, SeriesResolution.History, DateTimeOffset.FromUnixTimeSeconds(1796291000), Now, "n1", "123:456"), r.Query);
    }

    [Theory]
    [InlineData("scope is required", "range", "1h")]
    [InlineData("scope 'everything' is not", "scope", "everything")]
    [InlineData("scope=user needs user=NAME", "scope", "user")]
    [InlineData("scope=node needs node=NAME", "scope", "node")]
    [InlineData("is not a process key", "scope", "process", "node", "n", "process", "12")]
    [InlineData("range '2 weeks' is not a duration", "scope", "cluster", "range", "2 weeks")]
    [InlineData("longer than the limit of 30 days", "scope", "cluster", "range", "31d")]
    [InlineData("shorter than the minimum of 1 minute", "scope", "cluster", "range", "10s")]
    [InlineData("to must be after from", "scope", "cluster", "from", "1796292000", "to", "1796291000")]
    [InlineData("from 'yesterday' is not a time", "scope", "cluster", "from", "yesterday")]
    [InlineData("either range or from/to", "scope", "cluster", "range", "1h", "from", "1796291000")]
    [InlineData("resolution 'fine' is not", "scope", "cluster", "resolution", "fine")]
    [InlineData("unknown parameter 'rnage'", "scope", "cluster", "rnage", "1h")]
    [InlineData("by 'user' is not node", "scope", "cluster", "by", "user")]
    [InlineData("drop node=", "scope", "user", "user", "u", "node", "n1", "by", "node")]
    [InlineData("drop node=", "scope", "node", "node", "n1", "by", "node")]
    [InlineData("top is only accepted with by=node", "scope", "cluster", "top", "3")]
    [InlineData("top '0' is not a whole number from 1 to 100", "scope", "user", "user", "u", "by", "node", "top", "0")]
    [InlineData("top '101' is not a whole number from 1 to 100", "scope", "user", "user", "u", "by", "node", "top", "101")]
    public void ParseSeries_BadParameters_SayWhatIsWrong(string message, params string[] kv)
    {
        var e = Assert.Throws<BadRequestException>(() => ApiParams.ParseSeries(Q(kv), Now));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999999999d")]
    [InlineData("99999999999999999999d")]
    [InlineData("9223372036854775807s")]
    [InlineData("9999999999999h")]
    [InlineData("99999999999999999999ms")]
    [InlineData("NaN")]
    [InlineData("nanh")]
    [InlineData("Infinity")]
    [InlineData("infinityd")]
    public void ParseSeries_RangeOverflowingOrNotFinite_IsABadRequest(string range)
    {
        var e = Assert.Throws<BadRequestException>(() => ApiParams.ParseSeries(Q("scope", "cluster", "range", range), Now));
        Assert.Equal($"range '{range}' is not a duration like 15m, 1h, 24h or 7d", e.Message);
    }

    [Fact]
    public void ParseSeries_RangeOf100Years_IsPastTheLimit_NotAnUnderflow() =>
        Assert.Contains("longer than the limit of 30 days",
            Assert.Throws<BadRequestException>(() => ApiParams.ParseSeries(Q("scope", "cluster", "range", "36500d"), Now)).Message, StringComparison.Ordinal);

    [Fact]
    public void ParseSeries_ByNode_DefaultsToEightNodes()
    {
        var r = ApiParams.ParseSeries(Q("scope", "user", "user", "alice", "by", "node", "range", "7d"), Now);
        Assert.Equal((true, 8, SeriesScope.User, "alice", (string?)null), (r.ByNode, r.TopNodes, r.Query.Scope, r.Query.Item, r.Query.Node));
        Assert.Equal(20, ApiParams.ParseSeries(Q("scope", "command", "command", "sim", "by", "node", "top", "20"), Now).TopNodes);
        Assert.False(ApiParams.ParseSeries(Q("scope", "cluster"), Now).ByNode);
    }

    [Fact]
    public void ParseSeries_LongName_Refused() =>
        Assert.Throws<BadRequestException>(() => ApiParams.ParseSeries(Q("scope", "user", "user", new string('x', 257)), Now));

    [Fact]
    public void ParseTop_NowAndWindow()
    {
        Assert.Equal(new TopRequest(ItemKind.User, null, null, null, null, null, 10), ApiParams.ParseTop(Q(), Now));
        var r = ApiParams.ParseTop(Q("kind", "process", "from", "1796291970", "to", "1796292000", "node", "n1", "top", "5"), Now);
        Assert.Equal(new TopRequest(ItemKind.Process, DateTimeOffset.FromUnixTimeSeconds(1796291970), Now, "n1", null, null, 5), r);
    }

    [Theory]
    [InlineData("kind 'pid' is not", "kind", "pid")]
    [InlineData("top '0' is not", "top", "0")]
    [InlineData("top '5000' is not", "top", "5000")]
    [InlineData("give both from and to", "from", "1796291970")]
    public void ParseTop_BadParameters(string message, params string[] kv) =>
        Assert.Contains(message, Assert.Throws<BadRequestException>(() => ApiParams.ParseTop(Q(kv), Now)).Message, StringComparison.Ordinal);

    [Fact]
    public void ParseNodes_AnyParameterButTheToken_IsRefused()
    {
        ApiParams.ParseNodes(Q());
        ApiParams.ParseNodes(Q("token", "secret"));
        Assert.Equal("unknown parameter 'x'; this endpoint takes no parameters",
            Assert.Throws<BadRequestException>(() => ApiParams.ParseNodes(Q("x", "1"))).Message);
    }

    [Fact]
    public void ParseTop_UnknownParameter_NamesWhatIsAccepted() =>
        Assert.Equal("unknown parameter 'range'; this endpoint accepts kind, node, user, command, from, to, top",
            Assert.Throws<BadRequestException>(() => ApiParams.ParseTop(Q("range", "1h"), Now)).Message);
}
