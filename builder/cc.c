/*
 * hut-cc: gcc's command line, hut's result. With `make CC=hut-cc` an
 * ordinary Makefile project builds a hut image: compile-only invocations
 * (-c, -S, -E, -M, -MM) become gcc against musl's headers; a link becomes
 * the same build `hut build` does (builder_build), writing the image with
 * its manifest to -o (default a.out).
 */
#include "builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cc_help(void)
{
	printf("usage: hut-cc [GCC OPTIONS] FILES...      (also: hut cc ...)\n"
	       "\n"
	       "A gcc-compatible compiler driver that builds hut images, for existing\n"
	       "Makefiles: make CC=hut-cc.\n"
	       "\n"
	       "  With -c, -S, -E, -M or -MM, or with no input files (-dumpmachine),\n"
	       "  it runs gcc with hut's musl headers (-nostdinc -isystem %s ...,\n"
	       "  then the kernel's uapi headers: linux/, asm/, asm-generic/)\n"
	       "  and -fno-pie, then your options. --version prints gcc's version\n"
	       "  as gcc does (build tools read it), then a last line with hut's.\n"
	       "\n"
	       "  Otherwise it links: .c/.S/.s files are compiled first, then everything is\n"
	       "  linked with musl and the hut runtime exactly as `hut build` does, and the\n"
	       "  manifest is written. The image goes to -o FILE (default a.out). -L and\n"
	       "  -Wl, options reach the link, before libc. -lNAME is libNAME.a from hut's\n"
	       "  musl (-lm, -lpthread, -lcrypt... are musl's), hut's runtime or your -L\n"
	       "  dirs, never gcc's or glibc's directories; an archive or object built\n"
	       "  against glibc is refused. -s (-Wl,-s, -Wl,--strip-all) strips the\n"
	       "  finished image. -lNAME, -Wl,--start-group/--end-group and\n"
	       "  -Wl,--whole-archive keep their places among the inputs. -shared, -pie\n"
	       "  and -static-pie are refused.\n"
	       "\n"
	       "  With -r (or -Wl,-r) it makes a partial link, an object, with gcc and no\n"
	       "  start-up files or libraries (they come with the image's link).\n"
	       "\n"
	       "  -v prints each command hut-cc runs (the compile and the link), and gcc's\n"
	       "  own -v output.\n"
	       "\n"
	       "Environment:\n"
	       "  HUT_MEM        default guest memory written to the manifest (default 64M)\n"
	       "  HUT_NET=1      the manifest declares a network device the image needs\n"
	       "                 (hut-monitor refuses it without --net)\n"
	       "  HUT_NAME       service name for the manifest (default: the output's base\n"
	       "                 name without .hut)\n"
	       "  HUT_VERBOSE=1  print the commands hut-cc runs (as -v, without gcc's)\n"
	       "  HUT_RUNTIME    directory holding libhut.a, hut.ld, hut.specs and musl/\n"
	       "\n"
	       "gcc --help lists the compiler's own options.\n",
	       builder_musl_incdir());
}

/* Options that make gcc stop before linking. */
static int compile_only(const char *arg)
{
	return !strcmp(arg, "-c") || !strcmp(arg, "-S") || !strcmp(arg, "-E") ||
	       !strcmp(arg, "-M") || !strcmp(arg, "-MM");
}

/* A partial link (-r, -Wl,-r, -Wl,--relocatable): an object, not an image,
 * as kbuild-style Makefiles make with $(CC). gcc does it, with musl's
 * headers for any source among the inputs and no start-up files or
 * libraries (those come with the image's link). */
static int partial_link(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "-Wl,-r") ||
		    !strcmp(argv[i], "-Wl,--relocatable"))
			return 1;
	return 0;
}

/* Is this a link (some input and no compile-only mode)? Option values
 * ("-o x", "-I dir") are skipped so they are not taken for inputs. Every
 * input is checked to be a file on the way (builder_check_input). */
static int is_link(int argc, char **argv)
{
	int inputs = 0, compile = 0;
	for (int i = 1; i < argc;) {
		int count = 1;
		if (compile_only(argv[i]))
			compile = 1;
		else if (!strcmp(argv[i], "-o"))
			count = 2;
		else if (builder_flag_classify(argv, argc, i, &count) == BUILDER_FLAG_INPUT)
			inputs++, builder_check_input(argv[i]);
		else if (!strncmp(argv[i], "-l", 2)) /* a library is an input to gcc too */
			inputs++;
		i += count;
	}
	return inputs > 0 && !compile;
}

/* gcc, with musl's headers in place of glibc's, and the user's words. */
__attribute__((noreturn)) static void pass_to_gcc(int argc, char **argv, const char *extra)
{
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_musl_cflags(&cmd);
	if (extra)
		builder_args_add(&cmd, extra);
	for (int i = 1; i < argc; i++)
		builder_args_add(&cmd, argv[i]);
	builder_exec(&cmd, 1);
}

/* --version: gcc's text first and unchanged, because build tools read it
 * to recognise gcc; then hut's release on a line of its own. */
static int version(int argc, char **argv)
{
	struct builder_args cmd = {0};
	builder_args_add(&cmd, BUILDER_GCC);
	builder_musl_cflags(&cmd);
	for (int i = 1; i < argc; i++)
		builder_args_add(&cmd, argv[i]);
	int rc = builder_run(&cmd);
	builder_args_free(&cmd);
	printf("hut-cc %s (ABI %d)\n", HUT_VERSION, HUT_ABI_VERSION);
	return rc < 0 ? 1 : rc;
}

/* Sorts one gcc word (or word pair) at argv[*i] into the job. */
static void add_word(struct builder_job *job, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (!strncmp(a, "-o", 2)) { /* "-o FILE" or "-oFILE" */
		if (a[2] == '\0' && ++*i >= argc)
			builder_die(1, "-o", "needs a file name", NULL);
		job->out = a[2] ? a + 2 : argv[*i];
		++*i;
		return;
	}
	const char *refused = builder_flag_refused(a);
	if (refused)
		builder_die(1, a, "not supported", refused);
	int count;
	enum builder_flag_use use = builder_flag_classify(argv, argc, *i, &count);
	int ordered = use == BUILDER_FLAG_LINK && builder_flag_ordered(a);
	if (ordered && count == 2 && !strcmp(a, "-l")) { /* "-l NAME": one word in the list */
		builder_args_add(&job->inputs, builder_xasprintf("-l%s", argv[*i + 1]));
		*i += 2;
		return;
	}
	for (int k = 0; k < count; k++, ++*i) {
		if (use == BUILDER_FLAG_INPUT || ordered) {
			builder_args_add(&job->inputs, argv[*i]);
			continue;
		}
		if (use & BUILDER_FLAG_COMPILE)
			builder_args_add(&job->cflags, argv[*i]);
		if (use & BUILDER_FLAG_LINK)
			builder_args_add(&job->ldflags, argv[*i]);
	}
}

/* The manifest settings have no gcc spelling: they come from the
 * environment, which make passes through. */
static void manifest_settings(struct builder_job *job)
{
	const char *why;
	const char *mem = getenv("HUT_MEM");
	if (mem && *mem && builder_mem_parse(mem, &job->mem, &why) != 0)
		builder_die(1, builder_xasprintf("HUT_MEM=%s", mem), "bad memory size", why);
	const char *name = getenv("HUT_NAME");
	job->name = name && *name ? name : builder_default_name(job->out);
	if (builder_name_check(job->name, &why) != 0)
		builder_die(1, builder_xasprintf("HUT_NAME=%s", job->name), "bad service name",
			    why);
	const char *net = getenv("HUT_NET");
	job->needs_net = net && !strcmp(net, "1");
}

int builder_cmd_cc(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			cc_help();
			return 0;
		}
		/* gcc's -v shows the commands gcc runs; ours shows the gcc
		 * commands hut-cc runs, and gcc still gets its -v. */
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			builder_verbose = 1;
	}
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--version"))
			return version(argc, argv);
	if (!is_link(argc, argv))
		pass_to_gcc(argc, argv, NULL);
	if (partial_link(argc, argv))
		pass_to_gcc(argc, argv, "-nostdlib");
	struct builder_job job = {.out = "a.out", .mem = HUT_MEM_DEFAULT};
	for (int i = 1; i < argc;)
		add_word(&job, argc, argv, &i);
	manifest_settings(&job);
	return builder_build(&job);
}
