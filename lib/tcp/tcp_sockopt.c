/* Socket-option style settings of one connection (see tcp_sockopt.h). */
#include <errno.h>

#include "tcp_internal.h"
#include "tcp_sockopt.h"

void
tern_sockopt_bufs(struct tcb *c, uint32_t rcvbuf, uint32_t sndbuf)
{
	if (c->state == TCPS_CLOSED)
		return;
	tcb_enter(c);
	tcp_autotune_lock(tcp_worker_of(c), c);
	if (rcvbuf != 0)
		c->rcvbuf = rcvbuf;
	if (sndbuf != 0)
		c->sndbuf = sndbuf;
	tcb_leave(tcp_worker_of(c), c); /* a larger window may be worth an update */
}

void
tern_sockopt_nodelay(struct tcb *c, int on)
{
	tern_set_nodelay(c, on);
	if (c->state == TCPS_CLOSED)
		return;
	tcb_enter(c);
	tcb_leave(tcp_worker_of(c), c);
}

void
tern_sockopt_maxseg(struct tcb *c, uint16_t mss)
{
	if (mss >= 64 && mss < c->mss)
		c->mss = mss;
	if (mss >= 64 && mss < c->mss_offer)
		c->mss_offer = mss;
}

void
tern_sockopt_keepalive(struct tcb *c)
{
	if (c->state == TCPS_ESTABLISHED)
		tcp_keep_restart(tcp_worker_of(c), c);
}

uint8_t
tern_wscale_for(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WSCALE && (rcvbuf >> s) > 65535)
		s++;
	return s;
}
