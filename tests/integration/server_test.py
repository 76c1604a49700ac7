"""The real ringcached over real sockets: request framing, pipelining,
connection handling and the stats views (what memcached_exporter parses)."""
import os
import re
import socket
import threading
import time
import unittest

import rcserver


class FramingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = rcserver.Server("ringcached", ["-t", "2", "-m", "64"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_requests_split_at_every_byte(self):
        # The same pipeline sent one byte per segment must yield the same bytes.
        script = b"set sp 3 0 5\r\nhello\r\nget sp\r\nincr nope 1\r\nmg sp v f\r\ndelete sp\r\n"
        expected = rcserver.exchange(self.server, script)
        with self.server.conn() as c:
            for i in range(len(script)):
                c.send(script[i:i + 1])
                time.sleep(0.001)
            c.send(b"mn\r\n")
            got = c.read_until(b"MN\r\n")[:-4]
        self.assertEqual(got, expected)
        self.assertIn(b"VALUE sp 3 5\r\nhello\r\nEND\r\n", expected)

    def test_deep_pipeline(self):
        n = 2000
        req = b"".join(b"set p%d 0 0 4\r\nv%03d\r\n" % (i, i % 1000) for i in range(n))
        req += b"".join(b"get p%d\r\n" % i for i in range(n))
        with self.server.conn(timeout=20) as c:
            c.send(req)
            for _ in range(n):
                self.assertEqual(c.readline(), b"STORED\r\n")
            for i in range(n):
                self.assertEqual(c.read_until(b"END\r\n"),
                                 b"VALUE p%d 0 4\r\nv%03d\r\nEND\r\n" % (i, i % 1000))

    def test_value_spanning_many_receive_buffers(self):
        value = bytes(range(256)) * 8192  # 2 MiB, every byte value
        with rcserver.Server("ringcached", ["-I", "4m", "-m", "64"]) as s, s.conn(30) as c:
            c.send(b"set big 0 0 %d\r\n" % len(value))
            for i in range(0, len(value), 7777):
                c.send(value[i:i + 7777])
            c.send(b"\r\n")
            self.assertEqual(c.readline(), b"STORED\r\n")
            c.send(b"get big\r\n")
            self.assertEqual(c.readline(), b"VALUE big 0 %d\r\n" % len(value))
            self.assertEqual(c.read_exact(len(value) + 2), value + b"\r\n")
            self.assertEqual(c.readline(), b"END\r\n")

    def test_many_concurrent_connections(self):
        errors = []

        def client(i):
            try:
                with self.server.conn() as c:
                    for j in range(50):
                        key = b"c%d_%d" % (i, j)
                        c.send(b"set %s 0 0 3\r\nabc\r\nget %s\r\n" % (key, key))
                        if c.readline() != b"STORED\r\n":
                            errors.append("store")
                        if c.read_until(b"END\r\n") != b"VALUE %s 0 3\r\nabc\r\nEND\r\n" % key:
                            errors.append("get")
            except Exception as e:  # collected and asserted below
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_quit_flushes_earlier_replies_then_closes(self):
        with self.server.conn() as c:
            c.send(b"set q 0 0 1\r\nx\r\nget q\r\nquit\r\nget q\r\n")
            self.assertEqual(c.read_until(b"END\r\n"), b"STORED\r\nVALUE q 0 1\r\nx\r\nEND\r\n")
            self.assertTrue(c.closed_by_peer())
            self.assertEqual(c.buf, b"")

    def test_half_closed_client_still_gets_replies(self):
        s = self.server.connect()
        s.sendall(b"set hc 0 0 2\r\nok\r\nget hc\r\n")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertEqual(data, b"STORED\r\nVALUE hc 0 2\r\nok\r\nEND\r\n")


class MetadumpTest(unittest.TestCase):
    def test_large_dump_to_a_slow_reader_then_queued_commands(self):
        n = 60000
        with rcserver.Server("ringcached", ["-t", "2", "-m", "256"]) as s, s.conn(30) as c:
            c.send(b"".join(b"set md%d 0 0 10 noreply\r\n0123456789\r\n" % i for i in range(n)))
            self.assertEqual(c.cmd("version"), b"VERSION 1.6.18\r\n")
            # A command queued behind the dump is answered after END.
            c.send(b"lru_crawler metadump all\r\nget md7\r\n")
            time.sleep(0.5)  # the client does not read for a while
            dump = c.read_until(b"END\r\n")
            self.assertTrue(dump.endswith(b"\nEND\r\n"))
            lines = dump[:-len(b"END\r\n")].split(b"\n")[:-1]
            self.assertEqual(len(lines), n)
            keys = {ln.split(b" ")[0] for ln in lines}
            self.assertEqual(len(keys), n, "every item exactly once")
            self.assertRegex(lines[0], rb"^key=md\d+ exp=-1 la=\d+ cas=\d+ fetch=no cls=\d+ size=\d+$")
            self.assertEqual(c.read_until(b"END\r\n"), b"VALUE md7 0 10\r\n0123456789\r\nEND\r\n")
            st = c.stats()
            self.assertEqual(st["curr_items"], str(n))


class CachedumpTest(unittest.TestCase):
    """stats cachedump: which items, with which sizes and expiry times.

    ringcached dumps in walk order, memcached from its class's COLD head, so
    lines are compared as sets. The class of every key is learnt from
    lru_crawler metadump (cls=), which uses the same class ids."""

    def classes_of(self, c):
        c.send(b"lru_crawler metadump all\r\n")
        dump = c.read_until(b"END\r\n")[:-len(b"END\r\n")]
        cls = {}
        for line in dump.split(b"\n")[:-1]:
            fields = dict(f.split(b"=", 1) for f in line.split(b" "))
            cls[fields[b"key"]] = int(fields[b"cls"])
        return cls

    def cachedump(self, c, cls, limit=0):
        c.send(b"stats cachedump %d %d\r\n" % (cls, limit))
        reply = c.read_until(b"END\r\n")
        self.assertTrue(reply.endswith(b"END\r\n"))
        lines = reply.split(b"\r\n")[:-2]
        items = {}
        for line in lines:
            m = re.match(rb"^ITEM (\S+) \[(\d+) b; (\d+) s\]$", line)
            self.assertIsNotNone(m, f"bad line {line!r}")
            self.assertNotIn(m.group(1), items, "every item once")
            items[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        return items, reply

    def test_items_sizes_and_expiry_times(self):
        absolute = int(time.time()) + 100000
        values = {  # key: (value bytes, exptime sent)
            b"plain": (1, 0),
            b"ten": (10, 0),
            b"rel": (5, 1000),
            b"abs": (7, absolute),
            b"mid": (300, 0),
            b"large": (5000, absolute),
            b"huge": (200000, 0),
            b"k" * 250: (3, 0),
        }
        with rcserver.Server("ringcached", ["-t", "2", "-m", "64"]) as s, s.conn() as c:
            for key, (size, exptime) in values.items():
                c.send(b"set %s 0 %d %d\r\n%s\r\n" % (key, exptime, size, b"v" * size))
                self.assertEqual(c.readline(), b"STORED\r\n")
            sent_at = time.time()
            c.send(b"set gone 0 0 1\r\nx\r\ndelete gone\r\n")  # deleted: not dumped
            c.read_until(b"DELETED\r\n")
            c.send(b"ms Zm9v 1 b\r\nx\r\n")  # binary key: left out, as memcached does
            self.assertEqual(c.readline(), b"HD\r\n")
            cls = self.classes_of(c)
            self.assertEqual(set(cls), set(values) | {b"foo"})  # metadump: raw key
            dumped = {}
            for k in sorted(set(cls.values())):
                items, _ = self.cachedump(c, k)
                for key in items:
                    self.assertEqual(cls[key], k, f"{key!r} dumped in its own class only")
                dumped.update(items)
            self.assertEqual(set(dumped), set(values))
            for key, (size, exptime) in values.items():
                got_size, got_exp = dumped[key]
                self.assertEqual(got_size, size, key)
                if exptime == 0:
                    self.assertEqual(got_exp, 0, key)
                elif exptime == absolute:
                    self.assertEqual(got_exp, absolute, key)
                else:
                    self.assertAlmostEqual(got_exp, sent_at + exptime, delta=3, msg=key)
            # Classes that hold nothing, and class 0.
            for k in (0, 63):
                self.assertEqual(self.cachedump(c, k)[1], b"END\r\n")

    def test_limit_and_two_megabyte_cap(self):
        n = 10000
        with rcserver.Server("ringcached", ["-t", "2", "-m", "256"]) as s, s.conn(30) as c:
            keys = [b"%0250d" % i for i in range(n)]
            c.send(b"".join(b"set %s 0 0 1 noreply\r\nx\r\n" % k for k in keys))
            self.assertEqual(c.cmd("version"), b"VERSION 1.6.18\r\n")
            classes = set(self.classes_of(c).values())
            self.assertEqual(len(classes), 1)
            cls = classes.pop()
            items, _ = self.cachedump(c, cls, 3)
            self.assertEqual(len(items), 3)
            for key, (size, exp) in items.items():
                self.assertIn(key, keys)
                self.assertEqual((size, exp), (1, 0))
            # limit 0: memcached's only cap, 2 MB of reply. Each line is 268
            # bytes; a line is added while the reply plus "END\r\n\0" stays
            # within 2 MB: 7825 lines.
            items, reply = self.cachedump(c, cls, 0)
            self.assertEqual(len(items), 7825)
            self.assertEqual(len(reply), 7825 * 268 + 5)
            self.assertEqual(len(self.cachedump(c, cls, 100000)[0]), 7825)
            self.assertEqual(len(self.cachedump(c, cls, 7000)[0]), 7000)


class EngineTest(unittest.TestCase):
    def test_servers_run_on_the_engine_the_suite_is_for(self):
        # tools/testrun.py runs this suite once per io engine (the epoll pass
        # starts every server through a wrapper adding -o io_engine=epoll);
        # a pass that silently ran on the other engine would test nothing new.
        want = os.environ.get("RC_EXPECT_IO_ENGINE")
        if want is None:
            self.skipTest("run outside tools/testrun.py: no engine expected")
        with rcserver.Server("ringcached", ["-t", "1"]) as s, s.conn() as c:
            self.assertEqual(c.stats()["io_engine"], want)  # the engine in use


class StatsTest(unittest.TestCase):
    def test_stats_is_a_superset_of_memcached_in_the_same_order(self):
        with rcserver.Pair(["-t", "1"]) as pair:
            with pair.ours.conn() as a, pair.theirs.conn() as b:
                ours = list(a.stats().keys())
                theirs = list(b.stats().keys())
        missing = [k for k in theirs if k not in ours]
        self.assertEqual(missing, [])
        # memcached's fields come first, in memcached's order.
        self.assertEqual(ours[:len(theirs)], theirs)

    def test_exporter_rules(self):
        # prometheus/memcached_exporter: every line "STAT key value", END last,
        # and numbers where it expects numbers.
        numeric = re.compile(rb"^-?\d+(\.\d+)?$")
        expect_number = {
            "": ["uptime", "time", "curr_connections", "total_connections", "cmd_get", "cmd_set",
                 "get_hits", "get_misses", "bytes", "curr_items", "total_items", "evictions",
                 "limit_maxbytes", "rusage_user", "rusage_system", "threads", "bytes_read",
                 "bytes_written", "max_connections", "rejected_connections"],
            "settings": ["maxbytes", "maxconns", "item_size_max", "num_threads"],
        }
        with rcserver.Server("ringcached", ["-t", "1"]) as s, s.conn() as c:
            c.send(b"set a 0 0 1\r\nx\r\nget a\r\n")
            c.read_until(b"END\r\n")
            for sub in ["", "settings", "items", "slabs"]:
                c.send(b"stats %s\r\n" % sub.encode() if sub else b"stats\r\n")
                raw = c.read_until(b"END\r\n")
                lines = raw.split(b"\r\n")
                self.assertEqual(lines[-2:], [b"END", b""], sub)
                values = {}
                for line in lines[:-2]:
                    m = re.match(rb"^STAT (\S+) (.*)$", line)
                    self.assertIsNotNone(m, f"bad line {line!r} in stats {sub}")
                    values[m.group(1).decode()] = m.group(2)
                for name in expect_number.get(sub, []):
                    self.assertIn(name, values, sub)
                    self.assertRegex(values[name], numeric, f"{sub} {name}")
                if sub in ("items", "slabs"):
                    self.assertTrue(values, f"stats {sub} lists the class holding 'a'")
                    for name, v in values.items():
                        self.assertRegex(v, numeric, f"{sub} {name}")

    def test_counters_move(self):
        with rcserver.Server("ringcached", ["-t", "2"]) as s, s.conn() as c:
            c.send(b"set a 0 0 1\r\nx\r\nget a\r\nget b\r\ndelete b\r\nincr a 1\r\n")
            c.read_until(b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")
            st = c.stats()
            self.assertEqual(st["cmd_get"], "2")
            self.assertEqual(st["get_hits"], "1")
            self.assertEqual(st["get_misses"], "1")
            self.assertEqual(st["cmd_set"], "1")
            self.assertEqual(st["delete_misses"], "1")
            self.assertEqual(st["curr_items"], "1")
            self.assertEqual(st["threads"], "2")
            self.assertEqual(c.cmd("stats reset"), b"RESET\r\n")
            st = c.stats()
            self.assertEqual(st["cmd_get"], "0")
            self.assertEqual(st["curr_items"], "1", "gauges survive a reset")


if __name__ == "__main__":
    unittest.main()
