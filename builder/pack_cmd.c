/*
 * `hut pack`: the image as an OCI bundle (pack.c, for crun and runc) or as
 * an OCI image (oci_image.c, for containerd and podman through hut-oci).
 *
 * The image is checked first, with the monitor's reader: a missing one is
 * 127 and anything hut-monitor would refuse is 126, as for `hut inspect`
 * and hut-monitor, before anything is created. Every output is written
 * under a temporary name beside it and renamed into place at the end
 * (output.c), so a failure leaves no output at all, never half of one.
 */
#include "builder.h"
#include "image.h"
#include "option.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACK_HELP "hut pack --help"

/* Exit statuses, as hut-monitor and `hut inspect` use them. */
#define PACK_FAILED 125	 /* an output cannot be written */
#define PACK_INVALID 126 /* the image cannot be used */
#define PACK_MISSING 127 /* the image does not exist */

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
	printf("usage: hut pack --bundle DIR [--plain | --snapshot] IMAGE [ARG...]\n"
	       "       hut pack --oci-archive FILE [--name REF] [--plain | --snapshot]\n"
	       "                IMAGE [ARG...]\n"
	       "       hut pack --oci-layout DIR [--name REF] [--plain | --snapshot]\n"
	       "                IMAGE [ARG...]\n"
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
	       "hut-oci boots it as an appliance; crun or runc run it as a container.\n"
	       "`hut inspect` reads both back.\n"
	       "\n"
	       "--snapshot also boots IMAGE with its ARGs under hut-monitor --snapshot,\n"
	       "as hut-oci would run the output (environment PATH=/; the bundle's host\n"
	       "name hut, an OCI image none; --net none if IMAGE has a network device),\n"
	       "and puts its snapshot at its ready point beside it: /IMAGE's name.snapshot\n"
	       "(sparse in a bundle's rootfs, packed to its data in an OCI image's layer).\n"
	       "hut-oci restores from it when the container's arguments are the same.\n"
	       "It needs /dev/kvm; a guest that exits first, or is not ready within\n"
	       "--ready-timeout SEC seconds (default 30), fails the pack (125).\n"
	       "\n"
	       "The three options may be given together: one pack writes each.\n"
	       "IMAGE must be an image hut-monitor accepts; --plain packs an ordinary\n"
	       "ELF executable instead (hut-oci hands such a container to crun or runc).\n"
	       "No output may exist yet: each is written under a temporary name beside\n"
	       "it and renamed into place once complete, so a failure leaves none.\n"
	       "\n"
	       "Exit status: 0 written, 2 usage, 125 an output cannot be written (or\n"
	       "the snapshot cannot be made),\n"
	       "126 IMAGE is not a hut image (or not an ELF executable, with --plain),\n"
	       "127 IMAGE not found.\n");
	return 0;
}

/* An ordinary executable, for --plain: a regular file that starts as ELF. */
static void check_plain(const char *path)
{
	char magic[SELFMAG];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		builder_die(errno == ENOENT ? PACK_MISSING : PACK_INVALID, path,
			    errno == ENOENT ? "image not found" : "cannot read the image",
			    strerror(errno));
	struct stat st;
	int elf = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		  read(fd, magic, SELFMAG) == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
	close(fd);
	if (!elf)
		builder_die(PACK_INVALID, path, "not an ELF executable", NULL);
}

/* Dies as hut-monitor would refuse the image: 127 missing, 126 invalid.
 * Returns whether it declares a network device. */
static bool check_image(const char *path, int plain)
{
	if (plain) {
		check_plain(path);
		return false;
	}
	struct hut_image img;
	enum hut_image_result r = hut_image_open(&img, path, 0);
	char err[sizeof img.err];
	bool net = false;
	memcpy(err, img.err, sizeof err);
	for (uint32_t i = 0;
	     r == HUT_IMAGE_OK && i < img.manifest.device_count && i < HUT_DEVICES_MAX; i++)
		net |= img.manifest.devices[i].type == HUT_DEVICE_NET;
	hut_image_close(&img);
	if (r == HUT_IMAGE_NOT_FOUND)
		builder_die(PACK_MISSING, path, "image not found", NULL);
	if (r != HUT_IMAGE_OK)
		builder_die(PACK_INVALID, path, "not a hut image", err);
	return net;
}

/* The signals that would end hut while an output is half written are held
 * until the outputs are in place or removed (output.c's atexit). */
static void hold_signals(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(how, &set, NULL);
}

static const char *begin_output(const char *path, int is_dir, const char *what)
{
	char why[512];
	const char *temp = builder_output_begin(path, is_dir, why, sizeof why);
	if (!temp)
		builder_die(PACK_FAILED, path, what, why);
	return temp;
}

struct pack_request {
	const char *bundle, *archive, *layout, *ref;
	int plain, snapshot;
	bool net;		  /* the image has a network device */
	unsigned ready_timeout_s; /* --ready-timeout */
	const char *image;
	int argc; /* the guest's ARGs */
	char **args;
};

/* What the guest is given when the pack's output runs under hut-oci:
 * the environment both configs hold, and the bundle's host name (an OCI
 * image's config has none: the orchestrator's, if any, is then another and
 * the container boots cold). */
static struct builder_snapshot_request snapshot_request(const struct pack_request *r,
							const char *hostname)
{
	static char *env[] = {BUILDER_BUNDLE_ENV};
	return (struct builder_snapshot_request){
		.image = r->image,
		.argc = r->argc,
		.args = r->args,
		.envc = 1,
		.env = env,
		.hostname = hostname,
		.net = r->net,
		.timeout_s = r->ready_timeout_s,
	};
}

/* The snapshot into the bundle's rootfs, beside the image (pack_snapshot.c). */
static void snapshot_into(const struct pack_request *r, const char *bundle)
{
	char why[768];
	struct builder_snapshot_request s = snapshot_request(r, BUILDER_BUNDLE_HOSTNAME);
	char *copy = builder_xstrdup(r->image);
	char *out =
		builder_xasprintf("%s/rootfs/%s" BUILDER_SNAPSHOT_SUFFIX, bundle, basename(copy));
	if (builder_pack_snapshot(&s, out, why, sizeof why) != 0)
		builder_die(PACK_FAILED, r->image, "cannot snapshot the image", why);
	free(out);
	free(copy);
}

/* The snapshot for an OCI image's layer: made in a private folder, packed. */
static void snapshot_packed(const struct pack_request *r, struct builder_buf *out)
{
	char why[768];
	struct builder_snapshot_request s = snapshot_request(r, NULL);
	char *path = builder_temp_file(r->image, BUILDER_SNAPSHOT_SUFFIX);
	if (builder_pack_snapshot(&s, path, why, sizeof why) != 0 ||
	    builder_snapshot_packed(path, out, why, sizeof why) != 0)
		builder_die(PACK_FAILED, r->image, "cannot snapshot the image", why);
	unlink(path);
	free(path);
}

static void pack(const struct pack_request *r)
{
	char why[512];
	const char *failed;
	hold_signals(SIG_BLOCK);
	const char *bundle =
		r->bundle ? begin_output(r->bundle, 1, "cannot write the bundle") : NULL;
	const char *archive =
		r->archive ? begin_output(r->archive, 0, "cannot write the OCI archive") : NULL;
	const char *layout =
		r->layout ? begin_output(r->layout, 1, "cannot write the OCI layout") : NULL;
	if (bundle && builder_pack_bundle(bundle, r->image, r->argc, r->args, why, sizeof why))
		builder_die(PACK_FAILED, r->bundle, "cannot write the bundle", why);
	if (bundle && r->snapshot)
		snapshot_into(r, bundle);
	if (archive || layout) {
		char *name = default_ref(r->image);
		struct builder_buf snap = {0};
		if (r->snapshot)
			snapshot_packed(r, &snap);
		if (builder_oci_write(r->image, r->ref ? r->ref : name, r->argc, r->args,
				      r->snapshot ? &snap : NULL, layout, archive, why,
				      sizeof why) != 0)
			builder_die(PACK_FAILED, r->archive ? r->archive : r->layout,
				    "cannot write the OCI image", why);
		free(name);
		free(snap.data);
	}
	if (builder_output_commit(&failed, why, sizeof why) != 0)
		builder_die(PACK_FAILED, failed, "cannot put the output in place", why);
	hold_signals(SIG_UNBLOCK);
}

/* 1 to 3600 seconds. */
static unsigned ready_timeout(const char *v)
{
	char *end;
	unsigned long s = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || s < 1 || s > 3600)
		builder_usage_error(v, "--ready-timeout takes 1 to 3600 seconds", PACK_HELP);
	return (unsigned)s;
}

/* A snapshot is of a hut image. */
static void check_snapshot_options(struct pack_request *r)
{
	if (!r->snapshot) {
		if (r->ready_timeout_s)
			builder_usage_error("--ready-timeout", "needs --snapshot", PACK_HELP);
		return;
	}
	if (r->plain)
		builder_usage_error("--snapshot", "is for hut images, not --plain ones", PACK_HELP);
	if (!r->ready_timeout_s)
		r->ready_timeout_s = 30;
}

int builder_cmd_pack(int argc, char **argv)
{
	struct pack_request r = {0};
	const char *v;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return pack_help();
		if (!strcmp(argv[i], "--plain"))
			r.plain = 1;
		else if (!strcmp(argv[i], "--snapshot"))
			r.snapshot = 1;
		else if ((v = option_value(argc, argv, &i, "--ready-timeout")))
			r.ready_timeout_s = ready_timeout(v);
		else if ((v = option_value(argc, argv, &i, "--bundle")))
			r.bundle = v;
		else if ((v = option_value(argc, argv, &i, "--oci-archive")))
			r.archive = v;
		else if ((v = option_value(argc, argv, &i, "--oci-layout")))
			r.layout = v;
		else if ((v = option_value(argc, argv, &i, "--name"))) {
			const char *why = builder_ref_check(v);
			if (why)
				builder_usage_error(v, why, PACK_HELP);
			r.ref = v;
		} else if (!strcmp(argv[i], "--"))
			break;
		else
			builder_usage_error(argv[i], "unknown option or missing value", PACK_HELP);
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (!r.bundle && !r.archive && !r.layout)
		builder_usage_error("pack", "--bundle, --oci-archive or --oci-layout is required",
				    PACK_HELP);
	if (i >= argc)
		builder_usage_error("pack", "no IMAGE given", PACK_HELP);
	check_snapshot_options(&r);
	r.image = argv[i];
	r.argc = argc - i - 1;
	r.args = argv + i + 1;
	r.net = check_image(r.image, r.plain);
	pack(&r);
	return 0;
}
