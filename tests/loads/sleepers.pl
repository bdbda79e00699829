# Forks N (second argument) children that exec `sleep`, writes their pids to the file named by the first argument
# (so they can be stopped by pid), then sleeps. Shared by the integration tests and bench/compare.
use strict; use POSIX ();
open(my $out, '>', $ARGV[0]) or die; my $n = $ARGV[1];
my @kids;
$SIG{TERM} = sub { kill 'KILL', @kids; waitpid($_, 0) for @kids; POSIX::_exit(0); };
for (1..$n) { my $p = fork(); if (defined $p && $p == 0) { $SIG{TERM} = 'DEFAULT'; exec('sleep', '1000000') or POSIX::_exit(1); } if ($p) { push @kids, $p; print $out "$p\n"; } }
close($out); sleep(1000000) while 1;
