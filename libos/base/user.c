/*
 * The app's memory as the libos touches it on the app's behalf. Linux
 * answers a bad pointer in a syscall with EFAULT instead of crashing; so do
 * we: before the libos reads or writes an app buffer it checks the range
 * lies in memory the app itself could read (or write) at CPL3. The map is
 * the one the monitor built: the boot info (read-only), the image's
 * segments with their own permissions, the heap arena and the stack.
 * Pages inside the arena that nobody allocated are mapped, so they pass:
 * the libos cannot fault on them, which is what matters here.
 */
#include "base.h"

#include <elf.h>
#include <errno.h>

#define MAX_RANGES 16

struct range {
	uint64_t lo, hi; /* [lo, hi) */
	int writable;
};

static struct range ranges[MAX_RANGES];
static int nranges;

/* Ranges come in address order; one that continues the last with the same
 * permission extends it, so a buffer may span both (.bss into the heap). */
static void add_range(uint64_t lo, uint64_t hi, int writable)
{
	struct range *last = nranges ? &ranges[nranges - 1] : NULL;
	if (lo >= hi)
		return;
	if (last && last->hi == lo && last->writable == writable)
		last->hi = hi;
	else if (nranges < MAX_RANGES)
		ranges[nranges++] = (struct range){lo, hi, writable};
}

/* Made at the first check, from the boot info and the program headers:
 * what every process has (the libos's window: the libos hands its own
 * buffers to its handlers too). The image's segments are the running
 * process's (image below). */
static void setup(const struct hut_boot_info *bi)
{
	add_range(HUT_BOOTINFO_GPA, HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE, 0);
	add_range(bi->heap_start, bi->heap_end, 1);
	add_range(bi->stack_top - bi->stack_size, bi->stack_top, 1);
	uint64_t phnum;
	const Elf64_Phdr *ph = hut_boot_phdrs(&phnum);
	for (uint64_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_vaddr < HUT_LIBOS_VA)
			continue;
		uint64_t end =
			(ph[i].p_vaddr + ph[i].p_memsz + HUT_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1);
		add_range(ph[i].p_vaddr, end, (ph[i].p_flags & PF_W) != 0);
	}
}

static int in_fixed(uint64_t a, size_t len, int write);

static const struct hut_seg *image;
static int image_segs;

void hut_user_image(const struct hut_seg *seg, int n)
{
	image = seg;
	image_segs = n;
}

static int inside(uint64_t a, size_t len, uint64_t lo, uint64_t hi)
{
	return a >= lo && a < hi && len <= hi - a;
}

/* An image segment and the range after it merge where they touch with the
 * same permission, as add_range does: a buffer may span .bss into the heap. */
static int in_image(uint64_t a, size_t len, int write)
{
	for (int i = 0; i < image_segs; i++) {
		const struct hut_seg *s = &image[i];
		if ((write && !(s->flags & PF_W)) || a < s->start || a >= s->end)
			continue;
		if (inside(a, len, s->start, s->end))
			return 1;
		return in_fixed(s->end, a + len - s->end, write);
	}
	return 0;
}

static int in_fixed(uint64_t a, size_t len, int write)
{
	for (int i = 0; i < nranges; i++) {
		const struct range *r = &ranges[i];
		if (inside(a, len, r->lo, r->hi) && (r->writable || !write))
			return 1;
	}
	return 0;
}

static int user_ok(const void *p, size_t len, int write)
{
	uint64_t a = (uint64_t)p;
	if (len == 0)
		return 1;
	if (nranges == 0)
		setup(hut_boot_info);
	return in_image(a, len, write) || in_fixed(a, len, write);
}

int hut_user_readable(const void *p, size_t len)
{
	return user_ok(p, len, 0);
}

int hut_user_writable(void *p, size_t len)
{
	return user_ok(p, len, 1);
}

/* Copies the app's NUL-terminated string at s into buf (size bytes, as
 * PATH_MAX counts them: with the NUL). Returns its length, -EFAULT if it
 * runs into memory the app cannot read, -ENAMETOOLONG if it does not fit. */
long hut_user_string(const char *s, char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		uint64_t a = (uint64_t)s + i;
		if ((i == 0 || (a & (HUT_PAGE_SIZE - 1)) == 0) && !hut_user_readable(s + i, 1))
			return -EFAULT;
		buf[i] = s[i];
		if (!buf[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}
