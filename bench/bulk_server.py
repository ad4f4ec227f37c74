#!/usr/bin/python3
"""Linux's side of bench/goodput.sh: an HTTP/1.1 server that answers every
GET /bytes/N with N bytes (byte i = i mod 251, as tern's http service) and
closes, from a socket with the congestion control named on the command line
(TCP_CONGESTION on the listening socket; accepted sockets inherit it).

    bulk_server.py ADDR PORT CC
"""
import socket
import sys

PATTERN = bytes(i % 251 for i in range(251 * 4096))  # ~1 MiB, a whole number of periods


def serve(conn):
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = conn.recv(4096)
        if not chunk:
            return
        req += chunk
    path = req.split(b" ", 2)[1].decode()
    n = int(path.rsplit("/", 1)[1])
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
    while n > 0:
        k = min(n, len(PATTERN))
        conn.sendall(memoryview(PATTERN)[:k])
        n -= k


def main():
    addr, port, cc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    ls.bind((addr, port))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        conn, _ = ls.accept()
        with conn:
            try:
                serve(conn)
            except OSError:
                pass


if __name__ == "__main__":
    main()
