using System.IO.Pipes;
using System.Text;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>A transport whose "top" is text the test writes into a pipe (unit edge cases only; the real top is in the integration tests).</summary>
internal sealed class FakeTopTransport(int cpus = 2) : ITopTransport
{
    public List<FakeTopProcess> Started { get; } = new();

    public List<TopCommand> Commands { get; } = new();

    public Func<FakeTopProcess, Task>? OnStart { get; init; }

    public string Host => "fake";

    public Task<int> GetCpuCountAsync(CancellationToken cancellationToken) => Task.FromResult(cpus);

    public async Task<ITopProcess> StartAsync(TopCommand command, CancellationToken cancellationToken)
    {
        Commands.Add(command);
        var p = new FakeTopProcess();
        Started.Add(p);
        if (OnStart != null)
            await OnStart(p);
        return p;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class FakeTopProcess : ITopProcess
{
    private readonly AnonymousPipeServerStream _server = new(PipeDirection.Out);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeTopProcess() => Output = new AnonymousPipeClientStream(PipeDirection.In, _server.ClientSafePipeHandle);

    public Stream Output { get; }

    public string StandardError { get; set; } = "";

    public int? ExitCode { get; private set; }

    public Task Exited => _exited.Task;

    public async Task WriteAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _server.WriteAsync(bytes);
        await _server.FlushAsync();
    }

    public void Exit(int code, string stderr)
    {
        StandardError = stderr;
        ExitCode = code;
        _server.Dispose();
        _exited.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        _server.Dispose();
        Output.Dispose();
        _exited.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
