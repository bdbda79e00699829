using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage.Spool;

/// <summary>One spooled write, in the order it was made: a sample, closed windows/history, or a node status — or the
/// high-water mark (<paramref name="LastSeqs"/>: the highest seq this watcher has numbered, per node), which stays in
/// an otherwise empty spool so a watcher starting while the database is down never reuses a seq.</summary>
public sealed record SpoolEntry(NodeSample? Sample = null, AggregationOutput? Aggregates = null, NodeStatus? Node = null, IReadOnlyDictionary<string, long>? LastSeqs = null)
{
    [JsonIgnore]
    public bool IsSample => Sample != null;
}

/// <summary>
/// The spool on disk: one JSON line per entry, handed to the kernel (unbuffered write) before the write is
/// acknowledged, so a watcher killed at any moment — even SIGKILL — loses at most the entry it was appending (a torn
/// last line is skipped on load). fsync runs on the writer task (<see cref="SyncToDisk"/>, group commit), not in the
/// sampling path: a slow disk never delays a sample; a machine crash may lose the last un-synced entries. The file
/// is locked while open (a second watcher can't share it) and emptied once everything in it is in the database.
/// </summary>
public sealed class SpoolFile : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly FileStream _stream;

    private SpoolFile(string path, FileStream stream, bool created)
    {
        Path = path;
        _stream = stream;
        Created = created;
    }

    public string Path { get; }

    /// <summary>True when <see cref="Open"/> made the file (it did not exist before).</summary>
    public bool Created { get; }

    /// <summary>Bytes in the file now.</summary>
    public long Length => _stream.Length;

    /// <summary>Opens (creating) and locks the spool; throws IOException with a clear message if another watcher holds it.</summary>
    public static SpoolFile Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var existed = File.Exists(full);
        try
        {
            // FileShare.None takes an exclusive flock on Linux: the lock dies with the process, even on SIGKILL.
            var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.None);
            return new SpoolFile(full, stream, created: !existed);
        }
        catch (IOException e)
        {
            throw new IOException($"spool file {full} is in use by another watcher; give each watcher its own spool (Store:Spool)", e);
        }
    }

    /// <summary>Every complete entry in the file, oldest first, and how many unreadable lines were skipped.</summary>
    public (List<SpoolEntry> Entries, int Skipped) ReadAll()
    {
        _stream.Position = 0;
        var entries = new List<SpoolEntry>();
        var skipped = 0;
        using var reader = new StreamReader(_stream, new UTF8Encoding(false), false, 65536, leaveOpen: true);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            try
            {
                if (JsonSerializer.Deserialize<SpoolEntry>(line, Json) is { } e)
                    entries.Add(e);
            }
            catch (JsonException)
            {
                skipped++; // the entry being appended when the watcher was killed
            }
        }
        _stream.Seek(0, SeekOrigin.End);
        return (entries, skipped);
    }

    /// <summary>One entry as its line (JSON and a newline), in a new array.</summary>
    public static byte[] Encode(SpoolEntry entry) => new LineEncoder().Encode(entry).ToArray();

    /// <summary>
    /// Encodes entries into one reused buffer: a sample's line (~100 KB at 500 processes) then costs no allocation — two
    /// large-object arrays per sample, as the serializer's byte[] result and its copy with the newline were, meant a
    /// full (gen 2) collection every few samples. Samples are written by <see cref="SpoolSampleJson"/>, everything
    /// else by the serializer. Not thread-safe; a returned span is valid until the next <see cref="Encode"/>.
    /// </summary>
    public sealed class LineEncoder
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
        private readonly Utf8JsonWriter _json;

        public LineEncoder() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

        public ReadOnlySpan<byte> Encode(SpoolEntry entry)
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            if (entry is { Sample: { } sample, Aggregates: null, Node: null, LastSeqs: null })
                SpoolSampleJson.Write(_json, sample);
            else
                JsonSerializer.Serialize(_json, entry, Json);
            _json.Flush();
            _buffer.Write("\n"u8);
            return _buffer.WrittenSpan;
        }
    }

    /// <summary>Appends one encoded entry: one write(2), in the kernel's hands when this returns.</summary>
    public void Append(ReadOnlySpan<byte> line)
    {
        _stream.Seek(0, SeekOrigin.End);
        _stream.Write(line);
    }

    /// <summary>fsync(2) of what was appended; safe beside concurrent appends (it touches no stream state).</summary>
    public void SyncToDisk()
    {
        if (Fsync((int)_stream.SafeFileHandle.DangerousGetHandle()) != 0)
            throw new IOException($"fsync of {Path} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    /// <summary>Replaces the contents with the high-water line and these entries (after dropping some when full),
    /// fsync'd. Written over the old contents from the start, then cut: a kill half-way leaves the new lines, at most
    /// one torn line (skipped on load) and old entries (re-sent: writes are idempotent) — never a file without its
    /// high-water line.</summary>
    public void Rewrite(byte[] highWater, IEnumerable<SpoolEntry> entries)
    {
        _stream.Position = 0;
        _stream.Write(highWater);
        var encoder = new LineEncoder();
        foreach (var e in entries)
            _stream.Write(encoder.Encode(e));
        _stream.SetLength(_stream.Position);
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Empties the file but for the high-water line: everything else in it is stored. Written over the start,
    /// then cut, like <see cref="Rewrite"/>. (Not fsync'd: after a crash, re-sending stored entries is a no-op.)</summary>
    public void Clear(byte[] highWater)
    {
        _stream.Position = 0;
        _stream.Write(highWater);
        _stream.SetLength(highWater.Length);
    }

    /// <summary>
    /// Removes the file if this open created it and it holds nothing — no entry, at most a high-water line that names
    /// no node: a start that fails (a bad --db, a taken port) leaves no empty spool behind. Deleted while still
    /// locked, so no other watcher can be using it.
    /// </summary>
    public bool DeleteIfCreatedAndEmpty()
    {
        if (!Created || _stream.Length > 4096)
            return false;
        var (entries, skipped) = ReadAll();
        if (skipped > 0 || entries.Any(e => e.LastSeqs is not { Count: 0 }))
            return false;
        File.Delete(Path);
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
