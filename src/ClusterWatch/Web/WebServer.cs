using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace ClusterWatch.Web;

/// <summary>What the web server serves and where. <paramref name="Live"/> is null for `serve` (no watcher).</summary>
public sealed record WebServerOptions(ListenAddress Listen, string? Token, int TopN, IUsageStore Store, LiveState? Live, TimeProvider Clock)
{
    /// <summary>Folder of the page's files (wwwroot next to the executable).</summary>
    public string WebRoot { get; init; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");
}

/// <summary>
/// The dashboard, the JSON API and /metrics: one ASP.NET Core minimal-API app inside the clusterwatch executable,
/// started by `watch` (beside the watcher) and by `serve` (over a stored database).
/// </summary>
public static class WebServer
{
    /// <summary>
    /// Content-Security-Policy: scripts, styles and fetches only from this server, no inline script or style, no
    /// framing, no third-party requests; untrusted names can't become markup even if a bug let them.
    /// </summary>
    public const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Refuses a configuration that would expose the data without a token (any address but 127.0.0.1, ::1, localhost).</summary>
    public static string? CheckExposure(ListenAddress listen, string? token) =>
        listen.IsDefaultLoopback || token != null ? null
            : $"binding to {listen.Host} exposes the dashboard to other users or machines, so it needs a token: set the environment variable {TokenAuth.EnvVar} or Web:TokenFile";

    public static WebApplication Build(WebServerOptions o)
    {
        if (CheckExposure(o.Listen, o.Token) is { } refusal)
            throw new InvalidOperationException(refusal);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = o.WebRoot,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning)
            // A failed start (e.g. a taken port) is reported once, as a configuration error naming the key.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (o.Listen.Address is { } ip)
                k.Listen(ip, o.Listen.Port);
            else
                k.ListenLocalhost(o.Listen.Port);
        });
        var app = builder.Build();
        app.Use(next => SecurityHeaders(next));
        if (o.Token != null)
            app.Use(next => TokenAuth.Middleware(next, o.Token));
        var files = new PhysicalFileProvider(o.WebRoot);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        ApiEndpoints.Map(app, o);
        return app;
    }

    /// <summary>Builds and starts the server; returns it running (dispose to stop).</summary>
    public static async Task<WebApplication> StartAsync(WebServerOptions o, CancellationToken cancellationToken)
    {
        var app = Build(o);
        await app.StartAsync(cancellationToken);
        return app;
    }

    private static RequestDelegate SecurityHeaders(RequestDelegate next) => ctx =>
    {
        var h = ctx.Response.Headers;
        h.ContentSecurityPolicy = Csp;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Resource-Policy"] = "same-origin";
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/metrics"))
            h.CacheControl = "no-store";
        return next(ctx);
    };

    /// <summary>True when something else already listens there (a clear message beats Kestrel's stack trace).</summary>
    public static bool IsAddressInUse(Exception e)
    {
        // Kestrel wraps it: IOException → AddressInUseException → SocketException.
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is Microsoft.AspNetCore.Connections.AddressInUseException
                || x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
                return true;
        return false;
    }
}
