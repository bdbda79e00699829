using System.Net;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>
/// `serve` bound to 127.0.0.2 (loopback, but not the default 127.0.0.1/::1/localhost, so it counts as exposed): refused
/// without a token; with CLUSTERWATCH_TOKEN every request needs it (Bearer header, or the cookie /?token= sets).
/// </summary>
public sealed class TokenTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"cw-token-{Guid.NewGuid():N}");

    private string Db => Path.Combine(_dir, "t.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        await using var store = new SqliteUsageStore(Db);
        await store.MigrateAsync(Ct);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task NonLoopbackAddressWithoutToken_RefusesToStart()
    {
        var port = Ports.Free("127.0.0.2");
        await using var serve = ClusterWatchServer.Start(_dir, null, "serve", "--db", Db, "--listen", $"127.0.0.2:{port}");
        Assert.Equal(2, await serve.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("needs a token", serve.Output, StringComparison.Ordinal);
        Assert.Contains("CLUSTERWATCH_TOKEN", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithToken_401WithoutIt_ServedWithIt()
    {
        const string token = "s3cret-Token_for-tests";
        var port = Ports.Free("127.0.0.2");
        var url = $"http://127.0.0.2:{port}";
        await using var serve = ClusterWatchServer.Start(_dir, new Dictionary<string, string> { ["CLUSTERWATCH_TOKEN"] = token }, "serve", "--db", Db, "--listen", $"127.0.0.2:{port}");
        await serve.WaitForHttpAsync(url + "/", TimeSpan.FromSeconds(60));

        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        foreach (var path in new[] { "/", "/app.js", "/api/nodes", "/metrics" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync(url + path, Ct)).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, url + "/api/nodes"))
        {
            wrong.Headers.Authorization = new("Bearer", "not-the-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await plain.SendAsync(wrong, Ct)).StatusCode);
        }
        using (var right = new HttpRequestMessage(HttpMethod.Get, url + "/metrics"))
        {
            right.Headers.Authorization = new("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await plain.SendAsync(right, Ct)).StatusCode);
        }

        // A browser: /?token=… once sets an HttpOnly cookie and redirects to a URL without the token.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        var first = await browser.GetAsync(url + "/?token=" + Uri.EscapeDataString(token), Ct);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/", first.Headers.Location!.OriginalString);
        Assert.Contains("httponly", string.Join(";", first.Headers.GetValues("Set-Cookie")).ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(url + "/", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(url + "/api/nodes", Ct)).StatusCode);
    }

    [Fact]
    public async Task TokenFile_401WithoutIt_ServedWithItsFirstLine()
    {
        // The token is the file's first line, trimmed; the second line is not part of it.
        const string token = "from-the-file_7f3a";
        var file = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(file, $"  {token}  \nnot-the-token\n", Ct);
        var port = Ports.Free("127.0.0.2");
        var url = $"http://127.0.0.2:{port}";
        await using var serve = ClusterWatchServer.Start(_dir, new Dictionary<string, string> { ["CLUSTERWATCH__Web__TokenFile"] = file }, "serve", "--db", Db, "--listen", $"127.0.0.2:{port}");
        await serve.WaitForHttpAsync(url + "/", TimeSpan.FromSeconds(60));
        Assert.Contains("token required", serve.Output, StringComparison.Ordinal);

        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        foreach (var path in new[] { "/", "/api/nodes", "/metrics" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync(url + path, Ct)).StatusCode);
        foreach (var (given, expected) in new[] { (token, HttpStatusCode.OK), ("not-the-token", HttpStatusCode.Unauthorized), ($"{token}\nnot-the-token", HttpStatusCode.Unauthorized) })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, url + "/api/nodes");
            req.Headers.TryAddWithoutValidation("Authorization", "Bearer " + given.Replace("\n", " ", StringComparison.Ordinal));
            Assert.Equal(expected, (await plain.SendAsync(req, Ct)).StatusCode);
        }
    }

    [Theory]
    [InlineData("missing", "cannot read")]
    [InlineData("empty", "first line is empty")]
    public async Task TokenFile_MissingOrEmpty_RefusesToStartNamingTheKey(string kind, string message)
    {
        var file = Path.Combine(_dir, "token-" + kind);
        if (kind == "empty")
            await File.WriteAllTextAsync(file, "\n  \n", Ct);
        var port = Ports.Free();
        // Even on 127.0.0.1, where no token is needed: a configured token file that yields none must not mean "open".
        await using var serve = ClusterWatchServer.Start(_dir, new Dictionary<string, string> { ["CLUSTERWATCH__Web__TokenFile"] = file }, "serve", "--db", Db, "--listen", $"127.0.0.1:{port}");
        Assert.Equal(2, await serve.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Web:TokenFile", serve.Output, StringComparison.Ordinal);
        Assert.Contains(message, serve.Output, StringComparison.Ordinal);
        Assert.Contains(file, serve.Output, StringComparison.Ordinal);
    }
}
