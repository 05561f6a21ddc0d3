/*
 * Snapshots of a ready appliance (docs/ARCHITECTURE.md, "Snapshots"):
 * hut-monitor --snapshot FILE writes one when the guest reaches its ready
 * point, --restore FILE starts a guest from it. Files:
 *   snapshot_format.c  the file's header: made, and checked as hostile
 *                      input (every size and offset; fuzzed: tests/fuzz)
 *   snapshot_take.c    the ready point: the vCPU, the modules' state and
 *                      guest RAM (sparse) written out
 *   snapshot_restore.c guest RAM mapped from the file copy-on-write, the
 *                      vCPU set, what differs per instance fixed
 *
 * The file: one header page run (struct hut_snap_header and the modules'
 * records), then guest RAM at HUT_SNAP_MEM_OFFSET + gpa, so that the file
 * maps as RAM: only the pages the guest touched are written, the rest are
 * holes, which read as zeros.
 */
#ifndef HUT_SNAPSHOT_H
#define HUT_SNAPSHOT_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUT_SNAP_MAGIC "HUTSNAP\0"
#define HUT_SNAP_VERSION 1
#define HUT_SNAP_MEM_OFFSET 0x4000ull /* 16 KiB: the header's room, page-aligned */
#define HUT_SNAP_MODULES_MAX 2048     /* bytes of module records */
#define HUT_SNAP_NAME_MAX 16

/* The layout the guest was given (load.c): it must be the same again, or
 * the guest's pointers into its heap, stack and devices are wrong. */
struct hut_snap_layout {
	uint64_t heap_start, heap_end, stack_top, stack_size, signals_gpa, devices_size;
};

struct hut_snap_header {
	char magic[8];	      /* HUT_SNAP_MAGIC */
	uint32_t version;     /* HUT_SNAP_VERSION */
	uint32_t abi_version; /* HUT_ABI_VERSION of the monitor and image */
	uint32_t image_crc;   /* the image's manifest crc32 */
	uint32_t header_crc;  /* crc32 of this header with this field 0 */
	uint64_t mem_offset;  /* HUT_SNAP_MEM_OFFSET */
	uint64_t mem_size;    /* bytes of guest RAM; the file is mem_offset + mem_size */
	uint64_t args_hash;   /* the guest's argv, environment, host name, --mem, --pids */
	uint64_t pages;	      /* pages written (the rest are holes) */
	struct hut_snap_layout layout;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	uint64_t tsc;	      /* the guest's TSC at the snapshot */
	uint32_t modules_len; /* bytes used in modules[] */
	uint32_t reserved;
	/* Records: name[HUT_SNAP_NAME_MAX] (NUL-padded), uint32_t len, len bytes. */
	uint8_t modules[HUT_SNAP_MODULES_MAX];
};
_Static_assert(sizeof(struct hut_snap_header) <= HUT_SNAP_MEM_OFFSET, "snapshot header room");

/* A module's record, written by its snapshot hook, read by its restore
 * hook: the bytes are the file's (hostile on restore: a get past the end
 * fails, and the hook checks every value it takes). */
struct hut_snap_buf {
	uint8_t *data;
	uint32_t len, cap, at;
};
bool hut_snap_put(struct hut_snap_buf *b, const void *p, uint32_t len);
bool hut_snap_get(struct hut_snap_buf *b, void *p, uint32_t len);

/* snapshot_format.c */
uint32_t hut_snap_header_crc(const struct hut_snap_header *h);
/* NULL if h (file_size bytes of file) is a snapshot this monitor can
 * restore, for an image of crc image_crc; else what is wrong with it. */
const char *hut_snap_check(const struct hut_snap_header *h, uint64_t file_size, uint32_t image_crc);
/* The record of module name in h (checked already), or false. */
bool hut_snap_module(const struct hut_snap_header *h, const char *name, struct hut_snap_buf *out);
/* FNV-1a over count strings, each with its NUL, then v. */
uint64_t hut_snap_hash(uint64_t h, char *const *strings, int count);
uint64_t hut_snap_hash_u64(uint64_t h, uint64_t v);

struct hut_vm;
struct hut_hc_poll;
/* snapshot_take.c: --snapshot FILE (opened at once; kept past the sandbox);
 * whether one is wanted; the ready point: writes FILE and ends the monitor
 * (status 0, or 125 refused), never returns. ready: the hypercall's ready
 * word, which a restored guest finds HUT_POLL_RESTORED in. */
void hut_snapshot_open(struct hut_vm *vm, const char *path);
bool hut_snapshot_wanted(void);
int hut_snapshot_fd(void);
_Noreturn void hut_snapshot_take(struct hut_vm *vm, uint64_t *ready);
uint64_t hut_snapshot_args_hash(const struct hut_vm *vm);
void hut_snapshot_layout(const struct hut_vm *vm, struct hut_snap_layout *l);

/* snapshot_restore.c: --restore FILE: read and checked (126 if it is not a
 * snapshot of this image with these arguments) before KVM; guest RAM
 * mapped from it; the vCPU and the modules restored, the boot info's seed
 * and wall clock made new. */
void hut_restore_open(struct hut_vm *vm, const char *path);
bool hut_restoring(void);
void hut_restore_memory(struct hut_vm *vm);
void hut_restore_check_layout(struct hut_vm *vm);
void hut_restore_vcpu(struct hut_vm *vm);
void hut_restore_modules(struct hut_vm *vm);
struct hut_module;
/* One module's record, given to its restore hook (before a pool's request,
 * to a module with a ready hook). */
void hut_restore_module(struct hut_vm *vm, const struct hut_module *m);
/* The snapshot's registers given to the vCPU: NULL, or why not. */
const char *hut_restore_cpu(struct hut_vm *vm);
uint64_t hut_restore_cr3(void); /* the snapshot's page tables (hostile) */

/* snapshot_warm.c: a pool's monitor, before its request: runs the image's
 * warm-up stub (abi.h, HUT_WARM_TAG) over the snapshot's pages, so that the
 * guest's first touches after the request take no shadow-MMU fault. Best
 * effort: an image without the stub, or a stub that does anything else
 * than it should, leaves the guest cold; the vCPU is set again from the
 * snapshot after the request either way. */
void hut_restore_warm(struct hut_vm *vm);

#endif
