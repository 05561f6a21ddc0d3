/*
 * The net module: a tap on the host side, two descriptor rings in guest
 * memory on the guest side (include/hut/abi.h, "Network device"), and an I/O
 * thread between them. Files:
 *   net_module.c   the module: its hooks, the kick hypercall, the vCPU
 *                  thread's sandbox rules
 *   net_options.c  --net, --mac, --ip, --gw, --dns; the manifest's net device
 *   net_tap.c      opening the tap (by name, or an fd the caller opened)
 *   net_ring.c     the ring parser: every index, length and address the
 *                  guest wrote is checked here (and fuzzed: tests/fuzz)
 *   net_io.c       the I/O thread (and its own sandbox rules), the guest's kick
 *                  and the poll hypercall's wait
 *   net_reset.c    the guest's live TCP connections, learned from the frames
 *                  the I/O thread moves, and the resets that end them
 *   net_end.c      the device's end with the guest: those resets written
 */
#ifndef HUT_NET_H
#define HUT_NET_H

#include "../mem.h"
#include "../module.h"
#include "net_reset.h"

#include <hut/abi.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What the options asked for. */
struct hut_net_config {
	bool wanted;	 /* --net given */
	bool none;	 /* --net none: a device with no host side (--snapshot only) */
	const char *tap; /* --net NAME, or NULL with --net fd=N or none */
	int tap_fd;	 /* --net fd=N (-1 with none) */
	bool have_mac, have_ip, have_gw, have_dns; /* which were given */
	uint8_t mac[6];
	uint32_t ipv4, prefix_len, gateway, dns; /* network byte order */
};

/* The guest-visible region, as host pointers obtained once through hut_gpa.
 * The guest may change any byte of it at any time: read each value once. */
struct hut_net_ring {
	const struct hut_mem *mem;
	uint64_t region_gpa;
	struct hut_net_shared *shared;
	struct hut_net_desc *tx_desc, *rx_desc;
	uint64_t pool_gpa, pool_size;
	/* The monitor's own indices: never read back from guest memory. */
	uint32_t tx_cons, rx_cons;
	bool rx_open; /* the guest has posted RX buffers once: the tap is read */
	struct hut_net_stats stats;
	char why[160]; /* after HUT_NET_BAD: how the guest broke the protocol */
};

#define HUT_NET_BAD (-1)

/* Sends one frame; returns 0, or -EAGAIN to stop (retry later). Any other
 * negative errno drops the frame (counted as a TX error). */
typedef int (*hut_net_send_fn)(void *ctx, const void *frame, size_t len);
/* Receives one frame into buf (cap bytes; buf NULL, cap 0: discard it).
 * Returns the frame's full length (more than cap if it did not fit), or
 * -EAGAIN when there is none. */
typedef ssize_t (*hut_net_recv_fn)(void *ctx, void *buf, size_t cap);

/* net_ring.c. Each returns how many frames it moved (RX: delivered or
 * dropped), or HUT_NET_BAD with ring->why set. *blocked is set when send
 * said -EAGAIN. */
int hut_net_ring_init(struct hut_net_ring *r, const struct hut_mem *mem, uint64_t region_gpa);
int hut_net_tx_drain(struct hut_net_ring *r, hut_net_send_fn send, void *ctx, bool *blocked);
int hut_net_rx_fill(struct hut_net_ring *r, hut_net_recv_fn recv, void *ctx);
/* Whether the guest has posted TX frames the ring has not sent (or
 * HUT_NET_BAD for an index out of range). */
int hut_net_tx_pending(struct hut_net_ring *r);
/* Whether the guest has ever posted RX buffers (1), not yet (0), or
 * HUT_NET_BAD. Until it has, the tap is not read: frames wait there. */
int hut_net_rx_open(struct hut_net_ring *r);

/* The module's state: what the options asked for, the RAM it shares with
 * the guest, and the device: the ring, the host fds and what the two
 * threads share. */
struct hut_net {
	struct hut_net_config config;
	uint64_t gpa; /* the net region (top of the heap), with --net */
	bool running; /* started: the vCPU thread may use it */
	struct hut_net_ring ring;
	int tap_fd;
	int kick_fd;	       /* eventfd the guest's kick signals */
	bool ioeventfd;	       /* the kick is KVM's ioeventfd: it never reaches userspace */
	uint32_t events;       /* atomic: bumped per batch moved (the I/O thread) */
	uint32_t vcpu_waiting; /* atomic: the vCPU sleeps in the poll hypercall */
	/* The guest's TCP connections: the I/O thread's alone (it sees every
	 * frame), and it writes their resets when the guest ends (net_end.c). */
	struct hut_conns conns;
	pthread_t io_thread;
	uint32_t io_go;	     /* atomic: the device is set up (hut_net_start) */
	uint32_t io_started; /* atomic: io_thread is set, the thread runs */
	uint32_t end_how;    /* atomic: 0, or the HUT_NET_END_* an ending thread asked for */
	uint32_t end_done;   /* atomic, a futex: the resets are written */
	unsigned resets;     /* how many (--trace-exits) */
	/* --restore (net_snapshot.c): the snapshot's indices, applied at start */
	bool restored, restored_rx_open;
	uint32_t restored_tx_cons, restored_rx_cons, restored_events;
};

#define HUT_NET_END_OPEN 1 /* the libos closed its sockets: reset those it sent no FIN on */
#define HUT_NET_END_ALL 2  /* the guest ended without closing anything: reset them all */

struct hut_vm;

/* net_io.c: the module's state (the I/O thread's file, where it always was). */
extern struct hut_net hut_net;

/* net_snapshot.c: the module's snapshot and restore hooks. */
struct hut_snap_buf;
const char *hut_net_snapshot(struct hut_vm *vm, struct hut_snap_buf *w);
const char *hut_net_restore(struct hut_vm *vm, struct hut_snap_buf *r);

/* net_options.c: --net, --mac, --ip, --gw, --dns (each value into
 * hut_net.config); the check once all are read (NULL, or why they are
 * refused); the manifest check (an image that needs a net device and got
 * no --net). */
#define HUT_NET_OPTIONS 5
extern const struct hut_option hut_net_options[HUT_NET_OPTIONS];
const char *hut_net_options_done(void);
void hut_net_check_image(struct hut_vm *vm);
/* net_tap.c: opens --net's tap, O_NONBLOCK; fails the monitor (125) if it cannot. */
int hut_net_tap_open(struct hut_vm *vm, const struct hut_net_config *c);
/* net_io.c: the kick eventfd and the I/O thread made at the monitor's
 * start (under its own seccomp filter unless --no-sandbox, waiting for the
 * guest's first kick); the region set up before the guest runs. */
void hut_net_spawn(struct hut_vm *vm);
void hut_net_start(struct hut_vm *vm);
/* net_io.c: the prefault hook: backs what the guest's network touches first. */
void hut_net_prefault(struct hut_vm *vm);
/* The poll hypercall with a net device: sleeps until the deadline or until
 * events != seen (or the vCPU's wake word moves from wake_seq, read before
 * the poll hypercall looked for news); returns HUT_POLL_NET when they differ. */
uint64_t hut_net_wait(uint32_t seen, uint64_t timeout_ns, uint32_t wake_seq);
/* The kick hypercall when KVM has no ioeventfd for it. */
void hut_net_kick(struct hut_vm *vm);
/* net_end.c: the guest ends (hut_end): its live TCP connections are reset,
 * by the I/O thread, within a bounded wait. libos_closed: the guest left by
 * the exit hypercall, after the libos closed its sockets (their FINs went
 * out); else it crashed, timed out or was stopped. n may be NULL. */
void hut_net_end(struct hut_net *n, bool libos_closed);
/* The I/O thread, between batches: whether an ending thread asked, and
 * then the resets written; it moves no frame after that. */
bool hut_net_end_asked(struct hut_net *n);
_Noreturn void hut_net_end_serve(struct hut_net *n);

#endif
