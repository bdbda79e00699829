using System.Globalization;
using System.Xml;
using ClusterWatch.Core.Profiling;

namespace ClusterWatch.Tests.Profiling;

/// <summary>The renderer against hand-built stacks: every position below is worked out by hand from the layout rules.</summary>
public sealed class FlameGraphSvgTests
{
    private const string Svg = "http://www.w3.org/2000/svg";

    // 80 samples over 1180 px of content (1200 wide, 10 px padding each side): 14.75 px per sample.
    private static readonly Dictionary<string, long> Stacks = new()
    {
        ["a;b"] = 30,
        ["a;c"] = 10,
        ["d"] = 40,
    };

    [Fact]
    public void Render_HandBuiltStacks_WidthsAndNestingExact()
    {
        var frames = Frames(FlameGraphSvg.Render(Stacks));

        // Height: 44 top + 3 rows of 16 + 10 bottom = 102; row y = 102 - 10 - (depth + 1) * 16.
        Assert.Equal((10.0, 76.0, 1180.0), frames["all"]);
        Assert.Equal((10.0, 60.0, 590.0), frames["a"]);        // 40 samples from sample 0
        Assert.Equal((600.0, 60.0, 590.0), frames["d"]);       // 40 samples from sample 40
        Assert.Equal((10.0, 44.0, 442.5), frames["b"]);        // 30 samples from sample 0, on top of a
        Assert.Equal((452.5, 44.0, 147.5), frames["c"]);       // 10 samples from sample 30, on top of a
        Assert.Equal(5, frames.Count);
    }

    [Fact]
    public void Render_Tooltips_CountAndPercent()
    {
        var titles = Titles(FlameGraphSvg.Render(Stacks));
        Assert.Contains("all (80 samples, 100.00%)", titles);
        Assert.Contains("b (30 samples, 37.50%)", titles);   // 30 / 80
        Assert.Contains("c (10 samples, 12.50%)", titles);   // 10 / 80
        Assert.Contains("a (40 samples, 50.00%)", titles);
    }

    [Fact]
    public void Render_SameFrameNameUnderDifferentCallers_StaysSeparate()
    {
        var stacks = new Dictionary<string, long> { ["x;leaf"] = 3, ["y;leaf"] = 1 };
        var titles = Titles(FlameGraphSvg.Render(stacks));
        Assert.Contains("leaf (3 samples, 75.00%)", titles);
        Assert.Contains("leaf (1 samples, 25.00%)", titles);
    }

    [Fact]
    public void Render_NamesWithMarkup_EscapedAndWellFormed()
    {
        const string nasty = "List`1<T>.Add(\"a\" & 'b')";
        var stacks = new Dictionary<string, long> { [nasty + "\u0001</title><script>"] = 2, ["plain"] = 2 };
        var svg = FlameGraphSvg.Render(stacks, new FlameGraphOptions(Title: "<title> & \"quotes\""));

        var doc = Load(svg);
        Assert.Empty(doc.GetElementsByTagName("script"));
        Assert.Contains(nasty + "</title><script> (2 samples, 50.00%)", Titles(svg));
        Assert.DoesNotContain('\u0001', svg);
    }

    [Fact]
    public void Render_TinyFrames_LeftOut()
    {
        // 1 of 100,000 samples is 0.0118 px wide: under the 0.1 px floor, so neither it nor its callee is drawn.
        var stacks = new Dictionary<string, long> { ["big"] = 99_999, ["tiny;callee"] = 1 };
        var titles = Titles(FlameGraphSvg.Render(stacks));
        Assert.Contains("big (99,999 samples, 100.00%)", titles);
        Assert.DoesNotContain(titles, t => t.StartsWith("tiny", StringComparison.Ordinal) || t.StartsWith("callee", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NoSamples_StillAValidSvg()
    {
        var doc = Load(FlameGraphSvg.Render(new Dictionary<string, long>()));
        Assert.Equal("svg", doc.DocumentElement!.LocalName);
    }

    [Theory]
    [InlineData("abcdefghij", 100, "abcdefghij")] // floor((100 - 6) / 7) = 13 characters fit
    [InlineData("abcdefghij", 50, "abcd..")]      // 6 fit: 4 and ".."
    [InlineData("abcdefghij", 20, "")]            // 2 fit: too few for a label
    public void Label_CutToFit(string name, double width, string expected) =>
        Assert.Equal(expected, FlameGraphSvg.Label(name, width));

    [Fact]
    public void Render_LabelsInsideTheirFrame()
    {
        var stacks = new Dictionary<string, long> { ["ClusterWatch.Core.Sources.Proc.LocalProcReader.ReadAll()"] = 1, ["x"] = 99 };
        var svg = FlameGraphSvg.Render(stacks);
        // 1 of 100 samples = 11.8 px: only 0 characters fit, so the long name has no label but keeps its tooltip.
        var labels = Load(svg).GetElementsByTagName("g", Svg).Cast<XmlElement>()
            .SelectMany(g => g.GetElementsByTagName("text", Svg).Cast<XmlElement>()).Select(t => t.InnerText).ToList();
        Assert.Equal(["all", "x"], labels.Order());
        Assert.Contains("ClusterWatch.Core.Sources.Proc.LocalProcReader.ReadAll() (1 samples, 1.00%)", Titles(svg));
    }

    private static XmlDocument Load(string svg)
    {
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(svg);
        return doc;
    }

    private static List<string> Titles(string svg) =>
        Load(svg).GetElementsByTagName("title", Svg).Cast<XmlElement>().Select(t => t.InnerText).ToList();

    /// <summary>Frame name → (x, y, width) of its rectangle; names are unique in the stacks used here.</summary>
    private static Dictionary<string, (double X, double Y, double W)> Frames(string svg)
    {
        var result = new Dictionary<string, (double, double, double)>();
        foreach (var g in Load(svg).GetElementsByTagName("g", Svg).Cast<XmlElement>())
        {
            var title = g.GetElementsByTagName("title", Svg)[0]!.InnerText;
            var rect = (XmlElement)g.GetElementsByTagName("rect", Svg)[0]!;
            double A(string n) => double.Parse(rect.GetAttribute(n), CultureInfo.InvariantCulture);
            result[title[..title.IndexOf(" (", StringComparison.Ordinal)]] = (A("x"), A("y"), A("width"));
        }
        return result;
    }
}
