/*
 * The hut image inside an OCI image (hut inspect), read from the layout's
 * files (oci_files.c) the way a runtime reads it: index.json names one
 * manifest, the manifest a config and one layer, the layer holds the file.
 * Nothing is taken on trust. Every descriptor's media type, size and digest
 * must match its blob; every blob's SHA-256 must be its name, referenced
 * or not; the JSON documents are bounded in size and parsed by jansson
 * with duplicate keys refused (two readers must not see two documents).
 */
#include "builder.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOBS "blobs/sha256/"
#define SHA256_PREFIX "sha256:"

static const struct builder_oci_file *find(const struct builder_oci_files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

/* Every blob's SHA-256 is its name: the archive's or folder's own check,
 * before any of it is believed. Counts them. */
static int check_blobs(const struct builder_oci_files *f, size_t *count, char *why, size_t len)
{
	*count = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct builder_oci_file *b = &f->v[i];
		if (strncmp(b->name, BLOBS, strlen(BLOBS)) != 0)
			continue;
		char digest[BUILDER_DIGEST_LEN];
		builder_sha256(b->data, b->len, digest);
		if (strcmp(digest + strlen(SHA256_PREFIX), b->name + strlen(BLOBS)) != 0)
			return builder_why(why, len, "%s has the digest %s (corrupt blob)", b->name,
					   digest);
		++*count;
	}
	return 0;
}

/* A JSON object from a file of the layout, or NULL with why. */
static json_t *parse(const struct builder_oci_file *file, const char *what, char *why, size_t len)
{
	json_error_t err;
	if (file->len > BUILDER_OCI_JSON_MAX) {
		builder_why(why, len, "%s: %zu bytes of JSON, more than read", what, file->len);
		return NULL;
	}
	json_t *j = json_loadb(file->data, file->len, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		builder_why(why, len, "%s: bad JSON at byte %d (%s)", what, err.position, err.text);
	else if (!json_is_object(j)) {
		builder_why(why, len, "%s: not a JSON object", what);
		json_decref(j);
		j = NULL;
	}
	return j;
}

static json_t *parse_named(const struct builder_oci_files *f, const char *name, char *why,
			   size_t len)
{
	const struct builder_oci_file *file = find(f, name);
	if (!file) {
		builder_why(why, len, "no %s", name);
		return NULL;
	}
	return parse(file, name, why, len);
}

static bool is_hex64(const char *s)
{
	size_t n = 0;
	while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
		n++;
	return n == 64 && s[n] == 0;
}

/* The blob a descriptor names, once its media type, digest and size are
 * what the blob is; NULL with why otherwise. */
static const struct builder_oci_file *described(const struct builder_oci_files *f, json_t *desc,
						const char *what, const char *media_type, char *why,
						size_t len)
{
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_t *size = json_object_get(desc, "size");
	if (!json_is_object(desc) || !digest || !json_is_integer(size)) {
		builder_why(why, len, "%s: not a descriptor (digest and size)", what);
		return NULL;
	}
	if (!mt || strcmp(mt, media_type) != 0) {
		builder_why(why, len, "%s: media type %s, expected %s", what, mt ? mt : "missing",
			    media_type);
		return NULL;
	}
	if (strncmp(digest, SHA256_PREFIX, strlen(SHA256_PREFIX)) != 0 ||
	    !is_hex64(digest + strlen(SHA256_PREFIX))) {
		builder_why(why, len, "%s: digest %.80s is not sha256 and 64 hex digits", what,
			    digest);
		return NULL;
	}
	char name[sizeof f->v[0].name];
	snprintf(name, sizeof name, BLOBS "%s", digest + strlen(SHA256_PREFIX));
	const struct builder_oci_file *blob = find(f, name);
	if (!blob)
		builder_why(why, len, "%s: no blob %s", what, digest);
	else if (json_integer_value(size) < 0 ||
		 (unsigned long long)json_integer_value(size) != (unsigned long long)blob->len)
		builder_why(why, len, "%s: size %lld in its descriptor, %zu bytes in blob %s", what,
			    (long long)json_integer_value(size), blob->len, digest);
	else
		return blob; /* its digest was checked with every blob's */
	return NULL;
}

static int check_layout_file(const struct builder_oci_files *f, char *why, size_t len)
{
	json_t *j = parse_named(f, "oci-layout", why, len);
	if (!j)
		return -1;
	const char *v = json_string_value(json_object_get(j, "imageLayoutVersion"));
	int rc = v && !strcmp(v, BUILDER_OCI_LAYOUT_VERSION)
			 ? 0
			 : builder_why(why, len, "oci-layout: imageLayoutVersion is not %s",
				       BUILDER_OCI_LAYOUT_VERSION);
	json_decref(j);
	return rc;
}

static bool schema_2(json_t *doc)
{
	json_t *v = json_object_get(doc, "schemaVersion");
	return json_is_integer(v) && json_integer_value(v) == 2;
}

/* The name containerd gives the image, else the spec's tag, else none. */
static void ref_of(json_t *desc, char *out, size_t len)
{
	json_t *a = json_object_get(desc, "annotations");
	const char *ref = json_string_value(json_object_get(a, "io.containerd.image.name"));
	if (!ref)
		ref = json_string_value(json_object_get(a, "org.opencontainers.image.ref.name"));
	snprintf(out, len, "%s", ref ? ref : "(no name)");
}

/* index.json's one manifest. */
static const struct builder_oci_file *
manifest_of(const struct builder_oci_files *f, struct builder_oci_image *img, char *why, size_t len)
{
	json_t *index = parse_named(f, "index.json", why, len);
	if (!index)
		return NULL;
	json_t *list = json_object_get(index, "manifests");
	const struct builder_oci_file *m = NULL;
	if (!schema_2(index))
		builder_why(why, len, "index.json: schemaVersion is not 2");
	else if (!json_is_array(list) || json_array_size(list) != 1)
		builder_why(why, len, "index.json: %zu manifests; hut images have one",
			    json_is_array(list) ? json_array_size(list) : 0);
	else if ((m = described(f, json_array_get(list, 0), "index.json's manifest",
				BUILDER_OCI_MT_MANIFEST, why, len)) != NULL) {
		ref_of(json_array_get(list, 0), img->ref, sizeof img->ref);
		snprintf(img->manifest, sizeof img->manifest, "%s",
			 json_string_value(json_object_get(json_array_get(list, 0), "digest")));
	}
	json_decref(index);
	return m;
}

/* An array of strings (the empty one too). */
static bool strings(json_t *a)
{
	if (!json_is_array(a))
		return false;
	for (size_t i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return false;
	return true;
}

/* Entrypoint and Cmd, as one JSON array: what the container runs. A
 * missing or null Cmd is none. */
static int command_of(json_t *config, struct builder_oci_image *img, char *why, size_t len)
{
	json_t *c = json_object_get(config, "config");
	json_t *entry = json_object_get(c, "Entrypoint"), *cmd = json_object_get(c, "Cmd");
	if (json_is_null(cmd))
		cmd = NULL;
	if (!strings(entry) || json_array_size(entry) == 0 || (cmd && !strings(cmd)))
		return builder_why(why, len,
				   "config: Entrypoint (and Cmd) are not arrays of strings");
	json_t *all = json_deep_copy(entry);
	if (!all || (cmd && json_array_extend(all, cmd) != 0) ||
	    !(img->command = json_dumps(all, JSON_COMPACT)))
		builder_die(1, "hut", "out of memory", NULL);
	json_decref(all);
	return 0;
}

/* The config runs the layer it names as its one diff_id. */
static int check_config(const struct builder_oci_file *config, const char *layer_digest,
			struct builder_oci_image *img, char *why, size_t len)
{
	json_t *j = parse(config, "config", why, len);
	if (!j)
		return -1;
	json_t *ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	int rc = json_is_array(ids) && json_array_size(ids) == 1 &&
				 json_string_value(json_array_get(ids, 0)) &&
				 !strcmp(json_string_value(json_array_get(ids, 0)), layer_digest)
			 ? command_of(j, img, why, len)
			 : builder_why(why, len,
				       "config: rootfs.diff_ids is not the one layer's digest");
	json_decref(j);
	return rc;
}

struct layer_reading {
	struct builder_oci_image *img;
	int files;
};

/* The image, then (hut pack --snapshot) the image's name + ".snapshot". */
static int layer_file(const char *name, const void *data, size_t len, void *ctx)
{
	struct layer_reading *r = ctx;
	size_t n = strlen(r->img->name);
	r->files++;
	if (r->files == 2 && n && !strncmp(name, r->img->name, n) &&
	    !strcmp(name + n, BUILDER_SNAPSHOT_SUFFIX)) {
		r->img->snapshot = data;
		r->img->snapshot_len = len;
		return 0;
	}
	r->img->image = data;
	r->img->image_len = len;
	snprintf(r->img->name, sizeof r->img->name, "%s", name);
	return 0;
}

static int read_layer(const struct builder_oci_file *layer, struct builder_oci_image *img,
		      char *why, size_t len)
{
	struct layer_reading r = {img, 0};
	char tar_why[256];
	if (builder_tar_each(layer->data, layer->len, layer_file, &r, tar_why, sizeof tar_why))
		return builder_why(why, len, "layer: %s", tar_why);
	if (r.files != 1 && !(r.files == 2 && img->snapshot))
		return builder_why(why, len,
				   "layer: %d files; a hut image's layer holds one (and its "
				   "snapshot)",
				   r.files);
	return 0;
}

/* The manifest: a config and one uncompressed layer. */
static int read_manifest(const struct builder_oci_files *f, const struct builder_oci_file *m,
			 struct builder_oci_image *img, char *why, size_t len)
{
	json_t *j = parse(m, "manifest", why, len);
	if (!j)
		return -1;
	json_t *layers = json_object_get(j, "layers");
	const struct builder_oci_file *config = NULL, *layer = NULL;
	int rc = -1;
	if (!schema_2(j))
		builder_why(why, len, "manifest: schemaVersion is not 2");
	else if (!json_is_array(layers) || json_array_size(layers) != 1)
		builder_why(why, len, "manifest: %zu layers; a hut image has one",
			    json_is_array(layers) ? json_array_size(layers) : 0);
	else if ((config = described(f, json_object_get(j, "config"), "manifest's config",
				     BUILDER_OCI_MT_CONFIG, why, len)) &&
		 (layer = described(f, json_array_get(layers, 0), "manifest's layer",
				    BUILDER_OCI_MT_LAYER, why, len)))
		rc = check_config(
			config,
			json_string_value(json_object_get(json_array_get(layers, 0), "digest")),
			img, why, len);
	if (rc == 0)
		rc = read_layer(layer, img, why, len);
	json_decref(j);
	return rc;
}

int builder_oci_read(const struct builder_oci_files *f, struct builder_oci_image *img, char *why,
		     size_t why_len)
{
	memset(img, 0, sizeof *img);
	if (check_blobs(f, &img->blobs, why, why_len) != 0 ||
	    check_layout_file(f, why, why_len) != 0)
		return -1;
	const struct builder_oci_file *manifest = manifest_of(f, img, why, why_len);
	if (!manifest)
		return -1;
	if (read_manifest(f, manifest, img, why, why_len) != 0) {
		builder_oci_image_free(img);
		return -1;
	}
	return 0;
}

void builder_oci_image_free(struct builder_oci_image *img)
{
	free(img->command);
	img->command = NULL;
}
