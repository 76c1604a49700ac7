"""Process lifecycle of the real binary: signals, the shutdown command,
systemd readiness notification, the port and pid files, and a Debian-format
config file."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import rcserver


class LifecycleTest(unittest.TestCase):
    def assert_exits(self, server, code, within=5.0):
        deadline = time.time() + within
        while time.time() < deadline:
            if server.proc.poll() is not None:
                self.assertEqual(server.proc.returncode, code, server.stderr())
                return
            time.sleep(0.02)
        self.fail(f"server still running after {within}s")

    def test_sigterm_and_sigint_stop_promptly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            s = rcserver.Server("ringcached", ["-t", "2"]).start()
            conn = s.conn()
            conn.cmd("set k 0 0 1\r\nv")
            s.proc.send_signal(sig)
            self.assert_exits(s, 0)
            conn.close()

    def test_sigusr1_drains_and_exits_zero(self):
        s = rcserver.Server("ringcached", ["-t", "2"]).start()
        with s.conn() as c:
            c.cmd("set k 0 0 1\r\nv")
            s.proc.send_signal(signal.SIGUSR1)
            self.assert_exits(s, 0)
        with self.assertRaises(OSError):
            s.connect(timeout=1)

    def test_shutdown_command_needs_A(self):
        with rcserver.Server("ringcached", []) as s, s.conn() as c:
            self.assertEqual(c.cmd("shutdown"), b"ERROR: shutdown not enabled\r\n")
        s = rcserver.Server("ringcached", ["-A"]).start()
        with s.conn() as c:
            c.send(b"shutdown graceful\r\n")
            self.assertTrue(c.closed_by_peer())
        self.assert_exits(s, 0)

    def test_systemd_notify_ready_then_stopping(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "notify")
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(path)
            sock.settimeout(10)
            s = rcserver.Server("ringcached", [], env={"NOTIFY_SOCKET": path}).start()
            self.assertEqual(sock.recv(100), b"READY=1")
            s.proc.send_signal(signal.SIGTERM)
            self.assertEqual(sock.recv(100), b"STOPPING=1")
            self.assert_exits(s, 0)
            sock.close()

    def test_port_file_and_pid_file(self):
        with tempfile.TemporaryDirectory() as d:
            ports = os.path.join(d, "ports")
            pidfile = os.path.join(d, "pid")
            port = rcserver.free_port()
            cmd = [rcserver.RINGCACHED] + rcserver.root_args() + [
                "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-P", pidfile]
            env = dict(os.environ, MEMCACHED_PORT_FILENAME=ports)
            proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
            try:
                for _ in range(200):
                    if os.path.exists(ports) and os.path.exists(pidfile):
                        break
                    time.sleep(0.025)
                with open(ports) as f:
                    self.assertEqual(f.read(), f"TCP INET: {port}\n")
                with open(pidfile) as f:
                    self.assertEqual(f.read().strip(), str(proc.pid))
            finally:
                proc.terminate()
                proc.wait(10)

    def test_debian_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            port = rcserver.free_port()
            conf = os.path.join(d, "memcached.conf")
            with open(conf, "w") as f:
                f.write("# Debian-style\n-d\nlogfile /var/log/memcached.log\n-m 96\n"
                        f"-p {port}\n-l 127.0.0.1\n-c 777\n")
                if os.geteuid() == 0:
                    f.write("-u root\n")
            proc = subprocess.Popen([rcserver.RINGCACHED, "--config-file", conf],
                                    stderr=subprocess.PIPE)
            try:
                for _ in range(200):
                    try:
                        c = rcserver.Conn(socket.create_connection(("127.0.0.1", port), 1))
                        break
                    except OSError:
                        time.sleep(0.025)
                st = c.stats("settings")
                self.assertEqual(st["maxbytes"], str(96 << 20))
                self.assertEqual(st["maxconns"], "777")
                c.close()
                self.assertIsNone(proc.poll(), "stays in the foreground: -d lines are ignored")
            finally:
                proc.terminate()
                proc.wait(10)


class AsciiAuthTest(unittest.TestCase):
    def test_login_and_sighup_reload(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "auth")
            with open(path, "w") as f:
                f.write("alice:secret\n")
            with rcserver.Server("ringcached", ["-Y", path]) as s:
                with s.conn() as c:
                    self.assertEqual(c.cmd("get k"), b"CLIENT_ERROR unauthenticated\r\n")
                    self.assertEqual(c.cmd("set a 0 0 9\r\nalice bad"),
                                     b"CLIENT_ERROR authentication failure\r\n")
                    self.assertEqual(c.cmd("set a 0 0 12\r\nalice secret"), b"STORED\r\n")
                    self.assertEqual(c.cmd("set k 0 0 1\r\nv"), b"STORED\r\n")
                with open(path, "w") as f:
                    f.write("bob:other\n")
                s.proc.send_signal(signal.SIGHUP)
                time.sleep(0.5)
                with s.conn() as c:
                    self.assertEqual(c.cmd("set a 0 0 12\r\nalice secret"),
                                     b"CLIENT_ERROR authentication failure\r\n")
                    self.assertEqual(c.cmd("set a 0 0 9\r\nbob other"), b"STORED\r\n")
                    self.assertEqual(c.cmd("get k", b"END\r\n"), b"VALUE k 0 1\r\nv\r\nEND\r\n")
                    st = c.stats()
                    self.assertEqual(st["auth_cmds"], "4")
                    self.assertEqual(st["auth_errors"], "2")

    def test_missing_or_malformed_file_refuses_to_start(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad")
            with open(bad, "w") as f:
                f.write("no colon here\n")
            for path in (os.path.join(d, "missing"), bad):
                ours = subprocess.run([rcserver.RINGCACHED] + rcserver.root_args() +
                                      ["-p", "0", "-Y", path], capture_output=True, timeout=10)
                theirs = subprocess.run([rcserver.MEMCACHED] + rcserver.root_args() +
                                        ["-p", "0", "-Y", path], capture_output=True, timeout=10)
                self.assertEqual(ours.returncode, theirs.returncode, path)
                self.assertEqual(ours.stderr, theirs.stderr, path)


if __name__ == "__main__":
    unittest.main()
