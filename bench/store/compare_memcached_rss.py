#!/usr/bin/python3
"""Resident memory per item: Debian's memcached beside ringcache's store.

For each item set (1,000,000 items of 12-byte keys and 32-byte values, the
same with a TTL, and 300,000 items of 1000-byte values) this script

  1. starts /usr/bin/memcached -m 1024 -u root -p PORT -U 0 (so no item is
     ever evicted), reads its VmRSS, loads the items over a socket with
     pipelined "set ... noreply", waits until its hash table has finished
     growing, reads VmRSS again and reports (after - before) / items;
  2. runs bench_store_memory (bench/store/memory_bench.cc), which does the same
     inside one process against a ringcache store configured like -m 1024 -t 4.

Both numbers include everything the server holds per item: item headers,
hash table, LRU links, allocator metadata.

Usage: compare_memcached_rss.py [--bench PATH] [--memcached PATH] [--cases small,small_ttl,large]
Runs with /usr/bin/python3 and the standard library only.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CASES = {
    # name: (items, key bytes, value bytes, exptime)
    "small": (1000000, 12, 32, 0),
    "small_ttl": (1000000, 12, 32, 100000),
    "large": (300000, 12, 1000, 0),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def command(sock, line):
    sock.sendall(line)
    data = b""
    while not (data.endswith(b"END\r\n") or data.endswith(b"\r\n") and line.startswith(b"version")):
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("memcached closed the connection")
        data += chunk
    return data.decode()


def stat(sock, name):
    m = re.search(r"STAT %s (\S+)" % name, command(sock, b"stats\r\n"))
    return m.group(1) if m else None


def measure_memcached(binary, items, key_len, value_len, exptime):
    port = free_port()
    proc = subprocess.Popen([binary, "-m", "1024", "-u", "root", "-p", str(port), "-U", "0",
                             "-l", "127.0.0.1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        sock = None
        for _ in range(200):
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.02)
        if sock is None:
            raise RuntimeError("memcached did not start")
        command(sock, b"version\r\n")
        before = rss_bytes(proc.pid)
        value = b"v" * value_len
        batch = []
        for i in range(items):
            key = b"key:%0*d" % (key_len - 4, i)
            batch.append(b"set %s 0 %d %d noreply\r\n%s\r\n" % (key, exptime, value_len, value))
            if len(batch) == 2000:
                sock.sendall(b"".join(batch))
                batch = []
        sock.sendall(b"".join(batch))
        command(sock, b"version\r\n")  # every set before it has been processed
        for _ in range(600):  # the hash table grows in a background thread
            if stat(sock, "hash_is_expanding") == "0":
                break
            time.sleep(0.05)
        curr = int(stat(sock, "curr_items"))
        evictions = int(stat(sock, "evictions"))
        if curr != items or evictions != 0:
            raise RuntimeError(f"memcached holds {curr} items after {evictions} evictions")
        time.sleep(0.2)
        after = rss_bytes(proc.pid)
        sock.close()
        return (after - before) / items
    finally:
        proc.terminate()
        proc.wait()


def measure_ringcache(bench, name):
    out = subprocess.run([bench, name], check=True, stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"per_item=([\d.]+) B", out)
    if not m:
        raise RuntimeError(f"unexpected output from {bench}: {out}")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "store",
                                                    "bench_store_memory"))
    ap.add_argument("--memcached", default="/usr/bin/memcached")
    ap.add_argument("--cases", default="small,small_ttl,large")
    args = ap.parse_args()
    version = subprocess.run([args.memcached, "-V"], stdout=subprocess.PIPE).stdout.decode().strip()
    print(f"{'case':<10} {'items':>8} {'payload':>8}  {'memcached B/item':>17} {'x payload':>9}"
          f"  {'ringcache B/item':>17} {'x payload':>9}  {'ringcache/memcached':>19}")
    for name in args.cases.split(","):
        items, key_len, value_len, exptime = CASES[name]
        payload = key_len + value_len
        mc = measure_memcached(args.memcached, items, key_len, value_len, exptime)
        rc = measure_ringcache(args.bench, name)
        print(f"{name:<10} {items:>8} {payload:>7}B  {mc:>17.1f} {mc / payload:>9.3f}"
              f"  {rc:>17.1f} {rc / payload:>9.3f}  {rc / mc:>19.3f}")
        sys.stdout.flush()
    print(f"({version}: -m 1024 -U 0, loaded over TCP; ringcache: bench_store_memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
