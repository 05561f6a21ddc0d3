/*
 * The bundle hut-oci hands the lower runtime for a hut image: the same
 * config.json (namespaces, cgroup, mounts, hooks, user, terminal: all as
 * the orchestrator asked) except that
 *   - the process is hut-monitor booting the image, with process.args[1..]
 *     as the guest's argv, process.env as its environment and hostname as
 *     its host name;
 *   - hut-monitor (a static program) is bind-mounted read-only into the
 *     container, and /dev/kvm is created in it and allowed by the device
 *     cgroup;
 *   - the record's stats file (record.c) is bind-mounted writable beside
 *     it, for the monitor's --stats (the guest's process counts, which
 *     `state` shows);
 *   - each bind mount of a directory is also a volume of the guest at the
 *     same path (the runtime mounts it; the monitor, inside the container,
 *     serves it);
 *   - root.path is absolute (the bundle moved);
 *   - process.rlimits the host cannot grant are lowered (rlimit.c);
 *   - in a pod's network namespace (podnet.c), the monitor gets the tap
 *     hut-oci made there as an fd the lower runtime passes on
 *     (--preserve-fds), and the pod interface's address, gateway and MAC
 *     (--net fd=N --ip --gw --mac): the container needs no /dev/net/tun;
 *   - with a snapshot beside the image that fits (snapshot.c), the
 *     monitor restores it (--restore /IMAGE.snapshot) instead of booting.
 * A memory limit must hold the image's guest RAM (its manifest's size) and
 * the monitor's own overhead; a smaller one is refused here, before any
 * container exists, with the sizes in the message.
 */
#include "oci.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"
#define VOLUMES_MAX 16 /* hut-monitor's --volume limit (HUT_VOLUMES_MAX) */

static const char *monitor_on_host(const char *id)
{
	static char path[PATH_MAX];
	const char *env = getenv("HUT_MONITOR");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
	if (n <= 0)
		oci_die(id, "cannot find hut-oci's own path (%s)", strerror(errno));
	path[n] = 0;
	strcpy(strrchr(path, '/') + 1, "hut-monitor");
	if (access(path, X_OK) != 0)
		oci_die(id, "no hut-monitor next to hut-oci (%s; set HUT_MONITOR)", path);
	return path;
}

static bool has_dev_mount(const struct oci_spec *s)
{
	for (size_t i = 0; i < s->nmounts; i++)
		if (!strcmp(s->mounts[i].destination, "/dev"))
			return true;
	return false;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

/* A bind mount the guest should see: a host directory mounted somewhere of
 * the app's (not the runtime's own /dev, /proc and /sys). */
static bool is_volume(const struct oci_mount *m)
{
	struct stat st;
	if (!m->bind || !m->source || m->destination[0] != '/' || !strcmp(m->destination, "/") ||
	    under(m->destination, "/dev") || under(m->destination, "/proc") ||
	    under(m->destination, "/sys"))
		return false;
	return stat(m->source, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A path as hut-monitor's --volume takes it: ':' and '\' escaped. */
static void escape_volume_path(const char *path, char *out, size_t size, const char *id)
{
	size_t n = 0;
	for (const char *c = path; *c; c++) {
		if (n + 3 > size)
			oci_die(id, "bind mount destination %s is too long", path);
		if (*c == ':' || *c == '\\')
			out[n++] = '\\';
		out[n++] = *c;
	}
	out[n] = 0;
}

/* --volume DEST:DEST[:ro]: inside the container the runtime has mounted the
 * host's directory at DEST, and the guest sees it at the same path. */
static void add_volume(json_t *a, const struct oci_mount *m, const char *id)
{
	char path[PATH_MAX * 2], spec[PATH_MAX * 4 + 8];
	escape_volume_path(m->destination, path, sizeof path, id);
	snprintf(spec, sizeof spec, m->ro ? "%s:%s:ro" : "%s:%s", path, path);
	json_array_append_new(a, oci_json_text("--volume"));
	json_array_append_new(a, oci_json_text(spec));
}

static void check_memory(const struct oci_spec *s, const struct oci_image *img, const char *id)
{
	if (s->memory_limit < 0)
		return;
	uint64_t need = img->mem_default + OCI_MONITOR_OVERHEAD;
	if ((uint64_t)s->memory_limit < need)
		oci_die(id,
			"memory limit %lld MiB is below what %s needs: %llu MiB of guest RAM (its "
			"manifest; `hut build --mem` sets it) + %llu MiB for hut-monitor",
			(long long)s->memory_limit >> 20, img->path,
			(unsigned long long)img->mem_default >> 20,
			(unsigned long long)OCI_MONITOR_OVERHEAD >> 20);
}

/* Where the container sees the stats file: beside the monitor. */
static const char *stats_in_container(const struct oci_spec *s)
{
	return has_dev_mount(s) ? "/dev/hut-stats" : "/hut-stats";
}

static json_t *monitor_args(const struct oci_spec *s, const struct oci_image *img,
			    const char *monitor, const struct oci_podnet *net, int tap_fd,
			    const char *id)
{
	json_t *a = json_array();
	json_array_append_new(a, oci_json_text(monitor));
	json_array_append_new(a, oci_json_text("--stats"));
	json_array_append_new(a, oci_json_text(stats_in_container(s)));
	/* For `make bench-oci`: the monitor's share of a container's time. */
	const char *trace = getenv("HUT_OCI_TRACE_BOOT");
	if (trace && !strcmp(trace, "1"))
		json_array_append_new(a, oci_json_text("--trace-boot"));
	if (net)
		oci_podnet_options(net, s, tap_fd, a);
	const char *hostname = json_string_value(json_object_get(s->config, "hostname"));
	if (hostname && *hostname) {
		if (strlen(hostname) > 64)
			oci_die(id, "config.json: hostname is longer than 64 bytes");
		json_array_append_new(a, oci_json_text("--hostname"));
		json_array_append_new(a, oci_json_text(hostname));
	}
	for (size_t i = 0; i < json_array_size(s->env); i++) {
		const char *e = json_string_value(json_array_get(s->env, i));
		if (!e || !strchr(e, '=') || e[0] == '=')
			continue; /* the runtime would refuse it; the guest never sees it */
		json_array_append_new(a, oci_json_text("--env"));
		json_array_append_new(a, oci_json_text(e));
	}
	unsigned volumes = 0;
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		if (!is_volume(m))
			continue;
		if (++volumes > VOLUMES_MAX)
			oci_die(id,
				"more than %d bind mounts of directories: hut-monitor serves "
				"at most %d volumes",
				VOLUMES_MAX, VOLUMES_MAX);
		add_volume(a, m, id);
	}
	json_array_append_new(a, oci_json_text("--"));
	json_array_append_new(a, oci_json_text(img->path));
	for (size_t i = 1; i < json_array_size(s->args); i++)
		json_array_append(a, json_array_get(s->args, i));
	return a;
}

static void add_monitor_mount(json_t *config, const char *dest, const char *host, bool writable)
{
	json_t *mounts = oci_json_child(config, "mounts", JSON_ARRAY);
	json_t *m = json_object();
	json_object_set_new(m, "destination", oci_json_text(dest));
	json_object_set_new(m, "type", oci_json_text("bind"));
	json_object_set_new(m, "source", oci_json_text(host));
	json_t *o = json_array();
	static const char *const opts[] = {"bind", "nosuid", "nodev", "ro"};
	for (size_t i = 0; i < sizeof opts / sizeof *opts - writable; i++)
		json_array_append_new(o, oci_json_text(opts[i]));
	json_object_set_new(m, "options", o);
	json_array_append_new(mounts, m);
}

/* /dev/kvm in the container (mode 0666: the process may run as any user)
 * and in the device cgroup's allow list. */
static void add_kvm(json_t *config, const char *id)
{
	struct stat st;
	if (stat(KVM_DEVICE, &st) != 0 || !S_ISCHR(st.st_mode))
		oci_die(id, "no %s on this host: a hut image needs KVM (%s)", KVM_DEVICE,
			strerror(errno ? errno : ENODEV));
	json_t *linux_ = oci_json_child(config, "linux", JSON_OBJECT);
	json_t *devices = linux_ ? oci_json_child(linux_, "devices", JSON_ARRAY) : NULL;
	json_t *res = linux_ ? oci_json_child(linux_, "resources", JSON_OBJECT) : NULL;
	json_t *allow = res ? oci_json_child(res, "devices", JSON_ARRAY) : NULL;
	if (!devices || !allow)
		oci_die(id, "config.json: linux, linux.devices or linux.resources.devices has "
			    "the wrong type");
	json_t *d = json_object();
	json_object_set_new(d, "path", oci_json_text(KVM_DEVICE));
	json_object_set_new(d, "type", oci_json_text("c"));
	json_object_set_new(d, "major", json_integer(major(st.st_rdev)));
	json_object_set_new(d, "minor", json_integer(minor(st.st_rdev)));
	json_object_set_new(d, "fileMode", json_integer(0666));
	json_object_set_new(d, "uid", json_integer(0));
	json_object_set_new(d, "gid", json_integer(0));
	json_array_append_new(devices, d);
	json_t *r = json_object();
	json_object_set_new(r, "allow", json_true());
	json_object_set_new(r, "type", oci_json_text("c"));
	json_object_set_new(r, "major", json_integer(major(st.st_rdev)));
	json_object_set_new(r, "minor", json_integer(minor(st.st_rdev)));
	json_object_set_new(r, "access", oci_json_text("rwm"));
	json_array_append_new(allow, r);
}

const char *oci_rewrite(struct oci_spec *s, const struct oci_image *img,
			const struct oci_podnet *net, int tap_fd, char **snapshot_cache,
			const char *id)
{
	static char start[PATH_MAX + 200];
	if (s->inexact[0])
		oci_die(id,
			"config.json: %s: hut-oci reads integers up to 2^63-1 (jansson's), so it "
			"cannot write this config into hut-monitor's bundle exactly",
			s->inexact);
	check_memory(s, img, id);
	const char *host = monitor_on_host(id);
	/* Under the runtime's /dev tmpfs when there is one: nothing is
	 * created in the image's rootfs. */
	const char *dest = has_dev_mount(s) ? "/dev/hut-monitor" : "/hut-monitor";
	json_t *process = oci_json_child(s->config, "process", JSON_OBJECT);
	json_t *args = monitor_args(s, img, dest, net, tap_fd, id);
	char *expanded;
	const char *snap_at = has_dev_mount(s) ? "/dev/hut-snapshot" : "/hut-snapshot";
	const char *cold = oci_snapshot_use(s, img, net != NULL, args, snap_at, &expanded, id);
	if (cold)
		snprintf(start, sizeof start, "cold: %s", cold);
	else
		snprintf(start, sizeof start, "restored from %s.snapshot%s", img->path,
			 expanded ? " (expanded)" : "");
	if (expanded) { /* the record's link to it (record.c), made with the record */
		char *link = oci_record_snapshot_path(id);
		add_monitor_mount(s->config, snap_at, link, false);
		free(link);
	}
	*snapshot_cache = expanded;
	json_object_set_new(process, "args", args);
	json_object_set_new(oci_json_child(s->config, "root", JSON_OBJECT), "path",
			    oci_json_text(s->rootfs));
	add_monitor_mount(s->config, dest, host, false);
	char *stats = oci_record_stats_path(id);
	add_monitor_mount(s->config, stats_in_container(s), stats, true);
	free(stats);
	add_kvm(s->config, id);
	oci_rlimits_fit(s->config, id);
	return start;
}

void oci_rewrite_write(const struct oci_spec *s, const char *dir, const char *id)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		oci_die(id, "cannot write %s (%s)", path, strerror(errno));
	oci_json_write(f, s->config);
	if (fclose(f) != 0)
		oci_die(id, "cannot write %s (%s)", path, strerror(errno));
}
