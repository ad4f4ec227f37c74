#!/usr/bin/env python3
"""Turns a results file of scripts/bench.sh into the table of bench/README.md
(between the bench-table markers) and a gnuplot chart (Mpps per flow count).

usage: report.py RESULTS.json [--readme bench/README.md] [--png OUT.png]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

START = "<!-- bench-table:start -->"
END = "<!-- bench-table:end -->"
ORDER = ["ack", "data64", "data1448", "syn", "ooo"]
LABEL = {
    "ack": "pure ACK (advances SND.UNA, 1 data segment out each)",
    "data64": "in-order data, 64 B",
    "data1448": "in-order data, 1448 B",
    "syn": "SYN to a listener (SYN,ACK out)",
    "ooo": "out-of-order data (swapped pairs, 1448 B)",
}


def fmt(v, nd=2):
    return "-" if v is None else f"{v:.{nd}f}"


def pps_rows(results):
    rows = [r for r in results if r.get("bench") == "pps"]
    rows.sort(key=lambda r: (r.get("cksum") != "offload", ORDER.index(r["scenario"])
                             if r["scenario"] in ORDER else 99, r["flows"]))
    return rows


def conn_row(r):
    veth = r.get("linux_veth_rate") or 0
    what = ("cps: a connection per request" if r["scenario"] == "cps"
            else "rps: keep-alive requests" if r["bytes"] < 65536
            else f"bulk: {r['rate'] * r['bytes'] * 8 / 1e9:.2f} Gbit/s "
                 f"(Linux {r['linux_rate'] * r['bytes'] * 8 / 1e9:.2f}"
                 + (f", veth {veth * r['bytes'] * 8 / 1e9:.2f})" if veth else ")"))
    layout = ("two cores, net_ring" if r.get("layout") == "two-cores"
              else "one core, in memory")
    ratio_veth = f"**{r['ratio_veth']:.1f}x**" if veth else "-"
    return (f"| {what} | {layout} | {r['flows']} | {r['bytes']} | {r['rate_min']:,.0f} / "
            f"**{r['rate']:,.0f}** / {r['rate_max']:,.0f} "
            f"| {r.get('rate_per_core', r['rate']):,.0f} | {r['p50_us']:.0f} / "
            f"{r['p99_us']:.0f} / {r['p999_us']:.0f} | {r['cycles_per_request']:,.0f} "
            f"| {r['linux_rate']:,.0f} | **{r['ratio']:.1f}x** "
            f"| {f'{veth:,.0f}' if veth else '-'} | {ratio_veth} |")


def proxy_row(r):
    what = ("cps: a connection per request" if r["scenario"] == "cps"
            else "rps: keep-alive requests" if r["bytes"] < 65536 else "bulk")
    if r.get("layout") == "two-cores":
        what += ("; the proxy on a core of its own, net_ring ports (CPU share: its loops that "
                 "received or sent, over the run)")
    gbit = (f" ({r['gbit_per_proxy_core']:.1f} Gbit/s; HAProxy "
            f"{r['haproxy_rate_per_cpu'] * r['bytes'] * 8 / 1e9:.1f})" if r["bytes"] >= 65536 else "")
    return (f"| {what} | {r['concurrency']} | {r['bytes']} | {r['rate_min']:,.0f} / "
            f"**{r['rate']:,.0f}** / {r['rate_max']:,.0f} | {r['proxy_cpu_share']:.2f} "
            f"| {r['rate_per_proxy_core']:,.0f}{gbit} | {r['cycles_per_request_proxy']:,.0f} "
            f"| {r['haproxy_rate']:,.0f} | {r['haproxy_cpu_share']:.2f} "
            f"| {r['haproxy_rate_per_cpu']:,.0f} | **{r['ratio']:.1f}x** |")


def proxy_table(rows):
    out = ["", "| proxy (tern client, proxy, http server on one core unless noted) | concurrency "
           "| answer bytes | req/s min / **median** / max | proxy's CPU share "
           "| req/s per proxy core | proxy cycles per request | HAProxy 2.6 req/s "
           "| HAProxy CPU share | HAProxy req/s per CPU second | **ratio** per core |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return out + [proxy_row(r) for r in rows]


def table(doc):
    m = doc["machine"]
    out = []
    out.append(f"Run of {doc['date']} at commit `{doc['commit']}` "
               f"(results: `bench/results/{os.path.basename(doc['file'])}`).")
    out.append("")
    out.append(f"Machine: {m['cpu']}, {m['cpus']} CPUs ({m['virt']}), {m['mem_gib']} GiB, "
               f"Linux {m['kernel']}, DPDK {m['dpdk']}, {m['cc']}. "
               f"EAL memory: {m['hugepages']}. Load average before/after: "
               f"{m['load_before']} / {m['load_after']}. One worker on CPU {m['core']}; "
               f"each figure is {doc['runs']} runs of {doc['seconds']} s, min/median/max. "
               f"Cycles are TSC cycles ({doc.get('tsc_ghz', '?')} GHz). CPU share: the "
               f"lowest share of wall time the benchmark thread got in any run of the row "
               f"(other processes took the rest); the last column divides by CPU time instead "
               f"of wall time.")
    out.append("")
    out.append("| scenario | flows | Mpps min / **median** / max | ns/pkt | cycles/pkt "
               "| parse+tx ceiling Mpps | **ratio** | net_ring Mpps | ratio | out/in | CPU share "
               "| Mpps per CPU-second (ceiling, ratio) |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in pps_rows(doc["results"]):
        name = r["scenario"] + (" (sw cksum)" if r.get("cksum") == "software" else "")
        rr = r.get("ring_ratio")
        ring_ratio = "-" if rr is None else "%.0f%%" % (100 * rr)
        out.append(
            f"| {name} | {r['flows']:,} | {fmt(r['mpps_min'])} / **{fmt(r['mpps'])}** / "
            f"{fmt(r['mpps_max'])} | {fmt(r['ns_per_pkt'], 0)} | {fmt(r['cycles_per_pkt'], 0)} "
            f"| {fmt(r['ceiling_mpps'])} | **{100 * r['ratio']:.0f}%** "
            f"| {fmt(r.get('ring_mpps'))} | "
            f"{ring_ratio} "
            f"| {fmt(r['out_per_pkt'])} | {100 * r.get('cpu_share_min', 1):.0f}% "
            f"| {fmt(r.get('mpps_cpu'))} ({fmt(r.get('ceiling_mpps_cpu'))}, "
            f"{100 * r.get('ratio_cpu', 0):.0f}%) |")
    mem = [r for r in doc["results"] if r.get("bench") == "mem"]
    if mem:
        out.append("")
        out.append("| memory | flows | bytes per idle connection min / **median** / max "
                   "| TCB bytes | **ratio** to the TCB | open rate (conn/s) |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for r in mem:
            out.append(
                f"| idle established | {r['flows']:,} | {r['bytes_per_conn_min']:.0f} / "
                f"**{r['bytes_per_conn']:.0f}** / {r['bytes_per_conn_max']:.0f} | "
                f"{r['tcb_bytes']} | **{r['ratio']:.2f}** | {r['conn_per_s']:,.0f} |")
    conn = [r for r in doc["results"] if r.get("bench") == "conn"]
    if conn:
        out.append("")
        out.append("| conn (tern client + tern http server) | layout | concurrency | answer bytes "
                   "| req/s min / **median** / max | req/s per core | p50 / p99 / p999 µs "
                   "| cycles per request | Linux on the same cores, loopback req/s "
                   "| **ratio** tern/Linux | Linux, veth req/s | **ratio** tern/veth |")
        out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                   "| ---: |")
        for r in conn:
            out.append(conn_row(r))
    proxy = [r for r in doc["results"] if r.get("bench") == "proxy"]
    if proxy:
        out += proxy_table(proxy)
    out.append("")
    out.append("![Mpps per flow count](pps.png)")
    if conn:
        out.append("")
        out.append("![tern vs Linux, requests per second per core](conn.png)")
    return "\n".join(out)


def update_readme(path, text):
    with open(path) as f:
        s = f.read()
    if START not in s or END not in s:
        sys.exit(f"{path}: markers {START} / {END} not found")
    pre, rest = s.split(START, 1)
    _, post = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(pre + START + "\n" + text + "\n" + END + post)


def chart(doc, png):
    if shutil.which("gnuplot") is None:
        print("report.py: gnuplot not found, no chart", file=sys.stderr)
        return
    rows = [r for r in pps_rows(doc["results"]) if r.get("cksum") == "offload"]
    scen = [s for s in ORDER if any(r["scenario"] == s for r in rows)]
    with tempfile.TemporaryDirectory() as d:
        plots = []
        for i, s in enumerate(scen):
            fn = os.path.join(d, f"{s}.dat")
            with open(fn, "w") as f:
                for r in sorted((r for r in rows if r["scenario"] == s), key=lambda r: r["flows"]):
                    f.write(f"{r['flows']} {r['mpps']} {r['mpps_min']} {r['mpps_max']} "
                            f"{r['ceiling_mpps']}\n")
            plots.append(f"'{fn}' using 1:2:3:4 with yerrorlines lw 2 pt 7 lc {i + 1} "
                         f"title '{s}'")
            if s == "data64":
                plots.append(f"'{fn}' using 1:5 with lines dt 2 lw 1 lc {i + 1} "
                             f"title 'data64 no-TCP ceiling'")
        gp = os.path.join(d, "plot.gp")
        with open(gp, "w") as f:
            f.write(f"""set terminal pngcairo size 900,520 font ',10'
set output '{png}'
set title 'tern, one worker in memory: Mpps per flow count ({doc['date']}, {doc['commit']})'
set logscale x 10
set xrange [0.5:2000000]
set xlabel 'established flows'
set ylabel 'Mpps (median of {doc['runs']}, bars: min-max)'
set logscale y 2
set grid
set key outside right
plot {', '.join(plots)}
""")
        subprocess.run(["gnuplot", gp], check=True)


def conn_chart(doc, png):
    rows = [r for r in doc["results"] if r.get("bench") == "conn" and r["bytes"] < 65536]
    if not rows or shutil.which("gnuplot") is None:
        return
    with tempfile.TemporaryDirectory() as d:
        fn = os.path.join(d, "conn.dat")
        with open(fn, "w") as f:
            for r in rows:
                cores = r.get("cores", 1)
                label = f"{r['scenario']}, {cores} core{'s' if cores > 1 else ''}"
                f.write(f"\"{label}\" {r['rate'] / cores} {r['linux_rate'] / cores} "
                        f"{(r.get('linux_veth_rate') or 0) / cores}\n")
        veth = (", '' using 4 title 'Linux (client + server, veth)'"
                if any(r.get("linux_veth_rate") for r in rows) else "")
        gp = os.path.join(d, "conn.gp")
        with open(gp, "w") as f:
            f.write(f"""set terminal pngcairo size 760,420 font ',10'
set output '{png}'
set title 'requests per second per core: tern vs Linux ({doc['date']}, {doc['commit']})'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'requests per second per core (median)'
set logscale y 10
set yrange [1000:*]
set grid y
plot '{fn}' using 2:xtic(1) title 'tern (client + server)', \\
     '' using 3 title 'Linux (client + server, loopback)'{veth}
""")
        subprocess.run(["gnuplot", gp], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--readme")
    ap.add_argument("--png")
    a = ap.parse_args()
    with open(a.results) as f:
        doc = json.load(f)
    doc["file"] = a.results
    text = table(doc)
    if a.readme:
        update_readme(a.readme, text)
    else:
        print(text)
    if a.png:
        chart(doc, a.png)
        conn_chart(doc, os.path.join(os.path.dirname(a.png), "conn.png"))


if __name__ == "__main__":
    main()
