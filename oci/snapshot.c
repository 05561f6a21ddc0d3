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
 * rootfs, detect.c). A bundle's is the monitor's sparse file, restored
 * from where it lies; an OCI image's is packed (include/hut/snappack.h:
 * a layer is unpacked without holes), checked, and expanded once per
 * image into hut-oci's root, from where the container gets it by a
 * read-only bind mount.
 */
#include "snapshot.h"
#include "oci.h"
#include "snappack.h"

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

/* The snapshot at path in the rootfs, opened to read only once it is
 * known to be a regular file (a FIFO opened to read would wait for a
 * writer); -1 if there is none such. */
static int open_snapshot(const struct oci_spec *s, const char *path)
{
	char proc[64];
	struct stat st;
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int at = rootfd < 0 ? -1 : oci_open_in_root(rootfd, path);
	if (rootfd >= 0)
		close(rootfd);
	if (at < 0)
		return -1;
	int fd = -1;
	if (fstat(at, &st) == 0 && S_ISREG(st.st_mode)) {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", at);
		fd = open(proc, O_RDONLY | O_CLOEXEC);
	}
	close(at);
	return fd;
}

/* The snapshot beside the image: the monitor's sparse file, or packed
 * (its table read and checked, runs NULL for a sparse one). */
struct source {
	int fd;
	struct hut_snappack_header packed;
	struct hut_snappack_run *runs;
};

/* A packed snapshot's table, checked before anything else is read of it. */
static const char *read_table(struct source *src)
{
	struct stat st;
	uint64_t data;
	struct hut_snappack_header *h = &src->packed;
	if (fstat(src->fd, &st) != 0 || pread(src->fd, h, sizeof *h, 0) != (ssize_t)sizeof *h)
		return "packed snapshot shorter than its header";
	if (h->runs > HUT_SNAPPACK_RUNS_MAX)
		return "packed snapshot with too many runs";
	size_t table = h->runs * sizeof *src->runs;
	src->runs = malloc(table ? table : 1);
	if (!src->runs)
		return "out of memory";
	if (pread(src->fd, src->runs, table, sizeof *h) != (ssize_t)table)
		return "packed snapshot's run table is cut short";
	return hut_snappack_check(h, src->runs, (uint64_t)st.st_size, &data);
}

/* len bytes of the sparse file at off, from the packed one: the runs'
 * bytes where they lie, zeros in the holes between. */
static bool packed_read(const struct source *src, void *buf, uint64_t len, uint64_t off)
{
	uint64_t at = sizeof src->packed + src->packed.runs * sizeof *src->runs;
	memset(buf, 0, len);
	for (uint32_t i = 0; i < src->packed.runs; at += src->runs[i].len, i++) {
		const struct hut_snappack_run *r = &src->runs[i];
		uint64_t from = r->offset > off ? r->offset : off;
		uint64_t to = r->offset + r->len < off + len ? r->offset + r->len : off + len;
		if (from < to && pread(src->fd, (char *)buf + (from - off), to - from,
				       (off_t)(at + from - r->offset)) != (ssize_t)(to - from))
			return false;
	}
	return true;
}

/* The monitor's header of the snapshot, and the sparse file's size. */
static void read_header(const struct source *src, struct hut_snap_header *h, uint64_t *size)
{
	struct stat st;
	*size = 0;
	if (src->runs) {
		if (packed_read(src, h, sizeof *h, 0))
			*size = src->packed.size;
		return;
	}
	ssize_t n = pread(src->fd, h, sizeof *h, 0);
	if (fstat(src->fd, &st) == 0 && n == (ssize_t)sizeof *h)
		*size = (uint64_t)st.st_size;
}

static bool copy_run(int from, uint64_t at, int to, const struct hut_snappack_run *r)
{
	static char chunk[1 << 16];
	for (uint64_t done = 0; done < r->len;) {
		size_t want = r->len - done < sizeof chunk ? r->len - done : sizeof chunk;
		ssize_t n = pread(from, chunk, want, (off_t)(at + done));
		if (n <= 0 || pwrite(to, chunk, (size_t)n, (off_t)(r->offset + done)) != n)
			return false;
		done += (uint64_t)n;
	}
	return true;
}

/* Writes the sparse file the packed snapshot (checked) holds into out. */
static bool unpack(const struct source *src, int out)
{
	uint64_t at = sizeof src->packed + src->packed.runs * sizeof *src->runs;
	if (ftruncate(out, (off_t)src->packed.size) != 0)
		return false;
	for (uint32_t i = 0; i < src->packed.runs; at += src->runs[i].len, i++)
		if (!copy_run(src->fd, at, out, &src->runs[i]))
			return false;
	return true;
}

/* A packed snapshot (an OCI image's: include/hut/snappack.h), which the
 * container will restore from, expanded once per image into hut-oci's
 * root, ROOT/hut-snapshots/, named by the packed file's device, inode,
 * size and change time (one image's file in the orchestrator's store),
 * written under a temporary name and renamed: creates at once each end
 * with a whole file. Every container of the image restores from that one
 * file, so the page cache holds its pages once. Its host path, or NULL
 * with *why. */
static char *expanded(const struct source *src, const char **why, const char *id)
{
	struct stat st;
	char *dir, *path, *temp;
	if (fstat(src->fd, &st) != 0) {
		*why = "cannot stat the packed snapshot";
		return NULL;
	}
	if (asprintf(&dir, "%s/hut-snapshots", oci_g.root) < 0 ||
	    asprintf(&path, "%s/%llx-%llx-%llx-%llx.%lx", dir, (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
		     (unsigned long long)st.st_ctim.tv_sec,
		     (unsigned long)st.st_ctim.tv_nsec) < 0 ||
	    asprintf(&temp, "%s.%d", path, (int)getpid()) < 0)
		oci_die(id, "out of memory");
	oci_make_dir(dir, id);
	free(dir);
	*why = NULL;
	if (access(path, F_OK) != 0) {
		int out = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		bool ok = out >= 0 && unpack(src, out);
		if ((out >= 0 && close(out) != 0) || !ok)
			*why = "cannot write the expanded snapshot";
		else if (rename(temp, path) != 0)
			*why = "cannot put the expanded snapshot in place";
		if (*why) {
			unlink(temp);
			free(path);
			path = NULL;
		}
	}
	free(temp);
	return path;
}

/* The snapshot beside the image, opened; false with why for none. */
static bool open_source(const struct oci_spec *s, const char *path, struct source *src,
			const char **why)
{
	char magic[8];
	*src = (struct source){.fd = open_snapshot(s, path)};
	if (src->fd < 0) {
		*why = "no snapshot beside the image";
		return false;
	}
	if (pread(src->fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
	    memcmp(magic, HUT_SNAPPACK_MAGIC, sizeof magic))
		return true; /* the monitor's own format, or what its check refuses */
	*why = read_table(src);
	return *why == NULL;
}

static void close_source(struct source *src)
{
	if (src->fd >= 0)
		close(src->fd);
	free(src->runs);
}

/* NULL when the monitor would restore the snapshot for these args; else
 * why not (in why). */
static const char *fits(const struct source *src, const struct oci_image *img, bool net,
			const json_t *args, const char *path, char *why, size_t len)
{
	static struct hut_snap_header h;
	struct guest_args g;
	struct hut_snap_buf rec;
	uint64_t size;
	const char *no;
	read_header(src, &h, &size);
	if ((no = hut_snap_check(&h, size, img->crc32)))
		snprintf(why, len, "%s: %s", path, no);
	else if ((no = read_args(args, &g)))
		snprintf(why, len, "%s", no);
	else if (g.volumes)
		snprintf(why, len,
			 "the container has volumes (bind mounts of folders); a snapshot has none");
	else if (h.args_hash != args_hash(&g, img) || h.mem_size != img->mem_default)
		snprintf(why, len,
			 "the snapshot was made with other guest arguments, environment or host "
			 "name");
	else if ((hut_snap_module(&h, "net", &rec) && rec.len > 0) != net)
		snprintf(
			why, len, "%s",
			net ? "the snapshot has no network device and the container a pod network"
			    : "the snapshot has a network device and the container no pod network");
	else
		return NULL;
	return why;
}

const char *oci_snapshot_use(const struct oci_spec *s, const struct oci_image *img, bool net,
			     json_t *args, const char *expanded_at, char **expanded_host,
			     const char *id)
{
	static char why[PATH_MAX + 160];
	char path[PATH_MAX];
	const char *no = NULL;
	struct source src;
	*expanded_host = NULL;
	if (snprintf(path, sizeof path, "%s" SUFFIX, img->path) >= (int)sizeof path)
		return "the snapshot's path is too long";
	if (!open_source(s, path, &src, &no)) {
		if (src.runs)
			snprintf(why, sizeof why, "%s: %s", path, no), no = why;
		close_source(&src);
		return no;
	}
	no = fits(&src, img, net, args, path, why, sizeof why);
	if (!no && src.runs)
		*expanded_host = expanded(&src, &no, id);
	close_source(&src);
	if (no)
		return no;
	size_t at = 0;
	while (at < json_array_size(args) &&
	       strcmp(json_string_value(json_array_get(args, at)), "--"))
		at++;
	json_array_insert_new(args, at, oci_json_text(*expanded_host ? expanded_at : path));
	json_array_insert_new(args, at, oci_json_text("--restore"));
	return NULL;
}
