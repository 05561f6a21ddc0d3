/*
 * The guest side of the console ring (include/hut/abi.h, "Console ring"):
 * a write to fd 1 or 2 is copied into the ring as one record and published;
 * a monitor thread writes it out while the app runs on. No exit, unless
 * the thread sleeps (the kick: KVM's ioeventfd, which stays in the host
 * kernel) or the record takes the ring past half full (the same kick, so
 * that a thread still awake from the last burst drains it in time).
 *
 * A write the ring cannot take (larger than half of it, or more than the
 * room left: the host's reader is slow) is the caller's to make through
 * the console-write hypercall; the monitor writes the ring out before it,
 * so the order stays the app's. The libos is never preempted, so one
 * process's threads and forked processes (the libos's memory is one for
 * all) append one at a time.
 */
#include "base.h"

#define RING HUT_CONSOLE_RING_SIZE
#define HEADER sizeof(struct hut_console_record)

static struct hut_console_shared *shared;
static uint8_t *data;
static uint32_t prod; /* ours; the monitor only reads the shared copy */
static int state;     /* 0: not looked at yet; 1: a ring; -1: none (hut-sud) */

static int have_ring(void)
{
	if (state == 0) {
		uint64_t region = hut_boot_info->console_ring;
		state = region ? 1 : -1;
		if (region) {
			shared = (struct hut_console_shared *)region;
			data = (uint8_t *)(region + HUT_CONSOLE_DATA_OFFSET);
			prod = __atomic_load_n(&shared->prod, __ATOMIC_RELAXED);
		}
	}
	return state > 0;
}

static uint32_t padded(uint64_t len)
{
	return (uint32_t)((len + HUT_CONSOLE_ALIGN - 1) & ~(uint64_t)(HUT_CONSOLE_ALIGN - 1));
}

/* The app's bytes into the ring at byte count at, wrapping at its end. */
static void copy_in(uint32_t at, const struct hut_iovec *iov, int iovcnt, uint64_t total)
{
	uint32_t off = at % RING;
	uint64_t first = total < RING - off ? total : RING - off;
	hut_iov_copy_in(iov, iovcnt, 0, data + off, first);
	if (total > first)
		hut_iov_copy_in(iov, iovcnt, first, data, total - first);
}

long hut_conring_write(uint32_t fd, const struct hut_iovec *iov, int iovcnt, uint64_t total)
{
	if ((fd != 1 && fd != 2) || !have_ring() || total > RING / 2)
		return HUT_CONRING_BYPASS;
	if (total == 0)
		return 0; /* as Linux's pipes and terminals: nothing happens */
	int32_t error = __atomic_load_n(&shared->error[fd - 1], __ATOMIC_RELAXED);
	if (error > 0)
		return -error;
	uint32_t used = prod - __atomic_load_n(&shared->cons, __ATOMIC_ACQUIRE);
	uint32_t need = (uint32_t)HEADER + padded(total);
	if (used > RING || need > RING - used)
		return HUT_CONRING_BYPASS; /* full: the hypercall waits for room */
	struct hut_console_record *h = (struct hut_console_record *)(data + prod % RING);
	*h = (struct hut_console_record){(uint32_t)total, fd};
	copy_in(prod + (uint32_t)HEADER, iov, iovcnt, total);
	prod += need;
	__atomic_store_n(&shared->prod, prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* prod out before io_idle is read */
	if (__atomic_load_n(&shared->io_idle, __ATOMIC_RELAXED) ||
	    (used < RING / 2 && used + need >= RING / 2))
		hut_hypercall(HUT_HC_CONSOLE_KICK, 0);
	return (long)total;
}
