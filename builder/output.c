/*
 * Outputs that appear whole or not at all (`hut pack`). Each is written
 * under a temporary name beside its final path, in the same folder and so
 * on the same file system, and renamed into place only once everything
 * was written; a rename cannot leave half a file or half a folder. An
 * output never replaces anything: its path must not exist, and the rename
 * itself refuses to replace (RENAME_NOREPLACE) what appeared meanwhile.
 *
 * Whatever is not in place when the program exits (an error, or
 * builder_die anywhere in between) is removed by an atexit handler. The
 * caller blocks the fatal signals while outputs are open, so that an
 * interrupt lands after the exit, never between a write and its cleanup.
 */
#include "builder.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUTS_MAX 8

struct output {
	const char *path; /* where it goes */
	char *temp;	  /* where it is written until then */
	int is_dir;
	int placed; /* renamed to path */
};

static struct output outputs[OUTPUTS_MAX];
static size_t n_outputs;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* A file, or a folder and everything in it; symlinks are not followed. */
static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_unplaced(void)
{
	for (size_t i = 0; i < n_outputs; i++)
		if (!outputs[i].placed && outputs[i].temp)
			remove_tree(outputs[i].temp);
}

/* "DIR/.NAME.hut-XXXXXX" beside path: hidden, and named after it so that a
 * leftover (after SIGKILL) says whose it was. */
static char *temp_template(const char *path)
{
	char *a = builder_xstrdup(path), *b = builder_xstrdup(path);
	char *t = builder_xasprintf("%s/.%s.hut-XXXXXX", dirname(a), basename(b));
	free(a);
	free(b);
	return t;
}

/* mkdtemp and mkstemp make 0700 and 0600; the output gets what a plain
 * mkdir or creat would give it under the caller's umask. */
static int usual_mode(const char *path, int is_dir)
{
	mode_t mask = umask(0);
	umask(mask);
	return chmod(path, (is_dir ? 0777 : 0666) & ~mask);
}

/* Creates o's temporary; it is removed at exit unless placed. */
static int make_temp(struct output *o, char *why, size_t why_len)
{
	static int registered;
	if (!registered && atexit(remove_unplaced) != 0)
		builder_die(1, o->path, "cannot register the cleanup", NULL);
	registered = 1;
	char *t = temp_template(o->path);
	int fd = -1;
	if (o->is_dir ? mkdtemp(t) == NULL : (fd = mkstemp(t)) < 0) {
		snprintf(why, why_len, "cannot create a temporary %s beside it: %s",
			 o->is_dir ? "folder" : "file", strerror(errno));
		free(t);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	o->temp = t;
	if (usual_mode(t, o->is_dir) != 0) {
		snprintf(why, why_len, "cannot set the mode of %s: %s", t, strerror(errno));
		return -1;
	}
	return 0;
}

const char *builder_output_begin(const char *path, int is_dir, char *why, size_t why_len)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		snprintf(why, why_len, "it already exists; hut pack replaces nothing");
		return NULL;
	}
	if (errno != ENOENT) {
		snprintf(why, why_len, "%s", strerror(errno));
		return NULL;
	}
	if (n_outputs == OUTPUTS_MAX)
		builder_die(1, path, "too many outputs", NULL);
	struct output *o = &outputs[n_outputs++];
	*o = (struct output){.path = path, .is_dir = is_dir};
	return make_temp(o, why, why_len) == 0 ? o->temp : NULL;
}

/* rename without replacing; where the file system cannot promise that
 * (EINVAL), a check just before a plain rename. */
static int place(const struct output *o)
{
	if (renameat2(AT_FDCWD, o->temp, AT_FDCWD, o->path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	struct stat st;
	if (lstat(o->path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(o->temp, o->path);
}

/* All or nothing: takes back the outputs before the i-th. */
static void take_back(size_t i)
{
	while (i-- > 0) {
		remove_tree(outputs[i].path);
		outputs[i].placed = 0;
		outputs[i].temp = NULL;
	}
}

int builder_output_commit(const char **failed, char *why, size_t why_len)
{
	for (size_t i = 0; i < n_outputs; i++) {
		if (place(&outputs[i]) == 0) {
			outputs[i].placed = 1;
			continue;
		}
		int e = errno;
		*failed = outputs[i].path;
		snprintf(why, why_len, "cannot rename %s to it: %s", outputs[i].temp,
			 e == EEXIST || e == ENOTEMPTY ? "it appeared meanwhile" : strerror(e));
		take_back(i);
		return -1;
	}
	return 0;
}
