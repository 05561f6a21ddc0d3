/*
 * hut: builds hut images and looks inside them. The same executable is
 * hut-cc (a symlink): argv[0] picks the face.
 */
#include "builder.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIN_HELP "hut --help"

static void usage(FILE *f)
{
	fprintf(f, "usage: hut COMMAND [ARGS...]\n"
		   "\n"
		   "hut turns a C service into one static ELF image that runs both as an\n"
		   "ordinary Linux process and as a KVM appliance under hut-monitor.\n"
		   "\n"
		   "commands:\n"
		   "  build    compile and link C sources into an image    hut build hello.c\n"
		   "  inspect  show an image, or the one in an OCI image   hut inspect hello.hut\n"
		   "  run      boot an image under hut-monitor             hut run hello.hut\n"
		   "  cc       a gcc-compatible driver (also as hut-cc)    make CC=hut-cc\n"
		   "  pack     put an image in a container, in one or more of:\n"
		   "             an OCI bundle for crun or runc            hut pack --bundle DIR "
		   "hello.hut\n"
		   "             an OCI image archive (ctr, podman)        hut pack --oci-archive "
		   "FILE hello.hut\n"
		   "             an OCI image layout folder                hut pack --oci-layout "
		   "DIR hello.hut\n"
		   "  bench    time an image under every launcher          hut bench hello.hut\n"
		   "\n"
		   "  hut COMMAND --help   help for one command\n"
		   "  hut --version        version and ABI\n");
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{"build", builder_cmd_build}, {"inspect", builder_cmd_inspect},
	{"run", builder_cmd_run},     {"cc", builder_cmd_cc},
	{"pack", builder_cmd_pack},   {"bench", builder_cmd_bench_exec},
};

/* The options hut itself takes, before any command. */
static int main_option(const char *arg)
{
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(arg, "-V") || !strcmp(arg, "--version") || !strcmp(arg, "version")) {
		printf("hut %s (ABI %d)\n", HUT_VERSION, HUT_ABI_VERSION);
		return 0;
	}
	if (arg[0] == '-')
		builder_usage_error(arg, "unknown option", MAIN_HELP);
	builder_usage_error(arg, "unknown command", MAIN_HELP);
}

int main(int argc, char **argv)
{
	const char *verbose = getenv("HUT_VERBOSE");
	builder_verbose = verbose && *verbose && strcmp(verbose, "0") != 0;
	if (argc > 0 && !strcmp(basename(argv[0]), "hut-cc")) {
		builder_prog = "hut-cc";
		return builder_cmd_cc(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return BUILDER_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return main_option(argv[1]);
}
