#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "result.h"

static const char *const names[F_NKINDS] = {
	[F_NONE] = "none", [F_PARSE] = "parse", [F_UNSUPPORTED] = "unsupported",
	[F_SEQ] = "wrong-seq", [F_ACK] = "wrong-ack", [F_FLAGS] = "wrong-flags",
	[F_WIN] = "wrong-window", [F_OPTIONS] = "wrong-options", [F_LENGTH] = "wrong-length",
	[F_PAYLOAD] = "wrong-payload", [F_ECN] = "wrong-ecn", [F_MISSING] = "missing",
	[F_UNEXPECTED] = "unexpected", [F_TOO_EARLY] = "too-early", [F_TOO_LATE] = "too-late",
	[F_RESULT] = "wrong-result", [F_ERRNO] = "wrong-errno", [F_VALUE] = "wrong-value",
	[F_BLOCKING] = "blocking", [F_READ_DATA] = "wrong-data", [F_CHECKSUM] = "checksum",
	[F_LEAK] = "mbuf-leak", [F_SCRIPT] = "script", [F_ICMP] = "wrong-icmp",
	[F_NIC] = "nic-refused",
};

const char *
fail_kind_name(enum fail_kind k)
{
	return (unsigned)k < F_NKINDS ? names[k] : "?";
}

enum fail_kind
fail_kind_parse(const char *s)
{
	for (int k = F_PARSE; k < F_NKINDS; k++)
		if (strcmp(s, names[k]) == 0)
			return k;
	return F_NONE;
}

int
result_fail(struct pkt_result *r, enum fail_kind k, int line, const char *fmt, ...)
{
	va_list ap;

	if (r->kind != F_NONE)
		return -1;
	r->kind = k;
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
result_note(struct pkt_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes == RESULT_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}
