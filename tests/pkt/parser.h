/* Script text -> script model (packetdrill's Syntax.md grammar). */
#ifndef PKT_PARSER_H
#define PKT_PARSER_H

#include <stddef.h>

#include "lexer.h"
#include "script.h"

/*
 * Parses src (the file at path). defs are the command line's -D values;
 * the script's own --define header options are added to them. Returns 0, or
 * -1 with "line N: ..." in err.
 */
int parse_script(const char *path, const char *src, const struct pkt_define *defs, int ndefs,
		 struct script *out, char *err, size_t errlen);

#endif
