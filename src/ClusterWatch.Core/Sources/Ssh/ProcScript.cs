namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// The `proc` source's remote side: a POSIX sh script sent on the standard input of `exec /bin/sh` (so the login
/// shell may be csh or fish and nothing is installed on the node). It answers requests read from stdin; there is
/// no sleep on the node, the watcher's tick drives it.
/// <list type="bullet">
/// <item>once: "S 0", "H clk_tck page_size hidepid euid boot_id", the cpu lines of /proc/stat, "E 0";</item>
/// <item>"s N": "S N", /proc/uptime, the first line of /proc/stat, the first three of /proc/meminfo, every
/// /proc/PID/stat (one `cat`: the only fork per sample), "E N" — collected first and written by one `printf`, so
/// the answer leaves in a few large SSH packets instead of one per process (cat writes each file as it reads it,
/// and every packet costs the watcher a decryption, a decompression and a thread wake-up);</item>
/// <item>"u N PID…": "S N", the first 9 lines of each /proc/PID/status (they hold Uid:), "E N" — asked only for
/// pids not seen before, since a process's real uid rarely changes.</item>
/// </list>
/// Builtins read the small files (no fork). Requests carry a number so an answer that arrives after its sample
/// timed out is skipped, not mistaken for the next one. Pids in "u" come from the watcher's own parse (integers).
/// </summary>
public static class ProcScript
{
    public const string Text = """
        LC_ALL=C; export LC_ALL
        PATH=${PATH:-/usr/bin:/bin}
        cw_main() {
          t=$(getconf CLK_TCK 2>/dev/null) || t=100
          g=$(getconf PAGESIZE 2>/dev/null) || g=4096
          read -r b < /proc/sys/kernel/random/boot_id
          h=0
          while read -r _ m f o _; do
            if [ "$m" = /proc ] && [ "$f" = proc ]; then
              case ",$o," in *,hidepid=[12],*|*,hidepid=invisible,*|*,hidepid=noaccess,*) h=1 ;; esac
            fi
          done < /proc/mounts
          echo "S 0"
          echo "H $t $g $h $(id -u) $b"
          while read -r l; do case $l in cpu*) echo "$l" ;; *) break ;; esac; done < /proc/stat
          echo "E 0"
          while read -r c a; do
            case $c in
            s) read -r u < /proc/uptime; read -r c < /proc/stat
               { read -r m; read -r n; read -r v; } < /proc/meminfo
               p=$(cat /proc/[0-9]*/stat 2>/dev/null)
               printf '%s\n' "S $a" "$u" "$c" "$m" "$n" "$v" "$p" "E $a" ;;
            u) set -- $a; q=$1; shift; f=
               for p in "$@"; do f="$f /proc/$p/status"; done
               echo "S $q"; head -n 9 $f 2>/dev/null; echo "E $q" ;;
            *) exit 0 ;;
            esac
          done
        }
        cw_main

        """;
}
