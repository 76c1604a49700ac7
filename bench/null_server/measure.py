#!/usr/bin/python3
"""Measures servers the way DESIGN.md section 9 says, one after another in one run.

Each server runs with one worker pinned to CPU 0; ringload runs on CPU 1 with
50 connections, 12-byte keys and 32-byte values, all hits (every key is
preloaded), and a 2 s unmeasured warm-up run precedes each measured run. For
each server and workload it reports ops/s, p50/p99/p99.9 latency, the
server's CPU microseconds per op (utime+stime from
/proc/PID/stat over the measured run) and kernel entries per request (every
syscall the server process made during the run, counted by perf's
raw_syscalls:sys_enter tracepoint, so memcached is measured the same way).

Usage: measure.py [--build-dir DIR] [--duration S] [--servers a,b,..]
                  [--workloads get1,get16,set16] [--markdown FILE] [--json FILE]

Servers: null_uring, null_epoll (bench/null_server; "null_uring:k=v,..." adds
-o options), memcached (Debian's /usr/bin/memcached -t 1), ringcached
(BUILD/ringcached -t 1).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLK_TCK = os.sysconf("SC_CLK_TCK")

WORKLOADS = {
    "get1": {"ratio": "1:0", "pipeline": 1, "label": "GET, 1 in flight per conn"},
    "get16": {"ratio": "1:0", "pipeline": 16, "label": "GET, 16 pipelined per conn"},
    "set16": {"ratio": "0:1", "pipeline": 16, "label": "SET, 16 pipelined per conn"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(spec, build, port):
    # "null_uring:batch_wait_us=0,recv_buffers=512" passes -o options on.
    name, _, extra = spec.partition(":")
    null = os.path.join(build, "bench", "null_server", "null_server")
    if name in ("null_uring", "null_epoll"):
        engine = "io_engine=" + name.split("_")[1]
        return [null, "-p", str(port), "-l", "127.0.0.1", "-t", "1", "-o",
                engine + ("," + extra if extra else "")]
    if name == "memcached":
        return ["/usr/bin/memcached", "-p", str(port), "-l", "127.0.0.1", "-t", "1", "-U", "0",
                "-m", "1024", "-u", "root"]
    if name == "ringcached":
        return [os.path.join(build, "ringcached"), "-p", str(port), "-l", "127.0.0.1", "-t", "1",
                "-U", "0", "-m", "1024", "-u", "root"]
    raise SystemExit(f"unknown server {name}")


def wait_port(port, proc, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early (status {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server did not listen on {port}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line (1-based).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def ringload(build, port, workload, duration, extra, json_path):
    w = WORKLOADS[workload]
    cmd = PRIORITY + ["taskset", "-c", "1", os.path.join(build, "ringload"),
           "--server", f"127.0.0.1:{port}", "--threads", "1", "--connections", "50",
           "--pipeline", str(w["pipeline"]), "--ratio", w["ratio"], "--key-size", "12",
           "--value-size", "32", "--keys", "100000", "--quiet"] + extra
    if json_path:
        cmd += ["--duration", str(duration), "--json", json_path]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # A preload-only run exits non-zero (nothing measured); its line says
    # whether every set went through.
    if json_path is None:
        if not re.search(r"preload: [\d,]+ sets .* 0 errors", p.stdout):
            raise SystemExit(f"preload failed: {p.stdout}")
    elif p.returncode != 0:
        raise SystemExit(f"ringload failed: {p.stdout}")


# Prefix for the server and the load tool: on a shared machine, "nice -n -20"
# keeps other users' jobs from distorting the run (--priority).
PRIORITY = []


def measure(name, workload, build, duration, perf):
    port = free_port()
    proc = subprocess.Popen(PRIORITY + ["taskset", "-c", "0"] + server_command(name, build, port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc)
        # Every key exists before the measured run: all gets are hits.
        ringload(build, port, workload, 0, ["--preload", "--duration", "0"], None)
        # A short unmeasured run first: the first seconds after an idle spell
        # run measurably slower on these VMs (CPU wake-up, caches).
        with tempfile.NamedTemporaryFile(suffix=".json") as warm:
            ringload(build, port, workload, 2, [], warm.name)
        counter = None
        if perf:
            counter = subprocess.Popen(
                ["perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter", "-p", str(proc.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(0.3)  # perf attaches before the load starts
        cpu0 = cpu_seconds(proc.pid)
        with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
            ringload(build, port, workload, duration, [], tmp.name)
            cpu1 = cpu_seconds(proc.pid)
            with open(tmp.name) as f:
                result = json.load(f)
        syscalls = None
        if counter is not None:
            counter.send_signal(signal.SIGINT)
            _, err = counter.communicate(timeout=10)
            m = re.search(r"^(\d+),.*raw_syscalls:sys_enter", err, re.M)
            if m:
                syscalls = int(m.group(1))
        ops = result["requests"]
        lat = result["latency_us"]
        return {
            "server": name,
            "workload": workload,
            "ops_per_sec": result["ops_per_sec"],
            "p50_us": lat["p50"],
            "p99_us": lat["p99"],
            "p999_us": lat["p999"],
            "cpu_us_per_op": (cpu1 - cpu0) * 1e6 / ops if ops else None,
            # perf also counts the idle time around the run; the bias is a
            # few entries per second, negligible against the requests.
            "entries_per_req": syscalls / ops if syscalls is not None and ops else None,
            "errors": result["errors"],
            "misses": result["misses"],
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def markdown(results, duration):
    lines = [f"Each row: one server, one worker pinned to CPU 0; ringload on CPU 1, 50 connections, "
             f"12 B keys, 32 B values, all hits, {duration} s per run. Entries/req: syscalls of the "
             "server process per request (perf, raw_syscalls:sys_enter).", ""]
    for workload, w in WORKLOADS.items():
        rows = [r for r in results if r["workload"] == workload]
        if not rows:
            continue
        lines.append(f"### {w['label']}")
        lines.append("")
        lines.append("| round | server | ops/s | vs null_uring | p50 us | p99 us | p99.9 us "
                     "| CPU us/op | entries/req |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            # Ratios against the null_uring run of the same round.
            base = next((b for b in rows if b["server"].startswith("null_uring")
                         and b.get("round") == r.get("round")), None)
            ratio = r["ops_per_sec"] / base["ops_per_sec"] if base else None
            lines.append(f"| {r.get('round', 1)} | {r['server']} | {r['ops_per_sec']:,.0f} | "
                         f"{fmt(ratio, '.2f')} | "
                         f"{r['p50_us']:.0f} | {r['p99_us']:.0f} | {r['p999_us']:.0f} | "
                         f"{fmt(r['cpu_us_per_op'], '.2f')} | {fmt(r['entries_per_req'], '.3f')} |")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--servers", default="null_uring,null_epoll,memcached")
    ap.add_argument("--workloads", default="get1,get16,set16")
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    ap.add_argument("--priority", action="store_true",
                    help="own session (autogroup) at nice -20, server and load tool at nice -20 "
                         "(root; shields the run from other users' jobs on a shared machine)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat every server/workload pair, interleaved; rows are per round")
    args = ap.parse_args()
    if args.priority:
        # With autogroups, nice only ranks tasks within a session: run in a
        # session of our own and raise that session's weight for the run.
        if os.getsid(0) != os.getpid():
            os.execvp("setsid", ["setsid", "--wait", sys.executable] + sys.argv)
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write("-20")
        except OSError:
            pass
        PRIORITY.extend(["nice", "-n", "-20"])
    build = os.path.join(ROOT, args.build_dir)
    perf = shutil.which("perf") is not None
    results = []
    for workload in args.workloads.split(","):
        for rnd in range(args.rounds):
            for name in args.servers.split(","):
                r = measure(name, workload, build, args.duration, perf)
                r["round"] = rnd + 1
                print(json.dumps(r), flush=True)
                results.append(r)
    text = markdown(results, args.duration)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
