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
 *   - each bind mount of a directory is also a volume of the guest at the
 *     same path (the runtime mounts it; the monitor, inside the container,
 *     serves it);
 *   - root.path is absolute (the bundle moved);
 *   - process.rlimits the host cannot grant are lowered (rlimit.c);
 *   - in a pod's network namespace (podnet.c), the monitor gets the tap
 *     hut-oci made there as an fd the lower runtime passes on
 *     (--preserve-fds), and the pod interface's address, gateway and MAC
 *     (--net fd=N --ip --gw --mac): the container needs no /dev/net/tun.
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
static void add_volume(struct oci_json *a, const struct oci_mount *m, const char *id)
{
	char path[PATH_MAX * 2], spec[PATH_MAX * 4 + 8];
	escape_volume_path(m->destination, path, sizeof path, id);
	snprintf(spec, sizeof spec, m->ro ? "%s:%s:ro" : "%s:%s", path, path);
	oci_json_append(a, oci_json_new_string("--volume"));
	oci_json_append(a, oci_json_new_string(spec));
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

static struct oci_json *monitor_args(const struct oci_spec *s, const struct oci_image *img,
				     const char *monitor, const struct oci_podnet *net, int tap_fd,
				     const char *id)
{
	struct oci_json *a = oci_json_new(OCI_JSON_ARRAY);
	oci_json_append(a, oci_json_new_string(monitor));
	/* For `make bench-oci`: the monitor's share of a container's time. */
	const char *trace = getenv("HUT_OCI_TRACE_BOOT");
	if (trace && !strcmp(trace, "1"))
		oci_json_append(a, oci_json_new_string("--trace-boot"));
	if (net)
		oci_podnet_options(net, s, tap_fd, a);
	const char *hostname = oci_json_string(oci_json_get(s->config, "hostname"));
	if (hostname && *hostname) {
		if (strlen(hostname) > 64)
			oci_die(id, "config.json: hostname is longer than 64 bytes");
		oci_json_append(a, oci_json_new_string("--hostname"));
		oci_json_append(a, oci_json_new_string(hostname));
	}
	for (size_t i = 0; s->env && i < s->env->n; i++) {
		const char *e = oci_json_string(s->env->items[i]);
		if (!e || !strchr(e, '=') || e[0] == '=')
			continue; /* the runtime would refuse it; the guest never sees it */
		oci_json_append(a, oci_json_new_string("--env"));
		oci_json_append(a, oci_json_new_string(e));
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
	oci_json_append(a, oci_json_new_string("--"));
	oci_json_append(a, oci_json_new_string(img->path));
	for (size_t i = 1; i < s->args->n; i++)
		oci_json_append(a, oci_json_new_string(s->args->items[i]->text));
	return a;
}

static void add_monitor_mount(struct oci_json *config, const char *dest, const char *host)
{
	struct oci_json *mounts = oci_json_child(config, "mounts", OCI_JSON_ARRAY);
	struct oci_json *m = oci_json_new(OCI_JSON_OBJECT);
	oci_json_set(m, "destination", oci_json_new_string(dest));
	oci_json_set(m, "type", oci_json_new_string("bind"));
	oci_json_set(m, "source", oci_json_new_string(host));
	struct oci_json *o = oci_json_new(OCI_JSON_ARRAY);
	static const char *const opts[] = {"bind", "ro", "nosuid", "nodev"};
	for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
		oci_json_append(o, oci_json_new_string(opts[i]));
	oci_json_set(m, "options", o);
	oci_json_append(mounts, m);
}

/* /dev/kvm in the container (mode 0666: the process may run as any user)
 * and in the device cgroup's allow list. */
static void add_kvm(struct oci_json *config, const char *id)
{
	struct stat st;
	if (stat(KVM_DEVICE, &st) != 0 || !S_ISCHR(st.st_mode))
		oci_die(id, "no %s on this host: a hut image needs KVM (%s)", KVM_DEVICE,
			strerror(errno ? errno : ENODEV));
	struct oci_json *linux_ = oci_json_child(config, "linux", OCI_JSON_OBJECT);
	struct oci_json *devices =
		linux_ ? oci_json_child(linux_, "devices", OCI_JSON_ARRAY) : NULL;
	struct oci_json *res = linux_ ? oci_json_child(linux_, "resources", OCI_JSON_OBJECT) : NULL;
	struct oci_json *allow = res ? oci_json_child(res, "devices", OCI_JSON_ARRAY) : NULL;
	if (!devices || !allow)
		oci_die(id, "config.json: linux, linux.devices or linux.resources.devices has "
			    "the wrong type");
	struct oci_json *d = oci_json_new(OCI_JSON_OBJECT);
	oci_json_set(d, "path", oci_json_new_string(KVM_DEVICE));
	oci_json_set(d, "type", oci_json_new_string("c"));
	oci_json_set(d, "major", oci_json_new_int(major(st.st_rdev)));
	oci_json_set(d, "minor", oci_json_new_int(minor(st.st_rdev)));
	oci_json_set(d, "fileMode", oci_json_new_int(0666));
	oci_json_set(d, "uid", oci_json_new_int(0));
	oci_json_set(d, "gid", oci_json_new_int(0));
	oci_json_append(devices, d);
	struct oci_json *r = oci_json_new(OCI_JSON_OBJECT);
	oci_json_set(r, "allow", oci_json_new(OCI_JSON_TRUE));
	oci_json_set(r, "type", oci_json_new_string("c"));
	oci_json_set(r, "major", oci_json_new_int(major(st.st_rdev)));
	oci_json_set(r, "minor", oci_json_new_int(minor(st.st_rdev)));
	oci_json_set(r, "access", oci_json_new_string("rwm"));
	oci_json_append(allow, r);
}

void oci_rewrite(struct oci_spec *s, const struct oci_image *img, const struct oci_podnet *net,
		 int tap_fd, const char *id)
{
	check_memory(s, img, id);
	const char *host = monitor_on_host(id);
	/* Under the runtime's /dev tmpfs when there is one: nothing is
	 * created in the image's rootfs. */
	const char *dest = has_dev_mount(s) ? "/dev/hut-monitor" : "/hut-monitor";
	struct oci_json *process = oci_json_child(s->config, "process", OCI_JSON_OBJECT);
	oci_json_set(process, "args", monitor_args(s, img, dest, net, tap_fd, id));
	oci_json_set(oci_json_child(s->config, "root", OCI_JSON_OBJECT), "path",
		     oci_json_new_string(s->rootfs));
	add_monitor_mount(s->config, dest, host);
	add_kvm(s->config, id);
	oci_rlimits_fit(s->config, id);
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
