/*
 * Building an image: compile each source against musl, link everything
 * with the hut runtime under hut.ld, write the manifest. `hut build` and
 * hut-cc's link mode both come here, so an image made either way is made
 * the same way.
 */
#include "builder.h"
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	return dot ? dot : "";
}

/* Sources gcc compiles: C, preprocessed C, assembly with and without cpp. */
static int is_source(const char *path)
{
	const char *ext = extension(path);
	return !strcmp(ext, ".c") || !strcmp(ext, ".i") || !strcmp(ext, ".S") || !strcmp(ext, ".s");
}

/* Refuses inputs gcc would only reject halfway through, objects and
 * archives built against glibc, and an output that is one of the inputs:
 * gcc guards against that, but it only sees our temporary objects, so
 * `-o hello.c hello.c` would overwrite the source. */
static void check_input(const char *path, const struct stat *out)
{
	struct stat st;
	if (!strcmp(path, "-"))
		builder_die(1, path, "cannot build from standard input", "name a file");
	if (access(path, R_OK) != 0 || stat(path, &st) != 0)
		builder_die(1, path, "cannot read input", strerror(errno));
	if (!strcmp(extension(path), ".so"))
		builder_die(1, path, "shared libraries cannot be linked in",
			    "hut images are static; use the .a archive");
	if (out && st.st_dev == out->st_dev && st.st_ino == out->st_ino)
		builder_die(1, path, "is also the output", "choose another -o");
	if (!is_source(path))
		builder_check_musl(path, path);
}

/* Compiles src into a temporary object; returns its path. */
static const char *compile(const struct builder_job *job, const char *src)
{
	const char *obj = builder_temp_file(src, ".o");
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_musl_cflags(&cmd);
	builder_args_add_all(&cmd, &job->cflags);
	builder_args_add(&cmd, "-c");
	builder_args_add(&cmd, src);
	builder_args_add(&cmd, "-o");
	builder_args_add(&cmd, obj);
	int status = builder_run(&cmd);
	builder_args_free(&cmd);
	if (status != 0)
		builder_die(1, src, "compile failed", "see the compiler's messages above");
	return obj;
}

/* The start of the link line: how every image is linked, whatever the user
 * asked. gcc drives ld, but -nostdlib keeps glibc's start-up files and
 * libraries out; musl's and gcc's static ones are named explicitly. */
static void link_prologue(struct builder_args *cmd, const struct builder_link_files *f,
			  const char *out)
{
	static const char *fixed[] = {
		BUILDER_GCC,
		"-nostdlib",
		"-static",
		"-no-pie",
		/* libos's __wrap_main time-stamps main() for the boot trace. */
		"-Wl,--wrap=main",
		/* libhut-net.a's __wrap_socket: a socket() call links the
		 * socket layer and lwIP (libos/net/link.c). */
		"-Wl,--wrap=socket",
		"-Wl,-z,noexecstack",
		"-Wl,--build-id=none",
	};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		builder_args_add(cmd, fixed[i]);
	builder_args_add(cmd, builder_xasprintf("-specs=%s", f->specs));
	builder_args_add(cmd, builder_xasprintf("-Wl,-T,%s", f->ldscript));
	builder_args_add(cmd, "-o");
	builder_args_add(cmd, out);
	/* The user's -l are paths by now (libs.c); any library ld still looks
	 * for (-Wl,-lNAME) is found here or in the user's -L, never in gcc's
	 * or glibc's directories, which hut.specs leaves out. */
	builder_args_add(cmd, builder_xasprintf("-L%s", f->musl_libdir));
	builder_args_add(cmd, f->crt1);
	builder_args_add(cmd, f->crti);
	builder_args_add(cmd, f->crtbegin);
	/* The whole libos (nothing in the app refers to its boot and trap
	 * entries, so nothing would pull them from the archive), before the
	 * app's inputs: crt1's call of main goes to the libos's __wrap_main
	 * (--wrap=main), so the libos is what refers to the app's main, and
	 * ld must know that before it scans the app's archives, or a main
	 * that lives in an archive (busybox's) is never taken. */
	builder_args_add(cmd, "-Wl,--whole-archive");
	builder_args_add(cmd, f->libhut);
	builder_args_add(cmd, "-Wl,--no-whole-archive");
}

/* The end of the link line: the network stack (lwIP and its glue: only
 * what the image refers to is pulled in, so an image without networking
 * carries none of it), libc and libgcc as a group, as they refer to each
 * other. */
static void link_epilogue(struct builder_args *cmd, const struct builder_link_files *f)
{
	builder_args_add(cmd, "-Wl,--start-group");
	builder_args_add(cmd, f->libhut_net);
	builder_args_add(cmd, f->libc);
	builder_args_add(cmd, f->libgcc);
	if (f->libgcc_eh)
		builder_args_add(cmd, f->libgcc_eh);
	builder_args_add(cmd, "-Wl,--end-group");
	builder_args_add(cmd, f->crtend);
	builder_args_add(cmd, f->crtn);
}

static void link_image(const struct builder_job *job, const struct builder_link_files *files,
		       const struct builder_args *objects)
{
	struct builder_args cmd = {0};
	link_prologue(&cmd, files, job->out);
	builder_args_add_all(&cmd, objects);
	builder_args_add_all(&cmd, &job->ldflags);
	link_epilogue(&cmd, files);
	int status = builder_run(&cmd);
	builder_args_free(&cmd);
	if (status != 0)
		builder_die(1, job->out, "link failed", "see the linker's messages above");
}

static void finish(const struct builder_job *job)
{
	char why[512]; /* the image reader's reason, and some context */
	if (hut_manifest_write(job->out, job->name, job->mem, job->needs_net, why, sizeof why) !=
	    0) {
		/* A half-made image must not look up to date to make. */
		unlink(job->out);
		builder_die(1, job->out, "cannot write the manifest", why);
	}
	if (chmod(job->out, 0755) != 0)
		builder_die(1, job->out, "cannot make executable", strerror(errno));
}

int builder_build(struct builder_job *job)
{
	struct builder_args objects = {0};
	struct builder_link_files files;
	/* Everything that can be missing or refused is looked for before any work. */
	builder_link_files(&files);
	struct stat out;
	int have_out = stat(job->out, &out) == 0;
	for (size_t i = 0; i < job->inputs.n; i++)
		if (job->inputs.v[i][0] != '-') /* not a link word kept in order (flags.c) */
			check_input(job->inputs.v[i], have_out ? &out : NULL);
	int strip = builder_take_strip_flags(&job->ldflags);
	builder_resolve_libs(&job->inputs, &job->ldflags, &files);
	builder_resolve_libs(&job->ldflags, &job->ldflags, &files);
	for (size_t i = 0; i < job->inputs.n; i++) {
		const char *in = job->inputs.v[i];
		builder_args_add(&objects, is_source(in) ? compile(job, in) : in);
	}
	/* Every image packs files: at least the /etc defaults. */
	if (!job->files) {
		job->files = builder_files_new();
		builder_etc_defaults(job->files);
	}
	builder_args_add(&objects, compile(job, builder_files_source(job->files, job->out)));
	link_image(job, &files, &objects);
	builder_args_free(&objects);
	finish(job);
	if (strip)
		builder_strip_image(job->out);
	if (builder_verbose)
		fprintf(stderr, "%s: %s: image written (name %s)\n", builder_prog, job->out,
			job->name);
	return 0;
}
