/*
 * hut-oci: runc's command line (global options, then a command). create and
 * run look at the bundle: a hut image becomes hut-monitor's bundle; every
 * other command, and every other container, goes to the lower runtime.
 */
#include "oci.h"
#include "option.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: hut-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID\n"
	"An OCI runtime (runc's command line) that boots hut images as KVM appliances:\n"
	"a container whose process.args[0] is a hut image runs as hut-monitor inside\n"
	"the container's namespaces and cgroup; any other container is run by crun\n"
	"(else runc) unchanged. Where the host's cgroups are hybrid with controllers\n"
	"on cgroup2 (crun refuses those), runc runs them; --version says which runtime\n"
	"and why. Set HUT_OCI_RUNTIME to choose that runtime, and\n"
	"HUT_OCI_TRACE_BOOT=1 to have hut-monitor print --trace-boot's times.\n"
	"A hut image with a network device, in a container given its pod's network\n"
	"namespace by path, takes the pod interface's address, gateway and MAC: a tap\n"
	"(hut0) in that namespace joined to the interface by tc mirred redirects,\n"
	"and the name server of the resolv.conf the orchestrator mounts.\n"
	"\n"
	"commands: create [--bundle DIR] [--pid-file F] [--console-socket S]\n"
	"  [--preserve-fds N] ID,\n"
	"  start ID, state ID, kill [--all] ID [SIGNAL], delete [--force] ID,\n"
	"  run [--bundle DIR] [--detach] ID, features, and the lower runtime's others\n"
	"  (exec, ps, pause, resume, update, events, list), passed on unchanged.\n"
	"global options: --root DIR (default " OCI_DEFAULT_ROOT "), --log FILE,\n"
	"  --log-format text|json, --systemd-cgroup, --debug, --version, --help\n";

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value, or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	const char *v = cli_option(argc, argv, i, name);
	if (v == cli_no_value)
		oci_die(NULL, "%s needs a value", name);
	return v;
}

static int global_options(int argc, char **argv)
{
	int i = 1;
	const char *v;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-v")) {
			oci_print_version();
			oci_lower_describe(stdout);
			exit(0);
		} else if ((v = option_value(argc, argv, &i, "--root")) != NULL) {
			oci_g.root = v;
		} else if ((v = option_value(argc, argv, &i, "--log")) != NULL) {
			oci_g.log = v;
		} else if ((v = option_value(argc, argv, &i, "--log-format")) != NULL) {
			if (strcmp(v, "json") && strcmp(v, "text"))
				oci_die(NULL, "--log-format takes text or json, not '%s'", v);
			oci_g.log_json = !strcmp(v, "json");
		} else if (!strcmp(argv[i], "--systemd-cgroup")) {
			oci_g.systemd_cgroup = true;
		} else if (!strcmp(argv[i], "--debug")) {
			oci_g.debug = true;
		} else {
			oci_die(NULL, "unknown global option '%s' (try --help)", argv[i]);
		}
	}
	return i;
}

/* The record, and what the container added to its pod's namespace. */
static void forget(const char *id)
{
	char *netns = oci_record_get(id, "netns");
	char *nl = netns ? strchr(netns, '\n') : NULL;
	if (nl) {
		*nl = 0;
		char *ifname = nl + 1;
		ifname[strcspn(ifname, "\n")] = 0;
		oci_podnet_detach(netns, ifname, id);
	}
	free(netns);
	oci_record_remove(id);
}

/* The tap at the first fd after the caller's own preserved ones (the lower
 * runtime passes fds 3..3+N-1 to the container's process, and keeps them
 * open from create to start). Whatever hut-oci inherited at that number is
 * not the caller's to pass on (a daemon's leaked fd): it is replaced. */
static int place_tap(int tap_fd, long preserved, const char *id)
{
	int want = 3 + (int)preserved;
	if (tap_fd == want) {
		if (fcntl(want, F_SETFD, 0) != 0)
			oci_die(id, "cannot pass the tap on at fd %d (%s)", want, strerror(errno));
		return want;
	}
	if (dup2(tap_fd, want) != want)
		oci_die(id, "cannot move the tap to fd %d (%s)", want, strerror(errno));
	close(tap_fd);
	return want;
}

/* What create changed in the pod's namespace, undone if it dies before the
 * record that lets delete undo it is written. */
static const struct oci_podnet *undo_net;
static const char *undo_netns, *undo_id;
static void undo_podnet(void)
{
	if (undo_net)
		oci_podnet_detach(undo_netns, undo_net->ifname, undo_id);
}

/* A hut image: the monitor's bundle, with the pod's network when there is
 * one; returns the bundle's folder and sets *tap (-1: no network). */
static char *hut_bundle(struct oci_spec *spec, struct oci_image *img, long preserved, int *tap,
			const char *id)
{
	static struct oci_podnet net;
	bool has_net = oci_podnet_for(&net, spec, img, id);
	if (has_net) {
		undo_net = &net;
		undo_netns = spec->netns;
		undo_id = id;
		atexit(undo_podnet);
	}
	*tap = has_net ? place_tap(net.tap_fd, preserved, id) : -1;
	char *snapshot_cache;
	const char *start =
		oci_rewrite(spec, img, has_net ? &net : NULL, *tap, &snapshot_cache, id);
	char *dir = oci_record_create(id, spec->bundle);
	oci_record_put(id, "start", start); /* state's org.hut.start */
	oci_log_info(id, "%s: %s", img->path, start);
	if (snapshot_cache)
		oci_record_snapshot_link(id, snapshot_cache);
	free(snapshot_cache);
	if (has_net) {
		char text[PATH_MAX + 32];
		snprintf(text, sizeof text, "%s\n%s\n", spec->netns, net.ifname);
		oci_record_put(id, "netns", text);
	}
	oci_rewrite_write(spec, dir, id);
	undo_net = NULL; /* delete's task from here on */
	return dir;
}

/* create/run: the options other than --bundle go to the lower runtime as
 * they came; the bundle is ours when the image is a hut. */
static int cmd_create(const char *cmd, int argc, char **argv)
{
	const char *bundle = ".", *id = NULL, *v;
	bool detach = false;
	long preserved = 0;
	char preserve_arg[24];
	struct oci_argv opts = {0};
	for (int i = 0; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "--bundle")) != NULL ||
		    (v = option_value(argc, argv, &i, "-b")) != NULL)
			bundle = v;
		else if (argv[i][0] != '-')
			id ? oci_die(argv[i], "more than one container ID given")
			   : (void)(id = argv[i]);
		else if ((v = option_value(argc, argv, &i, "--preserve-fds")) != NULL) {
			char *end;
			preserved = strtol(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || preserved > 1024)
				oci_die(NULL, "--preserve-fds takes a number of fds, not '%s'", v);
		} else if (!strcmp(argv[i], "--pid-file") || !strcmp(argv[i], "--console-socket")) {
			oci_argv_add(&opts, argv[i]);
			if (i + 1 < argc)
				oci_argv_add(&opts, argv[++i]);
		} else {
			detach |= !strcmp(argv[i], "--detach") || !strcmp(argv[i], "-d");
			oci_argv_add(&opts, argv[i]);
		}
	}
	if (!id)
		oci_die(NULL, "%s: no container ID given", cmd);
	oci_check_id(id);
	struct oci_spec spec;
	struct oci_image img;
	oci_spec_read(&spec, bundle, id);
	int tap = -1;
	if (oci_detect(&spec, &img, id))
		bundle = hut_bundle(&spec, &img, preserved, &tap, id);
	struct oci_argv a = {0};
	oci_lower_globals(&a);
	oci_argv_add(&a, cmd);
	oci_argv_add(&a, "--bundle");
	oci_argv_add(&a, bundle);
	if (preserved > 0 || tap >= 0) {
		snprintf(preserve_arg, sizeof preserve_arg, "%ld", preserved + (tap >= 0));
		oci_argv_add(&a, "--preserve-fds");
		oci_argv_add(&a, preserve_arg);
	}
	for (int i = 0; i < opts.n; i++)
		oci_argv_add(&a, opts.v[i]);
	oci_argv_add(&a, id);
	if (!strcmp(cmd, "create"))
		oci_lower_exec(&a);
	/* run: a container run in the foreground is gone when it returns;
	 * a detached one keeps its record until delete. */
	int st = oci_lower_run(&a);
	if (!detach)
		forget(id);
	return st;
}

static const char *last_id(int argc, char **argv)
{
	for (int i = argc - 1; i >= 0; i--)
		if (argv[i][0] != '-')
			return argv[i];
	return NULL;
}

/* delete: the lower runtime's, then our record. The container's ID is the
 * only word that is not an option. */
static int cmd_delete(int argc, char **argv)
{
	const char *id = last_id(argc, argv);
	if (!id)
		oci_die(NULL, "delete: no container ID given");
	oci_check_id(id);
	struct oci_argv a = {0};
	oci_lower_globals(&a);
	oci_argv_add(&a, "delete");
	for (int i = 0; i < argc; i++)
		oci_argv_add(&a, argv[i]);
	int st = oci_lower_run(&a);
	if (st == 0 || oci_record_bundle(id))
		forget(id);
	return st;
}

static int pass_on(const char *cmd, int argc, char **argv)
{
	struct oci_argv a = {0};
	oci_lower_globals(&a);
	oci_argv_add(&a, cmd);
	for (int i = 0; i < argc; i++)
		oci_argv_add(&a, argv[i]);
	oci_lower_exec(&a);
}

int main(int argc, char **argv)
{
	int i = global_options(argc, argv);
	if (i >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	const char *cmd = argv[i];
	int rest = argc - i - 1;
	char **args = argv + i + 1;
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		oci_print_version();
		oci_lower_describe(stdout);
		return 0;
	}
	if (!strcmp(cmd, "features"))
		return oci_cmd_features();
	oci_lower_find();
	if (!strcmp(cmd, "create") || !strcmp(cmd, "run"))
		return cmd_create(cmd, rest, args);
	if (!strcmp(cmd, "delete"))
		return cmd_delete(rest, args);
	if (!strcmp(cmd, "state")) {
		if (rest != 1 || args[0][0] == '-')
			oci_die(NULL, "state takes one container ID");
		oci_check_id(args[0]);
		return oci_cmd_state(args[0]);
	}
	return pass_on(cmd, rest, args);
}
