#!/usr/bin/python3
"""ringcached's command line against Debian's memcached 1.6.18, side by side.

Every case runs both binaries with the same arguments and compares what a
user or script sees: stdout, stderr (with the program name normalised, since
getopt prints argv[0]) and the exit status. The cases are the flags that must
refuse to start, -h/-V/-i, daemon mode, and --config-file. Cases that need a
running server (stats settings, port files) start ringcached and are skipped,
with the reason, while the server core is not built.

Environment: RINGCACHED (default build/ringcached), MEMCACHED (default
/usr/bin/memcached).
"""
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RINGCACHED = os.environ.get("RINGCACHED", os.path.join(ROOT, "build", "ringcached"))
MEMCACHED = os.environ.get("MEMCACHED", "/usr/bin/memcached")
IS_ROOT = os.geteuid() == 0
# memcached refuses to run as root without -u; ringcached too.
AS_ROOT = ["-u", "root"] if IS_ROOT else []


def run(binary, args, timeout=5.0, env=None):
    """Runs binary with args; returns (rc, stdout, stderr), rc None if it kept running."""
    p = subprocess.Popen([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out.decode(errors="replace"), err.decode(errors="replace")
    norm = lambda s: s.decode(errors="replace").replace(binary + ":", "PROG:")
    return p.returncode, norm(out), norm(err)


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Arguments with which both servers must refuse to start, identically.
REFUSED = [
    ["-c", "0"], ["-c", "-1"], ["--conn-limit=abc"], ["-t", "0"], ["-R", "0"], ["-f", "1"],
    ["-n", "0"], ["-D", ""], ["-N", "0"], ["-N", "8", "-t", "2"], ["-B", "http"],
    ["-I", "256m"], ["-I", "1000"], ["-I", "512"], ["-I", "2m", "-m", "2"],
    ["-I", "1025m", "-m", "4096"], ["-I", "1024"], ["-I", "1500000"], ["-I", "2g"],
    ["-m", "100000", "-I", "4096m"], ["-p", "70000"], ["-U", "70000"],
    ["-S", "-B", "ascii"], ["-S", "-U", "5"], ["-Y", "/nonexistent", "-B", "binary"],
    ["-Y", "/nonexistent", "-U", "5"],
    ["-t", "100", "-c", "0"], ["-c", "2147483647"], ["-I", "0x400"], ["-I", "1k"], ["-m", "0"],
    ["-p", "65536"], ["-U", "1", "-p", "0", "-S"], ["-R", "-1", "-c", "0"],
    # getopt
    ["-q"], ["-?"], ["-:"], ["-p"], ["-vp"], ["--bogus"], ["--bogus=1"], ["--d"], ["--dis=4"],
    ["--ver"], ["--ver=3"], ["--enable=1"], ["--=x"], ["--daemon=1"], ["--port"],
    ["--extended"], ["--napi", "-V"], ["-v", "stray", "-q"],
    # -o
    ["-o", "x"], ["-o", "x=5"], ["-o", ","], ["-o", ",,hashpower=20"], ["-o", "x=5,hashpower=20"], ["-o", "hashpower=20,,x"],
    ["-o", "proxy_config=/x"], ["-o", "drop_privileges,nonsense"],
    ["-o", "hashpower"], ["-o", "hashpower=5"], ["-o", "hashpower=33"], ["-o", "hashpower="],
    ["-o", "slab_automove=3"], ["-o", "slab_automove_ratio"], ["-o", "slab_automove_ratio=2"],
    ["-o", "slab_automove_window=2"], ["-o", "tail_repair_time=5"],
    ["-o", "tail_repair_time"], ["-o", "hash_algorithm=foo"], ["-o", "hash_algorithm"],
    ["-o", "lru_crawler_sleep=2000000"], ["-o", "lru_crawler_sleep"],
    ["-o", "lru_crawler_tocrawl=-1"], ["-o", "lru_crawler_tocrawl"],
    ["-o", "hot_lru_pct=90"], ["-o", "warm_lru_pct=0"], ["-o", "hot_max_factor=0"],
    ["-o", "warm_max_factor"], ["-o", "temporary_ttl"], ["-o", "idle_timeout"],
    ["-o", "watcher_logbuf_size=x"], ["-o", "worker_logbuf_size"],
    ["-o", "read_buf_mem_limit"], ["-o", "read_buf_mem_limit=-1"],
    ["-o", "ssl_verify_mode=4"], ["-o", "ssl_verify_mode=x"], ["-o", "ssl_min_version=9"],
    ["-o", "ssl_chain_cert"], ["-o", "ssl_keyformat=x"], ["-o", "ssl_wbuf_size"],
    ["-o", "ext_path"], ["-o", "ext_path=/tmp/x"], ["-o", "ext_path=/tmp/x:1G:bogus"],
    ["-o", "ext_path=/tmp/x:1G:compact"], ["-o", "ext_path=/tmp/x:1G,ext_page_size=8"],
    ["-o", "ext_page_size=abc"], ["-o", "ext_threads"], ["-o", "ext_max_frag=x"],
    ["-o", "ext_path=/tmp/x:1G", "-U", "5"], ["-o", "ext_path=/tmp/x:64m", "-I", "8m", "-m", "64"],
    ["-o", "temporary_ttl=5,no_lru_maintainer"], ["-o", "hot_lru_pct=50,warm_lru_pct=50"],
    ["-o", "slab_sizes=10-200"], ["-o", "slab_sizes=200-100"], ["-o", "slab_sizes=100-104"],
    ["-o", "worker_logbuf_size=32"], ["-o", "slab_chunk_max=1000", "-I", "1000000"],
    ["-o", "resp_obj_mem_limit", "-c", "0"],
    # listeners (memcached checks them when it binds)
    ["-l", "fooble"], ["-l", "fooble,127.0.0.1"], ["-l", "127.0.0.1:abc"], ["-l", "[::1"],
    ["-l", "notls:127.0.0.1"], ["-l", "tag[toolongtag]:127.0.0.1"], ["-l", "tag[x"],
    ["-l", "proto[ascii"], ["-l", "proto[proxy]:127.0.0.1:22333"],
    ["-l", "fooble", "-p", "0", "-U", "22444"],
]


class RefusedFlagsTest(unittest.TestCase):
    """Bad flags: same message, same stream, same exit status."""

    def compare(self, args):
        want = run(MEMCACHED, AS_ROOT + args)
        got = run(RINGCACHED, AS_ROOT + args)
        self.assertIsNotNone(want[0], f"memcached did not refuse {args}: the case is wrong")
        self.assertEqual(got, want, f"args {args}")

    def test_refused_flags(self):
        for args in REFUSED:
            with self.subTest(args=args):
                self.compare(args)

    @unittest.skipUnless(IS_ROOT, "the root checks need root")
    def test_root_needs_user(self):
        for args in ([], ["-p", "0"], ["-u", ""], ["-u", "no-such-user-ringcache"]):
            with self.subTest(args=args):
                want = run(MEMCACHED, args)
                self.assertIsNotNone(want[0])
                self.assertEqual(run(RINGCACHED, args), want)

    def test_sasl_and_tls_refused_until_built(self):
        """-S and -Z must not start a server that would skip authentication or
        answer TLS clients in plain text: refused as a memcached built without
        them refuses them."""
        cases = ((["-S"], "SASL"), (["--enable-sasl", "-p", "0"], "SASL"),
                 (["-Z"], "TLS"), (["-Z", "-o", "ssl_chain_cert=/c,ssl_key=/k"], "TLS"))
        for args, feature in cases:
            with self.subTest(args=args):
                self.assertEqual(run(RINGCACHED, AS_ROOT + ["-U", "0"] + args),
                                 (64, "", f"This server is not built with {feature} support.\n"))

    def test_help_and_version_exit_zero(self):
        for flag in ("-h", "--help", "-V", "--version", "-i", "--license", "-vh", "--vers"):
            with self.subTest(flag=flag):
                rc, out, err = run(RINGCACHED, [flag])
                self.assertEqual((rc, err), (0, ""))
                self.assertTrue(out.startswith("ringcached "), out[:80])
        rc, out, _ = run(RINGCACHED, ["-V"])
        self.assertRegex(out, r"^ringcached \d+\.\d+\.\d+ \(memcached 1\.6\.18 compatible\)\n$")
        # Options given before -h show in it; bad ones after it are never reached.
        rc, out, _ = run(RINGCACHED, ["-p", "5", "-h", "-c", "0"])
        self.assertEqual(rc, 0)
        self.assertIn("(default: 5)", out)


def memcached_help_options():
    """Short options, long options and -o suboptions that `memcached -h` lists."""
    text = run(MEMCACHED, ["-h"])[1]
    shorts = set(re.findall(r"^(-[A-Za-z])[ ,]", text, re.M))
    longs = set(re.findall(r"(--[a-z][a-z_-]+)", text))
    # memcached's help spells --napi-ids as "--napi_ids", which getopt rejects.
    longs = {"--napi-ids" if l == "--napi_ids" else l for l in longs}
    subs = set(re.findall(r"^   - ([a-z0-9_]+):", text, re.M))
    return shorts, longs, subs


class HelpTest(unittest.TestCase):
    def test_lists_every_option_memcached_lists(self):
        shorts, longs, subs = memcached_help_options()
        self.assertGreater(len(shorts), 30)
        self.assertGreater(len(subs), 40)
        ours = run(RINGCACHED, ["-h"])[1]
        for s in sorted(shorts):
            self.assertRegex(ours, "(?m)^" + re.escape(s) + r"[ ,]", s)
        for l in sorted(longs):
            self.assertIn(l, ours)
        for sub in sorted(subs - {"ext_path"}):
            self.assertIn(sub, ours)

    def test_every_listed_option_is_accepted(self):
        """Every suboption memcached lists is accepted by ringcached's parser (-h after it
        stops before any server starts)."""
        _, _, subs = memcached_help_options()
        values = {"ext_path": "/tmp/ringcache-cli-test:64m", "hash_algorithm": "murmur3",
                  "ssl_verify_mode": "1", "ssl_min_version": "2", "hot_lru_pct": "10",
                  "warm_lru_pct": "10", "tail_repair_time": "30", "hashpower": "16",
                  "slab_chunk_max": "524288", "hot_max_factor": "0.5",
                  "warm_max_factor": "2", "ext_max_frag": "0.5",
                  "slab_automove_freeratio": "0.5"}
        no_value = {"maxconns_fast", "no_lru_crawler", "no_lru_maintainer", "track_sizes",
                    "no_hashexpand", "modern", "no_modern", "ext_drop_unread",
                    "ssl_session_cache", "ssl_kernel_tls"}
        for sub in sorted(subs):
            arg = sub if sub in no_value else f"{sub}={values.get(sub, '4')}"
            with self.subTest(sub=arg):
                rc, _, err = run(RINGCACHED, ["-U", "0", "-o", arg, "-h"])
                self.assertEqual((rc, err), (0, ""))

    def test_test_suite_probes(self):
        """memcached's t/lib/MemcachedTest.pm enables tests by grepping -h."""
        out = run(RINGCACHED, ["-h"])[1]
        self.assertRegex(out, "(?i)sasl")
        self.assertIn("unix-socket", out)
        self.assertIn("enable-ssl", out)
        self.assertNotRegex(out, "(?i)ext_path")
        self.assertNotRegex(out, "(?i)proxy_config")
        self.assertNotRegex(out, "(?i)no_drop_privileges")
        self.assertEqual(subprocess.call([RINGCACHED, "-h"], stdout=subprocess.DEVNULL), 0)


class ConfigFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="ringcache-cli-")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, text):
        path = os.path.join(self.dir.name, "memcached.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_bad_value_in_file_fails_as_on_the_command_line(self):
        path = self.write("# comment\n-d\nlogfile /tmp/x.log\n-c 0\n")
        got = run(RINGCACHED, AS_ROOT + ["--config-file", path])
        self.assertEqual(got, run(MEMCACHED, AS_ROOT + ["-c", "0"]))

    def test_file_comes_before_the_command_line(self):
        # The file's -p would be wrong; the command line's -h comes later and stops first.
        path = self.write("-p 5\n-o hashpower=20\n")
        rc, out, err = run(RINGCACHED, ["--config-file", path, "-h"])
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("(default: 5)", out)
        self.assertIn("(default starts at: 20)", out)

    def test_debians_shipped_file_is_accepted(self):
        if not os.path.exists("/etc/memcached.conf"):
            self.skipTest("/etc/memcached.conf is not installed")
        rc, _, err = run(RINGCACHED, ["--config-file", "/etc/memcached.conf", "-h"])
        self.assertEqual((rc, err), (0, ""))

    def test_missing_file(self):
        rc, out, err = run(RINGCACHED, ["--config-file", "/nonexistent.conf"])
        self.assertEqual(rc, 66)
        self.assertEqual(err, "PROG: cannot read config file /nonexistent.conf: "
                              "No such file or directory\n")


class DaemonTest(unittest.TestCase):
    def test_parent_returns_at_once_with_status_zero(self):
        with tempfile.TemporaryDirectory(prefix="ringcache-cli-") as d:
            pidfile = os.path.join(d, "mc.pid")
            port = free_port()
            want = run(MEMCACHED, AS_ROOT + ["-d", "-p", str(port), "-U", "0", "-P", pidfile])
            try:
                self.assertEqual(want, (0, "", ""))
            finally:
                for _ in range(100):
                    if os.path.exists(pidfile):
                        break
                    time.sleep(0.02)
                if os.path.exists(pidfile):
                    with open(pidfile) as f:
                        os.kill(int(f.read().strip()), 15)
            ours = os.path.join(d, "rc.pid")
            start = time.time()
            got = run(RINGCACHED, AS_ROOT + ["-d", "-p", str(free_port()), "-U", "0", "-P", ours])
            try:
                self.assertEqual(got, (0, "", ""))
                self.assertLess(time.time() - start, 3)
            finally:
                # Once the server core runs, the daemon stays up: stop it.
                for _ in range(50):
                    if os.path.exists(ours):
                        with open(ours) as f:
                            os.kill(int(f.read().strip()), 15)
                        break
                    time.sleep(0.02)
            # Errors found after detaching go nowhere, as with memcached.
            self.assertEqual(run(RINGCACHED, AS_ROOT + ["-d", "-l", "fooble"]),
                             run(MEMCACHED, AS_ROOT + ["-d", "-l", "fooble"]))


def ringcached_serves(args):
    """Starts ringcached with args; returns (process, None) once it accepts on the
    port, or (None, reason) when it exits (server core not built) or never does."""
    port = args[args.index("-p") + 1]
    p = subprocess.Popen([RINGCACHED] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        if p.poll() is not None:
            err = p.stderr.read().decode(errors="replace").strip()
            p.stderr.close()
            return None, f"ringcached exited with {p.returncode}: {err}"
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=0.2).close()
            return p, None
        except OSError:
            time.sleep(0.05)
    p.kill()
    p.wait()
    p.stderr.close()
    return None, "ringcached did not accept connections"


def stats_settings(port):
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(b"stats settings\r\n")
        buf = b""
        while not buf.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return [tuple(l.split(" ", 2)[1:]) for l in buf.decode().split("\r\n") if l.startswith("STAT ")]


class RunningServerTest(unittest.TestCase):
    """Needs the server core: skipped, with the reason, until RunServer serves."""

    def start(self, binary, args):
        p = subprocess.Popen([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (p.kill(), p.wait()))
        return p

    def require_server(self):
        port = free_port()
        p, reason = ringcached_serves(AS_ROOT + ["-p", str(port), "-U", "0"])
        if p is None:
            self.skipTest(reason)
        p.kill()
        p.wait()
        p.stderr.close()

    def test_stats_settings_equal_memcacheds(self):
        self.require_server()
        flag_sets = [
            ["-t", "4", "-U", "0"],
            ["-t", "4", "-U", "0", "-o", "no_modern", "-C", "-M", "-A", "-F", "-X", "-b", "77",
             "-R", "7", "-c", "99", "-m", "128", "-I", "2m", "-f", "1.5", "-n", "64"],
            ["-t", "4", "-l", "127.0.0.1", "-o", "hashpower=16,track_sizes,idle_timeout=60"],
        ]
        for flags in flag_sets:
            with self.subTest(flags=flags):
                results = []
                for binary in (MEMCACHED, RINGCACHED):
                    port = free_port()
                    self.start(binary, AS_ROOT + flags + ["-p", str(port)])
                    for _ in range(100):
                        try:
                            results.append(stats_settings(port))
                            break
                        except OSError:
                            time.sleep(0.05)
                want, got = results
                # tcpport differs by construction; ringcache's own settings follow.
                strip = lambda l: [kv for kv in l if kv[0] != "tcpport"]
                self.assertEqual(strip(got)[:len(strip(want))], strip(want))

    def test_port_file_semantics_of_issue_67(self):
        self.require_server()
        cases = [(["-p", "-1"], "TCP INET", True), (["-p", "-1", "-U", "-1"], "UDP INET", True),
                 (["-p", "0", "-U", "-1"], "TCP INET", False)]
        for args, key, present in cases:
            with self.subTest(args=args), tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "ports")
                env = dict(os.environ, MEMCACHED_PORT_FILENAME=path)
                p = subprocess.Popen([RINGCACHED] + AS_ROOT + args, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                self.addCleanup(lambda p=p: (p.kill(), p.wait()))
                for _ in range(100):
                    if os.path.exists(path):
                        break
                    time.sleep(0.05)
                with open(path) as f:
                    ports = dict(l.split(": ") for l in f.read().splitlines())
                self.assertEqual(key in ports, present, ports)


if __name__ == "__main__":
    unittest.main()
