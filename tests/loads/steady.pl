# Busy, then asleep, in 100 ms periods: the share busy is the second argument (default 0.5 = half a core).
# Logs "wall_time cpu_seconds" (its own times() including reaped children, the truth a watcher is
# compared with) to the file named by the first argument. Shared by the integration tests and bench/compare.
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $duty = $ARGV[1] // 0.5; my $next = 0;
while (1) {
  my $t = time; while (time - $t < 0.1 * $duty) {}
  sleep(0.1 * (1 - $duty));
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
