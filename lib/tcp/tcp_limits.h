/*
 * What a connection table does at its limits (lib/tcp internal): the
 * oldest TIME-WAIT connection gives its TCB to a new one when none is
 * free (as Linux's TIME-WAIT buckets give way), and optional caps on the
 * connections one listener and one source address may hold per worker,
 * so one client cannot take the table from everyone else.
 */
#ifndef TERN_TCP_LIMITS_H
#define TERN_TCP_LIMITS_H

struct tcp_worker;
struct tcp_listener;
struct tcb;
struct tcp_seg;

int tcp_limits_init(struct tcp_worker *tw, int socket);
void tcp_limits_fini(struct tcp_worker *tw);

/* c enters TIME-WAIT (again: to the tail) / leaves it. */
void tcp_tw_link(struct tcp_worker *tw, struct tcb *c);
void tcp_tw_unlink(struct tcp_worker *tw, struct tcb *c);
/* Frees the oldest TIME-WAIT connection (TcpExtTWReclaimed). 0, or -1: none could go. */
int tcp_tw_reclaim(struct tcp_worker *tw);

/* 0 when l may take the connection s opens; -1 when a cap refuses it (counted: drop it). */
int tcp_limits_admit(struct tcp_worker *tw, const struct tcp_listener *l, const struct tcp_seg *s);
/* c came from l: it counts against l and its source address until it is freed. */
void tcp_limits_charge(struct tcp_worker *tw, struct tcp_listener *l, struct tcb *c);
/* c is being freed: what tcp_limits_charge counted is given back. */
void tcp_limits_release(struct tcp_worker *tw, struct tcb *c);
/* l goes away: its connections stop counting against its slot. */
void tcp_limits_forget_listener(struct tcp_worker *tw, const struct tcp_listener *l);

#endif
