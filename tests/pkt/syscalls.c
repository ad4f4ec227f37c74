/*
 * System calls (packetdrill run_system_call.c semantics): arguments are
 * evaluated from the script's expressions ("..." means "the default"),
 * the call runs on the shim, then "= RESULT [ERRNO]" is compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "stream.h"
#include "symbols.h"
#include "syscalls.h"

#define ARG_ERROR INT64_MIN   /* the script's arguments are unusable (recorded) */

/* 0: a value; 1: "..." or missing; -1: not a number. */
static int
eval_int(const struct expr *e, int64_t *v)
{
	int64_t a, b;

	if (e == NULL || e->kind == E_ELLIPSIS)
		return 1;
	switch (e->kind) {
	case E_INT:
		*v = e->num;
		return 0;
	case E_WORD:
		return sym_lookup(e->str, v) == 0 ? 0 : -1;
	case E_OR:
		if (eval_int(e->lhs, &a) != 0 || eval_int(e->rhs, &b) != 0)
			return -1;
		*v = a | b;
		return 0;
	case E_LIST:   /* [1]: an int passed by pointer */
	case E_CALL:   /* htons(8080) */
		return e->nitems == 1 ? eval_int(e->items[0], v) : -1;
	default:
		return -1;
	}
}

static const struct expr *
arg(const struct sys_call *c, int i)
{
	return i < c->e->sys.nargs ? c->e->sys.args[i] : NULL;
}

/* An argument that must be a number; records a script error otherwise. */
static int
arg_int(struct sys_ctx *x, const struct sys_call *c, int i, int64_t *v)
{
	if (eval_int(arg(c, i), v) == 0)
		return 0;
	result_fail(x->r, F_SCRIPT, c->e->line, "%s: argument %d is not a number I know",
		    c->e->sys.name, i + 1);
	return -1;
}

/*
 * File descriptors are the script's numbers (packetdrill run_system_call.c):
 * socket() and accept() map the number the script gives as their result to
 * the shim's, and every later call's fd argument is translated through that
 * map. A number the script never got from a call is no descriptor (EBADF).
 */
static int
fd_to_live(const struct sys_ctx *x, int64_t script_fd)
{
	if (script_fd < 0 || script_fd >= FD_MAP_MAX || x->fds->live[script_fd] == 0)
		return -1;
	return x->fds->live[script_fd] - 1;
}

static int
arg_fd(struct sys_ctx *x, const struct sys_call *c, int64_t *fd)
{
	if (arg_int(x, c, 0, fd) != 0)
		return -1;
	*fd = fd_to_live(x, *fd);
	return 0;
}

/* {sa_family=AF_INET, sin_port=htons(8080), sin_addr=...}; "..." gives dflt. */
static uint16_t
sockaddr_port(const struct expr *e, uint16_t dflt)
{
	int64_t v;

	for (int i = 0; e != NULL && e->kind == E_BRACES && i < e->nitems; i++) {
		const struct expr *it = e->items[i];

		if (it->kind == E_ASSIGN && (strcmp(it->str, "sin_port") == 0 ||
					     strcmp(it->str, "sin6_port") == 0) &&
		    eval_int(it->rhs, &v) == 0 && v > 0 && v < 65536)
			return (uint16_t)v;
	}
	return dflt;
}

/* {onoff=1, linger=0} */
static int
linger_value(const struct expr *e, int64_t *onoff, int64_t *secs)
{
	*onoff = *secs = 0;
	if (e == NULL || e->kind != E_BRACES)
		return -1;
	for (int i = 0; i < e->nitems; i++) {
		const struct expr *it = e->items[i];

		if (it->kind == E_ASSIGN && strcmp(it->str, "onoff") == 0)
			eval_int(it->rhs, onoff);
		else if (it->kind == E_ASSIGN && strcmp(it->str, "linger") == 0)
			eval_int(it->rhs, secs);
	}
	return 0;
}

/* ---- the calls ---- */

static int64_t
do_socket(struct sys_ctx *x, struct sys_call *c)
{
	int64_t type;
	int fd;

	if (arg_int(x, c, 1, &type) != 0)
		return ARG_ERROR;
	if ((type & ~(int64_t)SOCK_NONBLOCK) != SOCK_STREAM) {
		result_fail(x->r, F_UNSUPPORTED, c->e->line, "only SOCK_STREAM sockets exist here");
		return ARG_ERROR;
	}
	fd = shim_socket(x->sh);
	if (fd >= 0 && (type & SOCK_NONBLOCK))
		shim_setfl(x->sh, fd, O_NONBLOCK);
	return fd;
}

static int64_t
do_bind(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd;

	if (arg_fd(x, c, &fd) != 0)
		return ARG_ERROR;
	return shim_bind(x->sh, (int)fd, sockaddr_port(arg(c, 1), x->o->bind_port));
}

static int64_t
do_listen(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd;

	if (arg_fd(x, c, &fd) != 0)
		return ARG_ERROR;
	return shim_listen(x->sh, (int)fd, x->o->bind_port);
}

static int64_t
do_accept(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd;

	if (arg_fd(x, c, &fd) != 0)
		return ARG_ERROR;
	return shim_accept(x->sh, (int)fd);
}

static int64_t
do_connect(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd;

	if (arg_fd(x, c, &fd) != 0)
		return ARG_ERROR;
	if (c->started)
		return shim_connect_poll(x->sh, (int)fd);
	return shim_connect(x->sh, (int)fd, sockaddr_port(arg(c, 1), x->o->connect_port));
}

/* The bytes read must be the peer's stream at the read offset (stream.h). */
static void
check_read_data(struct sys_ctx *x, const struct sys_call *c, const uint8_t *buf, int64_t n,
		uint64_t off)
{
	for (int64_t i = 0; i < n; i++)
		if (buf[i] != stream_in_byte(off + (uint64_t)i)) {
			result_fail(x->r, F_READ_DATA, c->e->line,
				    "read returned 0x%02x at stream offset %llu where the peer sent 0x%02x",
				    buf[i], (unsigned long long)(off + (uint64_t)i),
				    stream_in_byte(off + (uint64_t)i));
			return;
		}
}

static int64_t
do_read(struct sys_ctx *x, struct sys_call *c, int has_flags)
{
	int64_t fd, len, flags = 0, rc;
	struct pkt_sock *k;
	uint8_t *buf;
	int nb;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 2, &len) != 0 ||
	    (has_flags && arg_int(x, c, 3, &flags) != 0))
		return ARG_ERROR;
	if ((k = shim_sock(x->sh, (int)fd)) == NULL)
		return -EBADF;
	buf = malloc(len > 0 ? (size_t)len : 1);
	uint64_t off = k->read_off;

	nb = k->nonblock;
	if (flags & MSG_DONTWAIT)
		k->nonblock = 1;
	rc = shim_read(x->sh, (int)fd, buf, (uint64_t)len, !!(flags & MSG_PEEK));
	k->nonblock = nb;
	if (rc > 0)
		check_read_data(x, c, buf, rc, off);
	free(buf);
	return rc;
}

static int64_t
do_write(struct sys_ctx *x, struct sys_call *c, int has_flags)
{
	int64_t fd, len, flags = 0, rc;
	struct pkt_sock *k;
	int nb;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 2, &len) != 0 ||
	    (has_flags && arg_int(x, c, 3, &flags) != 0))
		return ARG_ERROR;
	if ((k = shim_sock(x->sh, (int)fd)) == NULL)
		return -EBADF;
	nb = k->nonblock;
	if (flags & MSG_DONTWAIT)
		k->nonblock = 1;
	rc = shim_write(x->sh, (int)fd, (uint64_t)len, &c->done);
	k->nonblock = nb;
	return rc;
}

static int64_t
do_close(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, script_fd, rc;

	if (arg_fd(x, c, &fd) != 0)
		return ARG_ERROR;
	rc = shim_close(x->sh, (int)fd);
	if (rc == 0 && eval_int(arg(c, 0), &script_fd) == 0)
		x->fds->live[script_fd] = 0;
	return rc;
}

static int64_t
do_shutdown(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, how;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 1, &how) != 0)
		return ARG_ERROR;
	return shim_shutdown(x->sh, (int)fd, (int)how);
}

static int64_t
do_fcntl(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, cmd, flags;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 1, &cmd) != 0)
		return ARG_ERROR;
	if (cmd == F_GETFL)
		return shim_getfl(x->sh, (int)fd);
	if (cmd == F_SETFL && arg_int(x, c, 2, &flags) == 0)
		return shim_setfl(x->sh, (int)fd, (int)flags);
	if (cmd == F_SETFL)
		return ARG_ERROR;
	return -EINVAL;
}

static int64_t
do_setsockopt(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, level, name, v = 0, v2 = 0;
	const struct expr *val = arg(c, 3);

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 1, &level) != 0 ||
	    arg_int(x, c, 2, &name) != 0)
		return ARG_ERROR;
	if (val != NULL && val->kind == E_BRACES)
		linger_value(val, &v, &v2);
	else if (arg_int(x, c, 3, &v) != 0)
		return ARG_ERROR;
	return shim_setsockopt(x->sh, (int)fd, (int)level, (int)name, v, v2);
}

/* An output argument ([value]) compared with what the call produced. */
static void
check_out_arg(struct sys_ctx *x, const struct sys_call *c, int i, int64_t actual)
{
	int64_t want;
	int rc = eval_int(arg(c, i), &want);

	if (rc == 1)
		return;
	if (rc != 0)
		result_fail(x->r, F_SCRIPT, c->e->line, "argument %d is not a value I know", i + 1);
	else if (want != actual)
		result_fail(x->r, F_VALUE, c->e->line, "%s: output value %lld, expected %lld",
			    c->e->sys.name, (long long)actual, (long long)want);
}

static int64_t
do_getsockopt(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, level, name, v = 0, rc;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 1, &level) != 0 ||
	    arg_int(x, c, 2, &name) != 0)
		return ARG_ERROR;
	rc = shim_getsockopt(x->sh, (int)fd, (int)level, (int)name, &v);
	if (rc == 0)
		check_out_arg(x, c, 3, v);
	return rc;
}

static int64_t
do_ioctl(struct sys_ctx *x, struct sys_call *c)
{
	int64_t fd, req, v = 0, rc, fionread;

	if (arg_fd(x, c, &fd) != 0 || arg_int(x, c, 1, &req) != 0)
		return ARG_ERROR;
	if (sym_lookup("FIONREAD", &fionread) != 0 || req != fionread) {
		result_fail(x->r, F_UNSUPPORTED, c->e->line, "ioctl: only FIONREAD is supported");
		return ARG_ERROR;
	}
	rc = shim_fionread(x->sh, (int)fd, &v);
	if (rc == 0)
		check_out_arg(x, c, 2, v);
	return rc;
}

static int64_t
dispatch(struct sys_ctx *x, struct sys_call *c)
{
	const char *n = c->e->sys.name;

	if (strcmp(n, "socket") == 0) return do_socket(x, c);
	if (strcmp(n, "bind") == 0) return do_bind(x, c);
	if (strcmp(n, "listen") == 0) return do_listen(x, c);
	if (strcmp(n, "accept") == 0) return do_accept(x, c);
	if (strcmp(n, "connect") == 0) return do_connect(x, c);
	if (strcmp(n, "read") == 0) return do_read(x, c, 0);
	if (strcmp(n, "recv") == 0) return do_read(x, c, 1);
	if (strcmp(n, "write") == 0) return do_write(x, c, 0);
	if (strcmp(n, "send") == 0) return do_write(x, c, 1);
	if (strcmp(n, "close") == 0) return do_close(x, c);
	if (strcmp(n, "shutdown") == 0) return do_shutdown(x, c);
	if (strcmp(n, "fcntl") == 0) return do_fcntl(x, c);
	if (strcmp(n, "setsockopt") == 0) return do_setsockopt(x, c);
	if (strcmp(n, "getsockopt") == 0) return do_getsockopt(x, c);
	if (strcmp(n, "ioctl") == 0) return do_ioctl(x, c);
	result_fail(x->r, F_UNSUPPORTED, c->e->line, "system call %s() is not supported", n);
	return ARG_ERROR;
}

/* ---- results ---- */

static void
describe_rc(int64_t rc, char *buf, size_t len)
{
	if (rc >= 0)
		snprintf(buf, len, "%lld", (long long)rc);
	else
		snprintf(buf, len, "-1 %s (%s)", errno_name((int)-rc), strerror((int)-rc));
}

static int
returns_fd(const struct syscall_spec *sc)
{
	return strcmp(sc->name, "socket") == 0 || strcmp(sc->name, "accept") == 0;
}

/*
 * "= N" of socket() or accept(): the call must return a valid descriptor,
 * which the script calls N from now on (packetdrill's CHECK_FD).
 */
static enum sys_status
map_new_fd(struct sys_ctx *x, const struct sys_call *c, int64_t want, int64_t rc)
{
	char call[200];

	if (want >= FD_MAP_MAX)
		return result_fail(x->r, F_SCRIPT, c->e->line, "fd %lld is too large here",
				   (long long)want), SYS_FAIL;
	if (x->fds->live[want] != 0)
		return result_fail(x->r, F_SCRIPT, c->e->line, "the script's fd %lld is still open",
				   (long long)want), SYS_FAIL;
	if (rc < 0) {
		sys_format(&c->e->sys, call, sizeof(call));
		return result_fail(x->r, F_RESULT, c->e->line, "%s = -1 %s, expected fd %lld", call,
				   errno_name((int)-rc), (long long)want), SYS_FAIL;
	}
	x->fds->live[want] = (int)rc + 1;
	return SYS_DONE;
}

static enum sys_status
check_result(struct sys_ctx *x, const struct sys_call *c, int64_t rc)
{
	const struct syscall_spec *sc = &c->e->sys;
	int64_t want, want_errno = 0;
	char call[200], got[120];
	int er = eval_int(sc->result, &want);

	if (er == 1)
		return SYS_DONE;                       /* "= ..." */
	if (er != 0 || (sc->err_name && sym_lookup(sc->err_name, &want_errno) != 0))
		return result_fail(x->r, F_SCRIPT, c->e->line, "unknown result or errno name"),
		       SYS_FAIL;
	if (returns_fd(sc) && want >= 0)
		return map_new_fd(x, c, want, rc);
	sys_format(sc, call, sizeof(call));
	describe_rc(rc, got, sizeof(got));
	if ((rc >= 0 ? rc : -1) != want)
		result_fail(x->r, F_RESULT, c->e->line, "%s = %s, expected %lld%s%s", call, got,
			    (long long)want, sc->err_name ? " " : "", sc->err_name ? sc->err_name : "");
	else if (rc < 0 && sc->err_name != NULL && -rc != want_errno)
		result_fail(x->r, F_ERRNO, c->e->line, "%s = %s, expected -1 %s", call, got,
			    sc->err_name);
	return x->r->kind == F_NONE ? SYS_DONE : SYS_FAIL;
}

enum sys_status
sys_run(struct sys_ctx *x, struct sys_call *c)
{
	int64_t rc = dispatch(x, c);

	c->started = 1;
	if (rc == ARG_ERROR || x->r->kind != F_NONE)
		return SYS_FAIL;
	if (rc == SHIM_BLOCK)
		return SYS_BLOCK;
	return check_result(x, c, rc);
}

/* ---- formatting ---- */

static size_t
expr_format(const struct expr *e, char *buf, size_t len)
{
	size_t n = 0;

	switch (e->kind) {
	case E_ELLIPSIS: return snprintf(buf, len, "...");
	case E_INT: return snprintf(buf, len, "%lld", (long long)e->num);
	case E_WORD: return snprintf(buf, len, "%s", e->str);
	case E_STRING: return snprintf(buf, len, "\"%s\"", e->str);
	case E_OR:
		n = expr_format(e->lhs, buf, len);
		if (n < len)
			n += snprintf(buf + n, len - n, "|");
		return n < len ? n + expr_format(e->rhs, buf + n, len - n) : n;
	case E_ASSIGN:
		n = snprintf(buf, len, "%s=", e->str);
		return n < len ? n + expr_format(e->rhs, buf + n, len - n) : n;
	default:
		break;
	}
	n = snprintf(buf, len, "%s%s", e->kind == E_CALL ? e->str : "",
		     e->kind == E_LIST ? "[" : e->kind == E_BRACES ? "{" : "(");
	for (int i = 0; i < e->nitems && n < len; i++) {
		if (i > 0)
			n += snprintf(buf + n, len - n, ", ");
		if (n < len)
			n += expr_format(e->items[i], buf + n, len - n);
	}
	if (n < len)
		n += snprintf(buf + n, len - n, "%s",
			      e->kind == E_LIST ? "]" : e->kind == E_BRACES ? "}" : ")");
	return n;
}

void
sys_format(const struct syscall_spec *sc, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "%s(", sc->name);

	for (int i = 0; i < sc->nargs && n < len; i++) {
		if (i > 0)
			n += snprintf(buf + n, len - n, ", ");
		if (n < len)
			n += expr_format(sc->args[i], buf + n, len - n);
	}
	if (n < len)
		snprintf(buf + n, len - n, ")");
}
