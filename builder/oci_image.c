/*
 * `hut pack --oci-archive FILE | --oci-layout DIR`: the image as an OCI
 * image (image spec 1.0) that containerd (`ctr image import`) and podman
 * (`oci-archive:FILE`) take as they are:
 *
 *   oci-layout, index.json            the layout, naming the one manifest
 *   blobs/sha256/<manifest>           config + one layer
 *   blobs/sha256/<config>             Entrypoint /IMAGE, Cmd the ARGs
 *   blobs/sha256/<layer>              an uncompressed tar holding only IMAGE
 *                                     (and, with --snapshot, IMAGE.snapshot
 *                                     packed: include/hut/snappack.h)
 *
 * Every blob is named by its SHA-256, and every entry is written with
 * owner 0 and mtime 0, so packing the same image twice gives the same
 * digests. hut-oci recognises the entrypoint as a hut image and boots it;
 * crun or runc run the same image as a plain container.
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

#define MT_INDEX BUILDER_OCI_MT_INDEX
#define MT_MANIFEST BUILDER_OCI_MT_MANIFEST
#define MT_CONFIG BUILDER_OCI_MT_CONFIG
#define MT_LAYER BUILDER_OCI_MT_LAYER
#define EPOCH "1970-01-01T00:00:00Z"
/* ustar's name field: the layer's one entry is the image's file name. */
#define TAR_NAME_MAX 100

struct blob {
	char *data;
	size_t len;
	char digest[BUILDER_DIGEST_LEN];
};

static void seal(struct blob *b)
{
	builder_sha256(b->data, b->len, b->digest);
}

static void descriptor(FILE *f, const char *media_type, const struct blob *b)
{
	fprintf(f, "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu", media_type, b->digest,
		b->len);
}

static void config_blob(struct blob *out, const char *name, const struct blob *layer, int argc,
			char *const *args)
{
	FILE *f = open_memstream(&out->data, &out->len);
	char *entry = builder_xasprintf("/%s", name);
	fputs("{\"created\":\"" EPOCH "\",\"architecture\":\"amd64\",\"os\":\"linux\","
	      "\"config\":{\"Entrypoint\":[",
	      f);
	hut_json_string(f, entry);
	fputs("]", f);
	if (argc > 0) {
		fputs(",\"Cmd\":[", f);
		for (int i = 0; i < argc; i++) {
			fputs(i ? "," : "", f);
			hut_json_string(f, args[i]);
		}
		fputs("]", f);
	}
	fputs(",\"Env\":[\"PATH=/\"],\"WorkingDir\":\"/\"},", f);
	fprintf(f, "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},", layer->digest);
	fputs("\"history\":[{\"created\":\"" EPOCH "\",\"created_by\":\"hut pack\"}]}", f);
	fclose(f);
	free(entry);
	seal(out);
}

static void manifest_blob(struct blob *out, const struct blob *config, const struct blob *layer)
{
	FILE *f = open_memstream(&out->data, &out->len);
	fputs("{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST "\",\"config\":", f);
	descriptor(f, MT_CONFIG, config);
	fputs("},\"layers\":[", f);
	descriptor(f, MT_LAYER, layer);
	fputs("}]}", f);
	fclose(f);
	seal(out);
}

/* The index names the image twice: containerd's import reads
 * io.containerd.image.name, the image spec's own annotation is the tag. */
static void index_json(struct blob *out, const struct blob *manifest, const char *ref)
{
	const char *colon = strrchr(ref, ':');
	const char *tag = colon && !strchr(colon, '/') ? colon + 1 : "latest";
	FILE *f = open_memstream(&out->data, &out->len);
	fputs("{\"schemaVersion\":2,\"mediaType\":\"" MT_INDEX "\",\"manifests\":[", f);
	descriptor(f, MT_MANIFEST, manifest);
	fputs(",\"annotations\":{\"io.containerd.image.name\":", f);
	hut_json_string(f, ref);
	fputs(",\"org.opencontainers.image.ref.name\":", f);
	hut_json_string(f, tag);
	fputs("}}]}", f);
	fclose(f);
}

static int read_all(const char *path, struct builder_buf *b, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "cannot read %s (%s)", path, strerror(errno));
		return -1;
	}
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		builder_buf_add(b, chunk, (size_t)n);
	close(fd);
	if (n < 0)
		snprintf(why, len, "cannot read %s (%s)", path, strerror(errno));
	return n < 0 ? -1 : 0;
}

static int write_file(const char *path, const void *data, size_t len, char *why, size_t why_len)
{
	FILE *f = fopen(path, "w");
	if (f && fwrite(data, 1, len, f) == len && fclose(f) == 0)
		return 0;
	snprintf(why, why_len, "cannot write %s (%s)", path, strerror(errno));
	if (f)
		fclose(f);
	return -1;
}

static const char layout_json[] = "{\"imageLayoutVersion\":\"" BUILDER_OCI_LAYOUT_VERSION "\"}";

static int write_layout(const char *dir, const struct blob *blobs, size_t n,
			const struct blob *index, char *why, size_t why_len)
{
	char *sub = builder_xasprintf("%s/blobs/sha256", dir), *path;
	int rc = 0;
	char *blobs_dir = builder_xasprintf("%s/blobs", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(blobs_dir, 0755) && errno != EEXIST) ||
	    (mkdir(sub, 0755) && errno != EEXIST)) {
		snprintf(why, why_len, "cannot create %s (%s)", sub, strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		path = builder_xasprintf("%s/%s", sub, blobs[i].digest + 7);
		rc = write_file(path, blobs[i].data, blobs[i].len, why, why_len);
		free(path);
	}
	if (rc == 0) {
		path = builder_xasprintf("%s/oci-layout", dir);
		rc = write_file(path, layout_json, strlen(layout_json), why, why_len);
		free(path);
	}
	if (rc == 0) {
		path = builder_xasprintf("%s/index.json", dir);
		rc = write_file(path, index->data, index->len, why, why_len);
		free(path);
	}
	free(sub);
	free(blobs_dir);
	return rc;
}

static int write_archive(const char *file, const struct blob *blobs, size_t n,
			 const struct blob *index, char *why, size_t why_len)
{
	struct builder_buf t = {0};
	builder_tar_add(&t, "oci-layout", layout_json, strlen(layout_json), 0644);
	builder_tar_add(&t, "index.json", index->data, index->len, 0644);
	builder_tar_add(&t, "blobs/", NULL, 0, 0755);
	builder_tar_add(&t, "blobs/sha256/", NULL, 0, 0755);
	for (size_t i = 0; i < n; i++) {
		char *name = builder_xasprintf("blobs/sha256/%s", blobs[i].digest + 7);
		builder_tar_add(&t, name, blobs[i].data, blobs[i].len, 0644);
		free(name);
	}
	builder_tar_end(&t);
	int rc = write_file(file, t.data, t.len, why, why_len);
	free(t.data);
	return rc;
}

int builder_oci_write(const char *image, const char *ref, int argc, char *const *args,
		      const struct builder_buf *snapshot, const char *layout_dir,
		      const char *archive, char *why, size_t why_len)
{
	struct builder_buf img = {0}, layer = {0};
	char *copy = builder_xstrdup(image), *name = builder_xstrdup(basename(copy));
	free(copy);
	size_t longest = strlen(name) + (snapshot ? strlen(BUILDER_SNAPSHOT_SUFFIX) : 0);
	if (longest >= TAR_NAME_MAX) {
		snprintf(why, why_len, "the image's name is longer than a tar entry's %d bytes",
			 TAR_NAME_MAX - 1);
		free(name);
		return -1;
	}
	if (read_all(image, &img, why, why_len) != 0) {
		free(name);
		return -1;
	}
	/* an empty file has no data (NULL): still a file, not a directory */
	builder_tar_add(&layer, name, img.data ? img.data : "", img.len, 0755);
	if (snapshot) {
		char *snap = builder_xasprintf("%s" BUILDER_SNAPSHOT_SUFFIX, name);
		builder_tar_add(&layer, snap, snapshot->data, snapshot->len, 0644);
		free(snap);
	}
	builder_tar_end(&layer);
	free(img.data);
	struct blob blobs[3] = {{.data = layer.data, .len = layer.len}}, index = {0};
	seal(&blobs[0]);
	config_blob(&blobs[1], name, &blobs[0], argc, args);
	manifest_blob(&blobs[2], &blobs[1], &blobs[0]);
	index_json(&index, &blobs[2], ref);
	int rc = 0;
	if (layout_dir)
		rc = write_layout(layout_dir, blobs, 3, &index, why, why_len);
	if (rc == 0 && archive)
		rc = write_archive(archive, blobs, 3, &index, why, why_len);
	for (int i = 0; i < 3; i++)
		free(blobs[i].data);
	free(index.data);
	free(name);
	return rc;
}
