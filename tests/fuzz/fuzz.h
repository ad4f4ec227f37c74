/*
 * What the fuzz harnesses share: the libFuzzer entry points (each harness
 * defines them; replay.c gives non-libFuzzer builds a main() that feeds
 * files to them), a reader that takes typed values from the input and
 * answers zeros once it is used up, and a check that aborts with a message
 * (a finding, as a sanitizer's report would be).
 */
#ifndef TERN_FUZZ_FUZZ_H
#define TERN_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with a message: an invariant the harness checks does not hold. */
#define FUZZ_CHECK(cond, ...)                                                           \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz: %s:%d: check failed: %s: ", __FILE__,    \
				__LINE__, #cond);                                       \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
			abort();                                                        \
		}                                                                       \
	} while (0)

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline int
fz_left(const struct fz *f)
{
	return f->n > 0;
}

static inline uint8_t
fz_u8(struct fz *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t
fz_u16(struct fz *f)
{
	return (uint16_t)(fz_u8(f) | fz_u8(f) << 8);
}

static inline uint32_t
fz_u32(struct fz *f)
{
	return (uint32_t)fz_u16(f) | (uint32_t)fz_u16(f) << 16;
}

/* Up to want bytes of the input (fewer at its end); returns how many. */
static inline size_t
fz_take(struct fz *f, size_t want, const uint8_t **out)
{
	size_t k = want < f->n ? want : f->n;

	*out = f->p;
	f->p += k;
	f->n -= k;
	return k;
}

#endif
