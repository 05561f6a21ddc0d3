/*
 * The app's side of the image: `hut build` links with --wrap=main, and this
 * wrapper stamps when main() first starts, for --trace-boot. It is not the
 * libos's code: hut.ld puts section .text.hut_app with the app's, below the
 * window, since it calls the app's main, which another image exec'd in the
 * appliance has at other addresses. It reaches the libos only through the
 * ABI page, at the same address in every image (include/hut/abi.h), by an
 * absolute address: the window is out of reach of %rip-relative code here.
 * As a Linux process the page holds no boot info and it just calls.
 */
#include <hut/abi.h>

int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);

__attribute__((section(".text.hut_app"))) int __wrap_main(int argc, char **argv, char **envp)
{
	struct hut_libos_abi *abi = (struct hut_libos_abi *)HUT_LIBOS_VA;
	if (abi->boot_info && !abi->tsc_main) {
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		abi->tsc_main = (uint64_t)hi << 32 | lo;
	}
	return __real_main(argc, argv, envp);
}
