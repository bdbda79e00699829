using System.Globalization;
using System.Text;

namespace ClusterWatch.Core.Profiling;

/// <summary>Layout and text of a flame graph; the defaults suit a browser window.</summary>
public sealed record FlameGraphOptions(string Title = "Flame graph", string? Subtitle = null, double Width = 1200)
{
    public const double Pad = 10;
    public const double FrameHeight = 16;
    public const double TopPad = 44;
    public const double BottomPad = 10;

    /// <summary>Average glyph width of the 12 px label font, to cut labels that would overflow their frame.</summary>
    public const double CharWidth = 7;

    /// <summary>Frames narrower than this are left out (with their callees): invisible, and they bloat the file.</summary>
    public const double MinFrameWidth = 0.1;

    public double ContentWidth => Width - 2 * Pad;
}

/// <summary>
/// Our own flame-graph renderer: collapsed stacks in, one self-contained SVG out (no script, no external files).
/// The root "all" is the bottom row; each caller sits below its callees; a frame's width is its share of all
/// samples; hovering shows the full name, the sample count and the percent (an SVG &lt;title&gt;).
/// </summary>
public static class FlameGraphSvg
{
    public static string Render(IReadOnlyDictionary<string, long> stacks, FlameGraphOptions? options = null)
    {
        var o = options ?? new FlameGraphOptions();
        var root = FlameNode.Build(stacks);
        var height = FlameGraphOptions.TopPad + (root.MaxDepth() + 1) * FlameGraphOptions.FrameHeight + FlameGraphOptions.BottomPad;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>""").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{N(o.Width)}" height="{N(height)}" viewBox="0 0 {N(o.Width)} {N(height)}">""").Append('\n');
        sb.Append("""<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; } .frame:hover rect { stroke: #000; stroke-width: 0.5; } .h { font-size: 16px; } .s { fill: #555; }</style>""").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"""<rect x="0" y="0" width="{N(o.Width)}" height="{N(height)}" fill="#f8f8f8"/>""").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"""<text class="h" x="{N(o.Width / 2)}" y="20" text-anchor="middle">{Escape(o.Title)}</text>""").Append('\n');
        var subtitle = o.Subtitle ?? $"{root.Count.ToString("N0", CultureInfo.InvariantCulture)} samples";
        sb.Append(CultureInfo.InvariantCulture, $"""<text class="s" x="{N(o.Width / 2)}" y="36" text-anchor="middle">{Escape(subtitle)}</text>""").Append('\n');
        if (root.Count > 0)
            AppendFrame(sb, root, 0, root.Count, height, o);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Where a frame goes: <paramref name="startCount"/> samples from the left edge, as wide as its count.</summary>
    public static (double X, double Y, double Width) Place(long startCount, long count, int depth, long total, double height, FlameGraphOptions o) =>
        (FlameGraphOptions.Pad + startCount * o.ContentWidth / total,
         height - FlameGraphOptions.BottomPad - (depth + 1) * FlameGraphOptions.FrameHeight,
         count * o.ContentWidth / total);

    private static void AppendFrame(StringBuilder sb, FlameNode node, long startCount, long total, double height, FlameGraphOptions o)
    {
        var (x, y, w) = Place(startCount, node.Count, node.Depth, total, height, o);
        if (w < FlameGraphOptions.MinFrameWidth)
            return;
        var percent = 100.0 * node.Count / total;
        var tip = $"{node.Name} ({node.Count.ToString("N0", CultureInfo.InvariantCulture)} samples, {percent.ToString("0.00", CultureInfo.InvariantCulture)}%)";
        sb.Append("<g class=\"frame\"><title>").Append(Escape(tip)).Append("</title>");
        sb.Append(CultureInfo.InvariantCulture, $"""<rect x="{N(x)}" y="{N(y)}" width="{N(w)}" height="{N(FlameGraphOptions.FrameHeight - 1)}" rx="2" fill="{Color(node.Name, node.Depth == 0)}"/>""");
        var label = Label(node.Name, w);
        if (label.Length > 0)
            sb.Append(CultureInfo.InvariantCulture, $"""<text x="{N(x + 3)}" y="{N(y + FlameGraphOptions.FrameHeight - 4)}">{Escape(label)}</text>""");
        sb.Append("</g>\n");
        var childStart = startCount;
        foreach (var child in node.Children)
        {
            AppendFrame(sb, child, childStart, total, height, o);
            childStart += child.Count;
        }
    }

    /// <summary>The name cut to fit <paramref name="width"/> pixels ("..." marks a cut), or nothing if under 3 characters fit.</summary>
    public static string Label(string name, double width)
    {
        var fits = (int)Math.Floor((width - 6) / FlameGraphOptions.CharWidth);
        if (fits < 3)
            return "";
        return name.Length <= fits ? name : name[..(fits - 2)] + "..";
    }

    /// <summary>Text safe inside an XML element or attribute; characters XML 1.0 forbids are dropped.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
                continue;
            }
            if (char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF' || (c < ' ' && c is not ('\t' or '\n' or '\r')))
                continue;
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    /// <summary>A warm colour that depends only on the name, so a method keeps its colour from one graph to the next.</summary>
    private static string Color(string name, bool root)
    {
        if (root)
            return "rgb(200,200,200)";
        uint h = 2166136261;
        foreach (var c in name)
            h = (h ^ c) * 16777619;
        return $"rgb({205 + (int)(h % 50)},{90 + (int)((h >> 8) % 140)},{(int)((h >> 16) % 60)})";
    }

    /// <summary>Coordinates with at most 2 decimals and a '.' point.</summary>
    private static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
