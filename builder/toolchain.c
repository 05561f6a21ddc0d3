/*
 * Where the pieces of a link live. gcc is Debian's, built for glibc; musl
 * (Debian's musl-dev) supplies the headers, start-up files and libc; gcc
 * still supplies its own headers (stddef.h, stdarg.h, ...), crtbeginT.o,
 * crtend.o and libgcc. The hut runtime (libhut.a, hut.ld) sits in
 * ../lib/hut next to the hut executable, in the build tree and once
 * installed alike, unless HUT_RUNTIME names another directory.
 */
#include "builder.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Asks gcc where one of its own files is; NULL if it has none. gcc echoes
 * the bare name back when it cannot find the file. */
static const char *gcc_file(const char *name)
{
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_args_add(&cmd, builder_xasprintf("-print-file-name=%s", name));
	char *path = builder_capture(&cmd);
	builder_args_free(&cmd);
	if (!path)
		builder_die(1, BUILDER_GCC, "cannot ask for its files", "is gcc installed?");
	if (path[0] != '/' || access(path, R_OK) != 0)
		return NULL;
	return path;
}

static const char *need(const char *path, const char *hint)
{
	if (access(path, R_OK) != 0)
		builder_die(1, path, "missing", hint);
	return path;
}

static const char *need_gcc_file(const char *name)
{
	const char *path = gcc_file(name);
	if (!path)
		builder_die(1, name, "gcc does not have it", "is gcc installed completely?");
	return path;
}

void builder_musl_cflags(struct builder_args *a)
{
	static const char *gcc_include;
	if (!gcc_include)
		gcc_include = need_gcc_file("include");
	need(BUILDER_MUSL_INCDIR "/stdio.h", "install musl-dev");
	builder_args_add(a, "-nostdinc");
	builder_args_add(a, "-isystem");
	builder_args_add(a, BUILDER_MUSL_INCDIR);
	builder_args_add(a, "-isystem");
	builder_args_add(a, gcc_include);
	/* Images are linked at a fixed address (ET_EXEC): no PIC overhead. */
	builder_args_add(a, "-fno-pie");
}

const char *builder_bindir(void)
{
	static char *dir;
	if (dir)
		return dir;
	char *self = realpath("/proc/self/exe", NULL);
	if (!self)
		builder_die(1, "/proc/self/exe", "cannot find the hut executable", strerror(errno));
	dir = builder_xstrdup(dirname(self));
	free(self);
	return dir;
}

static const char *runtime_dir(void)
{
	const char *env = getenv("HUT_RUNTIME");
	if (env && *env)
		return env;
	const char *dir = builder_xasprintf("%s/../lib/hut", builder_bindir());
	char *clean = realpath(dir, NULL);
	return clean ? clean : dir;
}

void builder_link_files(struct builder_link_files *f)
{
	const char *musl_hint = "install musl-dev";
	const char *rt_hint = "build it with make, or point HUT_RUNTIME at it";
	const char *rt = runtime_dir();
	f->libhut = need(builder_xasprintf("%s/libhut.a", rt), rt_hint);
	f->ldscript = need(builder_xasprintf("%s/hut.ld", rt), rt_hint);
	f->musl_libdir = BUILDER_MUSL_LIBDIR;
	f->crt1 = need(BUILDER_MUSL_LIBDIR "/crt1.o", musl_hint);
	f->crti = need(BUILDER_MUSL_LIBDIR "/crti.o", musl_hint);
	f->crtn = need(BUILDER_MUSL_LIBDIR "/crtn.o", musl_hint);
	f->libc = need(BUILDER_MUSL_LIBDIR "/libc.a", musl_hint);
	/* crtbeginT.o: the static-link variant, which registers .eh_frame. */
	f->crtbegin = need_gcc_file("crtbeginT.o");
	f->crtend = need_gcc_file("crtend.o");
	f->libgcc = need_gcc_file("libgcc.a");
	f->libgcc_eh = gcc_file("libgcc_eh.a");
}
