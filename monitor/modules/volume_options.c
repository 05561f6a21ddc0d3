/*
 * A volume's options: the third field of `--volume HOST:GUEST:OPTIONS`, a
 * comma-separated list. `ro` or `rw` (the default); `size=SIZE`, the most
 * the volume may hold on the host (volume_size.c); `owner=mapped` (the
 * default) or `owner=passthrough`, how owners and set-ID bits the guest
 * sets reach the host (owner.c); `cache=auto` (the default), `always` or
 * `none`, how the libos caches the volume's files (libos/fs/volume_cache.c).
 * Each option at most once: a list that
 * says two things about one of them is a mistake, not a preference.
 */
#include "files.h"
#include "size.h"

#include <stdio.h>
#include <string.h>

#define OPT_MODE 0x1
#define OPT_SIZE 0x2
#define OPT_OWNER 0x4
#define OPT_CACHE 0x8

static const char *say(const char *fmt, const char *opt)
{
	static char why[192];
	snprintf(why, sizeof why, fmt, opt);
	return why;
}

static const char *size_option(struct hut_volume *v, const char *value)
{
	if (hut_parse_size(value, &v->size) != 0 || v->size == 0)
		return say("size= takes a size like 64M or 1G, not '%.64s'", value);
	return NULL;
}

static const char *owner_option(struct hut_volume *v, const char *value)
{
	if (!strcmp(value, "mapped"))
		v->owner = HUT_OWNER_MAPPED;
	else if (!strcmp(value, "passthrough"))
		v->owner = HUT_OWNER_PASSTHROUGH;
	else
		return say("owner= takes mapped or passthrough, not '%.64s'", value);
	return NULL;
}

static const char *cache_option(struct hut_volume *v, const char *value)
{
	if (!strcmp(value, "auto"))
		v->cache = 0;
	else if (!strcmp(value, "always"))
		v->cache = HUT_VOLUME_CACHE_ALWAYS;
	else if (!strcmp(value, "none"))
		v->cache = HUT_VOLUME_CACHE_NONE;
	else
		return say("cache= takes auto, always or none, not '%.64s'", value);
	return NULL;
}

/* One option; *seen collects which ones came already. */
static const char *one_option(struct hut_volume *v, const char *opt, unsigned *seen)
{
	unsigned kind = !strcmp(opt, "ro") || !strcmp(opt, "rw") ? OPT_MODE
			: !strncmp(opt, "size=", 5)		 ? OPT_SIZE
			: !strncmp(opt, "owner=", 6)		 ? OPT_OWNER
			: !strncmp(opt, "cache=", 6)		 ? OPT_CACHE
								 : 0;
	if (!*opt)
		return "an empty option (two commas, or one at an end)";
	if (!kind)
		return say("unknown option '%.64s' (known: ro, rw, size=SIZE, "
			   "owner=mapped|passthrough, cache=auto|always|none)",
			   opt);
	if (*seen & kind)
		return say("option '%.64s' repeats or contradicts an earlier one", opt);
	*seen |= kind;
	if (kind == OPT_SIZE)
		return size_option(v, opt + 5);
	if (kind == OPT_OWNER)
		return owner_option(v, opt + 6);
	if (kind == OPT_CACHE)
		return cache_option(v, opt + 6);
	v->ro = !strcmp(opt, "ro");
	return NULL;
}

const char *hut_volume_options(struct hut_volume *v, char *list)
{
	unsigned seen = 0;
	char *opt = list;
	for (;;) {
		char *comma = strchr(opt, ',');
		if (comma)
			*comma = 0;
		const char *why = one_option(v, opt, &seen);
		if (why || !comma)
			return why;
		opt = comma + 1;
	}
}
