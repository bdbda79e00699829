using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Storage.MySql;

namespace ClusterWatch.Tests.Storage;

public sealed class TsvWriterTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.FromUnixTimeSeconds(1_800_000_005);

    private static NodeSample Sample(params ProcessUsage[] procs) =>
        new("n1", 7, T, 5, 150, 1, 2, 4, procs.Length, 0, SampleFlags.None, [new UserUsage("alice", 1000, 12.5, 10, 2.5, 4096, 0.25, 2)], procs);

    private static string Tsv(string[] columns, SampleRows rows)
    {
        using var w = new TsvWriter(columns, 16);
        rows.WriteTo(w);
        return Encoding.UTF8.GetString(w.Written);
    }

    [Fact]
    public void ProcessRows_EscapesWhatLoadDataReadsAsSyntax_FormatsNumbersInvariant()
    {
        var s = Sample(
            new ProcessUsage(4711, 9_876_543_210, 1000, "ünï 😀", "a\\b\tc\nd\re\0f", 'R', 0.1, 1e-7, long.MaxValue, 33.5),
            new ProcessUsage(0, 0, -1, "bob", "(other)", 'S', -2.5, 0, 0, 0));

        var tsv = Tsv(Tables.ProcessSamples, SampleRows.Processes([s]));

        Assert.Equal(
            "n1\t7\t1800000005\t4711\t9876543210\tünï 😀\t1000\ta\\\\b\\tc\\nd\\re\\0f\tR\t0.1\t1E-07\t9223372036854775807\t33.5\n" +
            "n1\t7\t1800000005\t0\t0\tbob\t-1\t(other)\tS\t-2.5\t0\t0\t0\n", tsv);
    }

    [Fact]
    public void UserAndSampleRows_InColumnOrder()
    {
        var s = Sample();

        Assert.Equal("n1\t7\t1800000005\talice\t1000\t12.5\t10\t2.5\t4096\t0.25\t2\n", Tsv(Tables.UserSamples, SampleRows.Users([s])));
        Assert.Equal("n1\t7\t1800000005\t5\t150\t1\t2\t4\t0\t0\t0\n", Tsv(Tables.Samples, SampleRows.Samples([s])));
    }

    [Fact]
    public void TextLongerThanItsColumn_Cut_NeverInsideAnEmoji()
    {
        var command = new string('x', 254) + "🔥 and more"; // the column holds 255 UTF-16 units: the emoji's first half is unit 255
        var user = new string('u', 130); // the column holds 128

        var tsv = Tsv(Tables.ProcessSamples, SampleRows.Processes([Sample(new ProcessUsage(1, 2, 3, user, command, 'R', 0, 0, 0, 0))]));

        var fields = tsv.TrimEnd('\n').Split('\t');
        Assert.Equal(new string('u', 128), fields[5]);
        Assert.Equal(new string('x', 254), fields[7]);
    }

    [Fact]
    public void ManyRows_BufferGrows_EveryRowKept()
    {
        var procs = Enumerable.Range(1, 2000).Select(i => new ProcessUsage(i, i, 1000, "alice", "cmd" + i, 'S', i, 0, i, 0)).ToArray();

        var lines = Tsv(Tables.ProcessSamples, SampleRows.Processes([Sample(procs)])).Split('\n');

        Assert.Equal(2001, lines.Length); // and an empty string after the last newline
        Assert.Equal("n1\t7\t1800000005\t2000\t2000\talice\t1000\tcmd2000\tS\t2000\t0\t2000\t0", lines[^2]);
    }

    [Fact]
    public void SampleRows_AsArrays_SameValuesAndTypesAsParameters()
    {
        var s = Sample(new ProcessUsage(4711, 9_876_543_210, 1000, "alice", "sim", 'R', 0.5, 0, 4096, 1.5));

        var row = Assert.Single(SampleRows.Processes([s]));

        Assert.Equal(new object?[] { "n1", 7L, 1_800_000_005L, 4711, 9_876_543_210L, "alice", 1000, "sim", "R", 0.5, 0.0, 4096L, 1.5 }, row);
        Assert.Equal(2, SampleRows.Users([s, s]).Count());
        Assert.Equal(new object?[] { "n1", 7L, 1_800_000_005L, 5.0, 150.0, 1L, 2L, 4, 1, 0.0, 0 }, Assert.Single(SampleRows.Samples([s])));
    }
}
