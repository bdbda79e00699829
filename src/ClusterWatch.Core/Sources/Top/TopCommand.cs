using System.Globalization;
using System.Text;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>How the output width is widened: the -w flag, or COLUMNS for a top that does not accept -w.</summary>
public enum TopWidthMode
{
    Flag,
    ColumnsVariable,
}

/// <summary>
/// The one persistent top a node runs: `top -b -d SAMPLE -w 512` with a pinned environment (PRODUCT.md):
/// LC_ALL=C.UTF-8 (or C), TERM=dumb, XDG_CONFIG_HOME unset and HOME a private empty folder made for it — never a
/// shared one such as /tmp, where anyone could plant a .toprc. Transports run it as given: locally
/// (<see cref="LocalTopTransport"/>) or through <see cref="RemoteScript"/> in a remote sh over SSH.
/// </summary>
public sealed record TopCommand(int SampleSeconds, TopWidthMode Width = TopWidthMode.Flag, string Locale = "C.UTF-8")
{
    public const int Columns = 512;

    /// <summary>Variables removed from the environment: they would change what top prints or reads.</summary>
    public static readonly string[] Unset = ["XDG_CONFIG_HOME", "LANG", "LANGUAGE", "LC_NUMERIC", "LC_TIME", "LC_MESSAGES", "LINES", "COLUMNS", "TOPDEFAULTRC"];

    /// <summary>The program's arguments (batch mode always: without -b top needs a tty and prints nothing).</summary>
    public IReadOnlyList<string> Arguments =>
        Width == TopWidthMode.Flag
            ? ["-b", "-d", SampleSeconds.ToString(CultureInfo.InvariantCulture), "-w", Columns.ToString(CultureInfo.InvariantCulture)]
            : ["-b", "-d", SampleSeconds.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Variables set for top (HOME is added by the transport: a private folder on the node).</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["LC_ALL"] = Locale, ["TERM"] = "dumb" };
            if (Width == TopWidthMode.ColumnsVariable)
                env["COLUMNS"] = Columns.ToString(CultureInfo.InvariantCulture);
            return env;
        }
    }

    /// <summary>
    /// A POSIX sh script that runs this top on a remote node: a private HOME from mktemp -d (removed when top ends),
    /// C.UTF-8 if the node has it (else C), -w if accepted (else COLUMNS). Nothing in it comes from the cluster, and
    /// no pty is needed (one would merge stderr into stdout and add '\r').
    /// </summary>
    public string RemoteScript()
    {
        var d = SampleSeconds.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("h=$(mktemp -d) || exit 1; trap 'rm -rf \"$h\"' EXIT; ");
        sb.Append("l=C; locale -a 2>/dev/null | grep -qix 'c.utf-\\{0,1\\}8' && l=C.UTF-8; ");
        sb.Append("unset ").AppendJoin(' ', Unset).Append("; ");
        sb.Append("export HOME=\"$h\" LC_ALL=\"$l\" TERM=dumb; ");
        sb.Append("if top -b -n 1 -w ").Append(Columns).Append(" >/dev/null 2>&1; then top -b -d ").Append(d).Append(" -w ").Append(Columns);
        sb.Append("; else COLUMNS=").Append(Columns).Append(" top -b -d ").Append(d).Append("; fi");
        return sb.ToString();
    }
}
