/*
 * tern's configuration: an INI file read with rte_cfgfile.
 *
 * Core reads the file and dispatches; it knows no module's keys. Each
 * module declares its sections and keys in a table it owns (struct
 * cfg_section: type, range, default, one-line doc per key) and the program
 * that composes the modules lists the tables it uses in a struct
 * cfg_schema. Defaults come from the same tables (each default is written
 * as it would be in a file and parsed like one), and so does the README's
 * configuration reference (tern_config_reference). Errors name the file,
 * section and key and say what was expected.
 *
 * Core owns [tern], [portN] and [impair.portN]: their values live in
 * struct tern_config itself. Every other section's values live in a struct
 * of its module's, reached through tern_config_obj().
 */
#ifndef TERN_CORE_CONFIG_H
#define TERN_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TERN_MAX_PORTS 4
#define TERN_MAX_WORKERS 64
#define TERN_DEVARGS_LEN 256
#define CFG_NAME_MAX 48          /* of the NAME in [section.NAME] */
#define CFG_MAX_SECTIONS 24      /* section tables in one schema */

/* ---- what a module declares --------------------------------------------------- */

enum cfg_type {
	CFG_UINT,     /* uint32_t, min..max */
	CFG_BOOL,     /* int: yes/no, on/off, true/false, 1/0 */
	CFG_STR,      /* char[max]: non-empty; with choices, one of them */
	CFG_IPV4,     /* uint32_t, host order */
	CFG_CIDR,     /* uint32_t address, then uint32_t prefix length */
	CFG_PPM,      /* uint32_t: a percentage with decimals, stored in parts per million */
	CFG_MS_US,    /* uint32_t: milliseconds min..max in the file, microseconds stored */
	CFG_ENUM,     /* uint32_t: the index of the value in choices */
	CFG_LOGLEVEL, /* uint32_t: RTE_LOG_* */
	CFG_FN,       /* the key's own parser */
};

struct cfg_ctx;

/* A key's own parser: returns 0, or cfg_fail(...). */
typedef int (*cfg_parse_fn)(struct cfg_ctx *p, const char *key, const char *value, void *obj);

struct cfg_key {
	const char *name;         /* a name ending in ".*" matches a family: "server.*" */
	enum cfg_type type;
	size_t off;               /* of the field in the section's struct */
	uint64_t min, max;        /* CFG_UINT, CFG_MS_US; CFG_STR: max is the field's size */
	const char *def;          /* default, as written in a file; NULL: none */
	const char *doc;          /* one line for the reference */
	const char *const *choices; /* CFG_ENUM, CFG_STR: NULL-terminated */
	cfg_parse_fn parse;       /* CFG_FN */
	const char *expects;      /* CFG_FN: what a value looks like, for the reference */
	unsigned flags;
};

/* A key whose value lives in field of struct type S (a section's struct). */
#define CFG_KEY(S, name, type, field, lo, hi, def, doc) \
	{ name, type, offsetof(S, field), lo, hi, def, doc }

#define CFG_REQUIRED 1u   /* the key must be given */
#define CFG_MULTI 2u      /* may be given several times (CFG_FN keys only) */

enum cfg_section_kind {
	CFG_SINGLE,    /* [tcp] */
	CFG_NAMED,     /* [service.NAME] */
	CFG_NUMBERED,  /* [port0] .. [portN] */
};

struct tern_config;

struct cfg_section {
	const char *name;         /* "tcp"; "service" for [service.NAME]; "port" for [portN] */
	enum cfg_section_kind kind;
	unsigned max;             /* instances of a NAMED or NUMBERED section */
	size_t size;              /* of the struct the keys fill */
	const struct cfg_key *keys;
	unsigned nkeys;
	/* Where core keeps the object (core's own sections); NULL: allocated. */
	void *(*locate)(struct tern_config *cfg, unsigned index);
	/* Sets what a default string cannot (before the keys are read). Optional. */
	void (*init)(void *obj, const char *name, unsigned index);
	/* Rules across the keys of one instance, after they are read. Optional. */
	int (*check)(struct cfg_ctx *p, void *obj);
	/* Rules across sections, once the whole file is read. Optional. */
	int (*check_all)(struct cfg_ctx *p, struct tern_config *cfg);
	const char *doc;          /* a paragraph for the reference; may be NULL */
	const char *title;        /* heading for the reference, e.g. "[portN]"; NULL: [name] */
};

/* The sections one program reads, in the order they are checked and documented. */
struct cfg_schema {
	unsigned n;
	const struct cfg_section *sections[CFG_MAX_SECTIONS];
};

/* ---- core's own sections ------------------------------------------------------ */

/* One direction of the test-only impairment layer. Rates in parts per million. */
struct tern_impair_dir_cfg {
	uint32_t loss_ppm;
	uint32_t duplicate_ppm;
	uint32_t corrupt_ppm;
	uint32_t reorder_ppm;
	uint32_t delay_us;
	uint32_t jitter_us;
	uint32_t reorder_gap_us;
	uint32_t ce_ppm;            /* ECN-capable frames marked CE at random */
	uint32_t ce_threshold;      /* ... and all of them while this many frames are held; 0: never */
};

struct tern_impair_cfg {
	int enabled;
	uint32_t seed;
	uint32_t queue_len;
	struct tern_impair_dir_cfg rx, tx;
};

struct tern_port_cfg {
	char section[64];
	char devargs[TERN_DEVARGS_LEN];
	uint32_t addr;      /* host byte order */
	uint32_t prefix_len;
	uint32_t gateway;   /* host byte order, 0 when none */
	uint32_t mtu;
	uint32_t rx_desc, tx_desc;
	int offloads;       /* 1: use what the port offers; 0: software only */
	int tso;            /* 1: send TCP in frames up to 64 KiB when the port segments them */
	int lro;            /* 1: let the port coalesce received TCP segments when it can */
	int promiscuous;
	struct tern_impair_cfg impair;
};

/* A section instance read from the file (or added in code). */
struct cfg_instance {
	const struct cfg_section *sec;
	unsigned index;           /* NUMBERED: N */
	char name[CFG_NAME_MAX];  /* NAMED: NAME */
	void *obj;
	int owned;                /* obj was allocated here */
};

#define CFG_MAX_INSTANCES 256

struct tern_config {
	char path[512];
	const struct cfg_schema *schema;
	/* [tern] */
	uint32_t workers;
	uint32_t mbufs;        /* per worker */
	uint32_t log_level;    /* RTE_LOG_* */
	/* [portN], [impair.portN] */
	uint32_t nports;
	struct tern_port_cfg ports[TERN_MAX_PORTS];
	/* every section instance, core's included, in file order */
	unsigned ninst;
	struct cfg_instance inst[CFG_MAX_INSTANCES];
};

/* Core's sections, for a program's schema. */
extern const struct cfg_section tern_main_section, tern_port_section, tern_impair_section;

/* ---- using a configuration ---------------------------------------------------- */

/*
 * Fills cfg with defaults for schema: core's fields, and one object for
 * each SINGLE section (no ports, no NAMED instances). Returns 0 or -1
 * (out of memory).
 */
int tern_config_init(struct tern_config *cfg, const struct cfg_schema *schema);
/* Frees what init, load and add allocated. */
void tern_config_free(struct tern_config *cfg);

/*
 * Loads and validates path into cfg. Returns 0, or -1 with a message of
 * the form "FILE: [section] key: expected ..., got '...'" in err; cfg
 * must be freed either way.
 */
int tern_config_load(const char *path, const struct cfg_schema *schema, struct tern_config *cfg,
		     char *err, size_t errlen);

/* tern itself needs an address on every port (tern-impair does not). */
int tern_config_require_addresses(const struct tern_config *cfg, char *err, size_t errlen);

/* Instances of a section, and the i-th one's object and name (NULL past the end). */
unsigned tern_config_count(const struct tern_config *cfg, const struct cfg_section *sec);
void *tern_config_obj(const struct tern_config *cfg, const struct cfg_section *sec, unsigned i);
const char *tern_config_name(const struct tern_config *cfg, const struct cfg_section *sec,
			     unsigned i);
/* Adds a NAMED instance with its defaults (tests, benchmarks). NULL when full. */
void *tern_config_add(struct tern_config *cfg, const struct cfg_section *sec, const char *name);

/* Writes the schema's reference in Markdown (README's "Configuration"). */
void tern_config_reference(FILE *f, const struct cfg_schema *schema);

/* ---- for a module's check hooks ----------------------------------------------- */

/* Formats "FILE: [section] key: what" into the error and returns -1. key may be NULL. */
int cfg_fail(struct cfg_ctx *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Makes later errors name this section instance, e.g. "service.web". */
void cfg_at(struct cfg_ctx *p, const char *section);
/* 1 when the current instance's file section gives key. */
int cfg_given(const struct cfg_ctx *p, const char *key);
/* The section instance being checked, e.g. "service.web". */
const char *cfg_section_name(const struct cfg_ctx *p);

/* Parsers shared with modules' CFG_FN keys; 0 or -1. */
int cfg_parse_u64(const char *s, uint64_t *out);
int cfg_parse_ipv4(const char *s, uint32_t *out);
/* "A.B.C.D:PORT", host order; port 1..65535. */
int cfg_parse_addr_port(const char *s, uint32_t *addr, uint16_t *port);

#endif
