/*
 * -s: a stripped image. ld -s would drop the symbol table the manifest's
 * entry points are read from, so the link keeps it, the manifest is
 * written, and then binutils' strip removes what ld -s would have (the
 * symbols, debug information). The CRC stays valid: it leaves out the
 * header fields strip rewrites (abi.h, HUT_CRC_*), and the manifest note
 * is not debug information, so strip keeps it. The result is checked with
 * the monitor's reader before hut-cc calls it done.
 */
#include "builder.h"
#include "image.h"

#include <string.h>
#include <unistd.h>

/* A linker option that means ld -s. */
static int strip_option(const char *opt)
{
	return !strcmp(opt, "-s") || !strcmp(opt, "--strip-all") || !strcmp(opt, "-strip-all");
}

/* "-Wl,A,B,C" without its strip options; NULL if none was there. *empty
 * says nothing else was left. */
static char *wl_without_strip(const char *word, int *empty)
{
	char *list = builder_xstrdup(word + strlen("-Wl,"));
	char *kept = builder_xstrdup("-Wl");
	int removed = 0, left = 0;
	for (char *save, *opt = strtok_r(list, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (strip_option(opt)) {
			removed = 1;
			continue;
		}
		kept = builder_xasprintf("%s,%s", kept, opt);
		left = 1;
	}
	*empty = !left;
	return removed ? kept : NULL;
}

int builder_take_strip_flags(struct builder_args *ldflags)
{
	struct builder_args kept = {0};
	int strip = 0;
	for (size_t i = 0; i < ldflags->n; i++) {
		const char *w = ldflags->v[i];
		int empty;
		char *rest;
		if (!strcmp(w, "-s")) {
			strip = 1;
		} else if (!strcmp(w, "-Xlinker") && i + 1 < ldflags->n &&
			   strip_option(ldflags->v[i + 1])) {
			strip = 1;
			i++;
		} else if (!strncmp(w, "-Wl,", 4) && (rest = wl_without_strip(w, &empty))) {
			strip = 1;
			if (!empty)
				builder_args_add(&kept, rest);
		} else {
			builder_args_add(&kept, w);
		}
	}
	builder_args_free(ldflags);
	*ldflags = kept;
	return strip;
}

void builder_strip_image(const char *path)
{
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_STRIP);
	builder_args_add(&cmd, "--strip-all");
	builder_args_add(&cmd, path);
	int status = builder_run(&cmd);
	builder_args_free(&cmd);
	if (status != 0) {
		unlink(path);
		builder_die(1, path, "strip failed", "see its messages above");
	}
	struct hut_image img;
	enum hut_image_result r = hut_image_open(&img, path, 0);
	char why[sizeof img.err];
	memcpy(why, img.err, sizeof why);
	hut_image_close(&img);
	if (r != HUT_IMAGE_OK) {
		unlink(path);
		builder_die(1, path, "the stripped image does not check out", why);
	}
}
