using System.CommandLine;
using ClusterWatch.Commands;

namespace ClusterWatch;

/// <summary>The composition root: the only place that wires objects together.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("ClusterWatch — CPU and memory of every user and process on every node, in SQL.");
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        var code = await parsed.InvokeAsync();
        // A misspelled flag is a usage error like a bad configuration value: exit 2, as the configuration errors do.
        return parsed.Errors.Count > 0 ? 2 : code;
    }
}
