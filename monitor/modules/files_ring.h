/*
 * The file ring (include/hut/abi.h, "File ring"): the guest's volume
 * requests in guest memory, served in order by the files module's I/O
 * thread. Files:
 *   files_ring.c  the ring reader: every index the guest wrote is checked
 *                 here, and each request is copied out of guest memory
 *                 before any field of it is looked at (and fuzzed:
 *                 tests/fuzz/fuzz_filering.c)
 *   files_io.c    the thread that serves the ring (its own sandbox rules),
 *                 the kick, the poll hypercall's wait for a finished
 *                 request, and the last requests served at the end
 * A request is served by files.c exactly as the file hypercall is
 * (hut_file_hypercall), under one lock: the thread and the hypercall share
 * the handle table and files.c's buffers.
 */
#ifndef HUT_FILES_RING_H
#define HUT_FILES_RING_H

#include "../mem.h"
#include "../module.h"

#include <hut/abi.h>
#include <stdbool.h>
#include <stdint.h>

/* The guest-visible region, as host pointers obtained once through
 * hut_gpa. The guest may change any byte of it at any time. */
struct hut_file_ring {
	struct hut_file_shared *shared;
	uint8_t *slots; /* HUT_FILE_RING_SLOTS slots of HUT_FILE_SLOT_SIZE bytes */
	uint32_t cons;	/* ours: never read back from the guest */
	uint32_t events;
	char why[160]; /* after HUT_FILE_RING_BAD: how the guest broke the protocol */
};

#define HUT_FILE_RING_BAD (-1)

/* init: 0, or HUT_FILE_RING_BAD (the region is not in RAM). next: copies
 * the request at cons into out: 1, 0 when the ring is empty, or
 * HUT_FILE_RING_BAD with why set. done: writes the served copy back into
 * its slot, then moves cons (and events) past it. */
int hut_file_ring_init(struct hut_file_ring *r, const struct hut_mem *mem, uint64_t gpa);
int hut_file_ring_next(struct hut_file_ring *r, struct hut_hc_file *out);
void hut_file_ring_done(struct hut_file_ring *r, const struct hut_hc_file *served);
/* Whether the guest has posted requests not served yet (a broken prod
 * counts as pending: next says what is wrong). */
bool hut_file_ring_pending(const struct hut_file_ring *r);

/* files_io.c */
struct hut_vm;
/* Starts the thread; rules: the file syscalls it may make (the vCPU
 * thread's volume rules), which its own filter allows besides its own. */
void hut_file_io_start(struct hut_vm *vm, uint64_t gpa, const struct hut_seccomp_rule *rules,
		       size_t nrules);
bool hut_file_io_running(void);
int hut_file_io_kick_fd(void);
void hut_file_io_kick(struct hut_vm *vm);
/* A snapshot's record of the ring: everything posted is served first, then
 * the reader's position (cons, the ring's events, the poll's events); a
 * restore gives it back before the thread starts. */
#define HUT_FILE_IO_POSITION 3
void hut_file_io_save(uint32_t pos[HUT_FILE_IO_POSITION]);
void hut_file_io_restore(const uint32_t pos[HUT_FILE_IO_POSITION]);
/* The poll hypercall's wait: until the ring's events differ from seen
 * (HUT_POLL_FILE), timeout_ns pass (0) or the vCPU's wake word moves from
 * wake_seq. */
uint64_t hut_file_io_wait(uint32_t seen, uint64_t timeout_ns, uint32_t wake_seq);
/* The file hypercall, served under the lock the thread takes. */
void hut_file_io_hypercall(struct hut_vm *vm, struct hut_hc_file *hc);
/* The end: every request the guest posted is served first (not from the
 * thread itself: a broken ring ends there). */
void hut_file_io_end(void);
void hut_file_io_trace(void);

#endif
