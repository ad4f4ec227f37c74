/*
 * The script's system calls, run against the socket shim, with their
 * results checked the way packetdrill does: return value, errno, and
 * output arguments (getsockopt, ioctl).
 */
#ifndef PKT_SYSCALLS_H
#define PKT_SYSCALLS_H

#include <stdint.h>

#include "pkt_opts.h"
#include "result.h"
#include "script.h"
#include "shim.h"

enum sys_status {
	SYS_DONE,    /* returned; the result matched */
	SYS_BLOCK,   /* a blocking call is waiting; run it again later */
	SYS_FAIL,    /* returned, or could not run; failure recorded */
};

struct sys_call {
	const struct event *e;
	int started;          /* the first attempt has been made */
	uint64_t done;        /* bytes a blocking write has taken so far */
};

#define FD_MAP_MAX 1024

/* The script's file descriptors: live[script fd] is the shim's fd + 1, 0 when none. */
struct fd_map {
	int live[FD_MAP_MAX];
};

struct sys_ctx {
	struct shim *sh;
	struct fd_map *fds;
	const struct pkt_opts *o;
	struct pkt_result *r;
};

/* Runs (or retries) the call; on return its result has been checked. */
enum sys_status sys_run(struct sys_ctx *x, struct sys_call *call);

/* "read(4, ..., 1000)" for messages. */
void sys_format(const struct syscall_spec *sc, char *buf, size_t len);

#endif
