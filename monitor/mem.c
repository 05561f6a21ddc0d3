/* Guest RAM: anonymous host memory, backed lazily, mapped at guest-physical 0. */
#include "monitor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#define MADV_POPULATE_WRITE 23
#endif

static struct hut_mem_range backed[HUT_MEM_BACKED_MAX];
static size_t nbacked;

int hut_mem_alloc(struct hut_mem *m, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* Small pages unless load.c's huge_heap says otherwise: on a host whose
	 * transparent huge pages are "always" (Debian 12's kernel), the first
	 * touch of any aligned 2 MiB of RAM (the image's, the stack's top)
	 * would zero and keep a whole huge page: an idle appliance held 4-6 MiB
	 * there instead of under 1. */
	madvise(p, size, MADV_NOHUGEPAGE);
	m->host = p;
	m->size = size;
	return 0;
}

void hut_mem_setup(struct hut_vm *vm)
{
	int r = hut_mem_alloc(&vm->mem, vm->opt->mem);
	if (r < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot allocate %lu bytes of guest memory (%s)",
			 vm->opt->mem, hut_limit_text(-r));
}

/* On the machine thread, as kvm.c's steps are; ram is main's copy of
 * what it allocated (main goes on filling vm->mem meanwhile). */
bool hut_mem_give_vm(int vm_fd, const struct hut_mem *ram, char *why, size_t size)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = ram->size,
		.userspace_addr = (uint64_t)ram->host,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(why, size, "cannot give the VM its memory (%s)", hut_limit_text(errno));
		return false;
	}
	return true;
}

void hut_mem_back(const struct hut_mem *m, uint64_t gpa, uint64_t len, bool write)
{
	if (!len || !hut_gpa(m, gpa, len))
		return;
	madvise(m->host + gpa, len, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
	struct hut_mem_range *last = nbacked ? &backed[nbacked - 1] : NULL;
	if (last && last->gpa + last->len == gpa)
		last->len += len;
	else if (nbacked < HUT_MEM_BACKED_MAX)
		backed[nbacked++] = (struct hut_mem_range){gpa, len};
}

void hut_mem_back_within(const struct hut_mem *m, uint64_t from, uint64_t to, uint64_t floor)
{
	from = from > floor ? from : floor;
	to = to < m->size ? to : m->size;
	if (from < to)
		hut_mem_back(m, from, to - from, true);
}

void hut_mem_back_groups(const struct hut_mem *m, uint64_t from, uint64_t to, uint64_t floor)
{
	hut_mem_back_within(m, hut_group_down(from), hut_group_up(to), floor);
}

size_t hut_mem_backed(const struct hut_mem_range **ranges)
{
	*ranges = backed;
	return nbacked;
}
