/*
 * Guest memory: the one checked accessor. Nothing in the monitor touches
 * guest RAM except through hut_gpa(), which turns a guest address and
 * length into a host pointer or NULL. A guest address is guest-physical,
 * which RAM's identity mapping makes the address the guest uses too, or
 * one in the libos's window (abi.h, HUT_LIBOS_VA: far above any RAM), which
 * stands for the RAM the image put the window at: the libos hands the
 * monitor pointers to its own data as it sees them.
 */
#ifndef HUT_MEM_H
#define HUT_MEM_H

#include <hut/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hut_mem {
	uint8_t *host; /* mmap'd RAM, guest-physical 0 at host[0] */
	uint64_t size; /* bytes */
	/* The libos's window: [window_va, + window_size) is RAM from window_gpa
	 * on (the image's, checked when it was read); size 0: none. */
	uint64_t window_va, window_gpa, window_size;
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte lies outside RAM
 * (or the window) or the range wraps. len 0 is valid when gpa <= size. */
static inline void *hut_gpa(const struct hut_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa >= m->window_va && gpa - m->window_va < m->window_size) {
		if (len > m->window_size - (gpa - m->window_va))
			return 0;
		gpa = gpa - m->window_va + m->window_gpa;
	}
	if (gpa > m->size || len > m->size - gpa)
		return 0;
	return m->host + gpa;
}

/* Maps size bytes of zeroed guest RAM (lazily backed). Returns 0 or -errno. */
int hut_mem_alloc(struct hut_mem *m, uint64_t size);

/* Backs [gpa, gpa + len) of RAM with host memory now, its content kept
 * (MADV_POPULATE_WRITE; without write, MADV_POPULATE_READ: pages of a file
 * mapped copy-on-write stay the page cache's; best effort: an older kernel
 * just takes the faults later), and remembers the range, merged with the
 * one before if it follows it: a pool's warm-up has the guest read what the
 * monitor backed ahead (snapshot_warm.c). Out of RAM: nothing. */
void hut_mem_back(const struct hut_mem *m, uint64_t gpa, uint64_t len, bool write);
/* KVM's shadow MMU (kvm-pvm) maps a faulting page's neighbours with it,
 * those of the aligned group of 8 its guest page-table entry is in, but
 * stops at the first one whose host page is not backed: so what is backed
 * ahead for a guest's first touches is best widened to whole groups. */
#define HUT_SHADOW_GROUP (8 * HUT_PAGE_SIZE)
static inline uint64_t hut_group_down(uint64_t gpa)
{
	return gpa & ~(uint64_t)(HUT_SHADOW_GROUP - 1);
}
static inline uint64_t hut_group_up(uint64_t gpa)
{
	return hut_group_down(gpa + HUT_SHADOW_GROUP - 1);
}
/* hut_mem_back for writing of [from, to) clipped to [floor, RAM's end). */
void hut_mem_back_within(const struct hut_mem *m, uint64_t from, uint64_t to, uint64_t floor);
/* The same, [from, to) widened to whole groups first. */
void hut_mem_back_groups(const struct hut_mem *m, uint64_t from, uint64_t to, uint64_t floor);
struct hut_mem_range {
	uint64_t gpa, len;
};
#define HUT_MEM_BACKED_MAX 256 /* ranges remembered; more are backed, not kept */
/* The ranges hut_mem_back backed, in order. */
size_t hut_mem_backed(const struct hut_mem_range **ranges);

/* pagewalk.c: whether the guest's page tables at cr3 (guest memory,
 * hostile) let CPL3 code reach va, every level present and user; if so
 * *gpa is where va lands. */
bool hut_guest_user_page(const struct hut_mem *m, uint64_t cr3, uint64_t va, uint64_t *gpa);

#endif
