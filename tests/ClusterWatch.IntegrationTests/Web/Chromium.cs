using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>
/// Headless Chromium (Debian's /usr/bin/chromium) driven through its DevTools protocol over a WebSocket: navigate,
/// evaluate JavaScript in the page, click, take screenshots, and record JavaScript dialogs and uncaught exceptions
/// (an alert() from an injected name would show up here). No browser download, no extra package.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _ws = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _reader;
    private int _nextId;

    /// <summary>Messages of JavaScript dialogs (alert, confirm, prompt) the page opened.</summary>
    public ConcurrentQueue<string> Dialogs { get; } = new();

    /// <summary>Uncaught exceptions and console errors in the page (CSP violations included).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    private Chromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<Chromium> StartAsync(string executable, int port, CancellationToken ct)
    {
        var profile = Path.Combine(Path.GetTempPath(), $"cw-chromium-{Guid.NewGuid():N}");
        Directory.CreateDirectory(profile);
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
                     $"--user-data-dir={profile}", $"--remote-debugging-address=127.0.0.1", $"--remote-debugging-port={port}",
                     "--window-size=1400,1000", "about:blank",
                 })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new Chromium(process, profile);
        try
        {
            await browser.ConnectAsync(port, ct);
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
        return browser;
    }

    private async Task ConnectAsync(int port, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? wsUrl = null;
        while (wsUrl == null)
        {
            try
            {
                var targets = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/json/list", ct);
                wsUrl = targets.EnumerateArray().Where(t => t.GetProperty("type").GetString() == "page")
                    .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString()).FirstOrDefault();
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (wsUrl == null)
            {
                if (DateTime.UtcNow > deadline || _process.HasExited)
                    throw new InvalidOperationException("chromium's DevTools endpoint did not come up");
                await Task.Delay(200, ct);
            }
        }
        await _ws.ConnectAsync(new Uri(wsUrl), ct);
        _reader = Task.Run(ReadLoopAsync);
        await SendAsync("Page.enable", null, ct);
        await SendAsync("Runtime.enable", null, ct);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = 1400, ["height"] = 1000, ["deviceScaleFactor"] = 1, ["mobile"] = false }, ct);
        // Belt and braces next to the dialog event: any alert() also leaves a mark the test can read.
        await SendAsync("Page.addScriptToEvaluateOnNewDocument", new JsonObject { ["source"] = "window.alert = m => { window.__alerted = String(m); };" }, ct);
    }

    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var msg = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _ws.SendAsync(Encoding.UTF8.GetBytes(msg.ToJsonString()), WebSocketMessageType.Text, true, ct);
        return await tcs.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }

    public async Task NavigateAsync(string url, CancellationToken ct) =>
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, ct);

    /// <summary>Evaluates an expression in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonElement> EvalAsync(string expression, CancellationToken ct)
    {
        var r = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true }, ct);
        if (r.TryGetProperty("exceptionDetails", out var ex))
            throw new InvalidOperationException($"page script failed: {ex}");
        return r.GetProperty("result").TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Polls until the expression is true.</summary>
    public async Task WaitForAsync(string expression, CancellationToken ct, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var v = await EvalAsync(expression, ct);
            if (v.ValueKind == JsonValueKind.True)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the page never satisfied: {expression}; errors: {string.Join(" | ", Errors)}");
            await Task.Delay(100, ct);
        }
    }

    public async Task ScreenshotAsync(string path, CancellationToken ct)
    {
        var r = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, ct);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(r.GetProperty("data").GetString()!), ct);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var ms = new MemoryStream();
        try
        {
            while (_ws.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                ms.SetLength(0);
                WebSocketReceiveResult res;
                do
                {
                    res = await _ws.ReceiveAsync(buffer, _stop.Token);
                    ms.Write(buffer, 0, res.Count);
                }
                while (!res.EndOfMessage);
                if (res.MessageType == WebSocketMessageType.Close)
                    break;
                using var doc = JsonDocument.Parse(ms.ToArray());
                Dispatch(doc.RootElement);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var p in _pending.Values)
            p.TrySetException(new InvalidOperationException("chromium connection closed"));
    }

    private void Dispatch(JsonElement m)
    {
        if (m.TryGetProperty("id", out var idEl) && _pending.TryRemove(idEl.GetInt32(), out var tcs))
        {
            if (m.TryGetProperty("error", out var err))
                tcs.TrySetException(new InvalidOperationException($"CDP error: {err}"));
            else
                tcs.TrySetResult(m.GetProperty("result").Clone());
            return;
        }
        var method = m.TryGetProperty("method", out var me) ? me.GetString() : null;
        var p = m.TryGetProperty("params", out var pe) ? pe : default;
        switch (method)
        {
            case "Page.javascriptDialogOpening":
                Dialogs.Enqueue(p.GetProperty("message").GetString() ?? "");
                _ = SendAsync("Page.handleJavaScriptDialog", new JsonObject { ["accept"] = true }, CancellationToken.None);
                break;
            case "Runtime.exceptionThrown":
                Errors.Enqueue(p.GetProperty("exceptionDetails").ToString());
                break;
            case "Runtime.consoleAPICalled" when p.GetProperty("type").GetString() == "error":
                Errors.Enqueue(p.GetProperty("args").ToString());
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _ws.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, true);
        }
        catch (IOException)
        {
        }
    }
}
