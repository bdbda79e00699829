using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>The splitter must hand over a frame as soon as its rows are all there, not when the next frame starts.</summary>
public class TopFrameSplitterTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public void TryTake_AllRowsWithoutFinalNewline_CompleteOnceQuiet()
    {
        // top writes the newline that ends a frame only when the next frame starts (TESTING.md).
        var c08 = CaseFiles.Input("C08");
        var firstFrame = string.Join('\n', c08.Split('\n').Take(10));
        var s = new TopFrameSplitter();
        s.Append(firstFrame);
        Assert.False(s.TryTake(TimeSpan.Zero, false, out _)); // the last row may still be arriving
        Assert.True(s.TryTake(Quiet, false, out var frame));
        Assert.Equal(0, frame.Index);
        Assert.Equal(1, frame.FirstLine);
        Assert.Equal(3, Assert.Single(TopParser.ParseText(frame.Text).Frames).Rows.Count);
    }

    [Fact]
    public void TryTake_RowsMissing_WaitsEvenWhenQuiet()
    {
        var lines = CaseFiles.Input("C08").Split('\n');
        var s = new TopFrameSplitter();
        s.Append(string.Join('\n', lines.Take(9)) + "\n");
        Assert.False(s.TryTake(Quiet, false, out _)); // Tasks: 3 total, 2 rows so far
        s.Append(lines[9] + "\n");
        Assert.True(s.TryTake(TimeSpan.Zero, false, out _)); // third row ended by its newline: complete at once
    }

    [Fact]
    public void TryTake_SecondFrame_NumberedWithLines()
    {
        var s = new TopFrameSplitter();
        s.Append(CaseFiles.Input("C08") + "\n");
        Assert.True(s.TryTake(TimeSpan.Zero, false, out var a));
        Assert.True(s.TryTake(TimeSpan.Zero, false, out var b));
        Assert.Equal((0, 1), (a.Index, a.FirstLine));
        Assert.Equal((1, 11), (b.Index, b.FirstLine));
    }

    [Fact]
    public void TryTake_Garbage_HandedOverWhenQuiet()
    {
        var s = new TopFrameSplitter();
        s.Append("Segmentation fault\n");
        Assert.False(s.TryTake(TimeSpan.Zero, false, out _));
        Assert.True(s.TryTake(Quiet, false, out var junk));
        Assert.Equal(-1, junk.Index);
        Assert.Equal(TopCodes.NoTopOutput, TopParser.ParseText(junk.Text).Errors[0].Code);
    }

    [Fact]
    public void TryTake_ChunkSplitInsideALine_Joins()
    {
        var text = string.Join('\n', CaseFiles.Input("C08").Split('\n').Take(10));
        var s = new TopFrameSplitter();
        foreach (var chunk in text.Chunk(7))
            s.Append(new string(chunk));
        Assert.True(s.TryTake(Quiet, false, out var frame));
        Assert.Equal(text, frame.Text);
    }
}
