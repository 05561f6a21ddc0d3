/*
 * hut-monitor's core and the state it shares. One file per concern:
 * machine.c (the thread that makes the VM), kvm.c (the KVM fds), mem.c
 * (guest RAM), load.c (image -> RAM), cpu_x86_64.c (page tables,
 * descriptor tables, registers), bootinfo.c,
 * hypercall.c (the MMIO doorbell and its dispatch), clock.c (the host
 * clock), time.c (TSC rate, --timeout), vcpu_wake.c (the vCPU's sleep and
 * what wakes it), crash.c (how a guest ends),
 * trace.c (--trace-boot), exits.c (--trace-exits), sandbox.c (seccomp) and
 * landlock.c, run.c (the vCPU loop), guest.c (guest memory the monitor
 * reads or fills for the guest), fail.c (every ending), snapshot_*.c
 * (--snapshot and --restore: snapshot.h) and main.c (options, the boot
 * sequence).
 *
 * Each device or service is a module (module.h), in modules/ with its
 * table (modules/table.c): the console, core dumps, volumes and the file
 * hypercall, the network device, signals from outside. Reading and
 * validating the image is the image format's (image/), shared with `hut`.
 */
#ifndef HUT_MONITOR_H
#define HUT_MONITOR_H

#include "image.h"
#include "mem.h"
#include "module.h"

#include <hut/abi.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses (docs/ARCHITECTURE.md, "Exit statuses"). */
#define HUT_EXIT_TIMEOUT 124
#define HUT_EXIT_MONITOR 125   /* the monitor failed: no KVM, bad option */
#define HUT_EXIT_BAD_IMAGE 126 /* image cannot be run */
#define HUT_EXIT_NO_IMAGE 127
#define HUT_SIGNAL_EXIT(sig) (128 + (sig))
#define HUT_EXIT_BAD_HYPERCALL HUT_SIGNAL_EXIT(31) /* SIGSYS: a bad system call */

struct hut_options {
	uint64_t mem;	      /* 0: the manifest's default */
	bool mem_from_option; /* mem came from --mem */
	unsigned timeout_s;   /* 0: none */
	uint32_t pids_max;    /* --pids; 0: no limit */
	bool trace_boot;
	bool trace_exits;     /* count exits (and what modules moved), print them at the end */
	bool no_sandbox;      /* skip the seccomp sandbox (debugging only) */
	const char *hostname; /* --hostname: uname's nodename; NULL: the service name */
	const char *snapshot; /* --snapshot FILE */
	const char *restore;  /* --restore FILE */
	const char *pool;     /* --pool SOCKET */
	unsigned pool_size;   /* --pool-size N; 0: not given */
	const char *image;
	int argc; /* guest argv, argv[0] = image path */
	char **argv;
	int envc; /* guest environment, from --env */
	char **env;
};

struct hut_vm {
	const struct hut_options *opt;
	const struct hut_module *const *modules; /* the module table (module.h) */
	struct hut_image img;
	struct hut_mem mem;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t tsc_khz;
	bool fsgsbase;
	uint64_t heap_start, heap_end, stack_top, stack_size;
	uint64_t signals_gpa;	  /* the signal box: the page under the stack's guard page */
	uint64_t pt_next;	  /* next free page-table page */
	uint64_t guest_tsc_start; /* guest TSC just before the first KVM_RUN */
	/* RAM the modules share with the guest, above heap_end (ram_size) */
	uint64_t devices_size;
	bool restored; /* --restore: RAM came from a snapshot (load.c lays it out only) */
};

/* fail.c: every ending: each module's end hook (the net device resets the
 * guest's TCP connections: all of them, or, libos_closed, those the libos
 * sent no FIN on), the traces asked for printed, exit(status). */
_Noreturn void hut_end(const struct hut_vm *vm, int status, bool libos_closed);
/* One more to tell the status to, before the exit (the pool's client). */
void hut_end_report_set(void (*report)(int status));
/* Prints "hut-monitor: <image>: <message>" and ends (hut_end) with status. */
_Noreturn void hut_fail(const struct hut_vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* limits.c: strerror(err), or for the errors a host's limits give, which
 * limit it is (ulimit -n, memory, threads). */
const char *hut_limit_text(int err);
/* machine.c: the VM, its memory slot and its vCPU, made on a thread of
 * their own when a core is free (begin, after the options), given the RAM
 * once main has it (ram); wait returns once all are made, taking what the
 * thread has not (it fails the monitor with what failed); end joins the
 * thread (before the sandbox). */
void hut_machine_begin(struct hut_vm *vm);
void hut_machine_ram(struct hut_vm *vm);
void hut_machine_wait(struct hut_vm *vm);
void hut_machine_end(void);
/* reaper.c: the VM's teardown moved to a child that outlives the monitor;
 * the fd the monitor keeps for it (-1: none). */
void hut_reaper_start(const struct hut_vm *vm);
int hut_reaper_fd(void);
/* kvm_stats.c: KVM's counters for the vCPU (--trace-boot), in this order:
 * page faults it served, exits it took; open once the vCPU exists (no fd:
 * -1, and read says false), start on the vCPU thread before its first run,
 * read there: the counts since start. */
enum { HUT_KVM_PAGE_FAULTS, HUT_KVM_EXITS, HUT_KVM_STATS };
void hut_kvm_stats_open(const struct hut_vm *vm);
int hut_kvm_stats_fd(void);
void hut_kvm_stats_start(void);
bool hut_kvm_stats_read(uint64_t out[HUT_KVM_STATS]);
/* kvm.c, on the machine thread: false with what failed in why. */
bool hut_kvm_open(struct hut_vm *vm, char *why, size_t size);
bool hut_kvm_create_vcpu(struct hut_vm *vm, char *why, size_t size);
/* mem.c: hut_mem_alloc/free in mem.h; setup allocates the guest's RAM,
 * give_vm (the machine thread's) makes it the VM's memory slot 0. */
void hut_mem_setup(struct hut_vm *vm);
bool hut_mem_give_vm(int vm_fd, const struct hut_mem *ram, char *why, size_t size);
/* load.c */
void hut_load_image(struct hut_vm *vm);
/* cpu_x86_64.c: CPUID (the machine thread's, as kvm.c's), then the rest. */
bool hut_cpu_set_cpuid(struct hut_vm *vm, char *why, size_t size);
void hut_cpu_setup(struct hut_vm *vm);
/* A snapshot's vCPU (snapshot_restore.c), checked: NULL, or why not. */
/* device.c: a device's monitor thread, every signal blocked (its stack
 * size, 0 for the default; ends the monitor with one line naming what if
 * it cannot start), and the guest's kick hypercall bound to fd by KVM's
 * ioeventfd (false: KVM has none; the kick is then a hypercall). */
void hut_device_thread(struct hut_vm *vm, pthread_t *t, size_t stack, void *(*fn)(void *),
		       const char *what);
bool hut_device_kick_ioeventfd(const struct hut_vm *vm, uint32_t kick_hypercall, int fd);

/* The vCPU's TSC (its MSR) read or set: false when KVM refuses. */
bool hut_cpu_tsc(const struct hut_vm *vm, uint64_t *tsc);
bool hut_cpu_set_tsc(const struct hut_vm *vm, uint64_t tsc);
const char *hut_cpu_restore(struct hut_vm *vm, const struct kvm_regs *regs,
			    const struct kvm_sregs *sregs, const struct kvm_fpu *fpu);
/* bootinfo.c */
void hut_bootinfo_setup(struct hut_vm *vm);
/* The same, given the guest's TSC now (tests/sud runs without a vCPU). */
void hut_bootinfo_fill(struct hut_vm *vm, uint64_t guest_tsc_now);
/* For a boot_info hook: copies count strings into the boot info page at
 * *cursor (an array of their guest addresses, then the strings) and returns
 * the array's address; fails the monitor if they do not fit. */
uint64_t hut_bootinfo_strings(struct hut_vm *vm, uint64_t *cursor, uint64_t count,
			      char *const *strings, const char *what);
/* clock.c */
uint64_t hut_now_us(void);
/* vcpu_wake.c: the vCPU thread's sleep in the poll hypercall and what ends
 * it. Read the sequence before looking for news; sleep with it. Another
 * thread with news calls hut_vcpu_wake, a signal handler hut_vcpu_nudge
 * (which also sets immediate_exit, once hut_vcpu_wake_setup has run). */
void hut_vcpu_wake_setup(struct hut_vm *vm);
uint32_t hut_vcpu_wake_seq(void);
void hut_vcpu_sleep(uint32_t seq, uint64_t timeout_ns);
void hut_vcpu_wake(void);
void hut_vcpu_nudge(void);
/* time.c */
void hut_time_setup(struct hut_vm *vm);
void hut_timeout_arm(unsigned seconds);
bool hut_timeout_expired(void);
/* sandbox.c: closes spare fds and loads the seccomp filter; call last.
 * A module's own thread loads its own, narrower list with
 * hut_sandbox_thread (net_io.c). */
void hut_sandbox_enter(struct hut_vm *vm);
void hut_sandbox_thread(struct hut_vm *vm, const struct hut_seccomp_rule *rules, size_t n);
/* landlock.c: confines the monitor's file access to what the modules ask. */
void hut_landlock_enter(struct hut_vm *vm);
/* The same for the calling thread alone (Landlock restricts the thread
 * that asks): a module's thread that serves volumes, before its filter. */
void hut_landlock_thread(struct hut_vm *vm);
/* run.c */
_Noreturn void hut_run(struct hut_vm *vm);
/* hypercall.c: handles one MMIO exit; returns only if the guest continues. */
void hut_hypercall(struct hut_vm *vm);
/* A wait the monitor makes for the guest on the vCPU thread (a blocking
 * read or write) was interrupted by a signal: true if it must end with
 * EINTR for the guest (its --timeout expired, or a signal it catches came:
 * a process's read would end so), false if it goes on. A signal's default
 * action ends the guest here. */
bool hut_wait_interrupted(struct hut_vm *vm);
/* guest.c: guest memory the monitor may read (or fill) for the guest, or
 * NULL; the guest's iovecs as host ones (count <= HUT_IOV_MAX), returning
 * their total or -EFAULT. */
struct iovec;
const void *hut_guest_readable(const struct hut_vm *vm, uint64_t gpa, uint64_t len);
void *hut_guest_writable(const struct hut_vm *vm, uint64_t gpa, uint64_t len);
int64_t hut_guest_iovecs(const struct hut_vm *vm, uint64_t iov_gpa, uint32_t n, struct iovec *out,
			 bool fill);
/* crash.c */
_Noreturn void hut_crash(struct hut_vm *vm, uint64_t frame_gpa);
_Noreturn void hut_exit_guest(struct hut_vm *vm, const struct hut_hc_exit *e);
/* exits.c: --trace-exits */
void hut_exits_count(const struct kvm_run *run);
void hut_exits_hypercall(uint64_t nr, const char *name); /* name NULL: none serves nr */
void hut_exits_print(const struct hut_vm *vm);
/* trace.c */
void hut_trace_mark(const char *phase);
/* Forgets every mark and starts again from now (a pool's forked monitor). */
void hut_trace_restart(void);
/* A phase timed apart from main's marks (the machine thread's steps, a
 * pool's warm-up), printed after main's own. */
void hut_trace_span(const char *phase, uint64_t us);
/* A count, printed as "what: n" (no "us": not a phase). */
void hut_trace_count(const char *what, uint64_t n);
void hut_trace_guest(const struct hut_hc_exit *e);
void hut_trace_print(const struct hut_vm *vm);

#endif
