#!/usr/bin/python3
"""What limits a sender in bench/goodput.sh (--sample): its connection's
state sampled every 0.1 s while it sends, from tern (ternctl ss -i --json)
or from Linux (ss -tin), then summarised.

    goodput_sample.py tern TERNCTL CONF PEER STOP OUT
    goodput_sample.py linux NS PEER STOP OUT
    goodput_sample.py summary OUT      one JSON object on stdout

Each sample is "t cwnd ssthresh flight snd_wnd rtt_us retrans" in bytes
and microseconds. The summary gives medians and the share of samples in
which the sender was limited by the peer's window (flight within one MSS of
it), by its congestion window (flight within one MSS of cwnd), or by
neither (application or CPU: it had room and did not send).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

PERIOD = 0.1


def tern_sample(ternctl, conf, peer):
    out = subprocess.run([ternctl, "-c", conf, "ss", "-i", "--json"], capture_output=True,
                         text=True, timeout=5).stdout
    for r in json.loads(out or "[]"):
        if r.get("peer", "").startswith(peer + ":") and r.get("state") == "ESTAB":
            return (r["cwnd"], min(r["ssthresh"], 1 << 31), r["unacked_bytes"], r["snd_wnd"],
                    r["rtt_us"], r["retrans"], r["mss"])
    return None


def linux_sample(ns, peer):
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-tinH", "dst", peer],
                         capture_output=True, text=True, timeout=5).stdout
    if "ESTAB" not in out:
        return None
    f = lambda k, d="0": (re.search(r"\b" + k + r":([0-9.]+)", out) or [None, d])[1]
    mss = int(f("mss", "1448"))
    rtt = float((re.search(r"\brtt:([0-9.]+)/", out) or [None, "0"])[1]) * 1000
    return (int(f("cwnd")) * mss, int(f("ssthresh", "0")) * mss, int(f("unacked")) * mss,
            int(f("snd_wnd")), int(rtt), int((re.search(r"retrans:\d+/(\d+)", out) or [None, "0"])[1]),
            mss)


def loop(sample, args, stop, path):
    t0 = time.monotonic()
    with open(path, "w") as f:
        while not os.path.exists(stop):
            try:
                s = sample(*args)
            except (subprocess.SubprocessError, ValueError, KeyError):
                s = None
            if s is not None:
                f.write("%.2f %s\n" % (time.monotonic() - t0, " ".join(map(str, s))))
                f.flush()
            time.sleep(PERIOD)


def summary(path):
    rows = []
    for line in open(path):
        v = line.split()
        if len(v) == 8:
            rows.append([float(v[0])] + [int(x) for x in v[1:]])
    if not rows:
        print(json.dumps({"samples": 0}))
        return
    med = lambda i: int(statistics.median(r[i] for r in rows))
    n = len(rows)
    rwnd = sum(1 for r in rows if r[3] + r[7] >= r[4]) / n
    cwnd = sum(1 for r in rows if r[3] + r[7] >= r[1] and r[3] + r[7] < r[4]) / n
    print(json.dumps({"samples": n, "cwnd": med(1), "flight": med(3), "snd_wnd": med(4),
                      "rtt_us": med(5), "retrans": rows[-1][6],
                      "peer_window_limited": round(rwnd, 2), "cwnd_limited": round(cwnd, 2),
                      "neither": round(1 - rwnd - cwnd, 2)}))


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "tern":
        loop(tern_sample, (a[1], a[2], a[3]), a[4], a[5])
    elif len(a) == 5 and a[0] == "linux":
        loop(linux_sample, (a[1], a[2]), a[3], a[4])
    elif len(a) == 2 and a[0] == "summary":
        summary(a[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
