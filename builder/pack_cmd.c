/*
 * `hut pack`: the image as an OCI bundle (pack.c, for crun and runc) or as
 * an OCI image (oci_image.c, for containerd and podman through hut-oci).
 */
#include "builder.h"
#include "option.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACK_HELP "hut pack --help"

/* "--name VALUE" or "--name=VALUE": VALUE (advancing *i), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	const char *v = cli_option(argc, argv, i, name);
	if (v == cli_no_value)
		builder_usage_error(argv[*i], "needs a value", PACK_HELP);
	return v;
}

/* localhost/NAME:latest, NAME the image's file name without ".hut", as a
 * reference allows it: lower case, digits, '.', '_', '-'. */
static char *default_ref(const char *image)
{
	char *copy = builder_xstrdup(image), *name = basename(copy);
	size_t n = strlen(name);
	if (n > 4 && !strcmp(name + n - 4, ".hut"))
		name[n - 4] = 0;
	for (char *p = name; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
			   *p == '_' || *p == '-'))
			*p = '-';
	}
	char *ref = builder_xasprintf("localhost/%s:latest", *name ? name : "image");
	free(copy);
	return ref;
}

static int pack_help(void)
{
	printf("usage: hut pack --bundle DIR IMAGE [ARG...]\n"
	       "       hut pack [--oci-archive FILE] [--oci-layout DIR] [--name REF] IMAGE "
	       "[ARG...]\n"
	       "\n"
	       "--bundle writes an OCI bundle that runs IMAGE with ARGs as a container:\n"
	       "DIR/config.json (runtime spec 1.0; own pid, mount, ipc, uts and network\n"
	       "namespaces; read-only root; /proc only) and DIR/rootfs/IMAGE's name.\n"
	       "Run it with `crun run -b DIR ID` or `runc run -b DIR ID`.\n"
	       "\n"
	       "--oci-archive and --oci-layout write an OCI image (image spec 1.0): one\n"
	       "layer holding only IMAGE, a config whose Entrypoint is /IMAGE's name and\n"
	       "whose Cmd is the ARGs; as a tar archive (`ctr image import FILE`,\n"
	       "`podman run oci-archive:FILE`) or as a layout folder. --name names it\n"
	       "(default localhost/NAME:latest, NAME being IMAGE's name without .hut).\n"
	       "hut-oci boots it as an appliance; crun or runc run it as a container.\n");
	return 0;
}

int builder_cmd_pack(int argc, char **argv)
{
	const char *dir = NULL, *archive = NULL, *layout = NULL, *ref = NULL, *v;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return pack_help();
		if ((v = option_value(argc, argv, &i, "--bundle")))
			dir = v;
		else if ((v = option_value(argc, argv, &i, "--oci-archive")))
			archive = v;
		else if ((v = option_value(argc, argv, &i, "--oci-layout")))
			layout = v;
		else if ((v = option_value(argc, argv, &i, "--name")))
			ref = v;
		else if (!strcmp(argv[i], "--"))
			break;
		else
			builder_usage_error(argv[i], "unknown option or missing value", PACK_HELP);
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (!dir && !archive && !layout)
		builder_usage_error("pack", "--bundle, --oci-archive or --oci-layout is required",
				    PACK_HELP);
	if (i >= argc)
		builder_usage_error("pack", "no IMAGE given", PACK_HELP);
	char why[512];
	if (dir && builder_pack_bundle(dir, argv[i], argc - i - 1, argv + i + 1, why, sizeof why))
		builder_die(1, argv[i], "cannot write the bundle", why);
	if (!archive && !layout)
		return 0;
	char *name = default_ref(argv[i]);
	if (builder_oci_write(argv[i], ref ? ref : name, argc - i - 1, argv + i + 1, layout,
			      archive, why, sizeof why) != 0)
		builder_die(1, argv[i], "cannot write the OCI image", why);
	free(name);
	return 0;
}
