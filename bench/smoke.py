#!/usr/bin/env python3
"""Runs tern-bench with the given arguments and checks its output is sane:
every stdout line is a JSON object with the documented keys and non-zero
rates. Never a speed threshold.

  smoke.py TERN-BENCH ARGS...          a tern-bench run
  smoke.py --veth SCRIPT LINUX-CONN    linux_conn_veth.sh: a rate, no namespace left
                                       (skipped, exit 77, without root or ip netns)
"""
import json
import os
import subprocess
import sys

SKIP = 77  # meson: the test was skipped

COMMON = ["scenario", "flows", "cores", "packets", "seconds", "mpps", "ns_per_pkt",
          "cycles_per_pkt", "ratio"]
PPS = COMMON + ["ceiling_mpps", "mpps_min", "mpps_max", "out_per_pkt"]
MEM = COMMON + ["bytes_per_conn", "tcb_bytes"]
CONN = COMMON + ["rate", "rate_min", "rate_max", "requests", "connections", "errors",
                 "linux_rate", "p50_us", "p99_us", "p999_us", "layout", "rate_per_core",
                 "linux_veth_rate", "linux_veth_p50_us", "ratio_veth"]
PROXY = ["scenario", "layout", "concurrency", "bytes", "requests", "connections", "errors", "rate",
         "rate_min", "rate_max", "proxy_cpu_share", "rate_per_proxy_core",
         "gbit_per_proxy_core", "p50_us", "cycles_per_request_proxy", "haproxy_rate",
         "haproxy_cpu_share", "haproxy_rate_per_cpu", "ratio"]


def check_proxy(r, l, with_haproxy):
    # One core: the proxy's CPU seconds are part of the run's, so its rate per core is higher.
    # Two cores: its busy loops are counted over the whole run, not the client's window alone.
    floor = r["rate"] if r["layout"] == "one-core" else 0
    if not (r["rate"] > 0 and r["rate_per_proxy_core"] > floor and r["errors"] == 0
            and 0 < r["proxy_cpu_share"] < 1):
        print(f"zero rate, errors or an implausible CPU share in {l}")
        return False
    if with_haproxy and not (r["haproxy_rate"] > 0 and r["haproxy_rate_per_cpu"] > 0):
        print(f"no HAProxy figure in {l}")
        return False
    return True


def veth(script, linux_conn):
    cpu = str(min(os.sched_getaffinity(0)))
    p = subprocess.Popen(["bash", script, linux_conn, cpu, cpu, "--mode", "rps",
                          "--concurrency", "4", "--seconds", "0.3", "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=30)
    sys.stderr.write(err)
    if p.returncode == 3:
        print("skipped: no network namespaces here")
        return SKIP
    left = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout
    if f"tlc-{p.pid}-" in left:
        print(f"namespaces tlc-{p.pid}-* left behind")
        return 1
    if p.returncode != 0:
        print(f"linux_conn_veth.sh exited with {p.returncode}")
        return 1
    r = json.loads(out.strip().splitlines()[-1])
    if not (r["rate"] > 0 and r["errors"] == 0):
        print(f"zero rate or errors over veth: {r}")
        return 1
    print(f"ok veth rps {r['rate']:.0f} req/s")
    return 0


def check_conn(r, l, two_cores):
    if not (r["rate"] > 0 and r["linux_rate"] > 0 and r["errors"] == 0):
        print(f"zero rate, no Linux figure or errors in {l}")
        return False
    want = (2, "two-cores") if two_cores else (1, "one-core")
    if (r["cores"], r["layout"]) != want or not r["rate_per_core"] > 0:
        print(f"expected cores/layout {want} and a rate per core in {l}")
        return False
    return True


def main():
    if sys.argv[1] == "--veth":
        return veth(sys.argv[2], sys.argv[3])
    cmd = sys.argv[1:]
    two_cores = "two-cores" in cmd
    if two_cores and len(os.sched_getaffinity(0)) < 2:
        print("skipped: the two-cores layout needs 2 CPUs")
        return SKIP
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
        if r.get("bench") == "proxy":
            if [k for k in PROXY if k not in r] or not check_proxy(r, l, "--haproxy" in cmd):
                print(f"missing keys or bad figures in {l}")
                return 1
            print(f"ok proxy {r['scenario']} {r['rate_per_proxy_core']:.0f} req/s per proxy core")
            continue
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
            if not check_conn(r, l, two_cores):
                return 1
        else:
            if not 0 < r["bytes_per_conn"] < 1 << 20:
                print(f"implausible bytes_per_conn in {l}")
                return 1
        print(f"ok {r['bench']} {r['scenario']} flows={r['flows']} mpps={r['mpps']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
