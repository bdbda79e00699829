namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>Tests that put a known CPU load on the machine run one at a time, so they don't disturb each other's truth.</summary>
[CollectionDefinition("machine load", DisableParallelization = true)]
public sealed class MachineLoadCollection;
