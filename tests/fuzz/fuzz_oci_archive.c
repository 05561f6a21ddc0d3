/*
 * libFuzzer target: the builder reading an OCI archive, as `hut inspect
 * FILE` does when FILE is a tar (builder/tar.c, builder/oci_image.c): the
 * input is the archive's bytes.
 *
 *  1. builder_tar_each over the input: every entry handed out lies inside
 *     it, block aligned, right after its header, with a NUL-terminated,
 *     non-empty name of at most 100 bytes taken from that header.
 *  2. The entries read are written again with builder_tar_add and
 *     builder_tar_end; reading that back must give the same entries (names,
 *     sizes, bytes) and end cleanly.
 *  3. builder_oci_image_of on the input as it is (a mutated blob no longer
 *     matches its digest, so this mostly checks the refusals), then on a
 *     copy whose blob names the harness has set to their contents' SHA-256
 *     digests (fuzzed layers get past the digest check this way). A
 *     refusal comes with a reason; an accepted archive's image lies inside
 *     it, its name is a NUL-terminated string, and the image goes to the
 *     monitor's reader as `hut inspect` sends it (HUT_IMAGE_NO_CRC).
 *  4. An accepted image is packed again with builder_oci_write (hut pack
 *     --oci-archive) into a temporary file, and builder_oci_image_of on
 *     that archive must find the same bytes under the same name.
 *
 * Nothing here may end the program: builder_die exits, and libFuzzer
 * reports an exit as a crash.
 */
#include "builder.h"
#include "image.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Says which check failed (line and expression), then traps. */
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);      \
			__builtin_trap();                                                          \
		}                                                                                  \
	} while (0)

#define BLOCK 512
#define ENTRIES_MAX 4096 /* a 4 KiB input holds at most 8; a seed a few dozen */
#define BLOBS "blobs/sha256/"

struct entry {
	char name[101];
	const char *data;
	size_t len;
};

struct walk {
	const char *buf;
	size_t size;
	size_t n;
	struct entry e[ENTRIES_MAX];
};

static int collect(const char *name, const void *data, size_t len, void *ctx)
{
	struct walk *w = ctx;
	const char *d = data;
	size_t nlen = strnlen(name, 101);
	CHECK(nlen > 0 && nlen <= 100);
	CHECK(d >= w->buf + BLOCK && d <= w->buf + w->size &&
	      len <= (size_t)(w->buf + w->size - d));
	CHECK((size_t)(d - w->buf) % BLOCK == 0);
	CHECK(!memcmp(d - BLOCK, name, nlen)); /* the header's name field */
	if (w->n < ENTRIES_MAX) {
		memcpy(w->e[w->n].name, name, nlen + 1);
		w->e[w->n].data = d;
		w->e[w->n].len = len;
	}
	w->n++;
	return 0;
}

static struct walk first, again; /* big: not on the stack */

/* 2: what was read, written and read again, is the same. */
static void tar_round_trip(void)
{
	size_t n = first.n < ENTRIES_MAX ? first.n : ENTRIES_MAX;
	for (size_t i = 0; i < n; i++)
		if (strlen(first.e[i].name) >= 100)
			return; /* builder_tar_add refuses (dies on) 100-byte names */
	struct builder_buf b = {0};
	for (size_t i = 0; i < n; i++)
		builder_tar_add(&b, first.e[i].name, first.e[i].data, first.e[i].len, 0644);
	builder_tar_end(&b);
	CHECK(builder_tar_is(b.data, b.len) == (n > 0));
	memset(&again, 0, sizeof again);
	again.buf = b.data;
	again.size = b.len;
	CHECK(builder_tar_each(b.data, b.len, collect, &again) == 0);
	CHECK(again.n == n);
	for (size_t i = 0; i < n; i++) {
		CHECK(!strcmp(again.e[i].name, first.e[i].name));
		CHECK(again.e[i].len == first.e[i].len);
		CHECK(!memcmp(again.e[i].data, first.e[i].data, first.e[i].len));
	}
	free(b.data);
}

/* 3: sets each blob's name to its digest (in the header: name field). */
static int fix_digest(const char *name, const void *data, size_t len, void *ctx)
{
	(void)ctx;
	if (strncmp(name, BLOBS, strlen(BLOBS)))
		return 0;
	char digest[BUILDER_DIGEST_LEN];
	builder_sha256(data, len, digest);
	char *field = (char *)data - BLOCK + strlen(BLOBS);
	memcpy(field, digest + 7, 64);
	field[64] = 0; /* 13 + 64 < 100: inside the name field */
	return 0;
}

static char dir[256];

static void remove_dir(void)
{
	char path[512];
	static const char *const files[] = {"image.hut", "image.tar"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CHECK(f);
	CHECK(fseek(f, 0, SEEK_END) == 0);
	long n = ftell(f);
	CHECK(n >= 0);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* 4: hut pack --oci-archive of the image, then read back. */
static void pack_round_trip(const void *image, size_t len)
{
	if (!dir[0]) {
		const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
				  : getenv("TMPDIR")		? getenv("TMPDIR")
								: "/tmp";
		snprintf(dir, sizeof dir, "%s/hut-fuzz-archive.XXXXXX", tmp);
		CHECK(mkdtemp(dir));
		atexit(remove_dir);
	}
	char path[512], archive[512], why[256] = "";
	snprintf(path, sizeof path, "%s/image.hut", dir);
	snprintf(archive, sizeof archive, "%s/image.tar", dir);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(image, 1, len, f) == len && fclose(f) == 0);
	char *args[] = {"arg", NULL};
	int rc = builder_oci_write(path, "localhost/fuzz:1", 1, args, NULL, archive, why,
				   sizeof why);
	if (rc != 0)
		fprintf(stderr, "builder_oci_write: %s\n", why);
	CHECK(rc == 0);
	size_t alen;
	char *a = slurp(archive, &alen);
	const void *back;
	size_t back_len;
	char name[128];
	rc = builder_oci_image_of(a, alen, &back, &back_len, name, sizeof name, why, sizeof why);
	if (rc != 0)
		fprintf(stderr, "builder_oci_image_of on hut pack's archive: %s\n", why);
	CHECK(rc == 0);
	CHECK(back_len == len && !memcmp(back, image, len));
	CHECK(!strcmp(name, "image.hut"));
	free(a);
}

/* 3: one call of builder_oci_image_of and what it promises. */
static bool image_of(const char *buf, size_t size)
{
	const void *image = NULL;
	size_t len = 0;
	char name[128], why[256];
	memset(name, 'x', sizeof name);
	memset(why, 'x', sizeof why);
	if (builder_oci_image_of(buf, size, &image, &len, name, sizeof name, why, sizeof why)) {
		size_t wl = strnlen(why, sizeof why);
		CHECK(wl > 0 && wl < sizeof why);
		return false;
	}
	const char *img = image;
	CHECK(img >= buf && img <= buf + size && len <= (size_t)(buf + size - img));
	CHECK(strnlen(name, sizeof name) < sizeof name);
	struct hut_image h;
	hut_image_parse(&h, img, len, HUT_IMAGE_NO_CRC);
	pack_round_trip(img, len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	first.n = 0;
	first.buf = buf;
	first.size = size;
	int rc = builder_tar_each(buf, size, collect, &first);
	CHECK(rc == 0 || rc == -1);
	tar_round_trip();

	if (image_of(buf, size))
		return 0; /* its digests are right already */
	char *fixed = malloc(size ? size : 1);
	CHECK(fixed);
	memcpy(fixed, data, size);
	builder_tar_each(fixed, size, fix_digest, NULL);
	image_of(fixed, size);
	free(fixed);
	return 0;
}
