/*
 * hut-oci: an OCI runtime with runc's command line. A container whose
 * process.args[0] is a hut image runs as hut-monitor booting that image;
 * anything else goes to crun or runc unchanged. hut-oci never sets up a
 * namespace, a cgroup or a console itself: it writes a second bundle whose
 * process is hut-monitor and lets the lower runtime (crun, else runc) do
 * all of that, the create/start split included.
 *
 * One file per concern: main.c (the command line, commands), global.c (the
 * global options' storage), json.c (the strict reader and writer), spec.c
 * (what hut-oci reads from config.json),
 * detect.c (is args[0] a hut image?), rewrite.c (the monitor's bundle),
 * record.c (what hut-oci keeps per container), snapshot.c (a restore
 * from the snapshot `hut pack --snapshot` put beside the image), cgroup.c (the host's cgroup
 * layout), lower.c (choosing and running crun or runc), rlimit.c (limits
 * the host cannot grant), state.c, features.c, log.c (errors as runc reports them),
 * podnet.c (the pod's network: its interface read, a tap made in its
 * namespace and handed to the monitor as an fd), tc.c (the tap and the
 * interface joined by tc mirred redirects), netlink.c (rtnetlink requests).
 * The one thing hut-oci sets up itself is that tap: the lower runtime
 * knows nothing of it.
 */
#ifndef OCI_H
#define OCI_H

#include "json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
/* What hut-oci did (a restore or a cold boot): to --log only. */
__attribute__((format(printf, 2, 3))) void oci_log_info(const char *id, const char *fmt, ...);
/* A warning: to --log when there is one, else to stderr. */
__attribute__((format(printf, 2, 3))) void oci_log_warning(const char *id, const char *fmt, ...);

/* spec.c: the parts of config.json hut-oci looks at. */
struct oci_mount {
	const char *destination;
	const char *source;
	bool bind; /* type "bind" or a bind/rbind option */
	bool ro;
};
struct oci_spec {
	json_t *config; /* the whole file, kept for rewrite.c */
	/* Why config's numbers are all doubles ("line N: integer out of range
	 * ..."), or "": json.h, oci_json_parse. */
	char inexact[OCI_JSON_ERR_MAX];
	const char *bundle;   /* absolute */
	char *rootfs;	      /* absolute */
	json_t *args;	      /* process.args: an array of strings */
	json_t *env;	      /* process.env, or NULL */
	int64_t memory_limit; /* linux.resources.memory.limit, or -1 */
	/* linux.namespaces' network entry: its path (the pod's namespace), or
	 * NULL; has_netns false when there is none (the host's network). */
	const char *netns;
	bool has_netns;
	size_t nmounts;
	struct oci_mount mounts[OCI_MOUNTS_MAX];
};
/* Reads BUNDLE/config.json; dies with the reason when it cannot be used. */
void oci_spec_read(struct oci_spec *s, const char *bundle, const char *id);

/* detect.c */
struct oci_image {
	char *path;		/* inside the rootfs, absolute */
	uint64_t mem_default;	/* the manifest's guest RAM */
	const char *net_device; /* the network device it declares (net0), or NULL */
	bool net_required;	/* ... and cannot run without */
	uint32_t crc32;		/* the manifest's: a snapshot names its image by it */
};
/* true when args[0], found in the rootfs as the process's PATH says, is a
 * hut image (fills img); false for anything else (the lower runtime's). */
bool oci_detect(const struct oci_spec *s, struct oci_image *img, const char *id);
/* An O_PATH fd of path inside the rootfs rootfd (symlinks and ".." stay
 * inside it), or -1. */
int oci_open_in_root(int rootfd, const char *path);

/* snapshot.c: restores from /IMAGE.snapshot when the monitor would accept
 * it for these monitor args (then "--restore PATH" is put in args before
 * "--" and NULL returned); else why the guest boots cold. net: the pod's
 * network is given. A packed snapshot is expanded on the host: its path
 * goes into *expanded_host (to be freed), to be bind-mounted at
 * expanded_at, which is then PATH. */
const char *oci_snapshot_use(const struct oci_spec *s, const struct oci_image *img, bool net,
			     json_t *args, const char *expanded_at, char **expanded_host,
			     const char *id);

/* rewrite.c: turns s->config into the monitor's (dies on what cannot run),
 * then writes it into dir. net: the pod's network, the tap at fd tap_fd in
 * the container (NULL: no network). */
struct oci_podnet;
/* Returns how the guest starts, for the record: "restored from PATH", or
 * "cold: WHY" (snapshot.c). *snapshot_cache: the expanded snapshot the
 * container restores from (to be linked into the record and freed), or
 * NULL. */
const char *oci_rewrite(struct oci_spec *s, const struct oci_image *img,
			const struct oci_podnet *net, int tap_fd, char **snapshot_cache,
			const char *id);
void oci_rewrite_write(const struct oci_spec *s, const char *dir, const char *id);

/* rlimit.c: lowers process.rlimits the host cannot grant to what it can
 * (a hut image's limits bind the monitor, not the guest), with a warning. */
void oci_rlimits_fit(json_t *config, const char *id);

/* record.c: ROOT/hut/ID holds the monitor's bundle and the original
 * bundle's path; only hut containers have one. */
char *oci_record_dir(const char *id);
char *oci_record_create(const char *id, const char *bundle); /* dies on failure */
char *oci_record_bundle(const char *id);		     /* NULL: not a hut container */
/* ROOT/hut/ID/NAME: another file of the record (the pod's netns). */
void oci_record_put(const char *id, const char *name, const char *text); /* dies */
char *oci_record_get(const char *id, const char *name);			 /* NULL: none */
void oci_make_dir(const char *path, const char *id);			 /* mkdir -p, 0700; dies */
/* An expanded snapshot (snapshot.c) in use by the container: a hard link
 * to it in the record (the path the monitor's bundle mounts), so that
 * delete knows when the last container of the image is gone and removes
 * the expansion then. */
char *oci_record_snapshot_path(const char *id);
void oci_record_snapshot_link(const char *id, const char *expanded); /* dies */
void oci_record_remove(const char *id);
/* The stats file's host path (the monitor's --stats), and what it holds:
 * false until the monitor wrote it. */
struct hut_stats;
char *oci_record_stats_path(const char *id);
bool oci_record_stats(const char *id, struct hut_stats *st);
void oci_check_id(const char *id);

/* cgroup.c: the host's cgroup layout, read once. */
enum oci_cgroup_kind { OCI_CGROUP_NONE, OCI_CGROUP_V1, OCI_CGROUP_HYBRID, OCI_CGROUP_V2 };
struct oci_cgroup {
	enum oci_cgroup_kind layout;
	char hybrid_controllers[256]; /* hybrid: what its cgroup2 enables, "" for none */
};
const struct oci_cgroup *oci_cgroup_layout(void);
const char *oci_cgroup_name(const struct oci_cgroup *c);
bool oci_cgroup_crun_refuses(const struct oci_cgroup *c);

/* lower.c: the lower runtime, chosen for this host's cgroup layout, and
 * its command line with our globals first. */
struct oci_argv {
	const char **v;
	int n, cap;
};
void oci_argv_add(struct oci_argv *a, const char *s);
void oci_lower_find(void);
/* One line: which runtime and why (for --version and the tests' summary). */
void oci_lower_describe(FILE *out);
void oci_lower_globals(struct oci_argv *a);
__attribute__((noreturn)) void oci_lower_exec(struct oci_argv *a);
/* Runs it and returns its stdout (NUL-terminated), or NULL; *status is its
 * exit status. */
char *oci_lower_capture(struct oci_argv *a, int *status);
/* Runs it, waits; returns its exit status. */
int oci_lower_run(struct oci_argv *a);

/* netlink.c: rtnetlink requests (tc.c, podnet.c). Calls return 0 or the
 * kernel's errno. */
struct nlmsghdr;
struct oci_nl {
	char buf[1024] __attribute__((aligned(4)));
	size_t len;
};
int oci_nl_open(void); /* in the current network namespace; -1 and errno */
void oci_nl_begin(struct oci_nl *m, int type, int flags, const void *header, size_t len);
void oci_nl_attr(struct oci_nl *m, int type, const void *data, size_t len);
void oci_nl_string(struct oci_nl *m, int type, const char *s);
size_t oci_nl_nest(struct oci_nl *m, int type); /* returns where to end it */
void oci_nl_nest_end(struct oci_nl *m, size_t at);
int oci_nl_call(int fd, struct oci_nl *m); /* sends, waits for the acknowledgement */
int oci_nl_dump(int fd, struct oci_nl *m, void (*each)(const struct nlmsghdr *, void *), void *arg);

/* tc.c: ingress qdiscs and matchall/mirred redirects both ways between the
 * pod's interface and the tap; *step names what failed. */
int oci_tc_connect(int nl, int pod_ifindex, int tap_ifindex, const char **step);
int oci_tc_del_ingress(int nl, int ifindex); /* none there is not an error */

/* podnet.c: the pod's interface, read and wired to a new tap, in the
 * network namespace at netns; present is false when it has none. */
#define OCI_TAP_NAME "hut0"
struct oci_podnet {
	bool present;
	char ifname[16];
	int ifindex, tap_ifindex, mtu, prefix;
	uint32_t addr, gateway; /* network order; gateway 0: no default route */
	uint8_t mac[6];
	int tap_fd; /* close-on-exec */
};
void oci_podnet_attach(struct oci_podnet *p, const char *netns, const char *id);
/* The network the appliance gets: the pod's, attached as above, when the
 * image declares a network device and the spec names the pod's namespace;
 * false for none; dies when the image cannot run without one. */
bool oci_podnet_for(struct oci_podnet *p, const struct oci_spec *s, const struct oci_image *img,
		    const char *id);
/* Removes the tap and the pod interface's ingress qdisc; a namespace that
 * is gone is not an error, other failures are logged. */
void oci_podnet_detach(const char *netns, const char *ifname, const char *id);
/* The monitor's --net fd=FD, --mac, --ip, --gw, and --dns when the spec
 * mounts a resolv.conf naming an IPv4 server, appended to args. */
void oci_podnet_options(const struct oci_podnet *p, const struct oci_spec *s, int fd, json_t *args);

/* state.c, features.c */
int oci_cmd_state(const char *id);
int oci_cmd_features(void);
void oci_print_version(void);

#endif
