#!/usr/bin/env python3
"""The client side of the network app tests (net-httpd.sh, net-kv.sh): each
check talks to a server at HOST:PORT, prints one line and exits 0 when the
check holds, 1 with the reason when it does not.

  client.py wait HOST PORT SEC           until a TCP connect succeeds
  client.py files HOST PORT DIR          GET and HEAD of every file under DIR:
                                         the same bytes, length and no HEAD body
  client.py status HOST PORT PATH WANT   one GET answered with status WANT
  client.py keepalive HOST PORT PATH FILE N
                                         N GETs on one connection, each FILE's bytes
  client.py concurrent HOST PORT PATH FILE N
                                         N connections open at once, each a GET
  client.py hostile HOST PORT            garbage, oversized heads, clients gone
                                         mid-request or mid-response; each answered
                                         400/431 or dropped, never a dead server
  client.py kv HOST PORT N               set N keys (pipelined), get them back,
                                         delete some, check the protocol's replies
  client.py kvhostile HOST PORT           garbage, overlong lines, huge or short
                                         values, resets: still answering after each
  client.py kvload HOST PORT N           set key0..key<N-1> to known values
  client.py kvcheck HOST PORT N          get them all back (after a restart), and
                                         not the key `kv` deleted
  client.py udp HOST PORT N              N datagrams of several sizes echoed
"""
import os
import random
import socket
import struct
import sys
import time
import urllib.parse

TIMEOUT = float(os.environ.get("CLIENT_TIMEOUT", "20"))


class Fail(Exception):
    pass


def connect(host, port):
    s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Buffered reads of HTTP responses or memcached replies from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Fail("the server closed the connection")
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


def read_response(reader, head_only=False):
    """(status, headers, body) of one HTTP/1.1 response with Content-Length."""
    status_line = reader.line().decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise Fail("not an HTTP status line: %r" % status_line)
    headers = {}
    while True:
        line = reader.line().decode("latin-1")
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise Fail("no Content-Length in %r" % status_line)
    length = int(headers["content-length"])
    body = b"" if head_only else reader.exactly(length)
    return int(parts[1]), headers, body


def request(path, method="GET", extra=""):
    return ("%s %s HTTP/1.1\r\nHost: test\r\n%s\r\n" % (method, path, extra)).encode()


def get(host, port, path, method="GET"):
    with connect(host, port) as s:
        s.sendall(request(path, method, "Connection: close\r\n"))
        return read_response(Reader(s), method == "HEAD")


def url_of(rel):
    return "/" + urllib.parse.quote(rel)


def cmd_wait(host, port, sec):
    end = time.time() + float(sec)
    while time.time() < end:
        try:
            connect(host, port).close()
            return "up"
        except OSError:
            time.sleep(0.1)
    raise Fail("nothing accepted a connection within %s s" % sec)


def cmd_files(host, port, root):
    count = 0
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            want = open(full, "rb").read()
            status, headers, body = get(host, port, url_of(rel))
            if status != 200 or body != want:
                raise Fail("GET %s: status %d, %d bytes, want 200 and %d bytes (%s)" % (
                    rel, status, len(body), len(want), "same" if body == want else "differ"))
            status, headers, _ = get(host, port, url_of(rel), "HEAD")
            if status != 200 or int(headers["content-length"]) != len(want):
                raise Fail("HEAD %s: status %d, length %s" % (rel, status, headers["content-length"]))
            count += 1
    if count == 0:
        raise Fail("no files under %s" % root)
    return "%d files, GET and HEAD" % count


def cmd_status(host, port, path, want):
    status, _, _ = get(host, port, path)
    if status != int(want):
        raise Fail("GET %s: status %d, want %s" % (path, status, want))
    return "GET %s: %d" % (path, status)


def cmd_keepalive(host, port, path, file, n):
    want = open(file, "rb").read()
    with connect(host, port) as s:
        reader = Reader(s)
        for i in range(int(n)):
            s.sendall(request(path))
            status, headers, body = read_response(reader)
            if status != 200 or body != want or headers.get("connection") != "keep-alive":
                raise Fail("request %d on the connection: status %d, %d bytes, Connection %s" % (
                    i + 1, status, len(body), headers.get("connection")))
        # and pipelined: three at once, answered in order
        s.sendall(request(path) * 3)
        for i in range(3):
            status, _, body = read_response(reader)
            if status != 200 or body != want:
                raise Fail("pipelined request %d: status %d" % (i + 1, status))
    return "%s requests and 3 pipelined on one connection" % n


def cmd_concurrent(host, port, path, file, n):
    want = open(file, "rb").read()
    socks = [connect(host, port) for _ in range(int(n))]
    for s in socks:
        s.sendall(request(path, extra="Connection: close\r\n"))
    for i, s in enumerate(socks):
        status, _, body = read_response(Reader(s))
        if status != 200 or body != want:
            raise Fail("connection %d of %s: status %d, %d bytes" % (i + 1, n, status, len(body)))
        s.close()
    return "%s connections at once" % n


def expect_error_or_close(host, port, data, wants, what):
    """Sends data and no more; the answer must be one of the statuses in
    wants, or a close (a request left incomplete ends at our EOF)."""
    with connect(host, port) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            status, _, _ = read_response(Reader(s))
        except (Fail, ConnectionResetError):
            return
        if status not in wants:
            raise Fail("%s: answered %d" % (what, status))


def cmd_hostile(host, port):
    cases = [
        (b"garbage\r\n\r\n", (400,), "a line that is no request"),
        (b"\x00\x01\x02\xff\r\n\r\n", (400,), "binary bytes"),
        (b"GET /../../etc/passwd HTTP/1.1\r\n\r\n", (400, 404), "a path above the root"),
        (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n", (400, 404), "an encoded .. path"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", (400,), "a header without a colon"),
        (b"GET / HTTP/9.9\r\n\r\n", (400, 505), "an unknown version"),
        (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n", (400, 414, 431), "a 20 kB head"),
        (b"X-" * 5000, (400, 431), "10 kB with no line end"),
        (b"BREW / HTTP/1.1\r\n\r\n", (405,), "an unknown method"),
    ]
    for data, wants, what in cases:
        expect_error_or_close(host, port, data, wants, what)
    rng = random.Random(11)  # the same mutated requests every run
    for i in range(40):  # a valid request with a few bytes changed
        data = bytearray(request("/index.html"))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        expect_error_or_close(host, port, bytes(data), (200, 301, 400, 404, 405), "mutation %d" % i)
    for cut in (1, 10, 17):  # clients gone mid-request
        with connect(host, port) as s:
            s.sendall(request("/")[:cut])
    with connect(host, port) as s:  # reset mid-request
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.sendall(b"GET / HT")
    return "9 hostile requests, 40 mutated ones, 4 clients gone mid-request"


def kv_expect(reader, want, what):
    got = reader.line()
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def kv_value(i):
    return (b"value-%d-" % i) * (1 + i % 7)


def kv_set_all(s, reader, n, prefix=b"key"):
    batch = 500
    for start in range(0, n, batch):
        out = b""
        for i in range(start, min(n, start + batch)):
            v = kv_value(i)
            out += b"set %s%d %d 0 %d\r\n%s\r\n" % (prefix, i, i % 65536, len(v), v)
        s.sendall(out)
        for i in range(start, min(n, start + batch)):
            kv_expect(reader, b"STORED", "set %d" % i)


def kv_get_all(s, reader, n, prefix=b"key"):
    batch = 500
    for start in range(0, n, batch):
        keys = [b"%s%d" % (prefix, i) for i in range(start, min(n, start + batch))]
        s.sendall(b"get " + b" ".join(keys[:100]) + b"\r\n" +
                  b"".join(b"get %s\r\n" % k for k in keys[100:]))
        for j, k in enumerate(keys):
            i = start + j
            v = kv_value(i)
            kv_expect(reader, b"VALUE %s %d %d" % (k, i % 65536, len(v)), "get %s" % k.decode())
            if reader.exactly(len(v) + 2) != v + b"\r\n":
                raise Fail("get %s: wrong data" % k.decode())
            if j >= 99 or j == len(keys) - 1:
                kv_expect(reader, b"END", "end of get %s" % k.decode())


def cmd_kv(host, port, n):
    n = int(n)
    with connect(host, port) as s:
        reader = Reader(s)
        kv_set_all(s, reader, n)
        kv_get_all(s, reader, n)
        s.sendall(b"get nokey\r\nset victim 0 0 1\r\nv\r\ndelete victim\r\ndelete victim\r\n"
                  b"get victim\r\nset empty 5 0 0\r\n\r\nget empty\r\nbogus\r\n"
                  b"set bad 0 0 3\r\nabcdef\r\n")
        for want in (b"END", b"STORED", b"DELETED", b"NOT_FOUND", b"END", b"STORED",
                     b"VALUE empty 5 0", b"", b"END", b"ERROR", b"CLIENT_ERROR bad data chunk"):
            kv_expect(reader, want, "protocol checks")
    with connect(host, port) as s:  # expiry: -1 is gone at once
        reader = Reader(s)
        s.sendall(b"set gone 0 -1 1\r\nx\r\nget gone\r\nquit\r\n")
        kv_expect(reader, b"STORED", "set with exptime -1")
        kv_expect(reader, b"END", "get of an expired key")
    return "%d keys set and read back; protocol replies right" % n


def kv_after(host, port, data, what):
    """Sends data on a fresh connection; the server may answer anything or
    close; then a new connection must still get answers."""
    with connect(host, port) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        except OSError:
            pass
    with connect(host, port) as s:
        reader = Reader(s)
        s.sendall(b"set alive 0 0 2\r\nok\r\nget alive\r\n")
        for want in (b"STORED", b"VALUE alive 0 2", b"ok", b"END"):
            kv_expect(reader, want, "after %s" % what)


def cmd_kvhostile(host, port):
    cases = [
        (b"\x00\xff garbage\r\n" * 100, "binary garbage"),
        (b"get " + b"k" * 5000 + b"\r\n", "a 5 kB line"),
        (b"x" * 100000, "100 kB with no line end"),
        (b"set big 0 0 99999999999\r\n", "a value of 99 GB announced"),
        (b"set half 0 0 1000\r\nabc", "a value cut short"),
        (b"set k 0 0 -5\r\n", "a negative length"),
        (b"get\r\ndelete\r\nset\r\n\r\n", "commands without arguments"),
    ]
    for data, what in cases:
        kv_after(host, port, data, what)
    with connect(host, port) as s:  # reset mid-value
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.sendall(b"set r 0 0 100\r\nabc")
    kv_after(host, port, b"", "a client reset mid-value")
    return "%d hostile clients, still answering" % (len(cases) + 1)


def cmd_kvload(host, port, n):
    with connect(host, port) as s:
        kv_set_all(s, Reader(s), int(n))
    return "%s keys stored" % n


def cmd_kvcheck(host, port, n):
    with connect(host, port) as s:
        reader = Reader(s)
        kv_get_all(s, reader, int(n))
        s.sendall(b"get victim\r\n")
        kv_expect(reader, b"END", "a deleted key after the restart")
    return "%s keys read back, the deleted one still gone" % n


def cmd_udp(host, port, n):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT / 4)
        sizes = [1, 17, 512, 1400, 1472, 4000, 9000]
        for i in range(int(n)):
            data = bytes((i + k) & 0xFF for k in range(sizes[i % len(sizes)]))
            for attempt in range(3):  # UDP may lose a datagram; the echo must not differ
                s.sendto(data, (host, int(port)))
                try:
                    got, _ = s.recvfrom(65536)
                    break
                except socket.timeout:
                    got = None
            if got != data:
                raise Fail("datagram %d (%d bytes): %s" % (
                    i, len(data), "no echo" if got is None else "%d bytes back" % len(got)))
    return "%s datagrams echoed" % n


def main():
    commands = {name[4:]: fn for name, fn in globals().items() if name.startswith("cmd_")}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(commands[sys.argv[1]](*sys.argv[2:]))
        return 0
    except (Fail, OSError, ValueError) as e:
        print("%s: %s" % (sys.argv[1], e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
