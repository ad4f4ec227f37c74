#!/usr/bin/python3
"""The receiver rows of bench/goodput.sh: Linux uploads to a receiver
(tern's discard service, or Linux's own sink below) and the upload counts
as done when the receiver has read everything and closed.

    upload.py sink ADDR PORT            a Linux receiver: reads each
                                        connection to its end, then closes
    upload.py send ADDR PORT BYTES CC MAXS
                                        sends BYTES with congestion control
                                        CC, shuts down, waits for the
                                        receiver's FIN; prints
                                        "bytes seconds cut(0|1)"

The clock runs from the established connection to the receiver's FIN, so
both receivers are timed the same way: until the last byte was read.
"""
import fcntl
import socket
import struct
import sys
import termios
import threading
import time

CHUNK = bytes(i % 251 for i in range(251 * 256))


def drain(conn):
    with conn:
        while conn.recv(1 << 20):
            pass


def sink(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(8)
    print("listening", flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()


def send(addr, port, total, cc, maxs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    s.settimeout(maxs)
    s.connect((addr, port))
    t0 = time.monotonic()
    sent, cut = 0, 0
    try:
        view = memoryview(CHUNK)
        while sent < total:
            k = min(total - sent, len(CHUNK))
            s.sendall(view[:k])
            sent += k
            if time.monotonic() - t0 > maxs:
                cut = 1
                break
        s.shutdown(socket.SHUT_WR)
        s.settimeout(max(1.0, maxs - (time.monotonic() - t0)))
        while s.recv(65536):
            pass
    except socket.timeout:
        cut = 1
    secs = time.monotonic() - t0
    # Cut: what left the socket buffer is an upper bound; count what was
    # handed to the socket less what it still held.
    if cut:
        try:
            sent -= struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        except OSError:
            pass
    s.close()
    print(sent, round(secs, 3), cut)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "sink":
        sink(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 7 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
