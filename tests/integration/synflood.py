#!/usr/bin/python3
"""A SYN flood from spoofed sources, for test_synflood.sh.

  synflood.py IFACE TERN_MAC TERN_IP DPORT SECONDS [STARTED]

Sends SYNs to TERN_IP:DPORT as fast as one process can for SECONDS, then
prints "sent N in S s (R/s)". STARTED, when given, is a file created as the
first SYN leaves (building the frames takes a while). The frames are built once, byte by byte (no
scapy in the loop), and cycled through an AF_PACKET socket on IFACE, the
Linux end of tern's tap: they never reach Linux's IP stack and never leave
the namespace.

Every source is spoofed and stays in 198.18.0.0/15, so tern's SYN,ACKs go
nowhere:
  - half come from 198.18.0.100-249, in tern's /24 but owned by nobody:
    tern asks for them with ARP and nobody answers (the SYN,ACK waits in
    the neighbour queue and is dropped);
  - half come from 198.19.0.0/16, off tern's prefix: tern sends the SYN,ACK
    to its gateway, Linux (198.18.0.2), whose namespace does not forward,
    so Linux drops it.
Each frame has its own source port and ISN and the options a Linux client
offers (MSS, SACK-permitted, timestamps, window scale), so cookies carry
options in their TSval as they would for real clients.
"""
import os
import socket
import struct
import sys
import time

NFRAMES = 16384


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn_frame(dst_mac, src_mac, src, dst, sport, dport, seq, tsval):
    opts = struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + struct.pack("!BBII", 8, 10, tsval, 0) \
        + b"\x01\x03\x03\x07"  # MSS, SACK-permitted, TS, NOP, wscale 7: 20 bytes
    hlen = 20 + len(opts)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (hlen // 4) << 4, 0x02, 64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), sport, 0x4000, 64, 6, 0, src, dst)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return dst_mac + src_mac + b"\x08\x00" + iph + tcp


def frames(dst_mac, src_mac, dst, dport):
    rnd = os.urandom(NFRAMES * 10)
    out = []
    for i in range(NFRAMES):
        r = rnd[10 * i:10 * i + 10]
        if i % 2:
            src = bytes([198, 18, 0, 100 + r[0] % 150])
        else:
            src = bytes([198, 19, r[0], r[1]])
        sport = 1024 + (struct.unpack("!H", r[2:4])[0] % 64000)
        seq, tsval = struct.unpack("!II", r[4:8] + r[6:10])
        out.append(syn_frame(dst_mac, src_mac, src, dst, sport, dport, seq, tsval))
    return out


def main():
    iface, tern_mac, tern_ip, dport, secs = sys.argv[1:6]
    started = sys.argv[6] if len(sys.argv) > 6 else None
    dst_mac = bytes.fromhex(tern_mac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_mac = s.getsockname()[4]
    fs = frames(dst_mac, src_mac, socket.inet_aton(tern_ip), int(dport))
    send = s.send
    sent = refused = 0
    if started:
        open(started, "w").close()
    t0 = time.monotonic()
    deadline = t0 + float(secs)
    while time.monotonic() < deadline:
        off = sent % NFRAMES
        for f in fs[off:off + 1024]:
            try:
                send(f)
            except OSError:  # ENOBUFS: the tap's queue is full
                refused += 1
        sent += 1024
    dt = time.monotonic() - t0
    print("sent %d in %.1f s (%d/s), %d refused by the kernel" % (sent - refused, dt,
          (sent - refused) / dt, refused))


if __name__ == "__main__":
    main()
