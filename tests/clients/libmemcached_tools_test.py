"""libmemcached's command-line tools (Debian's libmemcached-tools) against
ringcached: memccapable (libmemcached's own protocol conformance checker, text
and binary), memccp, memccat, memcrm, memcexist, memctouch, memcstat,
memcflush, memcdump, memcping and a short memcslap run."""
import os
import re
import subprocess
import tempfile
import unittest

import rcserver


def run(*cmd, timeout=60):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


class LibmemcachedToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = rcserver.Server("ringcached", ["-t", "2", "-m", "64"]).start()
        cls.servers = f"--servers=127.0.0.1:{cls.server.port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_memccapable_text_protocol(self):
        rc, out = run("memccapable", "-h", "127.0.0.1", "-p", str(self.server.port), "-a")
        self.assertEqual(rc, 0, out)
        self.assertIn("All tests passed", out)
        self.assertNotIn("[FAIL]", out)

    def test_memccapable_binary_protocol(self):
        rc, out = run("memccapable", "-h", "127.0.0.1", "-p", str(self.server.port), "-b")
        self.assertEqual(rc, 0, out)
        self.assertIn("All tests passed", out)
        self.assertNotIn("[FAIL]", out)

    def test_copy_cat_exist_touch_remove(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "payload.bin")
            payload = os.urandom(70000)
            with open(path, "wb") as f:
                f.write(payload)
            for binary in ([], ["--binary"]):
                rc, out = run("memccp", self.servers, *binary, path)
                self.assertEqual(rc, 0, out)
                p = subprocess.run(["memccat", self.servers, *binary, "payload.bin"],
                                   stdout=subprocess.PIPE, timeout=30)
                self.assertEqual(p.returncode, 0)
                # memccat ends every value with a newline (memcached's too).
                self.assertEqual(p.stdout, payload + b"\n")
                rc, out = run("memcexist", self.servers, *binary, "payload.bin")
                self.assertEqual(rc, 0, out)
                rc, out = run("memctouch", self.servers, *binary, "--expire=100", "payload.bin")
                self.assertEqual(rc, 0, out)
                rc, out = run("memcrm", self.servers, *binary, "payload.bin")
                self.assertEqual(rc, 0, out)
                rc, out = run("memcexist", self.servers, *binary, "payload.bin")
                self.assertNotEqual(rc, 0, "gone after memcrm")

    def test_memcstat(self):
        rc, out = run("memcstat", self.servers)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"curr_items: \d+")
        self.assertIn("version: 1.6.18", out)
        rc, out = run("memcstat", self.servers, "--args=settings")
        self.assertEqual(rc, 0, out)
        self.assertIn("item_size_max: 1048576", out)

    def test_memcflush(self):
        with self.server.conn() as c:
            c.cmd("set f 0 0 1\r\nx")
        rc, out = run("memcflush", self.servers)
        self.assertEqual(rc, 0, out)
        with self.server.conn() as c:
            self.assertEqual(c.cmd("get f", b"END\r\n"), b"END\r\n")

    def test_memcping(self):
        rc, out = run("memcping", self.servers)
        self.assertEqual(rc, 0, out)

    def test_memcslap(self):
        rc, out = run("memcslap", self.servers, "--concurrency=4", "--execute-number=2000",
                      "--test=set", timeout=120)
        self.assertEqual(rc, 0, out)
        rc, out = run("memcslap", self.servers, "--concurrency=4", "--execute-number=2000",
                      "--test=get", timeout=120)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, re.compile(r"Time total: +[\d.]+ seconds"))


if __name__ == "__main__":
    unittest.main()
