/*
 * One capture: its pcapng file (rte_pcapng: a section header, one
 * interface block per ethdev port, then the workers' copies, then a
 * statistics block per tern port), the pool the workers copy into and one
 * ring per worker, and handing those to the workers and back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include "core/log.h"
#include "ctl_capture.h"
#include "ctl_config.h"

#define POOL_CACHE 64
#define POOL_MAX (1u << 17)
#define POOL_MIN 512u

/* The file, created or emptied; a device, FIFO or symbolic link is refused. -1 with err. */
static int
open_file(const char *path, char *err, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0) {
		snprintf(err, len, "cannot open %s: %s", path,
			 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "cannot write %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) != 0) {
		snprintf(err, len, "cannot empty %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* rte_pcapng's header and interface blocks; the handle owns fd from here (also on failure). */
static rte_pcapng_t *
open_pcapng(int fd, const struct cap_req *r, char *err, size_t len)
{
	char os[160] = "Linux", app[64];
	struct utsname u;
	rte_pcapng_t *png;

	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	snprintf(app, sizeof(app), "tern (%s)", rte_version());
	png = rte_pcapng_fdopen(fd, os, NULL, app, r->text);
	if (png == NULL) {
		snprintf(err, len, "cannot write the pcapng header to %s: %s", r->path,
			 rte_strerror(rte_errno));
		close(fd);
	}
	return png;
}

/* The largest frame a port may carry: copies never need more (nor a second segment). */
static uint32_t
frame_max(const struct tern_config *cfg)
{
	uint32_t mtu = 0;

	for (unsigned p = 0; p < cfg->nports; p++)
		mtu = RTE_MAX(mtu, cfg->ports[p].mtu);
	return mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

/* Every worker's ring full plus the lcores' caches; halved while memory is short. */
static int
create_pool(struct cap_session *s, char *err, size_t len)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned n = s->nworkers * s->ring_size + (s->nworkers + 1) * POOL_CACHE * 2;

	snprintf(name, sizeof(name), "tern_cap_%llu", (unsigned long long)s->id);
	for (n = RTE_MAX(RTE_MIN(n, POOL_MAX), POOL_MIN); n >= POOL_MIN; n /= 2) {
		s->pool = rte_pktmbuf_pool_create(name, n, POOL_CACHE, 0,
						  (uint16_t)rte_pcapng_mbuf_size(s->snaplen),
						  SOCKET_ID_ANY);
		if (s->pool != NULL) {
			s->pool_size = n;
			return 0;
		}
	}
	snprintf(err, len, "cannot allocate the capture pool (%u mbufs of %u bytes): %s", POOL_MIN,
		 rte_pcapng_mbuf_size(s->snaplen), rte_strerror(rte_errno));
	return -1;
}

/* Worker i's share: the filter, the pool, its own ring, the clock's epoch. */
static int
create_share(struct cap_session *s, unsigned i, uint64_t tsc, uint64_t ns, char *err, size_t len)
{
	char name[RTE_RING_NAMESIZE];
	struct tern_capture *w = rte_zmalloc("tern_capture", sizeof(*w), RTE_CACHE_LINE_SIZE);

	snprintf(name, sizeof(name), "tern_cap_%llu_%u", (unsigned long long)s->id, i);
	if (w != NULL)
		w->ring = rte_ring_create(name, s->ring_size, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (w == NULL || w->ring == NULL) {
		snprintf(err, len, "cannot allocate the capture ring of worker %u: %s", i,
			 rte_strerror(rte_errno));
		rte_free(w);
		return -1;
	}
	w->filter = s->req.filter;
	w->pool = s->pool;
	w->snaplen = s->snaplen;
	w->epoch_tsc = tsc;
	w->epoch_ns = ns;
	w->tsc_hz = rte_get_tsc_hz();
	s->w[i] = w;
	return 0;
}

/* The pool, the rings and the shares (workers must have let go of them). */
static void
free_shared(struct cap_session *s)
{
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct rte_mbuf *m;

		if (s->w[i] == NULL)
			continue;
		while (rte_ring_sc_dequeue(s->w[i]->ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->w[i]->ring);
		rte_free(s->w[i]);
		s->w[i] = NULL;
	}
	rte_mempool_free(s->pool);
	s->pool = NULL;
}

static int
create_shared(struct cap_session *s, char *err, size_t len)
{
	struct timespec ts;
	uint64_t tsc = rte_rdtsc();

	clock_gettime(CLOCK_REALTIME, &ts);
	s->start_tsc = tsc;
	s->start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	s->deadline_tsc = s->req.seconds ? tsc + s->req.seconds * rte_get_tsc_hz() : 0;
	if (create_pool(s, err, len) != 0)
		return -1;
	for (unsigned i = 0; i < s->nworkers; i++)
		if (create_share(s, i, tsc, s->start_ns, err, len) != 0)
			return -1;
	return 0;
}

int
cap_session_open(struct ctl *c, const struct cap_req *r, uint64_t id,
		 struct cap_session **out, char *err, size_t len)
{
	struct cap_session *s = calloc(1, sizeof(*s));
	int fd;

	*out = NULL;
	if (s == NULL || (s->merge = calloc(1, sizeof(*s->merge))) == NULL) {
		snprintf(err, len, "out of memory");
		free(s);
		return -1;
	}
	s->req = *r;
	s->id = id;
	s->src = &c->src;
	s->nworkers = RTE_MIN(c->src.nworkers, (unsigned)TERN_MAX_WORKERS);
	s->ring_size = ctl_config(c->cfg)->capture_ring;
	s->snaplen = r->snaplen ? RTE_MIN(r->snaplen, frame_max(c->cfg)) : frame_max(c->cfg);
	if (create_shared(s, err, len) != 0 || (fd = open_file(r->path, err, len)) < 0 ||
	    (s->png = open_pcapng(fd, r, err, len)) == NULL) {
		free_shared(s);
		free(s->merge);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int
cap_session_attach(struct cap_session *s, char *err, size_t len)
{
	for (; s->attached < s->nworkers; s->attached++) {
		int rc = s->src->capture(s->src->ctx, s->attached, s->w[s->attached]);

		/* A late answer still hands the share over: count it as taken. */
		if (rc != 0 && rc != -ETIMEDOUT) {
			snprintf(err, len, "worker %u did not take the capture: %s", s->attached,
				 rte_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

int
cap_session_detach(struct cap_session *s)
{
	int all = 1;

	for (unsigned i = 0; i < s->attached; i++) {
		int rc = s->src->capture(s->src->ctx, i, NULL);

		if (rc != 0) {
			TLOG(ERR, "capture: worker %u did not let go of the capture (%s): its "
			     "ring and pool are kept", i, rte_strerror(-rc));
			all = 0;
		}
	}
	return all;
}

void
cap_session_counts(const struct cap_session *s, uint64_t *matched, uint64_t *drops)
{
	*matched = *drops = 0;
	for (unsigned i = 0; i < s->nworkers; i++)
		for (unsigned p = 0; p < TERN_MAX_PORTS; p++) {
			uint64_t k = __atomic_load_n(&s->w[i]->packets[p], __ATOMIC_RELAXED);
			uint64_t d = __atomic_load_n(&s->w[i]->drops[p], __ATOMIC_RELAXED);

			*matched += k + d;
			*drops += d;
		}
}

/* One interface statistics block per tern port: what matched and what was lost. */
static void
write_stats(struct cap_session *s)
{
	struct timespec ts;
	uint64_t end_ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	end_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (unsigned p = 0; p < s->src->nports && p < TERN_MAX_PORTS; p++) {
		uint64_t drops = 0;

		for (unsigned i = 0; i < s->nworkers; i++)
			drops += __atomic_load_n(&s->w[i]->drops[p], __ATOMIC_RELAXED);
		rte_pcapng_write_stats(s->png, s->src->port_ids[p],
				       "tern: ifrecv counts the frames that matched the filter, "
				       "ifdrop the copies lost (ring full or pool empty)",
				       s->start_ns, end_ns, s->written_port[p] + drops, drops);
	}
}

void
cap_session_close(struct cap_session *s, int shared_free)
{
	if (s->png != NULL) {
		write_stats(s);
		rte_pcapng_close(s->png);
	}
	if (shared_free)
		free_shared(s);
	free(s->merge);
	free(s);
}

const char *
cap_session_done(const struct cap_session *s, char *buf, size_t len)
{
	if (s->error != 0) {
		snprintf(buf, len, "writing %s failed: %s", s->req.path, strerror(s->error));
		return buf;
	}
	if (s->req.count != 0 && s->written >= s->req.count)
		return "count reached";
	if (s->deadline_tsc != 0 && rte_rdtsc() >= s->deadline_tsc)
		return "time up";
	return NULL;
}
