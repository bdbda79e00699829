using System.CommandLine;

namespace ClusterWatch.Commands;

/// <summary>Every subcommand of the clusterwatch executable; each lives in its own file.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return WatchCommand.Create();
        yield return ReportCommand.Create();
        yield return DbCommand.Create();
        yield return ParseCommand.Create();
        yield return ImportCommand.Create();
        yield return ServeCommand.Create();
        yield return ProfileCommand.Create();
        yield return NodesCommand.Create();
    }
}
