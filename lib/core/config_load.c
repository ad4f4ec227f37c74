/*
 * Reading an INI file against a schema: each file section is matched to
 * the table that declares it, its keys parsed through that table, then
 * each table's checks run. Core knows no module's keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "config_internal.h"

static struct cfg_instance *
instance_new(struct cfg_ctx *p, const struct cfg_section *sec, const char *name, unsigned index)
{
	struct tern_config *cfg = p->cfg;
	struct cfg_instance *in;

	if (cfg->ninst == CFG_MAX_INSTANCES) {
		cfg_fail(p, NULL, "too many sections (at most %d)", CFG_MAX_INSTANCES);
		return NULL;
	}
	in = &cfg->inst[cfg->ninst];
	*in = (struct cfg_instance){ .sec = sec, .index = index };
	snprintf(in->name, sizeof(in->name), "%s", name);
	if (sec->locate != NULL)
		in->obj = sec->locate(cfg, index);
	else if ((in->obj = calloc(1, sec->size)) != NULL)
		in->owned = 1;
	if (in->obj == NULL) {
		cfg_fail(p, NULL, sec->locate != NULL ? "names a port with no [port%u] section" :
			 "out of memory", index);
		return NULL;
	}
	cfg->ninst++;
	if (sec->init != NULL)
		sec->init(in->obj, name, index);
	if (cfg_apply_defaults(p, sec, in->obj) != 0)
		return NULL;
	return in;
}

static struct cfg_instance *
instance_find(const struct tern_config *cfg, const struct cfg_section *sec, const char *name,
	      unsigned index)
{
	for (unsigned i = 0; i < cfg->ninst; i++) {
		const struct cfg_instance *in = &cfg->inst[i];

		if (in->sec == sec && in->index == index && (name == NULL || strcmp(in->name, name) == 0))
			return (struct cfg_instance *)in;
	}
	return NULL;
}

int
tern_config_init(struct tern_config *cfg, const struct cfg_schema *schema)
{
	char err[512];
	struct cfg_ctx p = { .path = "(defaults)", .err = err, .errlen = sizeof(err), .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	cfg->schema = schema;
	for (unsigned i = 0; i < schema->n; i++) {
		const struct cfg_section *sec = schema->sections[i];

		cfg_at(&p, sec->name);
		if (sec->kind == CFG_SINGLE && instance_new(&p, sec, sec->name, 0) == NULL) {
			fprintf(stderr, "tern: internal: %s\n", err);
			return -1;
		}
	}
	return 0;
}

void
tern_config_free(struct tern_config *cfg)
{
	for (unsigned i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i].owned)
			free(cfg->inst[i].obj);
	cfg->ninst = 0;
}

unsigned
tern_config_count(const struct tern_config *cfg, const struct cfg_section *sec)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->ninst; i++)
		n += cfg->inst[i].sec == sec;
	return n;
}

static const struct cfg_instance *
instance_at(const struct tern_config *cfg, const struct cfg_section *sec, unsigned k)
{
	for (unsigned i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i].sec == sec && k-- == 0)
			return &cfg->inst[i];
	return NULL;
}

void *
tern_config_obj(const struct tern_config *cfg, const struct cfg_section *sec, unsigned i)
{
	const struct cfg_instance *in = instance_at(cfg, sec, i);

	return in != NULL ? in->obj : NULL;
}

const char *
tern_config_name(const struct tern_config *cfg, const struct cfg_section *sec, unsigned i)
{
	const struct cfg_instance *in = instance_at(cfg, sec, i);

	return in != NULL ? in->name : NULL;
}

void *
tern_config_add(struct tern_config *cfg, const struct cfg_section *sec, const char *name)
{
	char err[512];
	struct cfg_ctx p = { .path = "(code)", .err = err, .errlen = sizeof(err), .cfg = cfg };
	struct cfg_instance *in;

	cfg_at(&p, sec->name);
	if (tern_config_count(cfg, sec) >= sec->max || (in = instance_new(&p, sec, name, 0)) == NULL)
		return NULL;
	return in->obj;
}

/* Which table declares a file section, with the instance's NAME or N. */
static const struct cfg_section *
section_match(const struct cfg_schema *schema, const char *file_name, const char **name,
	      unsigned *index, int *bad_number)
{
	*bad_number = 0;
	for (unsigned i = 0; i < schema->n; i++) {
		const struct cfg_section *sec = schema->sections[i];
		size_t len = strlen(sec->name);
		unsigned n;
		char extra;

		if (sec->kind == CFG_SINGLE && strcmp(file_name, sec->name) == 0)
			return *name = file_name, *index = 0, sec;
		if (strncmp(file_name, sec->name, len) != 0)
			continue;
		if (sec->kind == CFG_NAMED && file_name[len] == '.')
			return *name = file_name + len + 1, *index = 0, sec;
		if (sec->kind == CFG_NUMBERED && sscanf(file_name + len, "%u%c", &n, &extra) == 1 &&
		    file_name[len] >= '0' && file_name[len] <= '9') {
			*bad_number = n >= sec->max;
			return *name = file_name, *index = n, sec;
		}
	}
	return NULL;
}

/* "tern, arp, service.NAME, portN ..." for the unknown-section message. */
static void
section_list(const struct cfg_schema *schema, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < schema->n && used < len; i++) {
		const struct cfg_section *sec = schema->sections[i];

		used += snprintf(buf + used, len - used, "%s%s%s", i == 0 ? "" :
				 i + 1 == schema->n ? " or " : ", ", sec->name,
				 sec->kind == CFG_NAMED ? ".NAME" : sec->kind == CFG_NUMBERED ? "N" : "");
	}
}

/* Applies every entry of a file section through its table; unknown or repeated keys fail. */
static int
parse_entries(struct cfg_ctx *p, const char *file_name, const struct cfg_section *sec, void *obj)
{
	int n = rte_cfgfile_section_num_entries(p->file, file_name);
	struct rte_cfgfile_entry *e;
	int rc = 0;

	if (n < 0)
		return cfg_fail(p, NULL, "cannot read section");
	if ((e = calloc(n ? n : 1, sizeof(*e))) == NULL)
		return cfg_fail(p, NULL, "out of memory");
	rte_cfgfile_section_entries(p->file, file_name, e, n);
	for (int i = 0; i < n && rc == 0; i++) {
		const struct cfg_key *k = cfg_key_find(sec, e[i].name);

		if (k == NULL)
			rc = cfg_fail(p, e[i].name, "unknown key (see README.md, Configuration)");
		for (int j = 0; j < i && rc == 0; j++)
			if (strcmp(e[i].name, e[j].name) == 0 && !(k->flags & CFG_MULTI))
				rc = cfg_fail(p, e[i].name, "given twice");
		if (rc == 0)
			rc = cfg_parse_value(p, k, e[i].name, e[i].value, obj);
	}
	for (unsigned k = 0; k < sec->nkeys && rc == 0; k++)
		if ((sec->keys[k].flags & CFG_REQUIRED) &&
		    !rte_cfgfile_has_entry(p->file, file_name, sec->keys[k].name))
			rc = cfg_fail(p, sec->keys[k].name, "required key is missing");
	free(e);
	return rc;
}

/* One file section: its instance (new, or the SINGLE one), its keys, its check. */
static int
load_section(struct cfg_ctx *p, const char *file_name, const struct cfg_section *sec,
	     const char *name, unsigned index)
{
	struct cfg_instance *in = NULL;

	cfg_at(p, file_name);
	if (sec->kind == CFG_SINGLE)
		in = instance_find(p->cfg, sec, NULL, 0);
	else if (sec->kind == CFG_NUMBERED && (in = instance_find(p->cfg, sec, NULL, index)) != NULL)
		return cfg_fail(p, NULL, "names the same %s as [%s]", sec->name, in->name);
	else if (sec->kind == CFG_NAMED && (*name == '\0' || strlen(name) >= CFG_NAME_MAX))
		return cfg_fail(p, NULL, "expected a name after '%s.' (under %d characters)",
				sec->name, CFG_NAME_MAX);
	else if (sec->kind == CFG_NAMED && tern_config_count(p->cfg, sec) >= sec->max)
		return cfg_fail(p, NULL, "at most %u %s sections", sec->max, sec->name);
	if (in == NULL && (in = instance_new(p, sec, name, index)) == NULL)
		return -1;
	if (parse_entries(p, file_name, sec, in->obj) != 0)
		return -1;
	return sec->check != NULL ? sec->check(p, in->obj) : 0;
}

/* Every file section, in schema order (a port before its impairment). */
static int
load_sections(struct cfg_ctx *p, char **names, int nsec)
{
	const struct cfg_schema *schema = p->cfg->schema;
	char list[512];

	for (unsigned s = 0; s < schema->n; s++)
		for (int i = 0; i < nsec; i++) {
			const char *name = NULL;
			unsigned index = 0;
			int bad_number;
			const struct cfg_section *sec = section_match(schema, names[i], &name, &index,
								       &bad_number);

			cfg_at(p, names[i]);
			if (sec == NULL && s == 0) {
				section_list(schema, list, sizeof(list));
				return cfg_fail(p, NULL, "unknown section (expected %s)", list);
			}
			if (sec != schema->sections[s])
				continue;
			if (bad_number)
				return cfg_fail(p, NULL, "expected %s0 to %s%u", sec->name, sec->name,
						sec->max - 1);
			if (load_section(p, names[i], sec, name, index) != 0)
				return -1;
		}
	return 0;
}

static struct rte_cfgfile *
open_file(const char *path, char *err, size_t errlen)
{
	struct rte_cfgfile *file = rte_cfgfile_load(path, 0);
	FILE *f;

	if (file != NULL)
		return file;
	f = fopen(path, "r");
	if (f == NULL)
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	else {
		fclose(f);
		snprintf(err, errlen, "%s: not a valid INI file (sections in [brackets], "
			 "'key = value' lines, ';' comments)", path);
	}
	return NULL;
}

/* Section names in file order; NULL when out of memory. rte_cfgfile keeps repeats apart. */
static char **
section_names(struct rte_cfgfile *file, int *nsec)
{
	char **names;

	*nsec = rte_cfgfile_num_sections(file, NULL, 0);
	names = calloc(*nsec ? *nsec : 1, sizeof(char *));
	for (int i = 0; names != NULL && i < *nsec; i++)
		if ((names[i] = malloc(CFG_NAME_LEN)) == NULL) {
			for (int j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return NULL;
		}
	if (names != NULL)
		rte_cfgfile_sections(file, names, *nsec);
	return names;
}

static int
check_sections(struct cfg_ctx *p, char **names, int nsec)
{
	const struct cfg_schema *schema = p->cfg->schema;

	for (int i = 0; i < nsec; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0) {
				cfg_at(p, names[i]);
				return cfg_fail(p, NULL, "section given twice");
			}
	if (load_sections(p, names, nsec) != 0)
		return -1;
	for (unsigned s = 0; s < schema->n; s++)
		if (schema->sections[s]->check_all != NULL) {
			cfg_at(p, schema->sections[s]->name);
			if (schema->sections[s]->check_all(p, p->cfg) != 0)
				return -1;
		}
	return 0;
}

int
tern_config_load(const char *path, const struct cfg_schema *schema, struct tern_config *cfg,
		 char *err, size_t errlen)
{
	struct cfg_ctx p = { .path = path, .err = err, .errlen = errlen, .cfg = cfg };
	char **names;
	int nsec, rc;

	if (tern_config_init(cfg, schema) != 0)
		return snprintf(err, errlen, "%s: out of memory", path), -1;
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	if ((p.file = open_file(path, err, errlen)) == NULL)
		return -1;
	if ((names = section_names(p.file, &nsec)) == NULL) {
		rte_cfgfile_close(p.file);
		return snprintf(err, errlen, "%s: out of memory", path), -1;
	}
	rc = check_sections(&p, names, nsec);
	for (int i = 0; i < nsec; i++)
		free(names[i]);
	free(names);
	rte_cfgfile_close(p.file);
	return rc;
}
