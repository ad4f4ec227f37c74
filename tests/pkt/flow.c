#include <string.h>

#include "flow.h"

void
flow_init(struct flow *f, uint16_t lport)
{
	memset(f, 0, sizeof(*f));
	f->lport = lport;
	f->rport = REMOTE_PORT;
}

void
flow_learn_local_isn(struct flow *f, uint32_t script_isn, uint32_t live_isn)
{
	f->have_local_isn = 1;
	f->isn_may_change = 0;
	f->script_local_isn = script_isn;
	f->live_local_isn = live_isn;
}

void
flow_forget_local_isn(struct flow *f)
{
	f->have_local_isn = 0;
}

void
flow_learn_remote_isn(struct flow *f, uint32_t isn, int bare_syn)
{
	if (bare_syn && f->have_remote_isn && f->remote_isn != isn)
		f->isn_may_change = 1;
	f->have_remote_isn = 1;
	f->remote_isn = isn;
}

uint32_t
flow_local_to_script(const struct flow *f, uint32_t live)
{
	return f->have_local_isn ? live - f->live_local_isn + f->script_local_isn : live;
}

uint32_t
flow_local_to_live(const struct flow *f, uint32_t script)
{
	return f->have_local_isn ? script - f->script_local_isn + f->live_local_isn : script;
}

void
flow_learn_ts(struct flow *f, uint32_t script_val, uint32_t live_val)
{
	if (!f->have_first_ts) {
		f->have_first_ts = 1;
		f->first_script_ts = script_val;
		f->first_live_ts = live_val;
	}
	for (int i = 0; i < f->nts; i++)
		if (f->ts[i].script == script_val) {
			f->ts[i].live = live_val;
			return;
		}
	f->ts[f->ts_next].script = script_val;
	f->ts[f->ts_next].live = live_val;
	f->ts_next = (f->ts_next + 1) % FLOW_TS_MAP;
	if (f->nts < FLOW_TS_MAP)
		f->nts++;
}

uint32_t
flow_ecr_to_live(const struct flow *f, uint32_t script_ecr)
{
	for (int i = 0; i < f->nts; i++)
		if (f->ts[i].script == script_ecr)
			return f->ts[i].live;
	return script_ecr;
}

uint32_t
flow_ts_to_script(const struct flow *f, uint32_t live_val)
{
	return f->have_first_ts ? live_val - f->first_live_ts + f->first_script_ts : live_val;
}

void
flow_sent(struct flow *f, uint32_t live_seq, uint32_t len)
{
	f->have_last_out = 1;
	f->last_out_seq = live_seq;
	f->last_out_len = len;
}

uint64_t
flow_out_offset(const struct flow *f, uint32_t live_seq)
{
	return (uint32_t)(live_seq - f->live_local_isn - 1);
}

uint64_t
flow_in_offset(const struct flow *f, uint32_t seq, int syn)
{
	uint32_t first = f->have_remote_isn ? f->remote_isn + 1 : 0;

	return (uint32_t)(seq + (syn ? 1 : 0) - first);
}
