"""UDP (-U) against Debian's memcached 1.6.18, datagram by datagram.

memcached frames every response object of a request datagram on its own:
one per command and one per key of a multi-key get, each with its own
sequence numbers and count, cut into datagrams of at most 1400 bytes (8 of
header). The same request datagrams go to both servers (started with the
same flags and filled with the same items over TCP) and every datagram that
comes back must be identical: headers, sizes, count and bytes.
"""
import socket
import struct
import unittest

import rcserver

SENTINEL_ID = 0xFFFF


def binreq(opcode, key=b"", extras=b"", value=b"", opaque=0):
    body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, opcode, len(key), len(extras), 0, 0, body, opaque,
                       0) + extras + key + value


class UdpPeer:
    """A UDP client socket for one server; a meta no-op with request id
    SENTINEL_ID follows every request, so reading stops at its reply."""

    def __init__(self, server):
        self.addr = ("127.0.0.1", server.udp_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for opt in (33, socket.SO_RCVBUF):  # SO_RCVBUFFORCE needs root; then the capped one
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, opt, 8 << 20)
                break
            except OSError:
                pass
        self.sock.settimeout(5)

    def close(self):
        self.sock.close()

    def request(self, payload, request_id=7):
        self.sock.sendto(struct.pack(">HHHH", request_id, 0, 1, 0) + payload, self.addr)
        self.sock.sendto(struct.pack(">HHHH", SENTINEL_ID, 0, 1, 0) + b"mn\r\n", self.addr)
        datagrams = []
        while True:
            d = self.sock.recv(65536)
            if d[:2] == struct.pack(">H", SENTINEL_ID):
                assert d[8:] == b"MN\r\n", d
                return datagrams
            datagrams.append(d)


def describe(datagrams):
    """(request id, sequence, count, reserved, payload bytes) per datagram."""
    return [struct.unpack(">HHHH", d[:8]) + (len(d) - 8,) for d in datagrams]


class UdpPair(unittest.TestCase):
    """Both servers, filled alike; compare() sends a datagram to each."""
    flags = ["-t", "1", "-m", "64"]

    @classmethod
    def setUpClass(cls):
        cls.servers = []
        for kind in ("memcached", "ringcached"):
            s = rcserver.Server(kind, cls.flags, udp_port=rcserver.free_port(socket.SOCK_DGRAM))
            s.start()
            cls.servers.append(s)
            with s.conn() as c:
                c.send(b"".join(b"set k%d 0 0 10 noreply\r\n0123456789\r\n" % i
                                for i in range(100)))
                c.send(b"".join(b"set K%d 3 0 3000 noreply\r\n%s\r\n" % (i, b"%04d" % i * 750)
                                for i in range(100)))
                c.send(b"".join(b"set L%d 0 0 20000 noreply\r\n%s\r\n" % (i, b"L" * 20000)
                                for i in range(3)))
                c.cmd(b"mn", b"MN\r\n")
        cls.peers = [UdpPeer(s) for s in cls.servers]

    @classmethod
    def tearDownClass(cls):
        for p in cls.peers:
            p.close()
        for s in cls.servers:
            s.stop()

    def compare(self, payload, request_id=7):
        theirs, ours = (p.request(payload, request_id) for p in self.peers)
        self.assertEqual(describe(ours), describe(theirs), f"datagrams for {payload[:60]!r}")
        self.assertEqual(ours, theirs, f"bytes for {payload[:60]!r}")
        return theirs

    def keys(self, prefix, n):
        return b" ".join(b"%s%d" % (prefix, i) for i in range(n))


class UdpDifferentialTest(UdpPair):

    def test_multi_key_gets(self):
        for prefix in (b"k", b"K"):  # 10-byte and 3000-byte values
            for n in (1, 5, 100):
                with self.subTest(prefix=prefix, n=n):
                    got = self.compare(b"get " + self.keys(prefix, n) + b"\r\n", request_id=n)
                    # One framed message per key (END rides on the last).
                    self.assertEqual(sum(1 for d in got if d[2:4] == b"\0\0"), n)
                    self.assertTrue(all(len(d) <= 1400 for d in got))
        self.compare(b"gets k1 K2 k3\r\n")
        self.compare(b"gat 0 k1 K2\r\ngats 0 k4 k5\r\n")
        self.compare(b"get L0 k1 L1 L2\r\n")

    def test_misses_and_empty_responses(self):
        self.compare(b"get nope\r\n")
        self.compare(b"get nope k0\r\n")          # empty first key: a lone header, count 0
        self.compare(b"get k0 nope k1 nope2\r\n")
        self.compare(b"get a b c\r\n")
        self.compare(b"get nope k0\r\n" * 25)
        self.compare(b"set z 0 0 1 noreply\r\nx\r\nget nope k0\r\n")
        self.compare(b"set z 0 0 1\r\nx\r\nget nope k0\r\n")
        self.compare(b"mg nope v q\r\nget nope k0\r\n")
        self.compare(b"get nope\r\nset z 0 0 1 noreply\r\nx\r\nget nope k0\r\n")
        self.compare(b"mn\r\nget nope K1\r\n")
        # memcached also writes out every -R (20) commands: after the 21st,
        # then after every 20th; a get starting a batch sends its empty key.
        for n in (20, 21, 22, 40, 41, 61):
            self.compare(b"version\r\n" * n + b"get nope k0\r\n")
        self.compare(b"set s 0 0 1\r\nx\r\n" * 21 + b"get nope k0\r\n")

    def test_several_commands_per_datagram(self):
        self.compare(b"get k0\r\nget k1 k2\r\n")
        self.compare(b"mg k0 v\r\nmg k1 v\r\nmn\r\n")
        self.compare(b"set u 0 0 5\r\na\nb\nc\r\nget u\r\ndelete u\r\nincr nope 1\r\n")
        self.compare(b"version\r\nbogus\r\nget k0\r\n")

    def test_binary(self):
        GET, GETQ, GETK, NOOP = 0x00, 0x09, 0x0c, 0x0a
        self.compare(binreq(GETQ, b"nope", opaque=1) + binreq(GET, b"k0", opaque=2))
        self.compare(binreq(GETK, b"k0", opaque=3) + binreq(GETK, b"K1", opaque=4) +
                     binreq(GET, b"nope", opaque=5) + binreq(NOOP, opaque=6))
        self.compare(binreq(GETQ, b"k1") + binreq(GETQ, b"nope") + binreq(NOOP))

    def test_dumps_and_watchers_send_nothing_and_block_nothing(self):
        # memcached hands the datagram socket to its crawler or logger, whose
        # writes fail: no reply arrives (its leftover empty response object
        # may go out as a lone header later, at a time that depends on its
        # threads; ringcached sends nothing). Later requests are served.
        for i, payload in enumerate([b"lru_crawler metadump all\r\n", b"watch\r\n",
                                     b"watch fetchers mutations\r\n"]):
            theirs, ours = (p.request(payload, request_id=100 + i) for p in self.peers)
            self.assertEqual(ours, [])
            self.assertEqual([d for d in theirs if len(d) > 8], [])
            after = b"get k%d k%d\r\n" % (i, i + 1)
            theirs, ours = (p.request(after, request_id=200 + i) for p in self.peers)
            theirs = [d for d in theirs if d[:2] == struct.pack(">H", 200 + i)]
            self.assertEqual(ours, theirs)
            self.assertEqual(len(ours), 2)
        self.compare(b"stats cachedump 0 0\r\n")

class UdpQuitTest(UdpPair):
    """quit over UDP, on servers of its own: it changes their UDP service."""

    def test_quit_drops_the_rest(self):
        # memcached writes out, then drops the rest of the datagram; as its
        # UDP connection never closes, it keeps dropping the rest of every
        # later datagram after its first write-out.
        self.compare(b"version\r\nquit\r\nversion\r\n")
        self.compare(b"get k0\r\nversion\r\nget k0 k0\r\n")
        self.compare(b"version\r\nversion\r\nget k0\r\nversion\r\n")
        self.compare(b"mg k0 v\r\nmg k1 v\r\nmn\r\nversion\r\n")


if __name__ == "__main__":
    unittest.main()
