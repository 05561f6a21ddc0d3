#!/usr/bin/env python3
"""Boot-to-first-HTTP-response: starts a server command and measures the time
from just before it starts to the first 200 answer to GET PATH at HOST:PORT.

  first-response.py [--pidfile FILE] [--timeout SEC] [--trace]
                    HOST PORT PATH -- CMD [ARG...]

Prints `first-response-ms: N` (three decimals) and exits 0, leaving CMD
running (its pid in FILE, for the caller to end); exits 1 if no answer came
within SEC seconds (default 30), after ending CMD. --trace prints to stderr
when each connection attempt started and how it ended, in ms from the start.

A new non-blocking connection attempt starts every INTERVAL (0.5 ms; 5 ms
after the first 0.2 s) until one is accepted, and none is abandoned while it
waits for an answer (up to MAX_PENDING of them): a SYN
that was lost (the server not up yet: the kernel would resend it only a
second later) is overtaken by the next attempt within INTERVAL, and a slow
server (the nested guest) still gets to answer the first SYN it sees. So the
tool's own delay is at most INTERVAL whether the server's side refuses
early SYNs (a process: a kernel stack answers RST) or drops them (a device
not attached yet). The first attempt the server accepts sends the GET.
For an appliance, give the host side a static neighbour entry for the guest
(`ip neigh replace ... lladdr MAC`), or the first SYN waits for ARP.
"""
import errno
import select
import socket
import subprocess
import sys
import time

INTERVAL = 0.0005
# Attempts kept open at once (each an fd, below select's 1024): 0.2 s of
# them at the start, then the oldest is closed for each new one. An
# unanswered SYN past that is a server not up yet, and a later attempt
# replaces it.
MAX_PENDING = 400


class Attempts:
    """The connection attempts in flight, and what became of the others."""

    def __init__(self, host, port, t0, trace):
        self.addr, self.t0, self.trace = (host, port), t0, trace
        self.pending = {}  # fd -> (socket, start time)
        self.counts = {"refused": 0, "dropped": 0, "other": 0}

    def ms(self, t=None):
        return ((time.monotonic() if t is None else t) - self.t0) * 1000

    def log(self, what):
        if self.trace:
            print("%9.3f ms %s" % (self.ms(), what), file=sys.stderr, flush=True)

    def start(self):
        if len(self.pending) >= MAX_PENDING:
            self.close(min(self.pending, key=lambda fd: self.pending[fd][1]), "dropped")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        e = s.connect_ex(self.addr)
        if e not in (0, errno.EINPROGRESS):
            self.log("attempt %d: %s at once" % (s.fileno(), errno.errorcode.get(e, e)))
            self.counts["refused" if e == errno.ECONNREFUSED else "other"] += 1
            s.close()
            return
        self.pending[s.fileno()] = (s, time.monotonic())
        self.log("attempt %d started" % s.fileno())

    def close(self, fd, why):
        s, _ = self.pending.pop(fd)
        self.counts[why] += 1
        self.log("attempt %d: %s" % (fd, why))
        s.close()

    def wait(self, seconds):
        """An attempt the server accepted (its socket), or None after seconds.
        select, not poll: its timeout has microseconds, poll's milliseconds
        (rounded up, which would make INTERVAL 1 ms)."""
        _, ready, _ = select.select([], list(self.pending), [], max(0, seconds))
        for fd in ready:
            s, _ = self.pending[fd]
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e == 0:
                del self.pending[fd]
                self.log("attempt %d: connected" % fd)
                return s
            self.close(fd, "refused" if e == errno.ECONNREFUSED else "other")
        return None

    def close_all(self):
        for s, _ in self.pending.values():
            s.close()
        self.pending.clear()


def get(s, host, path):
    """Whether GET path answers 200 on the connected socket s."""
    try:
        s.setblocking(True)
        s.settimeout(5)
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                   % (path, host)).encode())
        head = b""
        while b"\r\n" not in head:
            data = s.recv(4096)
            if not data:
                return False
            head += data
        return head.split(b" ", 2)[1] == b"200"
    except OSError:
        return False
    finally:
        s.close()


def parse(argv):
    opts = {"pidfile": None, "limit": 30.0, "trace": False}
    while argv and argv[0].startswith("--") and argv[0] != "--":
        if argv[0] == "--trace":
            opts["trace"], argv = True, argv[1:]
        elif argv[0] in ("--pidfile", "--timeout") and len(argv) > 1:
            key = "pidfile" if argv[0] == "--pidfile" else "limit"
            opts[key] = argv[1] if key == "pidfile" else float(argv[1])
            argv = argv[2:]
        else:
            break
    if len(argv) < 5 or argv[3] != "--":
        return None
    opts.update(host=argv[0], port=int(argv[1]), path=argv[2], cmd=argv[4:])
    return opts


def main(argv):
    o = parse(argv)
    if o is None:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.monotonic()
    child = subprocess.Popen(o["cmd"], stdin=subprocess.DEVNULL)
    tries = Attempts(o["host"], o["port"], t0, o["trace"])
    tries.log("launcher started (pid %d; started at %.6f monotonic, %.6f real)" % (
        child.pid, t0, time.time() - (time.monotonic() - t0)))
    if o["pidfile"]:
        with open(o["pidfile"], "w") as f:
            f.write("%d\n" % child.pid)
    next_start = time.monotonic()
    while time.monotonic() - t0 < o["limit"] and child.poll() is None:
        now = time.monotonic()
        if now >= next_start:
            tries.start()
            # after 0.2 s (a slow server: the nested guest) ten times fewer
            next_start = now + (INTERVAL if now - t0 < 0.2 else 10 * INTERVAL)
        s = tries.wait(next_start - time.monotonic())
        if s is None:
            continue
        ok = get(s, o["host"], o["path"])
        ms = tries.ms()
        tries.log("GET: %s" % ("200" if ok else "no 200"))
        if ok:
            c, unanswered = tries.counts, len(tries.pending)
            tries.close_all()
            print("first-response-ms: %.3f" % ms, flush=True)
            print("tries before it: %d refused, %d unanswered, %d other" % (
                c["refused"], c["dropped"] + unanswered, c["other"]), flush=True)
            return 0
        tries.counts["other"] += 1
    tries.close_all()
    why = "it ended with status %d" % child.returncode if child.poll() is not None else \
        "none within %g s" % o["limit"]
    print("first-response: no 200 answer from %s:%d%s (%s)" % (o["host"], o["port"], o["path"],
                                                                why))
    child.kill()
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
