/*
 * The files of an OCI image layout, gathered in memory from an archive (a
 * tar of the layout, `hut pack --oci-archive`) or from the folder itself
 * (`--oci-layout`), so that oci_read.c checks both the same way.
 *
 * Both are hostile input. Only three kinds of name are kept: oci-layout,
 * index.json and blobs/sha256/<64 lowercase hex digits>; anything else
 * under blobs/ is refused, so no name from the input ever becomes a path
 * beyond those. In a folder every file is opened beneath it with
 * O_NOFOLLOW (a symlink is refused, never followed out of the layout), must
 * be a regular file before it is opened (no FIFO or device is ever opened)
 * and after, and all of it together is bounded (BUILDER_OCI_BYTES_MAX).
 */
#include "builder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOBS "blobs/sha256/"
#define HEX_DIGITS 64

/* Exactly 64 lowercase hex digits: the only blob name there is. */
static bool is_hex_digest(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == HEX_DIGITS;
}

/* Is name one of the layout's files? -1 (with why) for a name under
 * blobs/ that is not a sha256 blob; 0 for a name outside blobs/ that the
 * layout does not use (ignored). */
static int kept_name(const char *name, char *why, size_t why_len)
{
	if (!strcmp(name, "oci-layout") || !strcmp(name, "index.json"))
		return 1;
	if (strncmp(name, "blobs/", 6) != 0)
		return 0;
	if (strncmp(name, BLOBS, strlen(BLOBS)) == 0 && is_hex_digest(name + strlen(BLOBS)))
		return 1;
	return builder_why(why, why_len, "%s: not a blob name (blobs/sha256/ and 64 hex digits)",
			   name);
}

static int add(struct builder_oci_files *f, const char *name, const char *data, size_t len,
	       char *owned, char *why, size_t why_len)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name)) {
			free(owned);
			return builder_why(why, why_len, "%s appears twice", name);
		}
	if (f->n == BUILDER_OCI_FILES_MAX || len > BUILDER_OCI_BYTES_MAX - f->bytes) {
		free(owned);
		return builder_why(why, why_len, "more than %d files or %llu bytes in all",
				   BUILDER_OCI_FILES_MAX, BUILDER_OCI_BYTES_MAX);
	}
	struct builder_oci_file *e = &f->v[f->n++];
	snprintf(e->name, sizeof e->name, "%s", name);
	e->data = data;
	e->len = len;
	e->owned = owned;
	f->bytes += len;
	return 0;
}

/* --- from an archive ------------------------------------------------------- */

struct archive_ctx {
	struct builder_oci_files *f;
	char *why;
	size_t why_len;
};

static int archive_entry(const char *name, const void *data, size_t len, void *ctx)
{
	struct archive_ctx *a = ctx;
	int kept = kept_name(name, a->why, a->why_len);
	if (kept <= 0)
		return kept;
	return add(a->f, name, data, len, NULL, a->why, a->why_len);
}

int builder_oci_files_of_archive(struct builder_oci_files *f, const void *data, size_t len,
				 char *why, size_t why_len)
{
	struct archive_ctx a = {f, why, why_len};
	f->n = 0;
	f->bytes = 0;
	return builder_tar_each(data, len, archive_entry, &a, why, why_len) == 0 ? 0 : -1;
}

/* --- from a folder ---------------------------------------------------------- */

/* Reads dirfd/name, which must be a regular file of at most max bytes,
 * into *out. Checked before opening (no FIFO or device is opened) and
 * after (the file opened is the file checked). */
static int read_regular(int dirfd, const char *name, const char *shown, size_t max, char **out,
			size_t *len, char *why, size_t why_len)
{
	struct stat before, st;
	if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0)
		return builder_why(why, why_len, "%s: %s", shown, strerror(errno));
	if (!S_ISREG(before.st_mode))
		return builder_why(why, why_len, "%s: not a regular file%s", shown,
				   S_ISLNK(before.st_mode) ? " (a symlink)" : "");
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return builder_why(why, why_len, "%s: %s", shown, strerror(errno));
	int rc = -1;
	if (fstat(fd, &st) != 0 || st.st_ino != before.st_ino || st.st_dev != before.st_dev ||
	    !S_ISREG(st.st_mode))
		builder_why(why, why_len, "%s: changed while it was read", shown);
	else if ((unsigned long long)st.st_size > max)
		builder_why(why, why_len, "%s: too big (%lld bytes)", shown, (long long)st.st_size);
	else {
		*len = (size_t)st.st_size;
		*out = builder_xmalloc(*len);
		ssize_t n = *len ? read(fd, *out, *len) : 0;
		if (n == (ssize_t)*len)
			rc = 0;
		else {
			free(*out);
			builder_why(why, why_len, "%s: %s", shown,
				    n < 0 ? strerror(errno) : "short read");
		}
	}
	close(fd);
	return rc;
}

static int add_read(struct builder_oci_files *f, int dirfd, const char *name, const char *shown,
		    size_t max, char *why, size_t why_len)
{
	char *data;
	size_t len;
	if (read_regular(dirfd, name, shown, max, &data, &len, why, why_len) != 0)
		return -1;
	return add(f, shown, data, len, data, why, why_len);
}

/* A subfolder, not a symlink to one. */
static int open_dir(int dirfd, const char *name, const char *shown, char *why, size_t why_len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		builder_why(why, why_len, "%s: %s", shown,
			    errno == ELOOP || errno == ENOTDIR ? "not a folder" : strerror(errno));
	return fd;
}

#define EACH_CANNOT_LIST (-2)

/* Every entry of the folder fd (taken over), each through fn, until one
 * returns other than 0; "." and ".." are skipped. EACH_CANNOT_LIST if the
 * folder cannot be read. */
static int each_entry(int fd, int (*fn)(const char *name, void *ctx), void *ctx)
{
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return EACH_CANNOT_LIST;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = fn(e->d_name, ctx);
	closedir(d);
	return rc;
}

struct folder_ctx {
	struct builder_oci_files *f;
	int fd; /* blobs/ or blobs/sha256/ */
	char *why;
	size_t why_len;
};

static int only_sha256(const char *name, void *ctx)
{
	struct folder_ctx *c = ctx;
	if (!strcmp(name, "sha256"))
		return 0;
	return builder_why(c->why, c->why_len,
			   "blobs/%s: not a blob folder (only blobs/sha256 is read)", name);
}

static int blob_entry(const char *name, void *ctx)
{
	struct folder_ctx *c = ctx;
	char shown[sizeof c->f->v[0].name];
	snprintf(shown, sizeof shown, BLOBS "%.*s", HEX_DIGITS + 1, name);
	if (!is_hex_digest(name))
		return builder_why(c->why, c->why_len, "%s: not a blob name (64 hex digits)",
				   shown);
	return add_read(c->f, c->fd, name, shown, BUILDER_OCI_BYTES_MAX - c->f->bytes, c->why,
			c->why_len);
}

/* blobs/ holds sha256/ alone, and that holds the blobs. */
static int read_blobs(struct builder_oci_files *f, int top, char *why, size_t why_len)
{
	struct folder_ctx c = {f, -1, why, why_len};
	int blobs = open_dir(top, "blobs", "blobs", why, why_len);
	if (blobs < 0)
		return -1;
	c.fd = open_dir(blobs, "sha256", "blobs/sha256", why, why_len);
	if (c.fd < 0) {
		close(blobs);
		return -1;
	}
	int rc = each_entry(blobs, only_sha256, &c);
	if (rc == 0)
		rc = each_entry(dup(c.fd), blob_entry, &c);
	if (rc == EACH_CANNOT_LIST)
		rc = builder_why(why, why_len, "cannot list a folder (%s)", strerror(errno));
	close(c.fd);
	return rc;
}

int builder_oci_files_of_layout(struct builder_oci_files *f, const char *dir, char *why,
				size_t why_len)
{
	f->n = 0;
	f->bytes = 0;
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return builder_why(why, why_len, "%s: %s", dir, strerror(errno));
	int rc = add_read(f, top, "oci-layout", "oci-layout", BUILDER_OCI_JSON_MAX, why, why_len);
	if (rc == 0)
		rc = add_read(f, top, "index.json", "index.json", BUILDER_OCI_JSON_MAX, why,
			      why_len);
	if (rc == 0)
		rc = read_blobs(f, top, why, why_len);
	close(top);
	return rc;
}

void builder_oci_files_free(struct builder_oci_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].owned);
	f->n = 0;
}
