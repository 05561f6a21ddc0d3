/*
 * A module: one device or service the monitor offers the guest (the
 * console, volumes, the network device, signals from outside, core dumps).
 * Each is a struct hut_module of its options, hooks, hypercalls and
 * sandbox rules, and keeps its state to itself; the core (main.c, the boot
 * sequence, run.c, hypercall.c, sandbox.c, landlock.c, fail.c) loops over
 * the table (modules/table.c) and names none of them. Solo5's hvt tender is the
 * model: a module per device, hooks the core calls at fixed points.
 *
 * Every hook may be NULL. They run in table order, at these points:
 *   options   main, while it reads the command line
 *   open      the image is read, before KVM: refuse an image that needs
 *             what the module was not given; open host devices
 *   ram_size  guest RAM laid out: what the module shares with the guest,
 *             taken from the top of the heap (ram_at: where it lies)
 *   prefault  the image loaded: back with host memory what the guest
 *             touches first (load.c), while the machine thread may still
 *             be making the VM (machine.c)
 *   boot_info the boot info page is written
 *   start     the machine is built, before the "vcpu" boot mark
 *   prepare   after it: host files, signal handlers
 *   keep_fds, fds_closed, seccomp, landlock: the sandbox (sandbox.c)
 *   resume    the vCPU loop, before each KVM_RUN
 *   interrupted  KVM_RUN returned EINTR (a signal; the registers are
 *             consistent: no exit is left half served)
 *   wake_now, sleep: the poll hypercall
 *   outside_signal  a signal from outside came, before it is forwarded
 *   wait_interrupted  a signal interrupted a wait the monitor makes for
 *             the guest (its stdin read, a full stdout): whether the
 *             guest must hear EINTR now
 *   flush     before the monitor's own message or last lines (fail.c,
 *             crash.c): output the module still holds for the guest goes
 *             out first (stopped: --timeout, a signal from outside or a
 *             monitor failure ends it, so a stuck reader is not waited for)
 *   crash     a guest crash, after its report (when its registers could be read)
 *   trace_exits, end: every ending (fail.c)
 *   snapshot  --snapshot's ready point (snapshot.h): the module's device
 *             state into its record, or why it cannot be saved (refused:
 *             one line, status 125, nothing written)
 *   restore   --restore, before start (which is where a module applies
 *             it): its state back from its record (empty if the snapshot
 *             has none), or why the snapshot does not fit this run (126)
 *   ready     a pool's monitor, before it waits for its request (main.c),
 *             after its restore hook had the module's record (it has it
 *             again after the request, with the request's options): start
 *             what needs nothing of the request (a device thread, its
 *             filter loaded on fd numbers fixed now), so that the
 *             request's path is shorter; its later hooks then skip that
 */
#ifndef HUT_MODULE_H
#define HUT_MODULE_H

#include <hut/abi.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hut_vm;
struct hut_snap_buf; /* snapshot.h */

/* An option: "--name VALUE" (or "--name=VALUE"), or a flag without one.
 * parse returns NULL, or the whole message the monitor prints before
 * " (try --help)" and exits 125 with. */
struct hut_option {
	const char *name;  /* "--volume" */
	const char *alias; /* "-v", or NULL */
	bool takes_value;
	const char *(*parse)(const char *value); /* value NULL for a flag */
};

/* A hypercall a module serves. The core checks an argument struct of
 * arg_size bytes (8-byte aligned, in guest RAM above the boot info) and
 * passes it as arg; with arg_size 0 the handler gets only the raw value
 * the guest stored (gpa) and checks whatever it uses itself. */
struct hut_hypercall {
	uint32_t nr;	  /* HUT_HC_* */
	const char *name; /* --trace-exits' name for it */
	uint32_t arg_size;
	void (*serve)(struct hut_vm *vm, uint64_t gpa, void *arg);
};

/* One seccomp rule: the syscall nr is allowed when each checked argument's
 * low 32 bits lie in [lo, hi) (the kernel takes fds, ioctl requests and
 * fcntl commands as 32-bit ints, so those bits are what it uses). sandbox.c
 * turns tables of them into BPF. */
#define HUT_RULE_ARGS 3
struct hut_seccomp_rule {
	int nr;
	int nargs;
	struct {
		int index;
		uint32_t lo, hi;
	} arg[HUT_RULE_ARGS];
};

/* Rules: no checked argument; argument i equal to v; two arguments, each
 * equal to a value. */
/* clang-format off */
#define HUT_ALLOW(nr) {(nr), 0, {{0, 0, 0}}}
#define HUT_ALLOW_ARG(nr, i, v) {(nr), 1, {HUT_ARG_IS(i, v)}}
#define HUT_ALLOW_ARGS2(nr, i, v, j, w) {(nr), 2, {HUT_ARG_IS(i, v), HUT_ARG_IS(j, w)}}
#define HUT_ARG_IS(i, v) {(i), (uint32_t)(v), (uint32_t)(v) + 1}
/* clang-format on */

/* The filter being built, and the Landlock rules being gathered (sandbox.c,
 * landlock.c); modules add to them with these. */
struct hut_seccomp;
void hut_seccomp_allow(struct hut_seccomp *s, const struct hut_seccomp_rule *rules, size_t n);
struct hut_landlock;
/* The tree under the directory fd dir: readable, or (writable) all a
 * volume may do; kind and what name it in an error ("volume", "/srv/data"). */
void hut_landlock_allow(struct hut_landlock *l, int dir, bool writable, const char *kind,
			const char *what);
/* The fds a module keeps past the sandbox: [lo, hi]. */
struct hut_kept_fds;
void hut_keep_fds(struct hut_kept_fds *k, int lo, int hi);

struct hut_module {
	const char *name;  /* for a reader and a debugger */
	const char *usage; /* its lines of --help */
	const struct hut_option *options;
	size_t noptions;
	/* After every option: NULL, or what is wrong with them together. */
	const char *(*options_done)(void);
	void (*open)(struct hut_vm *vm);
	uint64_t (*ram_size)(void);
	void (*ram_at)(uint64_t gpa);
	/* cursor: the next free byte of the boot info page after argv and
	 * the environment, for a module's own arrays. */
	void (*boot_info)(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor);
	void (*start)(struct hut_vm *vm);
	void (*prepare)(struct hut_vm *vm);
	const struct hut_hypercall *hypercalls;
	size_t nhypercalls;
	void (*keep_fds)(const struct hut_vm *vm, struct hut_kept_fds *k);
	void (*fds_closed)(struct hut_vm *vm); /* the sandbox closed every fd not kept */
	void (*seccomp)(const struct hut_vm *vm, struct hut_seccomp *s); /* the vCPU thread's */
	/* Adds its trees; returns what still confines them on a kernel
	 * without Landlock, for the warning then. */
	const char *(*landlock)(const struct hut_vm *vm, struct hut_landlock *l);
	void (*resume)(struct hut_vm *vm);
	void (*interrupted)(struct hut_vm *vm);
	/* The poll hypercall: news the guest must see before it sleeps (the
	 * sleep is then 0); a sleep a device ends early (it sets hc->ready and
	 * returns true; false: no device, the core sleeps). A sleep is
	 * hut_vcpu_sleep(wake_seq, ...) (monitor.h), its device's thread
	 * ending it with hut_vcpu_wake. */
	bool (*wake_now)(struct hut_vm *vm, const struct hut_hc_poll *hc);
	bool (*sleep)(struct hut_vm *vm, struct hut_hc_poll *hc, uint64_t timeout_ns,
		      uint32_t wake_seq);
	/* A signal from outside came (signals.c calls it before forwarding
	 * it): what a module's device must change with it (the console's
	 * terminal size, on SIGWINCH). */
	void (*outside_signal)(struct hut_vm *vm, int sig);
	/* A wait of the monitor's own on the guest's behalf ended with EINTR:
	 * true if the guest must see the EINTR (else the wait goes on); it may
	 * end the guest instead (a signal's default action). */
	bool (*wait_interrupted)(struct hut_vm *vm);
	void (*flush)(const struct hut_vm *vm, bool stopped);
	void (*crash)(struct hut_vm *vm, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		      const struct hut_trap_frame *f, int sig);
	void (*trace_exits)(const struct hut_vm *vm);
	/* The guest ends: libos_closed as for hut_end (monitor.h). */
	void (*end)(const struct hut_vm *vm, bool libos_closed);
	/* The image is loaded: back what the device's guest side touches first. */
	void (*prefault)(struct hut_vm *vm);
	const char *(*snapshot)(struct hut_vm *vm, struct hut_snap_buf *w);
	const char *(*restore)(struct hut_vm *vm, struct hut_snap_buf *r);
	void (*ready)(struct hut_vm *vm);
};

/* A module's options and hypercalls, each a table with its length. */
#define HUT_MODULE_OPTIONS(t) .options = (t), .noptions = sizeof(t) / sizeof((t)[0])
#define HUT_MODULE_HYPERCALLS(t) .hypercalls = (t), .nhypercalls = sizeof(t) / sizeof((t)[0])

/* modules/table.c: the table, NULL-terminated; main.c gives it to the vm. */
extern const struct hut_module *const hut_modules[];

/* console.c: --quiet, set by a harness between inputs (tests/fuzz). */
void hut_console_quiet(bool quiet);

/* Calls hook(args) of every module of vm that has it, in table order (a
 * NULL table: none); and walks them, m set to each. */
#define hut_call_modules(vm, hook, ...)                                                            \
	do {                                                                                       \
		for (const struct hut_module *const *m_ = (vm)->modules; m_ && *m_; m_++)          \
			if ((*m_)->hook)                                                           \
				(*m_)->hook(__VA_ARGS__);                                          \
	} while (0)
#define hut_each_module(vm, m)                                                                     \
	for (const struct hut_module *const *m##_at = (vm)->modules;                               \
	     m##_at && (m = *m##_at) != NULL; m##_at++)

#endif
