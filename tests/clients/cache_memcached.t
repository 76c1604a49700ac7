#!/usr/bin/perl
# Perl's Cache::Memcached (Debian's libcache-memcached-perl) against
# ringcached over every command the client supports: run by tools/testrun.py
# with prove; RINGCACHED names the binary.
use strict;
use warnings;
use Test::More;
use Cache::Memcached;
use IO::Socket::INET;
use POSIX ":sys_wait_h";

my $bin = $ENV{RINGCACHED} or die "RINGCACHED not set";

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', Listen => 1)
        or die "no port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub start_server {
    my @args = @_;
    my $port = free_port();
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my @root = $> == 0 ? ('-u', 'root') : ();
        exec $bin, @root, '-l', '127.0.0.1', '-p', $port, '-U', '0', @args or die "exec: $!";
    }
    for (1 .. 200) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        if ($s) { close $s; return ($pid, $port); }
        select undef, undef, undef, 0.025;
    }
    die "server did not start";
}

my ($pid, $port) = start_server('-t', '2');
my ($pid2, $port2) = start_server('-t', '1');
my $mc = Cache::Memcached->new({ servers => ["127.0.0.1:$port"], namespace => 'ns:' });

ok($mc->set('a', 'alpha'), 'set');
is($mc->get('a'), 'alpha', 'get');
ok(!$mc->add('a', 'other'), 'add on existing key fails');
ok($mc->add('b', 'beta'), 'add on new key');
ok($mc->replace('b', 'BETA'), 'replace');
ok(!$mc->replace('zzz', 'x'), 'replace on missing key fails');
ok($mc->append('b', '+'), 'append');
ok($mc->prepend('b', '-'), 'prepend');
is($mc->get('b'), '-BETA+', 'append and prepend applied');

# Structures are serialised with Storable and flagged; they must round-trip.
my $struct = { list => [1, 2, 3], name => 'x' x 1000 };
ok($mc->set('s', $struct), 'set a structure');
is_deeply($mc->get('s'), $struct, 'structure round-trips through the flags');

# Compression kicks in above the threshold and sets a flag bit.
$mc->enable_compress(1);
$mc->set_compress_threshold(100);
my $big = 'compressible ' x 2000;
ok($mc->set('big', $big), 'set a compressible value');
is($mc->get('big'), $big, 'compressed value round-trips');

my $multi = $mc->get_multi('a', 'b', 'missing');
is_deeply($multi, { a => 'alpha', b => '-BETA+' }, 'get_multi');

ok($mc->set('n', 5), 'set a number');
is($mc->incr('n'), 6, 'incr by default 1');
is($mc->incr('n', 10), 16, 'incr by 10');
is($mc->decr('n', 20), 0, 'decr stops at 0');
ok(!defined $mc->incr('nope'), 'incr on missing key');

ok($mc->set('exp', 'soon', 1), 'set with a 1 s expiry');
sleep 2;
ok(!defined $mc->get('exp'), 'expired');

ok($mc->delete('a'), 'delete');
ok(!defined $mc->get('a'), 'gone after delete');
ok(!$mc->delete('a'), 'second delete fails');

my $stats = $mc->stats(['misc']);
ok($stats->{hosts}{"127.0.0.1:$port"}{misc}{cmd_get} > 0, 'stats misc cmd_get');
is($stats->{hosts}{"127.0.0.1:$port"}{misc}{version}, '1.6.18', 'stats version');

# Two servers: keys spread and every one is found again.
my $two = Cache::Memcached->new({ servers => ["127.0.0.1:$port", "127.0.0.1:$port2"] });
$two->set("spread$_", $_) for 1 .. 200;
my $found = grep { defined $two->get("spread$_") && $two->get("spread$_") == $_ } 1 .. 200;
is($found, 200, 'every key found across two servers');
my $s2 = $two->stats(['misc']);
ok($s2->{hosts}{"127.0.0.1:$port2"}{misc}{curr_items} > 0, 'second server holds some keys');

ok($mc->flush_all, 'flush_all');
ok(!defined $mc->get('b'), 'flushed');
$mc->disconnect_all;
is($mc->get('b'), undef, 'reconnects after disconnect_all');

kill 'TERM', $pid, $pid2;
waitpid($pid, 0);
waitpid($pid2, 0);
done_testing();
