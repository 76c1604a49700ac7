"""ringcached against Debian's memcached 1.6.18, byte for byte.

Each case is a byte string of requests. It is sent on a fresh connection to
a fresh pair of servers started with the same flags, followed by a meta no-op
as a sentinel; both replies must be identical. Cases within one test method
share the pair of servers, so sequences build state (set, then get, ...),
and CAS values stay comparable because both servers count CAS from 1.
"""
import struct
import unittest

import rcserver


def binreq(opcode, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    """One binary-protocol request packet."""
    body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, opcode, len(key), len(extras), 0, 0, body, opaque,
                       cas) + extras + key + value


class DifferentialTest(unittest.TestCase):
    flags = ["-m", "64", "-t", "1"]

    def run_cases(self, cases, flags=None, **kw):
        with rcserver.Pair(flags if flags is not None else self.flags) as pair:
            for data in cases:
                ours, theirs = pair.both(data, **kw)
                self.assertEqual(ours, theirs, f"request {data!r}")

    def test_storage_and_retrieval(self):
        self.run_cases([
            b"set a 0 0 1\r\nx\r\n",
            b"get a\r\n",
            b"gets a\r\n",
            b"get a b c\r\n",
            b"set b 12345 0 3\r\nabc\r\nget b a\r\n",
            b"add a 0 0 1\r\ny\r\n",
            b"add c 0 0 2\r\nyy\r\nget c\r\n",
            b"replace nope 0 0 1\r\nz\r\n",
            b"replace c 7 0 3\r\nzzz\r\ngets c\r\n",
            b"append c 0 0 2\r\n12\r\nget c\r\n",
            b"prepend c 0 0 2\r\n00\r\nget c\r\n",
            b"append nope 0 0 1\r\nq\r\n",
            b"set e 0 0 0\r\n\r\nget e\r\n",
            b"set flags 4294967295 0 1\r\nf\r\nget flags\r\n",
            b"set big 4294967296 0 1\r\nf\r\nget big\r\n",
        ])

    def test_multi_get_across_plan_chunks(self):
        # 150 keys: more than two of the server's look-ahead chunks, with
        # misses, repeats, and gets/gats/touch variants.
        sets = b"".join(b"set m%d %d 0 %d\r\n%s\r\n" % (i, i, len(b"v%d" % i), b"v%d" % i)
                        for i in range(0, 150, 2))
        keys = b" ".join(b"m%d" % i for i in range(150))
        self.run_cases([
            sets,
            b"get " + keys + b"\r\n",
            b"gets " + keys + b" m0 m0\r\n",
            b"gat 100 " + keys + b"\r\n",
            b"get " + b" ".join(b"m%d" % (i % 7) for i in range(70)) + b"\r\n",
        ])

    def test_pipelined_lines_parsed_ahead(self):
        # One send of many requests: the server parses the canonical lines
        # of a turn before it serves them and hints the rest. Here canonical
        # lines sit among near misses, value blocks that hold request-like
        # bytes or have the wrong length, keys with odd bytes, and commands
        # the look-ahead does not parse.
        reqs = [
            b"set p1 1 0 7\r\nget p2\r\n\r\n",   # a value that reads like a request
            b"get p1\r\n",
            b"gets p1\r\n",
            b"get  p1\r\n",                        # two spaces: parsed when served
            b"get p1 p2 p1\r\n",
            b"set p2 0 0 3 noreply\r\nabc\r\n",
            b"get p2\n",
            b"set p3 0 0 2\r\nabcd\r\n",           # bad data chunk
            b"get p3\r\n",
            b"set p4 0 0 1\r\n",                   # its value follows in the next request
            b"x\r\nget p4\r\n",
            b"cas p1 0 0 1 1\r\nz\r\n",
            b"gets p1\r\n",
            b"append p1 0 0 2\r\n!!\r\nprepend p1 0 0 2\r\n<<\r\nget p1\r\n",
            b"add p1 0 0 1\r\nq\r\nreplace p9 0 0 1\r\nq\r\n",
            b"set a\rb 0 0 1\r\nr\r\nget a\rb\r\n",
            b"set p5 0 0 abc\r\n",                 # error, then its line is served as one
            b"mg p1 v k\r\nms p6 2\r\nhi\r\nmg p6 v\r\n",
            b"delete p2\r\nget p2\r\nincr p7 1\r\ntouch p1 0\r\n",
            b"set p8 0 0 1 noreply\r\n1\r\nincr p8 5\r\nget p8\r\n",
            b"get " + b"k" * 250 + b"\r\nget " + b"k" * 251 + b"\r\n",
            b"set p9 0 0 1 norepl\r\nx\r\n",
            b"get p9\r\nversionx\r\nget p1\r\n",
        ]
        # Not a connection's first bytes: those the look-ahead skips.
        self.run_cases([b"".join(reqs), b"".join(reqs[:3]) * 40], not_first=True)
        # The same requests, a send each.
        self.run_cases(reqs, not_first=True)

    def test_cas(self):
        self.run_cases([
            b"set k 0 0 1\r\nv\r\n",
            b"gets k\r\n",
            b"cas k 0 0 1 1\r\nw\r\n",          # CAS of the first store is 1
            b"cas k 0 0 1 1\r\nw\r\n",          # stale now
            b"cas nope 0 0 1 1\r\nw\r\n",
            b"gets k\r\n",
            b"cas k 0 0 1 abc\r\nw\r\n",
        ])

    def test_incr_decr(self):
        self.run_cases([
            b"set n 0 0 2\r\n10\r\n",
            b"incr n 5\r\n",
            b"decr n 100\r\n",
            b"get n\r\n",
            b"set n 0 0 3\r\n100\r\ndecr n 1\r\nget n\r\n",
            b"set m 0 0 20\r\n18446744073709551615\r\nincr m 1\r\nget m\r\n",
            b"incr nope 1\r\n",
            b"set t 0 0 3\r\nabc\r\nincr t 1\r\n",
            b"incr n -1\r\n",
            b"incr n abc\r\n",
            b"incr n 18446744073709551616\r\n",
        ])

    def test_delete_touch(self):
        self.run_cases([
            b"set d 0 0 1\r\nx\r\n",
            b"delete d\r\n",
            b"delete d\r\n",
            b"set d 0 0 1\r\nx\r\ndelete d 0\r\n",
            b"set d 0 0 1\r\nx\r\ndelete d 1\r\n",
            b"delete d noreply\r\nget d\r\n",
            b"set t 0 0 1\r\nx\r\ntouch t 100\r\ntouch nope 10\r\n",
            b"gat 100 t nope\r\ngats 0 t\r\n",
            b"touch t abc\r\n",
        ])

    def test_noreply(self):
        self.run_cases([
            b"set a 0 0 1 noreply\r\nx\r\nget a\r\n",
            b"add a 0 0 1 noreply\r\ny\r\nget a\r\n",
            b"incr a 1 noreply\r\n",
            b"set n 0 0 1 noreply\r\n5\r\nincr n 3 noreply\r\nget n\r\n",
            b"touch n 10 noreply\r\ndelete n noreply\r\nget n\r\n",
            b"flush_all noreply\r\nget a\r\n",
        ])

    def test_errors(self):
        self.run_cases([
            b"bogus\r\n",
            b"\r\n",
            b"get\r\n",
            b"set a 0 0\r\n",
            b"set a 0 0 abc\r\n",
            b"set a 0 0 -1\r\n",
            b"set a 0 0 1\r\nxyz\r\n",
            b"set a 0 0 3\r\nx\r\n\r\n",
            b"get " + b"k" * 251 + b"\r\n",
            b"set " + b"k" * 251 + b" 0 0 1\r\nx\r\n",
            b"incr\r\n",
            b"verbosity\r\n",
            b"verbosity 1\r\n",
            b"version\r\n",
            b"shutdown\r\n",
            b"flush_all abc\r\n",
            b"GET a\r\n",
        ])

    def test_expiry_rules(self):
        self.run_cases([
            b"set neg 0 -1 1\r\nx\r\nget neg\r\n",
            b"set past 0 1000000000 1\r\nx\r\nget past\r\n",
            b"set rel 0 1000 1\r\nx\r\nget rel\r\n",
            b"set e 0 abc 1\r\nx\r\n",
        ])

    def test_meta(self):
        self.run_cases([
            b"ms mk 2 T0 F5\r\nhi\r\n",
            b"mg mk v f s\r\n",
            b"mg mk k v O123\r\n",
            b"mg missing v\r\n",
            b"mg missing v q\r\nmn\r\n",
            b"mg mk c\r\n",
            b"ms mk 2 C999\r\nzz\r\n",
            b"ms mk 2 MA\r\n!!\r\nmg mk v\r\n",
            b"ms mk 1 MX\r\nz\r\n",
            b"md mk q\r\nmg mk v\r\n",
            b"md mk\r\n",
            b"ma cnt\r\n",
            b"ma cnt N0 J10\r\n",
            b"ma cnt v\r\n",
            b"ma cnt MD D3 v\r\n",
            b"mn\r\n",
            b"me cnt\r\n",
            b"mg\r\n",
            b"ms mk\r\n",
            b"mg mk zz\r\n",
        ])

    def test_meta_stale_and_win(self):
        self.run_cases([
            b"ms w 1\r\nv\r\n",
            b"md w I T30\r\n",
            b"mg w s c v\r\n",
            b"mg w s c v\r\n",
            b"ms w 1 C4 I\r\nn\r\n",
            b"mg viv N30 s t v\r\n",
            b"mg viv N30 s t v\r\n",
            b"ms viv 3\r\nnew\r\nmg viv v\r\n",
        ])

    def test_cachedump_errors_and_empty_classes(self):
        # Class ids differ between the two servers (ringcached's size classes
        # are its own), so only replies that hold no item lines are compared;
        # server_test.CachedumpTest checks the items themselves.
        self.run_cases([
            b"stats cachedump 1 0\r\n",
            b"stats cachedump 1 10\r\n",
            b"stats cachedump 0 0\r\n",
            b"stats cachedump 63 0\r\n",
            b"stats cachedump 64 0\r\n",
            b"stats cachedump 1000 5\r\n",
            b"stats cachedump 4294967296 0\r\n",  # truncated to class 0, as strtoul+cast does
            b"stats cachedump\r\n",
            b"stats cachedump 1\r\n",
            b"stats cachedump -1 0\r\n",
            b"stats cachedump 1 -1\r\n",
            b"stats cachedump a 1\r\n",
            b"stats cachedump 1 b\r\n",
            b"set big 0 0 20000 noreply\r\n" + b"v" * 20000 + b"\r\n",
            b"stats cachedump 0 0\r\nstats cachedump 1 0\r\nstats cachedump 63 1\r\n",
        ])

    def test_cachedump_disabled(self):
        self.run_cases([
            b"set a 0 0 1\r\nx\r\n",
            b"stats cachedump 1 0\r\n",
            b"stats cachedump\r\n",
            b"stats cachedump 64 0\r\n",
            b"stats cachedump a b\r\n",
        ], flags=["-X", "-t", "1"])

    def test_binary(self):
        GET, SET, ADD, REPLACE, DELETE, INCR, DECR, QUIT, FLUSH, GETQ, NOOP, VERSION, GETK = (
            0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c)
        APPEND, PREPEND, SETQ, TOUCH, GAT = 0x0e, 0x0f, 0x11, 0x1c, 0x1d
        flags_exp = struct.pack(">II", 7, 0)
        noop = binreq(NOOP, opaque=99)
        cases = [
            binreq(SET, b"bk", flags_exp, b"value", opaque=1),
            binreq(GET, b"bk", opaque=2),
            binreq(GETK, b"bk", opaque=3),
            binreq(GET, b"missing", opaque=4),
            binreq(GETQ, b"missing", opaque=5) + noop,
            binreq(ADD, b"bk", flags_exp, b"x", opaque=6),
            binreq(REPLACE, b"nope", flags_exp, b"x", opaque=7),
            binreq(APPEND, b"bk", b"", b"++", opaque=8) + binreq(GET, b"bk"),
            binreq(PREPEND, b"bk", b"", b"--", opaque=9) + binreq(GET, b"bk"),
            binreq(SET, b"bk", flags_exp, b"cas", opaque=10, cas=12345),
            binreq(SETQ, b"q", flags_exp, b"quiet") + binreq(GET, b"q"),
            binreq(INCR, b"n", struct.pack(">QQI", 5, 100, 0), opaque=11),
            binreq(INCR, b"n", struct.pack(">QQI", 5, 100, 0), opaque=12),
            binreq(DECR, b"n", struct.pack(">QQI", 500, 0, 0), opaque=13),
            binreq(INCR, b"nx", struct.pack(">QQI", 1, 0, 0xffffffff), opaque=14),
            binreq(INCR, b"bk", struct.pack(">QQI", 1, 0, 0), opaque=15),
            binreq(TOUCH, b"bk", struct.pack(">I", 100), opaque=16),
            binreq(GAT, b"bk", struct.pack(">I", 100), opaque=17),
            binreq(DELETE, b"bk", opaque=18),
            binreq(DELETE, b"bk", opaque=19),
            binreq(VERSION, opaque=20),
            binreq(0x55, b"k", opaque=21),
            binreq(FLUSH, opaque=22) + binreq(GET, b"n"),
            binreq(SET, b"k" * 251, flags_exp, b"v"),
            # A zero-length value completes without waiting for more input.
            binreq(ADD, b"e0", flags_exp, b"", opaque=23),
            binreq(SET, b"e1", flags_exp, b"", opaque=24) + binreq(GET, b"e1"),
        ]
        with rcserver.Pair(self.flags) as pair:
            for data in cases:
                ours = rcserver.exchange(pair.ours, data + noop,
                                         sentinel=None, idle=0.3)
                theirs = rcserver.exchange(pair.theirs, data + noop,
                                           sentinel=None, idle=0.3)
                self.assertEqual(ours, theirs, f"binary request {data!r}")
            for q in (QUIT,):
                ours = rcserver.exchange(pair.ours, binreq(q, opaque=7), sentinel=None)
                theirs = rcserver.exchange(pair.theirs, binreq(q, opaque=7), sentinel=None)
                self.assertEqual(ours, theirs)

    def test_large_values(self):
        big = b"B" * 300000
        self.run_cases([
            b"set big 0 0 %d\r\n%s\r\nget big\r\n" % (len(big), big),
            b"set huge 0 0 2000000\r\n" + b"h" * 2000000 + b"\r\nget huge\r\n",
        ])

    def test_flags_disable_cas(self):
        self.run_cases([b"set a 0 0 1\r\nx\r\ngets a\r\n"], flags=["-C", "-t", "1"])

    def test_item_size_limit(self):
        self.run_cases([
            b"set a 0 0 2000\r\n" + b"x" * 2000 + b"\r\nget a\r\n",
        ], flags=["-I", "1024", "-o", "slab_chunk_max=1024", "-t", "1"])


if __name__ == "__main__":
    unittest.main()
