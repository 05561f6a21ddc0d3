/*
 * hut-oci: an OCI runtime with runc's command line. A container whose
 * process.args[0] is a hut image runs as hut-monitor booting that image;
 * anything else goes to crun or runc unchanged. hut-oci never sets up a
 * namespace, a cgroup or a console itself: it writes a second bundle whose
 * process is hut-monitor and lets the lower runtime (crun, else runc) do
 * all of that, the create/start split included.
 *
 * One file per concern: main.c (global options, commands), json.c (the
 * strict reader and writer), spec.c (what hut-oci reads from config.json),
 * detect.c (is args[0] a hut image?), rewrite.c (the monitor's bundle),
 * record.c (what hut-oci keeps per container), lower.c (running crun or
 * runc), state.c, features.c, log.c (errors as runc reports them).
 */
#ifndef OCI_H
#define OCI_H

#include "json.h"

#include <stdbool.h>
#include <stdint.h>

#define OCI_VERSION "0.1.0"
#define OCI_SPEC_VERSION "1.0.2"
#define OCI_DEFAULT_ROOT "/run/hut-oci"
#define OCI_MOUNTS_MAX 64
/* What the monitor itself needs beside guest RAM under a memory limit: its
 * own pages, KVM's page tables and vCPU state (charged to the cgroup). */
#define OCI_MONITOR_OVERHEAD (16ull << 20)

/* The global options, as runc takes them (before the command). */
struct oci_global {
	const char *root;	/* --root: state of every container */
	const char *log;	/* --log FILE */
	bool log_json;		/* --log-format json */
	bool systemd_cgroup;	/* --systemd-cgroup: passed to the lower runtime */
	bool debug;		/* --debug: passed on */
	const char *lower;	/* crun or runc, as a path */
	const char *lower_name; /* its base name: the lower root's folder */
};
extern struct oci_global oci_g;

/* log.c: one line to stderr and to --log (JSON when asked), then exit 1. */
__attribute__((noreturn, format(printf, 2, 3))) void oci_die(const char *id, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void oci_log_error(const char *id, const char *fmt, ...);

/* spec.c: the parts of config.json hut-oci looks at. */
struct oci_mount {
	const char *destination;
	const char *source;
	bool bind; /* type "bind" or a bind/rbind option */
	bool ro;
};
struct oci_spec {
	struct oci_json *config; /* the whole file, kept for rewrite.c */
	const char *bundle;	 /* absolute */
	char *rootfs;		 /* absolute */
	struct oci_json *args;	 /* process.args: an array of strings */
	struct oci_json *env;	 /* process.env, or NULL */
	int64_t memory_limit;	 /* linux.resources.memory.limit, or -1 */
	size_t nmounts;
	struct oci_mount mounts[OCI_MOUNTS_MAX];
};
/* Reads BUNDLE/config.json; dies with the reason when it cannot be used. */
void oci_spec_read(struct oci_spec *s, const char *bundle, const char *id);

/* detect.c */
struct oci_image {
	char *path;	      /* inside the rootfs, absolute */
	uint64_t mem_default; /* the manifest's guest RAM */
};
/* true when args[0], found in the rootfs as the process's PATH says, is a
 * hut image (fills img); false for anything else (the lower runtime's). */
bool oci_detect(const struct oci_spec *s, struct oci_image *img, const char *id);

/* rewrite.c: turns s->config into the monitor's (dies on what cannot run),
 * then writes it into dir. */
void oci_rewrite(struct oci_spec *s, const struct oci_image *img, const char *id);
void oci_rewrite_write(const struct oci_spec *s, const char *dir, const char *id);

/* record.c: ROOT/hut/ID holds the monitor's bundle and the original
 * bundle's path; only hut containers have one. */
char *oci_record_dir(const char *id);
char *oci_record_create(const char *id, const char *bundle); /* dies on failure */
char *oci_record_bundle(const char *id);		     /* NULL: not a hut container */
void oci_record_remove(const char *id);
void oci_check_id(const char *id);

/* lower.c: the lower runtime's command line with our globals first. */
struct oci_argv {
	const char **v;
	int n, cap;
};
void oci_argv_add(struct oci_argv *a, const char *s);
void oci_lower_find(void);
void oci_lower_globals(struct oci_argv *a);
__attribute__((noreturn)) void oci_lower_exec(struct oci_argv *a);
/* Runs it and returns its stdout (NUL-terminated), or NULL; *status is its
 * exit status. */
char *oci_lower_capture(struct oci_argv *a, int *status);
/* Runs it, waits; returns its exit status. */
int oci_lower_run(struct oci_argv *a);

/* state.c, features.c */
int oci_cmd_state(const char *id);
int oci_cmd_features(void);
void oci_print_version(void);

#endif
