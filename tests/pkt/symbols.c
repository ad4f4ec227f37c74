#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "symbols.h"

#define SYM(x) { #x, x }

static const struct {
	const char *name;
	int64_t value;
} syms[] = {
	SYM(AF_INET), SYM(AF_INET6), SYM(PF_INET), SYM(PF_INET6), SYM(AF_UNSPEC),
	SYM(SOCK_STREAM), SYM(SOCK_DGRAM), SYM(SOCK_NONBLOCK),
	SYM(IPPROTO_TCP), SYM(IPPROTO_IP), SYM(IPPROTO_UDP), { "PROTO_TCP", IPPROTO_TCP },
	SYM(SOL_SOCKET), SYM(SOL_TCP),
	SYM(SO_REUSEADDR), SYM(SO_REUSEPORT), SYM(SO_ERROR), SYM(SO_RCVBUF), SYM(SO_SNDBUF),
	SYM(SO_KEEPALIVE), SYM(SO_LINGER), SYM(SO_TYPE),
	SYM(TCP_NODELAY), SYM(TCP_MAXSEG), SYM(TCP_KEEPIDLE), SYM(TCP_KEEPINTVL),
	SYM(TCP_KEEPCNT), SYM(TCP_CORK), SYM(TCP_QUICKACK), SYM(TCP_INFO),
	SYM(O_RDWR), SYM(O_RDONLY), SYM(O_WRONLY), SYM(O_NONBLOCK),
	SYM(F_GETFL), SYM(F_SETFL),
	SYM(MSG_PEEK), SYM(MSG_DONTWAIT), SYM(MSG_WAITALL), SYM(MSG_NOSIGNAL),
	SYM(SHUT_RD), SYM(SHUT_WR), SYM(SHUT_RDWR),
	SYM(FIONREAD), SYM(SIOCINQ), SYM(SIOCOUTQ),
	SYM(EWOULDBLOCK), SYM(ENOTSUP),
};

const char *
errno_name(int e)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;

	return n != NULL ? n : "E?";
}

static int
errno_lookup(const char *name, int64_t *value)
{
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);

		if (n != NULL && strcmp(n, name) == 0) {
			*value = e;
			return 0;
		}
	}
	return -1;
}

int
sym_lookup(const char *name, int64_t *value)
{
	for (unsigned i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (strcmp(syms[i].name, name) == 0) {
			*value = syms[i].value;
			return 0;
		}
	if (name[0] == 'E')
		return errno_lookup(name, value);
	return -1;
}
