"""Shared helpers for tests that run the real binaries over real sockets.

- Server: starts build/ringcached (or Debian's memcached) on a free port or a
  unix socket, waits until it accepts, stops it, and keeps its stderr.
- Conn: a raw protocol client (send bytes, read lines / exact byte counts /
  until a terminator) with timeouts, so a hung server fails a test instead of
  hanging it.
- exchange_both: sends the same bytes to ringcached and memcached and returns
  both replies, for byte-for-byte comparisons.

Everything here runs with /usr/bin/python3 and only the standard library.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RINGCACHED = os.environ.get("RINGCACHED", os.path.join(ROOT, "build", "ringcached"))
RINGLOAD = os.environ.get("RINGLOAD", os.path.join(ROOT, "build", "ringload"))
MEMCACHED = os.environ.get("MEMCACHED", "/usr/bin/memcached")


def free_port(kind=socket.SOCK_STREAM):
    """A port that was free a moment ago on 127.0.0.1."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def root_args():
    return ["-u", "root"] if os.geteuid() == 0 else []


class Server:
    """A running server process. Use as a context manager.

    kind: "ringcached" or "memcached". args: extra flags. unix: serve on a
    unix socket path instead of TCP.
    """

    def __init__(self, kind="ringcached", args=(), unix=None, port=None, udp_port=0,
                 env=None, start_timeout=10.0):
        self.kind = kind
        self.binary = RINGCACHED if kind == "ringcached" else MEMCACHED
        self.unix = unix
        self.port = None if unix else (port or free_port())
        self.udp_port = udp_port
        self.args = list(args)
        self.env = env
        self.start_timeout = start_timeout
        self.proc = None
        self._stderr = None

    def command(self):
        cmd = [self.binary] + root_args()
        if self.unix:
            cmd += ["-s", self.unix]
        else:
            cmd += ["-l", "127.0.0.1", "-p", str(self.port)]
        cmd += ["-U", str(self.udp_port)]
        return cmd + self.args

    def start(self):
        self._stderr = tempfile.TemporaryFile()
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen(self.command(), stdout=self._stderr, stderr=self._stderr,
                                     env=env)
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: "
                                   f"{self.stderr()}")
            try:
                self.connect().close()
                return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.kind} did not accept within {self.start_timeout}s")

    def connect(self, timeout=5.0):
        if self.unix:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.unix)
        else:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def conn(self, timeout=5.0):
        return Conn(self.connect(timeout))

    def stderr(self):
        if not self._stderr:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self._stderr:
            self._stderr.close()


class Conn:
    """Raw protocol client over one socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def readline(self):
        """One line including its \\r\\n (or \\n)."""
        while b"\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_until(self, terminator):
        while terminator not in self.buf:
            self._fill()
        i = self.buf.index(terminator) + len(terminator)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def read_idle(self, idle=0.2):
        """Everything that arrives until the server is quiet for `idle` s."""
        old = self.sock.gettimeout()
        self.sock.settimeout(idle)
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    break
                self.buf += chunk
        except socket.timeout:
            pass
        finally:
            self.sock.settimeout(old)
        data, self.buf = self.buf, b""
        return data

    def closed_by_peer(self, wait=2.0):
        """True if the server closes the connection within `wait` seconds."""
        old = self.sock.gettimeout()
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    return True
                self.buf += chunk
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(old)

    def cmd(self, line, terminator=b"\r\n"):
        """Sends one command line and returns the reply up to `terminator`."""
        if isinstance(line, str):
            line = line.encode()
        self.send(line if line.endswith(b"\n") else line + b"\r\n")
        return self.read_until(terminator)

    def stats(self, arg=""):
        self.send(f"stats {arg}\r\n" if arg else "stats\r\n")
        out = {}
        while True:
            line = self.readline().decode()
            if line == "END\r\n":
                return out
            parts = line.rstrip("\r\n").split(" ", 2)
            if parts[0] != "STAT" or len(parts) != 3:
                raise AssertionError(f"bad stats line: {line!r}")
            out[parts[1]] = parts[2]


def exchange(server, data, sentinel=b"mn\r\n", terminator=b"MN\r\n", idle=None,
             not_first=False):
    """Sends `data` on a fresh connection and returns the reply bytes.

    By default a meta no-op follows the data and the reply is read up to its
    MN, so the read needs no timing guess; pass sentinel=None to read until
    the server is idle for `idle` seconds (or closes) instead. `not_first`:
    a meta no-op is exchanged before `data`, so that `data` is not the
    connection's first input (ringcached's look-ahead skips a connection
    whose protocol is not known yet).
    """
    with server.conn() as c:
        if not_first:
            c.send(b"mn\r\n")
            c.read_until(b"MN\r\n")
        c.send(data)
        if sentinel is None:
            return c.read_idle(idle or 0.3)
        c.send(sentinel)
        try:
            return c.read_until(terminator)[: -len(terminator)]
        except (ConnectionError, socket.timeout):
            return c.buf


class Pair:
    """ringcached and memcached started with the same flags, side by side."""

    def __init__(self, args=()):
        self.ours = Server("ringcached", args)
        self.theirs = Server("memcached", args)

    def __enter__(self):
        self.theirs.start()
        try:
            self.ours.start()
        except Exception:
            self.theirs.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.ours.stop()
        self.theirs.stop()

    def both(self, data, **kw):
        return exchange(self.ours, data, **kw), exchange(self.theirs, data, **kw)
