using System.Text.Json;
using ClusterWatch.Commands;

namespace ClusterWatch.Tests.Sources.Top;

public class ParseCommandTests
{
    [Fact]
    public async Task Run_C01_PrintsBytesAndPercentNames()
    {
        using var output = new MemoryStream();
        var code = await ParseCommand.RunAsync(CaseFiles.Input("C01"), output, TextWriter.Null);
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(output.ToArray()).RootElement;
        var p = json.GetProperty("frames")[0].GetProperty("processes")[0];
        // C01 expected.json: virt_kib 11114906, res_kib 1258291, cpu_pct 66.7 → bytes = KiB × 1024
        Assert.Equal(11114906L * 1024, p.GetProperty("virt_bytes").GetInt64());
        Assert.Equal(1258291L * 1024, p.GetProperty("res_bytes").GetInt64());
        Assert.Equal(66.7, p.GetProperty("cpu_pct").GetDouble());
        Assert.Equal("bigvm", p.GetProperty("command").GetString());
        Assert.Equal(0, json.GetProperty("warnings").GetArrayLength());
        Assert.True(json.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Run_NotTop_ExitsOneNamingTheLine()
    {
        using var output = new MemoryStream();
        var err = new StringWriter();
        var code = await ParseCommand.RunAsync("\n\nPING 127.0.0.1 56(84) bytes of data.\n", output, err);
        Assert.Equal(1, code);
        Assert.Contains("line 3", err.ToString(), StringComparison.Ordinal);
        Assert.Contains("NO_TOP_OUTPUT", err.ToString(), StringComparison.Ordinal);
    }
}
