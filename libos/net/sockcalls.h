/* The socket syscalls (libhut-net.a). sys/syscall.c refers to them
 * weakly, so an image without sockets links none of them. */
#ifndef HUT_LIBOS_SOCKCALLS_H
#define HUT_LIBOS_SOCKCALLS_H

#include "base/base.h"

/* sockcalls.c */
HUT_SYSCALL(socket);
HUT_SYSCALL(bind);
HUT_SYSCALL(listen);
HUT_SYSCALL(accept);
HUT_SYSCALL(accept4);
HUT_SYSCALL(connect);
HUT_SYSCALL(shutdown);
HUT_SYSCALL(getsockname);
HUT_SYSCALL(getpeername);
HUT_SYSCALL(sendto);
HUT_SYSCALL(recvfrom);
HUT_SYSCALL(sendmsg);
HUT_SYSCALL(recvmsg);
/* sockoptcalls.c */
HUT_SYSCALL(setsockopt);
HUT_SYSCALL(getsockopt);

#endif
