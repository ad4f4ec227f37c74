#!/usr/bin/python3
"""Malformed and unwanted frames for tern's input validation.

  hostile.py send IFACE TERN_MAC N   sends every kind below N times on IFACE
  hostile.py runts PCAP N            writes N 10-byte frames, one 13-byte frame
                                     and one bare 14-byte header to PCAP

Frames are built byte by byte (lengths, IHL and checksums set explicitly)
so that scapy cannot "fix" them; scapy only puts them on the wire. Runts
cannot go through a tap: the kernel refuses AF_PACKET frames shorter than
an Ethernet header (and scapy then pads them to 60 bytes), so they are fed
to tern from a pcap file through DPDK's net_pcap instead.

Every kind is sent from 198.18.0.2 to 198.18.0.1 (tern) and, apart from
its one defect, would get an answer, so a missing counter cannot come from
a frame tern ignored for another reason.
"""
import struct
import sys

from scapy.all import Raw, conf, sendp

SRC_IP, DST_IP = bytes([198, 18, 0, 2]), bytes([198, 18, 0, 1])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ip(payload, proto=1, ver=4, ihl=5, tot=None, frag=0x4000, ident=1, bad_csum=False,
       src=SRC_IP, dst=DST_IP):
    """A 20-byte header whose fields say what the caller asked, checksummed over those 20 bytes."""
    tot = 20 + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, 0, tot, ident, frag, 64, proto, 0,
                    src, dst)
    c = csum(h)
    if bad_csum:
        c ^= 0x5A5A
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def icmp_echo(seq, bad_csum=False):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x7E57, seq) + b"tern-hostile-%04d" % seq
    c = csum(body)
    if bad_csum:
        c ^= 0x5A5A
    return body[:2] + struct.pack("!H", c) + body[4:]


def tcp_syn(seq, doff=5, bad_csum=False, sport=None, flags=0x02):
    sport = 40000 + seq if sport is None else sport
    hdr = struct.pack("!HHIIBBHHH", sport, 80, 1000 + seq, 0, doff << 4, flags, 65535, 0, 0)
    pseudo = SRC_IP + DST_IP + struct.pack("!BBH", 0, 6, len(hdr))
    c = csum(pseudo + hdr)
    if bad_csum:
        c ^= 0x5A5A
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def arp_hlen5(src):
    # htype 1, ptype IPv4, hlen 5 (!), plen 4, request; addresses sized as the lengths say.
    body = struct.pack("!HHBBH", 1, 0x0800, 5, 4, 1) + src[:5] + SRC_IP + bytes(5) + DST_IP
    return body + bytes(28 - len(body))


def arp_request(sha, sip):
    """A well-formed request for tern's address from the given sender."""
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + sha + sip + bytes(6) + DST_IP


def write_pcap(path, frames):
    """Classic pcap, Ethernet link type; written by hand because scapy
    complains about frames too short to parse."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)


def kinds(dst, src, i):
    """name -> frame; the test script maps each name to the counter it must raise."""
    v4 = lambda p: eth(dst, src, 0x0800, p)
    echo = icmp_echo(i)
    full = ip(echo, ident=i)
    return {
        "ip_truncated_header": v4(full[:10]),
        "ip_total_length_beyond_frame": v4(ip(echo, tot=200, ident=i)),
        "ip_total_length_below_header": v4(ip(echo, tot=16, ident=i)),
        "ip_bad_checksum": v4(ip(echo, ident=i, bad_csum=True)),
        "ip_fragment_mf": v4(ip(echo, frag=0x2000, ident=i)),
        "ip_fragment_offset": v4(ip(echo, frag=100, ident=i)),
        "ip_ihl_3": v4(ip(echo, ihl=3, ident=i)),
        "ip_ihl_beyond_total_length": v4(ip(bytes(20), ihl=15, tot=40, ident=i)),
        "ip_version_6": v4(ip(echo, ver=6, ident=i)),
        "eth_unknown_type": eth(dst, src, 0x88B5, b"tern-hostile" + bytes(34)),
        "tcp_bad_checksum": v4(ip(tcp_syn(i, bad_csum=True), proto=6, ident=i)),
        "tcp_data_offset_2": v4(ip(tcp_syn(i, doff=2), proto=6, ident=i)),
        "tcp_data_offset_beyond_segment": v4(ip(tcp_syn(i, doff=15), proto=6, ident=i)),
        "icmp_bad_checksum": v4(ip(icmp_echo(i, bad_csum=True), ident=i)),
        "eth_not_for_us": eth(mac("02:00:5e:00:00:99"), src, 0x0800, full),
        # Not malformed, only unwanted: each has a reason of its own.
        "vlan_tagged": eth(dst, src, 0x8100, struct.pack("!HH", 7, 0x0800) + full),
        "ipv6": eth(dst, src, 0x86DD, bytes([0x60]) + bytes(39)),
        "multicast_dst": eth(mac("01:00:5e:00:00:fb"), src, 0x0800, full),
        "ip_for_another_host": v4(ip(echo, ident=i, dst=bytes([198, 18, 0, 99]))),
        "ip_broadcast_src": v4(ip(echo, ident=i, src=bytes([198, 18, 0, 255]))),
        "ip_unknown_protocol": v4(ip(b"tern-hostile", proto=253, ident=i)),
        # No legitimate peer sends these; each is dropped under its own name.
        "tcp_src_port_0": v4(ip(tcp_syn(i, sport=0), proto=6, ident=i)),
        "tcp_syn_fin": v4(ip(tcp_syn(i, flags=0x03), proto=6, ident=i)),
        "tcp_rst_to_listener": v4(ip(tcp_syn(i, flags=0x04), proto=6, ident=i)),
        "tcp_fin_to_listener": v4(ip(tcp_syn(i, flags=0x01), proto=6, ident=i)),
        "eth_src_broadcast": eth(dst, b"\xff" * 6, 0x0800, full),
        "eth_src_multicast": eth(dst, mac("01:00:5e:00:00:01"), 0x0800, full),
        "eth_src_zero": eth(dst, bytes(6), 0x0800, full),
        "arp_sender_mac_zero": eth(b"\xff" * 6, src, 0x0806, arp_request(bytes(6), SRC_IP)),
        "arp_sender_ip_broadcast": eth(b"\xff" * 6, src, 0x0806, arp_request(src, b"\xff" * 4)),
        "arp_sender_ip_link_broadcast": eth(b"\xff" * 6, src, 0x0806,
                                            arp_request(src, bytes([198, 18, 0, 255]))),
        # Above the MTU (the sender's link allows it): an echo would not fit back.
        "oversize_echo": v4(ip(icmp_echo(i) + bytes(1600), ident=i)),
        # The last kind: the test waits for its counter before it looks.
        "arp_hlen_5": eth(b"\xff" * 6, src, 0x0806, arp_hlen5(src)),
    }


def main():
    conf.verb = 0
    if sys.argv[1] == "send":
        iface, dst, n = sys.argv[2], mac(sys.argv[3]), int(sys.argv[4])
        with open("/sys/class/net/%s/address" % iface) as f:
            src = mac(f.read().strip())
        names = list(kinds(dst, src, 0))
        for name in names:
            frames = [Raw(load=kinds(dst, src, i)[name]) for i in range(1, n + 1)]
            sendp(frames, iface=iface, verbose=0)
            print("sent %2d x %-30s (%d bytes)" % (n, name, len(frames[0])), flush=True)
    elif sys.argv[1] == "runts":
        path, n = sys.argv[2], int(sys.argv[3])
        frames = [b"\x02\0\0\0\0\x01\x02\0\0\0"] * n  # 10 bytes
        frames.append(b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08")  # 13: one short of a header
        frames.append(b"\xff" * 6 + b"\x02\0\0\0\0\x02\x88\xb5")  # 14: a header, no payload
        write_pcap(path, frames)
    else:
        sys.exit("usage: hostile.py send IFACE TERN_MAC N | runts PCAP N")


if __name__ == "__main__":
    main()
