using System.IO.Pipes;
using System.Text;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Tests.Sources.Transport;

/// <summary>The stdout pump against a real blocking pipe (like SSH.NET's channel stream, its reads block and ignore tokens).</summary>
public sealed class OutputPumpTests
{
    [Fact]
    public async Task BytesArrivingAfterACancelledWait_AreKeptForTheNextOne_EndIsReported()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var pump = new OutputPump(client);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pump.WaitAsync(cts.Token));
        server.Write("S 1\nabc\n"u8);
        server.Flush();
        Assert.True(await pump.WaitAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var buffer = new byte[4]; // smaller than what arrives: the buffer grows
        var end = 1;
        await WaitForAsync(() => pump.BytesReceived == 8);
        Assert.Equal(8, pump.TakeInto(ref buffer, ref end));
        Assert.Equal(9, end);
        Assert.Equal("S 1\nabc\n", Encoding.ASCII.GetString(buffer, 1, 8));
        server.Write("E 1\n"u8);
        server.Dispose(); // the channel closes
        var stream = new OutputPumpStream(pump);
        var rest = new byte[16];
        var n = 0;
        int got;
        while ((got = await stream.ReadAsync(rest.AsMemory(n)).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0)
            n += got;
        Assert.Equal("E 1\n", Encoding.ASCII.GetString(rest, 0, n));
        Assert.False(await pump.WaitAsync(CancellationToken.None));
        Assert.Equal(12, pump.BytesReceived);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(50);
    }
}
