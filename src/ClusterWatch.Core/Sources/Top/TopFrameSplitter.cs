namespace ClusterWatch.Core.Sources.Top;

/// <summary>One frame's text cut from a stream of top output (or a run of text that is not top output).</summary>
/// <param name="Text">The lines, joined with '\n'.</param>
/// <param name="FirstLine">Line number of its first line in the stream (1-based).</param>
/// <param name="Index">Frame number in the top run (0 = first frame, never used for CPU).</param>
public readonly record struct TopFrameText(string Text, int FirstLine, int Index);

/// <summary>
/// Cuts a stream of top output into frames without a one-interval lag. top writes a frame's last newline only when
/// the next frame starts, so waiting for lines delays every frame by one interval: a frame is complete as soon as
/// its rows are all there (the Tasks/Threads total says how many) and the stream is quiet for a moment (the last row
/// may still be arriving), or when the next frame's first line arrives. Pure: fed text, asked for frames; the
/// caller measures time (see <see cref="TopFrameReader"/>).
/// </summary>
public sealed class TopFrameSplitter
{
    private readonly List<string> _lines = new();
    private string _partial = "";
    private int _firstLine = 1;
    private int _nextIndex;

    /// <summary>How long the stream must be quiet after the last row of a counted frame.</summary>
    public TimeSpan CountedQuiet { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>How long the stream must be quiet when the frame shows no total (busybox, localized labels).</summary>
    public TimeSpan UncountedQuiet { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>True when buffered text waits only for quiet time: the caller should come back after a short wait.</summary>
    public bool Pending => _lines.Count > 0 || _partial.Length > 0;

    public void Append(ReadOnlySpan<char> chunk)
    {
        while (!chunk.IsEmpty)
        {
            var nl = chunk.IndexOf('\n');
            if (nl < 0)
            {
                _partial += chunk.ToString();
                return;
            }
            var line = _partial.Length == 0 ? chunk[..nl].ToString() : _partial + chunk[..nl].ToString();
            _lines.Add(line.TrimEnd('\r'));
            _partial = "";
            chunk = chunk[(nl + 1)..];
        }
    }

    /// <summary>
    /// Takes the next complete frame (or run of non-top text), if any. <paramref name="quietFor"/>: how long no
    /// text has arrived; <paramref name="eof"/>: the stream ended, so whatever is left is complete.
    /// </summary>
    public bool TryTake(TimeSpan quietFor, bool eof, out TopFrameText frame)
    {
        frame = default;
        while (_lines.Count > 0 && string.IsNullOrWhiteSpace(_lines[0]))
        {
            _lines.RemoveAt(0);
            _firstLine++;
        }
        var all = _partial.Length > 0 ? _lines.Count + 1 : _lines.Count;
        if (all == 0)
            return false;
        // A complete line that starts a frame, after the first line, ends what came before it.
        for (var i = 1; i < _lines.Count; i++)
            if (IsFrameStart(_lines[i], _lines, i))
                return Emit(i, out frame);
        if (_partial.Length > 0 && _lines.Count > 0 && IsFrameStart(_partial, _lines, _lines.Count) && _partial.Length >= 6)
            return Emit(_lines.Count, out frame);
        if (eof)
            return Emit(all, out frame);
        if (!IsFrameStart(Line(0), _lines, 0))
            return quietFor >= UncountedQuiet && Emit(all, out frame); // junk: hand it over so it is reported
        var (total, rows, lastTerminated) = Count(all);
        if (total is { } t && rows >= t)
            return (lastTerminated || quietFor >= CountedQuiet) && Emit(all, out frame);
        return total == null && rows > 0 && quietFor >= UncountedQuiet && Emit(all, out frame);
    }

    private string Line(int i) => i < _lines.Count ? _lines[i] : _partial;

    private static bool IsFrameStart(string line, List<string> lines, int index) =>
        line.StartsWith("top - ", StringComparison.Ordinal)
        || (line.StartsWith("Mem:", StringComparison.Ordinal) && (index == 0 || !lines[index - 1].StartsWith("top - ", StringComparison.Ordinal)
            && !lines[index - 1].Contains("Cpu", StringComparison.Ordinal)));

    /// <summary>The frame's announced total (Tasks:/Threads:), its rows so far, and whether the last line ended.</summary>
    private (int? Total, int Rows, bool LastTerminated) Count(int all)
    {
        int? total = null;
        var header = -1;
        for (var i = 0; i < all; i++)
        {
            var line = Line(i);
            if (header < 0 && (line.StartsWith("Tasks:", StringComparison.Ordinal) || line.StartsWith("Threads:", StringComparison.Ordinal)))
            {
                var colon = line.IndexOf(':');
                var words = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length > 0 && TopNumbers.TryParseInt(words[0], out var n))
                    total = n;
            }
            else if (header < 0 && TopLayout.IsHeader(line))
                header = i;
        }
        if (header < 0)
            return (total, 0, false);
        var rows = 0;
        for (var i = header + 1; i < all; i++)
            if (!string.IsNullOrWhiteSpace(Line(i)))
                rows++;
        return (total, rows, _partial.Length == 0);
    }

    private bool Emit(int count, out TopFrameText frame)
    {
        var lines = count > _lines.Count ? [.. _lines, _partial] : _lines.GetRange(0, count);
        var isFrame = IsFrameStart(lines[0], lines, 0);
        frame = new TopFrameText(string.Join('\n', lines), _firstLine, isFrame ? _nextIndex : -1);
        if (isFrame)
            _nextIndex++;
        _firstLine += count;
        if (count > _lines.Count)
        {
            _lines.Clear();
            _partial = "";
        }
        else
            _lines.RemoveRange(0, count);
        // Blank separator lines between frames belong to no frame.
        while (_lines.Count > 0 && _lines[0].Length == 0)
        {
            _lines.RemoveAt(0);
            _firstLine++;
        }
        return !string.IsNullOrWhiteSpace(frame.Text);
    }
}
