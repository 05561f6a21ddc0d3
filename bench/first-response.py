#!/usr/bin/env python3
"""Boot-to-first-HTTP-response: starts a server command and measures the time
from just before it starts to the first 200 answer to GET PATH at HOST:PORT.

  first-response.py [--pidfile FILE] [--timeout SEC] HOST PORT PATH -- CMD [ARG...]

Prints `first-response-ms: N` (three decimals) and exits 0, leaving CMD
running (its pid in FILE, for the caller to end); exits 1 if no answer came
within SEC seconds (default 30), after ending CMD.

A fresh connection is tried every millisecond or so, each with a timeout of
5 ms until something refuses one (a stack is up, nothing listens yet), 1 s
after: a SYN lost while the server was not up yet is not retransmitted by
the kernel a second later, it is replaced by the next try.
For an appliance, give the host side a static neighbour entry for the guest
(`ip neigh replace ... lladdr MAC`), or the first SYN waits for ARP.
"""
import socket
import subprocess
import sys
import time


def try_get(host, port, path, timeout):
    """"ok" when GET path answers 200 on a fresh connection, else why not:
    "refused" (a stack answered: nothing listens yet), "timeout", "other"."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(5)
            s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                       % (path, host)).encode())
            head = b""
            while b"\r\n" not in head:
                data = s.recv(4096)
                if not data:
                    return "other"
                head += data
            return "ok" if head.split(b" ", 2)[1] == b"200" else "other"
    except ConnectionRefusedError:
        return "refused"
    except socket.timeout:
        return "timeout"
    except OSError:
        return "other"


def main(argv):
    pidfile, limit = None, 30.0
    while argv and argv[0].startswith("--") and argv[0] != "--":
        if argv[0] == "--pidfile":
            pidfile = argv[1]
        elif argv[0] == "--timeout":
            limit = float(argv[1])
        else:
            break
        argv = argv[2:]
    if len(argv) < 5 or argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    host, port, path, cmd = argv[0], int(argv[1]), argv[2], argv[4:]
    t0 = time.monotonic()
    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    if pidfile:
        with open(pidfile, "w") as f:
            f.write("%d\n" % child.pid)
    # Until a stack answers (a refusal) a SYN is likely lost: retry after 5
    # ms. After that an unanswered SYN means a slow server (the nested
    # guest): wait for it rather than lose its answer to our impatience.
    timeout, tries = 0.005, {"refused": 0, "timeout": 0, "other": 0}
    while time.monotonic() - t0 < limit and child.poll() is None:
        result = try_get(host, port, path, timeout)
        if result == "ok":
            print("first-response-ms: %.3f" % ((time.monotonic() - t0) * 1000), flush=True)
            print("tries before it: %d refused, %d timed out, %d other" % (
                tries["refused"], tries["timeout"], tries["other"]), flush=True)
            return 0
        tries[result] += 1
        if result == "refused":
            timeout = 1.0
        time.sleep(0.001)
    why = "it ended with status %d" % child.returncode if child.poll() is not None else \
        "none within %g s" % limit
    print("first-response: no 200 answer from %s:%d%s (%s)" % (host, port, path, why))
    child.kill()
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
