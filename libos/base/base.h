/*
 * The libos's base layer: what every other layer may use and which uses
 * none of them (docs/ARCHITECTURE.md, "Layout"): strings, the boot info,
 * the app's memory checked, the kernel log, clocks, randomness, the exit
 * hypercall and the signal page shared with the monitor. The libos runs at
 * CPL3 between the app's `syscall` and its return, on its own stack,
 * without SSE, and cannot use the app's libc.
 */
#ifndef HUT_BASE_H
#define HUT_BASE_H

#include "arch/x86_64/cpu.h"
#include "clock.h"

#include <elf.h>
#include <hut/abi.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Every syscall handler has this shape; unused arguments are ignored. The
 * handlers live in each layer's *calls.c files; sys/syscall.c's table
 * names them. */
#define HUT_SYSCALL(name)                                                                          \
	long hut_sys_##name(long a0 __attribute__((unused)), long a1 __attribute__((unused)),      \
			    long a2 __attribute__((unused)), long a3 __attribute__((unused)),      \
			    long a4 __attribute__((unused)), long a5 __attribute__((unused)))
typedef long (*hut_syscall_fn)(long, long, long, long, long, long);

/* bootinfo.c */
extern const struct hut_boot_info *hut_boot_info; /* NULL when running as a Linux process */
extern uint64_t hut_tsc_boot, hut_tsc_main;
/* The boot image's program headers, copied at boot (hut_boot_phdrs_keep):
 * the image's own lie among its app's pages, where a process that exec'd
 * another program has that program's. */
const Elf64_Phdr *hut_boot_phdrs(uint64_t *count);
void hut_boot_phdrs_keep(const struct hut_boot_info *bi);

/* string.c */
void *hut_memcpy(void *dst, const void *src, size_t n);
void *hut_memset(void *dst, int c, size_t n);
void *hut_memmove(void *dst, const void *src, size_t n);
size_t hut_strlen(const char *s);
int hut_memcmp(const void *a, const void *b, size_t n);
int hut_streq(const char *a, const char *b);
char *hut_append(char *p, char *end, const char *s); /* copies s, never past end */
char *hut_append_u64(char *p, char *end, uint64_t v);
char *hut_append_hex(char *p, char *end, uint64_t v); /* lower case, no 0x */

/* klog.c: the console hypercalls. */
long hut_console_hypercall(unsigned nr, uint32_t fd, const struct hut_iovec *iov, int iovcnt);
void hut_console_print(int fd, const char *s); /* a whole string to the monitor's fd */

/* conring.c: a write to fd 1 or 2 through the console ring: the bytes
 * (total, of checked iovecs) taken, -errno (the host's error at an earlier
 * write to that fd: EPIPE...), or HUT_CONRING_BYPASS: make it through the
 * console-write hypercall (no ring, too big, no room yet). */
#define HUT_CONRING_BYPASS (-4096L)
long hut_conring_write(uint32_t fd, const struct hut_iovec *iov, int iovcnt, uint64_t total);

/* phys.c: what the monitor is given of app memory, in guest-physical terms.
 * hut_phys_of (NULL: every address is its own) gives the frame of a page;
 * hut_iov_phys translates n iovecs into at most max (fewer bytes when max
 * is too small: a short transfer) and returns how many. */
typedef uint64_t (*hut_phys_fn)(uint64_t page);
extern hut_phys_fn hut_phys_of;
int hut_iov_phys(const struct hut_iovec *iov, int n, struct hut_iovec *out, int max);
/* The same for memory the monitor will write (a read's bytes straight into
 * the app's buffer): hut_phys_own (installed with hut_phys_of) first makes
 * every page of the iovecs the process's own, as its write faults would (a
 * frame still shared copy-on-write with another process must not change
 * under it, and the monitor's writes take no fault). */
typedef void (*hut_phys_own_fn)(const struct hut_iovec *iov, int n);
extern hut_phys_own_fn hut_phys_own;
int hut_iov_phys_writable(const struct hut_iovec *iov, int n, struct hut_iovec *out, int max);
#define HUT_PHYS_IOV_MAX 64
/* iov as the monitor must be handed it: iov itself while every address is
 * its own, else its translation in out (*n updated). */
const struct hut_iovec *hut_iov_for_monitor(const struct hut_iovec *iov, int *n,
					    struct hut_iovec out[HUT_PHYS_IOV_MAX]);

/* exit.c: the exit hypercall alone (proc/process.c ends the process). */
_Noreturn void hut_exit(uint32_t kind, int status);

/* clock.c (and clock.h: hut_time_since_boot_ns, hut_clock_now, inline) */
void hut_time_init(const struct hut_boot_info *bi);
/* A restore: the boot info's new TSC origin (time since boot goes on from
 * the snapshot's, whatever the TSC now says) and wall clock. */
void hut_time_restored(const struct hut_boot_info *bi);
struct timespec hut_realtime(void); /* CLOCK_REALTIME now */
/* A timer's setting between the app's struct itimerspec and ns: in reads a
 * (checked) app struct, 0 or -EFAULT/-EINVAL; out writes one (checked by
 * the caller). */
long hut_itimerspec_in(const struct itimerspec *in, uint64_t *value_ns, uint64_t *interval_ns);
void hut_itimerspec_out(struct itimerspec *out, uint64_t value_ns, uint64_t interval_ns);
int hut_timespec_to_ns(const struct timespec *ts, uint64_t *ns); /* 0 or -EINVAL */
/* The network device's events counter now (0 without one): a sleep that
 * does not wait for the network passes it to the poll hypercall. */
uint32_t hut_net_events_now(void);

/* random.c: init keys the stream with bi's seed, from its start (again
 * on a restore: restore.c). */
void hut_random_init(const struct hut_boot_info *bi);
void hut_random_fill(void *buf, size_t len);

/* One of the loaded segments of the image a process runs, page rounded. */
struct hut_seg {
	uint64_t start, end;
	uint32_t flags;	   /* PF_R | PF_W | PF_X */
	uint64_t vaddr;	   /* the program header's, exact */
	uint64_t file_end; /* vaddr + its bytes in the file */
	uint64_t offset;   /* where start lies in the file (/proc/self/maps) */
};

/* user.c: the app's memory, checked before the libos touches it for the app. */
/* The running process's image (the memory layer says at boot, exec and
 * every process switch); the array stays the caller's. */
void hut_user_image(const struct hut_seg *seg, int n);
int hut_user_readable(const void *p, size_t len);
int hut_user_writable(void *p, size_t len);
long hut_user_string(const char *s, char *buf, size_t size); /* length, -EFAULT, -ENAMETOOLONG */

/* iovec.c: the app's iovecs, checked once, copied from and to. */
long hut_iov_check(const struct hut_iovec *iov, long iovcnt, int writable, uint64_t *total);
/* Copies up to len bytes from src (NULL: zeros) into the iovecs, skipping
 * their first skip bytes; returns how many were copied. */
uint64_t hut_iov_copy_out(const struct hut_iovec *iov, int iovcnt, uint64_t skip, const void *src,
			  uint64_t len);
/* Copies up to len bytes out of the iovecs (after skip bytes) into dst. */
uint64_t hut_iov_copy_in(const struct hut_iovec *iov, int iovcnt, uint64_t skip, void *dst,
			 uint64_t len);
uint64_t hut_iov_total(const struct hut_iovec *iov, int iovcnt);

/* hooks.c: a few functions a layer above registers (each once) and a layer
 * below runs, with one argument, when its event comes. */
#define HUT_HOOKS_MAX 4
typedef void (*hut_hook_fn)(void *arg);
struct hut_hooks {
	hut_hook_fn fn[HUT_HOOKS_MAX];
	unsigned count;
};
void hut_hooks_add(struct hut_hooks *h, hut_hook_fn fn);
void hut_hooks_run(const struct hut_hooks *h, void *arg);

/* restore.c: the poll hypercall (hc->flags gets hut_poll_flags, which the
 * wait layer sets around its sleeps; hc->wait gets hut_poll_wait, which a
 * look that found stdin without input sets, HUT_POLL_STDIN, for the next
 * sleep); when the monitor answers that the guest runs restored from a
 * snapshot, hut_restored fixes what must differ per instance (seed, wall
 * clock) and runs the hooks layers above add. */
struct hut_hc_poll;
extern uint32_t hut_poll_flags, hut_poll_wait;
void hut_poll_hypercall(struct hut_hc_poll *hc);
void hut_restored(void);
void hut_restored_hook_add(hut_hook_fn fn);
/* A ready point (the ready hypercall, a poll waiting for input) with
 * --snapshot given: the hooks let go of what a restore cannot give back. */
void hut_ready_point(void);
void hut_snapshot_hook_add(hut_hook_fn fn);

/* signal_box.c: the page shared with the monitor (see include/hut/abi.h). */
void hut_signal_box_init(const struct hut_boot_info *bi);
uint64_t hut_signal_box_take(void); /* the signals that came from outside, taken */
/* A process made, with the number now alive: for --trace-exits, --trace-boot
 * and hut-oci state. */
void hut_signal_box_count_fork(uint64_t alive);
void hut_signal_box_publish(uint64_t caught, uint64_t ignored, uint64_t blocked);
/* Ticks (the monitor interrupts a spinning app when a timer is due): where
 * they enter and the flag saying the app runs; the deadline to interrupt at
 * (asks the monitor to look when it is earlier than what it armed); where
 * the app was when the last tick took it. */
void hut_signal_box_ticks_init(uint64_t entry, const uint64_t *running);
void hut_signal_box_deadline(uint64_t deadline, uint64_t then);
int hut_signal_box_deadline_set(void); /* a deadline is published */
uint64_t hut_signal_box_tick_rip(void);

#endif
