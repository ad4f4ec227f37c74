/* A small JSON reader for DPDK telemetry replies: a tree of values, freed at once. */
#ifndef TERNCTL_JSON_H
#define TERNCTL_JSON_H

#include <stddef.h>
#include <stdint.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype type;
	double num;               /* J_NUM (and J_BOOL: 0 or 1) */
	uint64_t u64;             /* J_NUM: exact when it was a non-negative integer */
	char *str;                /* J_STR; for members of an object, key holds the name */
	char *key;
	struct jv *child;         /* J_ARR, J_OBJ: the first element or member */
	struct jv *next;          /* the next element or member */
};

/* Parses text; NULL (with a reason in err) when it is not JSON. */
struct jv *json_parse(const char *text, char *err, size_t errlen);
void json_free(struct jv *v);
/* Member name of an object; NULL when v is not an object or has none. */
const struct jv *json_get(const struct jv *v, const char *name);
/* Elements or members. */
size_t json_len(const struct jv *v);
/* A member's integer (0 when absent or not a number). */
uint64_t json_u64(const struct jv *v, const char *name);
/* A member's string (NULL when absent or not a string). */
const char *json_str(const struct jv *v, const char *name);

#endif
