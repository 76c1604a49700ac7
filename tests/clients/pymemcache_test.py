"""pymemcache (Debian's python3-pymemcache) driving ringcached over every
command it supports, with its default serialisation and its noreply default."""
import unittest

import rcserver
from pymemcache.client.base import Client
from pymemcache.client.hash import HashClient
from pymemcache.exceptions import MemcacheClientError, MemcacheIllegalInputError


class PymemcacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = rcserver.Server("ringcached", ["-t", "2", "-m", "64"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.c = Client(("127.0.0.1", self.server.port), timeout=5, connect_timeout=5)
        self.c.flush_all(noreply=False)

    def tearDown(self):
        self.c.close()

    def test_set_get_delete(self):
        self.assertTrue(self.c.set("k", b"v1", noreply=False))
        self.assertEqual(self.c.get("k"), b"v1")
        self.assertTrue(self.c.delete("k", noreply=False))
        self.assertIsNone(self.c.get("k"))
        self.assertFalse(self.c.delete("k", noreply=False))
        self.assertEqual(self.c.get("k", default=b"dflt"), b"dflt")

    def test_noreply_default(self):
        # pymemcache sends set with noreply unless told otherwise.
        self.assertTrue(self.c.set("nr", b"quiet"))
        self.assertEqual(self.c.get("nr"), b"quiet")

    def test_many(self):
        data = {f"m{i}": f"val{i}".encode() for i in range(100)}
        self.assertEqual(self.c.set_many(data, noreply=False), [])
        self.assertEqual(self.c.get_many(list(data) + ["absent"]), data)
        self.assertTrue(self.c.delete_many(list(data)[:50], noreply=False))
        self.assertEqual(len(self.c.get_many(list(data))), 50)

    def test_add_replace_append_prepend(self):
        self.assertTrue(self.c.add("a", b"1", noreply=False))
        self.assertFalse(self.c.add("a", b"2", noreply=False))
        self.assertTrue(self.c.replace("a", b"3", noreply=False))
        self.assertFalse(self.c.replace("nope", b"3", noreply=False))
        self.assertTrue(self.c.append("a", b"4", noreply=False))
        self.assertTrue(self.c.prepend("a", b"2", noreply=False))
        self.assertEqual(self.c.get("a"), b"234")
        self.assertFalse(self.c.append("nope", b"x", noreply=False))

    def test_gets_cas(self):
        self.c.set("c", b"one", noreply=False)
        value, token = self.c.gets("c")
        self.assertEqual(value, b"one")
        self.assertTrue(self.c.cas("c", b"two", token, noreply=False))
        self.assertFalse(self.c.cas("c", b"three", token, noreply=False))
        self.assertIsNone(self.c.cas("missing", b"x", token, noreply=False))
        self.assertEqual(self.c.get("c"), b"two")
        many = self.c.gets_many(["c", "absent"])
        self.assertEqual(list(many), ["c"])
        self.assertEqual(many["c"][0], b"two")

    def test_incr_decr(self):
        self.c.set("n", b"10", noreply=False)
        self.assertEqual(self.c.incr("n", 5, noreply=False), 15)
        self.assertEqual(self.c.decr("n", 20, noreply=False), 0)
        self.assertIsNone(self.c.incr("missing", 1, noreply=False))
        self.c.set("n", str(2**64 - 1).encode(), noreply=False)
        self.assertEqual(self.c.incr("n", 1, noreply=False), 0)
        self.c.set("s", b"text", noreply=False)
        with self.assertRaises(MemcacheClientError):
            self.c.incr("s", 1, noreply=False)

    def test_touch_and_expiry(self):
        self.c.set("t", b"x", expire=100, noreply=False)
        self.assertTrue(self.c.touch("t", 200, noreply=False))
        self.assertFalse(self.c.touch("absent", 1, noreply=False))
        self.c.set("gone", b"x", expire=-1, noreply=False)
        self.assertIsNone(self.c.get("gone"))

    def test_large_value_and_binary_bytes(self):
        big = bytes(range(256)) * 4000
        self.assertTrue(self.c.set("big", big, noreply=False))
        self.assertEqual(self.c.get("big"), big)
        with self.assertRaises(MemcacheIllegalInputError):
            self.c.set("bad key", b"x")

    def test_stats_version(self):
        self.c.get("x")
        stats = self.c.stats()
        self.assertIn(b"curr_items", stats)
        self.assertGreaterEqual(stats[b"cmd_get"], 1)
        settings = self.c.stats("settings")
        self.assertEqual(settings[b"item_size_max"], 1048576)
        self.assertEqual(self.c.version(), b"1.6.18")

    def test_cache_memlimit(self):
        self.assertTrue(self.c.cache_memlimit(128))
        self.assertEqual(self.c.stats()[b"limit_maxbytes"], 128 << 20)
        self.assertTrue(self.c.cache_memlimit(64))

    def test_hash_client_over_two_servers(self):
        with rcserver.Server("ringcached", ["-t", "1"]) as second:
            hc = HashClient([("127.0.0.1", self.server.port), ("127.0.0.1", second.port)],
                            timeout=5)
            for i in range(200):
                hc.set(f"h{i}", str(i).encode(), noreply=False)
            for i in range(200):
                self.assertEqual(hc.get(f"h{i}"), str(i).encode())
            per_server = [Client(("127.0.0.1", p)).stats()[b"curr_items"]
                          for p in (self.server.port, second.port)]
            self.assertEqual(sum(per_server), 200)
            self.assertTrue(all(n > 0 for n in per_server), per_server)
            hc.close()

    def test_quit(self):
        self.c.quit()
        self.assertEqual(self.c.get("anything"), None)  # reconnects


if __name__ == "__main__":
    unittest.main()
