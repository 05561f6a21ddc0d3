/*
 * What hut-oci keeps per hut container, under its --root: ROOT/hut/ID/
 * holds the bundle handed to the lower runtime (config.json) and the path
 * of the original bundle (bundle), which `state` reports as runc would,
 * and, for a container in a pod's network namespace, that namespace's path
 * and the pod interface's name (netns), for delete to clean up; and the
 * stats file the monitor keeps the guest's process counts in
 * (include/hut/stats.h), which `state` shows as annotations.
 * Containers that are not hut images have no record: the lower runtime
 * keeps all there is to know, under ROOT/<crun|runc>.
 */
#include "oci.h"

#include <hut/stats.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* runc's rule for IDs: letters, digits, '_', '+', '-', '.'; not "." or "..".
 * The ID becomes a folder name here. */
void oci_check_id(const char *id)
{
	size_t n = strlen(id);
	bool ok = n > 0 && n <= 1024 && strcmp(id, ".") && strcmp(id, "..");
	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '+' || c == '-' || c == '.';
	}
	if (!ok)
		oci_die(NULL, "invalid container ID '%.64s' (letters, digits, _ + - . only)", id);
}

char *oci_record_dir(const char *id)
{
	char *dir;
	if (asprintf(&dir, "%s/hut/%s", oci_g.root, id) < 0)
		oci_die(id, "out of memory");
	return dir;
}

/* mkdir -p: the first container under a runtime root (containerd's
 * /run/containerd/runc/NAMESPACE) finds no part of it made yet. */
void oci_make_dir(const char *path, const char *id)
{
	char *p = strdup(path);
	if (!p)
		oci_die(id, "out of memory");
	for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = 0;
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			oci_die(id, "cannot create %s (%s)", p, strerror(errno));
		if (!slash)
			break;
		*slash = '/';
	}
	free(p);
}

static char *file_in(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		oci_die(NULL, "out of memory");
	return p;
}

char *oci_record_snapshot_path(const char *id)
{
	char *dir = oci_record_dir(id), *p = file_in(dir, "snapshot");
	free(dir);
	return p;
}

void oci_record_snapshot_link(const char *id, const char *expanded)
{
	char *link_path = oci_record_snapshot_path(id);
	if (link(expanded, link_path) != 0)
		oci_die(id, "cannot link %s to %s (%s)", link_path, expanded, strerror(errno));
	free(link_path);
	oci_record_put(id, "snapshot-cache", expanded);
}

/* The record's link gone, the expansion is removed when no other
 * container's record links it (its own name is then its one link). A
 * create racing this keeps its own link, hence the file; the next create
 * expands it again. */
static void unlink_snapshot(const char *id)
{
	char *cache = oci_record_get(id, "snapshot-cache"),
	     *link_path = oci_record_snapshot_path(id);
	struct stat mine, st;
	bool linked = stat(link_path, &mine) == 0;
	unlink(link_path);
	if (cache && linked && stat(cache, &st) == 0 && st.st_ino == mine.st_ino &&
	    st.st_dev == mine.st_dev && st.st_nlink == 1)
		unlink(cache);
	free(cache);
	free(link_path);
}

void oci_record_remove(const char *id)
{
	unlink_snapshot(id);
	char *dir = oci_record_dir(id);
	static const char *const files[] = {"config.json", "bundle", "netns",
					    "stats",	   "start",  "snapshot-cache"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *f = file_in(dir, files[i]);
		unlink(f);
		free(f);
	}
	rmdir(dir);
	free(dir);
}

static void create_stats(const char *id);

char *oci_record_create(const char *id, const char *bundle)
{
	char *hut = file_in(oci_g.root, "hut");
	oci_make_dir(oci_g.root, id);
	oci_make_dir(hut, id);
	free(hut);
	char *live;
	if (asprintf(&live, "%s/%s/%s", oci_g.root, oci_g.lower_name, id) < 0)
		oci_die(id, "out of memory");
	if (access(live, F_OK) == 0)
		oci_die(id, "container %s already exists", id);
	free(live);
	oci_record_remove(id); /* the leftovers of a create that failed */
	char *dir = oci_record_dir(id);
	if (mkdir(dir, 0700) != 0)
		oci_die(id, "cannot create %s (%s)", dir, strerror(errno));
	char *path = file_in(dir, "bundle");
	FILE *f = fopen(path, "w");
	if (!f || fputs(bundle, f) < 0 || fclose(f) != 0)
		oci_die(id, "cannot write %s (%s)", path, strerror(errno));
	free(path);
	create_stats(id);
	return dir;
}

char *oci_record_stats_path(const char *id)
{
	char *dir = oci_record_dir(id), *path = file_in(dir, "stats");
	free(dir);
	return path;
}

/* Empty, for the bind mount; writable by the monitor whatever user the
 * container runs it as (the record's folder is root's alone). */
static void create_stats(const char *id)
{
	char *path = oci_record_stats_path(id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0666) != 0)
		oci_die(id, "cannot create %s (%s)", path, strerror(errno));
	close(fd);
	free(path);
}

bool oci_record_stats(const char *id, struct hut_stats *st)
{
	char *path = oci_record_stats_path(id);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd >= 0 ? read(fd, st, sizeof *st) : -1;
	if (fd >= 0)
		close(fd);
	free(path);
	return n == (ssize_t)sizeof *st && st->magic == HUT_STATS_MAGIC;
}

void oci_record_put(const char *id, const char *name, const char *text)
{
	char *dir = oci_record_dir(id), *path = file_in(dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		oci_die(id, "cannot write %s (%s)", path, strerror(errno));
	free(path);
	free(dir);
}

char *oci_record_get(const char *id, const char *name)
{
	char *dir = oci_record_dir(id), *path = file_in(dir, name);
	char buf[PATH_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	free(path);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return strdup(buf);
}

char *oci_record_bundle(const char *id)
{
	return oci_record_get(id, "bundle");
}
