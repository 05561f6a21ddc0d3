/*
 * libFuzzer target: the hypercall dispatcher, hut_hypercall(), against a
 * hostile guest. No KVM: a fake vm with 16 MiB of guest RAM, a calloc'd
 * kvm_run and vcpu_fd = -1 (so set_fs's and hut_crash's ioctls fail).
 *
 * hut_fail() and hut_end() are defined here and longjmp back (fail.c is
 * not linked), so the exit and abort paths run in full. POLL (nr 3) sleeps for the guest's
 * timeout: the harness clamps the timeout in guest memory to < 4 us first.
 *
 * The oracles besides ASan/UBSan: guest RAM sits between PROT_NONE guard
 * pages (any access past either end faults), the monitor-owned pages and the
 * boot info below HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE are read-only while a
 * hypercall runs (the monitor must never write there), every console write
 * must report the sum of its iovec lengths (quiet mode), and every ending
 * must be a deliberate one (hut_fail or hut_end) with a plausible status.
 *
 * Input: a sequence of records, each starting with an opcode byte.
 * Bit 2 of a doorbell opcode makes a console write to fd 1 loud (stdout is
 * /dev/null), so the real write path runs as well.
 *   op % 4 == 0: patch guest RAM: u32 gpa (mod RAM size), u8 len, len bytes
 *   op % 4 == 1: doorbell: i16 offset from HUT_HYPERCALL_GPA, u8 len,
 *                u8 is_write, u64 data (the argument's guest address)
 *   op % 4 == 2: raw MMIO exit: u64 phys_addr, u32 len, u8 is_write, u64 data
 *   op % 4 == 3: write a well-formed argument at u32 gpa: u8 nr, then the
 *                struct's bytes (a shortcut to the deep paths); for the file
 *                hypercall also 64 bytes of path text, and the struct is
 *                steered at them (op, volume, handle and lengths clamped)
 *
 * File hypercalls act on two volumes over one fresh directory (the second
 * read-only, the first with size=1M). Their oracles: a result that is a
 * count or an errno, a handle that is in the table, no host fd leaked
 * outside it, nothing changed beside the volume directory and no set-ID
 * file in it (checked every 64 inputs, when the directory is emptied
 * again).
 */
#include "core.h"
#include "files.h"
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE (HUT_U64(16) << 20)
#define MONITOR_OWNED (HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE)
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static struct hut_options opt = {.image = "fuzz.hut"};
static char volume_dir[256], beside_dir[256];
static struct hut_vm vm;
static struct hut_mem guarded; /* RAM plus one guard page each side */
static jmp_buf back;
static int ending; /* 1: hut_fail, 2: hut_end */
static int end_status;

_Noreturn void hut_fail(const struct hut_vm *v, int status, const char *fmt, ...)
{
	(void)fmt;
	CHECK(v == &vm);
	ending = 1;
	end_status = status;
	longjmp(back, 1);
}

/* fail.c's: nothing to report to here (no pool). */
void hut_end_report_set(void (*report)(int status))
{
	(void)report;
}

_Noreturn void hut_end(const struct hut_vm *v, int status, bool libos_closed)
{
	(void)libos_closed;
	CHECK(v == &vm);
	ending = 2;
	end_status = status;
	longjmp(back, 1);
}

/* A fresh directory, one file beside it that must never change, and two
 * volumes over it: /data read-write, /ro read-only. */
static void volumes_setup(void)
{
	static char base[200];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(base, sizeof base, "%s/hut-fuzz.XXXXXX", tmp);
	if (!mkdtemp(base))
		abort();
	snprintf(volume_dir, sizeof volume_dir, "%s/vol", base);
	snprintf(beside_dir, sizeof beside_dir, "%s/beside", base);
	if (mkdir(volume_dir, 0700) || mkdir(beside_dir, 0700))
		abort();
	hut_files.volumes[0] = (struct hut_volume){
		.host = volume_dir, .guest = "/data", .owner = HUT_OWNER_MAPPED, .size = 1 << 20};
	hut_files.volumes[1] = (struct hut_volume){
		.host = volume_dir, .guest = "/ro", .ro = true, .owner = HUT_OWNER_MAPPED};
	hut_files.nvolumes = 2;
	hut_volumes_open(&vm);
}

/* owner=mapped: whatever the guest did, no host file is set-ID. */
static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	CHECK(flag == FTW_NS || !(st->st_mode & (S_ISUID | S_ISGID)));
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* Every 64 inputs: nothing beside the volume changed, no host fd is open
 * in the handle range but the volumes', and the directory is emptied. */
static void volumes_check(void)
{
	static unsigned n;
	struct stat st;
	if (++n % 64)
		return;
	CHECK(stat(beside_dir, &st) == 0 && st.st_nlink == 2 && (st.st_mode & 07777) == 0700);
	for (int fd = HUT_HOST_FD_BASE; fd < HUT_HOST_FD_END; fd++)
		CHECK(fcntl(fd, F_GETFD) < 0 || fd == hut_files.volume_fd[0] ||
		      fd == hut_files.volume_fd[1]);
	chmod(volume_dir, 0700);
	nftw(volume_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	hut_size_measure(&vm, 0); /* size= counts from the emptied tree again */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (hut_mem_alloc(&guarded, RAM_SIZE + 2 * HUT_PAGE_SIZE) != 0)
		abort();
	if (mprotect(guarded.host, HUT_PAGE_SIZE, PROT_NONE) != 0 ||
	    mprotect(guarded.host + HUT_PAGE_SIZE + RAM_SIZE, HUT_PAGE_SIZE, PROT_NONE) != 0)
		abort();
	vm.opt = &opt;
	vm.modules = hut_modules;
	hut_console_quiet(true);
	vm.mem.host = guarded.host + HUT_PAGE_SIZE;
	vm.mem.size = RAM_SIZE;
	vm.kvm_fd = vm.vm_fd = vm.vcpu_fd = -1;
	vm.run_size = sizeof *vm.run;
	vm.run = calloc(1, sizeof *vm.run);
	/* An image for hut_crash's symbolizer, when there is one to hand. */
	const char *image = getenv("HUT_FUZZ_IMAGE");
	if (image && hut_image_open(&vm.img, image, HUT_IMAGE_NO_CRC) != HUT_IMAGE_OK)
		fprintf(stderr, "fuzz_hypercall: %s: %s (symbolizer off)\n", image, vm.img.err);
	if (!vm.run)
		abort();
	/* A layout as load.c makes it for 16 MiB: heap, guard page, 2 MiB stack. */
	vm.stack_top = RAM_SIZE;
	vm.stack_size = RAM_SIZE / 8;
	vm.heap_end = vm.stack_top - vm.stack_size - HUT_PAGE_SIZE;
	vm.heap_start = HUT_IMAGE_BASE + (1u << 20);
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 1) != 1 || dup2(null, 0) != 0) /* console reads see EOF */
		abort();
	close(null);
	volumes_setup();
	return 0;
}

struct input {
	const uint8_t *p;
	size_t n;
};

static int take(struct input *in, void *out, size_t len)
{
	if (in->n < len)
		return -1;
	memcpy(out, in->p, len);
	in->p += len;
	in->n -= len;
	return 0;
}

static void protect_low(int prot)
{
	if (mprotect(vm.mem.host, MONITOR_OWNED, prot) != 0)
		abort();
}

static const uint64_t arg_size[HUT_HC_COUNT] = {
	sizeof(struct hut_hc_console),	   sizeof(struct hut_hc_exit),
	sizeof(struct hut_trap_frame),	   sizeof(struct hut_hc_poll),
	sizeof(struct hut_hc_set_fs),	   sizeof(struct hut_hc_console),
	sizeof(struct hut_hc_file),	   0 /* net kick: no argument */,
	sizeof(struct hut_threads_table),  0 /* tick: no argument */,
	0 /* console kick: no argument */, sizeof(struct hut_hc_release),
	sizeof(struct hut_hc_proc_core),   0 /* file kick: no argument */,
	sizeof(struct hut_hc_ready),	   sizeof(struct hut_hc_console_poll)};

/* A file hypercall's result: a count or 0, or -errno; an OPEN's handle a
 * live entry of the table holding a host fd in the range. */
static void check_file_result(uint64_t arg)
{
	struct hut_hc_file hc;
	memcpy(&hc, vm.mem.host + arg, sizeof hc);
	CHECK(hc.result >= -4095);
	if (hc.op == HUT_FILE_OPEN && hc.result == 0) {
		CHECK(hc.handle < HUT_FILE_HANDLES_MAX && hut_files.handles[hc.handle].used);
		CHECK(hut_files.handles[hc.handle].fd >= HUT_HOST_FD_BASE &&
		      hut_files.handles[hc.handle].fd < HUT_HOST_FD_END);
	}
}

/* Whether the console may read [gpa, gpa + len) for the guest: what the
 * guest itself could read at CPL3 (RAM from the boot info up); an empty
 * piece is fine anywhere, as for writev. */
static int readable(uint64_t gpa, uint64_t len)
{
	return len == 0 || (gpa >= HUT_BOOTINFO_GPA && gpa <= RAM_SIZE && len <= RAM_SIZE - gpa);
}

static int within(uint64_t gpa, uint64_t len, uint64_t lo, uint64_t hi)
{
	return gpa >= lo && gpa <= hi && len <= hi - gpa;
}

/* Whether the console may fill [gpa, gpa + len) for the guest: what the
 * guest itself could write (writable segments, heap, stack). */
static int writable(uint64_t gpa, uint64_t len)
{
	if (len == 0 || within(gpa, len, vm.heap_start, vm.heap_end) ||
	    within(gpa, len, vm.stack_top - vm.stack_size, vm.stack_top))
		return 1;
	for (size_t i = 0; i < vm.img.nsegments; i++)
		if ((vm.img.seg[i].flags & 2 /* PF_W */) &&
		    within(gpa, len, vm.img.seg[i].gpa, vm.img.seg[i].gpa + vm.img.seg[i].memsz))
			return 1;
	return 0;
}

/* What the monitor must do with a console write or read, computed
 * independently: -EBADF, -EINVAL, -EFAULT, or the total length (a write, in
 * quiet mode) or 0 (a read of /dev/null). */
static int64_t expected_console(const struct hut_hc_console *hc, int reading)
{
	if (reading ? hc->fd != 0 : hc->fd != 1 && hc->fd != 2)
		return -EBADF;
	if (hc->iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	uint64_t bytes = (uint64_t)hc->iovcnt * sizeof(struct hut_iovec), total = 0;
	if (!readable(hc->iov, bytes))
		return -EFAULT;
	for (uint32_t i = 0; i < hc->iovcnt; i++) {
		struct hut_iovec v;
		memcpy(&v, vm.mem.host + hc->iov + i * sizeof v, sizeof v);
		if (!(reading ? writable(v.base, v.len) : readable(v.base, v.len)))
			return -EFAULT;
		total += v.len;
	}
	return reading ? 0 : (int64_t)total;
}

/* Whether a process core's struct at arg is one the monitor must take,
 * judged independently: pid and signal in range, the pieces and threads
 * readable, each piece
 * whole pages of readable RAM below HUT_CORE_VA_END, none overlapping
 * another, together no more than RAM. */
static int piece_ok(const struct hut_core_piece *p)
{
	return p->len && (p->va | p->gpa | p->len) % HUT_PAGE_SIZE == 0 &&
	       p->va < HUT_CORE_VA_END && p->len <= HUT_CORE_VA_END - p->va &&
	       p->gpa >= HUT_BOOTINFO_GPA && readable(p->gpa, p->len);
}

static int proc_core_ok(uint64_t arg)
{
	static struct hut_core_piece p[HUT_CORE_PIECES_MAX];
	struct hut_hc_proc_core hc;
	uint64_t total = 0;
	memcpy(&hc, vm.mem.host + arg, sizeof hc);
	if (hc.pid < 2 || hc.pid > INT32_MAX || hc.sig < 1 || hc.sig > 64 ||
	    hc.npieces > HUT_CORE_PIECES_MAX || !readable(hc.pieces, hc.npieces * sizeof p[0]) ||
	    hc.nthreads > HUT_THREADS_MAX ||
	    !readable(hc.threads, hc.nthreads * sizeof(struct hut_thread_regs)))
		return 0;
	memcpy(p, vm.mem.host + hc.pieces, hc.npieces * sizeof p[0]);
	for (uint32_t i = 0; i < hc.npieces; i++) {
		if (!piece_ok(&p[i]))
			return 0;
		for (uint32_t j = 0; j < i; j++)
			if (p[i].va < p[j].va + p[j].len && p[j].va < p[i].va + p[i].len)
				return 0;
		total += p[i].len;
	}
	return total <= RAM_SIZE;
}

/* One doorbell ring; returns 0 if the guest may continue. */
static int ring(int loud)
{
	const struct kvm_run *run = vm.run;
	uint64_t off = run->mmio.phys_addr - HUT_HYPERCALL_GPA, arg;
	memcpy(&arg, run->mmio.data, 8);
	int valid = off < HUT_PAGE_SIZE && run->mmio.is_write && run->mmio.len == 8 && off % 8 == 0;
	uint64_t need = valid && off / 8 < HUT_HC_COUNT ? arg_size[off / 8] : 0;
	int arg_ok = need && arg >= MONITOR_OWNED && arg <= RAM_SIZE && need <= RAM_SIZE - arg;
	struct hut_hc_console before = {0};
	int core_checked = valid && off / 8 == HUT_HC_PROC_CORE && arg_ok && arg % 8 == 0;
	int core_ok = core_checked && proc_core_ok(arg);
	if (off / 8 == HUT_HC_POLL && arg_ok) {
		uint64_t ns; /* the guest's address need not be aligned */
		memcpy(&ns, vm.mem.host + arg, sizeof ns);
		ns &= 0xfff;
		memcpy(vm.mem.host + arg, &ns, sizeof ns);
	}
	if (arg_ok)
		memcpy(&before, vm.mem.host + arg, need < sizeof before ? need : sizeof before);
	/* Loud writes go to stdout (/dev/null here), so write_all runs too;
	 * stderr stays libFuzzer's. */
	hut_console_quiet(!(loud && before.fd == 1));

	ending = 0;
	protect_low(PROT_READ);
	if (setjmp(back) == 0) {
		hut_hypercall(&vm);
		protect_low(PROT_READ | PROT_WRITE);
		/* Returned: only a valid console write, read or poll, a poll, a file
		 * operation, the threads table, a release of arena RAM, the
		 * app's ready point (no --snapshot: nothing) or a tick does (set_fs fails without a
		 * vCPU); a tick takes no argument (it looks at the signal box, and without a vCPU
		 * it has no timer to arm). */
		uint64_t nr = off / 8;
		if (valid && nr == HUT_HC_TICK)
			return 0;
		CHECK(valid && arg_ok);
		CHECK(nr == HUT_HC_CONSOLE_WRITE || nr == HUT_HC_CONSOLE_READ ||
		      nr == HUT_HC_POLL || nr == HUT_HC_FILE || nr == HUT_HC_THREADS ||
		      nr == HUT_HC_RELEASE || nr == HUT_HC_PROC_CORE || nr == HUT_HC_READY ||
		      nr == HUT_HC_CONSOLE_POLL);
		if (nr == HUT_HC_CONSOLE_POLL) {
			/* Only the bits poll(2) of stdin may say. */
			uint32_t revents;
			memcpy(&revents, vm.mem.host + arg, sizeof revents);
			CHECK((revents & ~(uint32_t)(POLLIN | POLLHUP | POLLERR)) == 0);
		} else if (nr == HUT_HC_READY) {
			/* No --snapshot here: the app's ready point is nothing. */
			uint64_t ready;
			memcpy(&ready, vm.mem.host + arg, sizeof ready);
			CHECK(ready == 0);
		} else if (nr == HUT_HC_PROC_CORE) {
			/* No --core here: nothing is written, after every check. */
			int64_t result;
			memcpy(&result,
			       vm.mem.host + arg + offsetof(struct hut_hc_proc_core, result),
			       sizeof result);
			CHECK(core_ok && result == -ENOENT);
		} else if (nr == HUT_HC_FILE)
			check_file_result(arg);
		else if (nr == HUT_HC_THREADS)
			CHECK(hut_core_threads() == arg);
		else if (nr != HUT_HC_POLL) {
			int64_t result;
			memcpy(&result, vm.mem.host + arg + offsetof(struct hut_hc_console, result),
			       sizeof result);
			CHECK(result == expected_console(&before, nr == HUT_HC_CONSOLE_READ));
		}
		return 0;
	}
	protect_low(PROT_READ | PROT_WRITE);
	CHECK(ending == 1 || ending == 2);
	CHECK(end_status >= 0 && end_status <= 255);
	if (!valid || off / 8 >= HUT_HC_COUNT)
		CHECK(ending == 1 && end_status == HUT_SIGNAL_EXIT(31)); /* SIGSYS */
	if (core_checked)
		CHECK(!core_ok && ending == 1 && end_status == HUT_SIGNAL_EXIT(31));
	return -1;
}

static int patch(struct input *in)
{
	uint32_t gpa;
	uint8_t len;
	if (take(in, &gpa, 4) || take(in, &len, 1))
		return -1;
	gpa %= RAM_SIZE - 256;
	len = len < in->n ? len : (uint8_t)in->n;
	return take(in, vm.mem.host + gpa, len);
}

static int doorbell(struct input *in, int raw, int loud)
{
	struct kvm_run *run = vm.run;
	uint8_t w;
	uint64_t data;
	if (raw) {
		uint64_t addr;
		uint32_t len;
		if (take(in, &addr, 8) || take(in, &len, 4) || take(in, &w, 1) ||
		    take(in, &data, 8))
			return -1;
		run->mmio.phys_addr = addr;
		run->mmio.len = len;
	} else {
		int16_t off;
		uint8_t len;
		if (take(in, &off, 2) || take(in, &len, 1) || take(in, &w, 1) || take(in, &data, 8))
			return -1;
		run->mmio.phys_addr = HUT_HYPERCALL_GPA + (uint64_t)(int64_t)off;
		run->mmio.len = len;
	}
	run->mmio.is_write = w;
	memcpy(run->mmio.data, &data, 8);
	return ring(loud);
}

/* Points a file hypercall's struct at text that follows it: two paths of
 * up to 32 bytes, then one iovec over a buffer after them. */
static int steer_file(struct input *in, uint32_t gpa)
{
	struct hut_hc_file hc;
	uint64_t text = gpa + sizeof hc;
	if (take(in, vm.mem.host + text, 64))
		return -1;
	memcpy(&hc, vm.mem.host + gpa, sizeof hc);
	hc.op %= HUT_FILE_OP_END + 1;
	hc.volume %= 3;
	hc.handle %= 8;
	hc.path = text;
	hc.path_len %= 33;
	hc.path2 = text + 32;
	hc.path2_len %= 33;
	struct hut_iovec iov = {text + 96, hc.len % 512};
	memcpy(vm.mem.host + text + 64, &iov, sizeof iov);
	hc.buf = hc.op == HUT_FILE_READ || hc.op == HUT_FILE_WRITE ? text + 64 : text + 96;
	hc.len = hc.op == HUT_FILE_READ || hc.op == HUT_FILE_WRITE ? hc.len % 3 : hc.len % 512;
	hc.offset %= 1 << 20;
	memcpy(vm.mem.host + gpa, &hc, sizeof hc);
	return 0;
}

/* Points a process core's struct at up to 3 pieces after it, made of
 * small page numbers so that good ones, overlaps and misses all come up,
 * and at up to 2 threads after those. */
static int steer_proc_core(struct input *in, uint32_t gpa)
{
	struct hut_hc_proc_core hc;
	struct hut_core_piece p[3];
	uint8_t raw[3][3];
	memcpy(&hc, vm.mem.host + gpa, sizeof hc);
	if (take(in, raw, sizeof raw))
		return -1;
	for (int i = 0; i < 3; i++)
		p[i] = (struct hut_core_piece){
			.va = (uint64_t)raw[i][0] * HUT_PAGE_SIZE,
			.gpa = (RAM_SIZE / HUT_PAGE_SIZE - 1 - raw[i][1] * 16u) * HUT_PAGE_SIZE,
			.len = (uint64_t)(raw[i][2] % 8) * HUT_PAGE_SIZE,
			.flags = 4};
	hc.pid %= 4, hc.sig %= 66, hc.npieces %= 4, hc.nthreads %= 3;
	hc.pieces = gpa + sizeof hc;
	hc.threads = hc.pieces + sizeof p; /* whatever lies there: only data */
	memcpy(vm.mem.host + hc.pieces, p, sizeof p);
	memcpy(vm.mem.host + gpa, &hc, sizeof hc);
	return 0;
}

/* Writes an argument struct for hypercall nr at gpa and rings for it. */
static int shortcut(struct input *in, int loud)
{
	uint32_t gpa;
	uint8_t nr;
	if (take(in, &gpa, 4) || take(in, &nr, 1))
		return -1;
	nr %= HUT_HC_COUNT;
	gpa = MONITOR_OWNED + gpa % (RAM_SIZE - MONITOR_OWNED - 1024);
	if (nr == HUT_HC_PROC_CORE)
		gpa &= ~7u; /* past the alignment check, to the pieces */
	if (take(in, vm.mem.host + gpa, arg_size[nr]))
		return -1;
	if (nr == HUT_HC_FILE && steer_file(in, gpa))
		return -1;
	if (nr == HUT_HC_PROC_CORE && steer_proc_core(in, gpa))
		return -1;
	vm.run->mmio.phys_addr = HUT_HYPERCALL_GPA + 8 * nr;
	vm.run->mmio.len = 8;
	vm.run->mmio.is_write = 1;
	uint64_t arg = gpa;
	memcpy(vm.run->mmio.data, &arg, 8);
	return ring(loud);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t op;
	int calls = 0;
	while (calls < 16 && take(&in, &op, 1) == 0) {
		int r;
		switch (op % 4) {
		case 0:
			r = patch(&in);
			break;
		case 1:
		case 2:
			r = doorbell(&in, op % 4 == 2, op & 4);
			calls++;
			break;
		default:
			r = shortcut(&in, op & 4);
			calls++;
			break;
		}
		if (r)
			break;
	}
	/* Fresh zeroed RAM for the next input: drops only the touched pages. */
	if (madvise(vm.mem.host, RAM_SIZE, MADV_DONTNEED) != 0)
		abort();
	memset(vm.run, 0, sizeof *vm.run);
	hut_console_quiet(true);
	for (int h = 0; h < HUT_FILE_HANDLES_MAX; h++) /* every input starts with none open */
		if (hut_files.handles[h].used) {
			close(hut_files.handles[h].fd);
			hut_files.handles[h].used = false;
		}
	volumes_check();
	return 0;
}
