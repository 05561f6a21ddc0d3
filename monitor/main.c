/*
 * hut-monitor: boots one hut image as a KVM appliance.
 * Options, then the boot sequence; each step lives in its own file, and
 * the modules (module.h; the table in modules/table.c) join it at fixed
 * points.
 */
#include "monitor.h"
#include "option.h"
#include "pool.h"
#include "size.h"
#include "snapshot.h"

#include <hut/version.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

/* --help: the core's options, then each module's, then these. */
static const char usage_head[] =
	"usage: hut-monitor [OPTIONS] IMAGE [ARG...]\n"
	"Boots IMAGE (built by `hut build`) as a KVM appliance. Everything after\n"
	"IMAGE is the guest's argv. The guest's stdin, stdout and stderr are the\n"
	"monitor's; the monitor exits with the guest's exit status.\n"
	"\n"
	"options:\n"
	"  --mem SIZE      guest RAM, e.g. 64M or 1G (default: the image's manifest)\n"
	"  --timeout SEC   stop the guest after SEC seconds, exit 124\n"
	"  --pids N        at most N processes and threads at once in the guest\n"
	"                  (fork and pthread_create fail with EAGAIN past it)\n"
	"  --trace-boot    print microseconds per boot phase to stderr, then KVM's\n"
	"                  counts of the guest's page faults and exits\n"
	"  --trace-exits   at the end, print how many exits reached the monitor (by\n"
	"                  kind) and what the network device moved\n"
	"  -e, --env NAME=VALUE  put NAME in the guest's environment (repeatable; the\n"
	"                  guest has no other); --env NAME passes the monitor's own\n"
	"  --hostname NAME the guest's host name (uname -n), 1 to 64 bytes\n"
	"                  (default: the image's service name)\n"
	"  --no-sandbox    run without the seccomp sandbox (for debugging only)\n"
	"  --snapshot FILE when the guest is ready (every thread waits for input, or\n"
	"                  the app called hut_ready() from <hut/ready.h>), write its\n"
	"                  memory (the pages it touched), vCPU and device state to FILE\n"
	"                  and exit 0; refused (125, one line) if the guest has files\n"
	"                  open on volumes\n"
	"  --restore FILE  start the guest from snapshot FILE instead of booting it:\n"
	"                  give the same IMAGE, guest arguments, --env, --hostname,\n"
	"                  --mem, --pids and --volume; the tap is the one given now\n"
	"                  (a snapshot made with --net, or --net none, needs --net), and\n"
	"                  --mac, --ip, --gw and --dns given now replace the\n"
	"                  snapshot's (those not given stay); it gets a new random\n"
	"                  seed and the time now, and re-announces itself on the\n"
	"                  network (126: not a snapshot of IMAGE with these arguments\n"
	"                  and devices, corrupt or truncated)\n"
	"  --pool SOCKET   with --restore: keep --pool-size N (default 2, at most 64)\n"
	"                  monitors made ready to restore FILE (the snapshot mapped,\n"
	"                  the VM made, the snapshot's pages warmed: read once by the\n"
	"                  guest's CPU, the device threads started) waiting on the\n"
	"                  Unix socket SOCKET (mode 0600); each starts one guest for\n"
	"                  one `hut-monitor --pool-run SOCKET [--net ...] [--mac ...]\n"
	"                  [--ip ...] [--gw ...] [--dns ...] [--timeout SEC]`, which\n"
	"                  gets the guest's stdio, signals and exit status as if it\n"
	"                  were its monitor; the pool's options fix the devices: a\n"
	"                  networked image's pool takes --net none, each request its\n"
	"                  --net TAP or fd=N; SIGTERM ends the pool (not the guests\n"
	"                  it started)\n";

static const char usage_tail[] =
	"  -h, --help      show this help\n"
	"  --version       show the version\n"
	"\n"
	"exit status: the guest's; 128+N if the guest died of signal N (a crash:\n"
	"139 SIGSEGV, 132 SIGILL, 136 SIGFPE, 134 SIGABRT; 159 SIGSYS for a bad\n"
	"hypercall or net ring); 124 timeout; 125 monitor failure or bad option;\n"
	"126 image invalid, too big for --mem, or needing a device it was not given;\n"
	"127 image not found.\n";

static _Noreturn void help(void)
{
	fputs(usage_head, stdout);
	for (size_t i = 0; hut_modules[i]; i++)
		if (hut_modules[i]->usage)
			fputs(hut_modules[i]->usage, stdout);
	fputs(usage_tail, stdout);
	exit(0);
}

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fputs("hut-monitor: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try --help)\n", stderr);
	hut_pool_report(HUT_EXIT_MONITOR); /* a pool request's option: its client's status */
	exit(HUT_EXIT_MONITOR);
}

/* "--name VALUE" or "--name=VALUE": returns VALUE and advances *i, or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	const char *v = cli_option(argc, argv, i, name);
	if (v == cli_no_value)
		bad_usage("%s needs a value", name);
	return v;
}

static unsigned parse_timeout(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || v == 0 || v > 86400 * 365)
		bad_usage("--timeout takes a whole number of seconds, not '%s'", s);
	return (unsigned)v;
}

static uint32_t parse_pids(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || v == 0 || v > 4194304) /* Linux's pid_max limit */
		bad_usage("--pids takes a number from 1 to 4194304, not '%s'", s);
	return (uint32_t)v;
}

static unsigned parse_pool_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || v == 0 || v > 64)
		bad_usage("--pool-size takes a number from 1 to 64, not '%s'", s);
	return (unsigned)v;
}

static uint64_t parse_mem(const char *s)
{
	uint64_t bytes;
	const char *why;
	int r = hut_parse_size(s, &bytes);
	if (r == HUT_SIZE_TOO_LARGE)
		bad_usage("--mem %s is too large", s);
	if (r != 0)
		bad_usage("--mem takes a size like 64M or 1G, not '%s'", s);
	if ((why = hut_check_mem_size(bytes)) != NULL) {
		char msg[128];
		snprintf(msg, sizeof msg, "--mem %s is %s", s, why);
		bad_usage("%s", msg);
	}
	return bytes;
}

/* --env NAME=VALUE, or --env NAME for the monitor's own value (skipped
 * when it has none, as `docker run -e NAME` does). */
static void add_env(struct hut_options *o, const char *v, int argc)
{
	if (!o->env && !(o->env = calloc((size_t)argc, sizeof *o->env)))
		bad_usage("%s", "out of memory");
	if (*v == '=' || *v == 0)
		bad_usage("--env takes NAME=VALUE or NAME, not '%s'", v);
	if (strchr(v, '=')) {
		o->env[o->envc++] = (char *)v;
		return;
	}
	const char *value = getenv(v);
	char *pair;
	if (value && asprintf(&pair, "%s=%s", v, value) >= 0)
		o->env[o->envc++] = pair;
}

static bool named(const char *arg, const struct hut_option *o)
{
	return !strcmp(arg, o->name) || (o->alias && !strcmp(arg, o->alias));
}

/* One of a module's options: true if argv[*i] was one (and *i is past its
 * value). A flag's parse gets NULL. */
static bool module_option(int argc, char **argv, int *i, const struct hut_option *o)
{
	const char *v = NULL;
	if (!o->takes_value && !named(argv[*i], o))
		return false;
	if (o->takes_value && !(v = option_value(argc, argv, i, o->name)) &&
	    !(o->alias && (v = option_value(argc, argv, i, o->alias))))
		return false;
	const char *why = o->parse(v);
	if (why)
		bad_usage("%s", why);
	return true;
}

static bool any_module_option(int argc, char **argv, int *i)
{
	for (size_t m = 0; hut_modules[m]; m++)
		for (size_t k = 0; k < hut_modules[m]->noptions; k++)
			if (module_option(argc, argv, i, &hut_modules[m]->options[k]))
				return true;
	return false;
}

/* What the modules say of their options together (--mac needs --net). */
static void modules_options_done(void)
{
	for (size_t m = 0; hut_modules[m]; m++) {
		const char *why =
			hut_modules[m]->options_done ? hut_modules[m]->options_done() : NULL;
		if (why)
			bad_usage("%s", why);
	}
}

static void parse_options(int argc, char **argv, struct hut_options *o)
{
	int i;
	const char *v;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			help();
		} else if (!strcmp(argv[i], "--version")) {
			printf("hut-monitor %s (ABI %d)\n", HUT_VERSION, HUT_ABI_VERSION);
			exit(0);
		} else if (!strcmp(argv[i], "--trace-boot")) {
			o->trace_boot = true;
		} else if (!strcmp(argv[i], "--trace-exits")) {
			o->trace_exits = true;
		} else if (!strcmp(argv[i], "--no-sandbox")) {
			o->no_sandbox = true;
		} else if ((v = option_value(argc, argv, &i, "--mem")) != NULL) {
			o->mem = parse_mem(v);
			o->mem_from_option = true;
		} else if ((v = option_value(argc, argv, &i, "--env")) != NULL ||
			   (v = option_value(argc, argv, &i, "-e")) != NULL) {
			add_env(o, v, argc);
		} else if ((v = option_value(argc, argv, &i, "--hostname")) != NULL) {
			if (!*v || strlen(v) > 64) /* Linux's HOST_NAME_MAX */
				bad_usage("--hostname takes 1 to 64 bytes, not '%s'", v);
			o->hostname = v;
		} else if ((v = option_value(argc, argv, &i, "--snapshot")) != NULL) {
			o->snapshot = v;
		} else if ((v = option_value(argc, argv, &i, "--restore")) != NULL) {
			o->restore = v;
		} else if ((v = option_value(argc, argv, &i, "--pool")) != NULL) {
			o->pool = v;
		} else if ((v = option_value(argc, argv, &i, "--pool-size")) != NULL) {
			o->pool_size = parse_pool_size(v);
		} else if ((v = option_value(argc, argv, &i, "--timeout")) != NULL) {
			o->timeout_s = parse_timeout(v);
		} else if ((v = option_value(argc, argv, &i, "--pids")) != NULL) {
			o->pids_max = parse_pids(v);
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!any_module_option(argc, argv, &i)) {
			bad_usage("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		bad_usage("%s", "no IMAGE given");
	if ((o->pool || o->pool_size) && (!o->pool || !o->restore || o->snapshot))
		bad_usage("%s",
			  "--pool SOCKET [--pool-size N] needs --restore FILE (and no --snapshot)");
	modules_options_done();
	o->image = argv[i];
	o->argc = argc - i;
	o->argv = argv + i;
}

/* A pool request's options (pool_child.c): what differs per instance, the
 * network device's (--net, --mac, --ip, --gw, --dns, as a restore allows)
 * and --timeout; anything else is the pool's. */
static void parse_request_options(int argc, char **argv, struct hut_options *o)
{
	const char *v;
	for (int i = 1; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "--timeout")) != NULL)
			o->timeout_s = parse_timeout(v);
		else if (!any_module_option(argc, argv, &i))
			bad_usage("a pool request may give --net, --mac, --ip, --gw, --dns and "
				  "--timeout, not '%s'",
				  argv[i]);
	}
	modules_options_done();
}

/* Guest RAM is allocated as the guest touches it, but a guest given more
 * than the host has would be killed by the host's OOM killer at some later,
 * unrelated moment: refuse it now, with the sizes. */
static void check_host_ram(struct hut_vm *vm)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return;
	uint64_t host = (uint64_t)si.totalram * si.mem_unit;
	if (vm->opt->mem > host)
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "guest RAM of %llu MiB (%s) is more than this host's %llu MiB",
			 (unsigned long long)(vm->opt->mem >> 20),
			 vm->opt->mem_from_option ? "--mem"
						  : "the image's manifest; --mem sets another",
			 (unsigned long long)(host >> 20));
}

static void open_image(struct hut_vm *vm)
{
	enum hut_image_result r = hut_image_open(&vm->img, vm->opt->image, 0);
	if (r == HUT_IMAGE_NOT_FOUND)
		hut_fail(vm, HUT_EXIT_NO_IMAGE, "%s", vm->img.err);
	/* Out of descriptors or memory: the host's limit, not a bad image. */
	int e = vm->img.host_errno;
	if (r != HUT_IMAGE_OK && (e == EMFILE || e == ENFILE || e == ENOMEM))
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot open the image (%s)", hut_limit_text(e));
	if (r != HUT_IMAGE_OK)
		hut_fail(vm, HUT_EXIT_BAD_IMAGE, "invalid image: %s", vm->img.err);
}

/* RAM laid out (the modules' regions) and backed where a boot touches
 * first; a restore's checked against the snapshot's. */
static void load(struct hut_vm *vm)
{
	hut_load_image(vm);
	if (vm->restored)
		hut_restore_check_layout(vm);
}

/* The RAM the modules take: what a pool request must not change, its
 * monitor's memory being laid out before it comes. */
static uint64_t modules_ram(const struct hut_vm *vm)
{
	uint64_t sum = 0;
	const struct hut_module *m;
	hut_each_module(vm, m)
		if (m->ram_size)
			sum += m->ram_size();
	return sum;
}

/* A pool's monitor (pool.h): everything that does not depend on the
 * instance done (the layout and its prefault too: the pool's own options
 * say which devices there are, `--net none` one whose tap each request
 * gives), it waits for a request and takes its options. */
static void take_pool_request(struct hut_vm *vm, struct hut_options *o)
{
	int rargc;
	char **rargv;
	load(vm);
	hut_machine_wait(vm);
	hut_restore_warm(vm);
	hut_reaper_start(vm); /* it needs only the VM: one step less after the request */
	const struct hut_module *m;
	hut_each_module(vm, m)
		if (m->ready) {
			hut_restore_module(vm, m); /* its record first, again after the request */
			m->ready(vm);
		}
	uint64_t devices = modules_ram(vm);
	hut_trace_mark("ready"); /* --trace-boot: the time spent waiting is "request"'s */
	hut_pool_take_request(vm, &rargc, &rargv);
	hut_trace_mark("request");
	parse_request_options(rargc, rargv, o);
	if (modules_ram(vm) != devices)
		bad_usage("%s", "a pool request cannot add a device its pool was not started with "
				"(start a networked image's pool with --net none; each request "
				"then gives --net TAP or --net fd=N)");
	hut_call_modules(vm, open, vm);
}

int main(int argc, char **argv)
{
	static struct hut_options opt;
	static struct hut_vm vm = {.opt = &opt, .modules = hut_modules};
	hut_trace_mark("start");
	if (argc > 1 && !strcmp(argv[1], "--pool-run"))
		hut_pool_run(argc, argv);
	parse_options(argc, argv, &opt);
	if (opt.pool)
		hut_pool_serve(opt.pool, opt.pool_size ? opt.pool_size : 2);
	else
		hut_machine_begin(&vm); /* the VM and vCPU, made while the image is read */
	open_image(&vm);
	if (!opt.mem)
		opt.mem = vm.img.manifest.mem_default;
	if (opt.restore)
		hut_restore_open(&vm, opt.restore);
	if (opt.snapshot)
		hut_snapshot_open(&vm, opt.snapshot);
	check_host_ram(&vm);
	if (!opt.pool)
		hut_call_modules(&vm, open, &vm);
	if (vm.restored)
		hut_restore_memory(&vm); /* the snapshot's pages, copy-on-write */
	else
		hut_mem_setup(&vm);
	hut_machine_ram(&vm);
	if (opt.pool)
		take_pool_request(&vm, &opt); /* ready: the rest waits for a request */
	hut_trace_mark("open");
	if (!opt.pool)
		load(&vm);
	hut_trace_mark("load");
	hut_machine_wait(&vm);
	hut_trace_mark("machine");
	if (opt.trace_boot)
		hut_kvm_stats_open(&vm);
	hut_time_setup(&vm);
	hut_vcpu_wake_setup(&vm);
	if (vm.restored) {
		hut_restore_vcpu(&vm);
		hut_restore_modules(&vm);
	} else {
		hut_cpu_setup(&vm);
		hut_bootinfo_setup(&vm);
	}
	hut_call_modules(&vm, start, &vm);
	hut_trace_mark("vcpu");
	hut_call_modules(&vm, prepare, &vm);
	hut_timeout_arm(opt.timeout_s);
	/* A closed stdout is the guest's EPIPE (it raises its own SIGPIPE, or
	 * ignores it and goes on, as a process would), not the monitor's death. */
	signal(SIGPIPE, SIG_IGN);
	hut_reaper_start(&vm);
	hut_pool_watch_client(&vm);
	hut_machine_end(); /* no thread without a seccomp filter past this */
	if (opt.no_sandbox)
		fprintf(stderr, "hut-monitor: %s: warning: running without the seccomp sandbox\n",
			opt.image);
	else
		hut_sandbox_enter(&vm);
	hut_trace_mark("sandbox"); /* the devices' threads, the reaper, the filter */
	hut_kvm_stats_start();
	hut_run(&vm);
}
