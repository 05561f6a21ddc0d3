/*
 * Freed RAM given back to the host (HUT_HC_RELEASE, monitor/modules/release.c).
 * The host backs guest RAM as it is first touched and, without this, keeps
 * it: an appliance that touched 16 MiB and freed it held 19 MiB where the
 * same program as a process held 80 KiB (docs/ARCHITECTURE.md, "Density").
 *
 * Giving back costs an exit (~45 µs here) and, when the guest touches such
 * a page again, a host fault inside the nested guest (~30 µs a page), so
 * it is done only when it pays: when the guest may go idle (proc/wait.c,
 * before it sleeps; fd/console.c, before a read of stdin, which waits in
 * the monitor) after at least GIVE_BACK_AFTER pages were freed since
 * the last time, for the arena's free runs of RUN_MIN pages or more. A
 * program that frees and reuses memory while busy never pays for it.
 */
#include "mm.h"

#define PAGE HUT_PAGE_SIZE
#define GIVE_BACK_AFTER 1024 /* pages freed: 4 MiB */
#define RUN_MIN 16	     /* pages: 64 KiB, below which a run is left alone */

static uint64_t freed_since;

void hut_memory_freed(uint64_t pages)
{
	freed_since += pages;
}

static void send(struct hut_iovec *runs, uint32_t n)
{
	/* The libos's own memory is at its guest-physical address. */
	struct hut_hc_release hc = {.runs = (uint64_t)runs, .count = n};
	hut_hypercall(HUT_HC_RELEASE, &hc);
}

/* The end of the free run that starts at page p (p itself when it is used). */
static uint64_t free_run_end(uint64_t p, uint64_t total)
{
	while (p < total && hut_arena_free_run(p, 1))
		p++;
	return p;
}

void hut_memory_give_back(void)
{
	if (freed_since < GIVE_BACK_AFTER || !hut_boot_info)
		return;
	freed_since = 0;
	struct hut_iovec runs[HUT_RELEASE_RUNS_MAX];
	uint32_t n = 0;
	uint64_t base = hut_arena_base(), total = hut_arena_pages();
	for (uint64_t p = 0; p < total;) {
		uint64_t end = free_run_end(p, total);
		if (end - p >= RUN_MIN) {
			runs[n++] = (struct hut_iovec){base + p * PAGE, (end - p) * PAGE};
			if (n == HUT_RELEASE_RUNS_MAX) {
				send(runs, n);
				n = 0;
			}
		}
		p = end > p ? end : p + 1;
	}
	if (n)
		send(runs, n);
}
