namespace ClusterWatch.Core.Profiling;

/// <summary>
/// Tells a thread that waits from one that works. The EventPipe sample profiler samples every managed thread every
/// millisecond whether it runs or not, and a thread inside a system call (reading /proc) looks the same to it as
/// one blocked on a lock ("external" code). So a sample counts as idle by its leaf frames: a thread parked in one
/// of the runtime's wait primitives, sleeping, or polling sockets is waiting; anything else is work.
/// </summary>
public static class IdleStacks
{
    /// <summary>Method names (prefix match on "Type.Method") where a thread sits when it is waiting.</summary>
    private static readonly string[] WaitFrames =
    [
        "System.Threading.Monitor.Wait",
        "System.Threading.Monitor.ObjWait",
        "System.Threading.WaitHandle.Wait",
        "System.Threading.WaitHandle.WaitOne",
        "System.Threading.WaitHandle.WaitMultiple",
        "System.Threading.WaitHandle.WaitAny",
        "System.Threading.WaitHandle.WaitAll",
        "System.Threading.WaitSubsystem.",
        "System.Threading.Thread.Sleep",
        "System.Threading.Thread.SleepInternal",
        "System.Threading.Thread.Join",
        "System.Threading.LowLevelLifoSemaphore.Wait",
        "System.Threading.LowLevelMonitor.Wait",
        "System.Threading.LowLevelMonitor.TimedWait",
        "System.Threading.ManualResetEventSlim.Wait",
        "System.Threading.SemaphoreSlim.Wait",
        "System.Threading.Tasks.Task.SpinThenBlockingWait",
        "System.Threading.Tasks.Task.InternalWaitCore",
        "System.Threading.Tasks.Task.Wait",
        "System.GC.WaitForPendingFinalizers",
        "System.GC._WaitForPendingFinalizers",
        "Interop+Sys.WaitForSocketEvents",
        "Interop+Sys.LowLevelMonitor_Wait",
        "Interop+Sys.LowLevelMonitor_TimedWait",
        "Interop+Sys.Poll",
        "Interop+Sys.WaitPid",
        "Interop+Sys.WaitIdAnyExitedNoHangNoWait",
    ];

    /// <summary>
    /// Loops that wait in native code the trace cannot name (the leaf shows as "[unknown]" or "module!?"): epoll for
    /// sockets, the timer thread, the thread-pool gate. Such a loop followed only by unnamed frames is waiting.
    /// </summary>
    private static readonly string[] WaitLoops =
    [
        "System.Net.Sockets.SocketAsyncEngine.EventLoop",
        "System.Threading.TimerQueue.TimerThread",
        "System.Threading.PortableThreadPool+GateThread.",
        "System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart",
    ];

    /// <summary>How many frames from the leaf to look at: waits sit at or just under the leaf.</summary>
    private const int LeafFramesChecked = 3;

    /// <summary>True if the root-first stack is a thread waiting rather than working; an empty stack is idle too.</summary>
    public static bool IsIdle(IReadOnlyList<string> rootFirstFrames)
    {
        var named = rootFirstFrames.Count;
        while (named > 0 && IsUnnamed(rootFirstFrames[named - 1]))
            named--;
        if (named == 0)
            return true;
        if (named < rootFirstFrames.Count && StartsWithAny(rootFirstFrames[named - 1], WaitLoops))
            return true;
        for (var i = named - 1; i >= 0 && i >= named - LeafFramesChecked; i--)
        {
            if (StartsWithAny(rootFirstFrames[i], WaitFrames))
                return true;
        }
        return false;
    }

    /// <summary>A frame the trace could not name: native code, or managed code without a method event.</summary>
    public static bool IsUnnamed(string frame) => frame.StartsWith('[') || frame.EndsWith("!?", StringComparison.Ordinal);

    private static bool StartsWithAny(string frame, string[] prefixes)
    {
        foreach (var p in prefixes)
        {
            if (frame.StartsWith(p, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
