using ClusterWatch.Commands;
using ClusterWatch.Core.Profiling;

namespace ClusterWatch.Tests.Profiling;

public sealed class CollapsedStacksTests
{
    [Fact]
    public void Add_SameStackTwice_Summed_AndFormattedSorted()
    {
        var stacks = new Dictionary<string, long>();
        CollapsedStacks.Add(stacks, ["Main", "Run", "Read"]);
        CollapsedStacks.Add(stacks, ["Main", "Run", "Read"], 4);
        CollapsedStacks.Add(stacks, ["Main", "Idle"]);
        Assert.Equal("Main;Idle 1\nMain;Run;Read 5\n", CollapsedStacks.Format(stacks));
    }

    [Fact]
    public void Add_SeparatorsInNames_Replaced()
    {
        var stacks = new Dictionary<string, long>();
        CollapsedStacks.Add(stacks, ["a;b", "line\nbreak"]);
        Assert.Equal("a:b;line break 1\n", CollapsedStacks.Format(stacks));
    }

    [Fact]
    public void Parse_CountAfterLastSpace_NamesKeepTheirSpaces()
    {
        var stacks = CollapsedStacks.Parse("Main;Foo(class System.String, int32) 7\r\nMain 3\n\n");
        Assert.Equal(7, stacks["Main;Foo(class System.String, int32)"]);
        Assert.Equal(3, stacks["Main"]);
        Assert.Equal(CollapsedStacks.Format(stacks), CollapsedStacks.Format(CollapsedStacks.Parse(CollapsedStacks.Format(stacks))));
    }

    [Fact]
    public void Parse_LineWithoutCount_SaysWhichLine()
    {
        var e = Assert.Throws<FormatException>(() => CollapsedStacks.Parse("a;b 1\na;b\n"));
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void ProfileCommand_EverythingAfterDoubleDash_IsTheWatchCommand()
    {
        var parse = ProfileCommand.Create().Parse(["-o", "p.svg", "--duration", "5s", "--", "watch", "--db", "x.db", "--no-web"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["watch", "--db", "x.db", "--no-web"], parse.GetValue<string[]>("command")!);
        Assert.Equal("p.svg", parse.GetValue<string>("--output"));
    }
}
