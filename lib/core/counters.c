#include <inttypes.h>
#include <string.h>

#include "counters.h"

struct counter_info {
	const char *name;
	const char *desc;
	char kind;
};

static const struct counter_info counter_info[TERN_CNT_MAX] = {
#define C(name, kind, desc) [TERN_CNT_##name] = { #name, desc, #kind[0] },
#include "counters.def"
#undef C
};

const char *
tern_counter_name(enum tern_counter id)
{
	return id < TERN_CNT_MAX ? counter_info[id].name : "?";
}

const char *
tern_counter_desc(enum tern_counter id)
{
	return id < TERN_CNT_MAX ? counter_info[id].desc : "?";
}

int
tern_counter_is_drop(enum tern_counter id)
{
	return id < TERN_CNT_MAX && counter_info[id].kind == 'D';
}

int
tern_counter_by_name(const char *name)
{
	for (int i = 0; i < TERN_CNT_MAX; i++)
		if (strcmp(counter_info[i].name, name) == 0)
			return i;
	return -1;
}

void
tern_counters_sum(struct tern_counters *out,
		  const struct tern_counters *const *in, unsigned n)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < n; w++)
		for (int i = 0; i < TERN_CNT_MAX; i++)
			out->v[i] += __atomic_load_n(&in[w]->v[i], __ATOMIC_RELAXED);
}

void
tern_counters_print(FILE *f, const struct tern_counters *c, int all)
{
	for (int i = 0; i < TERN_CNT_MAX; i++)
		if (all || c->v[i] != 0)
			fprintf(f, "%-22s %20" PRIu64 "\n", counter_info[i].name, c->v[i]);
}
