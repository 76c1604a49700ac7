#!/usr/bin/python3
"""bench/compare: ringcached, stock memcached and bench/null_server side by side.

The method of DESIGN.md section 9, in one command (`tools/dev compare`):

  - each server runs alone, pinned to CPU 0 with one worker thread, one after
    the other in this same script; ringload runs pinned to CPU 1;
  - workload by workload, each server is started afresh, preloaded so that
    gets hit, and measured; so the runs a ratio compares follow each other
    within seconds, and with --rounds N every goal ratio is the median of N
    such same-round ratios;
  - for each run: ops/s and latency percentiles (from ringload's --json), the
    server's CPU microseconds per op (utime + stime from /proc/PID/stat over
    the run, divided by the ops ringload completed), and the server's system
    calls per op when `perf stat` can count them (kernel entries);
  - results go to bench/results/<date>.md with an SVG chart beside it, and
    the latest table and chart into the compare sections of bench/README.md
    and README.md.

CPU per op stays honest when the load tool, not the server, is the
bottleneck; absolute numbers drift between runs on shared machines, ratios
measured in one run hold.

Memcached runs first: the open-loop workloads offer 50 % and 90 % of the
peak GET rate memcached reached (its GET depth-16 result), and every server
is offered that same rate.

A server that is not built, or does not answer `version`, is reported as
skipped, not faked.

On a machine shared with other work, --wait-idle waits (before each run)
for both CPUs to go idle, and --repeat keeps the least disturbed of several
runs; every row records how much CPU other processes took during it.

Usage: bench/compare.py [--build-dir build] [--duration 10] [--quick]
                        [--servers memcached,ringcached,null_server]
                        [--only WORKLOAD,...] [--out bench/results] [--no-readme]
                        [--repeat N] [--rounds N] [--wait-idle SECONDS] [--no-perf]
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER_CPU = "0"
LOAD_CPU = "1"
CONNECTIONS = 50
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The standard matrix (issue 6). Every run: 1 ringload thread, 50
# connections, 12-byte keys, 32-byte values unless said otherwise.
WORKLOADS = [
    {"name": "get_d1", "title": "GET, depth 1",
     "args": ["--ratio", "1:0", "--pipeline", "1"]},
    {"name": "get_d16", "title": "GET, depth 16",
     "args": ["--ratio", "1:0", "--pipeline", "16"]},
    {"name": "set_d16", "title": "SET, depth 16",
     "args": ["--ratio", "0:1", "--pipeline", "16"]},
    {"name": "mix_zipf", "title": "90/10 GET/SET, zipf 0.99, depth 16",
     "args": ["--ratio", "9:1", "--distribution", "zipf:0.99", "--pipeline", "16"]},
    {"name": "multiget50", "title": "multiget of 50 keys, depth 4",
     "args": ["--ratio", "1:0", "--multiget", "50", "--pipeline", "4"]},
    {"name": "value_1k", "title": "90/10 GET/SET, 1 KB values, depth 16",
     "args": ["--ratio", "9:1", "--value-size", "1024", "--pipeline", "16"],
     "keys": 20000, "prefix": "v"},
    {"name": "open_50", "title": "open loop, 50 % of memcached's peak",
     "args": ["--ratio", "1:0", "--pipeline", "16"], "rate_of_peak": 0.5},
    {"name": "open_90", "title": "open loop, 90 % of memcached's peak",
     "args": ["--ratio", "1:0", "--pipeline", "16"], "rate_of_peak": 0.9},
]
DEFAULT_KEYS = 100000  # fits memcached's default 64 MB with room to spare
PEAK_WORKLOAD = "get_d16"

# The efficiency goals of ringload itself (issue 6, item 5), checked against
# null_server.
TARGETS = [("get_d16", 2.5e6, "GET depth 16 against null_server"),
           ("get_d1", 200e3, "GET depth 1 over 50 connections against null_server")]


# ringcached's goals (issue 4): ops/s ratios against another server in the
# same run.
SERVER_TARGETS = [
    ("get_d1", "null_server", 0.9, "GET depth 1 against null_server"),
    ("get_d1", "memcached", 1.5, "GET depth 1 against memcached"),
    ("get_d16", "null_server", 0.75, "GET depth 16 against null_server"),
    ("set_d16", "null_server", 0.7, "SET depth 16 against null_server"),
]


def log(msg):
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def user_args():
    return ["-u", "root"] if os.geteuid() == 0 else []


def server_commands(build_dir):
    """name -> (label, argv builder taking a port, binary path)."""
    ringcached = os.path.join(build_dir, "ringcached")
    null_server = os.path.join(build_dir, "bench", "null_server", "null_server")
    memcached = "/usr/bin/memcached"
    return {
        "memcached": ("memcached " + memcached_version(memcached), memcached,
                      lambda p: [memcached, "-t", "1", *user_args(), "-p", str(p), "-U", "0",
                                 "-l", "127.0.0.1"]),
        "ringcached": ("ringcached", ringcached,
                       lambda p: [ringcached, "-t", "1", *user_args(), "-p", str(p), "-U", "0",
                                  "-l", "127.0.0.1"]),
        "null_server": ("null_server", null_server,
                        lambda p: [null_server, "-p", str(p), "-t", "1", "-l", "127.0.0.1"]),
    }


def memcached_version(path):
    try:
        out = subprocess.run([path, "-V"], capture_output=True, text=True, timeout=5).stdout
        return out.split()[-1] if out.split() else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def answers_version(port, timeout=3.0):
    """True once the server accepts and answers `version` (text protocol)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"version\r\n")
                if s.recv(256).startswith(b"VERSION"):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def context_switches(pid):
    total = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


class SyscallCounter:
    """`perf stat -e raw_syscalls:sys_enter -p PID` around a run, if perf works."""

    def __init__(self, pid, workdir, enabled):
        self.proc = None
        self.out = os.path.join(workdir, f"perf-{pid}-{time.time_ns()}.txt")
        if not enabled or shutil.which("perf") is None:
            return
        try:
            self.proc = subprocess.Popen(
                ["perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter", "-p", str(pid),
                 "-o", self.out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.2)  # let it attach before the run starts
        except OSError:
            self.proc = None

    def stop(self):
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        try:
            with open(self.out) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) > 2 and "raw_syscalls" in line and parts[0].isdigit():
                        return int(parts[0])
        except OSError:
            pass
        return None


def ringload_cmd(ringload, port, workload, extra):
    keys = str(workload.get("keys", DEFAULT_KEYS))
    return ["taskset", "-c", LOAD_CPU, ringload, "--server", f"127.0.0.1:{port}", "--threads",
            "1", "--connections", str(CONNECTIONS), "--keys", keys, "--key-prefix",
            workload.get("prefix", "k"), "--quiet", *workload["args"], *extra]


def run_ringload(cmd, workdir, tag):
    out_json = os.path.join(workdir, f"{tag}.json")
    proc = subprocess.run(cmd + ["--json", out_json], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ringload failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    with open(out_json) as f:
        return json.load(f)


def cpu_times():
    """(busy, total) clock ticks of the two CPUs the comparison uses."""
    busy = total = 0
    with open("/proc/stat") as f:
        for line in f:
            name = line.split(" ", 1)[0]
            if name in (f"cpu{SERVER_CPU}", f"cpu{LOAD_CPU}"):
                values = list(map(int, line.split()[1:]))
                idle = values[3] + values[4]  # idle + iowait
                total += sum(values)
                busy += sum(values) - idle
    return busy, total


def wait_for_idle(max_wait):
    """Waits (up to max_wait s) until both CPUs are >= 90 % idle over a second.
    Returns the idle fraction last seen."""
    deadline = time.time() + max_wait
    while True:
        b0, t0 = cpu_times()
        time.sleep(1.0)
        b1, t1 = cpu_times()
        idle = 1 - (b1 - b0) / max(t1 - t0, 1)
        if idle >= 0.9 or time.time() >= deadline:
            return idle
        log(f"    waiting for idle CPUs ({idle:.0%} idle)")


def measure_once(ringload, server, port, workload, duration, rate, workdir, use_perf):
    tag = f"{server['name']}-{workload['name']}-{time.time_ns()}"
    extra = ["--duration", str(duration)]
    if rate:
        extra += ["--rate", str(int(rate))]
    pid = server["pid"]
    counter = SyscallCounter(pid, workdir, use_perf)
    ticks0, switches0 = cpu_ticks(pid), context_switches(pid)
    busy0, total0 = cpu_times()
    result = run_ringload(ringload_cmd(ringload, port, workload, extra), workdir, tag)
    busy1, total1 = cpu_times()
    ticks1, switches1 = cpu_ticks(pid), context_switches(pid)
    syscalls = counter.stop()
    ops = result["requests"]
    server_seconds = (ticks1 - ticks0) / CLK_TCK
    client = result["client"]
    # CPU time on the two CPUs used by neither the server nor ringload: how
    # much the run was disturbed (shared machines).
    window = (total1 - total0) / CLK_TCK  # both CPUs
    foreign = (busy1 - busy0) / CLK_TCK - server_seconds - client["cpu_user_seconds"] - \
        client["cpu_system_seconds"]
    row = {
        "ops_per_sec": result["ops_per_sec"],
        "keys_per_sec": result["keys_per_sec"],
        "requests": ops,
        "p50": result["latency_us"]["p50"],
        "p99": result["latency_us"]["p99"],
        "p999": result["latency_us"]["p999"],
        "max": result["latency_us"]["max"],
        "errors": result["errors"],
        "hit_ratio": (result["by_op"]["get"]["hits"] / result["by_op"]["get"]["keys"]
                      if result["by_op"]["get"]["keys"] else None),
        "server_cpu_us_per_op": (server_seconds * 1e6 / ops) if ops else None,
        "server_cpu_share": server_seconds / result["duration_seconds"]
        if result["duration_seconds"] else None,
        "syscalls_per_op": (syscalls / ops) if (syscalls is not None and ops) else None,
        "ctx_switches_per_op": ((switches1 - switches0) / ops) if ops else None,
        "client_cpu_us_per_op": client["cpu_us_per_op"],
        "keys_per_op": (result["keys"] / ops) if ops else 1,
        "foreign_cpu_share": max(foreign, 0) / window if window > 0 else None,
        "rate": rate,
    }
    if rate:
        row["behind_p99_us"] = result["schedule"]["lag_us"]["p99"]
    return row


def run_workload(ringload, server, port, workload, duration, rate, workdir, use_perf, repeat,
                 wait_idle):
    """Preloads, then measures one workload against a running server, `repeat`
    times, keeping the least disturbed run: the fastest for a closed loop, the
    one with the lowest p99 for an open loop (whose rate is fixed)."""
    tag = f"{server['name']}-{workload['name']}"
    # The preload writes the key space the run reads (same keys, prefix and
    # value size); it is not measured.
    preload = ["--preload", "--duration", "0", "--pipeline", "16"]
    if "--value-size" in workload["args"]:
        preload += ["--value-size", workload["args"][workload["args"].index("--value-size") + 1]]
    run_ringload(ringload_cmd(ringload, port, dict(workload, args=[]), preload), workdir,
                 tag + "-preload")
    runs = []
    for _ in range(repeat):
        if wait_idle:
            wait_for_idle(wait_idle)
        runs.append(measure_once(ringload, server, port, workload, duration, rate, workdir,
                                 use_perf))
    if rate:
        row = min(runs, key=lambda r: r["p99"])
    else:
        row = max(runs, key=lambda r: r["ops_per_sec"])
    row["runs"] = len(runs)
    noise = row["foreign_cpu_share"]
    log(f"  {workload['name']:<11} {row['ops_per_sec']:>12,.0f} ops/s  p50 {row['p50']:8.1f} us"
        f"  p99 {row['p99']:8.1f} us  server {fmt(row['server_cpu_us_per_op'], 2)} us/op"
        f"  errors {row['errors']}  other load {fmt(None if noise is None else 100 * noise, 0)} %")
    return row


def keep_better(rows, workload, row):
    """Stores `row` for `workload` unless an earlier round's run was better
    (faster for a closed loop, lower p99 for an open loop at its fixed rate)."""
    old = rows.get(workload["name"])
    if old is not None:
        runs = old["runs"] + row["runs"]
        better = (row["p99"] < old["p99"]) if "rate_of_peak" in workload \
            else (row["ops_per_sec"] > old["ops_per_sec"])
        if not better:
            row = old
        row["runs"] = runs
    rows[workload["name"]] = row


def start_server(name, argv, binary, workdir):
    if not os.path.exists(binary):
        return None, f"not built ({os.path.relpath(binary, ROOT)} missing)"
    port = free_port()
    cmd = ["taskset", "-c", SERVER_CPU] + argv(port)
    err = open(os.path.join(workdir, f"{name}.stderr"), "w")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    if not answers_version(port):
        proc.kill()
        proc.wait()
        return None, "did not answer `version` within 3 s"
    return {"name": name, "proc": proc, "pid": proc.pid, "port": port}, None


def stop_server(server):
    server["proc"].send_signal(signal.SIGTERM)
    try:
        server["proc"].wait(timeout=5)
    except subprocess.TimeoutExpired:
        server["proc"].kill()
        server["proc"].wait()


def fmt(v, digits=1):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def fmt_ops(v):
    if v is None:
        return "n/a"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.0f}k"
    return f"{v:.0f}"


# --------------------------------------------------------------------------
# Report


def machine_description():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}"


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def round_ratios(rounds, mine, other, wl_name):
    """Ops/s ratios of `mine` to `other` for `wl_name`, one per round in which
    both ran, in round order."""
    a = dict(rounds.get(mine, {}).get(wl_name, []))
    b = dict(rounds.get(other, {}).get(wl_name, []))
    return [a[r] / b[r] for r in sorted(a) if r in b and b[r]]


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def markdown(results, rounds, servers, labels, skipped, args, started, peak):
    lines = [f"# Comparison, {started:%Y-%m-%d %H:%M}", ""]
    lines.append(f"Machine: {machine_description()}. Commit {git_commit()}. "
                 f"Servers pinned to CPU {SERVER_CPU} with one worker; ringload on CPU "
                 f"{LOAD_CPU}, 1 thread, {CONNECTIONS} connections, 12-byte keys, 32-byte values "
                 f"unless noted, {args.duration} s per run after a preload (gets hit). "
                 "Server CPU per op is utime+stime from /proc/PID/stat over the run divided by "
                 "the ops completed; syscalls per op from `perf stat -e raw_syscalls:sys_enter`.")
    noise = [row.get("foreign_cpu_share") for server_rows in results.values()
             for row in server_rows.values() if row.get("foreign_cpu_share") is not None]
    if noise:
        runs = max(row.get("runs", 1) for server_rows in results.values()
                   for row in server_rows.values())
        lines.append(f"Other processes used {100 * max(noise):.0f} % of the two CPUs during the "
                     f"most disturbed kept run (median {100 * sorted(noise)[len(noise) // 2]:.0f} "
                     f"%); best of {runs} run(s) per row.")
    lines.append("")
    for name, why in skipped.items():
        lines.append(f"- **{labels[name]}: skipped** ({why}).")
    if skipped:
        lines.append("")
    if peak:
        lines.append(f"memcached's peak GET rate (GET depth 16): {peak:,.0f} ops/s; the open-loop "
                     "runs offer 50 % and 90 % of it to every server, Poisson arrivals, latency "
                     "from each request's intended send time.")
        lines.append("")
    ran = [s for s in servers if s not in skipped]
    lines.append("| workload | server | ops/s | p50 us | p99 us | p99.9 us | server CPU us/op "
                 "| syscalls/op | errors |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for wl in WORKLOADS:
        for s in ran:
            row = results.get(s, {}).get(wl["name"])
            if row is None:
                continue
            ops = fmt_ops(row["ops_per_sec"])
            cpu = fmt(row["server_cpu_us_per_op"], 2)
            if row["keys_per_op"] > 1 and row["server_cpu_us_per_op"] is not None:
                ops += f" ({fmt_ops(row['keys_per_sec'])} keys/s)"
                cpu += f" ({row['server_cpu_us_per_op'] / row['keys_per_op']:.2f}/key)"
            lines.append(f"| {wl['title']} | {labels[s]} | {ops} | {fmt(row['p50'])} | "
                         f"{fmt(row['p99'])} | {fmt(row['p999'])} | "
                         f"{cpu} | "
                         f"{fmt(row['syscalls_per_op'], 3)} | {row['errors']} |")
    lines.append("")
    if "null_server" in ran:
        lines.append("ringload's own efficiency goals (issue 6), against null_server:")
        lines.append("")
        for wl_name, target, what in TARGETS:
            row = results["null_server"].get(wl_name)
            if row is None:
                continue
            ok = "met" if row["ops_per_sec"] >= target else "NOT met"
            each = [ops for _, ops in rounds.get("null_server", {}).get(wl_name, [])]
            each = f"; rounds: {', '.join(fmt_ops(v) for v in each)}" if len(each) > 1 else ""
            lines.append(f"- {what}: {row['ops_per_sec']:,.0f} ops/s, the best run (goal "
                         f"{target:,.0f}: {ok}{each}); ringload used "
                         f"{fmt(row['client_cpu_us_per_op'], 3)} us of CPU per op.")
        lines.append("")
    if "ringcached" in ran:
        goals = []
        for wl_name, other, ratio, what in SERVER_TARGETS:
            ratios = round_ratios(rounds, "ringcached", other, wl_name)
            if not ratios:
                continue
            got = median(ratios)
            ok = "met" if got >= ratio else "NOT met"
            each = ""
            if len(ratios) > 1:
                each = f" (median of the rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
            goals.append(f"- {what}: {got:.2f} x {labels[other]}{each} "
                         f"(goal {ratio} x: {ok}).")
        row = results["ringcached"].get("get_d1")
        if row is not None and row.get("syscalls_per_op") is not None:
            ok = "met" if row["syscalls_per_op"] <= 0.1 else "NOT met"
            goals.append(f"- Kernel entries per request, GET depth 1: "
                         f"{row['syscalls_per_op']:.3f} (goal <= 0.1: {ok}).")
        if goals:
            lines.append("ringcached's goals (issue 4), ratios of ops/s between runs of the "
                         "same round (one workload, the servers one after the other):")
            lines.append("")
            lines.extend(goals)
            lines.append("")
    notes = ["null_server answers every get with a fixed 32-byte hit, so its 1 KB row measures "
             "1 KB sets and 32-byte gets."] if "null_server" in ran else []
    for n in notes:
        lines.append(f"Note: {n}")
    lines.append("")
    return "\n".join(lines)


def svg_chart(results, servers, labels, skipped):
    """Two panels: throughput relative to memcached, and server CPU per op."""
    ran = [s for s in servers if s not in skipped]
    colors = {"memcached": "#7f7f7f", "ringcached": "#1f77b4", "null_server": "#2ca02c"}
    workloads = [w for w in WORKLOADS if any(w["name"] in results.get(s, {}) for s in ran)]
    bar_h, gap, group_gap = 12, 2, 14
    group_h = len(ran) * (bar_h + gap) + group_gap
    top, left, panel_w = 56, 260, 280
    height = top + group_h * len(workloads) + 40
    width = left + 3 * (panel_w + 30) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="#fff"/>',
           f'<text x="10" y="18" font-size="14" font-weight="bold">ringcached vs memcached vs '
           f'null_server (one worker, CPU {SERVER_CPU}; ringload on CPU {LOAD_CPU})</text>']

    def panel(x0, title, value_of, label_of, log_from=None):
        """value_of(workload name, row) -> bar length in data units (None: no bar). With
        log_from, lengths are logarithmic from that value up."""
        values = [value_of(w["name"], results[s][w["name"]]) for w in workloads for s in ran
                  if w["name"] in results.get(s, {})]
        vmax = max([v for v in values if v] or [1])

        def length(v):
            if log_from is None:
                return (panel_w - 70) * v / vmax
            span = math.log10(max(vmax, log_from * 10) / log_from)
            return (panel_w - 70) * max(math.log10(max(v, log_from) / log_from), 0.02) / span

        out.append(f'<text x="{x0}" y="{top - 14}" font-weight="bold">{title}</text>')
        out.append(f'<line x1="{x0}" y1="{top - 6}" x2="{x0}" y2="{height - 30}" '
                   f'stroke="#888"/>')
        for gi, w in enumerate(workloads):
            for si, s in enumerate(ran):
                row = results.get(s, {}).get(w["name"])
                v = value_of(w["name"], row) if row else None
                if v is None:
                    continue
                y = top + gi * group_h + si * (bar_h + gap)
                bar = length(v)
                out.append(f'<rect x="{x0}" y="{y}" width="{bar:.1f}" height="{bar_h}" '
                           f'fill="{colors.get(s, "#999")}"/>')
                out.append(f'<text x="{x0 + bar + 4:.1f}" y="{y + bar_h - 2}">'
                           f'{label_of(w["name"], row)}</text>')

    for gi, w in enumerate(workloads):
        y = top + gi * group_h + (len(ran) * (bar_h + gap)) / 2 + 4
        out.append(f'<text x="{left - 10}" y="{y:.0f}" text-anchor="end">'
                   f'{w["title"].replace("&", "&amp;")}</text>')
    memcached = results.get("memcached", {})

    def relative_to_memcached(workload_name, row):
        if not memcached:  # memcached did not run: absolute ops/s
            return row["ops_per_sec"]
        base = memcached.get(workload_name)
        if not base or not base["ops_per_sec"]:
            return None
        return row["ops_per_sec"] / base["ops_per_sec"]

    def ops_label(workload_name, row):
        label = fmt_ops(row["ops_per_sec"])
        base = memcached.get(workload_name)
        if base and base["ops_per_sec"] and row is not base:
            label += f" ({row['ops_per_sec'] / base['ops_per_sec']:.1f}x)"
        return label

    panel(left, "ops/s (bars relative to memcached)", relative_to_memcached, ops_label)

    # A multiget's cost is shown per key, so one workload does not set the scale.
    def cpu_per_op(workload_name, row):
        v = row["server_cpu_us_per_op"]
        if v is not None and row["keys_per_op"] > 1:
            v /= row["keys_per_op"]
        return v

    def cpu_label(_, row):
        if row["keys_per_op"] > 1:
            return f"{fmt(row['server_cpu_us_per_op'] / row['keys_per_op'], 2)} per key"
        return fmt(row["server_cpu_us_per_op"], 2)

    panel(left + panel_w + 30, "server CPU us per op (lower is better)", cpu_per_op, cpu_label)
    panel(left + 2 * (panel_w + 30), "p99 latency, us (log scale)", lambda _, row: row["p99"],
          lambda _, row: fmt(row["p99"], 0), log_from=10)
    ly = height - 14
    lx = left
    for s in ran:
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" '
                   f'fill="{colors.get(s, "#999")}"/><text x="{lx + 14}" y="{ly}">'
                   f'{labels[s]}</text>')
        lx += 14 + 7 * len(labels[s]) + 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


README_BEGIN = "<!-- compare:latest:begin -->"
README_END = "<!-- compare:latest:end -->"


def update_readme(table_md, svg_name):
    """Puts the table and chart between the markers of bench/README.md (added
    at its end when missing) and of the top-level README.md (only where it
    has the markers)."""
    for path, image_dir, append in ((os.path.join(ROOT, "bench", "README.md"), "results", True),
                                    (os.path.join(ROOT, "README.md"), "bench/results", False)):
        body = (f"{README_BEGIN}\n![comparison]({image_dir}/{svg_name})\n\n{table_md.strip()}\n"
                f"{README_END}")
        text = open(path).read() if os.path.exists(path) else ""
        if README_BEGIN in text and README_END in text:
            text = re.sub(re.escape(README_BEGIN) + ".*?" + re.escape(README_END),
                          lambda _: body, text, flags=re.S)
        elif append:
            text += ("\n" if text else "") + "## Latest comparison\n\n" + body + "\n"
        else:
            continue
        with open(path, "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--quick", action="store_true", help="3 s runs")
    ap.add_argument("--servers", default="memcached,ringcached,null_server")
    ap.add_argument("--only", default="", help="comma-separated workload names")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--no-perf", action="store_true", help="do not count syscalls with perf")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per workload and server; the least disturbed is kept")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the whole matrix this many times; each row of the table keeps "
                         "its best run, each goal ratio is the median of its rounds' ratios")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before each run, wait up to this long for both CPUs to be idle")
    args = ap.parse_args()
    if args.quick:
        args.duration = 3
    build_dir = os.path.abspath(args.build_dir)
    ringload = os.path.join(build_dir, "ringload")
    if not os.path.exists(ringload):
        sys.exit(f"compare: {ringload} is not built")
    if os.cpu_count() < 2:
        sys.exit("compare: needs two CPUs (server on CPU 0, ringload on CPU 1)")
    only = set(filter(None, args.only.split(",")))
    workloads = [w for w in WORKLOADS if not only or w["name"] in only]
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    # memcached first: the open-loop rates are fractions of its peak.
    servers.sort(key=lambda s: s != "memcached")
    commands = server_commands(build_dir)
    labels = {name: commands[name][0] for name in commands}
    started = datetime.datetime.now()
    results, skipped = {}, {}
    peak = None
    # Every run of every round, per server and workload, in round order: the
    # goals compare runs of the same round.
    rounds = {}
    with tempfile.TemporaryDirectory(prefix="ringcache-compare-") as workdir:
        for round_no in range(max(1, args.rounds)):
            if args.rounds > 1:
                log(f"round {round_no + 1} of {args.rounds}")
            # Workload by workload, each server started afresh for it: runs
            # that are compared follow each other within seconds, so a slow
            # spell of the host hits them alike.
            for wl in workloads:
                rate = None
                if "rate_of_peak" in wl:
                    if peak is None:
                        log(f"  {wl['name']}: skipped, memcached's peak is not known")
                        continue
                    rate = peak * wl["rate_of_peak"]
                for name in servers:
                    if name not in commands:
                        sys.exit(f"compare: unknown server {name}")
                    if name in skipped:
                        continue
                    label, binary, argv = commands[name]
                    server, why = start_server(name, argv, binary, workdir)
                    if server is None:
                        skipped[name] = why
                        log(f"{label}: skipped, {why}")
                        continue
                    log(f"{label} on CPU {SERVER_CPU}, port {server['port']}")
                    results.setdefault(name, {})
                    try:
                        row = run_workload(ringload, server, server["port"], wl, args.duration,
                                           rate, workdir, not args.no_perf, args.repeat,
                                           args.wait_idle)
                        rounds.setdefault(name, {}).setdefault(wl["name"], []).append(
                            (round_no, row["ops_per_sec"]))
                        keep_better(results[name], wl, row)
                    except RuntimeError as e:
                        log(f"  {wl['name']}: {e}")
                    finally:
                        if server["proc"].poll() is not None:
                            log(f"{label} exited (status {server['proc'].returncode})")
                        else:
                            stop_server(server)
                    if name == "memcached" and wl["name"] == PEAK_WORKLOAD \
                            and wl["name"] in results[name] and peak is None:
                        peak = results[name][wl["name"]]["ops_per_sec"]
    os.makedirs(args.out, exist_ok=True)
    stamp = started.strftime("%Y-%m-%d")
    # A second run on the same day keeps the first's files.
    if os.path.exists(os.path.join(args.out, f"{stamp}.md")):
        stamp = started.strftime("%Y-%m-%d-%H%M")
    md = markdown(results, rounds, servers, labels, skipped, args, started, peak)
    md_path = os.path.join(args.out, f"{stamp}.md")
    svg_name = f"{stamp}.svg"
    with open(md_path, "w") as f:
        f.write(md + f"\n![comparison]({svg_name})\n")
    with open(os.path.join(args.out, svg_name), "w") as f:
        f.write(svg_chart(results, servers, labels, skipped))
    with open(os.path.join(args.out, f"{stamp}.json"), "w") as f:
        json.dump({"started": started.isoformat(), "duration": args.duration,
                   "machine": machine_description(), "commit": git_commit(), "peak": peak,
                   "skipped": skipped, "results": results,
                   "ops_per_sec_by_round": rounds}, f, indent=1)
    if not args.no_readme:
        update_readme(md.split("\n", 2)[2], svg_name)
    print(md)
    log(f"wrote {os.path.relpath(md_path, ROOT)} and {svg_name}")


if __name__ == "__main__":
    main()
