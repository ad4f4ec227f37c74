/*
 * Session timeouts, HAProxy's: client and server inactivity (and their
 * half-closed variants), tunnel inactivity, connect and queue. One timer
 * per session, filed at its earliest deadline; activity only updates the
 * tick of the leg's last activity, and a timer that fires early is filed
 * again at the deadline that activity moved (no wheel work per packet).
 */
#include <stdint.h>

#include <rte_common.h>

#include "proxy_internal.h"

#define NEVER UINT64_MAX

static uint64_t
ticks(uint32_t ms)
{
	return (uint64_t)ms * 1000 / PROXY_TICK_US;
}

/* An open session's idle deadline; *leg is the side whose inactivity it is. */
static uint64_t
idle_deadline(const struct proxy_worker *pw, const struct proxy_sess *s, int *leg)
{
	const struct proxy_frontend_cfg *fc = pw->fe[s->fe].cfg;
	const struct proxy_backend_cfg *bc = pw->be[s->be].cfg;
	int half_c = s->fin[LEG_CLIENT] || s->shut[LEG_CLIENT];
	int half_s = s->fin[LEG_SERVER] || s->shut[LEG_SERVER];
	uint32_t cms = half_c && fc->client_fin_ms ? fc->client_fin_ms : fc->client_ms;
	uint32_t sms = half_s && bc->server_fin_ms ? bc->server_fin_ms : bc->server_ms;
	uint64_t dc = s->alive[LEG_CLIENT] ? s->last[LEG_CLIENT] + ticks(cms) : NEVER;
	uint64_t ds = s->alive[LEG_SERVER] ? s->last[LEG_SERVER] + ticks(sms) : NEVER;

	if (bc->tunnel_ms != 0 && !half_c && !half_s) {
		/* A tunnel: idle in both directions. */
		*leg = s->last[LEG_CLIENT] <= s->last[LEG_SERVER] ? LEG_CLIENT : LEG_SERVER;
		return RTE_MAX(s->last[LEG_CLIENT], s->last[LEG_SERVER]) + ticks(bc->tunnel_ms);
	}
	*leg = dc <= ds ? LEG_CLIENT : LEG_SERVER;
	return RTE_MIN(dc, ds);
}

/* When the session's current state times out (in ticks), and on which side. */
static uint64_t
deadline(const struct proxy_worker *pw, const struct proxy_sess *s, int *leg)
{
	*leg = LEG_CLIENT;
	switch (s->state) {
	case SESS_NEW:
	case SESS_WAIT_HDR:
		return s->since + ticks(pw->fe[s->fe].cfg->client_ms);
	case SESS_QUEUED:
		return s->since + ticks(pw->be[s->be].cfg->queue_ms);
	case SESS_CONNECTING:
		*leg = LEG_SERVER;
		return s->since + ticks(pw->be[s->be].cfg->connect_ms);
	case SESS_OPEN:
		return idle_deadline(pw, s, leg);
	default:
		return NEVER;
	}
}

void
sess_timer_arm(struct proxy_worker *pw, struct proxy_sess *s)
{
	int leg;
	uint64_t d = deadline(pw, s, &leg);

	if (d == NEVER) {
		wheel_cancel(&pw->wheel, &s->timer);
		return;
	}
	if (!wheel_armed(&s->timer) || s->timer.expire > d)
		wheel_arm(&pw->wheel, &s->timer, d);
}

static void
timed_out(struct proxy_worker *pw, struct proxy_sess *s, int leg)
{
	struct tcb *c;

	switch (s->state) {
	case SESS_QUEUED:
		CNT_INC(pw->cnt, ProxyQueueTimeouts);
		break;
	case SESS_CONNECTING:
		/* An attempt that takes too long fails like a refused one: retried. */
		if ((c = sess_leg(pw, s, LEG_SERVER)) != NULL) {
			tern_abort(c);
			return;
		}
		break;
	default:
		if (leg == LEG_CLIENT)
			CNT_INC(pw->cnt, ProxyClientTimeouts);
		else
			CNT_INC(pw->cnt, ProxyServerTimeouts);
		break;
	}
	pw->fe[s->fe].st.timeouts++;
	pw->be[s->be].st.timeouts++;
	sess_abort(pw, s);
}

void
proxy_timer_expired(struct timer_wheel *wheel, struct wheel_timer *t, void *ctx)
{
	struct proxy_worker *pw = ctx;
	struct proxy_sess *s = (struct proxy_sess *)((char *)t - offsetof(struct proxy_sess, timer));
	int leg;
	uint64_t d;

	(void)wheel;
	if (t->tag == CHECK_TAG) {
		check_timer(pw, t);
		return;
	}
	d = deadline(pw, s, &leg);
	if (d == NEVER)
		return;
	if (d > pw->tick) {
		wheel_arm(&pw->wheel, t, d); /* activity moved it since it was filed */
		return;
	}
	sess_enter(s);
	timed_out(pw, s, leg);
	sess_leave(pw, s);
}
