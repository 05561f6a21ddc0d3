/*
 * hostile: a guest that attacks hut-monitor on purpose, one behaviour per
 * case, chosen by argv[1] (`hostile.hut CASE`). One image keeps the suite
 * fast to build; each case is one small function. The expected outcome of
 * every case lives in tests/integration/hostile.sh.
 *
 * Cases that the monitor must survive *and continue* (a console write with
 * a bad iovec is an -errno result, as writev's would be) check the result
 * themselves: exit 0 and print "ok CASE result" when it is the documented
 * one, exit 1 otherwise. Every other case must never return.
 */
#include <errno.h>
#include <hut/abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_hypercall.h"

/* The libos's pointer to the boot info (NULL as a Linux process). */
extern const struct hut_boot_info *hut_boot_info;

static uint64_t ram(void)
{
	return hut_boot_info->mem_size;
}

/* ---- console writes: the monitor answers with -errno, the guest goes on -- */

static struct hut_iovec iov[2];
static struct hut_hc_console con;

static int64_t console(uint64_t iov_gpa, uint32_t iovcnt, uint32_t fd)
{
	con = (struct hut_hc_console){iov_gpa, iovcnt, fd, 12345};
	raw_hypercall(HUT_HC_CONSOLE_WRITE, (uint64_t)&con);
	return con.result;
}

static int64_t console1(uint64_t base, uint64_t len)
{
	iov[0] = (struct hut_iovec){base, len};
	return console((uint64_t)iov, 1, 1);
}

static const char msg[] = "0123456789abcdef";

static int64_t iov_out_of_ram(void) { return console(ram(), 1, 1); }
static int64_t iov_straddles_end(void) { return console(ram() - 8, 1, 1); }
static int64_t iov_wraps(void) { return console(UINT64_MAX - 15, 2, 1); }
static int64_t iov_in_gdt(void) { return console(HUT_GDT_GPA, 1, 1); }
static int64_t iov_in_pagetables(void) { return console(HUT_PAGETABLE_GPA, 4, 1); }
static int64_t iovcnt_huge(void) { return console((uint64_t)iov, UINT32_MAX, 1); }
static int64_t iovcnt_max_plus_1(void) { return console((uint64_t)iov, HUT_IOV_MAX + 1, 1); }
static int64_t iovcnt_zero_null(void) { return console(0, 0, 1); }
static int64_t bad_fd(void)
{
	iov[0] = (struct hut_iovec){(uint64_t)msg, 4};
	return console((uint64_t)iov, 1, 7);
}
static int64_t base_out_of_ram(void) { return console1(ram(), 1); }
static int64_t base_wraps(void) { return console1(UINT64_MAX - 7, 16); }
static int64_t base_in_gdt(void) { return console1(HUT_GDT_GPA, 64); }
static int64_t base_in_tss(void) { return console1(HUT_TSS_GPA, 104); }
static int64_t base_in_trap_stack(void) { return console1(HUT_TRAP_STACK_TOP - 64, 64); }
static int64_t base_null(void) { return console1(0, 16); }
static int64_t len_huge(void) { return console1((uint64_t)msg, UINT64_MAX); }
static int64_t len_wraps(void) { return console1((uint64_t)msg, -(uint64_t)msg); }
static int64_t len_past_end(void) { return console1((uint64_t)msg, ram()); }
static int64_t len_zero(void) { return console1((uint64_t)msg, 0); }
static int64_t base_in_bootinfo(void) { return console1(HUT_BOOTINFO_GPA, 0); }

/* Console reads may only fill what the guest could write itself. stdin is
 * /dev/null in the suite: a good read returns 0 (end of input). */
static int64_t console_read(uint64_t base, uint64_t len, uint32_t fd)
{
	iov[0] = (struct hut_iovec){base, len};
	con = (struct hut_hc_console){(uint64_t)iov, 1, fd, 12345};
	raw_hypercall(HUT_HC_CONSOLE_READ, (uint64_t)&con);
	return con.result;
}
static int64_t read_into_text(void) { return console_read((uint64_t)console_read, 16, 0); }
static int64_t read_into_rodata(void) { return console_read((uint64_t)msg, 16, 0); }
static int64_t read_into_bootinfo(void) { return console_read(HUT_BOOTINFO_GPA, 16, 0); }
static int64_t read_into_gdt(void) { return console_read(HUT_GDT_GPA, 16, 0); }
static int64_t read_past_ram(void) { return console_read(ram() - 8, 16, 0); }
static int64_t read_bad_fd(void)
{
	static char buf[16];
	return console_read((uint64_t)buf, sizeof buf, 1);
}
static int64_t read_into_stack(void)
{
	char buf[16];
	return console_read((uint64_t)buf, sizeof buf, 0);
}

/* 1024 iovecs of all of the guest-readable RAM each (run with --quiet):
 * 1024 x ~RAM bytes of valid pieces; the sum must not overflow. */
static uint64_t readable(void) { return ram() - HUT_BOOTINFO_GPA; }
static int64_t iov_max_all_ram(void)
{
	static struct hut_iovec big[HUT_IOV_MAX];
	for (int i = 0; i < HUT_IOV_MAX; i++)
		big[i] = (struct hut_iovec){HUT_BOOTINFO_GPA, readable()};
	return console((uint64_t)big, HUT_IOV_MAX, 1);
}

/* ---- argument structs: a bad one ends the guest with 159 ---------------- */

static void arg_out_of_ram(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, ram()); }
static void arg_straddles_end(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, ram() - 8); }
static void arg_wraps(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, UINT64_MAX - 7); }
static void arg_in_gdt(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, HUT_GDT_GPA); }
static void arg_in_pagetables(void) { raw_hypercall(HUT_HC_POLL, HUT_PAGETABLE_GPA); }
static void arg_in_bootinfo(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, HUT_BOOTINFO_GPA); }
static void arg_null(void) { raw_hypercall(HUT_HC_CONSOLE_WRITE, 0); }
static void exit_arg_bad(void) { raw_hypercall(HUT_HC_EXIT, ram()); }
static void poll_arg_bad(void) { raw_hypercall(HUT_HC_POLL, UINT64_MAX); }
static void setfs_arg_bad(void) { raw_hypercall(HUT_HC_SET_FS, 0x2000); }
/* A threads table running past the end of RAM. */
static void threads_arg_bad(void) { raw_hypercall(HUT_HC_THREADS, ram() - 8); }

/* ---- a process's core: its pieces are checked, a bad one ends the guest -- */

static struct hut_core_piece piece[HUT_CORE_PIECES_MAX + 1];
static struct hut_hc_proc_core pc;

static int64_t proc_core_with(uint32_t pid, uint64_t pieces, uint32_t npieces)
{
	pc = (struct hut_hc_proc_core){.pid = pid, .sig = 11, .pieces = pieces, .npieces = npieces};
	pc.result = 12345;
	raw_hypercall(HUT_HC_PROC_CORE, (uint64_t)&pc);
	return pc.result;
}
static int64_t proc_core(uint32_t npieces) { return proc_core_with(2, (uint64_t)piece, npieces); }
static uint64_t page_of(const void *p) { return (uint64_t)p & ~(HUT_PAGE_SIZE - 1); }
/* A piece of msg's page, where it lies (pid 1's memory is its own address). */
static void piece_at(int i, uint64_t va, uint64_t gpa, uint64_t len)
{
	piece[i] = (struct hut_core_piece){va, gpa, len, 4, 0};
}
static void good_piece(void) { piece_at(0, page_of(msg), page_of(msg), HUT_PAGE_SIZE); }
/* Good pieces: without --core nothing is written (-ENOENT), with it FILE.2
 * holds msg's page (hostile.sh reads it back). */
static int64_t proc_core_no_file(void) { return good_piece(), proc_core(1); }
static int64_t proc_core_written(void) { return good_piece(), proc_core(1); }

static void proc_core_arg_bad(void) { raw_hypercall(HUT_HC_PROC_CORE, ram() - 8); }
static void proc_core_pid_1(void) { good_piece(), proc_core_with(1, (uint64_t)piece, 1); }
static void proc_core_pieces_out_of_ram(void) { proc_core_with(2, ram() - 8, 1); }
static void proc_core_threads_out_of_ram(void)
{
	good_piece();
	pc = (struct hut_hc_proc_core){.pid = 2, .sig = 11, .pieces = (uint64_t)piece, .npieces = 1};
	pc.threads = ram() - 8, pc.nthreads = 1;
	raw_hypercall(HUT_HC_PROC_CORE, (uint64_t)&pc);
}
static void proc_core_too_many_threads(void)
{
	static struct hut_thread_regs t[HUT_THREADS_MAX + 1];
	good_piece();
	pc = (struct hut_hc_proc_core){.pid = 2, .sig = 11, .pieces = (uint64_t)piece, .npieces = 1};
	pc.threads = (uint64_t)t, pc.nthreads = HUT_THREADS_MAX + 1;
	raw_hypercall(HUT_HC_PROC_CORE, (uint64_t)&pc);
}
static void proc_core_too_many(void) { good_piece(), proc_core(HUT_CORE_PIECES_MAX + 1); }
static void proc_core_out_of_ram(void) { piece_at(0, 0x400000, ram() - 4096, 8192), proc_core(1); }
static void proc_core_in_pagetables(void) { piece_at(0, 0x400000, HUT_PAGETABLE_GPA, 4096), proc_core(1); }
static void proc_core_gpa_wraps(void) { piece_at(0, 0x400000, -(uint64_t)4096, 8192), proc_core(1); }
static void proc_core_va_wraps(void) { piece_at(0, -(uint64_t)4096, page_of(msg), 8192), proc_core(1); }
static void proc_core_unaligned(void) { piece_at(0, 0x400000, page_of(msg), 100), proc_core(1); }
static void proc_core_overlap(void)
{
	piece_at(0, 0x401000, page_of(msg), HUT_PAGE_SIZE);
	piece_at(1, 0x400000, page_of(msg), 2 * HUT_PAGE_SIZE);
	proc_core(2);
}
/* Each piece all of the readable RAM (none overlapping): 512 of them would
 * be a core of 512 times RAM. */
static void proc_core_more_than_ram(void)
{
	uint64_t len = (ram() - HUT_BOOTINFO_GPA) & ~(HUT_PAGE_SIZE - 1);
	for (int i = 0; i < HUT_CORE_PIECES_MAX; i++)
		piece_at(i, (uint64_t)(i + 1) << 36, HUT_BOOTINFO_GPA, len);
	proc_core(HUT_CORE_PIECES_MAX);
}

/* ---- the doorbell itself ------------------------------------------------- */

static void store1(void) { *(volatile uint8_t *)HC_SLOT(0) = 1; }
static void store2(void) { *(volatile uint16_t *)HC_SLOT(0) = 1; }
static void store4(void) { *(volatile uint32_t *)HC_SLOT(1) = 1; }
static void store_unaligned(void) { *(volatile uint64_t *)(HC_SLOT(1) + 4) = (uint64_t)&con; }
static void store_page_end(void) { *(volatile uint64_t *)(HUT_HYPERCALL_GPA + 0xffc) = 0; }
static void load8(void) { (void)*(volatile uint64_t *)HC_SLOT(HUT_HC_EXIT); }
static void unknown_nr(void) { raw_hypercall(HUT_HC_COUNT, (uint64_t)&con); }
static void last_slot(void) { raw_hypercall(511, (uint64_t)&con); }
static void next_page(void) { *(volatile uint64_t *)(HUT_HYPERCALL_GPA + HUT_PAGE_SIZE) = 0; }

/* A 16-byte SSE store: KVM splits it into 8-byte MMIO pieces; the first
 * one must be judged like any other store (here: argument 0 is bad). */
static void store16(void)
{
	__asm__ volatile("xorps %%xmm0, %%xmm0\n\tmovups %%xmm0, (%0)"
			 :
			 : "r"(HC_SLOT(0))
			 : "xmm0", "memory");
}

static void exec_doorbell(void) { ((void (*)(void))HC_SLOT(0))(); }

/* ---- exit and abort ------------------------------------------------------ */

static struct hut_hc_exit ex;

static void exit_with(uint32_t kind, int32_t status)
{
	ex = (struct hut_hc_exit){.kind = kind, .status = status};
	raw_hypercall(HUT_HC_EXIT, (uint64_t)&ex);
}

static void exit_bad_kind(void) { exit_with(7, 0); }
static void exit_signal_0(void) { exit_with(HUT_EXIT_SIGNAL, 0); }
static void exit_signal_65(void) { exit_with(HUT_EXIT_SIGNAL, 65); }
static void exit_signal_neg(void) { exit_with(HUT_EXIT_SIGNAL, -9); }
static void exit_signal_9(void) { exit_with(HUT_EXIT_SIGNAL, 9); }
static void exit_status_big(void) { exit_with(HUT_EXIT_STATUS, 0x1234); }
static void exit_status_neg(void) { exit_with(HUT_EXIT_STATUS, -1); }

static void abort_frame_out_of_ram(void) { raw_hypercall(HUT_HC_ABORT, ram()); }
static void abort_frame_wraps(void) { raw_hypercall(HUT_HC_ABORT, UINT64_MAX - 8); }

/* A frame the guest made up: nonsense vector and rip; still a clean report. */
static void abort_frame_garbage(void)
{
	static struct hut_trap_frame f;
	memset(&f, 0xff, sizeof f);
	raw_hypercall(HUT_HC_ABORT, (uint64_t)&f);
}

/* ---- privileged instructions at CPL3: #GP, reported as SIGSEGV ----------- */

static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_cli(void) { __asm__ volatile("cli"); }
static void do_wrmsr(void) { __asm__ volatile("wrmsr" ::"c"(0xc0000082u), "a"(0), "d"(0)); }
static void do_rdmsr(void) { __asm__ volatile("rdmsr" ::"c"(0xc0000082u) : "rax", "rdx"); }
static void do_mov_cr3(void) { __asm__ volatile("mov %0, %%cr3" ::"r"(0x10000ul)); }
static void do_lgdt(void)
{
	static struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = {0, 0};
	__asm__ volatile("lgdt %0" ::"m"(d));
}
static void do_out(void) { __asm__ volatile("outb %%al, $0x80" ::"a"(0)); }
static void do_in(void) { __asm__ volatile("inb %%dx, %%al" ::"d"(0x3f8) : "rax"); }
static void do_int14(void) { __asm__ volatile("int $14"); }

/* ---- memory the guest must not write or execute -------------------------- */

static void poke(uint64_t gpa) { *(volatile uint64_t *)gpa = 0x4141414141414141ull; }
static void peek(uint64_t gpa) { (void)*(volatile uint64_t *)gpa; }

static void write_gdt(void) { poke(HUT_GDT_GPA + 8); }
static void write_idt(void) { poke(HUT_IDT_GPA + 14 * 16); }
static void write_tss(void) { poke(HUT_TSS_GPA + 4); }
static void write_trap_stack(void) { poke(HUT_TRAP_STACK_TOP - 8); }
static void write_pagetables(void) { poke(HUT_PAGETABLE_GPA); }
static void read_idt(void) { peek(HUT_IDT_GPA); }
static void write_bootinfo(void) { poke(HUT_BOOTINFO_GPA); }
static void write_null(void) { poke(8); }

static const uint8_t ret_insn[] = {0xc3};
static void write_text(void) { *(volatile uint8_t *)(uintptr_t)&exit_bad_kind = 0xc3; }
static void write_rodata(void) { *(volatile uint8_t *)(uintptr_t)ret_insn = 0; }

static void exec_at(void *p)
{
	memcpy(p, ret_insn, 1);
	((void (*)(void))p)();
}
static void exec_stack(void)
{
	uint8_t code[16];
	exec_at(code);
}
static void exec_heap(void) { exec_at(malloc(64)); }
static void exec_data(void)
{
	static uint8_t code[16];
	exec_at(code);
}
static void exec_gdt(void) { ((void (*)(void))HUT_GDT_GPA)(); }
static void exec_bootinfo(void) { ((void (*)(void))HUT_BOOTINFO_GPA)(); }

/* ---- time ---------------------------------------------------------------- */

static void spin(void)
{
	for (;;)
		__asm__ volatile("");
}

/* A poll that asks to sleep for 584 years: --timeout must still end it. */
static void poll_forever(void)
{
	static struct hut_hc_poll p;
	p.timeout_ns = UINT64_MAX;
	for (;;)
		raw_hypercall(HUT_HC_POLL, (uint64_t)&p);
}

/* ---- the console ring: the monitor's thread ends the guest ------------------ */

static struct hut_console_shared *ring(void)
{
	return (struct hut_console_shared *)hut_boot_info->console_ring;
}

/* A record header at the guest's prod (the libos has written nothing yet). */
static void ring_record(uint32_t len, uint32_t fd)
{
	uint8_t *data = (uint8_t *)ring() + HUT_CONSOLE_DATA_OFFSET;
	*(struct hut_console_record *)(data + ring()->prod % HUT_CONSOLE_RING_SIZE) =
		(struct hut_console_record){len, fd};
}

/* Publishes prod, wakes the thread, and waits for it to end the guest. */
static void ring_publish(uint32_t prod)
{
	__atomic_store_n(&ring()->prod, prod, __ATOMIC_SEQ_CST);
	raw_hypercall(HUT_HC_CONSOLE_KICK, 0);
	spin();
}

static void ring_prod_far(void) { ring_publish(ring()->cons + HUT_CONSOLE_RING_SIZE + 8); }
static void ring_prod_back(void) { ring_publish(ring()->cons - 8); }
static void ring_prod_unaligned(void) { ring_record(1, 1), ring_publish(ring()->cons + 12); }
static void ring_bad_fd(void) { ring_record(4, 7), ring_publish(ring()->cons + 16); }
static void ring_len_past(void) { ring_record(100, 1), ring_publish(ring()->cons + 16); }
static void ring_len_huge(void) { ring_record(UINT32_MAX, 2), ring_publish(ring()->cons + 16); }

/* ---- the file ring (with a volume): the monitor's thread ends the guest --- */

static struct hut_file_shared *fring(void)
{
	return (struct hut_file_shared *)hut_boot_info->file_ring;
}

static void fring_publish(uint32_t prod)
{
	__atomic_store_n(&fring()->prod, prod, __ATOMIC_SEQ_CST);
	raw_hypercall(HUT_HC_FILE_KICK, 0);
	spin();
}

static void filering_prod_far(void) { fring_publish(fring()->cons + HUT_FILE_RING_SLOTS + 1); }
static void filering_prod_back(void) { fring_publish(fring()->cons - 1); }
/* Without a volume there is no ring to kick. */
static void filering_kick_none(void) { raw_hypercall(HUT_HC_FILE_KICK, 0); }

/* ---- the table -------------------------------------------------------------- */

struct checked {
	const char *name;
	int64_t (*fn)(void);
	int64_t want;
};

static const struct checked checked[] = {
	{"iov-out-of-ram", iov_out_of_ram, -EFAULT},
	{"iov-straddles-end", iov_straddles_end, -EFAULT},
	{"iov-wraps", iov_wraps, -EFAULT},
	{"iov-in-gdt", iov_in_gdt, -EFAULT},
	{"iov-in-pagetables", iov_in_pagetables, -EFAULT},
	{"iovcnt-huge", iovcnt_huge, -EINVAL},
	{"iovcnt-max-plus-1", iovcnt_max_plus_1, -EINVAL},
	{"iovcnt-zero-null", iovcnt_zero_null, 0},
	{"bad-fd", bad_fd, -EBADF},
	{"base-out-of-ram", base_out_of_ram, -EFAULT},
	{"base-wraps", base_wraps, -EFAULT},
	{"base-in-gdt", base_in_gdt, -EFAULT},
	{"base-in-tss", base_in_tss, -EFAULT},
	{"base-in-trap-stack", base_in_trap_stack, -EFAULT},
	{"base-null", base_null, -EFAULT},
	{"base-in-bootinfo-len-0", base_in_bootinfo, 0},
	{"len-huge", len_huge, -EFAULT},
	{"len-wraps", len_wraps, -EFAULT},
	{"len-past-end", len_past_end, -EFAULT},
	{"len-zero", len_zero, 0},
	{"read-into-text", read_into_text, -EFAULT},
	{"read-into-rodata", read_into_rodata, -EFAULT},
	{"read-into-bootinfo", read_into_bootinfo, -EFAULT},
	{"read-into-gdt", read_into_gdt, -EFAULT},
	{"read-past-ram", read_past_ram, -EFAULT},
	{"read-bad-fd", read_bad_fd, -EBADF},
	{"read-into-stack", read_into_stack, 0},
	{"proc-core-no-file", proc_core_no_file, -ENOENT},
	{"proc-core-written", proc_core_written, 0},
};

struct fatal {
	const char *name;
	void (*fn)(void);
};

static const struct fatal fatal[] = {
	{"arg-out-of-ram", arg_out_of_ram},
	{"arg-straddles-end", arg_straddles_end},
	{"arg-wraps", arg_wraps},
	{"arg-in-gdt", arg_in_gdt},
	{"arg-in-pagetables", arg_in_pagetables},
	{"arg-in-bootinfo", arg_in_bootinfo},
	{"arg-null", arg_null},
	{"exit-arg-bad", exit_arg_bad},
	{"poll-arg-bad", poll_arg_bad},
	{"setfs-arg-bad", setfs_arg_bad},
	{"threads-arg-bad", threads_arg_bad},
	{"proc-core-arg-bad", proc_core_arg_bad},
	{"proc-core-pid-1", proc_core_pid_1},
	{"proc-core-pieces-out-of-ram", proc_core_pieces_out_of_ram},
	{"proc-core-threads-out-of-ram", proc_core_threads_out_of_ram},
	{"proc-core-too-many-threads", proc_core_too_many_threads},
	{"proc-core-too-many", proc_core_too_many},
	{"proc-core-out-of-ram", proc_core_out_of_ram},
	{"proc-core-in-pagetables", proc_core_in_pagetables},
	{"proc-core-gpa-wraps", proc_core_gpa_wraps},
	{"proc-core-va-wraps", proc_core_va_wraps},
	{"proc-core-unaligned", proc_core_unaligned},
	{"proc-core-overlap", proc_core_overlap},
	{"proc-core-more-than-ram", proc_core_more_than_ram},
	{"store1", store1},
	{"store2", store2},
	{"store4", store4},
	{"store-unaligned", store_unaligned},
	{"store-page-end", store_page_end},
	{"store16", store16},
	{"load8", load8},
	{"unknown-nr", unknown_nr},
	{"last-slot", last_slot},
	{"next-page", next_page},
	{"exec-doorbell", exec_doorbell},
	{"exit-bad-kind", exit_bad_kind},
	{"exit-signal-0", exit_signal_0},
	{"exit-signal-65", exit_signal_65},
	{"exit-signal-neg", exit_signal_neg},
	{"exit-signal-9", exit_signal_9},
	{"exit-status-big", exit_status_big},
	{"exit-status-neg", exit_status_neg},
	{"abort-frame-out-of-ram", abort_frame_out_of_ram},
	{"abort-frame-wraps", abort_frame_wraps},
	{"abort-frame-garbage", abort_frame_garbage},
	{"hlt", do_hlt},
	{"cli", do_cli},
	{"wrmsr", do_wrmsr},
	{"rdmsr", do_rdmsr},
	{"mov-cr3", do_mov_cr3},
	{"lgdt", do_lgdt},
	{"out", do_out},
	{"in", do_in},
	{"int14", do_int14},
	{"write-gdt", write_gdt},
	{"write-idt", write_idt},
	{"write-tss", write_tss},
	{"write-trap-stack", write_trap_stack},
	{"write-pagetables", write_pagetables},
	{"read-idt", read_idt},
	{"write-bootinfo", write_bootinfo},
	{"write-null", write_null},
	{"write-text", write_text},
	{"write-rodata", write_rodata},
	{"exec-stack", exec_stack},
	{"exec-heap", exec_heap},
	{"exec-data", exec_data},
	{"exec-gdt", exec_gdt},
	{"exec-bootinfo", exec_bootinfo},
	{"spin", spin},
	{"poll-forever", poll_forever},
	{"ring-prod-far", ring_prod_far},
	{"ring-prod-back", ring_prod_back},
	{"ring-prod-unaligned", ring_prod_unaligned},
	{"ring-bad-fd", ring_bad_fd},
	{"ring-len-past", ring_len_past},
	{"ring-len-huge", ring_len_huge},
	{"filering-prod-far", filering_prod_far},
	{"filering-prod-back", filering_prod_back},
	{"filering-kick-none", filering_kick_none},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* `hostile.hut --list` prints the case names (the shell loops over them). */
static int list(void)
{
	for (size_t i = 0; i < COUNT(checked); i++)
		printf("checked %s\n", checked[i].name);
	printf("checked iov-max-all-ram\n");
	for (size_t i = 0; i < COUNT(fatal); i++)
		printf("fatal %s\n", fatal[i].name);
	return 0;
}

static int run_checked(const char *name, int64_t got, int64_t want)
{
	printf("%s %s %lld\n", got == want ? "ok" : "WRONG", name, (long long)got);
	return got != want;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list"))
		return list();
	if (argc != 2 || !hut_boot_info) {
		fputs("usage: hut-monitor hostile.hut CASE (see --list)\n", stderr);
		return 2;
	}
	if (!strcmp(argv[1], "iov-max-all-ram"))
		return run_checked(argv[1], iov_max_all_ram(), (int64_t)(HUT_IOV_MAX * readable()));
	for (size_t i = 0; i < COUNT(checked); i++)
		if (!strcmp(argv[1], checked[i].name))
			return run_checked(argv[1], checked[i].fn(), checked[i].want);
	for (size_t i = 0; i < COUNT(fatal); i++) {
		if (!strcmp(argv[1], fatal[i].name)) {
			fatal[i].fn();
			printf("survived %s\n", argv[1]);
			return 3;
		}
	}
	fprintf(stderr, "hostile: no case '%s'\n", argv[1]);
	return 2;
}
