using System.Text;
using System.Text.Json;

namespace ClusterWatch.Configuration;

/// <summary>Turns a configuration file the binder could not read into one error naming the file, line and column.</summary>
public static class ConfigFileErrors
{
    public static ConfigError Describe(string path, Exception e)
    {
        // The binder wraps System.Text.Json's error (which knows the position) in a FormatException, and that in an
        // InvalidDataException ("Failed to load configuration from file …") whose message says nothing useful.
        for (var inner = e; inner != null; inner = inner.InnerException)
        {
            if (inner is JsonException { LineNumber: { } line, BytePositionInLine: { } bytes } json)
            {
                var column = Column(ReadLine(path, line), bytes);
                return new ConfigError(path, $"line {line + 1}, column {column}: invalid JSON: {Reason(json.Message)}");
            }
        }
        var innermost = e;
        while (innermost.InnerException != null)
            innermost = innermost.InnerException;
        return new ConfigError(path, $"cannot read: {innermost.Message}");
    }

    /// <summary>1-based column in characters of a 0-based byte offset into a line (System.Text.Json counts UTF-8 bytes).</summary>
    internal static long Column(string? lineText, long bytePosition)
    {
        if (lineText == null)
            return bytePosition + 1;
        var bytes = Encoding.UTF8.GetBytes(lineText);
        var upTo = (int)Math.Min(bytePosition, bytes.Length);
        return Encoding.UTF8.GetCharCount(bytes, 0, upTo) + 1;
    }

    /// <summary>System.Text.Json's message without its trailing "Path: … | LineNumber: … | BytePositionInLine: …".</summary>
    internal static string Reason(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).Trim();
    }

    private static string? ReadLine(string path, long line)
    {
        try
        {
            return File.ReadLines(path).Skip((int)line).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
