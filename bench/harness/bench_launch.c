/*
 * The launchers `hut bench` compares, each a real program from a Debian
 * package running the same image with the same arguments:
 *
 *   process      the image itself, as a Linux program
 *   hut          hut-monitor IMAGE (the monitor next to this hut)
 *   hut-restore  hut-monitor --restore of a snapshot of IMAGE made here
 *                once, at its ready point
 *   hut-pool     hut-monitor --pool-run: a pool of monitors ready to restore
 *                that snapshot (bench_pool.c)
 *   namespaces   unshare --fork --pid --mount --uts --ipc --net IMAGE
 *   crun, runc   an OCI bundle from `hut pack` (see bench_run.c for cgroups)
 *   qemu-linux   QEMU microvm booting the host's Debian kernel with an
 *                initramfs whose /init is the image
 *   qemu-floor   QEMU microvm whose firmware prints "floor" and powers off
 *                (bench/floor-fw.S): the least any QEMU VM costs here
 *
 * A launcher that is missing gets a reason (na) here; one that cannot run
 * the image gets it from the pre-flight run in bench.c.
 */
#include "bench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The QEMU machine both QEMU launchers use. kvm-pvm hosts need the
 * arch-capabilities MSR hidden (QEMU fails to set it otherwise). */
static const char *const qemu_machine[] = {
	"-accel",     "kvm",	    "-M",	   "microvm", "-cpu",  "host,-arch-capabilities",
	"-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio", NULL,
};

static uint64_t file_size(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* What a sparse file (a snapshot: guest RAM with holes) takes on disk. */
static uint64_t file_blocks(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
}

char *bench_which(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? builder_xstrdup(prog) : NULL;
	const char *path = getenv("PATH");
	char *copy = builder_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	/* Debian puts runc in /usr/sbin, which a user's PATH may lack. */
	char *all = builder_xasprintf("%s:/usr/sbin:/sbin", copy);
	char *found = NULL, *save = NULL;
	for (char *dir = strtok_r(all, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = builder_xasprintf("%s/%s", *dir ? dir : ".", prog);
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	free(all);
	return found;
}

static struct bench_launcher *add(struct bench *b, const char *name)
{
	b->l = realloc(b->l, (b->nl + 1) * sizeof *b->l);
	if (!b->l)
		builder_die(1, "memory", "cannot allocate", "out of memory");
	struct bench_launcher *l = &b->l[b->nl++];
	*l = (struct bench_launcher){.name = name, .id_slot = -1, .check_output = 1};
	return l;
}

struct bench_launcher *bench_find(struct bench *b, const char *name)
{
	for (size_t i = 0; i < b->nl; i++)
		if (!strcmp(b->l[i].name, name))
			return &b->l[i];
	return NULL;
}

/* argv = prog, then the image and its arguments. */
static void add_image_argv(struct bench *b, struct bench_launcher *l)
{
	builder_args_add(&l->argv, b->image);
	for (int i = 0; i < b->argc; i++)
		builder_args_add(&l->argv, b->args[i]);
}

/* Finds prog or marks l n/a; returns the path or NULL. */
static char *need(struct bench_launcher *l, const char *prog, const char *pkg)
{
	char *p = bench_which(prog);
	if (!p)
		l->na = builder_xasprintf("%s not installed (Debian package %s)", prog, pkg);
	return p;
}

/* hut-restore: a snapshot is made once (hut-monitor --snapshot), when the
 * image reaches its ready point (it calls hut_ready(), or every thread
 * waits for input); each run restores it. A restore prints only what the
 * guest writes after that point, so its output is not compared with the
 * process's. */
static const char *setup_restore(struct bench *b, const char *mon, uint64_t image)
{
	struct bench_launcher *l = add(b, "hut-restore");
	char *snap = builder_temp_file("snapshot", ".snap");
	struct bench_launcher make = {.name = "snapshot"};
	builder_args_add(&make.argv, mon);
	builder_args_add(&make.argv, "--snapshot");
	builder_args_add(&make.argv, snap);
	add_image_argv(b, &make);
	struct bench_sample s;
	bench_run_once(&make, -1, -1, BENCH_TIMEOUT_MS, &s);
	builder_args_free(&make.argv);
	if (s.status != 0 || file_size(snap) == 0)
		l->na = "no snapshot: the image ended or failed before its ready point "
			"(hut_ready(), or every thread waiting for input)";
	builder_args_add(&l->argv, mon);
	builder_args_add(&l->argv, "--restore");
	builder_args_add(&l->argv, snap);
	add_image_argv(b, l);
	l->check_output = 0;
	l->disk_bytes = file_size(mon) + image + file_blocks(snap);
	l->disk_what = "hut-monitor + image + snapshot";
	return l->na ? NULL : snap;
}

static void setup_plain(struct bench *b, uint64_t image)
{
	struct bench_launcher *l = add(b, "process");
	add_image_argv(b, l);
	l->disk_bytes = image;
	l->disk_what = "image";

	l = add(b, "hut");
	char *mon = builder_xasprintf("%s/hut-monitor", builder_bindir());
	if (access(mon, X_OK) != 0)
		l->na = builder_xasprintf("%s missing (run make)", mon);
	builder_args_add(&l->argv, mon);
	add_image_argv(b, l);
	l->disk_bytes = file_size(mon) + image;
	l->disk_what = "hut-monitor + image";

	const char *snap = setup_restore(b, mon, image);
	l = add(b, "hut-pool");
	l->disk_bytes = bench_find(b, "hut-restore")->disk_bytes;
	bench_pool_setup(b, l, mon, snap);

	l = add(b, "namespaces");
	char *unshare = need(l, "unshare", "util-linux");
	static const char *const ns[] = {"--fork", "--pid", "--mount", "--uts", "--ipc", "--net"};
	builder_args_add(&l->argv, unshare ? unshare : "unshare");
	for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
		builder_args_add(&l->argv, ns[i]);
	add_image_argv(b, l);
	l->disk_bytes = file_size(unshare) + image;
	l->disk_what = "unshare + image";
}

static void setup_container(struct bench *b, const char *name, const char *bundle,
			    const char *bundle_na, uint64_t image)
{
	struct bench_launcher *l = add(b, name);
	char *rt = need(l, name, name);
	if (!l->na && bundle_na)
		l->na = bundle_na;
	l->runtime = rt;
	builder_args_add(&l->argv, rt ? rt : name);
	builder_args_add(&l->argv, "run");
	builder_args_add(&l->argv, "--bundle");
	builder_args_add(&l->argv, bundle);
	l->id_slot = (int)l->argv.n;
	builder_args_add(&l->argv, "id");
	l->private_cgroup = bench_hybrid_cgroups();
	l->disk_bytes = file_size(rt) + image;
	l->disk_what = builder_xasprintf("%s + image", name);
}

void bench_launcher_new_id(struct bench_launcher *l)
{
	static unsigned serial;
	if (l->id_slot >= 0)
		l->argv.v[l->id_slot] =
			builder_xasprintf("hut-bench-%ld-%u", (long)getpid(), serial++);
}

void bench_launcher_cleanup(struct bench_launcher *l)
{
	if (!l->runtime || l->id_slot < 0)
		return;
	struct bench_launcher del = {.name = "delete", .private_cgroup = l->private_cgroup};
	builder_args_add(&del.argv, l->runtime);
	builder_args_add(&del.argv, "delete");
	builder_args_add(&del.argv, "-f");
	builder_args_add(&del.argv, l->argv.v[l->id_slot]);
	struct bench_sample s;
	bench_run_once(&del, -1, -1, BENCH_TIMEOUT_MS, &s);
	builder_args_free(&del.argv);
}

/* The newest /boot/vmlinuz-*, or $HUT_BENCH_KERNEL. */
static char *find_kernel(void)
{
	const char *env = getenv("HUT_BENCH_KERNEL");
	if (env && *env)
		return builder_xstrdup(env);
	struct dirent **names;
	int n = scandir("/boot", &names, NULL, versionsort);
	char *best = NULL;
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i]->d_name, "vmlinuz-", 8)) {
			free(best);
			best = builder_xasprintf("/boot/%s", names[i]->d_name);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return best;
}

/* An initramfs (cpio newc) holding only /init, a copy of the image. The
 * kernel's built-in initramfs already provides /dev/console. */
static char *make_initramfs(const char *image, const char **why)
{
	char *dir = builder_temp_file("initramfs", ".d");
	char *init = builder_xasprintf("%s/init", dir);
	char *out = builder_temp_file("initramfs", ".cpio");
	char err[512];
	struct builder_args cmd = {0};
	builder_args_add(&cmd, "sh");
	builder_args_add(&cmd, "-c");
	builder_args_add(&cmd,
			 "mkdir -p \"$1\" && cp \"$2\" \"$1/init\" && chmod 755 \"$1/init\" && "
			 "cd \"$1\" && echo init | cpio -o -H newc --quiet >\"$3\"");
	builder_args_add(&cmd, "sh");
	builder_args_add(&cmd, dir);
	builder_args_add(&cmd, image);
	builder_args_add(&cmd, out);
	int rc = builder_run(&cmd);
	builder_args_free(&cmd);
	/* The temporary directory goes at exit; its own files are ours to remove. */
	unlink(init);
	rmdir(dir);
	if (rc != 0) {
		snprintf(err, sizeof err, "cannot build the initramfs with cpio (exit %d)", rc);
		*why = builder_xstrdup(err);
		return NULL;
	}
	return out;
}

/* The kernel command line: quiet, serial console, and a panic when init
 * exits that becomes a reboot, which -no-reboot turns into QEMU's exit.
 * Words after "--" are init's arguments. */
static char *kernel_cmdline(const struct bench *b)
{
	char *cmd = builder_xstrdup("console=ttyS0 quiet panic=-1 --");
	for (int i = 0; i < b->argc; i++) {
		char *next = builder_xasprintf("%s %s", cmd, b->args[i]);
		free(cmd);
		cmd = next;
	}
	return cmd;
}

static void setup_qemu_linux(struct bench *b, const char *qemu)
{
	struct bench_launcher *l = add(b, "qemu-linux");
	char *kernel = find_kernel();
	const char *why = NULL;
	char *initrd = NULL;
	if (!qemu)
		l->na = "qemu-system-x86_64 not installed (Debian package qemu-system-x86)";
	else if (!kernel)
		l->na = "no kernel in /boot (Debian package linux-image-cloud-amd64)";
	else if (!bench_which("cpio"))
		l->na = "cpio not installed (Debian package cpio)";
	else if (!(initrd = make_initramfs(b->image, &why)))
		l->na = why;
	builder_args_add(&l->argv, qemu ? qemu : "qemu-system-x86_64");
	for (size_t i = 0; qemu_machine[i]; i++)
		builder_args_add(&l->argv, qemu_machine[i]);
	static const char *const rest[] = {"-m",      "256M", "-kernel", NULL,
					   "-initrd", NULL,   "-append", NULL};
	const char *values[] = {NULL, NULL,
				NULL, kernel ? kernel : "-",
				NULL, initrd ? initrd : "-",
				NULL, kernel_cmdline(b)};
	for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
		builder_args_add(&l->argv, rest[i] ? rest[i] : values[i]);
	/* The exit status is the kernel's reboot, not init's: 0 either way. */
	l->disk_bytes = file_size(qemu) + file_size(kernel) + file_size(initrd);
	l->disk_what = "qemu + kernel + initramfs";
}

/* The firmware `make bench` assembles, or $HUT_BENCH_FLOOR_FW. */
static char *floor_firmware(void)
{
	const char *env = getenv("HUT_BENCH_FLOOR_FW");
	if (env && *env)
		return builder_xstrdup(env);
	return builder_xasprintf("%s/../bench/floor-fw.bin", builder_bindir());
}

static void setup_qemu_floor(struct bench *b, const char *qemu)
{
	struct bench_launcher *l = add(b, "qemu-floor");
	char *fw = floor_firmware();
	if (!qemu)
		l->na = "qemu-system-x86_64 not installed (Debian package qemu-system-x86)";
	else if (access(fw, R_OK) != 0)
		l->na = builder_xasprintf("no firmware %s (make bench builds it)", fw);
	builder_args_add(&l->argv, qemu ? qemu : "qemu-system-x86_64");
	for (size_t i = 0; qemu_machine[i]; i++)
		builder_args_add(&l->argv, qemu_machine[i]);
	builder_args_add(&l->argv, "-bios");
	builder_args_add(&l->argv, fw);
	builder_args_add(&l->argv, "-device");
	builder_args_add(&l->argv, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	/* isa-debug-exit: QEMU exits (0 << 1) | 1. Its output is its own. */
	l->want_status = 1;
	l->check_output = 0;
	l->disk_bytes = file_size(qemu) + file_size(fw);
	l->disk_what = "qemu + firmware";
}

void bench_launchers_setup(struct bench *b)
{
	uint64_t image = file_size(b->image);
	setup_plain(b, image);

	char *bundle = b->bundle = builder_temp_file("bundle", ".d");
	char why[512];
	const char *bundle_na = NULL;
	if (builder_pack_bundle(bundle, b->image, b->argc, b->args, why, sizeof why) != 0)
		bundle_na = builder_xasprintf("cannot write the bundle: %s", why);
	setup_container(b, "crun", bundle, bundle_na, image);
	setup_container(b, "runc", bundle, bundle_na, image);

	char *qemu = bench_which("qemu-system-x86_64");
	setup_qemu_linux(b, qemu);
	setup_qemu_floor(b, qemu);
}
