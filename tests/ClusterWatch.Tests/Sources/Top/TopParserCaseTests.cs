using System.Text.Json;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>Every top case of the shared corpus: input.txt through the parser, checked against expected.json.</summary>
public class TopParserCaseTests
{
    [Theory]
    [InlineData("C01")]
    [InlineData("C03")]
    [InlineData("C04")]
    [InlineData("C08")]
    [InlineData("C09")]
    [InlineData("C12")]
    [InlineData("C14")]
    public void Parse_Case_MatchesExpected(string id)
    {
        var expected = CaseFiles.Expected(id);
        var result = TopParser.ParseText(CaseFiles.Input(id));
        Assert.Empty(result.Errors);
        AssertFrames(expected, result);
        CaseFiles.AssertWarnings(expected.GetProperty("warnings"), result);
    }

    [Fact]
    public void Parse_C06Localized_ParsesByPositionAndWarns()
    {
        // Accepted behaviour B of the case: parse by position and report LOCALIZED_OUTPUT (and DECIMAL_COMMA).
        var expected = CaseFiles.Expected("C06");
        var result = TopParser.ParseText(CaseFiles.Input("C06"));
        Assert.Empty(result.Errors);
        AssertFrames(expected.GetProperty("if_parsed"), result);
        CaseFiles.AssertWarnings(expected.GetProperty("warnings"), result);
        Assert.Equal(',', result.Frames[0].Summary.DecimalSeparator);
    }

    [Fact]
    public void Parse_C11Blocks_KeepDisplayedPercentNeverClamped()
    {
        var expected = CaseFiles.Expected("C11").GetProperty("nodes");
        foreach (var (note, text) in CaseFiles.Blocks("C11"))
        {
            var node = note.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':');
            var result = TopParser.ParseText(text);
            Assert.Empty(result.Errors);
            var rows = expected.GetProperty(node).GetProperty("processes").EnumerateArray().ToList();
            Assert.Equal(rows.Count, result.Frames[0].Rows.Count);
            for (var i = 0; i < rows.Count; i++)
                CaseFiles.AssertRow(rows[i], result.Frames[0].Rows[i], $"{node} row {i}");
            Assert.Empty(result.Warnings);
        }
    }

    [Fact]
    public void Parse_C08_FirstFrameNotUsedForCpu()
    {
        var result = TopParser.ParseText(CaseFiles.Input("C08"));
        Assert.Equal([false, true], result.Frames.Select(f => f.UseForCpu));
    }

    [Fact]
    public void Parse_C21_EmptyOutputIsNoTopOutput()
    {
        // Both transcripts of C21 have empty stdout: the parser must say NO_TOP_OUTPUT, never "0 processes".
        var result = TopParser.ParseText("");
        Assert.False(result.Ok);
        Assert.Equal(TopCodes.NoTopOutput, result.Errors[0].Code);
        Assert.Empty(result.Frames);
    }

    private static void AssertFrames(JsonElement expected, TopParseResult result)
    {
        var frames = expected.GetProperty("frames").EnumerateArray().ToList();
        foreach (var f in frames)
        {
            var index = f.GetProperty("index").GetInt32();
            CaseFiles.AssertFrame(f, result.Frames.Single(x => x.Index == index));
        }
    }
}
