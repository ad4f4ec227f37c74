/*
 * tern-pkt's script parser (tests/pkt: lexer, parser, packet and
 * expression grammar, //! directives) on arbitrary text. A parsed script's
 * packets are formatted back as the runner prints them in a failure.
 * The first input byte chooses whether a -D definition is given (scripts
 * use them for addresses and options).
 */
#include "fuzz.h"
#include "../pkt/parser.h"
#include "../pkt/script.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pkt_define defs[] = {
		{ "MSS", "1460" }, { "WIN", "65535" }, { "OPT", "<mss 1000,nop,wscale 7>" },
	};
	struct script s;
	char err[400], line[512];
	char *src;
	int rc;

	if (size < 1)
		return 0;
	src = malloc(size);
	FUZZ_CHECK(src != NULL, "out of memory");
	memcpy(src, data + 1, size - 1);
	src[size - 1] = '\0';
	err[0] = '\0';
	rc = parse_script("fuzz.pkt", src, defs, data[0] % 4, &s, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "parse_script returned %d", rc);
	if (rc != 0) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL,
			   "a failure without a message");
	} else {
		for (int i = 0; i < s.nevents; i++)
			if (s.events[i].kind == EV_PACKET)
				pkt_spec_format(&s.events[i].pkt, line, sizeof(line));
	}
	script_free(&s);
	free(src);
	return 0;
}
