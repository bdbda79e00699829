using ClusterWatch.Core.Profiling;

namespace ClusterWatch.Tests.Profiling;

public sealed class IdleStacksTests
{
    private const string Start = "System.Threading.Thread.StartCallback()";

    [Theory]
    [InlineData("System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart()", "System.Threading.LowLevelLifoSemaphore.Wait(int32,bool)", "System.Threading.LowLevelLifoSemaphore.WaitNative(class Microsoft.Win32.SafeHandles.SafeWaitHandle,int32)")]
    [InlineData("Program.Main()", "System.Threading.Tasks.Task.Wait()", "System.Threading.ManualResetEventSlim.Wait(int32,value class System.Threading.CancellationToken)", "System.Threading.Monitor.Wait(class System.Object,int32)")]
    [InlineData("System.Net.Sockets.SocketAsyncEngine.EventLoop()", "[unknown]")]           // epoll_wait, unnamed
    [InlineData("System.Threading.TimerQueue.TimerThread()", "libcoreclr.so!?")]
    public void WaitingThreads_AreIdle(params string[] frames) =>
        Assert.True(IdleStacks.IsIdle([Start, .. frames]));

    [Fact]
    public void EmptyOrUnnamedStack_IsIdle()
    {
        Assert.True(IdleStacks.IsIdle([]));
        Assert.True(IdleStacks.IsIdle(["[unknown]"]));
    }

    [Theory]
    [InlineData("ClusterWatch.Core.Sources.Proc.LocalProcReader.ReadAll()", "ClusterWatch.Core.Sources.Proc.ProcParsers.ParseStat(value class System.ReadOnlySpan`1<unsigned int8>)")]
    [InlineData("ClusterWatch.Core.Sources.Proc.LocalProcReader.ReadAll()", "[unknown]")] // inside pread: a system call is work
    [InlineData("System.Net.Sockets.SocketAsyncEngine.EventLoop()", "System.Net.Sockets.SocketAsyncEngine.SocketEventHandler.HandleEvents(int32)")]
    public void WorkingThreads_AreKept(params string[] frames) =>
        Assert.False(IdleStacks.IsIdle([Start, .. frames]));

    [Fact]
    public void WaitFarBelowTheLeaf_DoesNotMakeWorkIdle()
    {
        // A callback that runs after a wait returned, four frames up: the wait is history, the work is now.
        Assert.False(IdleStacks.IsIdle([Start, "System.Threading.Monitor.Wait(class System.Object)", "A.B()", "A.C()", "A.D()", "A.E()"]));
    }
}
