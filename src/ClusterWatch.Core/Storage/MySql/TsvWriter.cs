using System.Buffers;
using System.Globalization;
using System.Text;

namespace ClusterWatch.Core.Storage.MySql;

/// <summary>
/// Rows as the UTF-8 text LOAD DATA reads back exactly (FIELDS TERMINATED BY '\t' ESCAPED BY '\\', LINES TERMINATED
/// BY '\n'): text with \\, \t, \n, \r and \0 escaped and cut to its column's length like <see cref="MySqlRows.Fit"/>,
/// integers and round-trip doubles formatted in place. One pooled buffer for the whole load: no string, array or boxed
/// value per row. Dispose returns the buffer.
/// </summary>
internal sealed class TsvWriter : IRowWriter, IDisposable
{
    private readonly int[] _limits;
    private byte[] _buffer;
    private int _length;
    private int _column;

    /// <param name="columns">The columns, in row order (their text limits come from <see cref="MySqlMigrations.TextLimits"/>).</param>
    /// <param name="capacity">Expected bytes.</param>
    public TsvWriter(string[] columns, int capacity)
    {
        _limits = columns.Select(c => MySqlMigrations.TextLimits.GetValueOrDefault(c, int.MaxValue)).ToArray();
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1024));
    }

    /// <summary>The text written so far (valid until the next write or Dispose).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The text written so far as a stream (valid until the next write or Dispose).</summary>
    public Stream OpenRead() => new MemoryStream(_buffer, 0, _length, writable: false);

    public void Text(string value)
    {
        var text = value.AsSpan(0, MySqlRows.FitLength(value, _limits[_column]));
        var free = Reserve(3 * text.Length); // a UTF-16 unit is at most 3 bytes of UTF-8; an escape is 2
        var at = 0;
        while (true)
        {
            var special = text.IndexOfAny("\\\t\n\r\0");
            var plain = special < 0 ? text : text[..special]; // escapes are ASCII: a cut here never splits a surrogate pair
            at += Encoding.UTF8.GetBytes(plain, free[at..]);
            if (special < 0)
                break;
            free[at++] = (byte)'\\';
            free[at++] = text[special] switch { '\t' => (byte)'t', '\n' => (byte)'n', '\r' => (byte)'r', '\0' => (byte)'0', _ => (byte)'\\' };
            text = text[(special + 1)..];
        }
        _length += at;
    }

    public void Integer(int value) => Integer((long)value);

    public void Integer(long value)
    {
        value.TryFormat(Reserve(20), out var n, default, CultureInfo.InvariantCulture);
        _length += n;
    }

    public void Real(double value)
    {
        value.TryFormat(Reserve(32), out var n, "R", CultureInfo.InvariantCulture);
        _length += n;
    }

    public void EndRow()
    {
        Grow(1);
        _buffer[_length++] = (byte)'\n';
        _column = 0;
    }

    /// <summary>Starts a field (a tab before every field but the first) and returns room for at least <paramref name="bytes"/> more.</summary>
    private Span<byte> Reserve(int bytes)
    {
        Grow(bytes + 1);
        if (_column++ > 0)
            _buffer[_length++] = (byte)'\t';
        return _buffer.AsSpan(_length);
    }

    private void Grow(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * _buffer.Length, _length + bytes));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
