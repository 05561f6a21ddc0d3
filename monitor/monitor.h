/*
 * hut-monitor's pieces and the state they share. One file per concern:
 * kvm.c (the KVM fds), mem.c (guest RAM), load.c (image -> RAM),
 * cpu_x86_64.c (page tables, descriptor tables, registers), bootinfo.c,
 * hypercall.c (the MMIO doorbell), console.c, clock.c (the host clock),
 * time.c (TSC rate, --timeout), signals.c (signals from
 * outside), crash.c and core.c (how a guest ends),
 * trace.c (--trace-boot), exits.c (--trace-exits), sandbox.c (seccomp) and
 * landlock.c, run.c (the vCPU loop), guest.c (guest memory the monitor reads
 * or fills for the guest), volume.c, files.c, files_path.c and files_attr.c
 * (volumes and the file hypercall; volume_options.c, owner.c and
 * volume_size.c: a volume's options, owners and set-ID bits, size=), net*.c
 * (the network device, net.h), fail.c (every ending) and main.c (options).
 * Reading and validating the image is the image format's (image/), shared
 * with `hut`.
 */
#ifndef HUT_MONITOR_H
#define HUT_MONITOR_H

#include "image.h"
#include "mem.h"
#include "net.h"

#include <hut/abi.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit statuses (docs/ARCHITECTURE.md, "Exit statuses"). */
#define HUT_EXIT_TIMEOUT 124
#define HUT_EXIT_MONITOR 125   /* the monitor failed: no KVM, bad option */
#define HUT_EXIT_BAD_IMAGE 126 /* image cannot be run */
#define HUT_EXIT_NO_IMAGE 127
#define HUT_SIGNAL_EXIT(sig) (128 + (sig))

/* How a volume keeps what the guest sets of owners and set-ID bits (owner.c). */
enum hut_owner_mode {
	HUT_OWNER_MAPPED,      /* the default: the host file never gets them; an xattr keeps them */
	HUT_OWNER_PASSTHROUGH, /* owner=passthrough: the host file gets them as they are */
};

/* --volume HOST:GUEST[:OPTIONS] (volume.c, volume_options.c) */
struct hut_volume {
	const char *host;
	const char *guest; /* canonical absolute path, not "/" */
	bool ro;
	enum hut_owner_mode owner;
	uint64_t size; /* size=: bytes the volume may hold on the host; 0: no limit */
};

struct hut_options {
	uint64_t mem;	    /* 0: the manifest's default */
	bool mem_from_option; /* mem came from --mem */
	unsigned timeout_s; /* 0: none */
	bool trace_boot;
	bool trace_exits; /* count exits (and the net device's frames), print them at the end */
	bool quiet;	  /* guest stdout/stderr discarded */
	bool no_sandbox;  /* skip the seccomp sandbox (debugging only) */
	const char *core; /* --core FILE: where a crash writes an ELF core */
	const char *hostname; /* --hostname: uname's nodename; NULL: the service name */
	const char *image;
	int argc; /* guest argv, argv[0] = image path */
	char **argv;
	int envc; /* guest environment, from --env */
	char **env;
	struct hut_net_config net; /* --net, --mac, --ip, --gw, --dns */
	struct hut_volume volumes[HUT_VOLUMES_MAX];
	unsigned nvolumes;
};

/* A guest's open file on a volume: the guest knows only its index. */
struct hut_handle {
	int fd; /* host fd, >= HUT_HOST_FD_BASE */
	uint32_t volume;
	bool used;
	bool path_only;	   /* opened O_PATH */
	uint64_t dev, ino; /* the host file's, for size=: is a removed file still open? */
};

struct hut_vm {
	const struct hut_options *opt;
	struct hut_image img;
	struct hut_mem mem;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t tsc_khz;
	bool fsgsbase;
	uint64_t heap_start, heap_end, stack_top, stack_size;
	uint64_t signals_gpa;		/* the signal box: the page below the heap */
	uint64_t pt_next;		/* next free page-table page */
	uint64_t guest_tsc_start;	/* guest TSC just before the first KVM_RUN */
	int core_fd;			/* --core's file, or -1 */
	uint64_t threads_gpa;		/* the libos's struct hut_threads_table, or 0 */
	int volume_fd[HUT_VOLUMES_MAX]; /* each volume's host directory (O_PATH) */
	/* volume_size.c: the bytes each volume with size= holds on the host */
	uint64_t volume_used[HUT_VOLUMES_MAX];
	struct hut_handle handles[HUT_FILE_HANDLES_MAX]; /* files.c: open files on volumes */
	uint64_t net_gpa;    /* the net region (top of the heap), with --net */
	int net_tap_fd;	     /* --net's tap, -1 without */
	struct hut_net *net; /* the running device, or NULL */
};

/* fail.c: every ending: the guest's TCP connections reset (all of them,
 * or, libos_closed, those the libos sent no FIN on), the traces asked for
 * printed, exit(status). */
_Noreturn void hut_end(const struct hut_vm *vm, int status, bool libos_closed);
/* Prints "hut-monitor: <image>: <message>" and ends (hut_end) with status. */
_Noreturn void hut_fail(const struct hut_vm *vm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* kvm.c */
void hut_kvm_open(struct hut_vm *vm);
void hut_kvm_create_vcpu(struct hut_vm *vm);
/* mem.c: hut_mem_alloc/free in mem.h; this maps RAM into the VM. */
void hut_mem_setup(struct hut_vm *vm);
/* load.c */
void hut_load_image(struct hut_vm *vm);
/* cpu_x86_64.c */
void hut_cpu_setup(struct hut_vm *vm);
/* bootinfo.c */
void hut_bootinfo_setup(struct hut_vm *vm);
/* The same, given the guest's TSC now (tests/sud runs without a vCPU). */
void hut_bootinfo_fill(struct hut_vm *vm, uint64_t guest_tsc_now);
/* clock.c */
uint64_t hut_now_us(void);
/* time.c */
void hut_time_setup(struct hut_vm *vm);
void hut_timeout_arm(unsigned seconds);
bool hut_timeout_expired(void);
/* sandbox.c: closes spare fds and loads the seccomp filter; call last.
 * The net I/O thread loads its own, narrower one. */
void hut_sandbox_enter(struct hut_vm *vm);
void hut_sandbox_enter_net_io(struct hut_vm *vm);
/* volume.c: --volume's value (NULL, or why it is refused); the host
 * directories, opened before the sandbox (and measured, with size=). */
const char *hut_volume_parse(struct hut_options *o, const char *spec);
/* volume_options.c: the OPTIONS list into v (NULL, or why it is refused);
 * list is cut up in place. */
const char *hut_volume_options(struct hut_volume *v, char *list);
void hut_volumes_open(struct hut_vm *vm);
void hut_volumes_fill_low(struct hut_vm *vm);
/* files.c: one file hypercall. */
void hut_file_hypercall(struct hut_vm *vm, struct hut_hc_file *hc);
/* landlock.c: confines the monitor's file access to the volume trees. */
void hut_landlock_enter(struct hut_vm *vm);
/* signals.c: signals from outside, forwarded to the guest (or its default
 * action applied) by the vCPU loop while the vCPU is stopped. */
void hut_signals_setup(struct hut_vm *vm);
void hut_signals_forward(struct hut_vm *vm);
bool hut_signals_arrived(struct hut_vm *vm); /* one came that the loop has not forwarded yet */
/* run.c */
_Noreturn void hut_run(struct hut_vm *vm);
/* hypercall.c: handles one MMIO exit; returns only if the guest continues. */
void hut_hypercall(struct hut_vm *vm);
/* guest.c: guest memory the monitor may read (or fill) for the guest, or
 * NULL; the guest's iovecs as host ones (count <= HUT_IOV_MAX), returning
 * their total or -EFAULT. */
struct iovec;
const void *hut_guest_readable(const struct hut_vm *vm, uint64_t gpa, uint64_t len);
void *hut_guest_writable(const struct hut_vm *vm, uint64_t gpa, uint64_t len);
int64_t hut_guest_iovecs(const struct hut_vm *vm, uint64_t iov_gpa, uint32_t n, struct iovec *out,
			 bool fill);
/* console.c */
int64_t hut_console_write(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt);
int64_t hut_console_read(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt);
/* crash.c */
_Noreturn void hut_crash(struct hut_vm *vm, uint64_t frame_gpa);
_Noreturn void hut_exit_guest(struct hut_vm *vm, const struct hut_hc_exit *e);
/* core.c */
void hut_core_open(struct hut_vm *vm);
int hut_core_write(struct hut_vm *vm, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct hut_trap_frame *f, int sig);
/* exits.c: --trace-exits */
void hut_exits_count(const struct kvm_run *run);
void hut_exits_hypercall(uint64_t nr);
void hut_exits_print(const struct hut_vm *vm);
/* trace.c */
void hut_trace_mark(const char *phase);
void hut_trace_guest(const struct hut_hc_exit *e);
void hut_trace_print(const struct hut_vm *vm);

#endif
