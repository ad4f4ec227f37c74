#!/usr/bin/python3
"""RFC 9293 3.10.7.1 (CLOSED state) replies from tern, checked with scapy.

Run inside the test's namespace: tcp_rst.py IFACE TERN_MAC
  - a SYN with seq S gets <SEQ=0><ACK=S+1><CTL=RST,ACK>
  - a segment with ACK set and ack A gets <SEQ=A><CTL=RST> (no ACK flag)
  - SYN, FIN and SYN|FIN with data are acknowledged by SEG.LEN
  - a RST gets no reply at all
Prints one line per check; exits 1 on the first failure.
"""
import random
import sys
import time

from scapy.all import IP, TCP, AsyncSniffer, Ether, conf, srp1, sendp

conf.verb = 0
iface, tern_mac = sys.argv[1], sys.argv[2].lower()
SRC, DST = "198.18.0.2", "198.18.0.1"
rng = random.Random()


def base():
    return Ether(dst=tern_mac) / IP(src=SRC, dst=DST)


def check(cond, what):
    print(("ok: " if cond else "FAILED: ") + what, flush=True)
    if not cond:
        sys.exit(1)


def ask(pkt, what):
    for _ in range(3):  # a reply lost to a busy box is retried, boundedly
        r = srp1(pkt, iface=iface, timeout=2)
        if r is not None and TCP in r:
            return r
    check(False, what + ": no reply in 3 tries")


# 1. SYN -> RST|ACK, seq 0, ack S+1
sport, S = rng.randint(20000, 60000), rng.randint(1, 2**32 - 2)
r = ask(base() / TCP(sport=sport, dport=80, flags="S", seq=S), "SYN")
t = r[TCP]
check(str(t.flags) == "RA", "SYN gets RST|ACK (got %s)" % t.flags)
check(t.seq == 0, "RST|ACK seq is 0 (got %d)" % t.seq)
check(t.ack == (S + 1) % 2**32, "RST|ACK ack is S+1 = %d (got %d)" % ((S + 1) % 2**32, t.ack))
check(t.sport == 80 and t.dport == sport, "RST|ACK ports mirror the SYN")
check(r[IP].src == DST and r[IP].dst == SRC, "RST|ACK addresses mirror the SYN")

# 2. ACK (with a little data) -> RST with seq A, no ACK flag
sport, A = rng.randint(20000, 60000), rng.randint(1, 2**32 - 1)
r = ask(base() / TCP(sport=sport, dport=80, flags="A", seq=rng.randint(0, 2**32 - 1), ack=A)
        / b"hello", "ACK")
t = r[TCP]
check(str(t.flags) == "R", "ACK segment gets a bare RST (got %s)" % t.flags)
check(t.seq == A, "RST seq is the segment's ack %d (got %d)" % (A, t.seq))

# 3. SEG.LEN counts the data and the SYN and FIN flags (RFC 9293 3.4)
for flags, data, extra in (("S", b"0123456789", 11), ("F", b"", 1), ("FS", b"abc", 5)):
    sport, S = rng.randint(20000, 60000), rng.randint(1, 2**32 - 1)
    r = ask(base() / TCP(sport=sport, dport=80, flags=flags, seq=S) / data, flags)
    t = r[TCP]
    want = (S + extra) % 2**32
    check(str(t.flags) == "RA" and t.seq == 0 and t.ack == want,
          "%s with %d data bytes gets RST|ACK seq 0 ack S+%d (got %s seq %d ack S+%d)"
          % (flags, len(data), extra, t.flags, t.seq, (t.ack - S) % 2**32))

# 4. RST -> nothing
sport = rng.randint(20000, 60000)
sniffer = AsyncSniffer(iface=iface, store=True,
                       lfilter=lambda p: TCP in p and p[TCP].sport == 80 and p[TCP].dport == sport)
sniffer.start()
time.sleep(0.5)  # let the capture socket open before sending
sendp(base() / TCP(sport=sport, dport=80, flags="R", seq=12345), iface=iface)
sendp(base() / TCP(sport=sport, dport=80, flags="RA", seq=12345, ack=1), iface=iface)
time.sleep(1.5)
got = sniffer.stop()
check(len(got) == 0, "RST and RST|ACK get no reply (got %d)" % len(got))
