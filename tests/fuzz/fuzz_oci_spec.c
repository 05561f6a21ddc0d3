/*
 * libFuzzer target: hut-oci reading a bundle. The input is written as
 * BUNDLE/config.json and read with oci_spec_read (oci/spec.c, over
 * oci/json.c); where it is accepted, oci_detect (oci/detect.c) looks
 * process.args[0] up in the rootfs as `hut-oci create` does. Only JSON
 * objects go in: json.c refuses anything else, and fuzz_json covers that.
 *
 * oci_die is defined here (log.c is not linked): it formats its message
 * (so a bad argument shows under ASan) and longjmps back. hut-oci exits
 * there, so what the interrupted call still held is not a leak: the
 * harness frees what the spec and the image own, closes the fds and
 * unmaps the image mappings left behind, and LeakSanitizer is off while
 * the calls run. Instead, on the paths that return, every byte allocated
 * must be freed with the spec and the image (ASan's count of allocated
 * bytes comes back to where it was) and no fd may be left open.
 *
 * The bundle (a fresh directory per process in /dev/shm, else TMPDIR,
 * removed at exit):
 *   config.json        the input
 *   rootfs/hello.hut   HUT_FUZZ_IMAGE (the `hut pack --bundle` layout)
 *   rootfs/bin/hello   the same image; bin/bad.hut: a copy with one loaded
 *                      byte changed (a hut image the monitor refuses, so
 *                      oci_detect dies); bin/hello-net: a copy whose
 *                      manifest declares an optional net device (net0);
 *                      bin/noexec: mode 0644; bin/script,
 *                      bin/dir, bin/fifo (a FIFO: opened for reading, it
 *                      waits for a writer)
 *   rootfs/bin/abs -> /bin/hello, rootfs/bin/up -> ../../outside/hello,
 *   rootfs/usr/bin -> ../bin
 *   outside/hello      the image again, outside the rootfs
 * Without HUT_FUZZ_IMAGE the images are left out (the lookups still run).
 *
 * Oracles besides ASan/UBSan: an accepted spec has a config object, an
 * absolute rootfs that exists, at most OCI_MOUNTS_MAX mounts each with a
 * destination, a memory limit of -1 or more, an absolute netns path; a
 * found image is an executable regular file whose real path (opened again
 * from the rootfs with RESOLVE_IN_ROOT) is under the rootfs, with the
 * manifest's memory size; no input takes WAIT_LIMIT seconds (a watchdog
 * timer traps). oci_detect runs only when the rootfs is inside the
 * harness's directory: root.path may name any host directory, and the
 * harness must not go opening host files.
 */
#include "image.h"
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/lsan_interface.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define ID "fuzz"
#define FDS_WATCHED 64
#define WAIT_LIMIT 10 /* seconds one input may take before it counts as a hang */
#define STR_(x) #x
#define STR(x) STR_(x)

static char base[PATH_MAX], bundle[PATH_MAX], config_path[PATH_MAX], bad_path[PATH_MAX];
static bool have_image;
static uint64_t image_mem; /* the image's manifest memory size */
static bool fd_open_before[FDS_WATCHED];
static jmp_buf back;
static bool dying;
static bool verbose; /* HUT_FUZZ_VERBOSE=1: each input's outcome on stderr */
static char die_msg[2048];
static timer_t watchdog;

void oci_die(const char *id, const char *fmt, ...)
{
	CHECK(id && !strcmp(id, ID));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(die_msg, sizeof die_msg, fmt, ap);
	va_end(ap);
	CHECK(die_msg[0]);
	CHECK(!dying); /* oci_die never runs twice for one input */
	dying = true;
	longjmp(back, 1);
}

/* --- the bundle ------------------------------------------------------------ */

static void put_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CHECK(fd >= 0);
	CHECK(write(fd, data, len) == (ssize_t)len);
	CHECK(fchmod(fd, mode) == 0 && close(fd) == 0);
}

static void put(const char *rel, const void *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", bundle, rel);
	put_file(path, data, len, mode);
}

static void dir(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", bundle, rel);
	CHECK(mkdir(path, 0755) == 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", bundle, rel);
	CHECK(symlink(target, path) == 0);
}

static char *read_image(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n;
	*len = 0;
	do {
		if (*len == cap)
			CHECK((buf = realloc(buf, cap = cap ? 2 * cap : 1 << 16)));
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return buf;
}

/* A copy whose manifest declares an optional net device "net0": the note
 * lies outside the loaded (checksummed) bytes, so the copy stays valid.
 * Left out if the manifest is loaded after all. */
static void put_net_image(const char *img, size_t len, const struct hut_image *h)
{
	for (size_t i = 0; i < h->nsegments; i++)
		if (h->manifest_offset < h->seg[i].offset + h->seg[i].filesz &&
		    h->manifest_offset + sizeof h->manifest > h->seg[i].offset)
			return;
	char *copy = malloc(len);
	CHECK(copy);
	memcpy(copy, img, len);
	struct hut_manifest m;
	memcpy(&m, copy + h->manifest_offset, sizeof m);
	m.device_count = 1;
	memset(&m.devices[0], 0, sizeof m.devices[0]);
	snprintf(m.devices[0].name, sizeof m.devices[0].name, "net0");
	m.devices[0].type = HUT_DEVICE_NET;
	m.devices[0].flags = HUT_DEVICE_OPTIONAL;
	memcpy(copy + h->manifest_offset, &m, sizeof m);
	struct hut_image check;
	if (hut_image_parse(&check, copy, len, 0) == HUT_IMAGE_OK &&
	    check.manifest.device_count == 1)
		put("rootfs/bin/hello-net", copy, len, 0755);
	free(copy);
}

/* The image's copies; one with a byte of its last loaded segment changed,
 * which the monitor's reader refuses (CRC). */
static void put_images(const char *image)
{
	size_t len;
	char *img = read_image(image, &len);
	struct hut_image h;
	if (!img || hut_image_parse(&h, img, len, 0) != HUT_IMAGE_OK) {
		fprintf(stderr,
			"fuzz_oci_spec: %s is no valid hut image: no images in the rootfs\n",
			image);
		free(img);
		return;
	}
	have_image = true;
	image_mem = h.manifest.mem_default;
	const struct hut_segment *s = &h.seg[h.nsegments - 1];
	CHECK(s->filesz > 0);
	put("rootfs/hello.hut", img, len, 0755);
	put("rootfs/bin/hello", img, len, 0755);
	put("rootfs/bin/noexec", img, len, 0644);
	put("outside/hello", img, len, 0755);
	put_net_image(img, len, &h);
	img[s->offset + s->filesz / 2] ^= 0x5a;
	put("rootfs/bin/bad.hut", img, len, 0755);
	free(img);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void remove_base(void)
{
	nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reading a bundle never waits: a lookup that opened a FIFO for reading
 * (it waits for a writer) would hang hut-oci create. A timer of its own
 * (libFuzzer's -timeout shares SIGALRM and only reports between inputs)
 * ends such an input with a crash, in the thread that waits. */
static void waited(int sig)
{
	(void)sig;
	static const char msg[] =
		"fuzz_oci_spec: reading the bundle waited " STR(WAIT_LIMIT) " s\n";
	if (write(2, msg, sizeof msg - 1) < 0) {
	}
	__builtin_trap();
}

static void watchdog_setup(void)
{
	struct sigaction sa = {.sa_handler = waited};
	CHECK(sigaction(SIGRTMIN + 1, &sa, NULL) == 0);
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN + 1};
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &watchdog) == 0);
}

static void watchdog_arm(int seconds)
{
	struct itimerspec t = {.it_value = {.tv_sec = seconds}};
	CHECK(timer_settime(watchdog, 0, &t, NULL) == 0);
}

static void setup(void)
{
	/* tmpfs when there is one: every input rewrites config.json, and on
	 * a disk file system (ext4 with discard) each truncation waits for I/O */
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	snprintf(base, sizeof base, "%s/hut-fuzz-oci.XXXXXX", tmp);
	CHECK(mkdtemp(base));
	char *real = realpath(base, NULL); /* spec.c works with real paths */
	CHECK(real);
	snprintf(base, sizeof base, "%s", real);
	free(real);
	atexit(remove_base);
	snprintf(bundle, sizeof bundle, "%s/bundle", base);
	snprintf(config_path, sizeof config_path, "%s/config.json", bundle);
	snprintf(bad_path, sizeof bad_path, "%s/rootfs/bin/bad.hut", bundle);
	CHECK(mkdir(bundle, 0755) == 0);
	dir("rootfs");
	dir("rootfs/bin");
	dir("rootfs/bin/dir");
	dir("rootfs/usr");
	dir("outside");
	static const char script[] = "#!/bin/sh\nexit 0\n";
	put("rootfs/bin/script", script, sizeof script - 1, 0755);
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof fifo, "%s/rootfs/bin/fifo", bundle);
	CHECK(mkfifo(fifo, 0755) == 0);
	link_to("/bin/hello", "rootfs/bin/abs");
	link_to("../../outside/hello", "rootfs/bin/up");
	link_to("../bin", "rootfs/usr/bin");
	const char *image = getenv("HUT_FUZZ_IMAGE");
	if (image)
		put_images(image);
	else
		fprintf(stderr, "fuzz_oci_spec: no HUT_FUZZ_IMAGE: no images in the rootfs\n");
	verbose = getenv("HUT_FUZZ_VERBOSE") != NULL;
	watchdog_setup();
}

/* --- after each input ------------------------------------------------------- */

/* Before each input (not once: libFuzzer starts llvm-symbolizer, with
 * pipes, when it first reports a new function). */
static void fds_note(void)
{
	for (int fd = 0; fd < FDS_WATCHED; fd++)
		fd_open_before[fd] = fcntl(fd, F_GETFD) >= 0;
}

/* Open fds beyond the ones open before the input; closes them when told to. */
static int fds_left(bool close_them)
{
	int left = 0;
	for (int fd = 0; fd < FDS_WATCHED; fd++) {
		if (fd_open_before[fd] || fcntl(fd, F_GETFD) < 0)
			continue;
		left++;
		if (close_them) {
			close(fd);
			continue;
		}
		char proc[64], target[PATH_MAX] = "?";
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(proc, target, sizeof target - 1);
		target[n > 0 ? n : 1] = 0;
		fprintf(stderr, "fuzz_oci_spec: fd %d left open: %s\n", fd, target);
	}
	return left;
}

/* hut_image_open's mappings of bad.hut that a die left behind. */
static void unmap_left(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f);
	char line[PATH_MAX + 128];
	void *start[16], *end[16];
	int n = 0;
	while (n < 16 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		size_t ll = strlen(line), bl = strlen(bad_path);
		if (ll > bl && !strcmp(line + ll - bl, bad_path) &&
		    sscanf(line, "%p-%p", &start[n], &end[n]) == 2)
			n++;
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		munmap(start[i], (char *)end[i] - (char *)start[i]);
}

static bool under(const char *path, const char *dir_)
{
	size_t n = strlen(dir_);
	return !strncmp(path, dir_, n) && (path[n] == '/' || path[n] == 0);
}

static void check_spec(const struct oci_spec *s)
{
	CHECK(json_is_object(s->config));
	CHECK(s->bundle && !strcmp(s->bundle, bundle));
	CHECK(s->rootfs && s->rootfs[0] == '/');
	struct stat st;
	CHECK(stat(s->rootfs, &st) == 0);
	CHECK(s->nmounts <= OCI_MOUNTS_MAX);
	for (size_t i = 0; i < s->nmounts; i++)
		CHECK(s->mounts[i].destination);
	CHECK(s->memory_limit >= -1);
	CHECK(!s->env || json_is_array(s->env));
	CHECK(!s->netns || (s->has_netns && s->netns[0] == '/'));
}

/* A found image is the file img->path names inside the rootfs. */
static void check_found(const struct oci_spec *s, const struct oci_image *img)
{
	CHECK(have_image && img->path);
	/* Absolute, but for an args[0] with a '/' and no absolute process.cwd
	 * (such a spec the runtimes refuse: runc wants an absolute cwd). */
	const char *cwd =
		json_string_value(json_object_get(json_object_get(s->config, "process"), "cwd"));
	CHECK(img->path[0] == '/' || !cwd || cwd[0] != '/');
	CHECK(img->mem_default == image_mem);
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd, tries = 0;
	do /* EAGAIN: another process's rename raced a ".." step (openat2(2)) */
		fd = (int)syscall(SYS_openat2, rootfd, img->path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 100);
	CHECK(fd >= 0);
	char proc[64], real[PATH_MAX];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, real, sizeof real - 1);
	CHECK(n > 0);
	real[n] = 0;
	CHECK(under(real, s->rootfs) && strcmp(real, s->rootfs));
	/* only hello-net declares a device: net0, optional */
	size_t rl = strlen(real);
	bool net = rl >= 10 && !strcmp(real + rl - 10, "/hello-net");
	CHECK(net ? img->net_device && !strcmp(img->net_device, "net0") && !img->net_required
		  : !img->net_device);
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111));
	close(fd);
	close(rootfd);
}

static void free_all(struct oci_spec *s, struct oci_image *img)
{
	json_decref(s->config);
	free((char *)s->bundle);
	free(s->rootfs);
	free(img->path);
	free((char *)img->net_device);
	memset(s, 0, sizeof *s);
	memset(img, 0, sizeof *img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	/* Not a JSON object: oci_spec_read dies naming json.c's reason
	 * (fuzz_json's ground), holding the path it formats the message with,
	 * and every such input would cost libFuzzer a leak check. */
	char err[OCI_JSON_ERR_MAX], inexact[OCI_JSON_ERR_MAX];
	json_t *j = oci_json_parse((const char *)data, size, err, inexact);
	bool object = json_is_object(j);
	json_decref(j);
	if (!object)
		return 0;
	put_file(config_path, data, size, 0644);

	static struct oci_spec s; /* big (the mounts): not on the stack */
	static struct oci_image img;
	memset(&s, 0, sizeof s);
	memset(&img, 0, sizeof img);
	fds_note();
	size_t before = __sanitizer_get_current_allocated_bytes();
	dying = false;
	__lsan_disable();
	watchdog_arm(WAIT_LIMIT);
	if (setjmp(back) == 0) {
		oci_spec_read(&s, bundle, ID);
		check_spec(&s);
		if (under(s.rootfs, base) && oci_detect(&s, &img, ID)) {
			check_found(&s, &img);
			if (verbose)
				fprintf(stderr, "fuzz_oci_spec: hut image %s\n", img.path);
		} else if (verbose) {
			fprintf(stderr, "fuzz_oci_spec: accepted, no hut image (rootfs %s)\n",
				s.rootfs);
		}
	}
	watchdog_arm(0);
	__lsan_enable();
	if (dying) {
		if (verbose)
			fprintf(stderr, "fuzz_oci_spec: oci_die: %s\n", die_msg);
		fds_left(true);
		if (img.path) /* it died in is_hut_image, maybe holding a mapping */
			unmap_left();
		free_all(&s, &img);
		return 0;
	}
	CHECK(fds_left(false) == 0);
	free_all(&s, &img);
	CHECK(__sanitizer_get_current_allocated_bytes() == before);
	return 0;
}
