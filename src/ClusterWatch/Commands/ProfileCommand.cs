using System.CommandLine;
using System.Globalization;
using System.Text;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Profiling;
using ClusterWatch.Profiling;

namespace ClusterWatch.Commands;

/// <summary>
/// `clusterwatch profile -o profile.svg [--duration 30s] -- watch …` or `--pid N`: where the watcher spends its CPU,
/// as a flame graph (SVG) or collapsed stacks.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Where to write the flame graph (SVG) or collapsed stacks", Required = true };
        var duration = new Option<string?>("--duration") { Description = "How long to sample (default 30s)" };
        var format = new Option<string?>("--format") { Description = "svg (default) or collapsed (\"a;b;c 42\" lines for other flame-graph tools)" };
        var includeIdle = new Option<bool>("--include-idle") { Description = "Keep samples of threads that are waiting (left out by default)" };
        var pid = new Option<int?>("--pid") { Description = "Attach to this running .NET process instead of starting a watcher" };
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "After --: the clusterwatch command to run and profile, e.g. -- watch --no-web" };
        var cmd = new Command("profile", "Profile the watcher: sampled managed stacks through EventPipe, written as a flame graph SVG")
        {
            output, duration, format, includeIdle, pid, command,
        };
        cmd.SetAction((parse, ct) => RunAsync(
            parse.GetValue(output)!, parse.GetValue(duration), parse.GetValue(format), parse.GetValue(includeIdle),
            parse.GetValue(pid), parse.GetValue(command) ?? [], ct));
        return cmd;
    }

    private static async Task<int> RunAsync(string output, string? durationText, string? formatText, bool includeIdle, int? pid, string[] command, CancellationToken ct)
    {
        var duration = TimeSpan.FromSeconds(30);
        if (durationText != null && (!Durations.TryParse(durationText, out duration) || duration <= TimeSpan.Zero || duration > Durations.MaxTimer))
            return Fail($"--duration: \"{durationText}\" is not a duration such as 30s or 2m (at most {Durations.Format(Durations.MaxTimer)})");
        var collapsed = formatText?.ToLowerInvariant() switch
        {
            null or "svg" => false,
            "collapsed" => true,
            _ => (bool?)null,
        };
        if (collapsed == null)
            return Fail($"--format: \"{formatText}\" is neither svg nor collapsed");
        if (pid != null && command.Length > 0)
            return Fail("give either --pid N or a command after --, not both");
        if (pid == null && command.Length == 0)
            return Fail("nothing to profile: give --pid N, or the command after --, e.g. clusterwatch profile -o p.svg -- watch --no-web");
        try
        {
            if (pid != null)
                EventPipeProfiler.CheckAttachable(pid.Value);
            // Open the output first: an unwritable path should fail now, not after 30 s of profiling.
            await using var file = OpenOutput(output);
            ProfileResult result;
            if (pid != null)
            {
                result = await EventPipeProfiler.ProfileAsync(pid.Value, duration, includeIdle, ct);
            }
            else
            {
                using var child = ChildProcess.Start(command);
                try
                {
                    await ChildProcess.WaitForDiagnosticsAsync(child, TimeSpan.FromSeconds(30), ct);
                    result = await EventPipeProfiler.ProfileAsync(child.Id, duration, includeIdle, ct);
                }
                finally
                {
                    await ChildProcess.StopAsync(child, TimeSpan.FromSeconds(15));
                }
            }
            var target = pid != null ? $"pid {pid}" : "clusterwatch " + string.Join(' ', command);
            var text = collapsed.Value ? CollapsedStacks.Format(result.Stacks) : FlameGraphSvg.Render(result.Stacks, Options(target, duration, result, includeIdle));
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            Report(output, result, includeIdle);
            return result.Samples > 0 ? 0 : 1;
        }
        catch (ProfileException e)
        {
            return Fail(e.Message);
        }
    }

    private static FileStream OpenOutput(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ProfileException($"cannot write the output {path}: {e.Message}", e);
        }
    }

    private static FlameGraphOptions Options(string target, TimeSpan duration, ProfileResult r, bool includeIdle)
    {
        var idle = includeIdle ? "idle threads included" : $"{r.IdleSamples.ToString("N0", CultureInfo.InvariantCulture)} idle samples left out";
        return new FlameGraphOptions(
            Title: $"CPU flame graph: {target}",
            Subtitle: $"{r.Samples.ToString("N0", CultureInfo.InvariantCulture)} samples over {Durations.Format(duration)} (EventPipe sample profiler, 1 ms per thread); {idle}");
    }

    private static void Report(string output, ProfileResult r, bool includeIdle)
    {
        Console.WriteLine($"profile: {r.Samples} samples kept, {r.IdleSamples} idle {(includeIdle ? "(kept)" : "left out")}; wrote {output}");
        if (r.TargetExited)
            Console.Error.WriteLine("profile: warning: the process exited before the end of --duration; methods it had not named yet show as module!?");
        if (r.Samples == 0)
            Console.Error.WriteLine("profile: no samples kept (the process did no work, or exited at once)");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"profile: error: {message}");
        return 2;
    }
}
