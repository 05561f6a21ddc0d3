/*
 * Loading: lay the guest's RAM out (image, heap, guard page, stack) and copy
 * the image's PT_LOAD segments in. The image was validated when it was
 * opened; here we check it fits the RAM this run gives it.
 */
#include "monitor.h"

#include <string.h>

#define MIN_HEAP (1ull << 20)

static void layout(struct hut_vm *vm)
{
	uint64_t mem = vm->mem.size;
	vm->stack_size = mem / 8 < HUT_STACK_MAX ? (mem / 8) & ~(HUT_PAGE_SIZE - 1) : HUT_STACK_MAX;
	vm->stack_top = mem;
	vm->heap_end = mem - vm->stack_size - HUT_PAGE_SIZE; /* one guard page under the stack */
	vm->heap_start = vm->img.image_end;
	if (vm->heap_start > vm->heap_end || vm->heap_end - vm->heap_start < MIN_HEAP)
		hut_fail(vm, HUT_EXIT_BAD_IMAGE,
			 "image needs more memory than %lu MiB (try a larger --mem)", mem >> 20);
}

void hut_load_image(struct hut_vm *vm)
{
	layout(vm);
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		uint8_t *dst = hut_gpa(&vm->mem, s->gpa, s->memsz);
		if (!dst)
			hut_fail(vm, HUT_EXIT_BAD_IMAGE, "segment at 0x%lx does not fit in guest memory",
				 s->gpa);
		memcpy(dst, vm->img.file + s->offset, s->filesz);
	}
}
