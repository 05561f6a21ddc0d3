/*
 * The console module: the guest's fds 0, 1 and 2 are the monitor's own.
 * Writes to 1 and 2 come through a ring of records in guest memory
 * (include/hut/abi.h, "Console ring") that a monitor thread writes out while
 * the guest runs; a write too big for the ring, and the libos's own
 * messages, come through the console-write hypercall, which writes what
 * the ring holds first so that the order stays the guest's. Files:
 *   console.c       the module: --quiet, the hypercalls, the terminal's
 *                   size, the vCPU thread's sandbox rules, --trace-exits
 *   console_ring.c  the ring parser: every index, length and fd the guest
 *                   wrote is checked here (and fuzzed: tests/fuzz)
 *   console_io.c    the thread that writes the ring out (and its own
 *                   sandbox rules), the kick, and the flush every other
 *                   writer of the monitor's stdout and stderr waits for
 */
#ifndef HUT_CONSOLE_H
#define HUT_CONSOLE_H

#include "../mem.h"

#include <hut/abi.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* iovecs a batch may use: two per record at most (its data may wrap). */
#define HUT_CONSOLE_BATCH_IOV 1024

/* The guest-visible region, as host pointers obtained once through hut_gpa.
 * The guest may change any byte of it at any time: each value is read once. */
struct hut_console_ring {
	struct hut_console_shared *shared;
	uint8_t *data; /* HUT_CONSOLE_RING_SIZE bytes */
	uint32_t cons; /* ours (atomic: the flush reads it): never read back from the guest */
	char why[160]; /* after HUT_CONSOLE_BAD: how the guest broke the protocol */
};

/* Consecutive records to one fd, as iovecs over the ring's data. */
struct hut_console_batch {
	int fd; /* 1 or 2 */
	int niov;
	struct iovec iov[HUT_CONSOLE_BATCH_IOV];
	uint32_t end; /* the ring's cons once the batch is written */
	uint64_t records, bytes;
};

#define HUT_CONSOLE_BAD (-1)

/* console_ring.c. init: 0, or HUT_CONSOLE_BAD (the region is not in RAM).
 * next: the batch that starts at cons: 1, 0 when the ring is empty, or
 * HUT_CONSOLE_BAD with why set. done: the batch is out; cons moves past it. */
int hut_console_ring_init(struct hut_console_ring *r, const struct hut_mem *mem, uint64_t gpa);
int hut_console_ring_next(struct hut_console_ring *r, struct hut_console_batch *b);
void hut_console_ring_done(struct hut_console_ring *r, const struct hut_console_batch *b);
/* Whether the guest has published records the monitor has not written out. */
bool hut_console_ring_pending(struct hut_console_ring *r);

/* console_io.c */
struct hut_vm;
struct hut_console_stats {
	uint64_t records, bytes, writes; /* from the ring; host writes made for them */
	uint64_t kicks;			 /* the guest woke the sleeping thread */
	uint64_t flushes;		 /* others waited for the ring to be written out */
	uint64_t stdin_watches;		 /* the vCPU asked it to watch stdin (a kick each) */
};
/* The region at gpa, written out from cons on (0, or a snapshot's); the
 * thread started (under its own seccomp filter unless --no-sandbox),
 * dropping what it takes with quiet. cons: how far it has written out. */
void hut_console_io_start(struct hut_vm *vm, uint64_t gpa, bool quiet, uint32_t cons);
uint32_t hut_console_io_cons(void);
/* The vCPU is about to sleep until stdin has input: the thread polls stdin
 * beside its kicks and, when it has input (or hangs up), wakes the vCPU
 * (hut_vcpu_wake), once per call. */
void hut_console_io_watch_stdin(void);
bool hut_console_io_running(void);
int hut_console_io_kick_fd(void);
bool hut_console_io_ioeventfd(void);
const struct hut_console_stats *hut_console_io_stats(void);
/* The kick hypercall when KVM has no ioeventfd for it. */
void hut_console_io_kick(struct hut_vm *vm);
/* Waits until everything the guest put in the ring is written out. How
 * long: HUT_CONSOLE_SERVE (a hypercall; the guest waits, as for a write of
 * a full pipe, until --timeout), HUT_CONSOLE_END (the guest ended: as long
 * as it takes, until a signal arrives), HUT_CONSOLE_STOPPED (--timeout, a
 * signal from outside, a monitor failure: while the host takes bytes, at
 * most HUT_CONSOLE_STALL_MS without any). */
enum hut_console_wait { HUT_CONSOLE_SERVE, HUT_CONSOLE_END, HUT_CONSOLE_STOPPED };
#define HUT_CONSOLE_STALL_MS 1000
void hut_console_io_flush(enum hut_console_wait how);
/* Writes every byte of iov to fd (partial writes resumed, a full
 * non-blocking fd waited for); the bytes written, or -errno if none. On the
 * vCPU thread (vm given) a signal can end the wait (hut_wait_interrupted);
 * elsewhere (NULL: the console thread, which blocks signals) only
 * --timeout. */
int64_t hut_console_write_all(struct hut_vm *vm, int fd, struct iovec *iov, int n);

#endif
