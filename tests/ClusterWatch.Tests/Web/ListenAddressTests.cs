using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", true, "http://127.0.0.1:8080/")]
    [InlineData("[::1]:9000", true, "http://[::1]:9000/")]
    [InlineData("localhost:8080", true, "http://localhost:8080/")]
    [InlineData("127.0.0.2:8080", false, "http://127.0.0.2:8080/")]
    [InlineData("0.0.0.0:8080", false, "http://127.0.0.1:8080/")]
    [InlineData("10.1.2.3:80", false, "http://10.1.2.3:80/")]
    public void TryParse_LoopbackDefaultAndUrl(string text, bool loopback, string url)
    {
        Assert.True(ListenAddress.TryParse(text, out var a, out _));
        Assert.Equal(loopback, a!.IsDefaultLoopback);
        Assert.Equal(url, a.BrowserUrl);
    }

    [Theory]
    [InlineData("8080", "not an address with a port")]
    [InlineData("127.0.0.1:99999", "not an address with a port")]
    [InlineData("example.org:80", "not an IP address")]
    public void TryParse_Bad(string text, string message)
    {
        Assert.False(ListenAddress.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckExposure_NonLoopbackWithoutToken_Refused()
    {
        ListenAddress.TryParse("0.0.0.0:8080", out var any, out _);
        ListenAddress.TryParse("127.0.0.1:8080", out var local, out _);
        Assert.Contains("CLUSTERWATCH_TOKEN", WebServer.CheckExposure(any!, null), StringComparison.Ordinal);
        Assert.Null(WebServer.CheckExposure(any!, "secret"));
        Assert.Null(WebServer.CheckExposure(local!, null));
    }
}
