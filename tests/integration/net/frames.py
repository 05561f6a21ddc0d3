#!/usr/bin/env python3
"""Raw Ethernet frames on a tap from the host side, for netring.sh.

  frames.py reflect IFACE N     send N frames of ethertype 0x88b5 (local
                                experimental) with numbered payloads to the
                                broadcast address, and check each comes back
                                with the addresses swapped and the same bytes
  frames.py early IFACE N       once IFACE has a carrier (the monitor
                                attached to the tap), send N such frames at
                                once, then check all come back, in order
  frames.py flood IFACE N       send N frames, as fast as possible
  frames.py count IFACE N SEC [READY_FILE]
                                count frames of ethertype 0x88b5 arriving
                                from the guest within SEC seconds; exit 0 if N
Prints one line; exit status 0 when the check holds.
"""
import socket
import sys
import time

ETHERTYPE = 0x88B5


def open_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    # A slow reader (the nested guest) must not lose frames to a full buffer.
    s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
    s.bind((iface, 0))
    return s


def frame(src, n, size=200):
    payload = n.to_bytes(4, "big") + bytes((n + i) & 0xFF for i in range(size - 18))
    return b"\xff" * 6 + src + ETHERTYPE.to_bytes(2, "big") + payload


def reflect(iface, count):
    s = open_socket(iface)
    src = s.getsockname()[4][:6]
    s.settimeout(20)
    got = 0
    for n in range(count):
        sent = frame(src, n, 60 + n % 1400)
        s.send(sent)
        while True:
            data = s.recv(4096)
            if data[6:12] == src:
                continue  # our own frame, seen outgoing
            break
        if data[:6] != src or data[6:12] != b"\xff" * 6 or data[12:] != sent[12:]:
            print("frame %d came back wrong: %s" % (n, data[:32].hex()))
            return 1
        got += 1
    print("reflected %d" % got)
    return 0


def reflected(s, src, sent):
    """The next frame from the guest: sent's bytes with the addresses swapped?"""
    while True:
        data = s.recv(4096)
        if data[6:12] != src:
            break  # not our own frame, seen outgoing
    return data[:6] == src and data[6:12] == b"\xff" * 6 and data[12:] == sent[12:]


def early(iface, count):
    carrier = "/sys/class/net/%s/carrier" % iface
    end = time.time() + 20
    while time.time() < end:
        try:
            with open(carrier) as f:
                if f.read().strip() == "1":
                    break
        except OSError:
            pass  # no carrier: reading says EINVAL
        time.sleep(0.005)
    else:
        print("no carrier on %s within 20 s" % iface)
        return 1
    s = open_socket(iface)
    src = s.getsockname()[4][:6]
    s.settimeout(20)
    frames = [frame(src, n, 60 + n * 37 % 1400) for n in range(count)]
    for f in frames:
        s.send(f)
    for n, f in enumerate(frames):
        if not reflected(s, src, f):
            print("frame %d did not come back as sent" % n)
            return 1
    print("reflected %d" % count)
    return 0


def flood(iface, count):
    s = open_socket(iface)
    src = s.getsockname()[4][:6]
    sent = 0
    for n in range(count):
        try:
            s.send(frame(src, n))
            sent += 1
        except OSError:
            pass  # the tap's queue is full: that is the point
    print("flooded %d" % sent)
    return 0


def count(iface, want, seconds, ready=None):
    s = open_socket(iface)
    if ready:
        open(ready, "w").close()
    src = s.getsockname()[4][:6]
    s.settimeout(0.5)
    seen = set()
    end = time.time() + seconds
    while time.time() < end and len(seen) < want:
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        if data[6:12] != src:
            seen.add(data[14:22])
    print("counted %d" % len(seen))
    return 0 if len(seen) == want else 1


def main():
    cmd, iface = sys.argv[1], sys.argv[2]
    if cmd == "reflect":
        return reflect(iface, int(sys.argv[3]))
    if cmd == "early":
        return early(iface, int(sys.argv[3]))
    if cmd == "flood":
        return flood(iface, int(sys.argv[3]))
    if cmd == "count":
        return count(iface, int(sys.argv[3]), float(sys.argv[4]),
                     sys.argv[5] if len(sys.argv) > 5 else None)
    return 2


sys.exit(main())
