using ClusterWatch.Configuration;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.AspNetCore.Builder;

namespace ClusterWatch.Web;

/// <summary>Starts the web server from the configuration for `watch` and `serve`; problems become configuration errors.</summary>
internal static class WebStartup
{
    /// <summary>Validates Web:Listen and the token (refusing a non-loopback address without one); prints nothing.</summary>
    public static (ListenAddress Listen, string? Token) Resolve(WebConfig web)
    {
        if (!ListenAddress.TryParse(web.Listen, out var listen, out var error))
            throw new ConfigException([new ConfigError("Web:Listen (--listen)", error)]);
        string? token;
        try
        {
            token = TokenAuth.Load(web.TokenFile);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException([new ConfigError("Web:TokenFile", $"'{web.TokenFile}': {e.Message}")]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError("Web:TokenFile", $"cannot read '{web.TokenFile}' ({e.Message})")]);
        }
        if (WebServer.CheckExposure(listen!, token) is { } refusal)
            throw new ConfigException([new ConfigError("Web:Listen (--listen)", refusal)]);
        return (listen!, token);
    }

    /// <summary>
    /// Starts the server (listening once this returns) and gives the line that tells its address, for the caller to
    /// print after its own first line: nothing is announced before a taken port is known. A taken port is a
    /// configuration error naming the key.
    /// </summary>
    public static async Task<(WebApplication App, string AddressLine)> StartAsync(WebConfig web, IUsageStore store, LiveState? live, CancellationToken ct)
    {
        var (listen, token) = Resolve(web);
        try
        {
            var app = await WebServer.StartAsync(new WebServerOptions(listen, token, web.TopN, store, live, TimeProvider.System), ct);
            return (app, $"  dashboard: {listen.BrowserUrl}{(token != null ? " (token required: open /?token=… once)" : "")}  ·  metrics: {listen.BrowserUrl}metrics");
        }
        catch (Exception e) when (WebServer.IsAddressInUse(e))
        {
            throw new ConfigException([new ConfigError("Web:Listen (--listen)", $"{web.Listen} is already in use; choose another port or --no-web")]);
        }
    }
}
