/*
 * Guest memory: the one checked accessor. Nothing in the monitor touches
 * guest RAM except through hut_gpa(), which turns a guest-physical
 * (address, length) into a host pointer or NULL.
 */
#ifndef HUT_MEM_H
#define HUT_MEM_H

#include <stdint.h>

struct hut_mem {
	uint8_t *host; /* mmap'd RAM, guest-physical 0 at host[0] */
	uint64_t size; /* bytes */
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte lies outside RAM or
 * the range wraps. len 0 is valid when gpa <= size. */
static inline void *hut_gpa(const struct hut_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return 0;
	return m->host + gpa;
}

/* Maps size bytes of zeroed guest RAM (lazily backed). Returns 0 or -errno. */
int hut_mem_alloc(struct hut_mem *m, uint64_t size);

#endif
