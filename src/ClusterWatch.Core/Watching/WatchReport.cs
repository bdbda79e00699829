namespace ClusterWatch.Core.Watching;

/// <summary>What the watcher tells its operator: the status line at every window close, and problems as they happen.</summary>
public interface IWatchReporter
{
    void Status(string line);

    void Problem(string node, string message);

    void Debug(string message);
}

/// <summary>Writes status lines to stdout and problems to stderr.</summary>
public sealed class ConsoleWatchReporter(bool verbose = false) : IWatchReporter
{
    public void Status(string line) => Console.Out.WriteLine(line);

    public void Problem(string node, string message) =>
        Console.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss}Z {node}: {message}");

    public void Debug(string message)
    {
        if (verbose)
            Console.Error.WriteLine(message);
    }
}
