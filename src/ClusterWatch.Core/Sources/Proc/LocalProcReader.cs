using System.Buffers.Text;
using System.Runtime.InteropServices;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sources.Proc;

/// <summary>
/// Reads the local /proc with as few system calls as possible: /proc is listed with getdents64 on one descriptor,
/// each process's stat file is kept open and re-read with pread (a reused pid answers ESRCH on the old descriptor,
/// never the new process), and status (for the real uid) is read once per new process. Buffers, entries and the
/// output array are reused: once warm, a snapshot allocates nothing per process.
/// </summary>
public sealed unsafe class LocalProcReader : IDisposable
{
    private readonly int _procFd;
    private readonly byte[] _dents = new byte[64 * 1024];
    private readonly byte[] _buf = new byte[4096];
    private readonly byte[] _big = new byte[256 * 1024];
    private readonly Dictionary<int, Entry> _entries = new();
    private readonly List<int> _pids = new(1024);
    private readonly List<int> _gone = new();
    private readonly IUserNameResolver _users;
    private readonly double _clkTck;
    private readonly long _pageSize;
    private readonly ulong _fdLimit;
    private const int UidRefreshEvery = 120;
    private RawProcess[] _out = new RawProcess[1024];
    private int _generation;
    private bool _keepFds = true;

    public LocalProcReader(IUserNameResolver users, string procRoot = "/proc")
    {
        _users = users;
        var z = System.Text.Encoding.UTF8.GetBytes(procRoot + "\0");
        fixed (byte* p = z)
            _procFd = Libc.openat(-100, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (_procFd < 0)
            throw new NodeSourceException(NodeState.ToolMissing, $"cannot open {procRoot}: errno {Marshal.GetLastPInvokeError()}");
        var tck = Libc.sysconf(Libc.SC_CLK_TCK);
        _clkTck = tck > 0 ? tck : 100;
        _pageSize = Environment.SystemPageSize;
        _fdLimit = Libc.RaiseOpenFileLimit();
        BootId = ReadSmallText("sys/kernel/random/boot_id"u8).Trim();
    }

    /// <summary>Kernel boot id of this machine.</summary>
    public string BootId { get; }

    /// <summary>Clock ticks per second (USER_HZ).</summary>
    public double ClockTicksPerSecond => _clkTck;

    /// <summary>Processes that vanished while being read in the last snapshot.</summary>
    public int Vanished { get; private set; }

    /// <summary>Processes whose files were unreadable (EACCES) in the last snapshot.</summary>
    public int Denied { get; private set; }

    /// <summary>Reads every process; the returned array is reused by the next call.</summary>
    public RawProcess[] ReadProcesses(out int count)
    {
        _generation++;
        Vanished = 0;
        Denied = 0;
        ListPids();
        count = 0;
        foreach (var pid in _pids)
        {
            if (!TryReadProcess(pid, out var raw))
                continue;
            if (count == _out.Length)
                Array.Resize(ref _out, _out.Length * 2);
            _out[count++] = raw;
        }
        _gone.Clear();
        foreach (var (pid, e) in _entries)
            if (e.Generation != _generation)
                _gone.Add(pid);
        foreach (var pid in _gone)
            Forget(pid);
        return _out;
    }

    /// <summary>Reads a small /proc file (relative to the proc root) into the shared big buffer.</summary>
    public ReadOnlySpan<byte> ReadFile(ReadOnlySpan<byte> relativePath)
    {
        var fd = Libc.OpenAt(_procFd, relativePath);
        if (fd < 0)
            return default;
        try
        {
            var n = Libc.PRead(fd, _big);
            return n <= 0 ? default : _big.AsSpan(0, n);
        }
        finally
        {
            Libc.close(fd);
        }
    }

    public void Dispose()
    {
        foreach (var e in _entries.Values)
            if (e.Fd >= 0)
                Libc.close(e.Fd);
        _entries.Clear();
        Libc.close(_procFd);
    }

    private string ReadSmallText(ReadOnlySpan<byte> path) => ProcParsers.DecodeName(ReadFile(path));

    private void ListPids()
    {
        _pids.Clear();
        Libc.lseek(_procFd, 0, 0);
        fixed (byte* b = _dents)
        {
            while (true)
            {
                var n = (int)Libc.getdents64(_procFd, b, _dents.Length);
                if (n <= 0)
                    break;
                var off = 0;
                while (off < n)
                {
                    var reclen = *(ushort*)(b + off + 16);
                    var name = new ReadOnlySpan<byte>(b + off + 19, reclen - 19);
                    var len = name.IndexOf((byte)0);
                    if (len > 0 && name[0] is >= (byte)'1' and <= (byte)'9'
                        && Utf8Parser.TryParse(name[..len], out int pid, out var used) && used == len)
                        _pids.Add(pid);
                    off += reclen;
                }
            }
        }
    }

    private bool TryReadProcess(int pid, out RawProcess raw)
    {
        raw = default;
        _entries.TryGetValue(pid, out var entry);
        int n;
        if (entry != null && entry.Fd >= 0)
        {
            n = Libc.PRead(entry.Fd, _buf);
            if (n < 0)
            {
                // ESRCH: the process we held is gone; the pid may already belong to a new one.
                Forget(pid);
                entry = null;
            }
        }
        else
            n = -1;
        if (n < 0 && !OpenAndRead(pid, ref entry, out n))
            return false;
        if (!ProcParsers.TryParseStat(_buf.AsSpan(0, n), out var stat, out var comm))
        {
            Forget(pid);
            Vanished++;
            return false;
        }
        if (entry!.StartTicks != stat.StartTicks)
        {
            // A pid reused between two reads without a kept descriptor: a new process.
            if (!Identify(pid, entry, stat.StartTicks))
                return false;
        }
        entry.Generation = _generation;
        // A process may change its uid (setuid, sudo): re-read status now and then, spread over the pids.
        if ((_generation + pid) % UidRefreshEvery == 0 && !Identify(pid, entry, stat.StartTicks))
            return false;
        if (!comm.SequenceEqual(entry.CommBytes))
        {
            entry.CommBytes = comm.ToArray();
            entry.Comm = ProcParsers.DecodeName(comm);
        }
        raw = new RawProcess(
            pid, stat.ParentPid, stat.StartTicks, entry.Uid, entry.User, entry.Comm, stat.State,
            (stat.UTime + stat.STime) / _clkTck, (stat.CUTime + stat.CSTime) / _clkTck, stat.RssPages * _pageSize);
        return true;
    }

    private bool OpenAndRead(int pid, ref Entry? entry, out int n)
    {
        n = -1;
        Span<byte> path = stackalloc byte[24];
        Utf8Formatter.TryFormat(pid, path, out var len);
        "/stat"u8.CopyTo(path[len..]);
        var fd = Libc.OpenAt(_procFd, path[..(len + 5)]);
        if (fd < 0)
        {
            CountFailure(Marshal.GetLastPInvokeError());
            return false;
        }
        n = Libc.PRead(fd, _buf);
        if (n <= 0)
        {
            Libc.close(fd);
            CountFailure(Marshal.GetLastPInvokeError());
            return false;
        }
        entry = new Entry { StartTicks = -1, CommBytes = [] };
        _entries[pid] = entry;
        // Keep the descriptor while the open-file limit allows; past it, fall back to open/read/close.
        if (_keepFds && (ulong)_entries.Count + 64 < _fdLimit)
            entry.Fd = fd;
        else
        {
            _keepFds = false;
            Libc.close(fd);
        }
        return true;
    }

    private bool Identify(int pid, Entry entry, long startTicks)
    {
        Span<byte> path = stackalloc byte[24];
        Utf8Formatter.TryFormat(pid, path, out var len);
        "/status"u8.CopyTo(path[len..]);
        var status = ReadFile(path[..(len + 7)]);
        var uid = ProcParsers.ParseStatusRealUid(status);
        if (uid < 0)
        {
            Forget(pid);
            if (status.IsEmpty)
                Vanished++;
            return false;
        }
        entry.StartTicks = startTicks;
        if (entry.Uid != uid || entry.User.Length == 0)
        {
            entry.Uid = uid;
            entry.User = _users.Resolve(uid);
        }
        return true;
    }

    private void CountFailure(int errno)
    {
        if (errno == Libc.EACCES)
            Denied++;
        else
            Vanished++;
    }

    private void Forget(int pid)
    {
        if (_entries.Remove(pid, out var e) && e.Fd >= 0)
            Libc.close(e.Fd);
    }

    private sealed class Entry
    {
        public int Fd = -1;
        public long StartTicks;
        public int Uid;
        public string User = "";
        public string Comm = "";
        public byte[] CommBytes = [];
        public int Generation;
    }
}
