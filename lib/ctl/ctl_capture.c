/* Packet capture to pcapng: the writer on the main lcore. Not yet built. */
#include "ctl_internal.h"

int
ctl_register_capture(void)
{
	return 0;
}

void
ctl_capture_poll(struct ctl *c)
{
	(void)c;
}

void
ctl_capture_close(struct ctl *c)
{
	(void)c;
}
