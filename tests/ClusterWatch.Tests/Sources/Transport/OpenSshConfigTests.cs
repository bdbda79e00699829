using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Tests.Sources.Transport;

public sealed class OpenSshConfigTests
{
    private const string Config = """
        # global part applies to all
        User fallback
        Host node0? !node09
          HostName %h.cluster.example
          Port 2202
          IdentityFile ~/.ssh/cluster_key
        Host node01
          User ignored_first_value_wins
        Host *
          Port=22
          IdentityFile ~/.ssh/id_ed25519
        Match host node01
          User never
        """;

    [Fact]
    public void Lookup_FirstValueWins_PatternsAndTokens()
    {
        var e = OpenSshConfig.Lookup(Config, "node01", "/home/ada");
        Assert.Equal(new OpenSshHostEntry("node01.cluster.example", "fallback", 2202, "/home/ada/.ssh/cluster_key"), e);
    }

    [Fact]
    public void Lookup_NegatedHost_FallsToStar()
    {
        var e = OpenSshConfig.Lookup(Config, "node09", "/home/ada");
        Assert.Equal(new OpenSshHostEntry(null, "fallback", 22, "/home/ada/.ssh/id_ed25519"), e);
    }

    [Fact]
    public void Backoff_C25_DoublesFromFirstAndCaps()
    {
        var delays = Enumerable.Range(1, 6).Select(f => Backoff.Delay(f, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)).TotalSeconds);
        Assert.Equal([5.0, 10, 20, 40, 60, 60], delays);
        Assert.Equal(TimeSpan.Zero, Backoff.Delay(0, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)));
    }
}
