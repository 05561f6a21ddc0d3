/*
 * Guest memory the monitor reads or fills on the guest's behalf (console
 * and file hypercalls): never more than the guest could reach itself at
 * CPL3, so that a hypercall is no way around the page tables' protection.
 * Every access still goes through hut_gpa(), the one checked accessor.
 */
#include "monitor.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

/* Where an empty piece points: any non-NULL address serves. */
static char nothing;

/* Readable: RAM from the user-readable boot info up. Below it lie page 0
 * and the supervisor-only pages (GDT, IDT, TSS, trap stacks, page tables).
 * An empty piece reads nothing and is fine anywhere, as for writev (musl's
 * fflush passes one with a NULL base). */
const void *hut_guest_readable(const struct hut_vm *vm, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return &nothing;
	return gpa >= HUT_BOOTINFO_GPA ? hut_gpa(&vm->mem, gpa, len) : NULL;
}

/* Writable: the guest's writable segments, heap and stack (a read into its
 * own code would otherwise get around W^X). An address in the libos's
 * window is its guest-physical page (mem.h): the libos hands its buffers
 * either way, translated or not (libos/base/phys.c). */
void *hut_guest_writable(const struct hut_vm *vm, uint64_t gpa, uint64_t len)
{
	const struct hut_mem *m = &vm->mem;
	uint64_t stack = vm->stack_top - vm->stack_size;
	if (len == 0)
		return &nothing;
	if (gpa >= m->window_va && gpa - m->window_va < m->window_size)
		gpa = gpa - m->window_va + m->window_gpa; /* hut_gpa checks the length */
	const struct hut_segment *s = hut_image_segment_at_gpa(&vm->img, gpa, len);
	if ((s && (s->flags & PF_W)) ||
	    (gpa >= vm->heap_start && gpa <= vm->heap_end && len <= vm->heap_end - gpa) ||
	    (gpa >= stack && gpa <= vm->stack_top && len <= vm->stack_top - gpa))
		return hut_gpa(&vm->mem, gpa, len);
	return NULL;
}

int64_t hut_guest_iovecs(const struct hut_vm *vm, uint64_t iov_gpa, uint32_t n, struct iovec *out,
			 bool fill)
{
	const uint8_t *giov =
		hut_guest_readable(vm, iov_gpa, (uint64_t)n * sizeof(struct hut_iovec));
	uint64_t total = 0;
	if (!giov)
		return -EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		struct hut_iovec v; /* copied out: the array may be misaligned */
		memcpy(&v, giov + i * sizeof v, sizeof v);
		out[i].iov_base = fill ? hut_guest_writable(vm, v.base, v.len)
				       : (void *)hut_guest_readable(vm, v.base, v.len);
		out[i].iov_len = v.len;
		if (!out[i].iov_base)
			return -EFAULT;
		total += v.len; /* each len <= RAM size: no overflow in 1024 of them */
	}
	return (int64_t)total;
}
