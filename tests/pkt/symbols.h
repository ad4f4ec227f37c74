/* Names scripts use for constants (SOCK_STREAM, O_NONBLOCK, ...) and errno values. */
#ifndef PKT_SYMBOLS_H
#define PKT_SYMBOLS_H

#include <stdint.h>

/* Linux's value of a constant or errno name; returns -1 when unknown. */
int sym_lookup(const char *name, int64_t *value);

/* "ECONNRESET" for ECONNRESET; "E?" when unknown. */
const char *errno_name(int e);

#endif
