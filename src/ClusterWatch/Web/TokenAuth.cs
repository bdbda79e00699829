using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ClusterWatch.Web;

/// <summary>
/// Token check for every request when a token is configured: "Authorization: Bearer TOKEN" (scrapers, scripts), or the
/// cw_token cookie, which a browser gets by opening /?token=TOKEN once (the token then leaves the address bar).
/// </summary>
internal static class TokenAuth
{
    public const string EnvVar = "CLUSTERWATCH_TOKEN";
    public const string Cookie = "cw_token";

    /// <summary>The token from CLUSTERWATCH_TOKEN, else the token file's first line (trimmed; empty → InvalidDataException); null when neither is set.</summary>
    public static string? Load(string? tokenFile)
    {
        var env = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrWhiteSpace(env))
            return env.Trim();
        if (tokenFile == null)
            return null;
        // The first line, trimmed. An empty file is an error, never "no token": whoever set Web:TokenFile expects one.
        var text = File.ReadLines(tokenFile).FirstOrDefault()?.Trim() ?? "";
        return text.Length > 0 ? text : throw new InvalidDataException("its first line is empty: put the token there");
    }

    public static RequestDelegate Middleware(RequestDelegate next, string token)
    {
        var expected = Encoding.UTF8.GetBytes(token);
        return async ctx =>
        {
            if (ctx.Request.Query.TryGetValue("token", out var q) && Matches(q.ToString(), expected))
            {
                ctx.Response.Cookies.Append(Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
                ctx.Response.Redirect(ctx.Request.Path.HasValue ? ctx.Request.PathBase + ctx.Request.Path : "/");
                return;
            }
            var header = ctx.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim()
                : ctx.Request.Cookies.TryGetValue(Cookie, out var c) ? c : null;
            if (given == null || !Matches(given, expected))
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"clusterwatch\"";
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("401: this ClusterWatch needs its token: open /?token=TOKEN once, or send \"Authorization: Bearer TOKEN\"\n");
                return;
            }
            await next(ctx);
        };
    }

    private static bool Matches(string given, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);
}
