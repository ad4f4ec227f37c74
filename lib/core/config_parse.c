/* Values of configuration keys, by type. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_common.h>
#include <rte_log.h>

#include "config_internal.h"

int
cfg_fail(struct cfg_ctx *p, const char *key, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (key != NULL)
		snprintf(p->err, p->errlen, "%s: [%s] %s: %s", p->path, p->section, key, what);
	else
		snprintf(p->err, p->errlen, "%s: [%s]: %s", p->path, p->section, what);
	return -1;
}

void
cfg_at(struct cfg_ctx *p, const char *section)
{
	snprintf(p->section, sizeof(p->section), "%s", section);
}

const char *
cfg_section_name(const struct cfg_ctx *p)
{
	return p->section;
}

int
cfg_given(const struct cfg_ctx *p, const char *key)
{
	return p->file != NULL && rte_cfgfile_has_entry(p->file, p->section, key);
}

int
cfg_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
cfg_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int
cfg_parse_addr_port(const char *s, uint32_t *addr, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char buf[32];
	uint64_t n;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, colon - s);
	buf[colon - s] = '\0';
	if (cfg_parse_ipv4(buf, addr) != 0 || cfg_parse_u64(colon + 1, &n) != 0 || n < 1 ||
	    n > 65535)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/* "A.B.C.D/N" */
static int
parse_cidr(const char *s, uint32_t *addr, uint32_t *prefix)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (cfg_parse_ipv4(buf, addr) != 0 || cfg_parse_u64(slash + 1, &n) != 0 || n < 1 || n > 32)
		return -1;
	*prefix = n;
	return 0;
}

/* A percentage with up to four decimals, stored as parts per million. */
static int
parse_ppm(const char *s, uint32_t *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 100.0))
		return -1;
	*out = (uint32_t)(v * 10000.0 + 0.5);
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (unsigned i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static const char *const log_levels[] = {
	[RTE_LOG_ERR] = "error", [RTE_LOG_WARNING] = "warning",
	[RTE_LOG_NOTICE] = "notice", [RTE_LOG_INFO] = "info",
	[RTE_LOG_DEBUG] = "debug",
};

static int
parse_loglevel(const char *s, uint32_t *out)
{
	for (unsigned i = 0; i < RTE_DIM(log_levels); i++)
		if (log_levels[i] != NULL && strcasecmp(s, log_levels[i]) == 0)
			return *out = i, 0;
	return -1;
}

/* The index of s in a NULL-terminated list, or -1. */
static int
choice_index(const char *const *choices, const char *s)
{
	for (int i = 0; choices != NULL && choices[i] != NULL; i++)
		if (strcmp(choices[i], s) == 0)
			return i;
	return -1;
}

/* "a, b or c" */
static void
choices_text(const char *const *choices, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; choices[i] != NULL && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i == 0 ? "" :
				 choices[i + 1] == NULL ? " or " : ", ", choices[i]);
}

void
cfg_key_expects(const struct cfg_key *k, char *buf, size_t len)
{
	char list[256];

	switch (k->type) {
	case CFG_UINT:
		snprintf(buf, len, "an integer from %" PRIu64 " to %" PRIu64, k->min, k->max);
		return;
	case CFG_MS_US:
		snprintf(buf, len, "milliseconds from %" PRIu64 " to %" PRIu64, k->min, k->max);
		return;
	case CFG_BOOL:
		snprintf(buf, len, "yes or no");
		return;
	case CFG_IPV4:
		snprintf(buf, len, "an IPv4 address like 198.18.0.1");
		return;
	case CFG_CIDR:
		snprintf(buf, len, "address/prefix like 198.18.0.1/24");
		return;
	case CFG_PPM:
		snprintf(buf, len, "a percentage from 0 to 100");
		return;
	case CFG_LOGLEVEL:
		snprintf(buf, len, "error, warning, notice, info or debug");
		return;
	case CFG_ENUM:
	case CFG_STR:
		if (k->choices != NULL) {
			choices_text(k->choices, list, sizeof(list));
			snprintf(buf, len, "%s", list);
		} else
			snprintf(buf, len, "a non-empty string under %" PRIu64 " characters", k->max);
		return;
	case CFG_FN:
		snprintf(buf, len, "%s", k->expects != NULL ? k->expects : "a value");
		return;
	}
	snprintf(buf, len, "?");
}

/* Parses v as k's type into field; 0 or -1 (the caller reports). */
static int
parse_typed(const struct cfg_key *k, const char *v, char *field)
{
	uint64_t n;
	int i;

	switch (k->type) {
	case CFG_UINT:
	case CFG_MS_US:
		if (cfg_parse_u64(v, &n) != 0 || n < k->min || n > k->max)
			return -1;
		*(uint32_t *)field = k->type == CFG_MS_US ? n * 1000 : n;
		return 0;
	case CFG_BOOL:
		return parse_bool(v, (int *)field);
	case CFG_STR:
		if (*v == '\0' || strlen(v) >= k->max ||
		    (k->choices != NULL && choice_index(k->choices, v) < 0))
			return -1;
		strcpy(field, v);
		return 0;
	case CFG_IPV4:
		return cfg_parse_ipv4(v, (uint32_t *)field);
	case CFG_CIDR:
		return parse_cidr(v, (uint32_t *)field, (uint32_t *)(field + sizeof(uint32_t)));
	case CFG_PPM:
		return parse_ppm(v, (uint32_t *)field);
	case CFG_LOGLEVEL:
		return parse_loglevel(v, (uint32_t *)field);
	case CFG_ENUM:
		if ((i = choice_index(k->choices, v)) < 0)
			return -1;
		*(uint32_t *)field = (uint32_t)i;
		return 0;
	case CFG_FN:
		return -1;
	}
	return -1;
}

int
cfg_parse_value(struct cfg_ctx *p, const struct cfg_key *k, const char *key, const char *value,
		void *obj)
{
	char expects[300];

	if (k->type == CFG_FN)
		return k->parse(p, key, value, obj);
	if (parse_typed(k, value, (char *)obj + k->off) == 0)
		return 0;
	cfg_key_expects(k, expects, sizeof(expects));
	return cfg_fail(p, key, "expected %s, got '%s'", expects, value);
}

const struct cfg_key *
cfg_key_find(const struct cfg_section *sec, const char *name)
{
	for (unsigned i = 0; i < sec->nkeys; i++) {
		const char *k = sec->keys[i].name;
		size_t len = strlen(k);

		if (strcmp(k, name) == 0)
			return &sec->keys[i];
		if (len >= 2 && strcmp(k + len - 2, ".*") == 0 && strncmp(k, name, len - 1) == 0 &&
		    name[len - 1] != '\0')
			return &sec->keys[i];
	}
	return NULL;
}

int
cfg_apply_defaults(struct cfg_ctx *p, const struct cfg_section *sec, void *obj)
{
	for (unsigned i = 0; i < sec->nkeys; i++) {
		const struct cfg_key *k = &sec->keys[i];

		if (k->def != NULL && cfg_parse_value(p, k, k->name, k->def, obj) != 0)
			return -1;
	}
	return 0;
}
