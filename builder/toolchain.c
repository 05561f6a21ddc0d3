/*
 * Where the pieces of a link live. gcc is Debian's, built for glibc; gcc
 * still supplies its own headers (stddef.h, stdarg.h, ...), crtbeginT.o,
 * crtend.o and libgcc. The hut runtime sits in ../lib/hut next to the hut
 * executable, in the build tree and once installed alike, unless
 * HUT_RUNTIME names another directory: libhut.a, hut.ld, hut.specs, and musl/, the
 * libc built from Debian's musl source whose syscalls call the libos
 * (musl/musl.mk): its include/ and lib/ (crt files, libc.a).
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

static const char *const runtime_hint = "build it with make, or point HUT_RUNTIME at it";

const char *builder_musl_incdir(void)
{
	static const char *dir;
	if (!dir)
		dir = builder_xasprintf("%s/musl/include", runtime_dir());
	return dir;
}

static const char *musl_libdir(void)
{
	return builder_xasprintf("%s/musl/lib", runtime_dir());
}

void builder_musl_cflags(struct builder_args *a)
{
	static const char *gcc_include;
	if (!gcc_include)
		gcc_include = need_gcc_file("include");
	need(builder_xasprintf("%s/stdio.h", builder_musl_incdir()), runtime_hint);
	builder_args_add(a, "-nostdinc");
	builder_args_add(a, "-isystem");
	builder_args_add(a, builder_musl_incdir());
	builder_args_add(a, "-isystem");
	builder_args_add(a, gcc_include);
	/* The kernel's uapi headers (linux/, asm/, asm-generic/, mtd/...:
	 * the trees of Debian's linux-libc-dev), after musl's, as musl-gcc
	 * users add them: many programs include <linux/...>. Only those
	 * trees, never the rest of /usr/include, which is glibc's. */
	builder_args_add(a, "-idirafter");
	builder_args_add(a, builder_xasprintf("%s/uapi", runtime_dir()));
	/* Images are linked at a fixed address (ET_EXEC): no PIC overhead. */
	builder_args_add(a, "-fno-pie");
}

void builder_link_files(struct builder_link_files *f)
{
	const char *rt = runtime_dir();
	const char *musl = musl_libdir();
	f->libhut = need(builder_xasprintf("%s/libhut.a", rt), runtime_hint);
	f->libhut_net = need(builder_xasprintf("%s/libhut-net.a", rt), runtime_hint);
	f->ldscript = need(builder_xasprintf("%s/hut.ld", rt), runtime_hint);
	/* gcc specs that leave out the library directories gcc adds to every
	 * link (its own and glibc's): an image's -l libraries come only from
	 * the directories hut names (libs.c). */
	f->specs = need(builder_xasprintf("%s/hut.specs", rt), runtime_hint);
	f->runtime_dir = rt;
	f->musl_libdir = musl;
	f->crt1 = need(builder_xasprintf("%s/crt1.o", musl), runtime_hint);
	f->crti = need(builder_xasprintf("%s/crti.o", musl), runtime_hint);
	f->crtn = need(builder_xasprintf("%s/crtn.o", musl), runtime_hint);
	f->libc = need(builder_xasprintf("%s/libc.a", musl), runtime_hint);
	/* crtbeginT.o: the static-link variant, which registers .eh_frame. */
	f->crtbegin = need_gcc_file("crtbeginT.o");
	f->crtend = need_gcc_file("crtend.o");
	f->libgcc = need_gcc_file("libgcc.a");
	f->libgcc_eh = gcc_file("libgcc_eh.a");
}
