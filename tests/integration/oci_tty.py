#!/usr/bin/env python3
"""oci_tty.py: drive a command on a terminal, as a user at a keyboard would.

    oci_tty.py SECONDS [TEXT ACTION]... -- COMMAND...

COMMAND (podman run -it, ctr run -t, hut-monitor or a program) runs with a
new pty (24x80) as its controlling terminal and stdin/stdout/stderr. Each
TEXT ACTION pair, in turn: once the output shows TEXT, do ACTION:
    type:LINE     type LINE and Enter
    ctrl-c        type Ctrl-C (the byte 0x03: the terminal driver in front
                  of the program turns it into SIGINT)
    resize:RxC    resize the terminal to R rows and C columns (the kernel
                  sends SIGWINCH to the terminal's foreground process group)
Then waits for COMMAND to end. Prints everything COMMAND wrote to the
terminal (carriage returns dropped) and exits with COMMAND's status; 124
(and a line on stderr saying what it waited for) when a step takes more
than SECONDS.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def usage():
    sys.stderr.write("usage: oci_tty.py SECONDS [TEXT ACTION]... -- COMMAND...\n")
    sys.exit(2)


def winsize(rows, cols):
    return struct.pack("HHHH", rows, cols, 0, 0)


class Terminal:
    def __init__(self, argv):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, winsize(24, 80))

        def controlling_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     preexec_fn=controlling_tty, close_fds=True)
        os.close(slave)
        self.seen = b""

    def read_some(self, seconds):
        """More output, or b'' at its end (the last holder closed the pty)."""
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return None
        try:
            return os.read(self.master, 4096)
        except OSError:  # EIO: no process holds the slave any more
            return b""

    def wait_for(self, text, deadline):
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            data = self.read_some(left)
            if data == b"":
                return False
            if data:
                self.seen += data
        return True

    def act(self, action):
        """One ACTION of the command line; False if it is not one."""
        if action.startswith("type:"):
            os.write(self.master, action[5:].encode() + b"\r")
        elif action == "ctrl-c":
            os.write(self.master, b"\x03")
        elif action.startswith("resize:"):
            rows, cols = (int(n) for n in action[7:].split("x"))
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, winsize(rows, cols))
        else:
            return False
        return True

    def wait_exit(self, deadline):
        """The command's status, reading its output meanwhile; None if it
        is still running at the deadline."""
        while time.monotonic() < deadline:
            ended = self.proc.poll() is not None
            data = self.read_some(0 if ended else 0.2)
            if data:
                self.seen += data
            elif ended:
                return self.proc.returncode
        return None


def main():
    if "--" not in sys.argv[2:]:
        usage()
    cut = sys.argv.index("--", 2)
    seconds, pairs, argv = float(sys.argv[1]), sys.argv[2:cut], sys.argv[cut + 1:]
    if len(pairs) % 2 or not argv:
        usage()
    steps = list(zip(pairs[0::2], pairs[1::2]))
    t = Terminal(argv)
    status = 124
    for want, action in steps:
        if not t.wait_for(want.encode(), time.monotonic() + seconds):
            sys.stderr.write("oci_tty: no %r from %s within %gs\n" % (want, argv[0], seconds))
            break
        if not t.act(action):
            sys.stderr.write("oci_tty: no such action: %s\n" % action)
            break
    else:
        code = t.wait_exit(time.monotonic() + seconds)
        if code is None:
            sys.stderr.write("oci_tty: %s did not end within %gs of the last step\n" %
                             (argv[0], seconds))
        else:
            status = code if code >= 0 else 128 - code
    if t.proc.poll() is None:
        t.proc.send_signal(signal.SIGKILL)
        t.proc.wait()
    sys.stdout.write(t.seen.decode(errors="replace").replace("\r", ""))
    sys.exit(status)


if __name__ == "__main__":
    main()
