/*
 * A backend's Maglev table from its servers' weights. Workers build the
 * first one at start, the control side every one after; both through this
 * function, so the same servers give the same table. Servers are named by
 * ADDRESS:PORT, so every appliance with the same servers (whatever their
 * names in the configuration) maps a client to the same server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "proxy_internal.h"

int
proxy_maglev_build(struct maglev_table *t, const struct proxy_backend_cfg *bc,
		   const uint32_t *weights)
{
	struct maglev_backend *mb = calloc(bc->nservers, sizeof(*mb));
	char (*names)[24] = calloc(bc->nservers, sizeof(*names));
	int primaries = 0, rc = -ENOMEM;

	for (unsigned i = 0; i < bc->nservers; i++)
		primaries |= weights[i] > 0 && !bc->servers[i].backup;
	for (unsigned i = 0; mb != NULL && names != NULL && i < bc->nservers; i++) {
		const struct proxy_server_cfg *s = &bc->servers[i];

		snprintf(names[i], sizeof(names[i]), "%u.%u.%u.%u:%u", s->addr >> 24,
			 (s->addr >> 16) & 255, (s->addr >> 8) & 255, s->addr & 255, s->port);
		mb[i].name = names[i];
		/* Backups take slots only when no primary server is up (HAProxy's rule). */
		mb[i].weight = s->backup == !primaries ? weights[i] : 0;
	}
	if (mb != NULL && names != NULL)
		rc = maglev_build(t, bc->maglev_size, mb, bc->nservers);
	free(mb);
	free(names);
	return rc;
}
