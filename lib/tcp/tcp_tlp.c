/*
 * Tail loss probe (RFC 8985 §7): when the last segments of a flight are
 * lost, no duplicate ACKs come and only the RTO would notice. After about
 * two RTTs of silence one segment is sent again, so its SACK (or ACK)
 * starts fast recovery instead, through RACK (tcp_rack.c) or DupThresh.
 */
#include "tcp_internal.h"

/* RFC 8985 §7.2: WCDelAckT, the worst-case delayed ACK wait of the peer. */
#define TLP_WC_DELACK_US 200000
#define TLP_MIN_US 10000

/* The probe timeout to arm instead of the RTO, or 0 when no probe is due. */
uint32_t
tcp_tlp_timeout(const struct tcp_worker *tw, const struct tcb *c, uint32_t rto_us)
{
	uint32_t srtt = c->rtt.srtt_us, pto;

	(void)tw;
	if (!(c->flags & TF_SACK) || !c->rtt.have_sample || !tcb_synchronized(c) ||
	    (c->flags & (TF_IN_RECOVERY | TF_AFTER_RTO | TF_TLP_SENT | TF_ZERO_WINDOW)) ||
	    c->snd_una == c->snd_max || c->rtx_count > 0)
		return 0;
	pto = 2 * srtt;
	/* One segment out: the peer may delay its ACK. */
	if (tcp_flight(c) <= c->mss)
		pto = RTE_MAX(pto, srtt + srtt / 2 + TLP_WC_DELACK_US);
	pto = RTE_MAX(pto, (uint32_t)TLP_MIN_US);
	return pto < rto_us ? pto : 0;
}

/* The probe: the highest segment sent goes again (§7.3, no new data case). */
void
tcp_tlp_fire(struct tcp_worker *tw, struct tcb *c)
{
	int fin = (c->flags & TF_FIN_SENT) && c->snd_max == c->snd_fin + 1;
	tcp_seq_t end = fin ? c->snd_fin : c->snd_max; /* end of the data sent */
	uint32_t len = RTE_MIN(RTE_MIN(tcp_cur_mss(tw, c), c->sndq.bytes), (uint32_t)(end - c->snd_una));

	c->flags |= TF_TLP_SENT;
	if (len > 0 || fin) {
		tcp_send_segment(tw, c, end - len, len, TCP_F_ACK | (fin ? TCP_F_FIN : 0));
		CNT_INC(tcp_cnt(tw), TcpExtTCPLossProbes);
		CNT_INC(tcp_cnt(tw), TcpRetransSegs); /* a retransmission, as Linux counts it */
		c->retransmits++;
		c->flags &= ~TF_RTT_TIMING; /* Karn */
	}
	tcp_rtx_arm(tw, c); /* now the real RTO (TF_TLP_SENT keeps the probe from re-arming) */
}
