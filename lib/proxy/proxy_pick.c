/* Choosing a server for a session: Maglev, or the balance of lib/proxy/balance.c. */
#include "proxy_internal.h"

void
server_refresh_weights(struct proxy_backend *b)
{
	for (unsigned i = 0; i < b->cfg->nservers; i++)
		b->bal_srv[i].weight = b->srv[i].state == PROXY_SRV_UP ? b->srv[i].weight : 0;
}

static int
server_full(const struct proxy_server *srv)
{
	return srv->maxconn != 0 && srv->conns >= srv->maxconn;
}

static int
server_usable(const struct proxy_backend *b, int i)
{
	return i >= 0 && (unsigned)i < b->cfg->nservers && b->bal_srv[i].weight > 0;
}

/* A non-backup server is up: backups stay out, even when every primary is full. */
static int
primary_up(const struct proxy_backend *b)
{
	for (unsigned k = 0; k < b->cfg->nservers; k++)
		if (b->bal_srv[k].weight > 0 && !b->bal_srv[k].backup)
			return 1;
	return 0;
}

/*
 * balance_pick over the servers that can take a connection now (not full,
 * not excluded); when every usable one is full, the one to queue on. As in
 * HAProxy, full primaries make a session wait, not go to a backup.
 */
static int
pick_balanced(struct proxy_backend *b, int exclude)
{
	uint32_t saved[PROXY_MAX_SERVERS];
	unsigned n = b->cfg->nservers;
	int no_backups = primary_up(b);
	int i;

	for (unsigned k = 0; k < n; k++) {
		saved[k] = b->bal_srv[k].weight;
		if ((int)k == exclude || server_full(&b->srv[k]) ||
		    (no_backups && b->bal_srv[k].backup))
			b->bal_srv[k].weight = 0;
	}
	for (unsigned k = 0; k < n; k++)
		b->bal_srv[k].conns = b->srv[k].conns;
	i = balance_pick(&b->bal);
	for (unsigned k = 0; k < n; k++)
		b->bal_srv[k].weight = saved[k];
	if (i < 0 && exclude >= 0)
		return pick_balanced(b, -1); /* nothing else: the failed server again */
	if (i < 0)
		i = balance_pick(&b->bal); /* all full: queue on the one balance names */
	return i;
}

static uint64_t
maglev_key(const struct proxy_backend *b, const struct proxy_sess *s)
{
	if (b->cfg->maglev_key == PROXY_KEY_TUPLE)
		return maglev_hash_tuple(s->caddr, s->vaddr, s->cport, s->vport);
	return maglev_hash_addr(s->caddr);
}

int
pick_server(struct proxy_worker *pw, struct proxy_sess *s, int exclude)
{
	struct proxy_backend *b = &pw->be[s->be];

	if (b->cfg->balance == PROXY_BAL_MAGLEV && b->maglev != NULL) {
		uint16_t i = maglev_lookup(b->maglev, maglev_key(b, s));

		/* The table may lag a state change by a broadcast: then balance instead. */
		if (i != MAGLEV_NONE && (int)i != exclude && server_usable(b, i))
			return i;
	}
	return pick_balanced(b, exclude);
}

void
queue_remove(struct proxy_server *srv, struct proxy_sess *s)
{
	struct proxy_sess **pp = &srv->qhead, *prev = NULL;

	while (*pp != NULL && *pp != s) {
		prev = *pp;
		pp = &(*pp)->qnext;
	}
	if (*pp == NULL)
		return;
	*pp = s->qnext;
	if (srv->qtail == s)
		srv->qtail = prev;
	s->qnext = NULL;
	srv->qlen--;
	srv->st.qcur--;
}
