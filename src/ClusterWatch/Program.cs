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
        return await root.Parse(args).InvokeAsync();
    }
}
