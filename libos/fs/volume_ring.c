/*
 * The guest side of the file ring (include/hut/abi.h, "File ring"). A
 * request is copied into the next slot and published; the monitor's I/O
 * thread serves the slots in order while the app's vCPU goes on. Costs:
 * no exit while the thread is awake (it lingers a little after each
 * request: monitor/modules/files_io.c), one kick (KVM's ioeventfd: it
 * stays in the host kernel) when it sleeps.
 *
 * Waiting: the vCPU spins for up to SPIN_US (a cached open's revalidation,
 * a page run's read: a few microseconds of host work), and a request that
 * moves data for longer in proportion to its bytes (the host copies its
 * page cache at several GB/s: a 1 MiB read takes ~100-150 us), then sleeps
 * in the poll hypercall until the thread says a request finished. Why
 * spin that long: sleeping costs the poll hypercall's exit (~45 us here)
 * and the futex wake-up after it, and a 1 MiB read that slept ran at 0.34x
 * the process (the vCPU would spin on nothing else meanwhile: the libos
 * waits for its request either way). A request known to be long (fsync)
 * does not spin at all: the host core is better left to the thread and
 * the others.
 *
 * Without a ring (an older monitor, no volumes) each post is the file
 * hypercall at once, into the same slots kept here: callers see one way.
 * The libos is never preempted and its memory is one for every process,
 * so posts and waits come one at a time.
 */
#include "volume_ring.h"

#include "base/base.h"

#define SLOTS HUT_FILE_RING_SLOTS
#define SPIN_US 50
/* A data request's spin grows by 1 us a SPIN_BYTES_PER_US bytes: 1 GB/s,
 * well below what the host copies from its page cache, so that a read the
 * page cache serves finishes inside the spin and one from the disk (far
 * slower) ends it in the poll hypercall. */
#define SPIN_BYTES_PER_US 1024
#define POLL_NS 1000000000ull

static struct hut_file_shared *shared;
static uint8_t *slots;
static struct hut_hc_file local[SLOTS]; /* the slots when there is no ring */
static uint32_t spin_us[SLOTS];		/* how long a wait for each slot's request spins */
static uint32_t local_prod;		/* the slots' count when there is no ring */
static int state;			/* 0: not looked at yet; 1: a ring; -1: none */

static int have_ring(void)
{
	if (state == 0) {
		uint64_t region = hut_boot_info ? hut_boot_info->file_ring : 0;
		state = region ? 1 : -1;
		if (region) {
			shared = (struct hut_file_shared *)region;
			slots = (uint8_t *)(region + HUT_FILE_SLOTS_OFFSET);
		}
	}
	return state > 0;
}

static struct hut_hc_file *slot(uint32_t t)
{
	if (state < 0)
		return &local[t % SLOTS];
	return (struct hut_hc_file *)(slots + (uint64_t)(t % SLOTS) * HUT_FILE_SLOT_SIZE);
}

static uint32_t cons_now(void)
{
	return state > 0 ? __atomic_load_n(&shared->cons, __ATOMIC_ACQUIRE) : local_prod;
}

static int done(uint32_t t)
{
	return (int32_t)(cons_now() - t) > 0;
}

/* Sleeps in the poll hypercall until a request finishes (or a while). */
static void sleep_for_events(uint32_t t)
{
	uint32_t seen = __atomic_load_n(&shared->events, __ATOMIC_ACQUIRE);
	if (done(t))
		return;
	struct hut_hc_poll p = {.timeout_ns = POLL_NS, .wait = HUT_POLL_FILE, .file_events = seen};
	hut_hypercall(HUT_HC_POLL, &p);
}

static void wait_ring(uint32_t t, uint32_t spin)
{
	uint64_t until = spin ? hut_rdtsc() + (uint64_t)spin * hut_boot_info->tsc_khz / 1000 : 0;
	while (!done(t)) {
		if (spin && hut_rdtsc() < until)
			__builtin_ia32_pause();
		else
			sleep_for_events(t);
	}
}

const struct hut_hc_file *hut_vfile_wait(uint32_t t)
{
	if (have_ring())
		wait_ring(t, spin_us[t % SLOTS]);
	return slot(t);
}

/* How long a wait for hc spins (above); hc's iovecs are the libos's own
 * (what READ and WRITE carry: the caller keeps them until the request is
 * done), so their lengths can be summed here. */
static uint32_t spin_for(const struct hut_hc_file *hc)
{
	if (hc->op == HUT_FILE_SYNC)
		return 0;
	uint64_t bytes = 0;
	if ((hc->op == HUT_FILE_READ || hc->op == HUT_FILE_WRITE) && hc->len <= HUT_IOV_MAX) {
		const struct hut_iovec *iov = (const struct hut_iovec *)hc->buf;
		for (uint64_t i = 0; i < hc->len; i++)
			bytes += iov[i].len;
	}
	uint64_t us = SPIN_US + bytes / SPIN_BYTES_PER_US;
	return us < UINT32_MAX ? (uint32_t)us : UINT32_MAX;
}

/* prod is read from the region each time, not kept here: the guest is its
 * only writer, and a hand-made request (tests/guests) then mixes with the
 * libos's own. */
static uint32_t prod_now(void)
{
	return state > 0 ? __atomic_load_n(&shared->prod, __ATOMIC_RELAXED) : local_prod;
}

uint32_t hut_vfile_post(const struct hut_hc_file *hc)
{
	if (!have_ring()) {
		uint32_t t = local_prod;
		local[t % SLOTS] = *hc;
		hut_hypercall(HUT_HC_FILE, &local[t % SLOTS]);
		local_prod = t + 1;
		return t;
	}
	uint32_t t = prod_now();
	if (t - cons_now() >= SLOTS)
		wait_ring(t - SLOTS, SPIN_US); /* the slot's last request */
	*slot(t) = *hc;
	spin_us[t % SLOTS] = spin_for(hc);
	__atomic_store_n(&shared->prod, t + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* prod out before io_idle is read */
	if (__atomic_load_n(&shared->io_idle, __ATOMIC_RELAXED))
		hut_hypercall(HUT_HC_FILE_KICK, 0);
	return t;
}

/* Nothing posted is unfinished and the thread sleeps: the request is the
 * file hypercall, served on the vCPU's own thread (one exit, as with no
 * ring: a sleeping thread's wake-up costs more than that on a busy host),
 * and the thread is kicked awake meanwhile (no exit: an ioeventfd), so
 * that the next request, if it comes soon, finds it awake. */
static int thread_asleep(void)
{
	return prod_now() == cons_now() && __atomic_load_n(&shared->io_idle, __ATOMIC_SEQ_CST);
}

long hut_vfile_call(struct hut_hc_file *hc)
{
	if (have_ring() && thread_asleep()) {
		hut_hypercall(HUT_HC_FILE_KICK, 0);
		hut_hypercall(HUT_HC_FILE, hc);
		return hc->result;
	}
	*hc = *hut_vfile_wait(hut_vfile_post(hc));
	return hc->result;
}
