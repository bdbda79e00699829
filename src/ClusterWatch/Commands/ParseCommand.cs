using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch parse FILE|-`: what ClusterWatch understands of a top capture, as JSON.</summary>
internal static class ParseCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A capture of `top -b` output, or - for standard input" };
        var cmd = new Command("parse", "Print what ClusterWatch reads from top output (frames, summary, processes, warnings) as JSON; exits 1 naming the line when it is not top output")
        {
            file,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"cannot read {path}: {e.Message}");
                return 2;
            }
            return await RunAsync(text, Console.OpenStandardOutput(), Console.Error);
        });
        return cmd;
    }

    internal static async Task<int> RunAsync(string text, Stream stdout, TextWriter stderr)
    {
        var result = TopParser.ParseText(text);
        // Names come from the cluster: JSON-escaped, but not HTML-escaped into \u003C forms a person must decode.
        await using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            TopJson.Write(w, result);
        await stdout.WriteAsync("\n"u8.ToArray());
        await stdout.FlushAsync();
        foreach (var e in result.Errors)
            await stderr.WriteLineAsync($"not understood: {e}");
        return result.Ok ? 0 : 1;
    }
}
