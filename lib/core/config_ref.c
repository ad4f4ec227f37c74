/*
 * The configuration reference in Markdown, generated from the schema's
 * tables, so that README.md cannot drift from what the loader accepts
 * (tests/docs compares the two).
 */
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

static void
section_heading(FILE *f, const struct cfg_section *sec)
{
	if (sec->title != NULL)
		fprintf(f, "### `%s`\n\n", sec->title);
	else if (sec->kind == CFG_NAMED)
		fprintf(f, "### `[%s.NAME]` (up to %u)\n\n", sec->name, sec->max);
	else
		fprintf(f, "### `[%s]`\n\n", sec->name);
	if (sec->doc != NULL)
		fprintf(f, "%s\n\n", sec->doc);
}

/* The default column: the value, "required", or "none". */
static void
default_text(const struct cfg_key *k, char *buf, size_t len)
{
	if (k->flags & CFG_REQUIRED)
		snprintf(buf, len, "required");
	else if (k->def == NULL)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s", k->def);
}

static void
key_row(FILE *f, const struct cfg_key *k)
{
	char def[64], expects[300];
	const char *name = k->name;
	size_t len = strlen(name);

	default_text(k, def, sizeof(def));
	cfg_key_expects(k, expects, sizeof(expects));
	if (len >= 2 && strcmp(name + len - 2, ".*") == 0)
		fprintf(f, "| `%.*s.NAME` | %s | %s | %s |\n", (int)(len - 2), name, def, expects,
			k->doc);
	else
		fprintf(f, "| `%s` | %s | %s | %s |\n", name, def, expects, k->doc);
}

void
tern_config_reference(FILE *f, const struct cfg_schema *schema)
{
	for (unsigned s = 0; s < schema->n; s++) {
		const struct cfg_section *sec = schema->sections[s];

		section_heading(f, sec);
		fprintf(f, "| key | default | values | meaning |\n| --- | --- | --- | --- |\n");
		for (unsigned i = 0; i < sec->nkeys; i++)
			key_row(f, &sec->keys[i]);
		fprintf(f, "\n");
	}
}
