/*
 * Building an image: compile each source against musl, link everything
 * with the hut runtime under hut.ld, write the manifest. `hut build` and
 * hut-cc's link mode both come here, so an image made either way is made
 * the same way.
 */
#include "builder.h"
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
		/* Only what the image can reach: the libos is compiled a
		 * function a section, and its syscall table names only the
		 * handlers the image's syscalls need (link_reachable). */
		"-Wl,--gc-sections",
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

/* The generated table, compiled as plain C: it includes nothing and
 * holds only addresses, so no musl or user flags apply. */
static const char *compile_table(const char *src)
{
	const char *obj = builder_temp_file(src, ".o");
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_args_add(&cmd, "-std=c11");
	builder_args_add(&cmd, "-O2");
	builder_args_add(&cmd, "-fno-pie");
	builder_args_add(&cmd, "-c");
	builder_args_add(&cmd, src);
	builder_args_add(&cmd, "-o");
	builder_args_add(&cmd, obj);
	int status = builder_run(&cmd);
	builder_args_free(&cmd);
	if (status != 0)
		builder_die(1, src, "cannot compile the image's syscall table", NULL);
	return obj;
}

/* Whether the image can exec (execve or execveat reached): then another
 * program's code may run on its libos, whatever that program calls. */
static int can_exec(const struct builder_syscall_report *r)
{
	return r->from[SYS_execve].n || r->from[SYS_execveat].n;
}

/* The image's syscalls, from the image as first linked (with the libos's
 * whole table): a warning for each the libos does not serve, then the
 * image linked again with a table of only the rows it can reach, so that
 * --gc-sections drops every other handler and what only they use. An
 * image that may make any syscall (a computed number) keeps the whole
 * table: a syscall it never makes still gets ENOSYS and its warning; so
 * does an image that can exec, with the network stack (can_exec). */
static void link_reachable(const struct builder_job *job, const struct builder_link_files *files,
			   struct builder_args *objects)
{
	struct builder_syscall_report *r = builder_xmalloc(sizeof *r);
	char why[256];
	if (builder_syscall_report(job->out, r, why, sizeof why) != 0) {
		fprintf(stderr,
			"%s: warning: %s: cannot list its syscalls (%s): it keeps every "
			"handler\n",
			builder_prog, job->out, why);
		free(r);
		return;
	}
	builder_syscall_warn(r, job->out);
	if (can_exec(r)) {
		/* It may run another image's code on its libos (libos/sys/
		 * execcalls.c): every handler, the network stack too; the
		 * report recorded all the same. */
		builder_args_add(objects, "-Wl,--undefined=__wrap_socket");
		builder_args_add(objects,
				 compile_table(builder_syscall_table_source(r, job->out, 1)));
		link_image(job, files, objects);
		if (builder_verbose)
			fprintf(stderr, "%s: %s: can exec: keeps every syscall handler\n",
				builder_prog, job->out);
	} else if (!r->any.n) {
		builder_args_add(objects,
				 compile_table(builder_syscall_table_source(r, job->out, 0)));
		link_image(job, files, objects);
	} else if (builder_verbose) {
		fprintf(stderr, "%s: %s: keeps every syscall handler (%s)\n", builder_prog,
			job->out, r->any.v[0]);
	}
	builder_syscall_report_free(r);
	free(r);
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

/* Copies the finished image into what -o named when that is not a regular
 * file: a device, as `-o /dev/null` in a Makefile's link check, which gcc
 * writes into. Renaming over it or changing its mode would replace the
 * host's /dev/null with a file. */
static void copy_into(const char *image, const char *target)
{
	int in = open(image, O_RDONLY | O_CLOEXEC);
	int out = open(target, O_WRONLY | O_CLOEXEC);
	if (in < 0 || out < 0)
		builder_die(1, target, "cannot write the image there", strerror(errno));
	char buf[65536];
	for (ssize_t n; (n = read(in, buf, sizeof buf)) != 0;) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			builder_die(1, target, "cannot write the image there", strerror(errno));
	}
	close(in);
	close(out);
}

int builder_build(struct builder_job *job)
{
	struct builder_args objects = {0};
	struct builder_link_files files;
	/* Everything that can be missing or refused is looked for before any work. */
	builder_link_files(&files);
	struct stat out;
	int have_out = stat(job->out, &out) == 0;
	const char *target = job->out;
	if (have_out && !S_ISREG(out.st_mode)) /* a device: made aside, then written into */
		job->out = builder_temp_file(job->out, ".hut");
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
	link_reachable(job, &files, &objects);
	builder_args_free(&objects);
	finish(job);
	if (strip)
		builder_strip_image(job->out);
	if (builder_verbose)
		fprintf(stderr, "%s: %s: image written (name %s)\n", builder_prog, job->out,
			job->name);
	if (target != job->out)
		copy_into(job->out, target);
	return 0;
}
