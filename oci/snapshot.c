/*
 * A container started from the snapshot `hut pack --snapshot` put beside
 * its image (/IMAGE.snapshot in the rootfs: docs/ARCHITECTURE.md,
 * "Snapshots"). hut-oci restores from it only when the monitor would: the
 * snapshot's header is checked as the monitor checks it (hut_snap_check:
 * format, CRC, ABI, this image's CRC, size), its arguments' hash must be
 * the hash of what this container gives the guest (its args, environment,
 * host name, guest RAM and process limit, hashed as the monitor hashes
 * them), and its devices this container's (a network device iff the pod's
 * network is given; no volume, since a pack has none). Anything else boots
 * cold, and says why: a restore the monitor refused would be a container
 * that fails, where a cold boot is one that starts a little later. The
 * file is the image author's, so it is opened as the image is (inside the
 * rootfs, detect.c) and only its header is read.
 */
#include "snapshot.h"
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUFFIX ".snapshot"

/* What the monitor's arguments give the guest, as the monitor reads them. */
struct guest_args {
	char *env[256], *argv[256];
	int envc, argc;
	const char *hostname;
	bool volumes;
};

/* The other options hut-oci gives the monitor with a value (rewrite.c,
 * podnet.c); --trace-boot has none. */
static bool takes_value(const char *option)
{
	static const char *const valued[] = {"--stats", "--net", "--ip", "--gw", "--mac", "--dns"};
	for (size_t i = 0; i < sizeof valued / sizeof *valued; i++)
		if (!strcmp(option, valued[i]))
			return true;
	return false;
}

static const char *read_args(const json_t *args, struct guest_args *g)
{
	size_t n = json_array_size(args), i = 1;
	memset(g, 0, sizeof *g);
	for (; i < n; i++) {
		const char *a = json_string_value(json_array_get(args, i));
		const char *v = i + 1 < n ? json_string_value(json_array_get(args, i + 1)) : NULL;
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--env") && v && g->envc < 256)
			g->env[g->envc++] = (char *)v, i++;
		else if (!strcmp(a, "--env"))
			return "more than 256 environment variables";
		else if (!strcmp(a, "--hostname") && v)
			g->hostname = v, i++;
		else if (!strcmp(a, "--volume"))
			g->volumes = true, i++;
		else if (takes_value(a))
			i++;
	}
	for (i += 2; i < n; i++) { /* past "--" and the image: the guest's argv[1..] */
		if (g->argc == 256)
			return "more than 256 arguments";
		g->argv[g->argc++] = (char *)json_string_value(json_array_get(args, i));
	}
	return NULL;
}

/* As snapshot_take.c's hut_snapshot_args_hash: the guest's argv[1..],
 * environment, host name, RAM (the manifest's: hut-oci gives no --mem) and
 * process limit (none given: 0). */
static uint64_t args_hash(const struct guest_args *g, const struct oci_image *img)
{
	char *host[1] = {(char *)(g->hostname ? g->hostname : "")};
	uint64_t h = 0xcbf29ce484222325ull;
	h = hut_snap_hash(h, g->argv, g->argc);
	h = hut_snap_hash(h, g->env, g->envc);
	h = hut_snap_hash(h, host, 1);
	h = hut_snap_hash_u64(h, img->mem_default);
	return hut_snap_hash_u64(h, 0);
}

/* The header of the snapshot at path in the rootfs; NULL, or why not. */
static const char *read_header(const struct oci_spec *s, const char *path,
			       struct hut_snap_header *h, uint64_t *size)
{
	char proc[64];
	struct stat st;
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int at = rootfd < 0 ? -1 : oci_open_in_root(rootfd, path);
	if (rootfd >= 0)
		close(rootfd);
	if (at < 0)
		return "no snapshot beside the image";
	/* Reopened to read only once it is known to be a regular file: a
	 * FIFO opened to read would wait for a writer. */
	int fd = -1;
	if (fstat(at, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", at);
		fd = open(proc, O_RDONLY | O_CLOEXEC);
	}
	close(at);
	if (fd < 0)
		return "the snapshot beside the image is not a readable file";
	ssize_t n = pread(fd, h, sizeof *h, 0);
	bool whole = fstat(fd, &st) == 0 && n == (ssize_t)sizeof *h;
	close(fd);
	*size = whole ? (uint64_t)st.st_size : 0;
	return NULL;
}

const char *oci_snapshot_use(const struct oci_spec *s, const struct oci_image *img, bool net,
			     json_t *args)
{
	static struct hut_snap_header h;
	static char why[PATH_MAX + 160];
	struct guest_args g;
	struct hut_snap_buf rec;
	uint64_t size;
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s" SUFFIX, img->path) >= (int)sizeof path)
		return "the snapshot's path is too long";
	const char *no = read_header(s, path, &h, &size);
	if (no)
		return no;
	if ((no = hut_snap_check(&h, size, img->crc32))) {
		snprintf(why, sizeof why, "%s: %s", path, no);
		return why;
	}
	if ((no = read_args(args, &g)))
		return no;
	if (g.volumes)
		return "the container has volumes (bind mounts of folders); a snapshot has none";
	if (h.args_hash != args_hash(&g, img) || h.mem_size != img->mem_default)
		return "the snapshot was made with other guest arguments, environment or host name";
	bool had_net = hut_snap_module(&h, "net", &rec) && rec.len > 0;
	if (had_net != net)
		return had_net ? "the snapshot has a network device and the container no pod "
				 "network"
			       : "the snapshot has no network device and the container a pod "
				 "network";
	size_t at = 0;
	while (at < json_array_size(args) &&
	       strcmp(json_string_value(json_array_get(args, at)), "--"))
		at++;
	json_array_insert_new(args, at, oci_json_text(path));
	json_array_insert_new(args, at, oci_json_text("--restore"));
	return NULL;
}
