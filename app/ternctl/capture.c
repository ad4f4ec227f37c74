/* ternctl capture: packets to pcapng (not yet: written next). */
#include "tctl.h"

int
tctl_capture(struct tctl *t, int argc, char **argv)
{
	(void)t;
	(void)argc;
	(void)argv;
	fprintf(stderr, "ternctl: capture is not built yet\n");
	return 1;
}
