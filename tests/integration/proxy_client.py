#!/usr/bin/env python3
"""Clients and small servers for the proxy's integration tests (Linux sockets).

Clients:
  echo HOST PORT FILE OUT          send FILE while reading the echo into OUT; half-close
                                   after FILE; prints "sent N received M"
  get HOST PORT PATH OUT           HTTP/1.0 GET; body into OUT; prints "status S bytes N"
  get-shut HOST PORT PATH OUT      the same, the write side shut after the request (a
                                   half-closing client)
  upload HOST PORT SECONDS         send a pattern as fast as possible for SECONDS, then
                                   half-close and read the server's answer; prints
                                   "sent N sha HEX answer TEXT"
  reset-after HOST PORT N          send N bytes, then reset (SO_LINGER 0)
  wait-reset HOST PORT             send forever; prints "reset at T" (epoch seconds) when
                                   the connection is reset (or "timeout")
  halfclose-client HOST PORT N M   send "N\\n", read to the server's FIN (N bytes expected),
                                   then send M more bytes and half-close; prints
                                   "received R then sent M"
  hold HOST PORT SECS              echo a line every 100 ms for SECS (forever if 0), then
                                   close; prints "done N" or "reset after N at T" (N echoes
                                   answered, T epoch seconds)
  raw HOST PORT HEXBYTES [SECS]    send bytes, print what comes back and how it ended
  sources VIP PORT BASE COUNT      GET /whoami from COUNT source addresses BASE+i
                                   (198.19.x.y), prints "SRC SERVER" lines
  load HOST PORT THREADS SECS OUT  THREADS loops of GET /whoami on a new connection each,
                                   for SECS; each answer's time, server or failure to OUT;
                                   prints "ok N failed M"
Servers:
  halfclose-server ADDR PORT OUT   per connection: read "N\\n", send N bytes, shut the
                                   write side, then read to EOF; append "got M" to OUT
  slow-reader ADDR PORT RATE OUT   read at most RATE bytes/s; at EOF write
                                   "bytes N sha HEX" to OUT and answer it to the peer
  first-bytes ADDR PORT OUT        record the first 256 bytes of each connection (hex) to OUT,
                                   then echo the rest
  reset-watch ADDR PORT OUT        read each connection to its end; write "reset at T" or
                                   "eof at T" (epoch seconds) to OUT
"""
import hashlib
import ipaddress
import socket
import struct
import sys
import threading
import time

CHUNK = 65536


def pattern(n, start=0):
    return bytes((start + i) % 251 for i in range(n))


def connect(host, port, src=None, timeout=30):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.settimeout(timeout)
    s.connect((host, int(port)))
    return s


def cmd_echo(host, port, path, out):
    s = connect(host, port, timeout=120)
    sent = [0]

    def sender():
        with open(path, 'rb') as f:
            while True:
                b = f.read(CHUNK)
                if not b:
                    break
                s.sendall(b)
                sent[0] += len(b)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=sender)
    t.start()
    got = 0
    with open(out, 'wb') as f:
        while True:
            b = s.recv(CHUNK)
            if not b:
                break
            f.write(b)
            got += len(b)
    t.join()
    s.close()
    print(f"sent {sent[0]} received {got}")


def cmd_get(host, port, path, out, shut=False):
    s = connect(host, port, timeout=120)
    s.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
    if shut:
        s.shutdown(socket.SHUT_WR)
    data = bytearray()
    while True:
        b = s.recv(CHUNK)
        if not b:
            break
        data += b
    s.close()
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "none"
    with open(out, 'wb') as f:
        f.write(body)
    print(f"status {status} bytes {len(body)}")


def cmd_upload(host, port, secs):
    s = connect(host, port, timeout=120)
    h = hashlib.sha256()
    block = pattern(CHUNK * 4)
    sent, end = 0, time.time() + float(secs)
    while time.time() < end:
        s.sendall(block)
        h.update(block)
        sent += len(block)
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        b = s.recv(CHUNK)
        if not b:
            break
        answer += b
    s.close()
    print(f"sent {sent} sha {h.hexdigest()} answer {answer.decode().strip()}")


def cmd_reset_after(host, port, n):
    s = connect(host, port)
    s.sendall(pattern(int(n)))
    time.sleep(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    print("reset sent")


def cmd_wait_reset(host, port):
    s = connect(host, port)
    block = pattern(CHUNK)
    s.settimeout(30)
    try:
        while True:
            s.sendall(block)
    except (ConnectionResetError, BrokenPipeError):
        print(f"reset at {time.time():.3f}")
    except socket.timeout:
        print("timeout")


def cmd_halfclose_client(host, port, n, m):
    s = connect(host, port, timeout=60)
    s.sendall(f"{int(n)}\n".encode())
    got = 0
    while True:
        b = s.recv(CHUNK)
        if not b:
            break
        got += len(b)
    s.sendall(pattern(int(m)))
    s.shutdown(socket.SHUT_WR)
    while s.recv(CHUNK):
        pass
    s.close()
    print(f"received {got} then sent {m}")


def cmd_hold(host, port, secs):
    s = connect(host, port, timeout=10)
    end = time.time() + float(secs) if float(secs) > 0 else float("inf")
    n = 0
    try:
        while time.time() < end:
            line = f"line {n}\n".encode()
            s.sendall(line)
            got = b""
            while len(got) < len(line):
                b = s.recv(len(line) - len(got))
                if not b:
                    raise ConnectionResetError("closed")
                got += b
            if got != line:
                print(f"wrong echo after {n}")
                return
            n += 1
            time.sleep(0.1)
    except (ConnectionResetError, BrokenPipeError):
        print(f"reset after {n} at {time.time():.3f}")
        return
    except socket.timeout:
        print(f"timeout after {n}")
        return
    s.close()
    print(f"done {n}")


def cmd_raw(host, port, hexbytes, secs="3"):
    s = connect(host, port, timeout=float(secs))
    s.sendall(bytes.fromhex(hexbytes))
    got = b""
    how = "closed"
    try:
        while True:
            b = s.recv(CHUNK)
            if not b:
                break
            got += b
    except ConnectionResetError:
        how = "reset"
    except socket.timeout:
        how = "timeout"
    print(f"{how} got {got!r}")


def cmd_sources(vip, port, base, count):
    first = ipaddress.IPv4Address(base)
    for i in range(int(count)):
        src = str(first + i)
        s = connect(vip, port, src=src, timeout=10)
        s.sendall(f"GET /whoami HTTP/1.0\r\nHost: {vip}\r\n\r\n".encode())
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        print(src, data.partition(b"\r\n\r\n")[2].decode().strip() or "none")


def one_whoami(host, port):
    s = connect(host, port, timeout=5)
    try:
        s.sendall(f"GET /whoami HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0] + b" ":
        raise ValueError(f"bad answer {head[:40]!r}")
    return body.decode().strip()


def cmd_load(host, port, threads, secs, out):
    end = time.time() + float(secs)
    lock = threading.Lock()
    counts = {'ok': 0, 'failed': 0}

    def loop():
        while time.time() < end:
            t = time.time()
            try:
                who, err = one_whoami(host, port), None
            except (OSError, ValueError) as e:
                who, err = None, type(e).__name__
            with lock:
                counts['ok' if who else 'failed'] += 1
                with open(out, 'a') as f:
                    f.write(f"{t:.3f} {who or 'FAIL ' + err}\n")

    ts = [threading.Thread(target=loop) for _ in range(int(threads))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(f"ok {counts['ok']} failed {counts['failed']}")


def serve(addr, port, handler):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(128)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def halfclose_handler(out):
    def h(c):
        line = b""
        while not line.endswith(b"\n"):
            b = c.recv(1)
            if not b:
                return
            line += b
        c.sendall(pattern(int(line)))
        c.shutdown(socket.SHUT_WR)
        got = 0
        while True:
            b = c.recv(CHUNK)
            if not b:
                break
            got += len(b)
        with open(out, 'a') as f:
            f.write(f"got {got}\n")
        c.close()
    return h


def slow_handler(rate, out):
    def h(c):
        rate_i, sha, total, t0 = int(rate), hashlib.sha256(), 0, time.time()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        while True:
            b = c.recv(min(CHUNK, rate_i // 10))
            if not b:
                break
            sha.update(b)
            total += len(b)
            ahead = total / rate_i - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
        line = f"bytes {total} sha {sha.hexdigest()}"
        with open(out, 'w') as f:
            f.write(line + "\n")
        c.sendall(line.encode() + b"\n")
        c.close()
    return h


def first_bytes_handler(out):
    lock = threading.Lock()

    def h(c):
        first = c.recv(256)
        with lock, open(out, 'a') as f:
            f.write(first.hex() + "\n")
        c.sendall(first)
        while True:
            b = c.recv(CHUNK)
            if not b:
                break
            c.sendall(b)
        c.close()
    return h


def reset_watch_handler(out):
    def h(c):
        how = "eof"
        try:
            while c.recv(CHUNK):
                pass
        except ConnectionResetError:
            how = "reset"
        with open(out, 'a') as f:
            f.write(f"{how} at {time.time():.3f}\n")
        c.close()
    return h


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    cmd, args = a[0], a[1:]
    clients = {'echo': cmd_echo, 'get': cmd_get,
               'get-shut': lambda *a: cmd_get(*a, shut=True), 'upload': cmd_upload,
               'reset-after': cmd_reset_after, 'hold': cmd_hold, 'wait-reset': cmd_wait_reset, 'raw': cmd_raw,
               'sources': cmd_sources, 'load': cmd_load,
               'halfclose-client': cmd_halfclose_client}
    if cmd in clients:
        clients[cmd](*args)
    elif cmd == 'halfclose-server':
        serve(args[0], args[1], halfclose_handler(args[2]))
    elif cmd == 'slow-reader':
        serve(args[0], args[1], slow_handler(args[2], args[3]))
    elif cmd == 'first-bytes':
        serve(args[0], args[1], first_bytes_handler(args[2]))
    elif cmd == 'reset-watch':
        serve(args[0], args[1], reset_watch_handler(args[2]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
