using System.Text;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// Cuts a stream of `top -b` output into frames without a one-interval lag: top writes a frame's last newline only
/// when the next frame starts, so a frame is complete when its process rows are all there (the Tasks:/Threads:
/// total says how many) or when the next "top - " header arrives. Pure: fed chunks, yields frame texts.
/// </summary>
public sealed class TopStream
{
    private readonly StringBuilder _pending = new();

    /// <summary>Bytes seen before the first "top - " header (what a broken or fake top printed).</summary>
    public string Preamble { get; private set; } = "";

    /// <summary>True once a "top - " header was seen.</summary>
    public bool SawHeader { get; private set; }

    /// <summary>Adds a chunk; returns the frames it completed, oldest first.</summary>
    public List<string> Add(ReadOnlySpan<byte> chunk)
    {
        _pending.Append(Encoding.UTF8.GetString(chunk));
        var frames = new List<string>();
        var text = _pending.ToString();
        var start = HeaderAt(text, 0);
        if (start < 0)
        {
            if (!SawHeader)
                Preamble = text.Length > 2048 ? text[..2048] : text;
            if (text.Length > 1 << 20)
                _pending.Clear();
            return frames;
        }
        if (!SawHeader)
            Preamble = text[..start];
        SawHeader = true;
        while (true)
        {
            var next = HeaderAt(text, start + 1);
            var end = next >= 0 ? next : CompleteAt(text, start);
            if (end < 0)
                break;
            frames.Add(text[start..end]);
            if (next < 0)
            {
                start = end;
                break;
            }
            start = next;
        }
        _pending.Clear().Append(text, start, text.Length - start);
        return frames;
    }

    private static int HeaderAt(string text, int from)
    {
        if (from == 0 && text.StartsWith("top - ", StringComparison.Ordinal))
            return 0;
        var at = text.IndexOf("\ntop - ", Math.Max(0, from - 1), StringComparison.Ordinal);
        return at < 0 ? -1 : at + 1;
    }

    /// <summary>End of the frame starting at <paramref name="start"/> when all its rows are in, else -1.</summary>
    private static int CompleteAt(string text, int start)
    {
        var tasks = text.IndexOf("\nTasks:", start, StringComparison.Ordinal);
        if (tasks < 0)
            tasks = text.IndexOf("\nThreads:", start, StringComparison.Ordinal);
        if (tasks < 0)
            return -1;
        var colon = text.IndexOf(':', tasks);
        var i = colon + 1;
        while (i < text.Length && text[i] == ' ')
            i++;
        var numStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
            i++;
        if (!int.TryParse(text.AsSpan(numStart, i - numStart), out var total))
            return -1;
        var header = text.IndexOf("\n  PID", tasks, StringComparison.Ordinal);
        if (header < 0)
            header = text.IndexOf("\n    PID", tasks, StringComparison.Ordinal);
        if (header < 0)
            return -1;
        // Rows end with a newline except the frame's last one, whose newline comes with the next frame.
        var pos = text.IndexOf('\n', header + 1);
        for (var rows = 0; pos >= 0; rows++)
        {
            if (rows == total)
                return pos + 1;
            var next = text.IndexOf('\n', pos + 1);
            if (next < 0 && rows == total - 1 && pos + 1 < text.Length)
                return text.Length;
            pos = next;
        }
        return -1;
    }
}
