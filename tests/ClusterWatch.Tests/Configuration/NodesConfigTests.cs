using ClusterWatch.Configuration;
using Microsoft.Extensions.Configuration;

namespace ClusterWatch.Tests.Configuration;

public sealed class NodesConfigTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("cw-home-").FullName;

    public NodesConfigTests()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".ssh"));
        File.WriteAllText(Path.Combine(_home, ".ssh", "id_ed25519"), "key");
        File.WriteAllText(Path.Combine(_home, ".ssh", "cluster_key"), "key");
        File.WriteAllText(Path.Combine(_home, ".ssh", "config"), "Host node07\n  HostName 10.0.0.7\n  User ops\n  Port 2207\n  IdentityFile ~/.ssh/cluster_key\n");
    }

    private static IConfiguration Raw(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Read_NoNodes_EmptySoTheLocalMachineIsWatched()
    {
        Assert.Empty(NodesConfig.Read(Raw([]), "proc", _home));
    }

    [Fact]
    public void Read_OwnValueBeatsOpenSshConfigBeatsDefaults()
    {
        var nodes = NodesConfig.Read(Raw(new()
        {
            ["NodeDefaults:User"] = "watcher", ["NodeDefaults:Port"] = "22", ["NodeDefaults:Source"] = "top",
            ["Nodes:0"] = "node07",
            ["Nodes:1:Name"] = "b", ["Nodes:1:Host"] = "node07", ["Nodes:1:Port"] = "2301",
            ["Nodes:2:Name"] = "c", ["Nodes:2:Host"] = "10.1.1.1",
        }), "proc", _home);
        var a = nodes[0].Endpoint;
        Assert.Equal(("node07", "10.0.0.7", 2207, "ops", Path.Combine(_home, ".ssh", "cluster_key")), (a.Name, a.Host, a.Port, a.User, a.KeyFile));
        Assert.Equal("top", nodes[0].Source);
        Assert.Equal(2301, nodes[1].Endpoint.Port);
        Assert.Equal("10.0.0.7", nodes[1].Endpoint.Host);
        var c = nodes[2].Endpoint;
        Assert.Equal(("10.1.1.1", 22, "watcher", Path.Combine(_home, ".ssh", "known_hosts")), (c.Host, c.Port, c.User, c.KnownHostsFile));
    }

    [Fact]
    public void Read_BadValues_EachErrorNamesItsKey()
    {
        var e = Assert.Throws<ConfigException>(() => NodesConfig.Read(Raw(new()
        {
            ["Nodes:0:Name"] = "a", ["Nodes:0:Host"] = "h",
            ["Nodes:1:Host"] = "nameless",
            ["Nodes:2:Name"] = "c", ["Nodes:2:Port"] = "99999",
            ["Nodes:3:Name"] = "a", ["Nodes:3:Source"] = "ps", ["Nodes:3:Colour"] = "red",
            ["Nodes:4:Name"] = "e", ["Nodes:4:PassphraseEnv"] = "CW_TEST_NO_SUCH_VARIABLE_XYZ",
            ["NodeDefaults:KeepAlive"] = "soon",
        }), "proc", _home));
        var keys = e.Errors.Select(x => x.Key).ToHashSet();
        Assert.Subset(keys, new HashSet<string> { "Nodes:1:Name", "Nodes:2:Port", "Nodes:3:Name", "Nodes:3:Source", "Nodes:3:Colour", "Nodes:4:PassphraseEnv", "NodeDefaults:KeepAlive" });
        Assert.Contains(e.Errors, x => x.Key == "Nodes:2:Port" && x.Message.Contains("1-65535", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_PassphraseFromFile_NotFromTheConfig()
    {
        var file = Path.Combine(_home, "pp");
        File.WriteAllText(file, "s3cret\n");
        var n = NodesConfig.Read(Raw(new() { ["Nodes:0:Name"] = "a", ["Nodes:0:PassphraseFile"] = file }), "proc", _home)[0];
        Assert.Equal("s3cret", n.Endpoint.Passphrase);
        Assert.DoesNotContain("s3cret", n.Endpoint.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ConnectTimeout", "9999999999d")]
    [InlineData("KeepAlive", "NaN")]
    [InlineData("ReconnectFirst", "Infinity")]
    [InlineData("ReconnectMax", "2d")]   // parses, but past the 1-day limit of a node timing
    public void Read_NodeTimingOverflowingOrTooLong_IsAConfigError(string child, string value)
    {
        var e = Assert.Throws<ConfigException>(() => NodesConfig.Read(Raw(new()
        {
            ["Nodes:0:Name"] = "a", ["Nodes:0:Host"] = "h", [$"NodeDefaults:{child}"] = value,
        }), "proc", _home));
        var error = Assert.Single(e.Errors);
        Assert.Equal(($"NodeDefaults:{child}", $"'{value}' is not a positive duration of at most 1d; write it like 10s or 1m"), (error.Key, error.Message));
    }

    [Fact]
    public void Read_BadValues_SayWhichFileOrVariableHoldsThem()
    {
        var json = Path.Combine(_home, "clusterwatch.json");
        File.WriteAllText(json, """{ "Nodes": [ { "Name": "a", "Host": "h", "Port": 99999 } ] }""");
        Environment.SetEnvironmentVariable("CLUSTERWATCH__NODEDEFAULTS__KEEPALIVE", "soon");
        try
        {
            var raw = new ConfigurationBuilder().AddJsonFile(json).AddEnvironmentVariables(ConfigOrigins.EnvironmentPrefix).Build();
            var e = Assert.Throws<ConfigException>(() => NodesConfig.Read(raw, "proc", _home));
            Assert.Equal(
                ["NodeDefaults:KeepAlive (environment variable CLUSTERWATCH__NODEDEFAULTS__KEEPALIVE): 'soon' is not a positive duration of at most 1d; write it like 10s or 1m", $"Nodes:0:Port (in {json}): '99999' is not a TCP port (1-65535)"],
                e.Errors.Select(x => x.ToString()).Order(StringComparer.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLUSTERWATCH__NODEDEFAULTS__KEEPALIVE", null);
        }
    }

    public void Dispose() => Directory.Delete(_home, true);
}
