#!/usr/bin/env bash
# Everything goes back: after a mixed load (ab -k, ab without -k, parallel
# echo and discard transfers, clients that reset connections while tern still
# has data queued both ways) and the end of TIME-WAIT ([tcp] msl_ms = 500):
#   - TcpCurrEstab is 0;
#   - the TCB pool is whole: as many new connections as the pool can hold
#     less a margin are all accepted at once (TIME-WAIT TCBs that never came
#     back would leave too few; TcpExtTcbExhausted stays 0);
#   - on SIGTERM every mbuf pool is back to its start value.
# Round 1 runs one worker, round 2 two workers (one pool each).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tcp_common.sh"

MAXC=2048  # TCBs per worker
ns_create
MiB=$((1 << 20))
random_file "$TMPD/src4" $((4 * MiB))
random_file "$TMPD/src16" $((16 * MiB))
src4_sha=$(sha_file "$TMPD/src4")

# round WORKERS
round() {
	local w=$1 conf pids=() i rc many want_many
	conf=$(svc_conf "pools$w" "
[tcp]
msl_ms = 500
max_connections = $MAXC")
	sed -i "s/^workers = 1$/workers = $w/" "$conf"
	tern_start "$conf"
	ping_until_reply
	log "round $w: mixed load"

	# ab -k, ab without -k (tern closes first: TIME-WAIT in tern), echo,
	# discard and the resetting clients, all at once.
	ns_exec timeout 60 ab -q -s 10 -k -n 5000 -c 50 "http://$TERN_ADDR/bytes/1000" >"$TMPD/abk.$w" 2>&1 &
	pids+=($!)
	ns_exec timeout 60 ab -q -s 10 -n 1500 -c 20 "http://$TERN_ADDR/" >"$TMPD/ab.$w" 2>&1 &
	pids+=($!)
	for i in 1 2 3 4; do
		ns_exec timeout 60 nc -N "$TERN_ADDR" "$ECHO_PORT" <"$TMPD/src4" >"$TMPD/echo.$w.$i" &
		pids+=($!)
	done
	ns_exec timeout 60 nc -N "$TERN_ADDR" "$DISCARD_PORT" <"$TMPD/src16" >/dev/null &
	pids+=($!)
	pyc abort "$TERN_ADDR" "$HTTP_PORT" "$ECHO_PORT" 5 >"$TMPD/abort.$w" 2>&1 &
	pids+=($!)
	IT_PIDS+=("${pids[@]}")
	rc=0
	for i in "${pids[@]}"; do wait "$i" || rc=$((rc + 1)); done
	assert_eq "$rc" 0 "round $w: load clients that failed"
	assert_eq "$(sed -n 's/^Failed requests: *//p' "$TMPD/abk.$w")" 0 "round $w: ab -k failed requests"
	assert_eq "$(sed -n 's/^Complete requests: *//p' "$TMPD/abk.$w")" 5000 "round $w: ab -k complete requests"
	assert_eq "$(sed -n 's/^Failed requests: *//p' "$TMPD/ab.$w")" 0 "round $w: ab failed requests"
	assert_eq "$(sed -n 's/^Complete requests: *//p' "$TMPD/ab.$w")" 1500 "round $w: ab complete requests"
	for i in 1 2 3 4; do
		[ "$(sha_file "$TMPD/echo.$w.$i")" = "$src4_sha" ] || fail "round $w: echo transfer $i differs"
	done
	assert_match "$(cat "$TMPD/abort.$w")" 'aborted=5' "round $w: resetting clients"

	# TIME-WAIT lasts 2 * msl_ms = 1 s.
	sleep 1.5
	assert_estab_zero 10
	tcp_counters_now
	log "round $w: $(tcp_summary) TcpExtTW=$(counter TcpExtTW) TcpEstabResets=$(counter TcpEstabResets)"
	assert_ge "$(counter TcpExtTW)" 1500 "round $w: connections that went through TIME-WAIT in tern"
	assert_gt "$(counter TcpEstabResets)" 0 "round $w: connections reset by the clients"

	# The TCB pool: 7/8 of it at once, per worker.
	want_many=$((MAXC * w * 7 / 8))
	rm -f "$TMPD/go.$w"
	pyc many "$TERN_ADDR" "$ECHO_PORT" "$want_many" "$TMPD/go.$w" >"$TMPD/many.$w" 2>&1 &
	many=$!
	IT_PIDS+=("$many")
	for _ in $(seq 1 200); do grep -q connected= "$TMPD/many.$w" && break; sleep 0.1; done
	assert_match "$(cat "$TMPD/many.$w")" "connected=$want_many failed=0" \
		"round $w: $want_many connections at once after the load"
	tcp_counters_now
	assert_eq "$(counter TcpCurrEstab)" "$want_many" "round $w: TcpCurrEstab while they are held"
	assert_eq "$(counter TcpExtTcbExhausted)" 0 "round $w: TcpExtTcbExhausted"
	touch "$TMPD/go.$w"
	wait "$many" || true
	assert_estab_zero 10

	tern_stop
	assert_clean_exit
	assert_eq "$(grep -c '^mbufs: pool ' "$TERN_LOG")" "$w" "round $w: pools reported at exit"
	grep '^mbufs: pool ' "$TERN_LOG" | while read -r line; do log "round $w: $line"; done
}

round 1
round 2
pass
