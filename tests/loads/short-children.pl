# Every 200 ms a child that burns 40 ms of CPU and exits: never alive at two samples (~20 % in all).
# Logs "wall_time cpu_seconds" (its own times() including reaped children, the truth a watcher is
# compared with) to the file named by the first argument. Shared by the integration tests and bench/compare.
use strict; use Time::HiRes qw(time sleep); use POSIX ();
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
my $next = 0;
while (1) {
  my $start = time;
  my $pid = fork();
  if (defined $pid && $pid == 0) { my @c; do { @c = times; } while ($c[0] + $c[1] < 0.04); POSIX::_exit(0); }
  waitpid($pid, 0);
  if (time >= $next) { logcpu($log); $next = time + 0.25; }
  my $rest = 0.2 - (time - $start); sleep($rest) if $rest > 0;
}
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
