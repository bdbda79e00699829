# 30 % of a core with a random period (50-600 ms) each cycle, never in phase with a sampler.
# Logs "wall_time cpu_seconds" (its own times() including reaped children, the truth a watcher is
# compared with) to the file named by the first argument. Shared by the integration tests and bench/compare.
use strict; use Time::HiRes qw(time sleep);
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
srand($$ ^ time); my $next = 0;
while (1) {
  my $p = 0.05 + rand(0.55);
  my $t = time; while (time - $t < 0.3 * $p) {}
  sleep(0.7 * $p);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
}
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
