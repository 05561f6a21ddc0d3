/*
 * hut's src/thread/x86_64/__set_thread_area.c for musl, in place of musl's
 * __set_thread_area.s. musl's start-up calls __set_thread_area once to point
 * %fs at the thread pointer; musl's version is four lines of assembly that
 * execute `syscall` themselves, so every image would trap once at boot
 * (~40 us on kvm-pvm hosts) before main(). This is the same call,
 * arch_prctl(ARCH_SET_FS, p), made through __syscall2, so it reaches the
 * libos like every other syscall (syscall_arch.h). musl's Makefile builds
 * any __set_thread_area without the stack protector: it runs before TLS,
 * where the canary lives, exists.
 */
#include "pthread_impl.h" /* declares it; brings syscall.h */

#define HUT_ARCH_SET_FS 0x1002

hidden int __set_thread_area(void *p)
{
	return __syscall(SYS_arch_prctl, HUT_ARCH_SET_FS, p);
}
