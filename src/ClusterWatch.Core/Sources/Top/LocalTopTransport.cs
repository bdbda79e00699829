using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources.Proc;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>Runs top on the watcher's own machine, with a private empty HOME made for it (removed on dispose).</summary>
public sealed class LocalTopTransport(string program = "top") : ITopTransport
{
    private string? _home;

    public string Host => "local";

    public Task<int> GetCpuCountAsync(CancellationToken cancellationToken)
    {
        var n = ProcParsers.CountCpus(File.ReadAllBytes("/proc/stat"));
        return Task.FromResult(n > 0 ? n : System.Environment.ProcessorCount);
    }

    public Task<ITopProcess> StartAsync(TopCommand command, CancellationToken cancellationToken)
    {
        // CreateTempSubdirectory makes the folder with mode 0700: nobody else can plant a .toprc in it.
        _home ??= Directory.CreateTempSubdirectory("clusterwatch-top-").FullName;
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _home,
        };
        foreach (var a in command.Arguments)
            psi.ArgumentList.Add(a);
        foreach (var name in TopCommand.Unset)
            psi.Environment.Remove(name);
        foreach (var (k, v) in command.Environment)
            psi.Environment[k] = v;
        psi.Environment["HOME"] = _home;
        try
        {
            var p = Process.Start(psi) ?? throw new NodeSourceException(NodeState.ToolMissing, $"cannot start {program}");
            p.StandardInput.Close();
            return Task.FromResult<ITopProcess>(new LocalTopProcess(p));
        }
        catch (Win32Exception e)
        {
            throw new NodeSourceException(NodeState.ToolMissing, $"'{program}' not found or not executable: {e.Message}", e);
        }
    }

    /// <summary>The locale top runs in: C.UTF-8 where the machine has it, else C.</summary>
    public static string PickLocale() =>
        Directory.Exists("/usr/lib/locale/C.utf8") || Directory.Exists("/usr/lib/locale/C.UTF-8") ? "C.UTF-8" : "C";

    public ValueTask DisposeAsync()
    {
        if (_home != null)
        {
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
            }
            _home = null;
        }
        return ValueTask.CompletedTask;
    }

    private sealed class LocalTopProcess : ITopProcess
    {
        private const int MaxStderr = 4096;
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        public LocalTopProcess(Process process)
        {
            _process = process;
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                    if (e.Data != null && _stderr.Length < MaxStderr)
                        _stderr.AppendLine(e.Data);
            };
            process.BeginErrorReadLine();
            Exited = process.WaitForExitAsync();
        }

        public Stream Output => _process.StandardOutput.BaseStream;

        public string StandardError
        {
            get
            {
                lock (_stderr)
                    return _stderr.ToString().Trim();
            }
        }

        public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

        public Task Exited { get; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                    _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or Win32Exception)
            {
            }
            _process.Dispose();
        }
    }
}
