/*
 * How an image gets the socket layer: `hut build` links with
 * --wrap=socket, so an app (or libc: musl's resolver) that calls socket()
 * refers to __wrap_socket, defined here; that pulls this file, and with it
 * every socket syscall below and lwIP, out of libhut-net.a. The core
 * syscall table refers to the handlers weakly: in an image that never
 * calls socket() they are null, and the image carries no network stack.
 *
 * As a Linux process the wrapper simply calls musl's socket(). The wrapper
 * is the app's code (section .text.hut_app, below the window: hut.ld): it
 * calls musl's socket, at the app's addresses; the rest of this file is the
 * libos's.
 */
#include "sockcalls.h"

int __real_socket(int domain, int type, int protocol);
int __wrap_socket(int domain, int type, int protocol);

__attribute__((section(".text.hut_app"))) int __wrap_socket(int domain, int type, int protocol)
{
	return __real_socket(domain, type, protocol);
}

/* Strong references, so that the linker takes every handler's file. */
__attribute__((used)) static const hut_syscall_fn hut_net_syscalls[] = {
	hut_sys_inet_socket,   hut_sys_inet_bind,	 hut_sys_inet_listen,
	hut_sys_inet_accept,   hut_sys_inet_accept4,	 hut_sys_inet_connect,
	hut_sys_inet_shutdown, hut_sys_inet_getsockname, hut_sys_inet_getpeername,
	hut_sys_inet_sendto,   hut_sys_inet_recvfrom,	 hut_sys_inet_sendmsg,
	hut_sys_inet_recvmsg,  hut_sys_inet_setsockopt,	 hut_sys_inet_getsockopt,
};
