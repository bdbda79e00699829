using System.Globalization;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// The `top` source's remote side, sent on the stdin of `exec /bin/sh`: one persistent `top -b -d N -w 512` in batch
/// mode (no terminal needed, C21) with a pinned environment — LC_ALL=C.UTF-8 (C where missing), TERM=dumb,
/// XDG_CONFIG_HOME unset and HOME a private folder from mktemp (never /tmp, where anyone could plant a .toprc).
/// top is looked up once with `command -v` and run by its absolute path (C22); not found → exit 127 with a clear
/// line on stderr. procps 3.2 (no `-w`, told by `top -v`) gets COLUMNS=512 instead. No sudo, ever (C23).
/// </summary>
public static class TopScript
{
    public static string Text(TimeSpan delay) => $$"""
        unset XDG_CONFIG_HOME
        TERM=dumb; export TERM
        PATH=${PATH:-/usr/bin:/bin}
        L=C; for l in C.UTF-8 C.utf8; do [ -d /usr/lib/locale/$l ] && L=$l; done
        LC_ALL=$L; export LC_ALL
        cw_main() {
          t=$(command -v top) || { echo "top: command not found (PATH=$PATH)" >&2; exit 127; }
          h=$(mktemp -d) || { echo "mktemp -d failed: no private HOME for top" >&2; exit 1; }
          HOME=$h; export HOME
          # procps 3.2 has no -w (it reads COLUMNS); its -v says "procps version 3.2". Bounded: a broken top must not hang here.
          v=$(timeout 5 "$t" -v 2>&1 </dev/null | head -n 2)
          if case $v in *"version 3.2"*) false ;; *) true ;; esac; then
            "$t" -b -d {{delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}} -w 512; s=$?
          else
            COLUMNS=512 "$t" -b -d {{delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}}; s=$?
          fi
          rm -rf "$h"
          exit $s
        }
        cw_main

        """;
}
