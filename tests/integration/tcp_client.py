#!/usr/bin/python3
"""Small TCP clients for the test_tcp_*.sh integration tests.

Every subcommand prints one line of "key=value" results on stdout (the
shell test parses them) and exits 0 when the exchange itself worked, 1
otherwise (with the reason on stderr). Every socket operation is bounded
by a timeout, so a stalled tern never hangs a test.

  pattern-sha N                      sha256 of N bytes of the /bytes/N pattern
  http-get HOST PORT PATH [--sink]   one GET, Connection: close; checks the
                                     body against the pattern for /bytes/N
  raw HOST PORT HEX                  sends the bytes, shuts down the write side,
                                     prints everything received (hex) until EOF
  pipeline HOST PORT                 two GETs in one write, parses both answers
  close-first HOST PORT              echo round trip, then close before the server
  hold HOST PORT GOFILE              echo round trip, waits until GOFILE exists,
                                     then send + recv: prints what happened
  zero-window HOST PORT N SLEEP      GET /bytes/N with a small SO_RCVBUF, reads a
                                     little, stops reading for SLEEP s, reads the rest
  half-close HOST PORT FILE          sends FILE with a 4 KiB SO_RCVBUF, not reading,
                                     shuts down the write side, waits until the FIN
                                     is acknowledged, then reads the echo until EOF;
                                     reports how much of it came after the FIN
  many HOST PORT N GOFILE            opens N connections at once, reports how many
                                     were established, holds them until GOFILE
                                     exists, then closes them all
  abort HOST HTTP_PORT ECHO_PORT N   N times: a large GET read in part, and an echo
                                     fed without reading, each ended by RST
                                     (SO_LINGER 0) while tern still has data queued
"""
import errno
import fcntl
import hashlib
import resource
import struct
import os
import select
import socket
import sys
import termios
import time

PATTERN = bytes(i % 251 for i in range(251))
IO_TIMEOUT = 30.0


def pattern_bytes(off, n):
    """n bytes of the i mod 251 pattern starting at offset off."""
    start = off % 251
    reps = (start + n) // 251 + 1
    return (PATTERN * reps)[start:start + n]


def pattern_sha(n):
    h = hashlib.sha256()
    block = PATTERN * 4096  # 1028096 bytes, a multiple of 251
    left = n
    while left > 0:
        k = min(left, len(block))
        h.update(block[:k])
        left -= k
    return h.hexdigest()


def connect(host, port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(IO_TIMEOUT)
    s.connect((host, port))
    return s


def recv_until_eof(s, limit=1 << 30):
    out = bytearray()
    while len(out) < limit:
        b = s.recv(65536)
        if not b:
            break
        out += b
    return bytes(out)


def parse_response(buf):
    """(status, headers dict, header length) of the first response head in buf, or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, end + 4


def out(**kv):
    print(" ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


def cmd_http_get(host, port, path):
    s = connect(host, int(port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    buf = recv_until_eof(s)
    s.close()
    r = parse_response(buf)
    if r is None:
        out(status=0, got=len(buf))
        return 1
    status, headers, hl = r
    body = buf[hl:]
    ok = True
    if path.startswith("/bytes/"):
        n = int(path[7:])
        ok = body == pattern_bytes(0, n)
    out(status=status, length=headers.get("content-length", "-"), body=len(body),
        body_ok=int(ok))
    return 0


def cmd_raw(host, port, hexdata):
    s = connect(host, int(port))
    s.sendall(bytes.fromhex(hexdata))
    s.shutdown(socket.SHUT_WR)
    try:
        buf = recv_until_eof(s)
        err = "none"
    except OSError as e:
        buf = b""
        err = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__
    s.close()
    end = buf.find(b"\r\n\r\n")
    out(got=len(buf), head=end + 4 if end >= 0 else -1, err=err, hex=buf.hex() or "-")
    return 0


def cmd_pipeline(host, port):
    s = connect(host, int(port))
    req = (b"GET /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n"
           b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
           b"GET /bytes/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    s.sendall(req)  # one write: one segment
    buf = recv_until_eof(s)
    s.close()
    answers = []
    while buf:
        r = parse_response(buf)
        if r is None:
            answers.append(f"junk{len(buf)}")
            break
        status, headers, hl = r
        n = int(headers.get("content-length", "0"))
        body = buf[hl:hl + n]
        ok = len(body) == n
        if status == 200:
            ok = ok and body == pattern_bytes(0, n)
        answers.append(f"{status}:{n}:{int(ok)}")
        buf = buf[hl + n:]
    out(answers=",".join(answers) or "-")
    return 0


def tcp_state_of(s):
    # struct tcp_info starts with tcpi_state (u8); Linux TCP_ESTABLISHED = 1 ...
    info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return info[0]


def cmd_close_first(host, port):
    s = connect(host, int(port))
    lport = s.getsockname()[1]
    s.sendall(b"hello, tern\n")
    got = b""
    while len(got) < 12:
        b = s.recv(100)
        if not b:
            break
        got += b
    s.close()  # we close first: Linux goes FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT
    out(lport=lport, echo_ok=int(got == b"hello, tern\n"))
    return 0 if got == b"hello, tern\n" else 1


def errname(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__


def cmd_hold(host, port, gofile):
    s = connect(host, int(port))
    s.sendall(b"ping\n")
    got = s.recv(100)
    out(phase="held", lport=s.getsockname()[1], echo_ok=int(got == b"ping\n"))
    deadline = time.time() + 60
    while not os.path.exists(gofile):
        if time.time() > deadline:
            out(result="no-go")
            return 1
        time.sleep(0.05)
    s.settimeout(10)
    t0 = time.time()
    result = "none"
    try:
        s.sendall(b"after restart\n")
        b = s.recv(100)
        result = "eof" if not b else f"data{len(b)}"
    except OSError as e:
        result = errname(e)
    # A RST that arrives after send() returned shows up on the next call.
    if result in ("eof", "none"):
        try:
            s.sendall(b"again\n")
            result += "+" + ("none")
        except OSError as e:
            result += "+" + errname(e)
    out(result=result, ms=int((time.time() - t0) * 1000))
    s.close()
    return 0


def cmd_zero_window(host, port, n, sleep_s):
    n, sleep_s = int(n), float(sleep_s)
    s = connect(host, int(port), rcvbuf=4096)
    s.sendall(f"GET /bytes/{n} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    h = hashlib.sha256()
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(4096)
        if not b:
            out(error="eof-in-head")
            return 1
        head += b
    r = parse_response(head)
    status, headers, hl = r
    first = head[hl:]
    # read a little more, then stop reading
    while len(first) < 20000:
        b = s.recv(4096)
        if not b:
            break
        first += b
    h.update(first)
    got = len(first)
    sys.stderr.write(f"zero-window: read {got} body bytes, now not reading for {sleep_s} s\n")
    time.sleep(sleep_s)
    t0 = time.time()
    s.settimeout(IO_TIMEOUT)
    err = "none"
    try:
        while True:
            b = s.recv(1 << 20)
            if not b:
                break
            h.update(b)
            got += len(b)
    except OSError as e:
        err = errname(e)
    s.close()
    out(status=status, length=headers.get("content-length", "-"), body=got,
        sha=h.hexdigest(), err=err, rest_ms=int((time.time() - t0) * 1000))
    return 0


TCP_FIN_WAIT2 = 5  # Linux's tcpi_state numbering


def cmd_half_close(host, port, path):
    """Half-close held by flow control: the echo cannot finish before our FIN.

    A small receive buffer, not read until our FIN is out: tern's echo of
    everything beyond that buffer waits on our window. We send the file,
    shut down the write side and wait for FIN-WAIT-2 (tern acknowledged the
    FIN, so it was on the wire); only then do we read. What was not already
    queued in our receive buffer at that moment arrived after the FIN.
    The file must fit in what tern buffers (its send and receive buffers),
    or neither side could move while we do not read.
    """
    data = open(path, "rb").read()
    s = connect(host, int(port), rcvbuf=4096)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    deadline = time.time() + IO_TIMEOUT
    while tcp_state_of(s) != TCP_FIN_WAIT2:
        if time.time() > deadline:
            out(error="fin-not-acked", state=tcp_state_of(s))
            return 1
        time.sleep(0.005)
    held = struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\0\0\0\0"))[0]
    echo = recv_until_eof(s)
    s.close()
    out(sent=len(data), got=len(echo), held_at_fin=held, after_fin=len(echo) - held,
        sha=hashlib.sha256(echo).hexdigest())
    return 0


def cmd_many(host, port, n, gofile):
    n = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(n + 64, soft), max(n + 64, hard)))
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, int(port)))
        socks.append(s)
    by_fd = {s.fileno(): s for s in socks}
    poller = select.poll()  # select() stops at descriptor 1023
    for fd in by_fd:
        poller.register(fd, select.POLLOUT)
    deadline = time.time() + 15
    ok = 0
    left = len(by_fd)
    while left > 0 and time.time() < deadline:
        for fd, _ in poller.poll(500):
            poller.unregister(fd)
            left -= 1
            if by_fd[fd].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                ok += 1
    out(connected=ok, failed=n - ok)
    deadline = time.time() + 60
    while not os.path.exists(gofile) and time.time() < deadline:
        time.sleep(0.05)
    for s in socks:
        s.close()
    out(closed=n)
    return 0 if ok == n else 1


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def cmd_abort(host, http_port, echo_port, n):
    done = 0
    for _ in range(int(n)):
        s = connect(host, int(http_port), rcvbuf=65536)
        s.sendall(b"GET /bytes/100000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        got = 0
        while got < 100000:
            b = s.recv(65536)
            if not b:
                break
            got += len(b)
        rst_close(s)
        e = connect(host, int(echo_port), rcvbuf=65536)
        e.setblocking(False)
        sent = 0
        t0 = time.time()
        while sent < (4 << 20) and time.time() - t0 < 2:
            try:
                sent += e.send(b"x" * 65536)
            except BlockingIOError:
                time.sleep(0.01)
        rst_close(e)
        done += 1
    out(aborted=done)
    return 0


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "pattern-sha":
        print(pattern_sha(int(args[0])))
        return 0
    table = {
        "http-get": cmd_http_get, "raw": cmd_raw, "pipeline": cmd_pipeline,
        "close-first": cmd_close_first, "hold": cmd_hold,
        "zero-window": cmd_zero_window, "half-close": cmd_half_close, "many": cmd_many,
        "abort": cmd_abort,
    }
    if cmd not in table:
        sys.stderr.write(__doc__)
        return 2
    try:
        return table[cmd](*args)
    except OSError as e:
        out(error=errname(e))
        sys.stderr.write(f"{cmd}: {e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
