using System.Net.Sockets;
using MySqlConnector;

namespace ClusterWatch.Core.Storage.MySql;

/// <summary>
/// Which MySQL failures are worth retrying (case C30): a lost or refused connection, too many connections, deadlocks
/// and lock waits. Syntax errors, data too long or bad character data are permanent: retrying can't help.
/// </summary>
internal static class MySqlErrors
{
    private static readonly HashSet<MySqlErrorCode> TransientCodes =
    [
        MySqlErrorCode.LockDeadlock, MySqlErrorCode.LockWaitTimeout, MySqlErrorCode.ConnectionCountError,
        MySqlErrorCode.UnableToConnectToHost, MySqlErrorCode.ServerShutdown, MySqlErrorCode.QueryInterrupted,
        MySqlErrorCode.CommandTimeoutExpired,
    ];

    public static bool IsTransient(Exception e) => e switch
    {
        MySqlException m => m.IsTransient || TransientCodes.Contains(m.ErrorCode) || m.InnerException is IOException or SocketException || IsConnectionLost(m),
        MySqlEndOfStreamException or IOException or SocketException => true,
        InvalidOperationException i => i.Message.Contains("Connection", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>Errors retrying can't fix: the row itself is wrong (too long, bad characters, out of range).</summary>
    public static bool IsPermanent(Exception e) =>
        e is MySqlException { ErrorCode: MySqlErrorCode.DataTooLong or MySqlErrorCode.TruncatedWrongValueForField or MySqlErrorCode.WarningDataOutOfRange or MySqlErrorCode.ParseError };

    /// <summary>The server can't be reached at all (refused, unknown host, connect timeout, shutting down): a watcher
    /// starting now spools. Access denied or an unknown database are not: those need the operator.</summary>
    public static bool IsUnreachable(Exception e) => e switch
    {
        MySqlException m => m.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown
            || m.InnerException is IOException or SocketException || IsConnectionLost(m),
        MySqlEndOfStreamException or IOException or SocketException => true,
        _ => false,
    };

    /// <summary>True for a deadlock (1213) or lock wait timeout (1205).</summary>
    public static bool IsLockConflict(Exception e) =>
        e is MySqlException { ErrorCode: MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout };

    // "server has gone away", "Lost connection", "Connection must be Open", "Failed to read the result set".
    private static bool IsConnectionLost(MySqlException m) =>
        m.ErrorCode == MySqlErrorCode.None && m.Number == 0 ||
        m.Message.Contains("gone away", StringComparison.OrdinalIgnoreCase) ||
        m.Message.Contains("Lost connection", StringComparison.OrdinalIgnoreCase) ||
        m.Message.Contains("Connect Timeout", StringComparison.OrdinalIgnoreCase);
}
