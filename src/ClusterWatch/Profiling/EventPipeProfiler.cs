using System.Diagnostics.Tracing;
using ClusterWatch.Core.Profiling;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.EventPipe;

namespace ClusterWatch.Profiling;

/// <summary>What a profile found: collapsed stacks plus how many samples were kept and dropped as idle.</summary>
public sealed record ProfileResult(IReadOnlyDictionary<string, long> Stacks, long Samples, long IdleSamples, bool TargetExited);

/// <summary>A profiling request that cannot be carried out (no such process, not .NET, …): a message for the user.</summary>
public sealed class ProfileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Samples a running .NET process's managed stacks through EventPipe: the runtime's sample profiler (every thread,
/// every millisecond) plus the runtime's method events and the end-of-session rundown, which name the JIT-compiled
/// and ReadyToRun code the stacks point into. TraceEvent turns the trace into resolved stacks.
/// </summary>
public static class EventPipeProfiler
{
    private const string SampleProfiler = "Microsoft-DotNETCore-SampleProfiler";
    private const string Runtime = "Microsoft-Windows-DotNETRuntime";

    /// <summary>The runtime keywords `dotnet-trace --profile cpu-sampling` asks for: loader, JIT, R2R method events.</summary>
    private const long RuntimeKeywords = 0x14C14FCCBD;

    /// <summary>Throws <see cref="ProfileException"/> unless <paramref name="pid"/> is a live .NET process we can attach to.</summary>
    public static void CheckAttachable(int pid)
    {
        if (pid <= 0 || !Directory.Exists($"/proc/{pid}"))
            throw new ProfileException($"no process with pid {pid}");
        if (!DiagnosticsClient.GetPublishedProcesses().Contains(pid))
            throw new ProfileException($"process {pid} is not a .NET process we can attach to (it has no diagnostics socket dotnet-diagnostic-{pid}-* in {Path.GetTempPath()}; it may run as another user, set TMPDIR differently, or have DOTNET_EnableDiagnostics=0)");
    }

    /// <summary>Profiles <paramref name="pid"/> for <paramref name="duration"/> (or until it exits or <paramref name="ct"/> fires).</summary>
    public static async Task<ProfileResult> ProfileAsync(int pid, TimeSpan duration, bool includeIdle, CancellationToken ct)
    {
        CheckAttachable(pid);
        var trace = Path.Combine(Path.GetTempPath(), $"clusterwatch-profile-{pid}-{Guid.NewGuid():N}.nettrace");
        try
        {
            var exited = await RecordAsync(pid, duration, trace, ct);
            var (stacks, samples, idle) = Resolve(trace, includeIdle);
            return new ProfileResult(stacks, samples, idle, exited);
        }
        finally
        {
            TryDelete(trace);
            TryDelete(Path.ChangeExtension(trace, ".etlx"));
        }
    }

    /// <summary>Streams the EventPipe session into <paramref name="path"/>; true if the process exited before the end.</summary>
    private static async Task<bool> RecordAsync(int pid, TimeSpan duration, string path, CancellationToken ct)
    {
        var client = new DiagnosticsClient(pid);
        EventPipeProvider[] providers =
        [
            new(SampleProfiler, EventLevel.Informational),
            new(Runtime, EventLevel.Informational, RuntimeKeywords),
        ];
        EventPipeSession session;
        try
        {
            session = await client.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 256, ct);
        }
        catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or UnsupportedCommandException)
        {
            throw new ProfileException($"could not start an EventPipe session in process {pid}: {e.Message}", e);
        }
        using (session)
        {
            await using var file = File.Create(path);
            var copy = session.EventStream.CopyToAsync(file, CancellationToken.None);
            var timeUp = Task.Delay(duration, ct);
            var exited = await Task.WhenAny(copy, timeUp) == copy;
            if (!exited)
            {
                try
                {
                    // Stopping makes the runtime write the rundown (names of all loaded methods) and end the stream.
                    await session.StopAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is ServerNotAvailableException or EndOfStreamException or IOException)
                {
                    exited = true; // gone between the timer and the stop: keep what was streamed
                }
            }
            await copy;
            return exited;
        }
    }

    /// <summary>Reads the trace: each thread sample becomes one root-first stack of method names.</summary>
    private static (Dictionary<string, long> Stacks, long Samples, long Idle) Resolve(string trace, bool includeIdle)
    {
        var stacks = new Dictionary<string, long>(StringComparer.Ordinal);
        long samples = 0, idle = 0;
        var etlx = TraceLog.CreateFromEventPipeDataFile(trace, Path.ChangeExtension(trace, ".etlx"));
        using var log = new TraceLog(etlx);
        using var source = log.Events.GetSource();
        var parser = new SampleProfilerTraceEventParser(source);
        var frames = new List<string>();
        parser.ThreadSample += data =>
        {
            frames.Clear();
            for (var frame = data.CallStack(); frame != null; frame = frame.Caller)
                frames.Add(FrameName(frame.CodeAddress));
            frames.Reverse();
            // By the leaf frames alone, not the sample's managed/external flag: a thread reading /proc is "external"
            // just like one blocked on a lock, and a thread entering a wait is still "managed" for a moment.
            var waiting = IdleStacks.IsIdle(frames);
            if (waiting)
            {
                idle++;
                if (!includeIdle)
                    return;
                if (frames.Count == 0)
                    frames.Add("[native or unknown]");
            }
            samples++;
            CollapsedStacks.Add(stacks, frames);
        };
        source.Process();
        return (stacks, samples, idle);
    }

    private static string FrameName(TraceCodeAddress address)
    {
        var method = address.FullMethodName;
        if (!string.IsNullOrEmpty(method))
            return method;
        var module = address.ModuleName;
        return string.IsNullOrEmpty(module) ? "[unknown]" : $"{module}!?";
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
