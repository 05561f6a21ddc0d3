/*
 * `hut build`: the command line. Everything after `--` is gcc's, sorted
 * between compile and link by flags.c.
 */
#include "builder.h"
#include "option.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUILD_HELP "hut build --help"

static void build_help(void)
{
	printf("usage: hut build [-o OUT] [--mem SIZE] [--name NAME] [--net]\n"
	       "                 [--files DIR[:PATH]]... [--file SRC:DEST]... [-v]\n"
	       "                 FILES... [-- GCCFLAGS...]\n"
	       "\n"
	       "Compiles C sources against musl and links them with the hut runtime into one\n"
	       "static ELF image with a manifest. The image runs as a Linux process (./OUT)\n"
	       "and as a KVM appliance (hut run OUT).\n"
	       "\n"
	       "  FILES          .c, .i (preprocessed C), .S and .s sources (compiled with\n"
	       "                 -O2; add -- -g for debug information), .o objects and\n"
	       "                 .a archives, linked in this order\n"
	       "  -o OUT         the image to write (default: the first file's name + .hut)\n"
	       "  --mem SIZE     the guest memory the monitor gives by default: 64M, 1G,\n"
	       "                 65536K or bytes; page aligned, 8M to 32G (default 64M)\n"
	       "  --name NAME    the service name in the manifest (default: OUT without .hut)\n"
	       "  --net          the image needs a network device: hut-monitor refuses it\n"
	       "                 without --net (sockets on 127.0.0.1 need none)\n"
	       "  --files DIR[:PATH]  pack DIR's contents into the image at PATH (default /),\n"
	       "                 read-only, with their modes and symlinks (repeatable)\n"
	       "  --file SRC:DEST  pack the file SRC at the absolute path DEST (repeatable)\n"
	       "                 Every image also has /etc/passwd, group, hosts and localtime\n"
	       "                 (UTC) unless it packs its own.\n"
	       "  -v, --verbose  print the compile and link commands\n"
	       "  -h, --help     this text\n"
	       "  -- GCCFLAGS    more gcc flags: -I, -D, -std=, -W... go to compiling;\n"
	       "                 -l, -L, -Wl,... go to linking; others (-O3, -f...) to both.\n"
	       "                 -s strips the finished image. -lNAME is libNAME.a from\n"
	       "                 hut's musl, hut's runtime or -L dirs, never glibc's.\n"
	       "                 FILES may follow here too.\n"
	       "\n"
	       "Environment:\n"
	       "  HUT_RUNTIME    directory holding libhut.a, hut.ld, hut.specs and musl/\n"
	       "                 (default: ../lib/hut next to the hut executable)\n"
	       "  TMPDIR         where intermediate objects go (removed afterwards)\n");
}

/* The value of option argv[*i]: "--mem 64M" or "--mem=64M"; NULL when
 * argv[*i] is another word. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
	const char *v = cli_option(argc, argv, i, opt);
	if (v == cli_no_value)
		builder_usage_error(opt, "needs a value", BUILD_HELP);
	return v;
}

static uint64_t parse_mem(const char *s)
{
	uint64_t bytes;
	const char *why;
	if (builder_mem_parse(s, &bytes, &why) != 0)
		builder_die(BUILDER_EXIT_USAGE, builder_xasprintf("--mem %s", s), "bad memory size",
			    why);
	return bytes;
}

static int known_input(const char *path)
{
	static const char *exts[] = {".c", ".i", ".S", ".s", ".o", ".a"};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof exts / sizeof *exts; i++)
		if (strcmp(dot, exts[i]) == 0)
			return 1;
	return 0;
}

/* A file to build from; files may also follow `--` (make rules put them
 * after the flags). */
static void add_input(struct builder_job *job, const char *path)
{
	if (!known_input(path))
		builder_die(BUILDER_EXIT_USAGE, path, "unknown kind of input",
			    "expected .c, .S, .s, .o or .a");
	builder_check_input(path);
	builder_args_add(&job->inputs, path);
}

/* Flags that change what gcc produces, which hut build decides itself. */
static int is_mode_flag(const char *arg)
{
	return !strncmp(arg, "-o", 2) || !strcmp(arg, "-c") || !strcmp(arg, "-S") ||
	       !strcmp(arg, "-E");
}

/* Words after `--`: flags each to the step(s) they belong to, files to the
 * inputs. */
static void add_gcc_flags(struct builder_job *job, int argc, char **argv, int i)
{
	while (i < argc) {
		int count;
		enum builder_flag_use use = builder_flag_classify(argv, argc, i, &count);
		const char *refused = builder_flag_refused(argv[i]);
		if (refused)
			builder_die(BUILDER_EXIT_USAGE, argv[i], "not supported", refused);
		if (is_mode_flag(argv[i]))
			builder_die(BUILDER_EXIT_USAGE, argv[i], "not a flag for after --",
				    "hut build always compiles and links; give -o before --");
		if (use == BUILDER_FLAG_INPUT) {
			add_input(job, argv[i++]);
			continue;
		}
		for (int k = 0; k < count; k++, i++) {
			if (use & BUILDER_FLAG_COMPILE)
				builder_args_add(&job->cflags, argv[i]);
			if (use & BUILDER_FLAG_LINK)
				builder_args_add(&job->ldflags, argv[i]);
		}
	}
}

/* "HOST:/GUEST" split at its last ":/" (a host path may hold ':'), or
 * NULL for GUEST when there is none. */
static char *split_guest(const char *arg, const char **guest)
{
	char *copy = builder_xstrdup(arg), *at = NULL;
	for (char *p = strstr(copy, ":/"); p; p = strstr(p + 1, ":/"))
		at = p;
	*guest = NULL;
	if (at) {
		*at = 0;
		*guest = at + 1;
	}
	return copy;
}

static struct builder_files *files_of(struct builder_job *job)
{
	if (!job->files) {
		job->files = builder_files_new();
		builder_etc_defaults(job->files);
	}
	return job->files;
}

/* --files DIR[:/PATH] */
static void add_files(struct builder_job *job, const char *arg)
{
	const char *guest;
	char *host = split_guest(arg, &guest);
	if (!*host)
		builder_usage_error(arg, "--files needs a directory", BUILD_HELP);
	builder_files_add_dir(files_of(job), host, guest ? guest : "/");
}

/* --file SRC:/DEST */
static void add_file(struct builder_job *job, const char *arg)
{
	const char *dest;
	char *src = split_guest(arg, &dest);
	if (!*src || !dest)
		builder_usage_error(arg, "--file takes SRC:DEST, DEST an absolute path",
				    BUILD_HELP);
	builder_files_add_file(files_of(job), src, dest);
}

/* Handles one option at argv[*i]; returns 1 at `--`. */
static int parse_option(struct builder_job *job, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	if (!strcmp(a, "--"))
		return 1;
	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		build_help();
		exit(0);
	}
	if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
		builder_verbose = 1;
	else if ((v = option_value(argc, argv, i, "-o")))
		job->out = v;
	else if ((v = option_value(argc, argv, i, "--mem")))
		job->mem = parse_mem(v);
	else if (strcmp(a, "--net") == 0)
		job->needs_net = 1;
	else if ((v = option_value(argc, argv, i, "--name")))
		job->name = v;
	else if ((v = option_value(argc, argv, i, "--files")))
		add_files(job, v);
	else if ((v = option_value(argc, argv, i, "--file")))
		add_file(job, v);
	else
		builder_usage_error(a, "unknown option", BUILD_HELP);
	return 0;
}

/* "hello" for "src/hello.c": the default image is ./hello.hut. */
static const char *default_out(const char *first)
{
	const char *slash = strrchr(first, '/');
	char *base = builder_xstrdup(slash ? slash + 1 : first);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	return builder_xasprintf("%s.hut", base);
}

int builder_cmd_build(int argc, char **argv)
{
	struct builder_job job = {.mem = HUT_MEM_DEFAULT};
	/* Our defaults first, so the user's flags after `--` override them. */
	builder_args_add(&job.cflags, "-O2");
	int i;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if (parse_option(&job, argc, argv, &i))
				break;
		} else {
			add_input(&job, argv[i]);
		}
	}
	add_gcc_flags(&job, argc, argv, i + 1);
	if (job.inputs.n == 0)
		builder_usage_error("build", "no input files", BUILD_HELP);
	if (!job.out)
		job.out = default_out(job.inputs.v[0]);
	const char *why;
	if (!job.name)
		job.name = builder_default_name(job.out);
	else if (builder_name_check(job.name, &why) != 0)
		builder_die(BUILDER_EXIT_USAGE, builder_xasprintf("--name %s", job.name),
			    "bad service name", why);
	return builder_build(&job);
}
