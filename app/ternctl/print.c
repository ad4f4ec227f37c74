/* JSON back out, for --json. */
#include "tctl.h"

static void
str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void
tctl_print_json(FILE *f, const struct jv *v)
{
	switch (v->type) {
	case J_NULL: fputs("null", f); break;
	case J_BOOL: fputs(v->u64 ? "true" : "false", f); break;
	case J_NUM:
		if ((double)v->u64 == v->num)
			fprintf(f, "%llu", (unsigned long long)v->u64);
		else
			fprintf(f, "%.17g", v->num);
		break;
	case J_STR: str(f, v->str); break;
	case J_ARR:
	case J_OBJ:
		fputc(v->type == J_ARR ? '[' : '{', f);
		for (const struct jv *c = v->child; c != NULL; c = c->next) {
			if (v->type == J_OBJ) {
				str(f, c->key);
				fputc(':', f);
			}
			tctl_print_json(f, c);
			if (c->next != NULL)
				fputc(',', f);
		}
		fputc(v->type == J_ARR ? ']' : '}', f);
		break;
	}
}
