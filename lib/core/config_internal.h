/* Shared between the config files of lib/core; not part of its interface. */
#ifndef TERN_CORE_CONFIG_INTERNAL_H
#define TERN_CORE_CONFIG_INTERNAL_H

#include <rte_cfgfile.h>

#include "config.h"

struct cfg_ctx {
	const char *path;
	char section[96];          /* the instance errors name: "service.web", "port0" */
	char *err;
	size_t errlen;
	struct rte_cfgfile *file;  /* NULL: checking a configuration built in code */
	struct tern_config *cfg;
};

/* Parses value for key k into obj (the section's struct). 0 or cfg_fail(). */
int cfg_parse_value(struct cfg_ctx *p, const struct cfg_key *k, const char *key,
		    const char *value, void *obj);

/* Sets every key of sec that has a default in obj. 0, or -1 for a bad default (a bug). */
int cfg_apply_defaults(struct cfg_ctx *p, const struct cfg_section *sec, void *obj);

/* The key of sec that name matches (exactly, or as a member of a "prefix.*" family). */
const struct cfg_key *cfg_key_find(const struct cfg_section *sec, const char *name);

/* What a value of k looks like, for messages and the reference ("an integer from 1 to 64"). */
void cfg_key_expects(const struct cfg_key *k, char *buf, size_t len);

#endif
