#!/usr/bin/env python3
"""Runs tern-bench with the given arguments and checks its output is sane:
every stdout line is a JSON object with the documented keys and non-zero
rates. Never a speed threshold."""
import json
import subprocess
import sys

COMMON = ["scenario", "flows", "cores", "packets", "seconds", "mpps", "ns_per_pkt",
          "cycles_per_pkt", "ratio"]
PPS = COMMON + ["ceiling_mpps", "mpps_min", "mpps_max", "out_per_pkt"]
MEM = COMMON + ["bytes_per_conn", "tcb_bytes"]
CONN = COMMON + ["rate", "rate_min", "rate_max", "requests", "connections", "errors",
                 "linux_rate", "p50_us", "p99_us", "p999_us"]


def main():
    cmd = sys.argv[1:]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print(f"tern-bench exited with {p.returncode}")
        return 1
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if not lines:
        print("no JSON output")
        return 1
    for l in lines:
        r = json.loads(l)
        keys = {"mem": MEM, "conn": CONN}.get(r.get("bench"), PPS)
        missing = [k for k in keys if k not in r]
        if missing:
            print(f"missing keys {missing} in {l}")
            return 1
        for k in ("packets", "seconds", "mpps", "ns_per_pkt", "cycles_per_pkt", "ratio"):
            if not r[k] > 0:
                print(f"{k} is not positive in {l}")
                return 1
        if r.get("bench") == "pps":
            if not r["ceiling_mpps"] > 0 or r.get("drops", 0) != 0:
                print(f"zero ceiling or drops in {l}")
                return 1
        elif r.get("bench") == "conn":
            if not (r["rate"] > 0 and r["linux_rate"] > 0 and r["errors"] == 0):
                print(f"zero rate, no Linux figure or errors in {l}")
                return 1
        else:
            if not 0 < r["bytes_per_conn"] < 1 << 20:
                print(f"implausible bytes_per_conn in {l}")
                return 1
        print(f"ok {r['bench']} {r['scenario']} flows={r['flows']} mpps={r['mpps']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
