/* The socket syscalls (libhut-net.a). sys/syscall.c refers to them
 * weakly, so an image without sockets links none of them. */
#ifndef HUT_LIBOS_SOCKCALLS_H
#define HUT_LIBOS_SOCKCALLS_H

#include "base/base.h"

/* sockcalls.c */
HUT_SYSCALL(inet_socket);
HUT_SYSCALL(inet_bind);
HUT_SYSCALL(inet_listen);
HUT_SYSCALL(inet_accept);
HUT_SYSCALL(inet_accept4);
HUT_SYSCALL(inet_connect);
HUT_SYSCALL(inet_shutdown);
HUT_SYSCALL(inet_getsockname);
HUT_SYSCALL(inet_getpeername);
HUT_SYSCALL(inet_sendto);
HUT_SYSCALL(inet_recvfrom);
HUT_SYSCALL(inet_sendmsg);
HUT_SYSCALL(inet_recvmsg);
/* sockoptcalls.c */
HUT_SYSCALL(inet_setsockopt);
HUT_SYSCALL(inet_getsockopt);

#endif
