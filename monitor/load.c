/*
 * Loading: lay the guest's RAM out (image, heap, the modules' RAM, signal
 * box, guard page, stack) and copy
 * the image's PT_LOAD segments in. The image was validated when it was
 * opened; here we check it fits the RAM this run gives it.
 */
#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIN_HEAP (1ull << 20)

/* What a module shares with the guest (the network device's rings and
 * buffers): taken from the top of the heap, so devices_size bytes above
 * heap_end are the modules'. False if the heap is too small. */
static bool take_ram(struct hut_vm *vm, const struct hut_module *m)
{
	uint64_t size = m->ram_size();
	if (size == 0)
		return true;
	if (vm->heap_end - vm->heap_start < size)
		return false;
	vm->heap_end -= size;
	vm->devices_size += size;
	m->ram_at(vm->heap_end);
	return true;
}

static void layout(struct hut_vm *vm)
{
	uint64_t mem = vm->mem.size;
	vm->stack_size = mem / 8 < HUT_STACK_MAX ? (mem / 8) & ~(HUT_PAGE_SIZE - 1) : HUT_STACK_MAX;
	vm->stack_top = mem;
	vm->heap_end = mem - vm->stack_size - HUT_PAGE_SIZE; /* one guard page under the stack */
	/* The signal box: the page under the guard page, above the heap, where
	 * an image exec'd in the guest, which may be larger than this one, does
	 * not reach (libos/sys/execcalls.c). */
	vm->heap_start = vm->img.image_end;
	bool fits = vm->heap_start + HUT_PAGE_SIZE <= vm->heap_end;
	if (fits) {
		vm->heap_end -= HUT_PAGE_SIZE;
		vm->signals_gpa = vm->heap_end;
	}
	const struct hut_module *m;
	hut_each_module(vm, m)
		if (fits && m->ram_size)
			fits = take_ram(vm, m);
	if (!fits || vm->heap_end - vm->heap_start < MIN_HEAP)
		hut_fail(vm, HUT_EXIT_BAD_IMAGE,
			 "image needs more memory than %lu MiB (try a larger --mem)", mem >> 20);
}

#define PREFAULT_BYTES (64u << 10)

/* Backs the pages every boot touches first (the image with its bss, the top
 * of the stack, and what each module says its device's guest side touches
 * first) with host memory in one call each, so the
 * guest's first touches do not each fault in the host as well; a fault taken
 * inside a nested guest costs tens of microseconds here. Best effort: an
 * older kernel without MADV_POPULATE_WRITE just takes the faults. */
static void prefault(struct hut_vm *vm)
{
	if (!vm->restored) /* a restore's image pages: those of the snapshot (snapshot_restore.c) */
		hut_mem_back(&vm->mem, HUT_IMAGE_BASE, vm->img.image_end - HUT_IMAGE_BASE, true);
	hut_mem_back(&vm->mem, vm->stack_top - PREFAULT_BYTES, PREFAULT_BYTES, true);
	hut_call_modules(vm, prefault, vm);
}

/*
 * The heap's middle is backed by transparent huge pages, where the guest
 * maps it with 2 MiB pages too: one host fault then serves 2 MiB instead of
 * 4 KiB. Measured on kvm-pvm: touching 64 MiB takes 113 ms instead of 600.
 * The heap's first and last 2 MiB stay small pages: boot and small mallocs
 * touch only a few pages there, and zeroing a whole huge page for them
 * would cost more than it saves.
 */
static void huge_heap(struct hut_vm *vm)
{
	uint64_t lo = ((vm->heap_start + HUT_LARGE_PAGE_SIZE - 1) & ~(HUT_LARGE_PAGE_SIZE - 1)) +
		      HUT_LARGE_PAGE_SIZE;
	uint64_t hi = (vm->heap_end & ~(HUT_LARGE_PAGE_SIZE - 1)) - HUT_LARGE_PAGE_SIZE;
	if (hi > lo)
		madvise(vm->mem.host + lo, hi - lo, MADV_HUGEPAGE);
}

/*
 * Each segment's file bytes are mapped into guest RAM from the image file,
 * copy-on-write, and the prefault backs them for writing: the kernel copies
 * them then, page by page, through its own mapping of the page cache. The
 * monitor does not touch them itself, which is what costs here: a page a
 * process touches first costs it ~3-5 us in a guest whose own page tables
 * are shadowed (kvm-pvm's hosts; the copy-on-write fault of a page ~10),
 * so a memcpy of httpd's 180 KiB of libos code took ~250 us and the same
 * copy again 6. Segments start on a page, in the file and in RAM, and
 * share none (image.c checks both).
 */
static void map_segment(struct hut_vm *vm, const struct hut_segment *s, uint8_t *dst)
{
	uint64_t len = (s->filesz + HUT_PAGE_SIZE - 1) & ~(uint64_t)(HUT_PAGE_SIZE - 1);
	if (len && mmap(dst, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, vm->img.fd,
			(off_t)s->offset) == MAP_FAILED)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot map the image's segment at 0x%lx (%s)",
			 s->gpa, hut_limit_text(errno));
}

/* The bytes after a mapped segment's in its last page are the file's next
 * ones (zeros past the file's end), not the guest's: zeroed, unless the
 * file has zeros there already (the linker's padding before the next
 * segment: its page was read for the CRC, so the check costs little, and
 * a store would be a first touch). tests/integration/load-tail.sh. */
static void clear_tail(const struct hut_vm *vm, const struct hut_segment *s, uint8_t *dst)
{
	uint64_t tail = (HUT_PAGE_SIZE - s->filesz % HUT_PAGE_SIZE) % HUT_PAGE_SIZE;
	const uint8_t *file = vm->img.file + s->offset + s->filesz;
	uint64_t in_file = vm->img.file_size - (s->offset + s->filesz);
	for (uint64_t i = 0; i < tail && i < in_file; i++) /* past the file's end: zeros */
		if (file[i]) {
			memset(dst + s->filesz + i, 0, tail - i);
			return;
		}
}

/* The image's segments into guest RAM: mapped from the file (then backed,
 * by prefault) or, for an image that is not a file, copied. */
static void place_segments(struct hut_vm *vm, uint8_t *dst[])
{
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		dst[i] = hut_gpa(&vm->mem, s->gpa, s->memsz);
		if (!dst[i])
			hut_fail(vm, HUT_EXIT_BAD_IMAGE,
				 "segment at 0x%lx does not fit in guest memory", s->gpa);
		if (vm->img.fd >= 0)
			map_segment(vm, s, dst[i]);
		else
			memcpy(dst[i], vm->img.file + s->offset, s->filesz);
	}
}

void hut_load_image(struct hut_vm *vm)
{
	vm->mem.window_va = vm->img.window_va;
	vm->mem.window_gpa = vm->img.window_gpa;
	vm->mem.window_size = vm->img.window_size;
	layout(vm);
	uint8_t *dst[HUT_SEGMENTS_MAX];
	if (!vm->restored) /* a restore's RAM is the snapshot's: no image to place */
		place_segments(vm, dst);
	prefault(vm);
	if (!vm->restored) {
		huge_heap(vm);
		for (size_t i = 0; i < vm->img.nsegments; i++) {
			if (vm->img.fd >= 0)
				clear_tail(vm, &vm->img.seg[i], dst[i]);
			/* The bytes the CRC covered, exactly (abi.h, HUT_CRC_*). */
			hut_image_clear_section_fields(dst[i], vm->img.seg[i].offset,
						       vm->img.seg[i].filesz);
		}
	}
	if (vm->img.fd >= 0) { /* a mapped segment holds the file now */
		close(vm->img.fd);
		vm->img.fd = -1;
	}
}
