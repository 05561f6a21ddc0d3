#!/usr/bin/env python3
"""Density: how many idle copies of one image this host holds at once, what
each costs in memory, and how fast they start, for hut appliances, the same
image as ordinary processes, and under crun (`make bench-density`).

  density.py [--max N] [--crun-max N] [--parallel P] [--workloads idle,httpd]
             [--launchers hut,process,crun] [--mem SIZE] [--json FILE] [--svg FILE]
             BUILD

For each workload and launcher, copies are started P at a time (P launches in
flight, default 2, the cores here) until N run or the host refuses one. A
copy's start time runs from just before its fork to the moment its first
line ("ready", or httpd's "serving") reaches our pipe: what a supervisor
would see. At checkpoints (1, 10, 50, 100, 200, 500, 1000, N) the memory of
every running copy is read:

  pss      the sum of /proc/PID/smaps_rollup's Pss over each copy's process
           tree (the monitor, its guest RAM included; crun and its container
           init), divided by the copies running: shared pages (the monitor's
           text, the image file) count once in all
  kernel   the growth of SUnreclaim + PageTables + SecPageTables +
           VmallocUsed (kernel stacks included) + Percpu in /proc/meminfo
           since the first start, per copy: what the kernel holds for them
           outside their PSS (KVM's VM, its memory slot's reverse map and
           write-tracking arrays, vCPU and shadow page tables; page tables,
           pipes, task structs and their stacks)
  used     the fall of MemAvailable per copy: the whole host's view, noisy
           when other programs run (this machine is shared)

The first launch that fails (exits before its first line, or takes more than
10 s) ends the ramp, and its exit status and last line of stderr are the
"limit" reported. Then every idle copy is asked to echo a line (it must
answer with the same line) and stopped: idle copies by closing their stdin
(they exit 0), httpd by SIGTERM; any still running after 10 s is killed and
counted. httpd listens on 8080 inside each appliance and crun container (a
stack or network namespace of its own) and on 20000+i as a process.

crun refuses hybrid cgroup hosts (cgroup2 at /sys/fs/cgroup/unified beside
v1), as `hut bench` explains; each crun launch therefore first moves to a
private mount namespace and detaches that mount, as hut bench's does.
"""
import argparse
import ctypes
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CHECKPOINTS = [1, 10, 50, 100, 200, 500, 1000]
LAUNCH_TIMEOUT_S = 10
STOP_TIMEOUT_S = 10
# Kernel stacks are vmalloc'd (CONFIG_VMAP_STACK, as Debian builds it), so
# VmallocUsed already holds KernelStack: it is shown, not added.
KERNEL_FIELDS = ["SUnreclaim", "PageTables", "SecPageTables", "VmallocUsed", "Percpu"]
SHOWN_FIELDS = KERNEL_FIELDS + ["KernelStack"]
UNIFIED = "/sys/fs/cgroup/unified"


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, rest = line.split(":", 1)
            out[name] = int(rest.split()[0])
    return out


def hybrid_cgroups():
    """cgroup v1 at /sys/fs/cgroup with cgroup2 beside it (Debian's systemd)."""
    return (os.path.isdir(UNIFIED) and os.path.ismount(UNIFIED)
            and not os.path.exists("/sys/fs/cgroup/cgroup.controllers"))


def leave_unified():
    """In crun's child before exec: a private mount namespace without the
    cgroup2 mount crun refuses to run beside."""
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS, MS_REC, MS_PRIVATE, MNT_DETACH = 0x20000, 0x4000, 0x40000, 2
    if libc.unshare(CLONE_NEWNS) != 0:
        os._exit(126)
    libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None)
    libc.umount2(UNIFIED.encode(), MNT_DETACH)


def tree_pids(pid):
    """pid and its descendants (through /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


KCMP_VM = 1
SYS_KCMP = 312


def same_memory(a, b):
    """Whether processes a and b share one address space (CLONE_VM: the
    monitor's reaper, monitor/reaper.c), whose PSS is then counted once."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(SYS_KCMP, a, b, KCMP_VM, 0, 0) == 0


def pss_kib(pid):
    total, counted = 0, []
    for p in tree_pids(pid):
        if any(same_memory(p, c) for c in counted):
            continue
        counted.append(p)
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def percentile(sorted_v, pct):
    """Nearest rank, as hut bench's stats.c."""
    if not sorted_v:
        return 0.0
    rank = max(1, -(-len(sorted_v) * pct // 100))
    return sorted_v[int(rank) - 1]


class Copy:
    def __init__(self, index, proc, t0):
        self.index, self.proc, self.t0 = index, proc, t0
        self.start_ms = None
        self.buf = b""


class Launcher:
    """One way to run a workload: argv for copy i, how it is told to stop."""

    def __init__(self, name, argv_for, ready_word, preexec=None, cleanup=None, kill=None):
        self.name, self.argv_for, self.ready_word = name, argv_for, ready_word
        self.preexec, self.cleanup, self.kill = preexec, cleanup, kill


def spawn(launcher, i):
    t0 = time.monotonic()
    proc = subprocess.Popen(launcher.argv_for(i), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=launcher.preexec,
                            start_new_session=True)
    os.set_blocking(proc.stdout.fileno(), False)
    return Copy(i, proc, t0)


def failure_of(copy, why):
    """The limit a failed launch shows: its status and last stderr line."""
    try:
        copy.proc.kill()
    except OSError:
        pass
    try:
        _, err = copy.proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        err = b""
    lines = [l for l in err.decode(errors="replace").splitlines() if l.strip()]
    return {"copy": copy.index + 1, "why": why, "status": copy.proc.returncode,
            "message": lines[-1] if lines else ""}


def ramp(launcher, target, parallel, on_checkpoint):
    """Starts copies, `parallel` in flight, until target run or one fails.
    Returns (running copies, the limit or None, seconds the ramp took)."""
    sel = selectors.DefaultSelector()
    running, limit, next_i = [], None, 0
    inflight = {}
    t_begin = time.monotonic()
    while (next_i < target or inflight) and limit is None:
        while next_i < target and len(inflight) < parallel and limit is None:
            try:
                c = spawn(launcher, next_i)
            except OSError as e:
                limit = {"copy": next_i + 1, "why": "fork/exec failed", "status": None,
                         "message": "%s: %s" % (launcher.argv_for(next_i)[0], e.strerror)}
                break
            inflight[c.proc.stdout.fileno()] = c
            sel.register(c.proc.stdout, selectors.EVENT_READ, c)
            next_i += 1
        if not inflight:
            break
        events = sel.select(timeout=0.2)
        now = time.monotonic()
        for key, _ in events:
            c = key.data
            try:
                data = os.read(key.fd, 4096)
            except BlockingIOError:
                continue
            c.buf += data
            if launcher.ready_word in c.buf or not data:
                sel.unregister(c.proc.stdout)
                del inflight[key.fd]
                if launcher.ready_word in c.buf:
                    c.start_ms = (now - c.t0) * 1000
                    running.append(c)
                    on_checkpoint(running)
                elif limit is None:
                    limit = failure_of(c, "exited before it was ready")
        for fd, c in list(inflight.items()):
            if now - c.t0 > LAUNCH_TIMEOUT_S:
                sel.unregister(c.proc.stdout)
                del inflight[fd]
                if limit is None:
                    limit = failure_of(c, "not ready within %d s" % LAUNCH_TIMEOUT_S)
    # Copies still starting when the ramp stopped: wait for them too.
    for fd, c in list(inflight.items()):
        c.proc.kill()
        c.proc.wait()
    sel.close()
    return running, limit, time.monotonic() - t_begin


def ask_each(copies):
    """Each idle copy must echo one line back; returns how many did."""
    ok = 0
    for c in copies:
        line = b"ping %d\n" % c.index
        try:
            c.proc.stdin.write(line)
            c.proc.stdin.flush()
        except OSError:
            continue
        got, deadline = b"", time.monotonic() + 5
        while line not in got and time.monotonic() < deadline:
            try:
                data = os.read(c.proc.stdout.fileno(), 4096)
                if not data:
                    break
                got += data
            except BlockingIOError:
                time.sleep(0.0005)
        ok += line in got
    return ok


def stop_all(copies, workload, launcher):
    """Stops every copy; returns (clean exits, killed after the timeout).
    httpd gets SIGTERM, except in a container, where it is pid 1 and so
    ignores it (no handler): there `crun kill ID KILL`, as an orchestrator
    does after its grace period."""
    trees = {c.index: tree_pids(c.proc.pid) for c in copies}
    for c in copies:
        if workload == "idle":
            c.proc.stdin.close()
        elif launcher.kill:
            launcher.kill(c.index)
        else:
            c.proc.send_signal(signal.SIGTERM)
    deadline, clean, killed = time.monotonic() + STOP_TIMEOUT_S, 0, 0
    for c in copies:
        try:
            rc = c.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            clean += rc == 0 or (workload == "httpd" and rc in (143, 137, -15))
        except subprocess.TimeoutExpired:
            for p in trees[c.index]:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            c.proc.wait()
            killed += 1
        for f in (c.proc.stdout, c.proc.stderr):
            f.close()
        if not c.proc.stdin.closed:
            try:
                c.proc.stdin.close()
            except OSError:
                pass
        if launcher.cleanup:
            launcher.cleanup(c.index)
    return clean, killed


def measure(workload, launcher, target, parallel):
    checkpoints = sorted({n for n in CHECKPOINTS if n <= target} | {target})
    base = meminfo()
    rows, seg_start = [], [0]
    t_first = [None]

    def on_checkpoint(running):
        n = len(running)
        if t_first[0] is None:
            t_first[0] = running[0].t0
        if n not in checkpoints:
            return
        m = meminfo()
        seg = running[seg_start[0]:]
        starts = sorted(c.start_ms for c in seg)
        span = time.monotonic() - (seg[0].t0 if seg else time.monotonic())
        rows.append({
            "n": n,
            "pss_kib": sum(pss_kib(c.proc.pid) for c in running) / n,
            "kernel_kib": sum(m[k] - base[k] for k in KERNEL_FIELDS if k in m) / n,
            "kernel_by_field": {k: (m[k] - base[k]) / n for k in SHOWN_FIELDS if k in m},
            "used_kib": (base["MemAvailable"] - m["MemAvailable"]) / n,
            "p50_ms": percentile(starts, 50), "p99_ms": percentile(starts, 99),
            "rate_per_s": len(seg) / span if span > 0 else 0.0,
            "segment": [seg_start[0] + 1, n],
        })
        seg_start[0] = n
        progress("%s %s: %d running" % (workload, launcher.name, n))

    fds_before = len(os.listdir("/proc/self/fd"))
    running, limit, seconds = ramp(launcher, target, parallel, on_checkpoint)
    starts = sorted(c.start_ms for c in running)
    answered = ask_each(running) if workload == "idle" else None
    pids = [p for c in running for p in tree_pids(c.proc.pid)]
    clean, killed = stop_all(running, workload, launcher)
    left = [p for p in pids if still_there(p, pids)]
    for _ in range(40):  # a monitor's reaper ends a moment after its monitor
        if not left:
            break
        time.sleep(0.05)
        left = [p for p in left if still_there(p, pids)]
    return {"workload": workload, "launcher": launcher.name, "target": target,
            "reached": len(running), "limit": limit, "ramp_s": seconds,
            "rate_per_s": len(running) / seconds if seconds > 0 else 0.0,
            "p50_ms": percentile(starts, 50), "p99_ms": percentile(starts, 99),
            "answered": answered, "stopped_clean": clean, "killed": killed,
            "left_running": len(left), "fds_leaked": len(os.listdir("/proc/self/fd")) - fds_before,
            "rows": rows}


def still_there(pid, ours):
    """Whether pid still runs (a zombie of ours would be a leak as well; one
    its parent's end handed to init, as a monitor's reaper, is init's to
    reap: not a leak)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    state, ppid = fields[0], int(fields[1])
    if state == "Z" and ppid != os.getpid() and ppid not in ours:
        return False
    return state != "X"


def progress(msg):
    sys.stderr.write("\r\033[K" + msg)
    sys.stderr.flush()


def launchers_for(workload, build, bundles, names, target, mem=None):
    bindir = os.path.join(build, "bin")
    if workload == "idle":
        image, args, ready = os.path.join(build, "tests/programs/idle.hut"), [], b"ready"
        port_args = lambda i: args
        proc_args = lambda i: args
    else:
        image, ready = os.path.join(build, "apps/httpd.hut"), b"serving"
        port_args = lambda i: ["--port", "8080"]
        proc_args = lambda i: ["--port", str(20000 + i)]
    out = []
    if "hut" in names:
        mon = os.path.join(bindir, "hut-monitor")
        opts = ["--mem", mem] if mem else []
        out.append(Launcher("hut", lambda i: [mon] + opts + [image] + port_args(i), ready))
    if "process" in names:
        out.append(Launcher("process", lambda i: [image] + proc_args(i), ready))
    crun = shutil.which("crun")
    if "crun" in names and not crun:
        sys.stderr.write("density: crun n/a: not installed (Debian package crun)\n")
    if "crun" in names and crun:
        bundle = bundles(workload, image, port_args(0))
        tag = "density-%d-%s" % (os.getpid(), workload)
        pre = leave_unified if hybrid_cgroups() else None
        # A bundle per container, its files hard links: crun writes into the
        # bundle's root as it starts (/dev/ptmx), and two starts of one
        # bundle at once collide ("File exists").
        for i in range(target):
            shutil.copytree(bundle, "%s-%d" % (bundle, i), copy_function=os.link, symlinks=True)
        def crun_cmd(*words):
            return lambda i: subprocess.run(
                [crun] + [w if w != "ID" else "%s-%d" % (tag, i) for w in words],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pre)

        out.append(Launcher(
            "crun", lambda i: [crun, "run", "--bundle", "%s-%d" % (bundle, i), "%s-%d" % (tag, i)],
            ready,
            preexec=pre, cleanup=crun_cmd("delete", "-f", "ID"),
            kill=crun_cmd("kill", "ID", "KILL")))
    return out


def report(results, f):
    for r in results:
        lim = r["limit"]
        f.write("\n%s under %s: %d of %d running; %.0f starts/s over the ramp "
                "(%.1f s), start p50 %.2f ms, p99 %.2f ms\n"
                % (r["workload"], r["launcher"], r["reached"], r["target"], r["rate_per_s"],
                   r["ramp_s"], r["p50_ms"], r["p99_ms"]))
        f.write("  limit: %s\n" % ("none (target reached)" if not lim else
                                   "copy %d %s, exit %s: %s" % (lim["copy"], lim["why"],
                                                               lim["status"], lim["message"])))
        if r["answered"] is not None:
            f.write("  answered: %d of %d\n" % (r["answered"], r["reached"]))
        f.write("  stopped: %d cleanly, %d killed after %d s; %d processes left, %d fds leaked\n"
                % (r["stopped_clean"], r["killed"], STOP_TIMEOUT_S, r["left_running"],
                   r["fds_leaked"]))
        f.write("  %6s %10s %10s %10s %9s %9s %9s\n" % ("N", "PSS/copy", "kernel", "used",
                                                          "p50 ms", "p99 ms", "starts/s"))
        for row in r["rows"]:
            f.write("  %6d %7.0f KiB %6.0f KiB %6.0f KiB %9.2f %9.2f %9.0f\n"
                    % (row["n"], row["pss_kib"], row["kernel_kib"], row["used_kib"],
                       row["p50_ms"], row["p99_ms"], row["rate_per_s"]))


COLORS = {"hut": "#d9822b", "process": "#888888", "crun": "#4a7fb0"}


def svg_panel(out, x0, title, results, key, unit, width=420, height=260):
    """One line chart: key against N (log scale), a line per run."""
    import math
    rows = [(r, row) for r in results for row in r["rows"]]
    if not rows:
        return
    nmax = max(row["n"] for _, row in rows)
    ymax = max(max(row[k] for k in key) for _, row in rows) * 1.1 or 1
    top, left, plot_w, plot_h = 60, x0 + 60, width - 80, height - 70

    def px(n):
        return left + plot_w * (math.log10(n) / math.log10(max(nmax, 10)))

    def py(v):
        return top + plot_h * (1 - v / ymax)

    out.append("<text x='%d' y='%d' font-weight='bold'>%s</text>" % (x0 + 10, 44, title))
    out.append("<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#ccc'/>"
               % (left, top, plot_w, plot_h))
    for d in range(0, int(math.log10(max(nmax, 10))) + 1):
        out.append("<text x='%.1f' y='%d' text-anchor='middle' fill='#666'>%d</text>"
                   % (px(10 ** d), top + plot_h + 16, 10 ** d))
    for t in range(5):
        v = ymax * t / 4
        out.append("<text x='%d' y='%.1f' text-anchor='end' fill='#666'>%.0f</text>"
                   % (left - 4, py(v) + 4, v))
    out.append("<text x='%d' y='%d' fill='#666'>N running (log)  /  %s</text>"
               % (left, top + plot_h + 34, unit))
    for r in results:
        for k, dash in zip(key, ["", "4 3"]):
            pts = " ".join("%.1f,%.1f" % (px(row["n"]), py(row[k])) for row in r["rows"])
            color = COLORS.get(r["launcher"], "#000")
            out.append("<polyline points='%s' fill='none' stroke='%s' stroke-width='2' "
                       "stroke-dasharray='%s'/>" % (pts, color, dash))


def write_svg(results, path):
    out = ["<svg xmlns='http://www.w3.org/2000/svg' width='900' height='%d' "
           "font-family='sans-serif' font-size='12'>" % (300 * 2 + 40),
           "<rect width='100%' height='100%' fill='white'/>"]
    y = 0
    for workload in sorted({r["workload"] for r in results}):
        rs = [r for r in results if r["workload"] == workload]
        out.append("<g transform='translate(0,%d)'>" % y)
        out.append("<text x='10' y='22' font-size='15' font-weight='bold'>hut density: %s"
                   "</text>" % workload)
        for k, r in enumerate(rs):  # the legend: one coloured line per launcher
            x = 300 + 110 * k
            out.append("<line x1='%d' y1='17' x2='%d' y2='17' stroke='%s' stroke-width='3'/>"
                       "<text x='%d' y='22'>%s</text>"
                       % (x, x + 24, COLORS.get(r["launcher"], "#000"), x + 30, r["launcher"]))
        svg_panel(out, 0, "host memory per copy: PSS + kernel", [
            dict(r, rows=[dict(row, total=row["pss_kib"] + row["kernel_kib"])
                          for row in r["rows"]]) for r in rs], ["total", "pss_kib"],
                  "KiB (solid PSS+kernel, dashed PSS)")
        svg_panel(out, 450, "start time", rs, ["p50_ms", "p99_ms"],
                  "ms (solid p50, dashed p99)")
        out.append("</g>")
        y += 300
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max", type=int, default=1000)
    ap.add_argument("--crun-max", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--workloads", default="idle,httpd")
    ap.add_argument("--launchers", default="hut,process,crun")
    ap.add_argument("--mem", help="hut-monitor --mem SIZE (default: the image's manifest)")
    ap.add_argument("--json")
    ap.add_argument("--svg")
    ap.add_argument("build")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hut-density-")
    hut = os.path.join(a.build, "bin", "hut")

    def bundles(workload, image, args):
        d = os.path.join(tmp, workload)
        subprocess.run([hut, "pack", "--bundle", d, image] + args, check=True,
                       stdout=subprocess.DEVNULL)
        return d

    nofile = os.sysconf("SC_OPEN_MAX")
    sys.stderr.write("density: up to %d copies (crun %d), %d in flight, ulimit -n %d\n"
                     % (a.max, a.crun_max, a.parallel, nofile))
    results = []
    try:
        for workload in a.workloads.split(","):
            for l in launchers_for(workload, a.build, bundles, a.launchers.split(","),
                                   min(a.max, a.crun_max), a.mem):
                target = min(a.max, a.crun_max) if l.name == "crun" else a.max
                results.append(measure(workload, l, target, a.parallel))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress("")
    report(results, sys.stdout)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if a.svg:
        write_svg(results, a.svg)
    bad = [r for r in results if r["killed"] or r["left_running"] or r["fds_leaked"] or
           (r["answered"] is not None and r["answered"] != r["reached"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
