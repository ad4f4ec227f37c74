/* Prometheus: /metrics over a kernel socket of the main lcore ([ctl] metrics). Not yet built. */
#include "ctl_internal.h"

int
ctl_metrics_open(struct ctl *c)
{
	c->metrics = NULL;
	return 0;
}

void
ctl_metrics_poll(struct ctl *c)
{
	(void)c;
}

void
ctl_metrics_close(struct ctl *c)
{
	(void)c;
}
