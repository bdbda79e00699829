using System.Globalization;
using System.Text;

namespace ClusterWatch.Core.Profiling;

/// <summary>
/// Stacks in the "collapsed" text format other flame-graph tools read: one line per distinct stack, frames from the
/// outermost caller to the leaf joined by ';', then a space and the number of samples (<c>Main;Run;Read 42</c>).
/// </summary>
public static class CollapsedStacks
{
    /// <summary>A frame name made safe for the format: ';' separates frames and a line break ends a stack.</summary>
    public static string CleanFrame(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
            sb.Append(c switch { ';' => ':', '\r' or '\n' or '\t' => ' ', _ => c });
        var s = sb.ToString().Trim();
        return s.Length == 0 ? "[unnamed]" : s;
    }

    /// <summary>Adds one sample (or <paramref name="count"/>) of a root-first stack to <paramref name="stacks"/>.</summary>
    public static void Add(IDictionary<string, long> stacks, IEnumerable<string> rootFirstFrames, long count = 1)
    {
        var key = string.Join(';', rootFirstFrames.Select(CleanFrame));
        if (key.Length == 0)
            return;
        stacks[key] = stacks.TryGetValue(key, out var n) ? n + count : count;
    }

    /// <summary>The collapsed text, stacks sorted so the output is stable from run to run.</summary>
    public static string Format(IReadOnlyDictionary<string, long> stacks)
    {
        var sb = new StringBuilder();
        foreach (var (stack, count) in stacks.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(stack).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads collapsed text; the count is after the last space (frame names may contain spaces).</summary>
    public static Dictionary<string, long> Parse(string text)
    {
        var stacks = new Dictionary<string, long>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
                continue;
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw new FormatException($"line {lineNo} is not \"frame;frame;... count\": {line}");
            var stack = line[..space];
            stacks[stack] = stacks.TryGetValue(stack, out var n) ? n + count : count;
        }
        return stacks;
    }
}
