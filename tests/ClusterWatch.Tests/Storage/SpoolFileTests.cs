using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage.Spool;

namespace ClusterWatch.Tests.Storage;

public sealed class SpoolFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-spoolfile-{Guid.NewGuid():N}.spool");

    // Names a node can send: emoji (a surrogate pair), quotes, a backslash, a tab, a control character, non-ASCII.
    private static readonly NodeSample Tricky = new("nœud-😀", 42, new DateTimeOffset(2026, 12, 3, 10, 0, 5, 250, TimeSpan.Zero), 5.001, double.NaN,
        7_000_000_000, 8_000_000_000, 4, 321, double.PositiveInfinity, SampleFlags.Partial | SampleFlags.ThreadsMode,
        [new UserUsage("o'neil \"x\"", 1001, 12.5, 10, 2.5, 123_456_789, 0.1, 3), new UserUsage("ünï", -1, 0, 0, 0, 0, 0, 0)],
        [
            new ProcessUsage(4711, 9_876_543_210, 1001, "o'neil \"x\"", "a\\b\tc\u0001<d>&", 'R', 0.1, double.NegativeInfinity, 4096, 1e-7),
            new ProcessUsage(0, 0, 1002, "ünï", ProcessUsage.OtherCommand, 'S', 99.99, 0, long.MaxValue, 100, HasBaseline: false),
        ]);

    [Fact]
    public void Encode_Sample_TheSerializersJson_WithoutTheComputedProcessProperties()
    {
        // The reference: System.Text.Json's own serializer with the spool's options (it also writes ProcessUsage's
        // computed TotalCpuPct and ItemKey, which a reader ignores; the hand-written encoder leaves them out).
        var options = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        var expected = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(new SpoolEntry(Sample: Tricky), options))!;
        foreach (var p in expected["Sample"]!["Processes"]!.AsArray())
        {
            Assert.True(p!.AsObject().Remove("TotalCpuPct"));
            Assert.True(p.AsObject().Remove("ItemKey"));
        }

        var line = SpoolFile.Encode(new SpoolEntry(Sample: Tricky));

        Assert.Equal((byte)'\n', line[^1]);
        Assert.Equal(1, line.Count(b => b == (byte)'\n')); // one line: the tab and control character are escaped
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(line.AsSpan(0, line.Length - 1))), Encoding.UTF8.GetString(line));
    }

    [Fact]
    public void Encode_Sample_ReadBackWithEveryValue()
    {
        File.WriteAllBytes(_path, SpoolFile.Encode(new SpoolEntry(Sample: Tricky)));
        using var file = SpoolFile.Open(_path);

        var (entries, skipped) = file.ReadAll();

        Assert.Equal(0, skipped);
        var s = Assert.Single(entries).Sample!;
        Assert.Equal(("nœud-😀", 42L, new DateTimeOffset(2026, 12, 3, 10, 0, 5, 250, TimeSpan.Zero), 5.001), (s.Node, s.Seq, s.Time, s.IntervalSeconds));
        Assert.True(double.IsNaN(s.CpuBusyPct));
        Assert.Equal(double.PositiveInfinity, s.UnattributedCpuPct);
        Assert.Equal((7_000_000_000L, 8_000_000_000L, 4, 321, SampleFlags.Partial | SampleFlags.ThreadsMode), (s.MemUsedBytes, s.MemTotalBytes, s.CpuCount, s.ProcessCount, s.Flags));
        Assert.Equal(Tricky.Users, s.Users);
        Assert.Equal(2, s.Processes.Count);
        var p = s.Processes[0];
        Assert.Equal((4711, 9_876_543_210L, 1001, "o'neil \"x\"", "a\\b\tc\u0001<d>&", 'R', 0.1), (p.Pid, p.StartTicks, p.Uid, p.User, p.Command, p.State, p.CpuPct));
        Assert.Equal((double.NegativeInfinity, 4096L, 1e-7, true), (p.ChildrenCpuPct, p.RssBytes, p.MemPct, p.HasBaseline));
        Assert.Equal(Tricky.Processes[1], s.Processes[1]);
    }

    [Fact]
    public void ReadAll_LineOfAnEarlierVersion_WithTheComputedProperties_StillRead()
    {
        // As the serializer wrote samples before the hand-written encoder (TotalCpuPct and ItemKey included).
        File.WriteAllText(_path, """
            {"Sample":{"Node":"n1","Seq":7,"Time":"2026-12-03T10:00:00+00:00","IntervalSeconds":5,"CpuBusyPct":10,"MemUsedBytes":1,"MemTotalBytes":2,"CpuCount":1,"ProcessCount":1,"UnattributedCpuPct":0,"Flags":0,"Users":[],"Processes":[{"Pid":10,"StartTicks":1,"Uid":1000,"User":"alice","Command":"sim","State":"R","CpuPct":10,"ChildrenCpuPct":0.5,"RssBytes":100,"MemPct":1,"HasBaseline":true,"TotalCpuPct":10.5,"ItemKey":"10:1"}]}}

            """);
        using var file = SpoolFile.Open(_path);

        var s = Assert.Single(file.ReadAll().Entries).Sample!;

        Assert.Equal(new ProcessUsage(10, 1, 1000, "alice", "sim", 'R', 10, 0.5, 100, 1), Assert.Single(s.Processes));
    }

    [Fact]
    public void LineEncoder_ReusedForSamplesAndOtherEntries_EachLineAsEncodeAlone()
    {
        var encoder = new SpoolFile.LineEncoder();
        var status = new SpoolEntry(Node: new NodeStatus("n1", "h", "proc", NodeState.Up, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), null, 2, 4096));
        var big = encoder.Encode(new SpoolEntry(Sample: Tricky)).ToArray();

        var small = encoder.Encode(status).ToArray(); // shorter than the line before it: nothing of that one left over

        Assert.Equal(SpoolFile.Encode(status), small);
        Assert.Equal(SpoolFile.Encode(new SpoolEntry(Sample: Tricky)), big);
        Assert.Equal("{\"Node\":{\"Node\":\"n1\"", Encoding.UTF8.GetString(small)[..20]);
    }

    [Fact]
    public void DeleteIfCreatedAndEmpty_ANewEmptySpool_IsRemoved()
    {
        using var file = SpoolFile.Open(_path);
        Assert.True(file.Created);
        Assert.True(file.DeleteIfCreatedAndEmpty());
        Assert.False(File.Exists(_path));
    }

    [Fact]
    public void DeleteIfCreatedAndEmpty_ANewSpoolWithOnlyAHighWaterLineOfNoNode_IsRemoved()
    {
        using var file = SpoolFile.Open(_path);
        file.Append("{\"LastSeqs\":{}}\n"u8);
        Assert.True(file.DeleteIfCreatedAndEmpty());
        Assert.False(File.Exists(_path));
    }

    [Fact]
    public void DeleteIfCreatedAndEmpty_ANewSpoolWhoseHighWaterLineNamesANode_IsKept()
    {
        using var file = SpoolFile.Open(_path);
        file.Append("{\"LastSeqs\":{\"n1\":7}}\n"u8);
        Assert.False(file.DeleteIfCreatedAndEmpty());
        Assert.True(File.Exists(_path));
    }

    [Fact]
    public void DeleteIfCreatedAndEmpty_ASpoolThatExisted_EvenEmpty_IsKept()
    {
        File.WriteAllBytes(_path, []);
        using var file = SpoolFile.Open(_path);
        Assert.False(file.Created);
        Assert.False(file.DeleteIfCreatedAndEmpty());
        Assert.True(File.Exists(_path));
    }

    [Fact]
    public void DeleteIfCreatedAndEmpty_ANewSpoolWithAnEntry_IsKept()
    {
        using var file = SpoolFile.Open(_path);
        file.Append(SpoolFile.Encode(new SpoolEntry(Sample: Tricky)));
        Assert.False(file.DeleteIfCreatedAndEmpty());
        Assert.Single(file.ReadAll().Entries);
    }

    public void Dispose() => File.Delete(_path);
}
