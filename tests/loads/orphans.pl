# Over and over: a parent starts a job burning CPU for ~2 s and exits just before it, so the job is
# orphaned and reaped by init or a subreaper in the same interval as its parent's end (how killed job trees end).
# Logs after each job.
# Logs "wall_time cpu_seconds" (its own times() including reaped children, the truth a watcher is
# compared with) to the file named by the first argument. Shared by the integration tests and bench/compare.
use strict; use Time::HiRes qw(time sleep); use POSIX ();
open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
while (1) {
  my $p = fork();
  if (defined $p && $p == 0) {
    my $c = fork();
    if (defined $c && $c == 0) { my $t = time; while (time - $t < 2.05) {} POSIX::_exit(0); }
    sleep(2.0); POSIX::_exit(0);
  }
  waitpid($p, 0);
  logcpu($log);
  sleep(0.5);
}
sub logcpu { my ($log) = @_; my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; }
