/*
 * `hut pack --bundle DIR IMAGE [ARG...]`: the image as an OCI bundle, so
 * that crun and runc can run the very same bytes as a container:
 *
 *   DIR/config.json          OCI runtime spec 1.0
 *   DIR/rootfs/IMAGE_NAME    the image (static: the root holds nothing else)
 *   DIR/rootfs/IMAGE_NAME.snapshot  with --snapshot (pack_snapshot.c)
 *
 * The container gets what the benchmark's other launchers get: its own
 * pid/mount/ipc/uts/network namespaces, a read-only root, no terminal and
 * no capabilities. The image itself needs no mounts, but the runtimes do:
 * runc closes inherited fds through /proc/self/fd (so /proc is mounted),
 * and crun fills in /dev before it makes the root read-only (so rootfs/dev
 * must exist). Nothing else is added: anything more would be time charged
 * to the container runtime for work the other launchers do not do.
 */
#include "builder.h"
#include "json_string.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *why, size_t len, const char *what, const char *path)
{
	snprintf(why, len, "%s %s (%s)", what, path, strerror(errno));
	return -1;
}

static int mkdir_ok(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* Creates rootfs/name: a mount point the runtime needs (see above). */
static int mkdir_under(const char *rootfs, const char *name, char *why, size_t len)
{
	char *path = builder_xasprintf("%s/%s", rootfs, name);
	int rc = mkdir_ok(path) == 0 ? 0 : fail(why, len, "cannot create", path);
	free(path);
	return rc;
}

/* Copies src to dst with mode 0755, replacing dst. */
static int copy_file(const char *src, const char *dst, char *why, size_t len)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail(why, len, "cannot read", src);
	unlink(dst);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return fail(why, len, "cannot create", dst);
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = fail(why, len, n < 0 ? "cannot read" : "cannot write",
				  n < 0 ? src : dst);
	}
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = fail(why, len, "cannot write", dst);
	return rc;
}

static void write_config(FILE *f, const char *name, int argc, char *const *args)
{
	fputs("{\n"
	      "  \"ociVersion\": \"1.0.2\",\n"
	      "  \"process\": {\n"
	      "    \"terminal\": false,\n"
	      "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
	      "    \"args\": [",
	      f);
	char *path = builder_xasprintf("/%s", name);
	hut_json_string(f, path);
	free(path);
	for (int i = 0; i < argc; i++) {
		fputs(", ", f);
		hut_json_string(f, args[i]);
	}
	fputs("],\n"
	      "    \"env\": [\"" BUILDER_BUNDLE_ENV "\"],\n"
	      "    \"cwd\": \"/\",\n"
	      "    \"noNewPrivileges\": true\n"
	      "  },\n"
	      "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
	      "  \"hostname\": \"" BUILDER_BUNDLE_HOSTNAME "\",\n"
	      "  \"mounts\": [\n"
	      "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" }\n"
	      "  ],\n"
	      "  \"linux\": {\n"
	      "    \"namespaces\": [\n"
	      "      { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"ipc\" },\n"
	      "      { \"type\": \"uts\" }, { \"type\": \"network\" }\n"
	      "    ]\n"
	      "  }\n"
	      "}\n",
	      f);
}

int builder_pack_bundle(const char *dir, const char *image, int argc, char *const *args, char *why,
			size_t why_len)
{
	char *copy = builder_xstrdup(image);
	char *name = builder_xstrdup(basename(copy));
	free(copy);
	char *rootfs = builder_xasprintf("%s/rootfs", dir);
	char *target = builder_xasprintf("%s/%s", rootfs, name);
	char *config = builder_xasprintf("%s/config.json", dir);
	int rc = -1;
	FILE *f = NULL;
	if (mkdir_ok(dir) != 0)
		fail(why, why_len, "cannot create", dir);
	else if (mkdir_ok(rootfs) != 0)
		fail(why, why_len, "cannot create", rootfs);
	else if (mkdir_under(rootfs, "dev", why, why_len) != 0 ||
		 mkdir_under(rootfs, "proc", why, why_len) != 0)
		;
	else if (copy_file(image, target, why, why_len) != 0)
		;
	else if (!(f = fopen(config, "w")))
		fail(why, why_len, "cannot create", config);
	else {
		write_config(f, name, argc, args);
		rc = fclose(f) == 0 ? 0 : fail(why, why_len, "cannot write", config);
	}
	free(name);
	free(rootfs);
	free(target);
	free(config);
	return rc;
}
