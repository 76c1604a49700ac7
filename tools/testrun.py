#!/usr/bin/python3
"""Runs ringcache's test suites and prints one summary line: "N passed, N failed".

Suites (see tools/dev):
  unit         every GoogleTest binary of meson's 'unit' suite; one count per test case
  tsan         the 'tsan' suite's binaries from build-tsan/ (ThreadSanitizer)
  integration  tests/integration/*_test.py: the real binary over real sockets
  clients      tests/clients/: real client libraries (pymemcache, Cache::Memcached,
               libmemcached's tools) against the real binary
  compat       memcached 1.6.18's own t/ files through tests/compat
  fuzz         every libFuzzer target for a fixed time (build-fuzz/)

integration, clients and compat take an engine: "integration" runs the
servers as users do (-o io_engine left at auto, io_uring here), and
"integration:epoll" (likewise clients:epoll, compat:epoll) runs the same files
with every ringcached started through a wrapper that adds -o io_engine=epoll.
RC_EXPECT_IO_ENGINE tells the tests which engine the servers must report.
"all" runs each of the three on both engines.

A suite that cannot run at all counts as one failure: nothing is skipped silently.
Exit status is non-zero when anything failed.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []  # (suite, name, detail)

    def add(self, suite, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append((suite, name, detail))


def log(msg):
    print(msg, flush=True)


def run(cmd, timeout, env=None, cwd=ROOT):
    """Runs cmd, returns (returncode, combined output). Timeout -> rc None."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out + f"\n[timed out after {timeout}s]"


def test_env(build_dir, engine="uring"):
    """The environment of the Python and Perl suites. `engine` "epoll": every
    server the tests start (they all start $RINGCACHED) runs on epoll."""
    env = dict(os.environ)
    b = os.path.join(ROOT, build_dir)
    env["RINGCACHED"] = os.path.join(b, "ringcached")
    env["RC_EXPECT_IO_ENGINE"] = engine
    if engine != "uring":
        env["RINGCACHED"] = engine_wrapper(env["RINGCACHED"], engine)
    env["RINGLOAD"] = os.path.join(b, "ringload")
    env["BUILD_DIR"] = b
    env["MEMCACHED"] = "/usr/bin/memcached"
    env["PYTHONPATH"] = os.path.join(ROOT, "tests", "lib")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


_WRAPPERS = tempfile.TemporaryDirectory(prefix="rc-engine-")


def engine_wrapper(binary, engine):
    """A script named like the binary that execs it with -o io_engine=<engine>
    first (the server keeps the PID tests signal; a later -o merges with it)."""
    d = os.path.join(_WRAPPERS.name, engine)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, os.path.basename(binary))
    with open(path, "w") as f:
        # argv[0] stays what the caller ran (tests/compat kills leftovers by it).
        f.write(f'#!/bin/bash\nexec -a "$0" "{binary}" -o io_engine={engine} "$@"\n')
    os.chmod(path, 0o755)
    return path


def meson_tests(build_dir, suite):
    out = subprocess.check_output(["meson", "introspect", "--tests", build_dir], cwd=ROOT)
    tests = []
    for t in json.loads(out):
        if any(s.split(":")[-1] == suite for s in t.get("suite", [])):
            tests.append(t)
    return tests


def run_gtest_suite(tally, label, build_dir, suite, env_extra=None):
    build = os.path.join(ROOT, build_dir)
    if not os.path.isdir(build):
        tally.add(label, build_dir, False, "build directory missing")
        return
    tests = meson_tests(build, suite)
    if not tests:
        log(f"[{label}] no '{suite}' tests registered")
        return
    env = dict(os.environ)
    env.update(env_extra or {})
    for t in tests:
        exe = t["cmd"][0]
        name = t["name"]
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "out.json")
            start = time.time()
            rc, output = run([exe, f"--gtest_output=json:{out_json}"] + t["cmd"][1:],
                             timeout=t.get("timeout", 0) or 1200, env=env)
            elapsed = time.time() - start
            cases = []
            if os.path.exists(out_json):
                with open(out_json) as f:
                    data = json.load(f)
                for ts in data.get("testsuites", []):
                    for case in ts.get("testsuite", []):
                        full = f"{ts['name']}.{case['name']}"
                        if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                            tally.skipped += 1
                            continue
                        fails = case.get("failures", [])
                        detail = "\n".join(x.get("failure", "") for x in fails)
                        cases.append((full, not fails, detail))
            for full, ok, detail in cases:
                tally.add(label, f"{name}:{full}", ok, detail)
            bad = sum(1 for c in cases if not c[1])
            # A crash or sanitizer report after the last case still fails the binary.
            if rc != 0 and bad == 0:
                tally.add(label, name, False, f"exit status {rc}\n" + output[-4000:])
            log(f"[{label}] {name}: {len(cases) - bad} passed, {bad} failed ({elapsed:.1f}s)")


def run_python_files(tally, label, files, env, timeout=900):
    runner = os.path.join(ROOT, "tests", "lib", "pyunit.py")
    for path in files:
        rel = os.path.relpath(path, ROOT)
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "out.json")
            start = time.time()
            rc, output = run([PY, runner, out_json, path], timeout=timeout, env=env)
            results = []
            if os.path.exists(out_json):
                with open(out_json) as f:
                    results = json.load(f)
            for r in results:
                if r["status"] == "skipped":
                    tally.skipped += 1
                    continue
                tally.add(label, f"{rel}:{r['name']}", r["status"] == "passed", r.get("detail", ""))
            bad = sum(1 for r in results if r["status"] == "failed")
            good = sum(1 for r in results if r["status"] == "passed")
            if not results or (rc != 0 and bad == 0):
                tally.add(label, rel, False, f"exit status {rc}\n" + output[-4000:])
            log(f"[{label}] {rel}: {good} passed, {bad} failed ({time.time() - start:.1f}s)")


def run_prove_files(tally, label, files, env, cwd, timeout=900):
    """Each Perl .t file counts as one test: it passes when every assertion does."""
    for path in files:
        rel = os.path.relpath(path, cwd)
        start = time.time()
        rc, output = run(["prove", "-v", rel], timeout=timeout, env=env, cwd=cwd)
        ok = rc == 0 and "Result: PASS" in output
        tally.add(label, rel, ok, output[-6000:])
        log(f"[{label}] {rel}: {'ok' if ok else 'FAILED'} ({time.time() - start:.1f}s)")


def suite_label(name, engine):
    return name if engine == "uring" else f"{name}:{engine}"


def suite_integration(tally, args, engine):
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "*_test.py")))
    run_python_files(tally, suite_label("integration", engine), files,
                     test_env(args.build_dir, engine))


def suite_clients(tally, args, engine):
    env = test_env(args.build_dir, engine)
    label = suite_label("clients", engine)
    run_python_files(tally, label,
                     sorted(glob.glob(os.path.join(ROOT, "tests", "clients", "*_test.py"))), env)
    perl = sorted(glob.glob(os.path.join(ROOT, "tests", "clients", "*.t")))
    if perl:
        run_prove_files(tally, label, perl, env, cwd=ROOT)


def suite_compat(tally, args, engine):
    env = test_env(args.build_dir, engine)
    label = suite_label("compat", engine)
    cmd = [PY, os.path.join(ROOT, "tests", "compat", "run.py"), "--json"]
    if args.compat_files:
        cmd += args.compat_files.split()
    rc, output = run(cmd, timeout=3600, env=env)
    try:
        results = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tally.add(label, "tests/compat/run.py", False, output[-4000:])
        return
    for r in results:
        tally.add(label, r["file"], r["ok"], r.get("output", ""))
        log(f"[{label}] {r['file']}: {'ok' if r['ok'] else 'FAILED'} ({r['seconds']:.1f}s)")


def suite_fuzz(tally, args):
    build = os.path.join(ROOT, args.build_dir)
    targets = sorted(glob.glob(os.path.join(build, "tests", "fuzz", "**", "fuzz_*"), recursive=True))
    targets = [t for t in targets if os.access(t, os.X_OK) and not t.endswith(".p")]
    if not targets:
        tally.add("fuzz", "targets", False, "no fuzz targets built")
        return
    for t in targets:
        name = os.path.basename(t)
        seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", name[len("fuzz_"):])
        work = os.path.join(ROOT, "tests", "fuzz", "corpus-work", name)
        os.makedirs(work, exist_ok=True)
        cmd = [t, f"-max_total_time={args.fuzz_seconds}", "-print_final_stats=1", work]
        if os.path.isdir(seeds):
            cmd.append(seeds)
        rc, output = run(cmd, timeout=args.fuzz_seconds + 120)
        tally.add("fuzz", name, rc == 0, output[-4000:])
        log(f"[fuzz] {name}: {'ok' if rc == 0 else 'FAILED'}")


ENGINE_SUITES = {"integration": suite_integration, "clients": suite_clients,
                 "compat": suite_compat}
ENGINES = ("", "uring", "epoll")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suites", default="all")
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--compat-files", default="")
    ap.add_argument("--fuzz-seconds", type=int, default=30)
    args = ap.parse_args()

    suites = args.suites.split(",")
    if suites == ["all"]:
        suites = ["unit", "tsan", "integration", "clients", "compat", "integration:epoll",
                  "clients:epoll", "compat:epoll"]
    tally = Tally()
    start = time.time()
    for s in suites:
        log(f"== {s}")
        if s == "unit":
            run_gtest_suite(tally, "unit", args.build_dir, "unit")
        elif s == "tsan":
            run_gtest_suite(tally, "tsan", "build-tsan", "tsan",
                            {"TSAN_OPTIONS": "halt_on_error=1 second_deadlock_stack=1"})
        elif s.partition(":")[0] in ENGINE_SUITES and s.partition(":")[2] in ENGINES:
            name, _, engine = s.partition(":")
            ENGINE_SUITES[name](tally, args, engine or "uring")
        elif s == "fuzz":
            suite_fuzz(tally, args)
        else:
            tally.add("runner", s, False, "unknown suite")

    if tally.failures:
        log("\n== failures")
        for suite, name, detail in tally.failures:
            log(f"--- [{suite}] {name}")
            if detail:
                log(detail.rstrip()[-3000:])
    log(f"\n({time.time() - start:.0f}s, {tally.skipped} skipped)")
    print(f"{tally.passed} passed, {tally.failed} failed", flush=True)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
