/*
 * What the monitor told the libos at boot (sys/boot.c sets it before
 * anything else runs), and the boot's time stamps for --trace-boot.
 *
 * hut_boot_info and hut_tsc_main live in the ABI page (include/hut/abi.h,
 * struct hut_libos_abi), which opens the libos's window (builder/hut.ld):
 * musl reads hut_boot_info there, and the app's side of any image built by
 * this hut finds them at the same address, so that an image exec'd in the
 * appliance runs on this libos. The names are aliases of its fields.
 */
#include "base.h"

struct hut_libos_abi hut_libos_abi __attribute__((section(".hut.abi"), aligned(4096), used)) = {
	.magic = HUT_LIBOS_MAGIC,
	.abi_version = HUT_ABI_VERSION,
};
__asm__(".globl hut_boot_info\n\t.set hut_boot_info, hut_libos_abi\n\t"
	".globl hut_tsc_main\n\t.set hut_tsc_main, hut_libos_abi + 8");
_Static_assert(__builtin_offsetof(struct hut_libos_abi, boot_info) == 0, "abi.h");
_Static_assert(__builtin_offsetof(struct hut_libos_abi, tsc_main) == 8, "abi.h");

uint64_t hut_tsc_boot;

#define BOOT_PHDRS_MAX 16 /* hut.ld makes 9 */

static Elf64_Phdr boot_phdrs[BOOT_PHDRS_MAX];
static uint64_t boot_phnum;

void hut_boot_phdrs_keep(const struct hut_boot_info *bi)
{
	boot_phnum = bi->phnum < BOOT_PHDRS_MAX ? bi->phnum : BOOT_PHDRS_MAX;
	hut_memcpy(boot_phdrs, (const void *)bi->phdr, boot_phnum * sizeof *boot_phdrs);
}

const Elf64_Phdr *hut_boot_phdrs(uint64_t *count)
{
	*count = boot_phnum;
	return boot_phdrs;
}
