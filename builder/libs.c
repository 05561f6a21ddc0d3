/*
 * -l: which archive a library name means. An image links musl, so -lNAME
 * is looked for as libNAME.a (a static link uses no .so) in musl's lib dir,
 * hut's runtime dir and the -L dirs given, in that order, and nowhere else.
 * gcc would add its own and glibc's directories (/usr/lib/x86_64-linux-gnu),
 * where -lcrypt once found Debian's glibc libcrypt.a and the link failed on
 * 19 undefined __*_chk symbols. So each -l becomes the archive's path before
 * the link, a library only those directories have is refused in one line
 * saying where it is, and every archive is checked for glibc references
 * (glibc.c). hut.specs keeps gcc's directories out of the link itself, for
 * libraries named where hut does not look (-Wl,-lNAME, linker scripts).
 * -lgcc and -lgcc_eh are gcc's runtime, which every image links anyway.
 */
#include "builder.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct search {
	struct builder_args dirs; /* where hut looks, in order */
	const struct builder_link_files *files;
};

/* The -L dirs of the link flags, in order, after musl's and the runtime's. */
static void search_dirs(struct search *s, const struct builder_args *ldflags)
{
	builder_args_add(&s->dirs, s->files->musl_libdir);
	builder_args_add(&s->dirs, s->files->runtime_dir);
	for (size_t i = 0; i < ldflags->n; i++) {
		const char *w = ldflags->v[i];
		if (!strcmp(w, "-L") && i + 1 < ldflags->n)
			builder_args_add(&s->dirs, ldflags->v[++i]);
		else if (!strncmp(w, "-L", 2) && w[2])
			builder_args_add(&s->dirs, w + 2);
		else if (!strcmp(w, "-Xlinker") || !strcmp(w, "-u") || !strcmp(w, "-T"))
			i++; /* their value is no -L */
	}
}

/* "libNAME.a", or FILE for -l:FILE. */
static const char *archive_name(const char *name)
{
	return name[0] == ':' ? name + 1 : builder_xasprintf("lib%s.a", name);
}

/* The first dir holding file, as "dir/file", or NULL. */
static const char *find_in(const struct builder_args *dirs, const char *file)
{
	for (size_t i = 0; i < dirs->n; i++) {
		const char *path = builder_xasprintf("%s/%s", dirs->v[i], file);
		if (access(path, R_OK) == 0)
			return path;
	}
	return NULL;
}

/* The library directories gcc would have searched: its own and glibc's
 * ("libraries: =DIR:DIR..." in gcc -print-search-dirs). */
static struct builder_args gcc_library_dirs(void)
{
	struct builder_args cmd = {0}, dirs = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_args_add(&cmd, "-print-search-dirs");
	char *out = builder_capture(&cmd);
	builder_args_free(&cmd);
	char *line = out ? strstr(out, "libraries: =") : NULL;
	if (!line)
		return dirs;
	line += strlen("libraries: =");
	line[strcspn(line, "\n")] = '\0';
	for (char *save, *d = strtok_r(line, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *clean = realpath(d, NULL);
		if (clean)
			builder_args_add(&dirs, clean);
	}
	return dirs;
}

/* Dies for a library hut's search path does not have. */
__attribute__((noreturn)) static void not_found(const struct search *s, const char *flag,
						const char *file)
{
	struct builder_args elsewhere = gcc_library_dirs();
	const char *there = find_in(&elsewhere, file);
	if (there)
		builder_die(1, flag, builder_xasprintf("%s is built for glibc, not musl", there),
			    "found only in gcc's and glibc's library directories, which hut does "
			    "not search; build the library with hut-cc and give -L its directory");
	const char *where = s->dirs.v[0];
	for (size_t i = 1; i < s->dirs.n; i++)
		where = builder_xasprintf("%s, %s", where, s->dirs.v[i]);
	builder_die(1, flag, builder_xasprintf("library not found (no %s in %s)", file, where),
		    NULL);
}

/* The archive -lNAME means; dies if hut may not link it. */
static const char *resolve(const struct search *s, const char *name)
{
	const char *flag = builder_xasprintf("-l%s", name);
	if (!*name)
		builder_die(1, "-l", "needs a library name", NULL);
	if (!strcmp(name, "gcc"))
		return s->files->libgcc;
	if (!strcmp(name, "gcc_eh") && s->files->libgcc_eh)
		return s->files->libgcc_eh;
	const char *file = archive_name(name);
	const char *path = find_in(&s->dirs, file);
	if (!path)
		not_found(s, flag, file);
	builder_check_musl(flag, path);
	return path;
}

void builder_resolve_libs(struct builder_args *ldflags, const struct builder_args *dirs_from,
			  const struct builder_link_files *f)
{
	struct search s = {.files = f};
	struct builder_args out = {0};
	search_dirs(&s, dirs_from);
	for (size_t i = 0; i < ldflags->n; i++) {
		const char *w = ldflags->v[i];
		if (!strcmp(w, "-Xlinker") && i + 1 < ldflags->n) {
			builder_args_add(&out, w); /* ld's own words: not ours to read */
			builder_args_add(&out, ldflags->v[++i]);
		} else if (!strcmp(w, "-l") && i + 1 < ldflags->n) {
			builder_args_add(&out, resolve(&s, ldflags->v[++i]));
		} else if (!strncmp(w, "-l", 2)) {
			builder_args_add(&out, resolve(&s, w + 2));
		} else {
			builder_args_add(&out, w);
		}
	}
	builder_args_free(ldflags);
	builder_args_free(&s.dirs);
	*ldflags = out;
}
