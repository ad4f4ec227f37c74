/* Small helpers shared by the telemetry commands, and their registration. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ctl_internal.h"

int
ctl_error(struct rte_tel_data *d, const char *fmt, ...)
{
	char msg[RTE_TEL_MAX_STRING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

unsigned
ctl_params(const char *params, char *buf, size_t len, char **words, unsigned max)
{
	unsigned n = 0;
	char *save = NULL;

	snprintf(buf, len, "%s", params != NULL ? params : "");
	for (char *t = strtok_r(buf, ",", &save); t != NULL && n < max; t = strtok_r(NULL, ",", &save))
		words[n++] = t;
	return n;
}

int
ctl_number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ctl_register_commands(void)
{
	int rc = 0;

	rc |= ctl_register_stats();
	rc |= ctl_register_conns();
	rc |= ctl_register_proxy();
	rc |= ctl_register_capture();
	return rc != 0 ? -1 : 0;
}
