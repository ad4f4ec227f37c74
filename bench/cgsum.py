#!/usr/bin/env python3
"""Summarises a callgrind profile of tern-bench per packet: instructions
(and, when the profile was taken with --cache-sim=yes, D1/LL misses and
estimated cycles Ir + 10*L1 misses + 100*LL misses) by stage of the
receive path, from the call edges of the profile.

usage: cgsum.py CALLGRIND.OUT PACKETS [--top N]

Stages (inclusive costs of call edges, so they do not overlap):
  gen      the simulated client: measure -> gen_burst, gen_rst_burst
  parse    Ethernet/IPv4 (net_rx_burst), TCP header and checksum
           (tcp_segment_valid), options (tcp_input[_burst] -> tcp_opts_parse)
  lookup   tcp_input[_burst] -> tcp_flow_lookup[_segs] (rte_hash, bulk per burst)
  TCB      the rest of tcp_input: state machine, ACK and data processing,
           RTT, congestion control, send/receive queues, timers armed
  output   tcb_leave -> tcp_output, tcp_send_segment (segment build,
           options, IPv4/Ethernet, ARP lookup, checksum set-up)
  app      tcb_leave -> the application's callbacks
  tx       tern_worker_flush (the tx_hook: count and free)
  tick     stack_tick: timer wheel (timers that fire, and what they send)
"""
import re
import sys
from collections import defaultdict

APP = {"source_fill", "source_data", "discard_data", "discard_peer_fin"}
DIRECT_SENDS = {"tcp_send_syn", "tcp_send_rst_reply", "tcp_send_challenge_ack", "tcp_send_rst",
                "tcp_send_segment", "tcp_send_ack"}
INPUT_FNS = {"tcp_input", "tcp_input_burst", "input_one", "tcp_fast_input", "tcp_input_listen", "tcp_input_sync", "tcp_input_syn_sent",
             "tcp_process_ack", "tcp_process_data", "tcp_process_fin", "tcp_drop"}


def parse(path):
    events = []
    names = {}
    self_cost = defaultdict(lambda: None)
    edges = defaultdict(lambda: None)    # (caller, callee) -> inclusive costs
    fn = cfn = None
    pending_call = False

    def name_of(spec):
        m = re.match(r"\((\d+)\)(?:\s+(.*))?", spec)
        if not m:
            return spec.strip()
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        return names.get(m.group(1), m.group(1))

    def add(d, key, vals):
        cur = d[key]
        if cur is None:
            d[key] = list(vals)
        else:
            for i, v in enumerate(vals):
                cur[i] += v

    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
                continue
            if line.startswith("fn="):
                fn = name_of(line[3:])
                continue
            if line.startswith("cfn="):
                cfn = name_of(line[4:])
                continue
            if line.startswith("calls="):
                pending_call = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            parts = line.split()
            vals = [int(x) for x in parts[1:]] + [0] * (len(events) - len(parts) + 1)
            if pending_call:
                add(edges, (fn, cfn), vals)
                pending_call = False
            elif fn is not None:
                add(self_cost, fn, vals)
    return events, self_cost, edges


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, packets = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--top" else 15
    events, self_cost, edges = parse(path)
    n = len(events)

    def edge(caller, *callees):
        callers = (caller,) if isinstance(caller, str) else caller
        tot = [0] * n
        for (a, b), v in edges.items():
            if (caller is None or any(a == c or a.startswith(c + ".") for c in callers)) and \
               any(b == c or b.startswith(c + ".") for c in callees):
                tot = [x + y for x, y in zip(tot, v)]
        return tot

    def sub(a, *bs):
        return [x - sum(b[i] for b in bs) for i, x in enumerate(a)]

    total = edge("run_one", "measure")
    gen = edge("measure", "gen_burst", "gen_rst_burst")
    parse_l23 = edge("stack_rx", "net_rx_burst")
    rx = ("stack_rx", "tcp_deliver_burst")
    tcp_fns = ("tcp_input", "tcp_input_burst", "input_one")
    parse_tcp = edge(rx, "tcp_segment_valid")
    tcp_in = edge(rx, "tcp_input", "tcp_input_burst")
    opts = edge(tcp_fns, "tcp_opts_parse")
    lookup = edge(tcp_fns, "tcp_flow_lookup", "tcp_flow_lookup_segs")
    leave_in = edge(tcp_fns, "tcb_leave")
    # tcb_leave is also entered from timers and the API; split its cost in the input path
    # by the shares of output and app in all of tcb_leave.
    leave_all = [x + y for x, y in zip(edge(None, "tcb_leave"), [0] * n)]
    out_all = edge("tcb_leave", "tcp_output")
    app_all = [0] * n
    for (a, b), v in edges.items():
        if (a == "tcb_leave" or a.startswith("tcb_leave.")) and b in APP:
            app_all = [x + y for x, y in zip(app_all, v)]
    share = [(leave_in[i] / leave_all[i]) if leave_all[i] else 0 for i in range(n)]
    output = [out_all[i] * share[i] for i in range(n)]
    # Segments input sends itself (SYN,ACK, RST, challenge ACK), not through tcp_output.
    for (a, b), v in edges.items():
        if b in DIRECT_SENDS and a.split(".")[0] in INPUT_FNS:
            output = [x + y for x, y in zip(output, v)]
    app = [app_all[i] * share[i] for i in range(n)]
    tcb = sub(tcp_in, opts, lookup, output, app)
    # The loop is tern_worker_poll (reached from measure through bench_loop).
    tx = edge(("measure", "tern_worker_poll"), "tern_worker_flush")
    tick = edge(("measure", "tern_worker_poll"), "stack_tick")
    stages = [("gen (client)", gen), ("parse", [a + b + c for a, b, c in
                                                zip(parse_l23, parse_tcp, opts)]),
              ("lookup", lookup), ("TCB", tcb), ("output", output), ("app", app),
              ("tx", tx), ("tick/timers", tick)]
    known = [sum(s[1][i] for s in stages) for i in range(n)]
    stages.append(("other", [total[i] - known[i] for i in range(n)]))

    ix = {e: i for i, e in enumerate(events)}
    cols = [("Ir", "instr")]
    est = None
    if all(e in ix for e in ("D1mr", "D1mw", "DLmr", "DLmw")):
        def est_of(v):
            return v[ix["Ir"]] + 10 * (v[ix["D1mr"]] + v[ix["D1mw"]]) + \
                100 * (v[ix["DLmr"]] + v[ix["DLmw"]])
        est = est_of
    print(f"per packet ({packets} packets in the profile):")
    hdr = f"  {'stage':<14} {'instr':>7} {'share':>6}"
    if est:
        hdr += f" {'D1 miss':>8} {'LL miss':>8} {'est.cyc':>8} {'share':>6}"
    print(hdr)
    for name, v in stages + [("total", total)]:
        line = f"  {name:<14} {v[ix['Ir']] / packets:7.0f} {100 * v[ix['Ir']] / total[ix['Ir']]:5.1f}%"
        if est:
            d1 = (v[ix["D1mr"]] + v[ix["D1mw"]]) / packets
            ll = (v[ix["DLmr"]] + v[ix["DLmw"]]) / packets
            line += f" {d1:8.2f} {ll:8.3f} {est(v) / packets:8.0f} " \
                    f"{100 * est(v) / est(total):5.1f}%"
        print(line)
    print(f"top {top} functions by self instructions per packet:")
    ranked = sorted(((k, v) for k, v in self_cost.items() if v), key=lambda kv: -kv[1][0])
    for k, v in ranked[:top]:
        line = f"  {v[ix['Ir']] / packets:8.1f}  {k}"
        if est:
            line += f"  (est. cycles {est(v) / packets:.0f})"
        print(line)


if __name__ == "__main__":
    main()
