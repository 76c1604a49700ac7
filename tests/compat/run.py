#!/usr/bin/python3
"""Runs files of memcached 1.6.18's own test suite (t/*.t) against build/ringcached.

The suite is never committed: it is taken at test time from Debian's source
package for bookworm, through a private apt configuration (a deb-src entry
in a temporary sources list, its own lists and cache directories), so the
machine's apt setup is left untouched. It is unpacked once under
tests/compat/work/ and reused.

memcached's harness (t/lib/MemcachedTest.pm) runs `./memcached-debug` from
its working directory through `./timedrun 600 ...`. Here memcached-debug is a
symlink to the ringcached under test, and timedrun arms an alarm and execs
the server, so the PID the tests signal is the server's own.

Usage: run.py [--json] [FILE ...]   (default: the files in must-pass.txt)
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(HERE, "work")
VERSION = "1.6.18"
SUITE = os.path.join(WORK, f"memcached-{VERSION}")

TIMEDRUN = """#!/usr/bin/perl
# Written by ringcache's tests/compat/run.py: arm an alarm, then become the
# server (exec keeps the PID the tests signal; the alarm survives exec).
use strict;
my $seconds = shift @ARGV;
alarm($seconds);
exec { $ARGV[0] } @ARGV or die "timedrun: cannot exec $ARGV[0]: $!";
"""


def fetch_suite():
    if os.path.isfile(os.path.join(SUITE, "t", "lib", "MemcachedTest.pm")):
        return
    apt = os.path.join(WORK, "apt")
    for d in ("lists/partial", "cache/archives/partial", "download"):
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    sources = os.path.join(apt, "sources.list")
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    with open(sources, "w") as f:
        for suite in ("bookworm main", "bookworm-updates main"):
            f.write(f"deb-src [signed-by={keyring}] http://deb.debian.org/debian {suite}\n")
        f.write(f"deb-src [signed-by={keyring}] http://deb.debian.org/debian-security "
                "bookworm-security main\n")
    opts = ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={apt}/lists", "-o", f"Dir::Cache={apt}/cache",
            "-o", "APT::Sandbox::User=root"]
    subprocess.run(["apt-get", *opts, "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    dl = os.path.join(apt, "download")
    subprocess.run(["apt-get", *opts, "source", "--download-only", f"memcached={VERSION}*"],
                   check=False, cwd=dl, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tars = glob.glob(os.path.join(dl, f"memcached_{VERSION}.orig.tar.*"))
    if not tars:
        # Any 1.6.18 revision will do; fall back to whatever bookworm carries.
        subprocess.run(["apt-get", *opts, "source", "--download-only", "memcached"],
                       check=True, cwd=dl, stdout=subprocess.DEVNULL)
        tars = glob.glob(os.path.join(dl, f"memcached_{VERSION}.orig.tar.*"))
    if not tars:
        raise SystemExit(f"memcached {VERSION} source not found in Debian's archive")
    with tarfile.open(tars[0]) as t:
        t.extractall(WORK)


def prepare(server):
    fetch_suite()
    link = os.path.join(SUITE, "memcached-debug")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(server, link)
    timedrun = os.path.join(SUITE, "timedrun")
    with open(timedrun, "w") as f:
        f.write(TIMEDRUN)
    os.chmod(timedrun, 0o755)


def must_pass():
    files = []
    with open(os.path.join(HERE, "must-pass.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                files.append(line)
    return files


def run_file(name, timeout=900):
    path = f"t/{name}.t" if not name.endswith(".t") else f"t/{name}"
    start = time.time()
    env = dict(os.environ)
    env.pop("T_MEMD_USE_DAEMON", None)
    try:
        p = subprocess.run(["prove", "-v", path], cwd=SUITE, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        ok = p.returncode == 0 and "Result: PASS" in out
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace") + f"\n[timed out after {timeout}s]"
        ok = False
    # Leftover servers of a failed file must not disturb the next one.
    subprocess.run(["pkill", "-f", os.path.join(SUITE, "memcached-debug")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"file": name, "ok": ok, "seconds": time.time() - start, "output": out[-6000:]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print results as JSON on the last line")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per file")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    server = os.environ.get("RINGCACHED", os.path.join(ROOT, "build", "ringcached"))
    if not os.access(server, os.X_OK):
        raise SystemExit(f"no server binary at {server}")
    prepare(os.path.abspath(server))
    results = []
    for f in args.files or must_pass():
        r = run_file(f, args.timeout)
        results.append(r)
        # Progress on stderr; stdout stays the report (or the JSON line).
        print(f"{'ok    ' if r['ok'] else 'FAILED'} {f} ({r['seconds']:.1f}s)", file=sys.stderr,
              flush=True)
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            print(f"{'ok    ' if r['ok'] else 'FAILED'} {r['file']} ({r['seconds']:.1f}s)")
            if not r["ok"]:
                print(r["output"])
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
