# Grows by 16 MiB a second to the second argument (MiB), then holds it (touched, so resident); almost no CPU.
# Logs "wall_time cpu_seconds" (its own times() including reaped children, the truth a watcher is
# compared with) to the file named by the first argument. Shared by the integration tests and bench/compare.
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $target = $ARGV[1]; my @blocks; my $next = 0;
while (1) {
  push @blocks, "x" x (16 << 20) if @blocks * 16 < $target;
  sleep(0.25);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
